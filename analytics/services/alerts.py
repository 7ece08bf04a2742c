"""Alerts (PRD §13.3): the rules that stop money from burning, and the notifications about them.

`alerts_evaluate` applies three rules to one advertiser's day, each with its own pause:

    ad ROAS over the window < alert_roas_floor (with min_spend and min_conversions) → pause the ad
        (heat and hit stages only: launch-stage ads are bought for views, not sales; not while
        the window holds the ad group's first `learning_days` days, TikTok's learning phase)
    an ad group's spend on the day > its budget_cap (else adgroup_budget_cap)    → pause the ad group
    the account's spend on the day > its daily_spend_cap (else account_daily_cap) → CRITICAL, pause every running campaign

Every condition gets one Alert per day (its `dedupe_key`, unique in the DB). The kill switch
turns pauses into alerts only, dry run into "would do" ActionLog rows without calling TikTok;
the global switch wins over a campaign's "off". Once an alert's pause is done it is never
repeated that day, so a person who resumes the object keeps the last word. The SQL statements
are constant in the number of ads and alerts, apart from writes of up to 1,000 rows each (the
pauses with their ActionLog rows, the new alerts); HTTP calls go in TikTok's batches of 20.

Notifications go after commit, one message per evaluation (robots accept ~20 a minute), to
every channel in settings.ALERT_CHANNELS; a failing channel is logged and never blocks the
pause or the other channels.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import partial
from typing import Any

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from adloop import clock
from analytics.models import Alert, PerformanceDaily
from analytics.selectors import first_delivery_days
from campaigns.errors import CampaignError
from campaigns.models import Ad, AdGroup, AdvertiserAccount, Campaign, OperationStatus, Publication, Stage
from campaigns.services.controls import WRITE_CHUNK, objects_status_apply
from campaigns.stages import ORDER
from integrations.notify import PLATFORMS, NotifyError, WebhookNotifier
from scheduler.rules import judged_roas
from scheduler.services import Actor, action_log_build, action_logs_record
from scheduler.services_settings import Strategy, strategies_for, strategy_for

log = logging.getLogger(__name__)

REFS = frozenset({"advertiser", "campaign", "ad", "publication", "details"})
_RELATIONS = [field.name for field in Alert._meta.concrete_fields if field.is_relation]
SEVERITY_RANK = {Alert.Severity.INFO: 0, Alert.Severity.WARNING: 1, Alert.Severity.CRITICAL: 2}
CENT = Decimal("0.01")


class Outcome:
    """What happened to the objects an alert is about (Alert.details["outcome"])."""

    PAUSED = "paused"
    PAUSE_FAILED = "pause_failed"
    WOULD_PAUSE = "would_pause"
    KILL_SWITCH = "kill_switch"


@dataclass
class Finding:
    kind: str
    severity: str
    key: str
    message: str
    objs: list  # what to pause, all of one level
    done: str  # "paused the ad", completing the alert's "Automation …." / "Dry run: would have …"
    reason: str  # the ActionLog reason of each pause
    shared: dict  # the rule's thresholds, in each pause's ActionLog trigger
    values: dict | None  # the object's own metric values, under trigger["metrics"][str(pk)]
    kill: bool
    dry: bool
    refs: dict = field(default_factory=dict)

    @property
    def planned(self) -> str:
        return Outcome.KILL_SWITCH if self.kill else Outcome.WOULD_PAUSE if self.dry else Outcome.PAUSED


def alerts_evaluate(*, advertiser: AdvertiserAccount, day: dt.date | None = None, actor: Actor | None = None) -> list[Alert]:
    """Apply the alert rules to `advertiser` on `day` (default: its today); return the alerts created."""
    actor = actor or Actor.auto()
    day = day or clock.today(advertiser.timezone)
    base = strategy_for(None)
    running = OperationStatus.ENABLE
    # Plain rows (pk, campaign pk, …), not model instances: a run reads every running ad and ad
    # group, and only the few a rule flags are loaded in full, to be paused and named.
    ads = list(
        # Only what delivers: an ad under a paused ad group or campaign spends nothing.
        Ad.objects.filter(adgroup__campaign__advertiser=advertiser, status=running, adgroup__status=running, adgroup__campaign__status=running)
        .exclude(ad_id="")
        # Launch-stage ads are bought for views (PRD §三): their ROAS is not yet their KPI.
        .exclude(adgroup__campaign__stage=Stage.LAUNCH)
        .order_by("pk")
        .values_list("pk", "adgroup", "adgroup__campaign", named=True)
    )
    adgroups = list(
        AdGroup.objects.filter(campaign__advertiser=advertiser, status=running, campaign__status=running)
        .exclude(adgroup_id="")
        .order_by("pk")
        .values_list("pk", "campaign", "budget_cap", named=True)
    )
    # The day's spend by ad group (every ad's, paused ones too), summed on its own, not LEFT
    # JOINed to the ad groups: right after a pull, PostgreSQL's statistics have not yet seen
    # the day's new rows, estimate one, and loop over all of them for every ad group (N², 6 s
    # at 20,000 ads). An inner join from the day's rows has no such plan.
    day_spend = dict(
        PerformanceDaily.objects.filter(ad__adgroup__campaign__advertiser=advertiser, date=day)
        .order_by()
        .values("ad__adgroup")  # the GROUP BY
        .annotate(spend=Sum("spend"))
        .values_list("ad__adgroup", "spend")
    )
    campaign_pks = {ad.adgroup__campaign for ad in ads} | {adgroup.campaign for adgroup in adgroups}
    effective = {pk: _effective(strategy, base) for pk, strategy in strategies_for(campaigns=campaign_pks).items()}
    findings = [
        *_account_findings(advertiser, day, _effective(base, base)),
        *_adgroup_findings(advertiser, day, adgroups, day_spend, effective),
        *_low_roas_findings(advertiser, day, ads, effective),
    ]
    return _act(findings, actor=actor, notices=_nothing_running(advertiser, day))


def _nothing_running(advertiser: AdvertiserAccount, day: dt.date) -> list[Alert]:
    """One warning a day for each product whose stage has running campaigns but not one running
    ad in a running ad group: the rules (or a person) paused every ad, so it spends nothing, and
    with no creative running there is no winner for the optimization loop either. Nothing is
    changed; a person decides (resume an ad, move the stage, make new creatives). One query;
    returns the alerts built, unsaved (`_act` inserts them with the rules' alerts)."""
    live = Q(adgroups__status=OperationStatus.ENABLE, adgroups__ads__status=OperationStatus.ENABLE)
    rows = (
        Campaign.objects.filter(advertiser=advertiser, status=OperationStatus.ENABLE, product__isnull=False)
        .exclude(campaign_id="")
        .values("product", "product__name", "stage")
        .annotate(ads=Count("adgroups__ads", filter=live), first=Min("pk"))
        .order_by("product", "stage")
    )
    by_product: dict[int, dict[str, dict]] = defaultdict(dict)
    for row in rows:  # one row per product and stage
        by_product[row["product"]][row["stage"]] = row
    alerts = []
    for stages in by_product.values():
        stage = [s for s in ORDER if s in stages][-1]  # the later stage runs while a switch finishes
        row = stages[stage]
        if row["ads"]:
            continue
        message = _(
            "Nothing of %(product)s is running in the %(stage)s stage: every ad is paused, so it spends nothing and "
            "the optimization loop has no winner to vary. Resume an ad, move the product to another stage, or make new creatives."
        ) % {"product": row["product__name"], "stage": Stage(stage).label}
        alerts.append(_alert_build(
            kind=Alert.Kind.NOTHING_RUNNING, severity=Alert.Severity.WARNING, message=message,
            dedupe_key=f"nothing_running:{advertiser.pk}:{row['product']}:{day.isoformat()}",
            advertiser=advertiser, campaign_id=row["first"], details={"product": row["product"], "stage": stage, "day": day},
            validate_relations=False,
        ))
    return alerts


def alert_raise(*, kind: str, severity: str, message: str, dedupe_key: str, notify: bool = True, **refs) -> Alert | None:
    """Create an alert unless one with this `dedupe_key` exists (then None); notify after commit.
    `refs`: advertiser, campaign, ad, publication, details."""
    unknown = set(refs) - REFS
    if unknown:
        raise TypeError(f"alert_raise() got unexpected arguments {sorted(unknown)}")
    if dedupe_key and Alert.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    # The unique dedupe_key is settled by the INSERT below.
    alert = _alert_build(kind=kind, severity=severity, message=message, dedupe_key=dedupe_key, **refs)
    try:
        with transaction.atomic():
            alert.save()
            if notify:
                transaction.on_commit(partial(alerts_notify, alert_ids=[alert.pk]), robust=True)
    except IntegrityError:
        return None  # a concurrent run raised the same alert a moment ago
    return alert


def alert_publication_failed(*, publication: Publication, error: str) -> Alert:
    """Record a failed organic post (track A): one alert per publication and attempt."""
    key = f"publish_failed:{publication.pk}:{publication.attempts}"
    message = _("Publishing %(job)s to %(account)s failed (attempt %(n)d): %(error)s") % {
        "job": publication.job, "account": publication.account, "n": publication.attempts, "error": error[:500],
    }
    details = {"error": error, "attempts": publication.attempts, "account": publication.account_id}
    alert = alert_raise(
        kind=Alert.Kind.PUBLISH_FAILED,
        severity=Alert.Severity.WARNING,
        message=message,
        dedupe_key=key,
        publication=publication,
        details=details,
    )
    return alert or Alert.objects.get(dedupe_key=key)


def alerts_notify(*, alert_ids: list[int]) -> bool:
    """Send the alerts at or above ALERT_NOTIFY_MIN_SEVERITY, as one message, to every channel;
    mark them notified when at least one channel took it. Never raises for a channel."""
    floor = SEVERITY_RANK[settings.ALERT_NOTIFY_MIN_SEVERITY]
    alerts = [
        alert
        for alert in Alert.objects.filter(pk__in=alert_ids).select_related("advertiser").order_by("pk")
        if SEVERITY_RANK[alert.severity] >= floor
    ]
    webhooks, emails = _channels()
    if not alerts or not (webhooks or emails):
        return False
    title, text = _compose(alerts)
    delivered = 0
    notifier = WebhookNotifier(timeout=settings.ALERT_WEBHOOK_TIMEOUT)
    for platform, url, secret in webhooks:
        try:
            notifier.send(platform, url, title=title, text=text, secret=secret)
            delivered += 1
        except (NotifyError, requests.RequestException) as exc:
            log.error("alert notification to %s failed: %s", platform, exc)
    if emails:
        try:
            delivered += send_mail(subject=f"[adloop] {title}", message=text, from_email=None, recipient_list=emails)
        except OSError as exc:  # smtplib.SMTPException and socket errors
            log.error("alert e-mail to %d recipient(s) failed: %s", len(emails), exc)
    if delivered:
        Alert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(notified=True)
    return bool(delivered)


# --- rules ----------------------------------------------------------------------------------


def _effective(strategy: Strategy, base: Strategy) -> Strategy | None:
    if not strategy.alert_enabled:
        return None
    # The global kill switch and dry run are safety catches: a campaign cannot switch them off.
    return replace(strategy, kill_switch=base.kill_switch or strategy.kill_switch, dry_run=base.dry_run or strategy.dry_run)


def _account_findings(advertiser, day, strategy: Strategy | None) -> list[Finding]:
    if strategy is None:
        return []
    day_rows = PerformanceDaily.objects.filter(ad__adgroup__campaign__advertiser=advertiser, date=day)
    total = Decimal(day_rows.aggregate(spend=Sum("spend"))["spend"] or 0).quantize(CENT)
    cap = advertiser.daily_spend_cap if advertiser.daily_spend_cap is not None else strategy.account_daily_cap
    if total <= cap:
        return []
    campaigns = list(
        Campaign.objects.filter(advertiser=advertiser, status=OperationStatus.ENABLE)
        .exclude(campaign_id="")
        .select_related("advertiser")
    )
    return [
        Finding(
            kind=Alert.Kind.SPEND_CAP,
            severity=Alert.Severity.CRITICAL,
            key=f"spend_cap:account:{advertiser.pk}:{day}",
            message=_("Advertiser %(advertiser)s spent %(spend)s %(currency)s on %(day)s, over the account daily cap of %(cap)s.")
            % {"advertiser": advertiser, "spend": total, "currency": advertiser.currency, "day": day, "cap": cap},
            objs=campaigns,
            done=_("paused its %(n)d running campaign(s)") % {"n": len(campaigns)},
            reason=_("account spend %(spend)s on %(day)s over the daily cap %(cap)s") % {"spend": total, "day": day, "cap": cap},
            shared={"rule": "account_cap", "day": day, "spend": total, "cap": cap},
            values=None,
            kill=strategy.kill_switch,
            dry=strategy.dry_run,
            refs={"advertiser": advertiser},
        )
    ]


def _adgroup_findings(
    advertiser, day, rows: list, day_spend: dict[int, Decimal], effective: dict[int, Strategy | None]
) -> list[Finding]:
    """`rows`: (pk, campaign, budget_cap) of each running ad group; `day_spend`: ad group pk → its spend on `day`."""
    over = []
    for row in rows:
        strategy = effective[row.campaign]
        if strategy is None:
            continue
        spend = Decimal(day_spend.get(row.pk) or 0).quantize(CENT)
        cap = row.budget_cap if row.budget_cap is not None else strategy.adgroup_budget_cap
        if spend > cap:
            over.append((row.pk, strategy, spend, cap))
    loaded = _in_bulk(AdGroup.objects.select_related("campaign__advertiser"), [pk for pk, *_rest in over])
    findings = []
    for pk, strategy, spend, cap in over:
        adgroup = loaded[pk]
        findings.append(
            Finding(
                kind=Alert.Kind.SPEND_CAP,
                severity=Alert.Severity.WARNING,
                key=f"spend_cap:adgroup:{adgroup.pk}:{day}",
                message=_("Ad group %(adgroup)s (%(id)s) spent %(spend)s %(currency)s on %(day)s, over its cap of %(cap)s.")
                % {"adgroup": adgroup, "id": adgroup.adgroup_id, "spend": spend, "currency": advertiser.currency, "day": day, "cap": cap},
                objs=[adgroup],
                done=_("paused the ad group"),
                reason=_("ad group spend on %(day)s over its cap") % {"day": day},
                shared={"rule": "adgroup_cap", "day": day},
                values={"spend": spend, "cap": cap},
                kill=strategy.kill_switch,
                dry=strategy.dry_run,
                refs={"advertiser": advertiser, "campaign": adgroup.campaign},
            )
        )
    return findings


def _low_roas_findings(advertiser, day, rows: list, effective: dict[int, Strategy | None]) -> list[Finding]:
    """`rows`: (pk, adgroup__campaign) of each running ad past the launch stage."""
    campaigns_by_window = defaultdict(set)
    for row in rows:
        strategy = effective[row.adgroup__campaign]
        if strategy is not None:
            # Up to today, less the days still gaining late conversions (the budget rule's evidence).
            last = day - dt.timedelta(days=strategy.roas_settle_days)
            campaigns_by_window[(max(strategy.roas_window_days, 1), last)].add(row.adgroup__campaign)
    if not campaigns_by_window:
        return []
    # One query for every ad, whatever mix of windows the campaigns use.
    in_window = Q()
    for (window, last), pks in campaigns_by_window.items():
        in_window |= Q(ad__adgroup__campaign__in=pks, date__range=(last - dt.timedelta(days=window - 1), last))
    sums = {
        row["ad"]: row
        for row in PerformanceDaily.objects.filter(
            in_window, ad__status=OperationStatus.ENABLE, ad__adgroup__campaign__advertiser=advertiser
        )
        .values("ad")
        .annotate(spend=Sum("spend"), value=Sum("conversion_value"), conversions=Sum("conversions"))
    }
    low = []
    for row in rows:
        strategy, total = effective[row.adgroup__campaign], sums.get(row.pk)
        if strategy is None or total is None:
            continue
        spend, value, conversions = Decimal(total["spend"] or 0), Decimal(total["value"] or 0), int(total["conversions"] or 0)
        # The same evidence rule as the budget rule: a small sample is shrunk towards the target.
        roas = judged_roas(strategy=strategy, spend=spend, conversion_value=value)
        enough = spend >= strategy.min_spend and conversions >= strategy.min_conversions
        if roas is not None and enough and roas < float(strategy.alert_roas_floor):
            low.append((row.pk, row.adgroup, strategy, roas, spend, value, conversions))
    # An ad group still in TikTok's learning phase is not judged yet (the budget rule's rule too).
    first = first_delivery_days(adgroups=sorted({adgroup for _pk, adgroup, *_rest in low})) if low else {}
    low = [
        (pk, strategy, roas, spend, value, conversions)
        for pk, adgroup, strategy, roas, spend, value, conversions in low
        if not strategy.learning_in(first.get(adgroup), _window_start(strategy, day))
    ]
    loaded = _in_bulk(Ad.objects.select_related("adgroup__campaign__advertiser"), [pk for pk, *_rest in low])
    findings = []
    for pk, strategy, roas, spend, value, conversions in low:
        ad = loaded[pk]
        window, floor = max(strategy.roas_window_days, 1), strategy.alert_roas_floor
        last = day - dt.timedelta(days=strategy.roas_settle_days)
        findings.append(
            Finding(
                kind=Alert.Kind.LOW_ROAS,
                severity=Alert.Severity.WARNING,
                key=f"low_roas:{ad.pk}:{day}",
                message=_(
                    "Ad %(ad)s (%(id)s): ROAS %(roas)s over the %(window)d day(s) to %(day)s is below %(floor)s "
                    "(spend %(spend)s %(currency)s, value %(value)s, %(conversions)d conversion(s))."
                ) % {
                    "ad": ad, "id": ad.ad_id, "roas": f"{roas:.2f}", "window": window, "day": last, "floor": floor,
                    "spend": f"{spend:.2f}", "currency": advertiser.currency, "value": f"{value:.2f}", "conversions": conversions,
                },
                objs=[ad],
                done=_("paused the ad"),
                reason=_(
                    "ROAS below %(floor)s over the %(window)d day(s) to %(day)s (spend ≥ %(min_spend)s, conversions ≥ %(min_conversions)s)"
                ) % {"floor": floor, "window": window, "day": last, "min_spend": strategy.min_spend, "min_conversions": strategy.min_conversions},
                shared={
                    "rule": "low_roas",
                    "day": last,
                    "window_days": window,
                    "floor": floor,
                    "min_spend": strategy.min_spend,
                    "min_conversions": strategy.min_conversions,
                },
                values={
                    "roas": round(roas, 4),
                    "spend": spend.quantize(CENT),
                    "conversion_value": value.quantize(CENT),
                    "conversions": conversions,
                },
                kill=strategy.kill_switch,
                dry=strategy.dry_run,
                refs={"advertiser": advertiser, "campaign": ad.adgroup.campaign, "ad": ad},
            )
        )
    return findings


def _window_start(strategy: Strategy, day: dt.date) -> dt.date:
    """The first day of the low-ROAS rule's window on `day` (it ends `roas_settle_days` back)."""
    return day - dt.timedelta(days=strategy.roas_settle_days + max(strategy.roas_window_days, 1) - 1)


def _in_bulk(queryset, pks: list[int]) -> dict:
    """The rows of `pks` as model instances by pk, in one query (none without pks)."""
    return {obj.pk: obj for obj in queryset.filter(pk__in=pks)} if pks else {}


# --- acting on the findings -----------------------------------------------------------------


def _act(findings: list[Finding], *, actor: Actor, notices: list[Alert] | None = None) -> list[Alert]:
    """Pause what the findings name, record their alerts, and insert `notices` (alerts that
    pause nothing) with them; one notification for all the new ones."""
    existing = (
        {alert.dedupe_key: alert for alert in Alert.objects.filter(dedupe_key__in=[f.key for f in findings])} if findings else {}
    )
    # A done pause is never repeated (a person may have resumed since); a failed one is retried,
    # and so is one held back by a kill switch or dry run that has been turned off since.
    todo = [
        f for f in findings if f.key not in existing or existing[f.key].details.get("outcome") not in (Outcome.PAUSED, f.planned)
    ]
    outcomes = {f.key: (Outcome.KILL_SWITCH, "") for f in todo if f.kill}
    outcomes |= _log_would_pause([f for f in todo if f.dry and not f.kill], actor=actor)
    outcomes |= _pause([f for f in todo if not (f.dry or f.kill)], actor=actor)
    fresh, retried = list(notices or []), []
    for finding in todo:
        outcome, error = outcomes[finding.key]
        severity = Alert.Severity.CRITICAL if outcome == Outcome.PAUSE_FAILED else finding.severity
        message = finding.message + _suffix(finding, outcome, error)
        details = {"outcome": outcome, "error": error, **finding.shared, **(finding.values or {})}
        prior = existing.get(finding.key)
        if prior is not None:
            prior.severity, prior.message, prior.details = severity, message, _plain(details)
            retried.append(prior)
        else:
            fresh.append(
                _alert_build(
                    kind=finding.kind,
                    severity=severity,
                    message=message,
                    dedupe_key=finding.key,
                    details=details,
                    validate_relations=False,
                    **finding.refs,
                )
            )
    with transaction.atomic():
        Alert.objects.bulk_update(retried, ["severity", "message", "details"], batch_size=WRITE_CHUNK)
        created = _alerts_insert(fresh)
        if created:
            # One message for the run's new alerts, after the commit: a failing channel cannot undo a pause.
            transaction.on_commit(partial(alerts_notify, alert_ids=[alert.pk for alert in created]), robust=True)
    return created


def _alert_build(*, kind: str, severity: str, message: str, dedupe_key: str, validate_relations: bool = True, **refs) -> Alert:
    """A validated, unsaved alert. `validate_relations=False` skips the foreign keys' existence
    checks (one query each), for alerts about rows this run has just read."""
    alert = Alert(kind=kind, severity=severity, message=message, dedupe_key=dedupe_key, **refs)
    alert.details = _plain(alert.details)
    alert.full_clean(exclude=None if validate_relations else _RELATIONS, validate_unique=False, validate_constraints=False)
    return alert


def _alerts_insert(alerts: list[Alert]) -> list[Alert]:
    """Insert `alerts` in statements of up to WRITE_CHUNK rows, skipping a dedupe_key that is
    taken already (the unique constraint decides, also against a concurrent run), and return
    those this call inserted, read back in one query: a row is ours when its created_at is the
    one this call stamped (the INSERT sets it on each object), not a racing run's."""
    if not alerts:
        return []
    Alert.objects.bulk_create(alerts, batch_size=WRITE_CHUNK, ignore_conflicts=True)
    stamped = {alert.dedupe_key: alert.created_at for alert in alerts}
    rows = Alert.objects.filter(dedupe_key__in=list(stamped)).order_by("pk")
    return [row for row in rows if row.created_at == stamped[row.dedupe_key]]


def _suffix(finding: Finding, outcome: str, error: str) -> str:
    # The leading space joins the suffix to the alert's message (Chinese translations drop it).
    if outcome == Outcome.PAUSED:
        return _(" Automation %(done)s.") % {"done": finding.done}
    if outcome == Outcome.WOULD_PAUSE:
        return _(" Dry run: would have %(done)s; nothing changed on TikTok.") % {"done": finding.done}
    if outcome == Outcome.KILL_SWITCH:
        return _(" Kill switch on: nothing was paused.")
    return _(" Pausing failed: %(error)s") % {"error": error}


def _trigger(finding: Finding, obj) -> dict[str, Any]:
    """One pause's ActionLog trigger: the rule's thresholds and, under metrics[str(pk)], this
    object's own values (never its batch's: that would grow with the square of the alerts)."""
    trigger = dict(finding.shared)
    if finding.values is not None:
        trigger["metrics"] = {str(obj.pk): finding.values}
    return _plain(trigger)


def _log_would_pause(findings: list[Finding], *, actor: Actor) -> dict[str, tuple[str, str]]:
    """Dry run: log each pause as "would do" (INSERTs of up to 1,000 rows), call nothing."""
    entries = [
        action_log_build(
            actor=actor,
            action="pause",
            obj=obj,
            before={"status": obj.status},
            after={"status": OperationStatus.DISABLE},
            remote_id=getattr(obj, f"{obj._meta.model_name}_id"),
            reason=finding.reason,
            trigger=_trigger(finding, obj),
            dry_run=True,
            validate_relations=False,  # the objects and their advertiser were read by this run
        )
        for finding in findings
        for obj in finding.objs
    ]
    if entries:
        with transaction.atomic():
            action_logs_record(entries)
    return {finding.key: (Outcome.WOULD_PAUSE, "") for finding in findings}


def _pause(findings: list[Finding], *, actor: Actor) -> dict[str, tuple[str, str]]:
    """Pause every finding's objects: one bulk status change per level (campaigns, ad groups,
    ads), through the controls service, which calls TikTok 20 ids at a time and writes the
    statuses with their ActionLog rows together. A refused call fails only its own objects'
    findings and the next calls still go (after a token problem the advertiser's remaining
    objects fail unsent); every failure has its "failed" ActionLog row."""
    by_level = defaultdict(list)  # model → [(finding, obj)], in the findings' order
    for finding in findings:
        for obj in finding.objs:
            by_level[type(obj)].append((finding, obj))
    failed = {}  # (model, pk) → error
    for model, pairs in by_level.items():
        objs = [obj for _finding, obj in pairs]
        try:
            result = objects_status_apply(
                objs=objs,
                status=OperationStatus.DISABLE,
                actor=actor,
                reasons={obj.pk: finding.reason for finding, obj in pairs},
                triggers={obj.pk: _trigger(finding, obj) for finding, obj in pairs},
            )
        except CampaignError as exc:  # refused before any call (nothing changed)
            log.warning("alert pause of %d %s(s) failed: %s", len(objs), model._meta.model_name, exc)
            failed |= {(model, obj.pk): str(exc) for obj in objs}
            continue
        if result.error is not None:
            log.warning("alert pause of %d %s(s) failed: %s", len(result.failed), model._meta.model_name, result.error)
        failed |= {(model, pk): error for pk, error in result.failed.items()}
    outcomes = {}
    for finding in findings:
        errors = [failed[(type(obj), obj.pk)] for obj in finding.objs if (type(obj), obj.pk) in failed]
        outcomes[finding.key] = (Outcome.PAUSE_FAILED, errors[0]) if errors else (Outcome.PAUSED, "")
    return outcomes


# --- notifications --------------------------------------------------------------------------


def _channels() -> tuple[list[tuple[str, str, str]], list[str]]:
    """settings.ALERT_CHANNELS → ([(platform, url, secret)], [e-mail address])."""
    webhooks, emails = [], []
    for entry in settings.ALERT_CHANNELS:
        platform, _sep, target = entry.partition(":")
        platform, target = platform.strip().lower(), target.strip()
        if platform == "email" and target:
            emails.append(target)
        elif platform in PLATFORMS and target:
            url, _sep, secret = target.partition("|")
            webhooks.append((platform, url.strip(), secret.strip()))
        else:
            # Not the entry itself: a webhook URL is a credential.
            log.error("ALERT_CHANNELS has an entry for %r; expected email or one of %s", platform[:20], ", ".join(PLATFORMS))
    return webhooks, emails


def _compose(alerts: list[Alert]) -> tuple[str, str]:
    worst = max(alerts, key=lambda alert: SEVERITY_RANK[alert.severity])
    if len(alerts) == 1:
        title = f"[{worst.get_severity_display()}] {worst.get_kind_display()}"
    else:
        count = ngettext("%(n)d adloop alert", "%(n)d adloop alerts", len(alerts)) % {"n": len(alerts)}
        title = f"[{worst.get_severity_display()}] {count}"
    lines = [f"- [{alert.get_severity_display()}] {alert.message}" for alert in alerts]
    advertisers = {str(alert.advertiser) for alert in alerts if alert.advertiser_id}
    if len(advertisers) == 1:
        lines.insert(0, _("Advertiser: %(advertiser)s") % {"advertiser": advertisers.pop()})
    return title, "\n".join(lines)


def _plain(value: Any) -> Any:
    """JSON-safe copy: Decimal → str, dates → ISO, recursively (JSONField cannot store them)."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
