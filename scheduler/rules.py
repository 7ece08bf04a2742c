"""The budget rule of PRD §15.2 as a pure function, with the guardrails that always hold.

    ROAS ≥ target × scale_up_at (1.5)    → budget × scale_up_factor (1.3)
    ROAS ≥ target × keep_at (1.0)        → unchanged
    ROAS ≥ target × scale_down_at (0.7)  → budget × scale_down_factor (0.8)
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
        return BudgetDecision(Verdict.HOLD, budget, "not enough evidence to judge yet", trigger)
    if days is not None and days < strategy.roas_window_days:
        return BudgetDecision(Verdict.HOLD, budget, f"delivered {days} of the {strategy.roas_window_days} window days: too new to judge", trigger)
    ratio = Decimal(str(roas)) / target if target > 0 else Decimal("Infinity")
    if ratio >= strategy.scale_up_at:
        return _scale_up(strategy, budget, cap, raised_today, trigger)
    if ratio >= strategy.keep_at:
        return BudgetDecision(Verdict.KEEP, budget, f"ROAS {roas:.2f} is on target", trigger)
    if ratio >= strategy.scale_down_at:
        new = max(MIN_ADGROUP_DAILY_BUDGET, (budget * strategy.scale_down_factor).quantize(CENT, rounding=ROUND_DOWN))
        if new >= budget:
            return BudgetDecision(Verdict.KEEP, budget, f"ROAS {roas:.2f} is below target but the budget is at TikTok's minimum", trigger)
        return BudgetDecision(Verdict.SCALE_DOWN, new, f"ROAS {roas:.2f} < {strategy.keep_at} × target: budget × {strategy.scale_down_factor}", trigger)
    return BudgetDecision(Verdict.PAUSE, budget, f"ROAS {roas:.2f} < {strategy.scale_down_at} × target: pause", trigger)


def _scale_up(strategy: Strategy, budget: Decimal, cap: Decimal | None, raised_today: Decimal, trigger: dict) -> BudgetDecision:
    ceiling = min(c for c in (cap, strategy.adgroup_budget_cap) if c is not None)
    allowance = max(Decimal("0"), Decimal(strategy.max_raise_per_day) - Decimal(raised_today))
    wanted = (budget * strategy.scale_up_factor).quantize(CENT, rounding=ROUND_DOWN)
    new = min(wanted, Decimal(ceiling), budget + allowance)
    roas = trigger["roas"]
    if new <= budget:
        return BudgetDecision(Verdict.KEEP, budget, f"ROAS {roas:.2f} earns a raise, but the cap or today's raise limit is reached", trigger)
    limited = "" if new == wanted else f" (limited to {new} by the cap or the daily raise limit)"
    return BudgetDecision(Verdict.SCALE_UP, new, f"ROAS {roas:.2f} ≥ {strategy.scale_up_at} × target: budget × {strategy.scale_up_factor}{limited}", trigger)
