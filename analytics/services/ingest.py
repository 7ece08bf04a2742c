"""Daily ad performance: TikTok's synchronous report → PerformanceDaily, upserted on (ad, date).

One pull per advertiser covers [start, end] in the advertiser's timezone. By default it starts
`REPORT_LOOKBACK_DAYS` before the day after the latest stored day, because TikTok attributes
conversions late and restates recent days; the latest stored day is always pulled again, since
it may be today (still running) or a day an interrupted pull left half written.

Cost stays flat in the number of ads: one query maps TikTok ad ids to our ads (and to their ad
groups and campaigns), rows are written with one INSERT … ON CONFLICT UPDATE per BATCH_SIZE rows
as pages arrive (no transaction is held open across HTTP calls), and HTTP calls are reports ×
1000-row pages.

A report covers at most REPORT_MAX_ADS ads (TikTok answers 40067 "query too large" above it,
and asks for an id filter or a shorter window), and at most WINDOW_ROWS ads × days: a report is
paged by offset, so the server aggregates the whole report again for every page, and a page of a
300,000-row report costs ~1 s in the sandbox against ~0.09 s for a 10,000-row one.

An account within that is one slice, pulled without an id filter. A bigger one is cut by TikTok's
`campaign_ids` filter into slices of at most REPORT_FILTER_IDS campaigns and as many ads as a
one-day report may hold, packed biggest campaign first so few slices are needed; a campaign too
big alone is cut the same way by `adgroup_ids`, an ad group by `ad_ids`. Each slice's date
windows are sized by its own ad count to hold about WINDOW_ROWS rows if every ad delivered every
day, so calls stay near rows ÷ 1,000: at most one partly filled page per report (slice × window).
A slice names only ads adloop knows: once an account is sliced, rows of ads adloop does not know
(`skipped`) arrive only from known campaigns and ad groups, though TikTok still counts those ads
against its limit (the 40067 error then says so).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import chain

from django.conf import settings
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from adloop import clock
from analytics import metrics
from analytics.models import PerformanceDaily
from campaigns.models import Ad, AdvertiserAccount
from campaigns.services.connect import advertiser_mark_failed, client_for
from integrations.tiktok_ads import endpoints
from integrations.tiktok_ads.client import TikTokAdsClient
from integrations.tiktok_ads.errors import ApiError, InvalidResponse, Permanent
from integrations.tiktok_ads.schemas import ReportRow

log = logging.getLogger(__name__)

DATA_LEVEL = "AUCTION_AD"
DIMENSIONS = ["ad_id", "stat_time_day"]
# TikTok's names. complete_payment counts web purchases and total_complete_payment_rate is,
# despite its name, their value: together they give ROAS and CVR. `conversion` counts the ad
# group's optimization event (an engaged view in the launch stage), so it is only a fallback.
METRICS = ["spend", "impressions", "clicks", "conversion", "complete_payment", "total_complete_payment_rate", "video_play_actions"]
# The default report filter leaves deleted ads out; their spend still happened.
ALL_ADS = [{"field_name": "ad_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}]
DEFAULT_LOOKBACK_DAYS = 3
FIRST_PULL_MAX_DAYS = 365
BATCH_SIZE = 2000
WINDOW_ROWS = 10_000
# TikTok's limits on one synchronous report (reference §4; the SDK's reportIntegratedGet): at most
# 10,000 ads, or 40067; beyond that, filter by campaign, ad group or ad ids, at most 100 per filter
# (more is 40011). Module constants, so tests can shrink them.
REPORT_MAX_ADS = 10_000
REPORT_FILTER_IDS = endpoints.MAX_FILTER_IDS
QUERY_TOO_LARGE = 40067
# The id filters a too big account is cut by, widest first.
SPLIT_FIELDS = ("campaign_ids", "adgroup_ids", "ad_ids")
PARENT_IDS = ("adgroup__adgroup_id", "adgroup__campaign__campaign_id")
UPDATE_FIELDS = ["impressions", "clicks", "spend", "conversions", "conversion_value", "video_views", "roas", "ctr", "cvr", "fetched_at"]
CENT = Decimal("0.01")


@dataclass(frozen=True)
class IngestResult:
    rows: int = 0  # rows written (created + updated)
    created: int = 0
    updated: int = 0
    days: int = 0  # days in the pulled range
    requests: int = 0  # HTTP calls, retries included
    skipped: int = 0  # rows of ads adloop does not know
    start: dt.date | None = None
    end: dt.date | None = None


def performance_ingest(
    *,
    advertiser: AdvertiserAccount,
    start: dt.date | None = None,
    end: dt.date | None = None,
    lookback_days: int | None = None,
) -> IngestResult:
    """Pull the advertiser's daily ad report for [start, end] and upsert it. Safe to re-run:
    a day pulled again replaces the stored one. ApiError subclasses propagate; an AuthError
    is also written on the advertiser row."""
    end = end or clock.today(advertiser.timezone)
    start = start or performance_pull_start(advertiser=advertiser, end=end, lookback_days=lookback_days)
    if start is None or start > end:
        return IngestResult(start=start, end=end)
    ads, tree = _ads_and_tree(advertiser)
    if not ads:  # nothing launched on TikTok yet: spend no API quota
        return IngestResult(start=start, end=end)
    stored_before = _stored(advertiser, start, end)
    client = client_for(advertiser)
    calls = []
    client.session.hooks["response"].append(lambda response, *args, **kwargs: calls.append(response.status_code))
    rows = chain.from_iterable(
        _report_rows(client, advertiser_id=advertiser.advertiser_id, part=part, start=window_start, end=window_end)
        for part in report_slices(tree)
        for window_start, window_end in endpoints.date_chunks(start, end, window_days(part.ads))
    )
    try:
        written, skipped = _upsert(rows, ads)
    except ApiError as exc:
        advertiser_mark_failed(advertiser, exc)
        raise
    created = _stored(advertiser, start, end) - stored_before
    result = IngestResult(
        rows=written, created=created, updated=written - created, days=(end - start).days + 1,
        requests=len(calls), skipped=skipped, start=start, end=end,
    )
    log.info("advertiser %s: %s", advertiser.advertiser_id, result)
    return result


def performance_pull_start(*, advertiser: AdvertiserAccount, end: dt.date, lookback_days: int | None = None) -> dt.date | None:
    """Where a default pull starts: the lookback before the day after the latest stored day;
    on the first pull, the day the first ad was created (at most a year back). None when the
    advertiser has no ads yet."""
    if lookback_days is None:
        lookback_days = getattr(settings, "REPORT_LOOKBACK_DAYS", DEFAULT_LOOKBACK_DAYS)
    lookback = dt.timedelta(days=max(lookback_days, 1))
    latest = _stored_rows(advertiser).aggregate(latest=Max("date"))["latest"]
    if latest is not None:
        return latest + dt.timedelta(days=1) - lookback
    first_ad = _ads_of(advertiser).aggregate(first=Min("created_at"))["first"]
    if first_ad is None:
        return None
    created = first_ad.astimezone(clock.zone(advertiser.timezone)).date()
    # created_at is wall-clock time while `end` is the clock's today, which against the sandbox
    # is the simulator's date and may lie before it: still cover the lookback days then.
    start = min(created, end + dt.timedelta(days=1) - lookback)
    return max(start, end - dt.timedelta(days=FIRST_PULL_MAX_DAYS - 1))


def window_days(ads: int) -> int:
    """Days per report window for a slice of `ads` ads (see the module docstring)."""
    return max(1, min(endpoints.MAX_REPORT_DAYS_DAILY, _report_rows_max() // max(ads, 1)))


@dataclass(frozen=True)
class ReportSlice:
    """The ads one report covers: those under the `field` filter's `ids`, or the whole account
    when `field` is empty. `ads` counts the ones adloop knows."""

    ads: int
    field: str = ""
    ids: tuple[str, ...] = ()

    def filtering(self) -> list[dict[str, str]]:
        if not self.field:
            return ALL_ADS
        # TikTok's report filters carry their values as a JSON-array string.
        return [*ALL_ADS, {"field_name": self.field, "filter_type": "IN", "filter_value": json.dumps(self.ids)}]


# campaign id → ad group id → TikTok ad ids, of the ads adloop knows
AdTree = dict[str, dict[str, list[str]]]


def report_slices(tree: AdTree) -> list[ReportSlice]:
    """Cut the account into slices TikTok reports in full: one without a filter when it fits a
    report, else campaigns packed into slices of at most REPORT_FILTER_IDS ids and as many ads as
    a one-day report holds, a campaign too big alone cut by its ad groups, an ad group by its ads."""
    total = _size(tree)
    if total <= _report_rows_max():
        return [ReportSlice(ads=total)] if total else []
    return _split(tree, depth=0)


def _report_rows_max() -> int:
    """Most ads × days one report may hold: WINDOW_ROWS for speed, REPORT_MAX_ADS for TikTok."""
    return min(WINDOW_ROWS, REPORT_MAX_ADS)


def _size(node: dict | list) -> int:
    return len(node) if isinstance(node, list) else sum(_size(child) for child in node.values())


def _split(node: dict | list, *, depth: int) -> list[ReportSlice]:
    """Slices of `node`'s children under SPLIT_FIELDS[depth]; a child too big for one slice (or
    without a TikTok id to filter by) is split one level down."""
    limit = _report_rows_max()
    if isinstance(node, list):  # ad ids
        children = [(ad_id, 1, None) for ad_id in node]
    else:
        children = [(child_id, _size(child), child) for child_id, child in node.items()]
    fitting = [(child_id, size) for child_id, size, _child in children if child_id and size <= limit]
    slices = _pack(SPLIT_FIELDS[depth], fitting, limit=limit)
    for child_id, size, child in children:
        if not child_id or size > limit:
            slices += _split(child, depth=depth + 1)
    return slices


@dataclass
class _Bin:
    ids: list[str]
    ads: int = 0


def _pack(field: str, items: list[tuple[str, int]], *, limit: int) -> list[ReportSlice]:
    """First fit, biggest first: each (id, ads) goes into the first slice with room for its ads
    and one more id. Few, full slices mean few reports and few partly filled pages."""
    bins: list[_Bin] = []
    open_bins: list[_Bin] = []  # the ones that can still take an id
    for item_id, size in sorted(items, key=lambda item: (-item[1], item[0])):
        target = next((candidate for candidate in open_bins if candidate.ads + size <= limit), None)
        if target is None:
            target = _Bin(ids=[])
            bins.append(target)
            open_bins.append(target)
        target.ids.append(item_id)
        target.ads += size
        if len(target.ids) >= REPORT_FILTER_IDS or target.ads >= limit:
            open_bins.remove(target)
    return [ReportSlice(ads=found.ads, field=field, ids=tuple(found.ids)) for found in bins]


def _report_rows(
    client: TikTokAdsClient, *, advertiser_id: str, part: ReportSlice, start: dt.date, end: dt.date
) -> Iterator[ReportRow]:
    """One report's rows, page by page. TikTok's 40067 should not happen (slices keep under its
    limit), but ads adloop does not know count towards it too: say which limit and which report."""
    try:
        yield from endpoints.report_integrated_get(
            client, advertiser_id=advertiser_id, data_level=DATA_LEVEL, dimensions=DIMENSIONS,
            metrics=METRICS, start_date=start, end_date=end, filtering=part.filtering(),
        )
    except Permanent as exc:
        if exc.code != QUERY_TOO_LARGE:
            raise
        message = _too_large(exc, part, start, end)
        raise Permanent(message, code=exc.code, request_id=exc.request_id, http_status=exc.http_status) from exc


def _too_large(exc: Permanent, part: ReportSlice, start: dt.date, end: dt.date) -> str:
    if part.field:
        scope = _("the %(count)d %(field)s of one filter") % {"count": len(part.ids), "field": part.field}
    else:
        scope = _("the whole account, without an id filter")
    return _(
        "TikTok refused a report as too large (40067): a report may cover at most %(limit)s ads, and "
        "TikTok counts the ads it holds, including ones adloop does not know. The report asked for "
        "%(scope)s, %(ads)s ads known to adloop, from %(start)s to %(end)s. TikTok said: %(message)s"
    ) % {"limit": REPORT_MAX_ADS, "scope": scope, "ads": part.ads, "start": start, "end": end, "message": exc.message}


def _ads_of(advertiser: AdvertiserAccount):
    return Ad.objects.filter(adgroup__campaign__advertiser=advertiser)


def _ads_and_tree(advertiser: AdvertiserAccount) -> tuple[dict[str, int], AdTree]:
    """TikTok ad id → our ad's pk, and the same ads by campaign and ad group: one query."""
    ads: dict[str, int] = {}
    tree: AdTree = {}
    known = _ads_of(advertiser).exclude(ad_id="")
    for ad_id, pk, adgroup_id, campaign_id in known.values_list("ad_id", "pk", *PARENT_IDS):
        ads[ad_id] = pk
        tree.setdefault(campaign_id, {}).setdefault(adgroup_id, []).append(ad_id)
    return ads, tree


def _stored_rows(advertiser: AdvertiserAccount):
    return PerformanceDaily.objects.filter(ad__adgroup__campaign__advertiser=advertiser)


def _stored(advertiser: AdvertiserAccount, start: dt.date, end: dt.date) -> int:
    return _stored_rows(advertiser).filter(date__range=(start, end)).count()


def _upsert(rows: Iterable[ReportRow], ads: dict[str, int]) -> tuple[int, int]:
    batch: dict[tuple[int, dt.date], PerformanceDaily] = {}
    written = skipped = 0
    for row in rows:
        ad_pk = ads.get(str(row.dimensions.get("ad_id")))
        if ad_pk is None:
            skipped += 1
            continue
        record = _record(row, ad_pk)
        # Offset pages over a report that changes while we read can repeat a row, and one
        # INSERT … ON CONFLICT must not touch the same row twice.
        batch[(ad_pk, record.date)] = record
        if len(batch) >= BATCH_SIZE:
            written += _write(batch)
    if batch:
        written += _write(batch)
    return written, skipped


def _write(batch: dict) -> int:
    PerformanceDaily.objects.bulk_create(
        list(batch.values()), update_conflicts=True, unique_fields=["ad", "date"], update_fields=UPDATE_FIELDS, batch_size=BATCH_SIZE,
    )
    count = len(batch)
    batch.clear()
    return count


def _record(row: ReportRow, ad_pk: int) -> PerformanceDaily:
    values = row.metrics
    day = str(row.dimensions.get("stat_time_day") or "")
    try:
        date = dt.date.fromisoformat(day[:10])
    except ValueError:
        raise InvalidResponse(f"report row without a valid stat_time_day: {row.dimensions}") from None
    spend = _money(values.get("spend"))
    impressions = _count(values.get("impressions"))
    clicks = _count(values.get("clicks"))
    conversions = _count(values.get("complete_payment") if "complete_payment" in values else values.get("conversion"))
    value = _money(values.get("total_complete_payment_rate"))
    return PerformanceDaily(
        ad_id=ad_pk, date=date, impressions=impressions, clicks=clicks, spend=spend, conversions=conversions,
        conversion_value=value, video_views=_count(values.get("video_play_actions")),
        roas=metrics.roas(value, spend), ctr=metrics.ctr(clicks, impressions), cvr=metrics.cvr(conversions, clicks),
    )


def _number(raw: str | None) -> Decimal:
    # "-" (no data) already arrives as None from ReportRow; for counts and money it is 0.
    if raw is None:
        return Decimal(0)
    try:
        number = Decimal(str(raw).replace(",", ""))
    except InvalidOperation:
        raise InvalidResponse(f"report metric is not a number: {raw!r}") from None
    if not number.is_finite():
        raise InvalidResponse(f"report metric is not a number: {raw!r}")
    return number


def _money(raw: str | None) -> Decimal:
    return _number(raw).quantize(CENT)


def _count(raw: str | None) -> int:
    return max(int(_number(raw)), 0)
