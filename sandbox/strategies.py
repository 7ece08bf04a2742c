"""The two yardsticks adloop is compared with on the same simulated market (`simulate --compare`):

- `static`: what a marketer who sets and forgets does — every finished creative launched once
  with the daily budget adloop gives a new creative (the launch budget; less if that would pass
  the ceiling), but bought for sales (a lowest-cost value-optimized ad group, the hit stage's
  set-up: launched the way adloop launches, for views, it would only lose), then never touched
  again: no pause, no budget change, no new creative. It is adloop's first day, frozen.
- `oracle`: knows the market's hidden truth (sandbox `creative_truth`: each creative's true
  rates and today's fatigue) and the market's formulas (bidding.auction), and each morning gives
  the ceiling to the creatives with the best expected ROAS, as much to each as its product's
  audience can take that day; a creative not worth a dollar of revenue per dollar gets nothing
  (its ad group is paused). It cannot make new creatives.

Both act through adloop's own services over the sandbox's HTTP API, like adloop does, so every
change is in ActionLog. The market's figures (spend, attributed revenue) are read from the
sandbox's own daily stats for every strategy alike (`market_figures`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db.models import Sum

from campaigns.errors import CampaignError
from campaigns.models import Ad, AdGroup, AdvertiserAccount, OperationStatus, Stage
from campaigns.services import ad_launch
from campaigns.services.controls import BudgetChange, adgroups_budget_set, objects_status_set
from campaigns.stages import MIN_ADGROUP_DAILY_BUDGET
from creatives.models import VideoJob
from scheduler.services import Actor

from .market.bidding import auction, strategy_of
from .market.engine import DAILY_REACH, market_advance_day
from .market.params import market_params
from .market.quality import creative_truth
from .models import SbDailyStat

CENT = Decimal("0.01")
# The static and oracle strategies buy like adloop's hit stage: lowest cost, highest value.
YARDSTICK_STAGE = Stage.HIT
# The oracle funds a creative only if its expected ROAS clears this (a dollar back per dollar).
ORACLE_MIN_ROAS = 1.0


class StrategyError(Exception):
    """The world cannot run this strategy (no advertiser, nothing to launch)."""


@dataclass(frozen=True)
class Expected:
    """What the oracle knows of one creative's ad group for tomorrow."""

    adgroup: AdGroup
    roas: float  # expected revenue / spend
    win: float  # share of the auctions it wins
    cpm: float  # what 1,000 impressions cost it
    product: int

    def budget_for(self, impressions: float) -> float:
        """The daily budget that buys this many impressions (impressions = win × budget / CPM)."""
        return impressions * self.cpm / 1000 / self.win if self.win else 0.0


def initial_jobs() -> list[VideoJob]:
    """The finished creatives the world starts with (not variants), oldest first."""
    return list(
        VideoJob.objects.filter(status=VideoJob.Status.DONE, parent__isnull=True)
        .exclude(video="")
        .select_related("product")
        .order_by("product_id", "created_at", "pk")
    )


def yardstick_launch(*, advertiser: AdvertiserAccount, ceiling: Decimal, name: str, budget: Decimal | None = None) -> list[AdGroup]:
    """Launch every initial creative once in its own ad group with `budget` each, or less so
    that together they stay under the ceiling (the ceiling split evenly without `budget`)."""
    jobs = initial_jobs()
    if not jobs:
        raise StrategyError("nothing to launch: no finished video (run `manage.py seed_demo`)")
    share = (ceiling / len(jobs)).quantize(CENT, rounding=ROUND_DOWN)
    if budget is not None:
        share = min(share, budget)
    if share < MIN_ADGROUP_DAILY_BUDGET:
        raise StrategyError(f"a ceiling of {ceiling} gives {len(jobs)} creatives less than TikTok's minimum of {MIN_ADGROUP_DAILY_BUDGET} each")
    adgroups = []
    for job in jobs:
        try:
            ad = ad_launch(job=job, advertiser=advertiser, stage=YARDSTICK_STAGE, budget=share, actor=Actor.auto(), reason=f"{name}: launch")
        except CampaignError:
            continue  # logged by the service; the others still run
        adgroups.append(ad.adgroup)
    return adgroups


def static_run(
    *, advertiser: AdvertiserAccount, days: int, ceiling: Decimal, launch_budget: Decimal, on_day: Callable[[int], None] | None = None,
) -> list[AdGroup]:
    """Set and forget: launch, then let the market deliver `days` days."""
    from .simulation import creatives_register

    adgroups = yardstick_launch(advertiser=advertiser, ceiling=ceiling, name="static", budget=launch_budget)
    creatives_register()
    for index in range(1, days + 1):
        market_advance_day()
        if on_day is not None:
            on_day(index)
    return adgroups


def oracle_run(
    *, advertiser: AdvertiserAccount, days: int, ceiling: Decimal, launch_budget: Decimal | None = None,
    on_day: Callable[[int], None] | None = None,
) -> list[AdGroup]:
    """Each morning: fund the best creatives by their true expected ROAS, pause the rest."""
    from .simulation import creatives_register

    adgroups = yardstick_launch(advertiser=advertiser, ceiling=ceiling, name="oracle")
    creatives_register()
    for index in range(1, days + 1):
        oracle_allocate(adgroups=adgroups, ceiling=ceiling)
        market_advance_day()
        if on_day is not None:
            on_day(index)
    return adgroups


def expected_of(adgroup: AdGroup, ad: Ad) -> Expected:
    """The oracle's view of an ad group tomorrow: the market's own formulas on the true rates
    and today's fatigue, at the day's typical CPM (no noise, no learning phase)."""
    params = market_params()
    truth = creative_truth(ad.video_id)
    strategy = strategy_of(
        goal=adgroup.optimization_goal, billing_event=adgroup.billing_event, bid_type=adgroup.bid_type,
        deep_bid_type=adgroup.deep_bid_type, bid_price=_float(adgroup.bid_price),
        conversion_bid_price=_float(adgroup.conversion_bid_price), roas_bid=_float(adgroup.roas_bid),
    )
    ctr = truth["ctr"] * truth["fatigue"] * strategy.ctr
    cvr, aov = truth["cvr"] * strategy.cvr, truth["aov"] * strategy.aov
    view_rate = min(0.95, truth["view_rate"] * strategy.views)
    win, cpm = auction(strategy, market_cpm=strategy.cpm * params.cpm_level, ctr=ctr, cvr=cvr, aov=aov, view_rate=view_rate)
    roas = ctr * cvr * aov * 1000 / cpm if cpm else 0.0
    return Expected(adgroup=adgroup, roas=roas, win=win, cpm=cpm, product=adgroup.campaign.product_id)


def oracle_plan(expected: list[Expected], ceiling: Decimal, *, audience_size: int) -> dict[int, Decimal]:
    """Ad group pk → tomorrow's budget (0: paused). Greedy by expected ROAS: each creative takes
    what its product's audience has left for the day, until the ceiling is spent."""
    left = float(ceiling)
    # Creatives of one product share its audience: what one buys, the next cannot.
    impressions_left: dict[int, float] = defaultdict(lambda: audience_size * DAILY_REACH)
    plan = {e.adgroup.pk: Decimal("0") for e in expected}
    for e in sorted(expected, key=lambda e: (-e.roas, e.adgroup.pk)):
        if e.roas < ORACLE_MIN_ROAS or not e.win:
            continue
        room = e.budget_for(impressions_left[e.product])
        if e.adgroup.budget_cap is not None:
            room = min(room, float(e.adgroup.budget_cap))  # the same guardrail adloop keeps
        amount = Decimal(str(min(left, room))).quantize(CENT, rounding=ROUND_DOWN)
        if amount < MIN_ADGROUP_DAILY_BUDGET:
            continue
        plan[e.adgroup.pk] = amount
        left -= float(amount)
        impressions_left[e.product] -= e.win * float(amount) / e.cpm * 1000
    return plan


def oracle_allocate(*, adgroups: list[AdGroup], ceiling: Decimal) -> dict[int, Decimal]:
    """Apply `oracle_plan` through adloop's services: budgets set, unfunded ad groups paused."""
    fresh = list(AdGroup.objects.filter(pk__in=[a.pk for a in adgroups]).select_related("campaign").prefetch_related("ads").order_by("pk"))
    expected = [expected_of(adgroup, adgroup.ads.all()[0]) for adgroup in fresh if adgroup.ads.all()]
    plan = oracle_plan(expected, ceiling, audience_size=market_params().audience_size)
    actor, reason = Actor.auto(), "oracle: funds the best creatives by their true expected ROAS"
    pause = [a for a in fresh if plan.get(a.pk, 0) == 0 and a.status == OperationStatus.ENABLE]
    fund = [a for a in fresh if plan.get(a.pk, 0) > 0]
    # Lower budgets first, then resume: the committed total never passes the ceiling.
    fund.sort(key=lambda a: plan[a.pk] - a.budget)
    if pause:
        objects_status_set(objs=pause, status=OperationStatus.DISABLE, actor=actor, reason=reason)
    changes = [BudgetChange(adgroup=a, budget=plan[a.pk], reason=reason) for a in fund if a.budget != plan[a.pk]]
    if changes:
        adgroups_budget_set(changes=changes, actor=actor)
    # Fresh rows (the budget change above saved them): one query, not one per ad group.
    resume = list(AdGroup.objects.filter(pk__in=[a.pk for a in fund if a.status != OperationStatus.ENABLE]).order_by("pk"))
    if resume:
        objects_status_set(objs=resume, status=OperationStatus.ENABLE, actor=actor, reason=reason)
    return plan


def market_figures(*, start: dt.date, days: int) -> list[dict]:
    """Spend and attributed revenue per day as the market delivered them (late conversions
    included as far as they arrived), for any strategy alike."""
    rows = {
        row["date"]: row
        for row in SbDailyStat.objects.filter(date__gte=start, date__lt=start + dt.timedelta(days=days))
        .values("date")
        .annotate(spend=Sum("spend"), revenue=Sum("conversion_value"), impressions=Sum("impressions"), conversions=Sum("conversions"))
    }
    figures = []
    for index in range(days):
        day = start + dt.timedelta(days=index)
        row = rows.get(day, {})
        spend, revenue = Decimal(row.get("spend") or 0).quantize(CENT), Decimal(row.get("revenue") or 0).quantize(CENT)
        figures.append({
            "day": index + 1, "date": day.isoformat(), "spend": float(spend), "revenue": float(revenue),
            "roas": round(float(revenue / spend), 4) if spend else None, "profit": float(revenue - spend),
            "impressions": int(row.get("impressions") or 0), "conversions": int(row.get("conversions") or 0),
        })
    return figures


def _float(value) -> float | None:
    return float(value) if value is not None else None
