"""Budget evaluation (PRD §15.2) over an advertiser's running ad groups.

For each ad group the window's spend, value and conversions come from PerformanceDaily in
one query; `rules.budget_decide` decides; the change goes to TikTok through the campaigns
services, which log it. Guardrails that hold whatever the numbers: nothing at all under the
kill switch; only "would do" log entries in dry-run; one budget change per ad group per day,
claimed in the database (DailyChange) before TikTok is called, so running the evaluation
twice on one day changes nothing the second time.

Which ad groups: the heat stage gets the whole rule; the hit stage only its downward half
(scale down, pause), because its growth is hit scaling's (PRD §15.3, services_stages); the
launch stage buys views, so ROAS does not judge it yet. Raises also stay inside the
account's daily cap: the sum of the running ad groups' budgets never passes it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum

from adloop import clock
from analytics.models import PerformanceDaily
from campaigns.errors import CampaignError
from campaigns.models import Ad, AdGroup, AdvertiserAccount, OperationStatus, Stage
from campaigns.services import adgroup_budget_set, objects_status_set

from .models import DailyChange
from .rules import BudgetDecision, Verdict, budget_decide
from .services import Actor, action_log_record
from .services_settings import strategies_for, strategy_for


@dataclass(frozen=True)
class BudgetOutcome:
    adgroup_pk: int
    decision: BudgetDecision
    applied: bool
    note: str = ""


def budgets_evaluate(*, advertiser: AdvertiserAccount, day: dt.date | None = None, actor: Actor | None = None) -> list[BudgetOutcome]:
    actor = actor or Actor.auto()
    day = day or clock.today(advertiser.timezone)
    if strategy_for().kill_switch:
        return []  # the kill switch: automation changes nothing at all
    running = AdGroup.objects.filter(campaign__advertiser=advertiser, status=OperationStatus.ENABLE).exclude(adgroup_id="")
    headroom = account_headroom(advertiser, running)
    adgroups = list(running.exclude(campaign__stage=Stage.LAUNCH).select_related("campaign"))
    strategies = strategies_for(campaigns={g.campaign_id for g in adgroups})
    longest = max((s.roas_window_days for s in strategies.values()), default=1)
    per_day = (
        PerformanceDaily.objects.filter(ad__adgroup__in=adgroups, date__gt=day - dt.timedelta(days=longest), date__lte=day)
        .values("ad__adgroup_id", "date")
        .annotate(spend=Sum("spend"), value=Sum("conversion_value"), conversions=Sum("conversions"))
    )
    rows = defaultdict(list)
    for row in per_day:
        rows[row["ad__adgroup_id"]].append(row)
    outcomes, to_pause = [], []
    for adgroup in adgroups:
        strategy = strategies[adgroup.campaign_id]
        since = day - dt.timedelta(days=strategy.roas_window_days)
        window = [r for r in rows[adgroup.pk] if r["date"] > since]
        caps = [c for c in (adgroup.budget_cap, adgroup.budget + max(headroom, Decimal("0"))) if c is not None]
        decision = budget_decide(
            strategy=strategy, budget=adgroup.budget, cap=min(caps),
            spend=sum((r["spend"] for r in window), Decimal("0")),
            conversion_value=sum((r["value"] for r in window), Decimal("0")),
            conversions=sum(r["conversions"] for r in window),
        )
        if decision.verdict in (Verdict.HOLD, Verdict.KEEP):
            outcomes.append(BudgetOutcome(adgroup.pk, decision, applied=False))
        elif decision.verdict == Verdict.SCALE_UP and adgroup.campaign.stage == Stage.HIT:
            outcomes.append(BudgetOutcome(adgroup.pk, decision, applied=False, note="hit stage: hit scaling raises it"))
        elif strategy.dry_run:
            outcomes.append(_would_do(adgroup, decision, actor))
        elif decision.verdict == Verdict.PAUSE:
            to_pause.append((adgroup, decision))
        else:
            delta = decision.budget - adgroup.budget
            outcome = _change_budget(adgroup, decision, day, actor)
            if outcome.applied:
                headroom -= delta
            outcomes.append(outcome)
    outcomes += _pause(to_pause, actor)
    return outcomes


def account_cap(advertiser: AdvertiserAccount) -> Decimal:
    """The account's daily cap: its own, else the global strategy's; the lower if both are set."""
    caps = [c for c in (advertiser.daily_spend_cap, strategy_for().account_daily_cap) if c is not None]
    return min(caps)


def account_headroom(advertiser: AdvertiserAccount, running) -> Decimal:
    """How much the running ad groups' daily budgets may still grow under the account's cap."""
    committed = running.aggregate(total=Sum("budget"))["total"] or Decimal("0")
    return account_cap(advertiser) - committed


def _would_do(adgroup: AdGroup, decision: BudgetDecision, actor: Actor) -> BudgetOutcome:
    after = {"status": OperationStatus.DISABLE} if decision.verdict == Verdict.PAUSE else {"budget": decision.budget}
    with transaction.atomic():
        action_log_record(
            actor=actor, action="pause" if decision.verdict == Verdict.PAUSE else "budget_change", obj=adgroup,
            before={"budget": adgroup.budget, "status": adgroup.status}, after=after, reason=decision.reason,
            trigger=decision.trigger, remote_id=adgroup.adgroup_id, dry_run=True,
        )
    return BudgetOutcome(adgroup.pk, decision, applied=False, note="dry run")


def _change_budget(adgroup: AdGroup, decision: BudgetDecision, day: dt.date, actor: Actor) -> BudgetOutcome:
    try:
        with transaction.atomic():
            claim = DailyChange.objects.create(object_type="adgroup", object_pk=adgroup.pk, day=day)
    except IntegrityError:
        return BudgetOutcome(adgroup.pk, decision, applied=False, note="already changed today")
    try:
        adgroup_budget_set(adgroup=adgroup, budget=decision.budget, actor=actor, reason=decision.reason, trigger=decision.trigger)
    except CampaignError as exc:
        claim.delete()  # nothing changed: the next run may try again today
        return BudgetOutcome(adgroup.pk, decision, applied=False, note=str(exc))
    return BudgetOutcome(adgroup.pk, decision, applied=True)


def _pause(items: list[tuple[AdGroup, BudgetDecision]], actor: Actor) -> list[BudgetOutcome]:
    """Pausing acts on ads (one creative per ad group), batched 20 ids a call."""
    outcomes = []
    for adgroup, decision in items:
        ads = list(Ad.objects.filter(adgroup=adgroup, status=OperationStatus.ENABLE).select_related("adgroup__campaign__advertiser"))
        try:
            objects_status_set(objs=ads, status=OperationStatus.DISABLE, actor=actor, reason=decision.reason, trigger=decision.trigger)
        except CampaignError as exc:
            outcomes.append(BudgetOutcome(adgroup.pk, decision, applied=False, note=str(exc)))
            continue
        outcomes.append(BudgetOutcome(adgroup.pk, decision, applied=bool(ads)))
    return outcomes


