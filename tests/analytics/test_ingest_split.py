"""An account over TikTok's report limit is pulled in slices: campaign_ids filters, ad group ids for a
campaign too big alone. The limits shrink to 50 ads and 3 ids per filter, on both sides: the sandbox
refuses a report over either (40067, 40011), so a pull that exceeds one fails."""

import copy
import datetime as dt
import json
import math
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import pytest

from analytics.models import PerformanceDaily
from analytics.services import ingest, performance_ingest
from campaigns.models import Ad, AdGroup, OperationStatus
from integrations.tiktok_ads import endpoints
from integrations.tiktok_ads.endpoints import new_request_id
from integrations.tiktok_ads.errors import Permanent
from sandbox import services as sandbox
from sandbox.models import SbAd, SbAdGroup, SbDailyStat
from sandbox.tiktok import reports

from .conftest import queries_of_this_thread, remote_copies

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 50
IDS = 3
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def small_limits(monkeypatch):
    monkeypatch.setattr(ingest, "REPORT_MAX_ADS", LIMIT)
    monkeypatch.setattr(ingest, "REPORT_FILTER_IDS", IDS)
    monkeypatch.setattr(reports, "MAX_REPORT_ADS", LIMIT)
    monkeypatch.setattr(reports, "MAX_FILTER_IDS", IDS)


@dataclass(frozen=True)
class Sent:
    """One report call as it went over HTTP, and what the sandbox answered."""

    field: str  # the id filter's field_name, "" without one
    ids: tuple[str, ...]
    start: dt.date
    end: dt.date
    code: int
    rows: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @classmethod
    def of(cls, response) -> "Sent":
        query = dict(parse_qsl(urlsplit(response.request.url).query))
        id_filters = [item for item in json.loads(query["filtering"]) if item["field_name"] != "ad_status"]
        assert len(id_filters) <= 1
        field, ids = ("", ())
        if id_filters:
            field, ids = id_filters[0]["field_name"], tuple(json.loads(id_filters[0]["filter_value"]))
        body = response.json()
        start, end = dt.date.fromisoformat(query["start_date"]), dt.date.fromisoformat(query["end_date"])
        return cls(field=field, ids=ids, start=start, end=end, code=body["code"], rows=len(body["data"].get("list", [])))


@pytest.fixture
def sent(monkeypatch) -> list[Sent]:
    """Every report call the pull makes, read off the client's session."""
    calls: list[Sent] = []
    client_for = ingest.client_for

    def recording_client_for(advertiser):
        client = client_for(advertiser)
        client.session.hooks["response"].append(lambda response, *args, **kwargs: calls.append(Sent.of(response)))
        return client

    monkeypatch.setattr(ingest, "client_for", recording_client_for)
    return calls


def clone(instance, **changes):
    twin = copy.copy(instance)
    twin.pk, twin._state.adding = None, True
    for name, value in changes.items():
        setattr(twin, name, value)
    twin.save()
    return twin


def account(advertiser, job, launch, shape: list[list[int]]) -> list[list[list[Ad]]]:
    """`shape[c][g]` ads in ad group g of campaign c, on both sides. The first ad is launched for
    real; every other campaign, ad group and ad is a copy of it (launching hundreds of ads over
    HTTP would test the launcher, not ingestion)."""
    first = launch(job, advertiser)
    remote_first = SbAd.objects.select_related("adgroup__campaign").get(ad_id=first.ad_id)
    tree = []
    for c, sizes in enumerate(shape):
        if c == 0:
            campaign, remote_campaign = first.adgroup.campaign, remote_first.campaign
        else:
            remote_campaign = clone(remote_first.campaign, campaign_id=sandbox.new_object_id(), campaign_name=f"campaign {c}")
            campaign = clone(first.adgroup.campaign, campaign_id=remote_campaign.campaign_id, request_id=new_request_id())
        groups = []
        for g, size in enumerate(sizes):
            if c == 0 and g == 0:
                adgroup, remote_adgroup, ads = first.adgroup, remote_first.adgroup, [first]
            else:
                remote_adgroup = clone(
                    remote_first.adgroup, adgroup_id=sandbox.new_object_id(), campaign=remote_campaign, adgroup_name=f"g{c}.{g}"
                )
                adgroup = clone(
                    first.adgroup, adgroup_id=remote_adgroup.adgroup_id, campaign=campaign, request_id=new_request_id()
                )
                ads = []
            groups.append(ads + add_ads(first, remote_first, adgroup, remote_adgroup, size - len(ads)))
        tree.append(groups)
    return tree


def add_ads(template: Ad, remote_template: SbAd, adgroup: AdGroup, remote_adgroup: SbAdGroup, count: int) -> list[Ad]:
    remote = SbAd.objects.bulk_create([
        SbAd(ad_id=sandbox.new_object_id(), advertiser=remote_template.advertiser, campaign=remote_adgroup.campaign,
             adgroup=remote_adgroup, ad_name=f"ad {remote_adgroup.adgroup_name} #{n}", video=remote_template.video,
             ad_text=remote_template.ad_text)
        for n in range(count)
    ])
    return Ad.objects.bulk_create([
        Ad(ad_id=ad.ad_id, adgroup=adgroup, job=template.job, name=ad.ad_name, status=OperationStatus.ENABLE,
           video_id=template.video_id, ad_text=template.ad_text)
        for ad in remote
    ])


def flat(tree) -> list[Ad]:
    return [ad for groups in tree for ads in groups for ad in ads]


def deliver(ads: list[Ad], days: list[dt.date]) -> dict[tuple[str, dt.date], int]:
    """Every ad delivers every day, each (ad, day) with its own impressions."""
    remote = SbAd.objects.in_bulk([ad.ad_id for ad in ads], field_name="ad_id")
    impressions = {(ad.ad_id, day): 1000 * n + i for n, ad in enumerate(ads) for i, day in enumerate(days)}
    SbDailyStat.objects.bulk_create([
        SbDailyStat(advertiser=remote[ad_id].advertiser, ad=remote[ad_id], date=day, impressions=count)
        for (ad_id, day), count in impressions.items()
    ])
    return impressions


def stored() -> dict[tuple[str, dt.date], int]:
    return {(ad_id, day): count for ad_id, day, count in PerformanceDaily.objects.values_list("ad__ad_id", "date", "impressions")}


def covered(call: Sent, tree) -> set[str]:
    """The ads (adloop's) a report call covers."""
    ads = set()
    for groups in tree:
        for ads_of_group in groups:
            for ad in ads_of_group:
                parent = {"campaign_ids": ad.adgroup.campaign.campaign_id, "adgroup_ids": ad.adgroup.adgroup_id,
                          "ad_ids": ad.ad_id, "": None}[call.field]
                if not call.field or parent in call.ids:
                    ads.add(ad.ad_id)
    return ads


# 249 ads: six campaigns that fit a report, packed into three slices of 49, 50 and 50 ads, and one
# campaign of 100 ads in four ad groups, too big alone: two slices by ad group ids.
SHAPE = [[9], [40], [30], [20], [25], [25], [25, 25, 25, 25]]


@pytest.mark.parametrize(("page_size", "calls"), [(1000, 5), (25, 10)])
def test_an_account_over_the_limit_arrives_whole_in_calls_within_the_limit(
    sandbox_http, advertiser, video_job, launch, today, sent, monkeypatch, page_size, calls
):
    monkeypatch.setattr(endpoints, "MAX_PAGE_SIZE", page_size)
    tree = account(advertiser, video_job, launch, SHAPE)
    ads = flat(tree)
    delivered = deliver(ads, [today])

    result = performance_ingest(advertiser=advertiser, start=today, end=today)

    assert len(ads) == 249
    assert (result.rows, result.created, result.skipped) == (249, 249, 0)
    assert stored() == delivered
    assert all(call.code == 0 for call in sent)
    for call in sent:
        assert call.field and len(call.ids) <= IDS
        assert len(covered(call, tree)) * call.days <= LIMIT
    # No ad is in two slices, and no row came twice.
    slices = [covered(call, tree) for call in {(call.field, call.ids): call for call in sent}.values()]
    assert len(slices) == 5 and sum(len(ads) for ads in slices) == len(set().union(*slices)) == 249
    assert sum(call.rows for call in sent) == 249
    # The fewest calls: five reports of at most 50 rows are needed, one page each at 1,000 rows a
    # page; at 25 rows a page, ceil(249 / 25) = 10 pages.
    assert result.requests == len(sent) == calls


def test_a_campaign_too_big_alone_is_split_by_its_ad_groups(sandbox_http, advertiser, video_job, launch, today, sent):
    tree = account(advertiser, video_job, launch, SHAPE)
    deliver(flat(tree), [today])
    big = tree[-1]

    performance_ingest(advertiser=advertiser, start=today, end=today)

    by_adgroup = [call for call in sent if call.field == "adgroup_ids"]
    assert {ad.ad_id for ads in big for ad in ads} == set().union(*(covered(call, tree) for call in by_adgroup))
    assert sorted(len(call.ids) for call in by_adgroup) == [2, 2]
    assert all(big[0][0].adgroup.campaign.campaign_id not in call.ids for call in sent if call.field == "campaign_ids")


def test_each_slice_gets_windows_sized_by_its_own_ads(sandbox_http, advertiser, video_job, launch, today, sent):
    tree = account(advertiser, video_job, launch, [[10], [50]])
    days = [today - back * DAY for back in range(4)]
    delivered = deliver(flat(tree), days)

    result = performance_ingest(advertiser=advertiser, start=days[-1], end=today)

    assert stored() == delivered and result.rows == 240
    # 50 ads: a report a day; 10 ads: all four days in one report of 40 rows.
    assert sorted((len(covered(call, tree)), call.days) for call in sent) == [(10, 4), (50, 1), (50, 1), (50, 1), (50, 1)]
    assert result.requests == math.ceil(240 / LIMIT)


def test_an_account_within_the_limit_is_one_report_without_an_id_filter(sandbox_http, advertiser, video_job, launch, today, sent):
    tree = account(advertiser, video_job, launch, [[30], [20]])
    deliver(flat(tree), [today])

    result = performance_ingest(advertiser=advertiser, start=today, end=today)

    assert result.rows == 50
    assert [(call.field, call.rows) for call in sent] == [("", 50)]


def test_a_report_still_refused_as_too_large_says_which_limit(sandbox_http, advertiser, video_job, launch, today, sent):
    tree = account(advertiser, video_job, launch, [[45]])
    first = tree[0][0][0]
    # Ten ads made in TikTok's own tools: adloop does not know them, TikTok counts them.
    unknown = remote_copies(first, 10)
    deliver(flat(tree), [today])
    for ad_id in unknown:
        remote = SbAd.objects.get(ad_id=ad_id)
        SbDailyStat.objects.create(advertiser=remote.advertiser, ad=remote, date=today, impressions=1)

    with pytest.raises(Permanent) as refused:
        performance_ingest(advertiser=advertiser, start=today, end=today)

    assert refused.value.code == 40067
    message = refused.value.message
    assert "a report may cover at most 50 ads" in message
    assert "the whole account, without an id filter, 45 ads known to adloop" in message
    assert "including ones adloop does not know" in message
    assert PerformanceDaily.objects.count() == 0



def test_sql_is_the_same_for_one_slice_and_five(sandbox_http, advertiser, other_advertiser, video_job, launch, today):
    deliver(flat(account(advertiser, video_job, launch, [[30], [20]])), [today])
    deliver(flat(account(other_advertiser, video_job, launch, SHAPE)), [today])

    with queries_of_this_thread() as one_slice:
        performance_ingest(advertiser=advertiser, start=today, end=today)
    with queries_of_this_thread() as five_slices:
        result = performance_ingest(advertiser=other_advertiser, start=today, end=today)

    assert result.requests == 5
    # Reads do not grow with slices; writes are bulk INSERTs (SQLite splits them finer, and logs a BEGIN per batch).
    reads = [[sql for sql in queries if not sql.startswith(("INSERT", "BEGIN"))] for queries in (one_slice, five_slices)]
    assert reads[0] == reads[1]


# The planner alone, on made-up ids: an ad group too big alone is split by ad ids.


def test_an_ad_group_too_big_alone_is_split_by_ad_ids():
    big = [f"ad{n}" for n in range(60)]
    tree = {"c1": {"g1": big}, "c2": {"g2": ["x1", "x2"], "g3": ["x3"]}}

    slices = ingest.report_slices(tree)

    assert [(s.field, s.ids) for s in slices if s.field == "campaign_ids"] == [("campaign_ids", ("c2",))]
    by_ad = [s for s in slices if s.field == "ad_ids"]
    assert sorted(ad for s in by_ad for ad in s.ids) == sorted(big)
    assert all(len(s.ids) <= IDS and s.ads == len(s.ids) for s in by_ad)
    assert len(by_ad) == 20


def test_campaigns_are_packed_within_both_limits():
    sizes = {"a": 48, "b": 2, "c": 2, "d": 1, "e": 1, "f": 1, "g": 1, "h": 30}
    tree = {cid: {f"g-{cid}": [f"{cid}{n}" for n in range(size)]} for cid, size in sizes.items()}

    slices = ingest.report_slices(tree)

    assert all(s.field == "campaign_ids" and len(s.ids) <= IDS and s.ads <= LIMIT for s in slices)
    assert sorted(cid for s in slices for cid in s.ids) == sorted(sizes)
    # Biggest first, each into the first slice with room: a+b is full at 50 ads, h+c+d at 3 ids.
    assert [s.ids for s in slices] == [("a", "b"), ("h", "c", "d"), ("e", "f", "g")]
    assert [s.ads for s in slices] == [50, 33, 3]
