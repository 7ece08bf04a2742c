"""Hit-stage scaling (PRD §15.3), every 24 h after the budget rule.

For each running hit-stage ad group, yesterday's spend against its daily budget: at the cap
(≥ 95 %) raise the budget by the step, below it raise the bid. One change per ad group per
day: an ad group any change was claimed for today (DailyChange; the budget kind is shared
with the budget rule) is left alone, and each change is claimed before TikTok is called. Its
SQL does not grow with the number of ad groups: every ad group is decided first, the claims
are taken in one INSERT per kind, cap raises go 20 ad groups per /adgroup/budget/update/ call
(campaigns.services.adgroups_budget_set), bid raises one call each, since adgroup/update
takes one ad group (campaigns.services.adgroups_bid_set), both with their writes batched,
and the claims of refused changes are released together.

Room for the hit stage: cap raises stay inside the account's daily cap, and a heat ad group
that its ROAS floor throttles commits its whole budget to that cap while it spends a fraction
of it. So when the day's cap raises want more than the cap's headroom, `_heat_room` first cuts
the heat ad groups that sat idle — a budget above `IDLE_MARGIN` × their highest day of the
last `IDLE_DAYS` days — down to that (never below TikTok's minimum), the lowest ROAS first,
until the raises fit; each cut is a logged budget change claimed for the day like any other,
and only the cuts TikTok took add to the headroom, so the committed total never passes the cap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from adloop import clock
from analytics.models import PerformanceDaily
from campaigns.models import AdGroup, AdvertiserAccount, OperationStatus, Stage
from campaigns.services import BidChange, adgroups_bid_set
from campaigns.services.bidding import NO_BID
from campaigns.services.controls import BudgetChange, BulkResult, adgroups_budget_set
from campaigns.stages import MIN_ADGROUP_DAILY_BUDGET

from .models import DailyChange
from .rules import BudgetDecision, Verdict
from .services import Actor, action_log_build, action_logs_record
from .services_budget import _change_budgets, _claim, _release, account_headroom
from .services_settings import Strategy, strategies_for, strategy_for

AT_CAP_SHARE = Decimal("0.95")  # PRD §15.3 "spend reached the cap": yesterday's spend ≥ 95 % of the budget
CENT = Decimal("0.01")
ZERO = Decimal("0")
IDLE_DAYS = 3  # room for hit: a heat ad group's spend is read over its last this many days ...
IDLE_MARGIN = Decimal("1.25")  # ... and a cut leaves it this × its highest day of them


@dataclass
class HitOutcome:
    adgroup_pk: int
    action: str
    applied: bool
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class _Raise:
    """One decided change: a cap raise (after = {"budget": new}) or a bid raise (after = the new bids)."""

    adgroup: AdGroup
    action: str
    before: dict
    after: dict
    reason: str
    trigger: dict


def hit_scale(*, advertiser: AdvertiserAccount, day: dt.date | None = None, actor: Actor | None = None) -> list[HitOutcome]:
    """Every 24 h, for each running ad group of a running hit-stage campaign: yesterday's
    spend at its daily budget (the cap) → raise the budget by the step; below → raise the bid.
    Every ad group is decided first, then the changes are made in bulk (`_cap_raises`,
    `_bid_raises`)."""
    actor = actor or Actor.auto()
    day = day or clock.today(advertiser.timezone)
    if strategy_for().kill_switch:
        return []
    yesterday = day - dt.timedelta(days=1)
    running = AdGroup.objects.filter(
        campaign__advertiser=advertiser, campaign__status=OperationStatus.ENABLE, status=OperationStatus.ENABLE,
    ).exclude(adgroup_id="")
    # An ad group whose ads were all paused (the rules pause ads) spends nothing: leave it be.
    delivering = running.filter(campaign__stage=Stage.HIT, ads__status=OperationStatus.ENABLE).values("pk")
    adgroups = list(AdGroup.objects.filter(pk__in=delivering).select_related("campaign__advertiser").order_by("pk"))
    if not adgroups:
        return []
    strategies = strategies_for(campaigns={g.campaign_id for g in adgroups})
    rows = PerformanceDaily.objects.filter(ad__adgroup__in=adgroups, date=yesterday).values("ad__adgroup_id").annotate(spend=Sum("spend"))
    spent = {row["ad__adgroup_id"]: row["spend"] for row in rows}
    # Whatever changed an ad group today (the budget rule, or an earlier run: the cap raised
    # today makes yesterday's spend look "below the cap") — hit scaling leaves it until tomorrow.
    claims = DailyChange.objects.filter(object_type="adgroup", object_pk__in=[g.pk for g in adgroups], day=day)
    changed_today = set(claims.values_list("object_pk", flat=True))
    at_cap = {g.pk for g in adgroups if g.pk in spent and _reached(spent[g.pk], g.budget)}
    headroom = account_headroom(advertiser, running)
    wanted = sum((
        _raise_wanted(g, strategies[g.campaign_id]) for g in adgroups
        if g.pk in at_cap and g.pk not in changed_today and not strategies[g.campaign_id].dry_run
    ), ZERO)
    if wanted > max(headroom, ZERO):
        headroom += _heat_room(advertiser=advertiser, running=running, day=day, wanted=wanted - max(headroom, ZERO), actor=actor)
    outcomes, would_do, cap_raises, bid_raises = {}, [], [], []
    for adgroup in adgroups:
        if adgroup.pk in changed_today:
            outcomes[adgroup.pk] = HitOutcome(adgroup.pk, "hold", False, note=_("already changed today"))
            continue
        if adgroup.pk not in spent:
            note = _("no spend reported for %(date)s") % {"date": yesterday}
            outcomes[adgroup.pk] = HitOutcome(adgroup.pk, "hold", False, note=note)
            continue
        strategy = strategies[adgroup.campaign_id]
        spend = Decimal(spent[adgroup.pk]).quantize(CENT)
        budget = Decimal(adgroup.budget).quantize(CENT)
        trigger = {
            "date": yesterday.isoformat(), "day": day.isoformat(), "spend": str(spend), "budget": str(budget),
            "spend_share": round(float(spend / budget), 4) if budget else None, "at_cap_share": str(AT_CAP_SHARE),
        }
        raising_cap = adgroup.pk in at_cap
        change = _cap_decide(adgroup, strategy, headroom, trigger) if raising_cap else _bid_decide(adgroup, strategy, trigger)
        if isinstance(change, HitOutcome):
            outcomes[adgroup.pk] = change
        elif strategy.dry_run:
            would_do.append(change)
            outcomes[adgroup.pk] = HitOutcome(adgroup.pk, change.action, False, change.before, change.after, note=_("dry run"))
        elif raising_cap:
            # Given before the calls: a raise TikTok refuses keeps its share for the rest of
            # the run (the account's cap holds; the share is only not reused).
            headroom -= change.after["budget"] - budget
            cap_raises.append(change)
        else:
            bid_raises.append(change)
    _would_do(would_do, actor)
    outcomes.update(_cap_raises(cap_raises, day, actor))
    outcomes.update(_bid_raises(bid_raises, day, actor))
    return [outcomes[adgroup.pk] for adgroup in adgroups]


def _reached(spend, budget) -> bool:
    """PRD §15.3 "spend reached the cap": yesterday's spend ≥ AT_CAP_SHARE of the budget, in cents."""
    return Decimal(spend).quantize(CENT) >= Decimal(budget).quantize(CENT) * AT_CAP_SHARE


def _raise_wanted(adgroup: AdGroup, strategy: Strategy) -> Decimal:
    """The cap raise an ad group at its cap gets with headroom enough: the step, within today's
    raise limit and the ad group caps (the strategy's and its own)."""
    budget = Decimal(adgroup.budget)
    room = [Decimal(strategy.hit_cap_raise_step), Decimal(strategy.max_raise_per_day), Decimal(strategy.adgroup_budget_cap) - budget]
    if adgroup.budget_cap is not None:
        room.append(Decimal(adgroup.budget_cap) - budget)
    return max(min(room), ZERO)


def _heat_room(*, advertiser: AdvertiserAccount, running, day: dt.date, wanted: Decimal, actor: Actor) -> Decimal:
    """Cut idle heat ad groups (see the module's doc) until `wanted` is freed; returns what TikTok took."""
    claimed = DailyChange.objects.filter(object_type="adgroup", kind="budget", day=day).values("object_pk")
    heat = running.filter(campaign__stage=Stage.HEAT, ads__status=OperationStatus.ENABLE).exclude(pk__in=claimed).values("pk")
    groups = {g.pk: g for g in AdGroup.objects.filter(pk__in=heat).select_related("campaign__advertiser")}
    if not groups:
        return ZERO
    strategies = strategies_for(campaigns={g.campaign_id for g in groups.values()})
    rows = (
        PerformanceDaily.objects.filter(ad__adgroup__in=list(groups), date__gte=day - dt.timedelta(days=IDLE_DAYS), date__lt=day)
        .values("ad__adgroup_id", "date")
        .annotate(spend=Sum("spend"), value=Sum("conversion_value"))
    )
    delivered: dict[int, list[dict]] = {}
    for row in rows:
        if row["spend"]:
            delivered.setdefault(row["ad__adgroup_id"], []).append(row)
    cuts = []
    for pk, adgroup in groups.items():
        days = delivered.get(pk, [])
        # One that did not deliver on every one of the days is too new to read.
        if len(days) < IDLE_DAYS or strategies[adgroup.campaign_id].dry_run:
            continue
        peak = max(Decimal(row["spend"]) for row in days).quantize(CENT)
        new = max(MIN_ADGROUP_DAILY_BUDGET, (peak * IDLE_MARGIN).quantize(CENT, rounding=ROUND_UP))
        if new < adgroup.budget:
            roas = sum((Decimal(row["value"]) for row in days), ZERO) / sum((Decimal(row["spend"]) for row in days), ZERO)
            cuts.append((roas, pk, adgroup, peak, new))
    items, freed = [], ZERO
    for roas, _pk, adgroup, peak, new in sorted(cuts, key=lambda cut: cut[:2]):
        if freed >= wanted:
            break
        freed += adgroup.budget - new
        trigger = {
            "rule": "hit_room", "days": IDLE_DAYS, "peak_spend": str(peak), "margin": str(IDLE_MARGIN),
            "roas": round(float(roas), 4), "wanted": str(wanted),
        }
        reason = _("spent at most %(peak)s a day of its %(budget)s over the last %(days)d days: budget %(new)s, room for the hit stage") % {
            "peak": peak, "budget": adgroup.budget, "days": IDLE_DAYS, "new": new,
        }
        items.append((adgroup, BudgetDecision(Verdict.SCALE_DOWN, new, reason, trigger)))
    before = {adgroup.pk: Decimal(adgroup.budget) for adgroup, _decision in items}
    outcomes = _change_budgets(items, day, actor)
    return sum((before[a.pk] - decision.budget for a, decision in items if outcomes[a.pk].applied), ZERO)


def _cap_decide(adgroup: AdGroup, strategy: Strategy, headroom: Decimal, trigger: dict) -> _Raise | HitOutcome:
    budget = Decimal(adgroup.budget).quantize(CENT)
    new = (budget + min(_raise_wanted(adgroup, strategy), max(Decimal(headroom), ZERO))).quantize(CENT, rounding=ROUND_DOWN)
    before, after = {"budget": budget}, {"budget": new}
    if new <= budget:
        note = _("at the cap: an ad group cap, the account's daily cap or today's raise limit is reached")
        return HitOutcome(adgroup.pk, "cap_raise", False, before, before, note=note)
    trigger = {**trigger, "step": str(strategy.hit_cap_raise_step), "account_headroom": str(headroom)}
    reason = _("spend %(spend)s reached the daily budget %(budget)s: raise it to %(new)s") % {
        "spend": trigger["spend"], "budget": budget, "new": new,
    }
    return _Raise(adgroup, "cap_raise", before, after, reason, trigger)


def bid_raised(adgroup: AdGroup, pct: Decimal) -> dict[str, Decimal]:
    """The ad group's bids raised by `pct` %: a cost cap or target CPA × (1 + pct/100), a ROAS
    floor ÷ (1 + pct/100). Each moves at least a cent; a floor never below a cent."""
    factor = 1 + Decimal(pct) / 100
    changes = {}
    for name in ("bid_price", "conversion_bid_price"):
        old = getattr(adgroup, name)
        if old is not None:
            changes[name] = max((Decimal(old) * factor).quantize(CENT, rounding=ROUND_HALF_UP), Decimal(old) + CENT)
    if adgroup.roas_bid is not None:
        old = Decimal(adgroup.roas_bid)
        lowered = min((old / factor).quantize(CENT, rounding=ROUND_HALF_UP), old - CENT)
        if lowered >= CENT:
            changes["roas_bid"] = lowered
    return changes


def _bid_decide(adgroup: AdGroup, strategy: Strategy, trigger: dict) -> _Raise | HitOutcome:
    if adgroup.bid_type == NO_BID:
        # Lowest cost has no bid: TikTok already bids what it takes to spend the budget.
        return HitOutcome(adgroup.pk, "bid_raise", False, note=_("lowest-cost bidding (BID_TYPE_NO_BID) has no bid to raise"))
    changes = bid_raised(adgroup, strategy.hit_bid_raise_pct)
    if not changes:
        return HitOutcome(adgroup.pk, "bid_raise", False, note=_("this ad group has no bid that can be raised"))
    before = {name: getattr(adgroup, name) for name in changes}
    trigger = {**trigger, "bid_raise_pct": str(strategy.hit_bid_raise_pct)}
    reason = _("spend %(spend)s is below the daily budget %(budget)s: raise the bid by %(pct)s %%") % {
        "spend": trigger["spend"], "budget": trigger["budget"], "pct": strategy.hit_bid_raise_pct,
    }
    return _Raise(adgroup, "bid_raise", before, changes, reason, trigger)


def _would_do(changes: list[_Raise], actor: Actor) -> None:
    """Dry run: every decided change logged as "would do", in one INSERT."""
    if not changes:
        return
    # The ad groups were read with their campaign and advertiser: no existence check per row.
    action_logs_record([
        action_log_build(
            actor=actor, action=change.action, obj=change.adgroup, before=change.before, after=change.after,
            reason=change.reason, trigger=change.trigger, remote_id=change.adgroup.adgroup_id, dry_run=True,
            validate_relations=False,
        )
        for change in changes
    ])


def _cap_raises(changes: list[_Raise], day: dt.date, actor: Actor) -> dict[int, HitOutcome]:
    """The budget claim is the one the budget rule shares; the raises go in /adgroup/budget/update/
    calls of 20, each logged with before/after by adgroups_budget_set."""
    return _claim_and_send(changes, day, "budget", lambda made: adgroups_budget_set(
        changes=[BudgetChange(c.adgroup, c.after["budget"], c.reason, c.trigger) for c in made], actor=actor, action="cap_raise",
    ))


def _bid_raises(changes: list[_Raise], day: dt.date, actor: Actor) -> dict[int, HitOutcome]:
    """adgroup/update takes one ad group: one call per bid raise, each logged with before/after
    by adgroups_bid_set, which batches the writes."""
    return _claim_and_send(changes, day, "bid", lambda made: adgroups_bid_set(
        changes=[BidChange(c.adgroup, c.after, c.reason, c.trigger) for c in made], actor=actor, action="bid_raise",
    ))


def _claim_and_send(
    changes: list[_Raise], day: dt.date, kind: str, send: Callable[[list[_Raise]], BulkResult],
) -> dict[int, HitOutcome]:
    """Claim the day's change of `kind` for every ad group in one INSERT, make the changes with
    `send`, and release the claims of the ones TikTok refused, so the next run may try them
    again today."""
    won = _claim([change.adgroup.pk for change in changes], day, kind=kind)
    outcomes = {change.adgroup.pk: _lost(change) for change in changes if change.adgroup.pk not in won}
    changes = [change for change in changes if change.adgroup.pk in won]
    if not changes:
        return outcomes
    try:
        result = send(changes)
    except Exception:
        # Something unexpected part-way: a claim stays only where TikTok took the change.
        untaken = [c.adgroup.pk for c in changes if any(getattr(c.adgroup, name) != value for name, value in c.after.items())]
        _release(untaken, day, kind=kind)
        raise
    _release(list(result.failed), day, kind=kind)
    for change in changes:
        outcomes[change.adgroup.pk] = _made(change, result.failed.get(change.adgroup.pk))
    return outcomes


def _lost(change: _Raise) -> HitOutcome:
    return HitOutcome(change.adgroup.pk, change.action, False, change.before, change.before, note=_("already changed today"))


def _made(change: _Raise, error: str | None) -> HitOutcome:
    if error is not None:
        return HitOutcome(change.adgroup.pk, change.action, False, change.before, change.before, note=error)
    return HitOutcome(change.adgroup.pk, change.action, True, change.before, change.after)
