"""Reads behind the analytics dashboard (PRD §13.2).

Every figure is summed in the database, grouped by day, by ad or by stage, so the page costs a
fixed number of queries whatever the number of ads. Ratios over a period are ratios of sums
(analytics.metrics); the daily ROAS/CTR/CVR columns stored per row are never averaged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from campaigns.models import Ad, OperationStatus, PublishingAccount, Stage
from scheduler.models import StrategySettings

from .metrics import ctr_expr, cvr_expr, roas, roas_expr
from .models import AccountDaily, PerformanceDaily

PERIODS = (7, 30)
DEFAULT_PERIOD = 7


def period_days(raw: str | None) -> int:
    """A `?days=` value as one of PERIODS; anything else is the default period."""
    try:
        days = int(raw or DEFAULT_PERIOD)
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD
AD_ROWS_CAP = 200
ZERO = Decimal("0")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=offset) for offset in range(self.days)]


def first_delivery_days(*, adgroups) -> dict[int, dt.date]:
    """Ad group pk → the first day it delivered (had impressions), in one grouped query.
    `adgroups`: ad group pks, or a queryset of them. An ad group that never delivered is absent."""
    rows = (
        PerformanceDaily.objects.filter(ad__adgroup__in=adgroups, impressions__gt=0)
        .order_by()
        .values("ad__adgroup")  # the GROUP BY
        .annotate(first=Min("date"))
        .values_list("ad__adgroup", "first")
    )
    return dict(rows)


def period_ending(*, today: dt.date, days: int) -> Period:
    """The last `days` days, today included."""
    return Period(start=today - dt.timedelta(days=days - 1), end=today)


@dataclass(frozen=True)
class RoasBands:
    """PRD §15.2's budget bands, read as tags: high scales up, low is cut or paused."""

    target: Decimal
    high_at: Decimal  # × target
    mid_at: Decimal  # × target

    @property
    def high_roas(self) -> Decimal:
        return self.target * self.high_at

    @property
    def mid_roas(self) -> Decimal:
        return self.target * self.mid_at

    def tag(self, value: float | None) -> str | None:
        if value is None:
            return None
        if value >= self.high_roas:
            return "high"
        if value >= self.mid_roas:
            return "mid"
        return "low"


def roas_bands() -> RoasBands:
    """The global strategy row's target and bands, or the model defaults when there is no row
    (read only: a page view must not create the row)."""
    names = ("target_roas", "scale_up_at", "scale_down_at")
    row = StrategySettings.objects.filter(campaign__isnull=True).values(*names).first() or {}
    value = {name: row.get(name) or StrategySettings._meta.get_field(name).get_default() for name in names}
    return RoasBands(target=value["target_roas"], high_at=value["scale_up_at"], mid_at=value["scale_down_at"])


SUMMED = {"spend": "spend", "value": "conversion_value", "impressions": "impressions", "clicks": "clicks", "conversions": "conversions"}


@dataclass
class Totals:
    spend: Decimal = ZERO
    value: Decimal = ZERO
    impressions: int = 0
    clicks: int = 0
    conversions: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(**{name: getattr(self, name) + getattr(other, name) for name in SUMMED})

    def as_dict(self) -> dict:
        return {**{name: getattr(self, name) for name in SUMMED}, "roas": roas(self.value, self.spend)}


@dataclass(frozen=True)
class Breakdown:
    days: dict[dt.date, Totals]
    stages: dict[str, Totals]


def performance_breakdown(*, period: Period) -> Breakdown:
    """The period's rows summed per day and per stage (the campaign's current one) in one scan:
    the overview, the daily series and the stages' spend are all roll-ups of these few rows."""
    rows = (
        PerformanceDaily.objects.filter(date__range=(period.start, period.end))
        .values("date", stage=F("ad__adgroup__campaign__stage"))
        # Prefixed: an alias named like a field ("spend") would shadow it.
        .annotate(**{f"sum_{name}": Sum(field) for name, field in SUMMED.items()})
        .order_by()
    )
    days: dict[dt.date, Totals] = {}
    stages: dict[str, Totals] = {}
    for row in rows:
        totals = Totals(**{name: row[f"sum_{name}"] for name in SUMMED})
        days[row["date"]] = days.get(row["date"], Totals()) + totals
        stages[row["stage"]] = stages.get(row["stage"], Totals()) + totals
    return Breakdown(days=days, stages=stages)


def performance_overview(*, period: Period, breakdown: Breakdown) -> dict:
    """Totals of today (the period's last day) and of the whole period."""
    total = sum(breakdown.days.values(), Totals())
    return {"today": breakdown.days.get(period.end, Totals()).as_dict(), "period": total.as_dict()}


def performance_by_day(*, period: Period, breakdown: Breakdown) -> list[dict]:
    """One row per day of the period; a day without data has zero spend and no ROAS."""
    return [{"date": date, **breakdown.days.get(date, Totals()).as_dict()} for date in period.dates()]


def ads_by_roas(*, period: Period, limit: int = AD_ROWS_CAP) -> list[Ad]:
    """The ads that delivered in the period, best ROAS first (ads without spend last), with the
    period's sums and ratios as attributes."""
    in_period = (period.start, period.end)
    # Ranked on two sums of the daily rows alone, then only the top ads are summed in full:
    # ranking the joined, fully summed rows of 10,000 ads costs about three times as much.
    ranked = [
        row["ad_id"]
        for row in PerformanceDaily.objects.filter(date__range=in_period)
        .values("ad_id")
        .annotate(rank_spend=Sum("spend"), rank_roas=roas_expr(Sum("conversion_value"), Sum("spend")))
        .order_by(F("rank_roas").desc(nulls_last=True), F("rank_spend").desc(), "ad_id")[:limit]
    ]
    # Summed apart from the join: with the join PostgreSQL scans every daily row instead of
    # using the (ad, date) index for these few ads.
    sums = {
        row["ad_id"]: row
        for row in PerformanceDaily.objects.filter(ad_id__in=ranked, date__range=in_period)
        .values("ad_id")
        .annotate(
            **{f"sum_{name}": Sum(field) for name, field in SUMMED.items()},
            ad_roas=roas_expr(Sum("conversion_value"), Sum("spend")),
            ad_ctr=ctr_expr(Sum("clicks"), Sum("impressions")),
            ad_cvr=cvr_expr(Sum("conversions"), Sum("clicks")),
        )
        .order_by()
    }
    ads = Ad.objects.select_related("adgroup__campaign").only("ad_id", "name", "status", "adgroup__campaign__stage").in_bulk(ranked)
    result = []
    for pk in ranked:
        if pk not in ads or pk not in sums:  # deleted since the ranking query
            continue
        ad, row = ads[pk], sums[pk]
        for name in SUMMED:
            setattr(ad, name, row[f"sum_{name}"])
        ad.roas, ad.ctr, ad.cvr = row["ad_roas"], row["ad_ctr"], row["ad_cvr"]
        result.append(ad)
    return result


def stage_distribution(*, period: Period, breakdown: Breakdown) -> list[dict]:
    """Per stage (the campaign's current one): ads that delivered in the period, ads running now,
    spend and its share of the period's spend in percent."""
    delivered = Exists(PerformanceDaily.objects.filter(ad=OuterRef("pk"), date__range=(period.start, period.end)))
    counts = {
        row["stage"]: row
        for row in Ad.objects.values(stage=F("adgroup__campaign__stage"))
        .annotate(delivered=Count("pk", filter=Q(delivered)), running=Count("pk", filter=Q(status=OperationStatus.ENABLE)))
        .order_by()
    }
    total = sum((totals.spend for totals in breakdown.stages.values()), ZERO)
    result = []
    for stage in Stage:
        totals = breakdown.stages.get(stage.value, Totals())
        count = counts.get(stage.value, {})
        result.append({
            "stage": stage.value,
            "label": stage.label,
            "ads": count.get("delivered", 0),
            "running": count.get("running", 0),
            "spend": totals.spend,
            "roas": roas(totals.value, totals.spend),
            "share": float(totals.spend * 100 / total) if total else None,
        })
    return result


def organic_accounts(*, period: Period) -> list[dict]:
    """Per publishing account (track A): the period's video views, likes, shares, comments and
    followers gained."""
    in_period = Q(daily__date__range=(period.start, period.end))
    return list(
        PublishingAccount.objects.annotate(
            views=Coalesce(Sum("daily__video_views", filter=in_period), 0),
            likes=Coalesce(Sum("daily__likes", filter=in_period), 0),
            shares=Coalesce(Sum("daily__shares", filter=in_period), 0),
            comments=Coalesce(Sum("daily__comments", filter=in_period), 0),
            followers=Coalesce(Sum("daily__followers_gained", filter=in_period), 0),
        )
        .order_by("-views", "name", "pk")
        .values("pk", "name", "handle", "provider", "status", "views", "likes", "shares", "comments", "followers")
    )


def organic_by_day(*, period: Period) -> list[dict]:
    """All accounts' views and followers gained per day of the period (zero on days without data)."""
    rows = {
        row["date"]: row
        for row in AccountDaily.objects.filter(date__range=(period.start, period.end))
        .values("date")
        .annotate(views=Sum("video_views"), followers=Sum("followers_gained"))
        .order_by()
    }
    return [
        {"date": date, "views": rows.get(date, {}).get("views", 0), "followers": rows.get(date, {}).get("followers", 0)}
        for date in period.dates()
    ]
