"""Budget evaluation (PRD §15.2) over an advertiser's running ad groups.

For each ad group the window's spend, value and conversions come from PerformanceDaily in
one query; `rules.budget_decide` decides; the change goes to TikTok through the campaigns
services, which log it. Guardrails that hold whatever the numbers: nothing at all under the
kill switch; only "would do" log entries in dry-run; one budget change per ad group per day,
claimed in the database (DailyChange) before TikTok is called, so running the evaluation
twice on one day changes nothing the second time.

Which ad groups: the heat stage gets the whole rule; the hit stage only its downward half
(scale down, pause), because its growth is hit scaling's (PRD §15.3, services_hit); the
launch stage buys views, so ROAS does not judge it yet; nor does it judge an ad group whose
window still holds its first `learning_days` days of delivery (TikTok's learning phase).
Raises also stay inside the account's daily cap: the sum of the running ad groups' budgets
never passes it.

The run is batched so that its SQL does not grow with the number of ad groups: the day's
claims are read in one query and taken in one INSERT (the unique constraint stays the last
line of defence), the budget changes go in /adgroup/budget/update/ calls of 20 ad groups
and are stored with bulk writes (campaigns.services.adgroups_budget_set), the claims of a
refused call are released, every pause of the run goes in one bulk status change (20 ids a
call), and dry-run entries are inserted together. A raise whose call TikTok refuses keeps
the headroom it was given for the rest of the run: the cap holds, it is only not reused.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from adloop import clock
from analytics.models import PerformanceDaily
from analytics.selectors import first_delivery_days
from campaigns.models import Ad, AdGroup, AdvertiserAccount, OperationStatus, Stage
from campaigns.services.controls import BudgetChange, adgroups_budget_set, objects_status_apply

from .models import ActionLog, DailyChange
from .rules import BudgetDecision, Verdict, budget_decide
from .services import Actor, action_log_build, action_logs_record
from .services_settings import Strategy, strategies_for, strategy_for

CLAIM = {"object_type": "adgroup", "kind": "budget"}


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
    running = AdGroup.objects.filter(
        campaign__advertiser=advertiser, campaign__status=OperationStatus.ENABLE, status=OperationStatus.ENABLE
    ).exclude(adgroup_id="")
    headroom = account_headroom(advertiser, running)
    judged = running.exclude(campaign__stage=Stage.LAUNCH)
    adgroups = list(judged.select_related("campaign"))
    for adgroup in adgroups:
        adgroup.campaign.advertiser = advertiser  # one account: no join, no copy per row
    strategies = strategies_for(campaigns={g.campaign_id for g in adgroups})
    longest = max((s.roas_window_days + s.roas_settle_days for s in strategies.values()), default=1)
    per_day = (
        PerformanceDaily.objects.filter(ad__adgroup__in=judged.values("pk"), date__gte=day - dt.timedelta(days=longest), date__lt=day)
        .values("ad__adgroup_id", "date")
        .annotate(spend=Sum("spend"), value=Sum("conversion_value"), conversions=Sum("conversions"))
    )
    rows = defaultdict(list)
    for row in per_day:
        rows[row["ad__adgroup_id"]].append(row)
    # Only needed when some strategy waits out a learning phase.
    first = first_delivery_days(adgroups=judged.values("pk")) if any(s.learning_days for s in strategies.values()) else {}
    claimed = set(DailyChange.objects.filter(**CLAIM, day=day, object_pk__in=judged.values("pk")).values_list("object_pk", flat=True))
    outcomes, would_do, changes, to_pause = {}, [], [], []
    for adgroup in adgroups:
        strategy = strategies[adgroup.campaign_id]
        # The window is the last N complete days old enough to have their conversions (settled).
        until = strategy.judged_until(day)
        since = until - dt.timedelta(days=strategy.roas_window_days)
        if strategy.learning_in(first.get(adgroup.pk), since):
            outcomes[adgroup.pk] = BudgetOutcome(adgroup.pk, _learning(strategy, adgroup, first[adgroup.pk]), applied=False)
            continue
        window = [r for r in rows[adgroup.pk] if since <= r["date"] < until]
        caps = [c for c in (adgroup.budget_cap, adgroup.budget + max(headroom, Decimal("0"))) if c is not None]
        decision = budget_decide(
            strategy=strategy, budget=adgroup.budget, cap=min(caps),
            spend=sum((r["spend"] for r in window), Decimal("0")),
            conversion_value=sum((r["value"] for r in window), Decimal("0")),
            conversions=sum(r["conversions"] for r in window),
            days=sum(1 for r in window if r["spend"]),
        )
        if decision.verdict in (Verdict.HOLD, Verdict.KEEP):
            outcomes[adgroup.pk] = BudgetOutcome(adgroup.pk, decision, applied=False)
        elif decision.verdict == Verdict.SCALE_UP and adgroup.campaign.stage == Stage.HIT:
            outcomes[adgroup.pk] = BudgetOutcome(adgroup.pk, decision, applied=False, note="hit stage: hit scaling raises it")
        elif strategy.dry_run:
            would_do.append((adgroup, decision))
            outcomes[adgroup.pk] = BudgetOutcome(adgroup.pk, decision, applied=False, note="dry run")
        elif decision.verdict == Verdict.PAUSE:
            to_pause.append((adgroup, decision))
        elif adgroup.pk in claimed:
            outcomes[adgroup.pk] = BudgetOutcome(adgroup.pk, decision, applied=False, note="already changed today")
        else:
            headroom -= decision.budget - adgroup.budget
            changes.append((adgroup, decision))
    _log_would_do(would_do, actor)
    outcomes.update(_change_budgets(changes, day, actor))
    outcomes.update(_pause(to_pause, actor))
    return [outcomes[adgroup.pk] for adgroup in adgroups]


def _learning(strategy: Strategy, adgroup: AdGroup, first: dt.date) -> BudgetDecision:
    """Not judged yet: its window still holds days of TikTok's learning phase."""
    judged_from = strategy.judged_from(first)
    reason = _("in TikTok's learning phase (first delivery %(first)s, %(days)d learning days): judged on days from %(date)s") % {
        "first": first, "days": strategy.learning_days, "date": judged_from}
    trigger = {"first_delivery": first.isoformat(), "learning_days": strategy.learning_days, "judged_from": judged_from.isoformat()}
    return BudgetDecision(Verdict.HOLD, Decimal(adgroup.budget), reason, trigger)


def account_cap(advertiser: AdvertiserAccount) -> Decimal:
    """The account's daily cap: its own, else the global strategy's; the lower if both are set."""
    caps = [c for c in (advertiser.daily_spend_cap, strategy_for().account_daily_cap) if c is not None]
    return min(caps)


def account_headroom(advertiser: AdvertiserAccount, running) -> Decimal:
    """How much the running ad groups' daily budgets may still grow under the account's cap."""
    # Only money that can be spent counts: a paused campaign or an ad group whose ads were all
    # paused (the rules pause ads) commits nothing.
    spending = running.filter(campaign__status=OperationStatus.ENABLE, ads__status=OperationStatus.ENABLE).values("pk")
    committed = AdGroup.objects.filter(pk__in=spending).aggregate(total=Sum("budget"))["total"] or Decimal("0")
    return account_cap(advertiser) - committed


BUDGET_ACTIONS = ("budget_change", "cap_raise")


def budgets_by_day(adgroups: list[AdGroup], dates: list[dt.date], tz_name: str = "UTC") -> dict[int, dict[dt.date, Decimal]]:
    """Each ad group's daily budget on each of `dates`: its budget now, walked back through its
    logged budget changes (newest first) to the budget it had that day. A change counts from the
    day in its trigger (the budget rule and hit scaling write the run's day); one without (made by
    hand) from the day it was logged, in the advertiser's time zone. One query."""
    budgets = {adgroup.pk: {date: Decimal(adgroup.budget) for date in dates} for adgroup in adgroups}
    if not budgets or not dates:
        return budgets
    first = min(dates)
    changes = (
        ActionLog.objects.filter(
            object_type="adgroup", object_pk__in=list(budgets), action__in=BUDGET_ACTIONS,
            outcome=ActionLog.Outcome.DONE, dry_run=False,
        )
        .order_by("-pk")
        .values_list("object_pk", "at", "before", "trigger")
    )
    zone = clock.zone(tz_name)
    later: dict[int, dt.date] = {}
    for adgroup_pk, at, before, trigger in changes:
        day = (trigger or {}).get("day")
        starts = dt.date.fromisoformat(day) if day else at.astimezone(zone).date()
        # A change never counts from after a newer one (a hand change logged on the wall
        # clock beside the sandbox's simulated days).
        starts = later[adgroup_pk] = min(starts, later.get(adgroup_pk, starts))
        previous = (before or {}).get("budget")
        if previous is None or starts <= first:
            continue  # in force on every date asked for (or not a budget): nothing to undo
        for date in dates:
            if date < starts:
                budgets[adgroup_pk][date] = Decimal(str(previous))
    return budgets


def _log_would_do(items: list[tuple[AdGroup, BudgetDecision]], actor: Actor) -> None:
    entries = []
    for adgroup, decision in items:
        pause = decision.verdict == Verdict.PAUSE
        entries.append(action_log_build(
            actor=actor, action="pause" if pause else "budget_change", obj=adgroup,
            before={"budget": adgroup.budget, "status": adgroup.status},
            after={"status": OperationStatus.DISABLE} if pause else {"budget": decision.budget}, reason=decision.reason,
            trigger=decision.trigger, remote_id=adgroup.adgroup_id, dry_run=True, validate_relations=False,
        ))
    if entries:
        action_logs_record(entries)


def _change_budgets(items: list[tuple[AdGroup, BudgetDecision]], day: dt.date, actor: Actor) -> dict[int, BudgetOutcome]:
    """Claim the day's change for every ad group, then change the budgets in bulk; the
    claims of the changes TikTok refused are released, so the next run may try again today."""
    outcomes = {}
    won = _claim([adgroup.pk for adgroup, _ in items], day)
    for adgroup, decision in items:
        if adgroup.pk not in won:
            outcomes[adgroup.pk] = BudgetOutcome(adgroup.pk, decision, applied=False, note="already changed today")
    items = [(adgroup, decision) for adgroup, decision in items if adgroup.pk in won]
    if not items:
        return outcomes
    try:
        result = adgroups_budget_set(
            # The run's day in the trigger: the day the new budget starts to count (budgets_by_day).
            changes=[BudgetChange(adgroup, decision.budget, decision.reason, {**decision.trigger, "day": day.isoformat()})
                     for adgroup, decision in items],
            actor=actor,
        )
    except Exception:
        # Something unexpected part-way: a claim stays only where TikTok took the new budget.
        _release([adgroup.pk for adgroup, decision in items if adgroup.budget != decision.budget], day)
        raise
    _release(list(result.failed), day)
    for adgroup, decision in items:
        failed = result.failed.get(adgroup.pk)
        outcomes[adgroup.pk] = BudgetOutcome(adgroup.pk, decision, applied=failed is None, note=failed or "")
    return outcomes


def _release(pks: list[int], day: dt.date, *, kind: str = "budget") -> None:
    if pks:
        DailyChange.objects.filter(**{**CLAIM, "kind": kind}, day=day, object_pk__in=pks).delete()


def _claim(pks: list[int], day: dt.date, *, kind: str = "budget") -> set[int]:
    """Insert the day's claims of `kind` in one statement ("budget", shared by the budget rule
    and hit scaling's cap raises, or "bid" for its bid raises); if another run took some since
    they were read (the per-advertiser lock should prevent it), fall back to one claim at a
    time and keep only those this run won: the unique constraint decides."""
    if not pks:
        return set()
    claim = {**CLAIM, "kind": kind}
    try:
        with transaction.atomic():
            DailyChange.objects.bulk_create([DailyChange(**claim, object_pk=pk, day=day) for pk in pks], batch_size=1000)
        return set(pks)
    except IntegrityError:
        won = set()
        for pk in pks:
            try:
                with transaction.atomic():
                    DailyChange.objects.create(**claim, object_pk=pk, day=day)
            except IntegrityError:
                continue
            won.add(pk)
        return won


def _pause(items: list[tuple[AdGroup, BudgetDecision]], actor: Actor) -> dict[int, BudgetOutcome]:
    """Pausing acts on ads (one creative per ad group): every ad group of the run in one
    bulk status change, batched 20 ids a call, each ad logged with its ad group's reason."""
    if not items:
        return {}
    decisions = {adgroup.pk: (adgroup, decision) for adgroup, decision in items}
    running = Ad.objects.filter(adgroup__in=list(decisions), status=OperationStatus.ENABLE).exclude(ad_id="")
    ads = list(running.order_by("adgroup_id", "pk"))
    ads_of = defaultdict(list)
    for ad in ads:
        ad.adgroup = decisions[ad.adgroup_id][0]
        ads_of[ad.adgroup_id].append(ad)
    result = objects_status_apply(
        objs=ads, status=OperationStatus.DISABLE, actor=actor,
        reasons={ad.pk: decisions[ad.adgroup_id][1].reason for ad in ads},
        triggers={ad.pk: decisions[ad.adgroup_id][1].trigger for ad in ads},
    )
    outcomes = {}
    for adgroup, decision in items:
        errors = [result.failed[ad.pk] for ad in ads_of[adgroup.pk] if ad.pk in result.failed]
        if errors:
            outcomes[adgroup.pk] = BudgetOutcome(adgroup.pk, decision, applied=False, note=errors[0])
        else:
            outcomes[adgroup.pk] = BudgetOutcome(adgroup.pk, decision, applied=bool(ads_of[adgroup.pk]))
    return outcomes
