"""The budget rule of PRD §15.2 as a pure function, with the guardrails that always hold.

    ROAS ≥ target × scale_up_at (1.5)    → budget × scale_up_factor (1.3)
    ROAS ≥ target × keep_at (1.0)        → unchanged
    ROAS ≥ target × scale_down_at (0.7)  → budget × scale_down_factor (0.8), or pause when
                                           the budget is already at TikTok's minimum
    otherwise                            → pause

Guardrails: no judgement without the minimum evidence (spend and conversions over the
window); a new budget never exceeds the cap (the ad group's own, else the strategy's),
never rises by more than the day's remaining raise allowance, and never falls below
TikTok's minimum daily budget. The caller enforces "one change per object per day", the
kill switch and dry-run; this function only decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from django.utils.translation import gettext as _

from campaigns.stages import MIN_ADGROUP_DAILY_BUDGET

from .services_settings import Strategy

CENT = Decimal("0.01")


class Verdict(StrEnum):
    SCALE_UP = "scale_up"
    KEEP = "keep"
    SCALE_DOWN = "scale_down"
    PAUSE = "pause"
    HOLD = "hold"  # not enough evidence yet


@dataclass(frozen=True)
class BudgetDecision:
    verdict: Verdict
    budget: Decimal  # the budget after the decision (unchanged for keep, hold and pause)
    reason: str
    trigger: dict = field(default_factory=dict)

    @property
    def changes_budget(self) -> bool:
        return self.verdict in (Verdict.SCALE_UP, Verdict.SCALE_DOWN)


def judged_roas(*, strategy: Strategy, spend: Decimal, conversion_value: Decimal) -> float | None:
    """The ROAS the rules judge: (value + k × target) ÷ (spend + k), k = roas_prior_spend. A
    small sample stays near the target until its own spend outweighs k (shrinkage towards
    the target); k = 0 is the raw ROAS. None without spend."""
    spend = Decimal(spend)
    if spend <= 0:
        return None
    k = Decimal(strategy.roas_prior_spend or 0)
    return float((Decimal(conversion_value) + k * Decimal(strategy.target_roas)) / (spend + k))


def budget_decide(
    *,
    strategy: Strategy,
    budget: Decimal,
    spend: Decimal,
    conversion_value: Decimal,
    conversions: int,
    cap: Decimal | None = None,
    raised_today: Decimal = Decimal("0"),
    days: int | None = None,
) -> BudgetDecision:
    """`days`: the days of the window the ad group delivered on; fewer than the window (a new
    ad group, still learning) is not judged yet. None: not checked."""
    budget = Decimal(budget).quantize(CENT)
    spend = Decimal(spend)
    raw = float(Decimal(conversion_value) / spend) if spend > 0 else None
    roas = judged_roas(strategy=strategy, spend=spend, conversion_value=conversion_value)
    target = Decimal(strategy.target_roas)
    trigger = {
        "roas": None if roas is None else round(roas, 4),
        "raw_roas": None if raw is None else round(raw, 4),
        "prior_spend": str(strategy.roas_prior_spend),
        "target_roas": str(target),
        "spend": str(spend.quantize(CENT)),
        "conversions": conversions,
        "window_days": strategy.roas_window_days,
        "days": days,
    }
    if roas is None or spend < strategy.min_spend or conversions < strategy.min_conversions:
        return BudgetDecision(Verdict.HOLD, budget, _("not enough evidence to judge yet"), trigger)
    if days is not None and days < strategy.roas_window_days:
        reason = _("delivered %(days)d of the %(window)d window days: too new to judge") % {"days": days, "window": strategy.roas_window_days}
        return BudgetDecision(Verdict.HOLD, budget, reason, trigger)
    shown = f"{roas:.2f}"
    ratio = Decimal(str(roas)) / target if target > 0 else Decimal("Infinity")
    if ratio >= strategy.scale_up_at:
        return _scale_up(strategy, budget, cap, raised_today, trigger)
    if ratio >= strategy.keep_at:
        return BudgetDecision(Verdict.KEEP, budget, _("ROAS %(roas)s is on target") % {"roas": shown}, trigger)
    if ratio >= strategy.scale_down_at:
        new = max(MIN_ADGROUP_DAILY_BUDGET, (budget * strategy.scale_down_factor).quantize(CENT, rounding=ROUND_DOWN))
        if new >= budget:
            # The cut cannot be made: at TikTok's minimum the only way left to spend less on a
            # creative that stays below target is to stop it (it got here through every cut).
            reason = _("ROAS %(roas)s < %(at)s × target and the budget is already at TikTok's minimum %(minimum)s: pause") % {
                "roas": shown, "at": strategy.keep_at, "minimum": MIN_ADGROUP_DAILY_BUDGET,
            }
            return BudgetDecision(Verdict.PAUSE, budget, reason, {**trigger, "at_minimum": True})
        reason = _("ROAS %(roas)s < %(at)s × target: budget × %(factor)s") % {
            "roas": shown, "at": strategy.keep_at, "factor": strategy.scale_down_factor,
        }
        return BudgetDecision(Verdict.SCALE_DOWN, new, reason, trigger)
    reason = _("ROAS %(roas)s < %(at)s × target: pause") % {"roas": shown, "at": strategy.scale_down_at}
    return BudgetDecision(Verdict.PAUSE, budget, reason, trigger)


def _scale_up(strategy: Strategy, budget: Decimal, cap: Decimal | None, raised_today: Decimal, trigger: dict) -> BudgetDecision:
    ceiling = min(c for c in (cap, strategy.adgroup_budget_cap) if c is not None)
    allowance = max(Decimal("0"), Decimal(strategy.max_raise_per_day) - Decimal(raised_today))
    wanted = (budget * strategy.scale_up_factor).quantize(CENT, rounding=ROUND_DOWN)
    new = min(wanted, Decimal(ceiling), budget + allowance)
    roas = f"{trigger['roas']:.2f}"
    if new <= budget:
        reason = _("ROAS %(roas)s earns a raise, but the cap or today's raise limit is reached") % {"roas": roas}
        return BudgetDecision(Verdict.KEEP, budget, reason, trigger)
    values = {"roas": roas, "at": strategy.scale_up_at, "factor": strategy.scale_up_factor, "new": new}
    if new == wanted:
        reason = _("ROAS %(roas)s ≥ %(at)s × target: budget × %(factor)s") % values
    else:
        reason = _("ROAS %(roas)s ≥ %(at)s × target: budget × %(factor)s (limited to %(new)s by the cap or the daily raise limit)") % values
    return BudgetDecision(Verdict.SCALE_UP, new, reason, trigger)
