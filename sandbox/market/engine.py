"""One simulated day of the ad market, for every delivering sandbox ad at once.

    1. late conversions due today are added to their earlier rows (attribution.py);
    2. each delivering ad (ad, ad group, campaign enabled; schedule started) gets a plan:
       its creative's true rates (quality.py) as its goal's audience sees them (bidding.py),
       minus fatigue, worse and noisier in the ad group's learning days, and the CPM it pays;
    3. budgets: the ad group's (a campaign's daily budget caps its groups, or is split across
       them under budget optimization), shared among the group's ads by predicted performance;
    4. impressions = won share × budget / CPM, scaled down when a product's ads want more than
       its audience offers today (audience_size × DAILY_REACH);
    5. clicks, conversions, value and views are drawn from a generator seeded by (seed, ad,
       day), a part of the conversions is held back as late; rows are written in bulk.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from adloop.clock import zone
from sandbox.models import SbAd, SbCreativeProfile, SbDailyStat, SbLateConversion, SbMarketClock

from .attribution import cents, late_conversions_apply, split_by_lag
from .bidding import Strategy, auction, delivery_weight, strategy_of
from .bulk import bulk_save
from .clock import market_clock, market_clock_advance
from .organic import organic_advance_day
from .params import MarketParams, market_params
from .quality import identity_of, profiles_for_videos
from .rng import binomial, noise_factor, poisson, rng

DAILY_REACH = 0.1  # impressions a product's ads can get per day, per person in its audience
LEARNING_CTR, LEARNING_CVR, LEARNING_CPM, LEARNING_NOISE = 0.85, 0.8, 1.2, 2.0
ORDER_VALUE_SIGMA = 0.35
DAILY_MODES = {"BUDGET_MODE_DAY", "BUDGET_MODE_DYNAMIC_DAILY_BUDGET"}
INF = math.inf
_AD_FIELDS = (
    "pk", "ad_id", "advertiser_id", "advertiser__timezone", "landing_page_url", "video__video_id", "video__file_name",
    "campaign_id", "campaign__budget_mode", "campaign__budget", "campaign__budget_optimize_on",
    "adgroup_id", "adgroup__budget_mode", "adgroup__budget", "adgroup__optimization_goal", "adgroup__billing_event",
    "adgroup__bid_type", "adgroup__deep_bid_type", "adgroup__bid_price", "adgroup__conversion_bid_price",
    "adgroup__roas_bid", "adgroup__schedule_start_time", "adgroup__schedule_end_time", "adgroup__create_time",
)


@dataclass(frozen=True)
class DayResult:
    date: dt.date
    ads: int  # SbDailyStat rows written for the day
    impressions: int
    clicks: int
    spend: Decimal
    conversions: int  # reported on the day itself; more arrive later
    conversion_value: Decimal
    late_conversions: int  # of earlier days, added today
    restated_rows: int
    organic_views: int

    def line(self) -> str:
        return (
            f"{self.date}: {self.ads} ads, {self.impressions:,} impressions, {self.clicks:,} clicks, spend {self.spend}, "
            f"{self.conversions} conversions worth {self.conversion_value}; +{self.late_conversions} late conversions on "
            f"{self.restated_rows} earlier rows; {self.organic_views:,} organic views"
        )


@dataclass
class _Plan:
    row: dict
    strategy: Strategy
    profile: SbCreativeProfile
    learning: bool
    ctr: float
    cvr: float
    aov: float
    view_rate: float
    win: float = 0.0
    cpm: float = 0.0
    budget: float = INF
    impressions: int = 0


def market_advance(*, days: int = 1) -> list[DayResult]:
    return [market_advance_day() for _ in range(days)]


@transaction.atomic
def market_advance_day() -> DayResult:
    """Deliver the market's current day, then move the clock to the next one."""
    clock = SbMarketClock.objects.select_for_update().get(pk=market_clock().pk)
    day, params = clock.date, market_params()
    restated, late = late_conversions_apply(day)
    # Leftovers of a timeline the clock was moved back over, so today is not counted twice.
    SbLateConversion.objects.filter(stat_date__gte=day).delete()
    plans = _plans(day, params)
    _budgets(plans)
    _audiences(plans, params)
    stats, lates = _outcomes(plans, day, params)
    SbDailyStat.objects.bulk_create(
        stats, update_conflicts=True, unique_fields=["ad", "date"],
        update_fields=["impressions", "clicks", "spend", "conversions", "conversion_value", "video_views"],
    )
    SbLateConversion.objects.bulk_create(lates)
    served = {plan.profile.pk: plan.profile for plan in plans if plan.impressions}
    bulk_save(SbCreativeProfile, served.values(), ["impressions_served", "updated_at"])
    organic_views = organic_advance_day(day, params)
    market_clock_advance(clock)
    return DayResult(
        date=day, ads=len(stats), impressions=sum(s.impressions for s in stats), clicks=sum(s.clicks for s in stats),
        spend=sum((s.spend for s in stats), Decimal("0.00")), conversions=sum(s.conversions for s in stats),
        conversion_value=sum((s.conversion_value for s in stats), Decimal("0.00")), late_conversions=late,
        restated_rows=restated, organic_views=organic_views,
    )


def _local(moment: dt.datetime | None, tz: str) -> dt.datetime | None:
    return moment.astimezone(zone(tz)) if moment else None


def _plans(day: dt.date, params: MarketParams) -> list[_Plan]:
    rows = []
    for row in SbAd.objects.delivering().values(*_AD_FIELDS).order_by("pk"):
        start = _local(row["adgroup__schedule_start_time"], row["advertiser__timezone"])
        end = _local(row["adgroup__schedule_end_time"], row["advertiser__timezone"])
        if start.date() <= day and (end is None or end.date() >= day):
            row["start_day"] = max(start.date(), _local(row["adgroup__create_time"], row["advertiser__timezone"]).date())
            rows.append(row)
    profiles = profiles_for_videos({row["video__video_id"]: row["video__file_name"] for row in rows}, params)
    # One market-wide swing a day, as with seasonality and competitors' spend.
    market_level = params.cpm_level * noise_factor(rng(params.seed, "market", day), params.noise / 3)
    plans = []
    for row in rows:
        group = {key.removeprefix("adgroup__"): value for key, value in row.items() if key.startswith("adgroup__")}
        strategy = strategy_of(
            goal=group["optimization_goal"], billing_event=group["billing_event"], bid_type=group["bid_type"],
            deep_bid_type=group["deep_bid_type"], bid_price=_float(group["bid_price"]),
            conversion_bid_price=_float(group["conversion_bid_price"]), roas_bid=_float(group["roas_bid"]),
        )
        profile = profiles[row["video__video_id"]]
        learning = (day - row["start_day"]).days < params.learning_days
        fatigue = math.exp(-params.fatigue_rate * profile.impressions_served / params.audience_size)
        plan = _Plan(
            row=row, strategy=strategy, profile=profile, learning=learning,
            ctr=profile.base_ctr * strategy.ctr * fatigue * (LEARNING_CTR if learning else 1.0),
            cvr=profile.base_cvr * strategy.cvr * (LEARNING_CVR if learning else 1.0),
            aov=profile.aov * strategy.aov, view_rate=min(0.95, profile.view_rate * strategy.views),
        )
        sigma = params.noise * (LEARNING_NOISE if learning else 1.0)
        market_cpm = (strategy.cpm * market_level * noise_factor(rng(params.seed, "cpm", _noise_key(plan), day), sigma / 2)
                      * (LEARNING_CPM if learning else 1.0))
        plan.win, plan.cpm = auction(strategy, market_cpm=market_cpm, ctr=plan.ctr, cvr=plan.cvr, aov=plan.aov, view_rate=plan.view_rate)
        plans.append(plan)
    return plans


def _noise_key(plan: _Plan) -> str:
    """What a day's random draws of an ad are seeded by: its creative's identity (a registered
    script hash, else its key) and how it is bought — not TikTok's random ad id, so the same
    loop on the same seed delivers the same numbers in every fresh run."""
    return f"{identity_of(plan.profile.video_id, plan.profile.features)}:{plan.strategy.name}:{plan.strategy.cap}"


def _float(value) -> float | None:
    return float(value) if value is not None else None


def _adgroup_budget(row: dict) -> float:
    mode, budget = row["adgroup__budget_mode"], row["adgroup__budget"]
    if budget is None or mode not in DAILY_MODES | {"BUDGET_MODE_TOTAL"}:
        return INF
    if mode == "BUDGET_MODE_TOTAL":
        start, end = row["adgroup__schedule_start_time"], row["adgroup__schedule_end_time"]
        days = math.ceil((end - start).total_seconds() / 86400) if end else 1
        return float(budget) / max(days, 1)
    return float(budget)


def _campaign_caps(plans: list[_Plan]) -> dict[int, float]:
    caps, lifetime = {}, {}
    for plan in plans:
        row = plan.row
        if row["campaign__budget"] is None:
            continue
        if row["campaign__budget_mode"] in DAILY_MODES:
            caps[row["campaign_id"]] = float(row["campaign__budget"])
        elif row["campaign__budget_mode"] == "BUDGET_MODE_TOTAL":
            lifetime[row["campaign_id"]] = float(row["campaign__budget"])
    if lifetime:
        spent = SbDailyStat.objects.filter(ad__campaign_id__in=lifetime).values_list("ad__campaign_id").annotate(Sum("spend"))
        spent = dict(spent)
        left = {pk: total - float(spent.get(pk) or 0) for pk, total in lifetime.items()}
        # Rounding leaves cents behind; a lifetime budget within a dollar of its end is spent.
        caps.update({pk: amount if amount >= 1.0 else 0.0 for pk, amount in left.items()})
    return caps


def _budgets(plans: list[_Plan]) -> None:
    """Each plan's share of money for the day (INF: no budget limits it)."""
    groups: dict[int, list[_Plan]] = defaultdict(list)
    for plan in plans:
        groups[plan.row["adgroup_id"]].append(plan)
    group_budget = {pk: _adgroup_budget(members[0].row) for pk, members in groups.items()}
    by_campaign: dict[int, list[int]] = defaultdict(list)
    for pk, members in groups.items():
        by_campaign[members[0].row["campaign_id"]].append(pk)
    for campaign_pk, cap in _campaign_caps(plans).items():
        group_pks = by_campaign[campaign_pk]
        for pk in group_pks:
            if group_budget[pk] == INF:
                group_budget[pk] = cap / len(group_pks)
        total = sum(group_budget[pk] for pk in group_pks)
        if total > cap:
            for pk in group_pks:
                group_budget[pk] *= cap / total if total else 0.0
    for pk, members in groups.items():
        weights = [delivery_weight(p.strategy, ctr=p.ctr, cvr=p.cvr, aov=p.aov, view_rate=p.view_rate) for p in members]
        total = sum(weights)
        for plan, weight in zip(members, weights, strict=True):
            plan.budget = group_budget[pk] * (weight / total if total else 1 / len(members))


def _audiences(plans: list[_Plan], params: MarketParams) -> None:
    """Impressions: what the budget buys at the won share, within the product's audience."""
    cap = params.audience_size * DAILY_REACH
    products: dict[tuple, list[tuple[_Plan, float]]] = defaultdict(list)
    for plan in plans:
        if plan.budget == INF:
            demand = cap
        else:
            demand = plan.budget / plan.cpm * 1000 if plan.cpm else 0.0
        product = (plan.row["advertiser_id"], plan.row["landing_page_url"] or f"campaign:{plan.row['campaign_id']}")
        products[product].append((plan, plan.win * min(demand, cap)))
    for wants in products.values():
        total = sum(demand for _, demand in wants)
        scale = min(1.0, cap / total) if total else 0.0
        for plan, demand in wants:
            plan.impressions = int(demand * scale)


def _outcomes(plans: list[_Plan], day: dt.date, params: MarketParams) -> tuple[list[SbDailyStat], list[SbLateConversion]]:
    stats, lates = [], []
    for plan in plans:
        impressions = plan.impressions
        if impressions <= 0:
            continue
        r = rng(params.seed, "outcome", _noise_key(plan), day)
        sigma = params.noise * (LEARNING_NOISE if plan.learning else 1.0)
        clicks = min(impressions, poisson(r, impressions * plan.ctr * noise_factor(r, sigma)))
        conversions = binomial(r, clicks, min(1.0, plan.cvr * noise_factor(r, sigma)))
        value = _order_values(r, conversions, plan.aov)
        views = binomial(r, impressions, min(1.0, plan.view_rate * noise_factor(r, sigma / 2)))
        spend = cents(impressions * plan.cpm / 1000)
        if plan.budget != INF:
            spend = min(spend, cents(plan.budget))
        parts = split_by_lag(r, conversions, value, params.attribution_delay_days)
        stats.append(SbDailyStat(
            advertiser_id=plan.row["advertiser_id"], ad_id=plan.row["pk"], date=day, impressions=impressions, clicks=clicks,
            spend=spend, conversions=parts[0][0], conversion_value=parts[0][1], video_views=views,
        ))
        lates += [
            SbLateConversion(ad_id=plan.row["pk"], stat_date=day, arrives_on=day + dt.timedelta(days=lag), conversions=count,
                             conversion_value=part_value)
            for lag, (count, part_value) in enumerate(parts) if lag and count
        ]
        plan.profile.impressions_served += impressions
    return stats, lates


def _order_values(r, conversions: int, aov: float) -> Decimal:
    if conversions <= 0:
        return Decimal("0.00")
    if conversions <= 50:
        return cents(sum(aov * noise_factor(r, ORDER_VALUE_SIGMA) for _ in range(conversions)))
    return cents(conversions * aov * max(0.1, r.gauss(1.0, ORDER_VALUE_SIGMA / math.sqrt(conversions))))
