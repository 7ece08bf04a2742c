"""The synchronous BASIC report (GET /report/integrated/get/), read from SbDailyStat.

Metric values are strings, as TikTok sends them; a ratio without a denominator is "-".
`conversion` and `complete_payment` both count the simulator's purchases, and
`video_play_actions` and `engaged_view` both read its one view count.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet, Sum

from sandbox.models import OperationStatus, SbDailyStat

from .api import MAX_FILTER_IDS, Call, endpoint, paginate
from .errors import QUERY_TOO_LARGE, ApiError, bad
from .params import Params

# TikTok refuses a synchronous report that spans more ads than this (40067).
MAX_REPORT_ADS = 10_000
MAX_DAYS_BY_DAY = 30
MAX_DAYS = 365
DAY = "stat_time_day"

# data_level → (its id dimension, the stat's path to that id, the path to its status, rank)
LEVELS = {
    "AUCTION_ADVERTISER": ("advertiser_id", "advertiser__advertiser_id", None, 0),
    "AUCTION_CAMPAIGN": ("campaign_id", "ad__campaign__campaign_id", "ad__campaign__operation_status", 1),
    "AUCTION_ADGROUP": ("adgroup_id", "ad__adgroup__adgroup_id", "ad__adgroup__operation_status", 2),
    "AUCTION_AD": ("ad_id", "ad__ad_id", "ad__operation_status", 3),
}
ID_DIMENSIONS = {level[0] for level in LEVELS.values()}
# Attribute metrics: name → (path, the lowest level rank that has it)
ATTRIBUTES = {
    "currency": ("advertiser__currency", 0),
    "campaign_name": ("ad__campaign__campaign_name", 1),
    "objective_type": ("ad__campaign__objective_type", 1),
    "campaign_id": ("ad__campaign__campaign_id", 2),
    "adgroup_name": ("ad__adgroup__adgroup_name", 2),
    "adgroup_id": ("ad__adgroup__adgroup_id", 3),
    "ad_name": ("ad__ad_name", 3),
    "ad_text": ("ad__ad_text", 3),
}
FILTER_FIELDS = {"campaign_ids": "ad__campaign__campaign_id", "adgroup_ids": "ad__adgroup__adgroup_id", "ad_ids": "ad__ad_id"}
STATUS_FILTER_FIELDS = {"campaign_status", "adgroup_status", "ad_status"}
_SUMS = {"s_spend": "spend", "s_impressions": "impressions", "s_clicks": "clicks", "s_conversions": "conversions",
         "s_value": "conversion_value", "s_views": "video_views"}
CENT = Decimal("0.01")


def _money(value) -> str:
    return str(Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP))


def _ratio(numerator, denominator, scale: int = 1) -> str:
    if not denominator:
        return "-"
    return _money(Decimal(numerator or 0) * scale / Decimal(denominator))


METRICS = {
    "spend": lambda r: _money(r["s_spend"]),
    "impressions": lambda r: str(r["s_impressions"] or 0),
    "clicks": lambda r: str(r["s_clicks"] or 0),
    "ctr": lambda r: _ratio(r["s_clicks"], r["s_impressions"], 100),
    "cpc": lambda r: _ratio(r["s_spend"], r["s_clicks"]),
    "cpm": lambda r: _ratio(r["s_spend"], r["s_impressions"], 1000),
    "conversion": lambda r: str(r["s_conversions"] or 0),
    "cost_per_conversion": lambda r: _ratio(r["s_spend"], r["s_conversions"]),
    # Impression-based since late October 2023, like conversion_rate_v2.
    "conversion_rate": lambda r: _ratio(r["s_conversions"], r["s_impressions"], 100),
    "conversion_rate_v2": lambda r: _ratio(r["s_conversions"], r["s_impressions"], 100),
    "complete_payment": lambda r: str(r["s_conversions"] or 0),
    "cost_per_complete_payment": lambda r: _ratio(r["s_spend"], r["s_conversions"]),
    "value_per_complete_payment": lambda r: _ratio(r["s_value"], r["s_conversions"]),
    # Despite its name, the total web purchase value.
    "total_complete_payment_rate": lambda r: _money(r["s_value"]),
    "complete_payment_roas": lambda r: _ratio(r["s_value"], r["s_spend"]),
    "video_play_actions": lambda r: str(r["s_views"] or 0),
    "engaged_view": lambda r: str(r["s_views"] or 0),
}


def _dimensions(params: Params, level: str) -> tuple[str, bool]:
    dimensions = params.strings("dimensions", required=True)
    id_dimension = LEVELS[level][0]
    for dimension in dimensions:
        if dimension not in ID_DIMENSIONS | {DAY}:
            raise bad(f"dimensions: {dimension} is not supported by this sandbox; use {id_dimension} and optionally {DAY}")
    ids = [d for d in dimensions if d in ID_DIMENSIONS]
    if ids != [id_dimension] or len(dimensions) != len(set(dimensions)):
        raise bad(f"dimensions: a {level} report takes one id dimension, {id_dimension}, and optionally {DAY}")
    return id_dimension, DAY in dimensions


def _metrics(params: Params, level: str) -> list[str]:
    metrics = params.strings("metrics") or ["spend", "impressions"]
    rank = LEVELS[level][3]
    for metric in metrics:
        if metric in ATTRIBUTES and ATTRIBUTES[metric][1] > rank:
            raise bad(f"metrics: {metric} is not available at data_level {level}")
        if metric not in METRICS and metric not in ATTRIBUTES:
            raise bad(f"metrics: {metric} is not supported by this sandbox")
    return metrics


def _dates(params: Params, by_day: bool) -> tuple[dt.date, dt.date] | None:
    if params.boolean("query_lifetime"):
        if by_day:
            raise bad(f"dimensions: query_lifetime does not allow {DAY}")
        return None
    start, end = params.date("start_date", required=True), params.date("end_date", required=True)
    if end < start:
        raise bad("end_date: must not be before start_date")
    days = (end - start).days + 1
    if by_day and days > MAX_DAYS_BY_DAY:
        raise bad(f"The date range must be at most {MAX_DAYS_BY_DAY} days with {DAY}; got {days} days.")
    if days > MAX_DAYS:
        raise bad(f"The date range must be at most {MAX_DAYS} days; got {days} days.")
    return start, end


def _filtered(params: Params, stats: QuerySet, level: str) -> QuerySet:
    """Apply `filtering` ([{field_name, filter_type, filter_value}]); deleted objects of
    the report's level are left out unless a *_status filter asks for STATUS_ALL."""
    include_deleted = False
    for index, raw in enumerate(params.items("filtering")):
        if not isinstance(raw, dict):
            raise bad(f"filtering[{index}]: must be an object with field_name, filter_type and filter_value")
        item = params.nested(raw, f"filtering[{index}].")
        field = item.choice("field_name", [*FILTER_FIELDS, *STATUS_FILTER_FIELDS], required=True)
        item.choice("filter_type", ["IN"], required=True)
        values = Params({"filter_value": item.raw("filter_value", required=True)}, encoded=True, prefix=item.prefix)
        if field in STATUS_FILTER_FIELDS:
            statuses = values.strings("filter_value", required=True, choices=["STATUS_ALL", "STATUS_NOT_DELETE"])
            include_deleted = include_deleted or "STATUS_ALL" in statuses
        else:
            stats = stats.filter(**{f"{FILTER_FIELDS[field]}__in": values.id_list("filter_value", required=True, max_items=MAX_FILTER_IDS)})
    status_path = LEVELS[level][2]
    if status_path and not include_deleted:
        stats = stats.exclude(**{status_path: OperationStatus.DELETE})
    return stats


def _check_size(stats: QuerySet) -> None:
    """TikTok reports at most MAX_REPORT_ADS ads in one synchronous report, counted after the
    filters and the date range; above that it answers 40067 and wants an id filter."""
    ads = stats.values("ad_id").distinct().count()
    if ads > MAX_REPORT_ADS:
        raise ApiError(
            QUERY_TOO_LARGE,
            f"Your query is too large, please reduce the query size: a report covers at most {MAX_REPORT_ADS} ads and this "
            f"one covers {ads}. Filter by campaign_ids, adgroup_ids or ad_ids (at most {MAX_FILTER_IDS} ids each) or shorten "
            "the date range.",
        )


@endpoint("GET")
def report_integrated_get(call: Call) -> dict:
    params = call.params
    params.choice("report_type", ["BASIC"], required=True)
    params.choice("service_type", ["AUCTION"], default="AUCTION")
    level = params.choice("data_level", LEVELS, required=True)
    id_dimension, by_day = _dimensions(params, level)
    metrics = _metrics(params, level)
    dates = _dates(params, by_day)
    stats = _filtered(params, SbDailyStat.objects.filter(advertiser=call.advertiser), level)
    if dates:
        stats = stats.filter(date__range=dates)
    _check_size(stats)
    id_path = LEVELS[level][1]
    group = [id_path, *(["date"] if by_day else []), *(ATTRIBUTES[m][0] for m in metrics if m in ATTRIBUTES)]
    rows = stats.values(*group).annotate(**{name: Sum(column) for name, column in _SUMS.items()})
    rows = rows.order_by(*(["date"] if by_day else []), id_path)

    def row_json(row: dict) -> dict:
        dimensions = {id_dimension: str(row[id_path])}
        if by_day:
            dimensions[DAY] = f"{row['date']:%Y-%m-%d} 00:00:00"
        values = {m: str(row[ATTRIBUTES[m][0]]) if m in ATTRIBUTES else METRICS[m](row) for m in metrics}
        return {"dimensions": dimensions, "metrics": values}

    return paginate(call, rows, row_json)

