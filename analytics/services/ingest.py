"""Daily ad performance: TikTok's synchronous report → PerformanceDaily, upserted on (ad, date).

One pull per advertiser covers [start, end] in the advertiser's timezone. By default it starts
`REPORT_LOOKBACK_DAYS` before the day after the latest stored day, because TikTok attributes
conversions late and restates recent days; the latest stored day is always pulled again, since
it may be today (still running) or a day an interrupted pull left half written.

Cost stays flat in the number of ads: one query maps TikTok ad ids to our ads, rows are
written with one INSERT … ON CONFLICT UPDATE per BATCH_SIZE rows as pages arrive (no transaction
is held open across HTTP calls), and HTTP calls are date windows × 1000-row pages.

Windows are at most TikTok's 30 days, and shorter for big accounts: a report is paged by
offset, so the server aggregates the whole window again for every page, and a page of a
300,000-row window costs ~1 s in the sandbox against ~0.09 s for a 10,000-row window (TikTok
itself answers 40067 "query too large" and asks for a shorter window). A window is sized to
hold about WINDOW_ROWS rows if every known ad delivered every day; that costs at most one
partly filled page per extra window, and none when the ads do deliver daily.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import chain

from django.conf import settings
from django.db.models import Max, Min

from adloop import clock
from analytics import metrics
from analytics.models import PerformanceDaily
from campaigns.models import Ad, AdvertiserAccount
from campaigns.services.connect import advertiser_mark_failed, client_for
from integrations.tiktok_ads import endpoints
from integrations.tiktok_ads.errors import ApiError, InvalidResponse
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
    ads = dict(_ads_of(advertiser).exclude(ad_id="").values_list("ad_id", "pk"))
    if not ads:  # nothing launched on TikTok yet: spend no API quota
        return IngestResult(start=start, end=end)
    stored_before = _stored(advertiser, start, end)
    client = client_for(advertiser)
    calls = []
    client.session.hooks["response"].append(lambda response, *args, **kwargs: calls.append(response.status_code))
    rows = chain.from_iterable(
        endpoints.report_integrated_get(
            client, advertiser_id=advertiser.advertiser_id, data_level=DATA_LEVEL, dimensions=DIMENSIONS,
            metrics=METRICS, start_date=window_start, end_date=window_end, filtering=ALL_ADS,
        )
        for window_start, window_end in endpoints.date_chunks(start, end, window_days(len(ads)))
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
    """Days per report window for an account of `ads` ads (see the module docstring)."""
    return max(1, min(endpoints.MAX_REPORT_DAYS_DAILY, WINDOW_ROWS // max(ads, 1)))


def _ads_of(advertiser: AdvertiserAccount):
    return Ad.objects.filter(adgroup__campaign__advertiser=advertiser)


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
