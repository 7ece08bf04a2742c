"""The stage machine (PRD §三). Hit-stage scaling (PRD §15.3) is in services_hit.

Stages: launch → heat → hit. The thresholds are people's (StrategySettings); the switch is the
scheduler's (`stages_check`, every 24 h) or a manager's hand override (`stage_set`, admin).
Both judge complete days only: the market delivers day D when it advances past D, so the
days before today.

A TikTok campaign's objective cannot change, so a switch (`_switch`) does, in an order that
keeps a failure safe:
1. resume the new stage's campaign / ad groups / ads if an earlier move back paused them;
2. launch each proven creative there with `ad_launch` (idempotent, re-uses the video id);
3. only when new ads run, pause the old stage's campaign(s);
4. log one `stage_change` entry (before, after, the trigger numbers) on the new campaign.
A refused launch undoes step 1 (re-pauses what this switch resumed or created), so the old
stage alone runs, and logs a failed `stage_change`; a re-run finishes without duplicates. A
crash between 2 and 3 leaves two stages running; the next `stages_check` finishes that
switch (the lower stage's proven creatives into the higher one, then the pause).

A stage's evidence counts from the day the product last entered it (the `day` kept in the
trigger of its `stage_change` entry), so a product moved back by hand is judged again on
fresh numbers, not on what it did there before.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from adloop import clock
from analytics.models import PerformanceDaily
from analytics.selectors import first_delivery_days
from campaigns.errors import CampaignError
from campaigns.models import Ad, AdGroup, AdvertiserAccount, Campaign, OperationStatus, Stage
from campaigns.selectors import product_stage
from campaigns.services import ad_launch, object_status_set, objects_status_set
from campaigns.services.launching import REUSABLE
from campaigns.stages import MIN_ADGROUP_DAILY_BUDGET, ORDER, STAGE_PLANS
from creatives.models import VideoJob

from .models import ActionLog
from .services import Actor, action_log_record
from .services_budget import account_headroom, budgets_by_day
from .services_hit import HitOutcome, hit_scale  # noqa: F401 (moved there; re-exported for existing imports)
from .services_settings import Strategy, strategies_for, strategy_for

CENT = Decimal("0.01")
NEXT = {Stage.LAUNCH: Stage.HEAT, Stage.HEAT: Stage.HIT}


@dataclass
class StageChange:
    product_pk: int
    advertiser_pk: int
    from_stage: str | None
    to_stage: str
    applied: bool
    reason: str
    trigger: dict
    campaign_pk: int | None
    ads: list[int]
    note: str = ""


@dataclass(frozen=True)
class _Verdict:
    met: bool
    reason: str
    trigger: dict


# --- the scheduler's check -------------------------------------------------------------

def stages_check(*, advertiser: AdvertiserAccount, day: dt.date | None = None, actor: Actor | None = None) -> list[StageChange]:
    """Judge every product of `advertiser` in the launch or heat stage on its thresholds and
    switch those that meet them; one StageChange per product judged (applied or not)."""
    actor = actor or Actor.auto()
    day = day or clock.today(advertiser.timezone)
    if strategy_for().kill_switch:
        return []  # the kill switch: automation changes nothing at all
    running = Campaign.objects.filter(advertiser=advertiser, status=OperationStatus.ENABLE, product__isnull=False)
    by_product: dict[int, dict[str, list[Campaign]]] = defaultdict(lambda: defaultdict(list))
    products = {}
    for campaign in running.select_related("product").order_by("created_at", "pk"):
        by_product[campaign.product_id][campaign.stage].append(campaign)
        products[campaign.product_id] = campaign.product
    judged, unfinished = {}, {}
    for product_pk, stages in by_product.items():
        present = [stage for stage in ORDER if stage in stages]
        current = present[-1]  # the rule of campaigns.selectors.product_stage, on rows already loaded
        if len(present) > 1:
            unfinished[product_pk] = (present, current)
        elif current in NEXT:
            judged[product_pk] = current
    strategies = strategies_for(campaigns=[stages[s][0] for pk, stages in by_product.items() for s in stages])
    since = _stages_since(advertiser, set(by_product))
    daily = _stage_daily(by_product, judged, day)
    changes = []
    for product_pk, stage in judged.items():
        campaigns = by_product[product_pk][stage]
        strategy = strategies[campaigns[0].pk]
        start = since.get((product_pk, stage))
        rows = [row for row in daily[product_pk] if start is None or row["date"] >= start]
        verdict = _launch_ready(strategy, rows) if stage == Stage.LAUNCH else _hit_ready(strategy, rows, day)
        to_stage = NEXT[stage]
        if not verdict.met:
            changes.append(StageChange(
                product_pk, advertiser.pk, stage, to_stage, applied=False, reason=verdict.reason, trigger=verdict.trigger,
                campaign_pk=None, ads=[], note=_("thresholds not met"),
            ))
            continue
        carry, picked = _proven(campaigns, to_stage, strategy, start, day, advertiser.timezone)
        if not carry and to_stage == Stage.HIT:
            note = _("no creative spent %(share)s of its budget at ROAS ≥ target: the product stays in heat") % {
                "share": f"{Decimal(strategy.hit_min_delivery):.0%}"}
            changes.append(StageChange(
                product_pk, advertiser.pk, stage, to_stage, applied=False, reason=verdict.reason, trigger=verdict.trigger,
                campaign_pk=None, ads=[], note=note,
            ))
            continue
        carry, picked = _start_budgets(advertiser, campaigns, carry, picked, to_stage, strategy)
        changes.append(_switch(
            product=products[product_pk], advertiser=advertiser, from_stage=stage, to_stage=to_stage, old_campaigns=campaigns,
            carry=carry, actor=actor, reason=verdict.reason, trigger={**verdict.trigger, "creatives": picked}, day=day,
            dry_run=strategy.dry_run,
        ))
    for product_pk, (present, current) in unfinished.items():
        old = [c for stage in present[:-1] for c in by_product[product_pk][stage]]
        strategy = strategies[by_product[product_pk][current][0].pk]
        from_stage = present[-2]
        carry, picked = _proven(old, current, strategy, since.get((product_pk, from_stage)), day, advertiser.timezone)
        carry, picked = _start_budgets(advertiser, old, carry, picked, current, strategy)
        reason = _("finishing the unfinished switch from %(old)s to %(new)s: both stages were still running") % {
            "old": ", ".join(present[:-1]), "new": current,
        }
        changes.append(_switch(
            product=products[product_pk], advertiser=advertiser, from_stage=from_stage, to_stage=current, old_campaigns=old,
            carry=carry, actor=actor, reason=reason, trigger={"running_stages": present, "creatives": picked}, day=day,
            dry_run=strategy.dry_run,
        ))
    return changes


def _stages_since(advertiser: AdvertiserAccount, product_pks: set[int]) -> dict[tuple[int, str], dt.date]:
    """(product, stage) → the day the product last entered that stage by a switch; absent
    when it has been there since its first launch (all its numbers count)."""
    entries = (
        ActionLog.objects.filter(
            action="stage_change", outcome=ActionLog.Outcome.DONE, dry_run=False, advertiser=advertiser,
            campaign__product_id__in=product_pks,
        )
        .order_by("at", "pk")
        .values_list("campaign__product_id", "after", "trigger")
    )
    since = {}
    for product_pk, after, trigger in entries:
        stage, day = (after or {}).get("stage"), (trigger or {}).get("day")
        if stage and day:
            since[(product_pk, stage)] = dt.date.fromisoformat(day)
    return since


def _stage_daily(by_product, judged: dict[int, str], day: dt.date) -> dict[int, list[dict]]:
    """product → its judged stage's totals per complete day (all that stage's ads), by date."""
    product_of = {c.pk: pk for pk, stage in judged.items() for c in by_product[pk][stage]}
    rows = (
        PerformanceDaily.objects.filter(ad__adgroup__campaign__in=list(product_of), date__lt=day)
        .values("ad__adgroup__campaign_id", "date")
        .annotate(impressions=Sum("impressions"), clicks=Sum("clicks"), spend=Sum("spend"), value=Sum("conversion_value"))
        .order_by("date")
    )
    totals: dict[int, dict[dt.date, dict]] = defaultdict(dict)
    for row in rows:
        per_day = totals[product_of[row["ad__adgroup__campaign_id"]]]
        empty = {"date": row["date"], "impressions": 0, "clicks": 0, "spend": Decimal("0"), "value": Decimal("0")}
        slot = per_day.setdefault(row["date"], empty)
        for key in ("impressions", "clicks", "spend", "value"):
            slot[key] += row[key] or 0
    return {pk: sorted(totals[pk].values(), key=lambda r: r["date"]) for pk in judged}


def _launch_ready(strategy: Strategy, rows: list[dict]) -> _Verdict:
    """launch → heat: cumulative impressions ≥ N and the daily CTR over the last k days with
    impressions has a coefficient of variation (population std ÷ mean) ≤ x."""
    impressions = sum(row["impressions"] for row in rows)
    k = max(1, strategy.heat_ctr_days)
    days = [row for row in rows if row["impressions"] > 0][-k:]
    ctrs = [row["clicks"] / row["impressions"] for row in days]
    mean = statistics.fmean(ctrs) if ctrs else 0.0
    cv = statistics.pstdev(ctrs) / mean if len(ctrs) == k and mean > 0 else None
    limit = Decimal(strategy.heat_ctr_max_cv)
    trigger = {
        "impressions": impressions,
        "heat_min_impressions": strategy.heat_min_impressions,
        "ctr_days": [{"date": row["date"].isoformat(), "ctr": round(ctr, 6)} for row, ctr in zip(days, ctrs, strict=True)],
        "ctr_cv": None if cv is None else round(cv, 4),
        "heat_ctr_days": k,
        "heat_ctr_max_cv": str(limit),
    }
    numbers = {"impressions": impressions, "minimum": strategy.heat_min_impressions, "n": len(ctrs), "k": k, "limit": limit}
    if impressions < strategy.heat_min_impressions:
        return _Verdict(False, _("cumulative impressions %(impressions)s < %(minimum)s") % numbers, trigger)
    if len(ctrs) < k:
        return _Verdict(False, _("only %(n)d of %(k)d days with impressions to judge CTR stability") % numbers, trigger)
    if cv is None:
        return _Verdict(False, _("no clicks in the last %(k)d days: CTR stability cannot be judged") % numbers, trigger)
    if Decimal(str(cv)) > limit:
        return _Verdict(False, _("daily CTR is not stable: CV %(cv).3f > %(limit)s over %(k)d days") % {**numbers, "cv": cv}, trigger)
    return _Verdict(True, _(
        "cumulative impressions %(impressions)s ≥ %(minimum)s and daily CTR stable (CV %(cv).3f ≤ %(limit)s over %(k)d days)"
    ) % {**numbers, "cv": cv}, trigger)


def _hit_ready(strategy: Strategy, rows: list[dict], day: dt.date) -> _Verdict:
    """heat → hit: the stage's ROAS (value ÷ spend) ≥ target on each of the last N days,
    every one of them with spend."""
    n = max(1, strategy.hit_roas_days)
    target = Decimal(strategy.target_roas)
    by_date = {row["date"]: row for row in rows}
    series, missing, below = [], [], []
    until = strategy.judged_until(day)
    for offset in range(n, 0, -1):
        date = until - dt.timedelta(days=offset)
        row = by_date.get(date)
        spend = row["spend"] if row else Decimal("0")
        roas = (row["value"] / spend) if spend > 0 else None
        series.append({"date": date.isoformat(), "spend": str(spend), "roas": None if roas is None else round(float(roas), 4)})
        if roas is None:
            missing.append(date.isoformat())
        elif roas < target:
            below.append(date.isoformat())
    trigger = {"roas_days": series, "target_roas": str(target), "hit_roas_days": n}
    numbers = {"n": n, "target": target, "days": ", ".join(missing or below)}
    if missing:
        return _Verdict(False, _("no spend on %(days)s: ROAS needs %(n)d consecutive days with spend") % numbers, trigger)
    if below:
        return _Verdict(False, _("ROAS below the target %(target)s on %(days)s") % numbers, trigger)
    return _Verdict(True, _("ROAS ≥ target %(target)s on each of the last %(n)d days") % numbers, trigger)


def _proven(old_campaigns: list[Campaign], to_stage: str, strategy: Strategy, since: dt.date | None, day: dt.date, tz_name: str):
    """The creatives a switch carries, each with its old ad group's budget: the running ads of
    the old stage; into hit, only those whose own ROAS over the heat stage reaches the target
    and whose spend over the judged days reached `hit_min_delivery` of the daily budgets it had
    on those days (not today's, which the budget rule may have raised or cut since) — a
    ROAS bid delivers any creative at about the target, but one that cannot reach it at
    volume only in a trickle, and lowest-cost buying would then show its true, lower ROAS.
    None qualifies: nothing is carried (the product stays in heat); with the share at 0, the
    single best creative by ROAS is. The carried creatives' variants too new to have been
    judged go along as well (`_too_new`, marked "new" in the trigger): pausing them with the
    heat stage would drop a variant before anyone could read it.
    Returns ({job: budget}, the trigger's account of the choice)."""
    ads = _running_ads(old_campaigns)
    roas, delivery, new = {}, {}, []
    if to_stage == Stage.HIT and any(c.stage == Stage.HEAT for c in old_campaigns):
        # One query: each ad's spend and value over its heat days, and its spend over the days
        # the heat → hit check judged (for the delivery share).
        n = max(1, strategy.hit_roas_days)
        until = strategy.judged_until(day)
        judged = Q(date__gte=until - dt.timedelta(days=n), date__lt=until)
        heat = Q(date__gte=since) if since is not None else Q()
        rows = (
            PerformanceDaily.objects.filter(ad__in=ads, date__lt=day)
            .values("ad_id")
            .annotate(heat_spend=Sum("spend", filter=heat), heat_value=Sum("conversion_value", filter=heat), recent=Sum("spend", filter=judged))
        )
        recent = {}
        for row in rows:
            if row["heat_spend"]:
                roas[row["ad_id"]] = row["heat_value"] / row["heat_spend"]
            recent[row["ad_id"]] = Decimal(row["recent"] or 0)
        # Against the budgets those days had: the budget rule may have raised a winner's since
        # (or cut a loser's), which today's budget would misjudge.
        dates = [until - dt.timedelta(days=offset) for offset in range(n, 0, -1)]
        adgroups = list({ad.adgroup_id: ad.adgroup for ad in ads}.values())
        budgets = budgets_by_day(adgroups, dates, tz_name)
        offered = {ad.pk: sum(budgets[ad.adgroup_id].values(), Decimal("0")) for ad in ads}
        delivery = {ad.pk: recent.get(ad.pk, Decimal("0")) / offered[ad.pk] for ad in ads if offered[ad.pk]}
        target, minimum = Decimal(strategy.target_roas), Decimal(strategy.hit_min_delivery or 0)
        winners = [
            ad for ad in ads
            if roas.get(ad.pk) is not None and roas[ad.pk] >= target and delivery.get(ad.pk, Decimal("0")) >= minimum
        ]
        if not winners and ads and not minimum:
            winners = [max(ads, key=lambda ad: (roas.get(ad.pk, Decimal("-1")), -ad.pk))]
        new = _too_new([ad for ad in ads if ad not in winners], winners, dates[0], tz_name)
        ads = winners + new
    return _carry_of(ads, roas, delivery, new)


def _too_new(ads: list[Ad], winners: list[Ad], first_judged: dt.date, tz_name: str) -> list[Ad]:
    """The variants of the carried creatives (or variants of their variants) whose ad group
    started delivering after the first day the heat → hit check judged (or has not delivered
    yet and was made after it): the optimization loop launched them a day or two before the
    switch. They have not had the judged days, so their own ROAS and delivery say nothing yet;
    what speaks for them is the creative they descend from, which just qualified (a variant
    stays near its parent). Each goes into hit at its own heat budget, and the hit stage's
    rules judge it once its learning days are past. A new creative that descends from none of
    the carried ones stays behind with them."""
    if not ads or not winners:
        return []
    parent_of = dict(VideoJob.objects.filter(product__in={ad.job.product_id for ad in ads}).values_list("pk", "parent_id"))
    carried = {ad.job_id for ad in winners}

    def descends(job_pk: int | None) -> bool:
        seen = set()
        while job_pk is not None and job_pk not in seen:
            seen.add(job_pk)
            job_pk = parent_of.get(job_pk)
            if job_pk in carried:
                return True
        return False

    ads = [ad for ad in ads if descends(ad.job_id)]
    if not ads:
        return []
    first = first_delivery_days(adgroups=[ad.adgroup_id for ad in ads])
    started = {
        ad.pk: first.get(ad.adgroup_id) or (ad.adgroup.schedule_start_time or ad.adgroup.created_at).astimezone(clock.zone(tz_name)).date()
        for ad in ads
    }
    return [ad for ad in ads if started[ad.pk] > first_judged]


def _start_budgets(advertiser: AdvertiserAccount, old_campaigns: list[Campaign], carry: dict, picked: list[dict], to_stage: str,
                   strategy: Strategy) -> tuple[dict, list[dict]]:
    """Into hit (PRD §12.2 "lowest cost + a high budget cap"), each carried creative starts at
    `hit_start_budget` (never below its old budget, never above the ad group cap), as far as
    the account's daily cap leaves room once the old stage's ad groups stop: the room is
    shared evenly, rounded down, so the committed total never passes the cap. A creative too
    new to have been judged keeps its heat budget: the room goes to the proven ones."""
    start = Decimal(strategy.hit_start_budget or 0)
    proven = {entry["job"] for entry in picked if not entry.get("new")}
    grown = [job for job in carry if str(job.job_id) in proven]
    if to_stage != Stage.HIT or not start or not grown:
        return carry, picked
    staying = AdGroup.objects.filter(
        campaign__advertiser=advertiser, campaign__status=OperationStatus.ENABLE, status=OperationStatus.ENABLE,
    ).exclude(adgroup_id="").exclude(campaign__in=old_campaigns)
    room = account_headroom(advertiser, staying) - sum(carry.values(), Decimal("0"))
    extra = (max(room, Decimal("0")) / len(grown)).quantize(CENT, rounding=ROUND_DOWN)
    cap = Decimal(strategy.adgroup_budget_cap)
    budgets = {job: max(budget, min(start, budget + extra, cap)) if job in grown else budget for job, budget in carry.items()}
    by_job = {str(job.job_id): budget for job, budget in budgets.items()}
    return budgets, [{**entry, "budget": str(by_job[entry["job"]])} for entry in picked]


def _running_ads(campaigns: list[Campaign]) -> list[Ad]:
    return list(
        Ad.objects.filter(adgroup__campaign__in=campaigns, status=OperationStatus.ENABLE, adgroup__status=OperationStatus.ENABLE)
        .select_related("adgroup", "job__product")
        .order_by("pk")
    )


def _carry_of(ads: list[Ad], roas: dict | None = None, delivery: dict | None = None, new: list[Ad] = ()):
    """{job: the budget its new ad group gets (its old one's, at least TikTok's minimum)} and
    the trigger's account of the choice."""
    roas, delivery = roas or {}, delivery or {}
    carry: dict[VideoJob, Decimal] = {}
    for ad in ads:
        carry[ad.job] = max(carry.get(ad.job, MIN_ADGROUP_DAILY_BUDGET), Decimal(ad.adgroup.budget))
    picked = [
        {
            "ad": ad.pk, "job": str(ad.job.job_id),
            **({"roas": round(float(roas[ad.pk]), 4)} if ad.pk in roas else {}),
            **({"delivery": round(float(delivery[ad.pk]), 4)} if ad.pk in delivery else {}),
            **({"new": True} if ad in new else {}),
        }
        for ad in ads
    ]
    return carry, picked


# --- the hand override -----------------------------------------------------------------

def stage_set(*, product, advertiser: AdvertiserAccount, stage: str, actor: Actor, reason: str = "") -> StageChange:
    """A manager moves a product to `stage` (any direction), without thresholds. The
    creatives carried are the running ads of the current stage, else the finished videos that
    had ads there. Acts whatever the kill switch and dry run say: those govern automation."""
    if stage not in STAGE_PLANS:
        raise CampaignError(_("unknown stage %(stage)r; choose one of %(stages)s") % {"stage": stage, "stages": ", ".join(STAGE_PLANS)})
    current = product_stage(product=product, advertiser=advertiser)
    day = clock.today(advertiser.timezone)
    old = list(
        Campaign.objects.filter(product=product, advertiser=advertiser, status=OperationStatus.ENABLE)
        .exclude(stage=stage)
        .order_by("created_at", "pk")
    )
    if current == stage and not old:
        return StageChange(
            product.pk, advertiser.pk, current, stage, applied=False, reason=reason, trigger={}, campaign_pk=None, ads=[],
            note=_("already in the %(stage)s stage: nothing to do") % {"stage": stage},
        )
    from_stage = current if current != stage else max((c.stage for c in old), key=ORDER.index)
    carry, picked = _carry_of(_running_ads([c for c in old if c.stage == from_stage]))
    if not carry:
        carry, picked = _done_creatives(product, advertiser, from_stage)
    anchor = old[0] if old else Campaign.objects.filter(product=product, advertiser=advertiser).order_by("-created_at", "-pk").first()
    reason = reason or _("stage set by hand to %(stage)s by %(actor)s") % {"stage": stage, "actor": actor}
    return _switch(
        product=product, advertiser=advertiser, from_stage=from_stage, to_stage=stage, old_campaigns=old, carry=carry,
        actor=actor, reason=reason, trigger={"manual": True, "creatives": picked}, day=day, dry_run=False, anchor=anchor,
    )


def _done_creatives(product, advertiser: AdvertiserAccount, stage: str | None):
    """Nothing runs: the finished videos that had ads in `stage` (any stage when None)."""
    adgroups = AdGroup.objects.filter(
        campaign__product=product, campaign__advertiser=advertiser, job__status=VideoJob.Status.DONE, ads__isnull=False,
    ).exclude(adgroup_id="")
    if stage:
        adgroups = adgroups.filter(campaign__stage=stage)
    carry: dict[VideoJob, Decimal] = {}
    for adgroup in adgroups.select_related("job__product").distinct().order_by("pk"):
        carry[adgroup.job] = max(carry.get(adgroup.job, MIN_ADGROUP_DAILY_BUDGET), Decimal(adgroup.budget))
    return carry, [{"job": str(job.job_id)} for job in carry]


# --- the switch --------------------------------------------------------------------------

def _switch(
    *, product, advertiser: AdvertiserAccount, from_stage: str | None, to_stage: str, old_campaigns: list[Campaign],
    carry: dict[VideoJob, Decimal], actor: Actor, reason: str, trigger: dict, day: dt.date, dry_run: bool,
    anchor: Campaign | None = None,
) -> StageChange:
    trigger = {**trigger, "day": day.isoformat()}
    before = {"stage": from_stage, "campaign": [c.pk for c in old_campaigns]}
    anchor = old_campaigns[0] if old_campaigns else anchor
    result = StageChange(product.pk, advertiser.pk, from_stage, to_stage, False, reason, trigger, None, [])
    if not carry:
        result.note = _("no running creative to carry into the %(stage)s stage") % {"stage": to_stage}
        _log_failed(anchor, actor=actor, before=before, to_stage=to_stage, reason=reason, trigger=trigger, error=result.note)
        return result
    if dry_run:
        if anchor is not None:
            with transaction.atomic():
                action_log_record(
                    actor=actor, action="stage_change", obj=anchor, before=before,
                    after={"stage": to_stage, "creatives": [str(job.job_id) for job in carry]},
                    reason=reason, trigger=trigger, remote_id=anchor.campaign_id, dry_run=True,
                )
        result.note = _("dry run")
        return result
    target = _target_campaign(product, advertiser, to_stage)
    was_running = target is not None and target.status == OperationStatus.ENABLE
    try:
        _resume_paused(target, jobs=list(carry), actor=actor, reason=reason, trigger=trigger)
        ads = [
            ad_launch(job=job, advertiser=advertiser, stage=to_stage, budget=budget, actor=actor, reason=reason)
            for job, budget in carry.items()
        ]
        objects_status_set(
            objs=[c for c in old_campaigns if c.status == OperationStatus.ENABLE], status=OperationStatus.DISABLE,
            actor=actor, reason=reason, trigger=trigger,
        )
    except CampaignError as exc:
        new = _target_campaign(product, advertiser, to_stage)
        if new is not None and new.status == OperationStatus.ENABLE and not was_running:
            _undo(new, actor=actor, reason=reason)
        result.note = str(exc)
        _log_failed(new or anchor, actor=actor, before=before, to_stage=to_stage, reason=reason, trigger=trigger, error=str(exc))
        return result
    campaign = ads[0].adgroup.campaign
    after = {"stage": to_stage, "campaign": campaign.pk, "ads": [ad.pk for ad in ads]}
    with transaction.atomic():
        action_log_record(
            actor=actor, action="stage_change", obj=campaign, before=before, after=after, reason=reason, trigger=trigger,
            remote_id=campaign.campaign_id,
        )
    result.applied, result.campaign_pk, result.ads = True, campaign.pk, after["ads"]
    return result


def _target_campaign(product, advertiser: AdvertiserAccount, stage: str) -> Campaign | None:
    """The campaign ad_launch will use for `stage` (the oldest re-usable one)."""
    return (
        Campaign.objects.filter(advertiser=advertiser, product=product, stage=stage, status__in=REUSABLE)
        .select_related("advertiser")
        .order_by("created_at")
        .first()
    )


def _resume_paused(campaign: Campaign | None, *, jobs: list[VideoJob], actor: Actor, reason: str, trigger: dict) -> None:
    """ad_launch refuses paused objects: resume the stage's campaign and, for the carried
    creatives, the ad group ad_launch will re-use and its paused ads."""
    if campaign is None:
        return
    if campaign.status == OperationStatus.DISABLE:
        object_status_set(obj=campaign, status=OperationStatus.ENABLE, actor=actor, reason=reason, trigger=trigger)
    first: dict[int, AdGroup] = {}
    for adgroup in AdGroup.objects.filter(campaign=campaign, job__in=jobs, status__in=REUSABLE).select_related(
        "campaign__advertiser"
    ).order_by("created_at"):
        first.setdefault(adgroup.job_id, adgroup)
    paused = [g for g in first.values() if g.status == OperationStatus.DISABLE]
    objects_status_set(objs=paused, status=OperationStatus.ENABLE, actor=actor, reason=reason, trigger=trigger)
    ads = list(
        Ad.objects.filter(adgroup__in=list(first.values()), job__in=jobs, status=OperationStatus.DISABLE)
        .select_related("adgroup__campaign__advertiser")
    )
    objects_status_set(objs=ads, status=OperationStatus.ENABLE, actor=actor, reason=reason, trigger=trigger)


def _undo(campaign: Campaign, *, actor: Actor, reason: str) -> None:
    """A failed switch re-pauses the new stage's campaign it resumed or created, so only the
    old stage runs; a re-run resumes it and finishes."""
    try:
        object_status_set(
            obj=campaign, status=OperationStatus.DISABLE, actor=actor, reason=_("the stage switch failed: %(reason)s") % {"reason": reason},
        )
    except CampaignError:
        pass  # logged by the service; the next stages_check finishes or the manager retries


def _log_failed(obj: Campaign | None, *, actor, before, to_stage, reason, trigger, error) -> None:
    if obj is None:
        return
    with transaction.atomic():
        action_log_record(
            actor=actor, action="stage_change", obj=obj, before=before, after={"stage": to_stage}, reason=reason, trigger=trigger,
            outcome=ActionLog.Outcome.FAILED, error=error, remote_id=obj.campaign_id,
        )
