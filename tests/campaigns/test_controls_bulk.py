"""Bulk controls over HTTP against the sandbox: status changes 20 ids a call and budget
changes 20 ad groups a call, each object logged, with SQL that does not grow with the count."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.errors import CampaignError
from campaigns.models import Ad, AdGroup, AdvertiserAccount, Campaign, OperationStatus
from campaigns.services.controls import BudgetChange, adgroups_budget_set, objects_status_apply, objects_status_set
from creatives.models import Product, VideoJob
from integrations.tiktok_ads.client import TikTokAdsClient
from sandbox import services as sandbox
from sandbox.models import SbAd, SbAdGroup, SbAdvertiser, SbCampaign, SbVideo
from scheduler.models import ActionLog
from scheduler.services import Actor

pytestmark = pytest.mark.django_db(transaction=True)


def advertiser_make(app, name: str) -> AdvertiserAccount:
    """One more advertiser known to the sandbox and connected in adloop."""
    remote = sandbox.sandbox_advertiser_create(app=app, name=name)
    token = sandbox.sandbox_token_issue(app=app, advertisers=[remote])
    return AdvertiserAccount.objects.create(advertiser_id=remote.advertiser_id, name=name, timezone="UTC", access_token=token)


def adgroups_seed(advertiser: AdvertiserAccount, count: int, *, stage: str = "heat", budget: Decimal = Decimal("100")) -> list[AdGroup]:
    """`count` running ad groups of one ad each, on both sides, in a handful of bulk inserts
    (ad_launch would take seconds per ad)."""
    remote = SbAdvertiser.objects.get(advertiser_id=advertiser.advertiser_id)
    new_id = sandbox.new_object_id
    video = SbVideo.objects.create(
        video_id=f"v-bulk-{new_id()}", material_id="1", advertiser=remote, file_name=f"bulk-{new_id()}.mp4", signature="0" * 32,
        size=1, width=720, height=1280, duration=15.0, file="sandbox/videos/bulk.mp4",
    )
    sb_campaign = SbCampaign.objects.create(
        campaign_id=new_id(), advertiser=remote, campaign_name="bulk", objective_type="WEB_CONVERSIONS", budget_mode="BUDGET_MODE_INFINITE",
    )
    campaign = Campaign.objects.create(
        campaign_id=sb_campaign.campaign_id, request_id=new_id(), advertiser=advertiser, name="bulk", objective="WEB_CONVERSIONS",
        stage=stage, status=OperationStatus.ENABLE,
    )
    job = VideoJob.objects.create(product=Product.objects.create(name="bulk"), status=VideoJob.Status.DONE, progress=100)
    ids = [(new_id(), new_id()) for _ in range(count)]
    SbAdGroup.objects.bulk_create([
        SbAdGroup(
            adgroup_id=adgroup_id, advertiser=remote, campaign=sb_campaign, adgroup_name=f"bulk {adgroup_id}",
            budget_mode="BUDGET_MODE_DAY", budget=budget, placement_type="PLACEMENT_TYPE_NORMAL", billing_event="OCPM",
            optimization_goal="VALUE", schedule_type="SCHEDULE_FROM_NOW", schedule_start_time=timezone.now(),
        ) for adgroup_id, _ in ids
    ])
    SbAd.objects.bulk_create([
        SbAd(ad_id=ad_id, advertiser=remote, campaign=sb_campaign, adgroup=sb_adgroup, ad_name=f"ad {ad_id}", video=video, ad_text="bulk")
        for (_, ad_id), sb_adgroup in zip(ids, SbAdGroup.objects.filter(campaign=sb_campaign).order_by("pk"), strict=True)
    ])
    AdGroup.objects.bulk_create([
        AdGroup(
            adgroup_id=adgroup_id, request_id=new_id(), campaign=campaign, name=f"bulk {adgroup_id}", status=OperationStatus.ENABLE,
            billing_event="OCPM", optimization_goal="VALUE", bid_type="BID_TYPE_NO_BID", budget=budget,
        ) for adgroup_id, _ in ids
    ])
    adgroups = list(AdGroup.objects.filter(campaign=campaign).select_related("campaign__advertiser").order_by("pk"))
    Ad.objects.bulk_create([
        Ad(ad_id=ad_id, adgroup=adgroup, job=job, name=f"ad {ad_id}", status=OperationStatus.ENABLE, ad_text="bulk")
        for (_, ad_id), adgroup in zip(ids, adgroups, strict=True)
    ])
    return adgroups


@pytest.fixture
def calls(monkeypatch):
    """Every TikTok POST this test makes: (path, body, request id of the answer or None)."""
    made = []
    original = TikTokAdsClient.post

    def post(self, path, body, **kwargs):
        try:
            data = original(self, path, body, **kwargs)
        except Exception:
            made.append((path, body, None))
            raise
        made.append((path, body, self.last_request_id))
        return data

    monkeypatch.setattr(TikTokAdsClient, "post", post)
    return made


def ads_of(adgroups) -> list[Ad]:
    return list(Ad.objects.filter(adgroup__in=adgroups).select_related("adgroup__campaign__advertiser").order_by("pk"))


def test_status_changes_go_20_ids_a_call_and_log_each_object(sandbox_http, advertiser, calls):
    ads = ads_of(adgroups_seed(advertiser, 45))
    Ad.objects.filter(pk__in=[ads[0].pk, ads[1].pk]).update(status=OperationStatus.DISABLE)
    ads[0].status = ads[1].status = OperationStatus.DISABLE  # already paused: skipped, not logged

    changed = objects_status_set(objs=ads, status=OperationStatus.DISABLE, actor=Actor.auto(), reason="bulk", trigger={"roas": 0.4})

    assert len(changed) == 43 and all(ad.status == OperationStatus.DISABLE for ad in ads)
    status_calls = [(body["ad_ids"], request_id) for path, body, request_id in calls if path == "ad/status/update"]
    assert [len(ids) for ids, _ in status_calls] == [20, 20, 3]
    assert set(SbAd.objects.filter(ad_id__in=[ad.ad_id for ad in ads[2:]]).values_list("operation_status", flat=True)) == {"DISABLE"}
    assert set(Ad.objects.filter(pk__in=[ad.pk for ad in ads]).values_list("status", flat=True)) == {OperationStatus.DISABLE}
    request_of = {ad_id: request_id for ids, request_id in status_calls for ad_id in ids}
    entries = list(ActionLog.objects.filter(action="pause"))
    assert len(entries) == 43
    for entry in entries:
        assert (entry.before, entry.after) == ({"status": "ENABLE"}, {"status": "DISABLE"})
        assert (entry.reason, entry.trigger) == ("bulk", {"roas": 0.4})
        assert entry.outcome == "done" and entry.remote_request_id == request_of[entry.remote_id]
        assert entry.advertiser_id == advertiser.pk and entry.campaign_id == ads[0].adgroup.campaign_id
    assert {entry.object_pk for entry in entries} == {ad.pk for ad in ads[2:]}


def test_each_object_may_carry_its_own_reason_and_trigger(sandbox_http, advertiser):
    ads = ads_of(adgroups_seed(advertiser, 3))

    objects_status_set(
        objs=ads, status=OperationStatus.DISABLE, actor=Actor.auto(), reason="shared",
        reasons={ads[0].pk: "own"}, triggers={ads[0].pk: {"roas": 0.1}},
    )

    logged = {entry.object_pk: (entry.reason, entry.trigger) for entry in ActionLog.objects.filter(action="pause")}
    assert logged == {ads[0].pk: ("own", {"roas": 0.1}), ads[1].pk: ("shared", {}), ads[2].pk: ("shared", {})}


def test_status_sql_does_not_grow_with_the_number_of_objects(sandbox_http, advertiser, sandbox_app):
    counts = []
    for size, account in ((5, advertiser), (45, advertiser_make(sandbox_app, "Second shop"))):
        ads = ads_of(adgroups_seed(account, size))
        with CaptureQueriesContext(connection) as queries:
            objects_status_set(objs=ads, status=OperationStatus.DISABLE, actor=Actor.auto())
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_relations_not_loaded_by_the_caller_cost_one_query_per_level(sandbox_http, advertiser):
    adgroups_seed(advertiser, 30)
    ads = list(Ad.objects.filter(adgroup__campaign__advertiser=advertiser))  # no select_related

    with CaptureQueriesContext(connection) as queries:
        objects_status_set(objs=ads, status=OperationStatus.DISABLE, actor=Actor.auto())

    statements = [q["sql"].split()[0] for q in queries.captured_queries if q["sql"].split()[0] not in ("BEGIN", "COMMIT")]
    assert statements == ["SELECT"] * 3 + ["UPDATE", "INSERT"]  # ad groups, campaigns, advertisers; the change and its log


def test_a_refused_batch_stops_the_run_and_is_logged_per_object(sandbox_http, advertiser):
    ads = ads_of(adgroups_seed(advertiser, 45))
    SbAd.objects.filter(ad_id=ads[25].ad_id).update(operation_status="DELETE")  # the second batch is refused (40002)

    with pytest.raises(CampaignError, match="refused to pause"):
        objects_status_set(objs=ads, status=OperationStatus.DISABLE, actor=Actor.auto())

    statuses = dict(Ad.objects.filter(pk__in=[ad.pk for ad in ads]).values_list("pk", "status"))
    assert [statuses[ad.pk] for ad in ads] == [OperationStatus.DISABLE] * 20 + [OperationStatus.ENABLE] * 25
    outcomes = dict(ActionLog.objects.filter(action="pause").values_list("object_pk", "outcome"))
    assert outcomes == {**{ad.pk: "done" for ad in ads[:20]}, **{ad.pk: "failed" for ad in ads[20:40]}}
    failed = ActionLog.objects.filter(action="pause", outcome="failed")
    assert all(entry.error and entry.remote_request_id and entry.before == entry.after == {"status": "ENABLE"} for entry in failed)


def test_a_bulk_run_goes_on_after_a_refused_batch(sandbox_http, advertiser):
    ads = ads_of(adgroups_seed(advertiser, 45))
    SbAd.objects.filter(ad_id=ads[25].ad_id).update(operation_status="DELETE")

    result = objects_status_apply(objs=ads, status=OperationStatus.DISABLE, actor=Actor.auto())

    assert set(result.failed) == {ad.pk for ad in ads[20:40]} and result.error is not None
    assert {ad.pk for ad in result.changed} == {ad.pk for ad in ads[:20] + ads[40:]}
    assert SbAd.objects.filter(ad_id__in=[ad.ad_id for ad in ads], operation_status="DISABLE").count() == 25


def test_budget_changes_go_20_ad_groups_a_call_and_log_each(sandbox_http, advertiser, calls):
    adgroups = adgroups_seed(advertiser, 45)
    changes = [BudgetChange(adgroup, Decimal("130"), "scale up", {"roas": 3.5}) for adgroup in adgroups]

    result = adgroups_budget_set(changes=changes, actor=Actor.auto())

    assert len(result.changed) == 45 and not result.failed
    budget_calls = [(body["budget"], request_id) for path, body, request_id in calls if path == "adgroup/budget/update"]
    assert [len(items) for items, _ in budget_calls] == [20, 20, 5]
    remote_ids = [adgroup.adgroup_id for adgroup in adgroups]
    assert set(SbAdGroup.objects.filter(adgroup_id__in=remote_ids).values_list("budget", flat=True)) == {Decimal("130")}
    assert set(AdGroup.objects.filter(pk__in=[g.pk for g in adgroups]).values_list("budget", flat=True)) == {Decimal("130")}
    request_of = {item["adgroup_id"]: request_id for items, request_id in budget_calls for item in items}
    entries = list(ActionLog.objects.filter(action="budget_change"))
    assert len(entries) == 45
    for entry in entries:
        assert (entry.before, entry.after) == ({"budget": "100.00"}, {"budget": "130.00"})
        assert (entry.reason, entry.trigger) == ("scale up", {"roas": 3.5})
        assert entry.remote_request_id == request_of[entry.remote_id] and entry.outcome == "done"


def test_a_refused_budget_call_fails_only_its_ad_groups(sandbox_http, advertiser):
    adgroups = adgroups_seed(advertiser, 45)
    SbAdGroup.objects.filter(adgroup_id=adgroups[30].adgroup_id).delete()  # the second call is refused
    changes = [BudgetChange(adgroup, Decimal("80")) for adgroup in adgroups]
    changes[44] = BudgetChange(adgroups[44], Decimal("5"))  # below TikTok's minimum: never sent

    result = adgroups_budget_set(changes=changes, actor=Actor.auto())

    assert set(result.failed) == {g.pk for g in adgroups[20:40]} | {adgroups[44].pk}
    assert "minimum" in result.failed[adgroups[44].pk]
    budgets = dict(AdGroup.objects.values_list("pk", "budget"))
    assert [budgets[g.pk] for g in adgroups] == [Decimal("80")] * 20 + [Decimal("100")] * 20 + [Decimal("80")] * 4 + [Decimal("100")]
    outcomes = dict(ActionLog.objects.filter(action="budget_change").values_list("object_pk", "outcome"))
    assert outcomes == {**{g.pk: "done" for g in adgroups[:20] + adgroups[40:44]}, **{g.pk: "failed" for g in adgroups[20:40]}}
    failed = ActionLog.objects.filter(outcome="failed").first()
    assert failed.before == failed.after == {"budget": "100.00"} and failed.error


def test_budget_sql_does_not_grow_with_the_number_of_ad_groups(sandbox_http, advertiser, sandbox_app):
    counts = []
    for size, account in ((5, advertiser), (45, advertiser_make(sandbox_app, "Second shop"))):
        changes = [BudgetChange(adgroup, Decimal("120")) for adgroup in adgroups_seed(account, size)]
        with CaptureQueriesContext(connection) as queries:
            adgroups_budget_set(changes=changes, actor=Actor.auto())
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
