"""Pause, resume and budget changes at each level, through TikTok, each logged with its
before/after values in the same transaction as the local change."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from campaigns.errors import BudgetError, CampaignError
from campaigns.models import Ad, AdGroup, Campaign, OperationStatus
from campaigns.stages import MIN_ADGROUP_DAILY_BUDGET, MIN_CAMPAIGN_DAILY_BUDGET
from integrations.tiktok_ads import endpoints
from integrations.tiktok_ads.errors import ApiError, AuthError
from scheduler.models import ActionLog
from scheduler.services import Actor, action_log_build, action_log_record, action_logs_record

from .connect import advertiser_mark_failed, client_for

# model → (remote id field, status endpoint, how to reach the advertiser, its relation path)
_LEVELS = {
    Campaign: ("campaign_id", endpoints.campaign_status_update, lambda o: o.advertiser, "advertiser"),
    AdGroup: ("adgroup_id", endpoints.adgroup_status_update, lambda o: o.campaign.advertiser, "campaign__advertiser"),
    Ad: ("ad_id", endpoints.ad_status_update, lambda o: o.adgroup.campaign.advertiser, "adgroup__campaign__advertiser"),
}
_ACTIONS = {OperationStatus.ENABLE: "resume", OperationStatus.DISABLE: "pause"}
SETTABLE = (OperationStatus.ENABLE, OperationStatus.DISABLE)
# Bulk controls write what TikTok accepted (one UPDATE, one INSERT of log rows) once per this
# many objects: 50 status calls of 20 ids. SQL per run stays flat; a crash between a call
# and the write loses the local record of at most this many changes (TikTok holds them).
WRITE_CHUNK = 1000


def object_status_set(*, obj: Campaign | AdGroup | Ad, status: str, actor: Actor, reason: str = "", trigger: dict | None = None):
    """Pause (DISABLE) or resume (ENABLE) one campaign, ad group or ad."""
    objects_status_set(objs=[obj], status=status, actor=actor, reason=reason, trigger=trigger)
    obj.refresh_from_db()
    return obj


def objects_status_set(
    *, objs: list, status: str, actor: Actor, reason: str = "", trigger: dict | None = None,
    reasons: dict[int, str] | None = None, triggers: dict[int, dict] | None = None,
) -> list:
    """Change the status of many objects of one level, in TikTok batches of at most 20 ids
    per advertiser. Objects already in that status are left alone (and not logged). The
    first refused batch is logged as failed and raises CampaignError; the batches before it
    stay changed. `reasons` / `triggers` (object pk → value) override `reason` / `trigger`."""
    result = objects_status_apply(
        objs=objs, status=status, actor=actor, reason=reason, trigger=trigger, reasons=reasons, triggers=triggers, keep_going=False,
    )
    if result.error is not None:
        text = _("TikTok refused to pause: %(error)s") if status == OperationStatus.DISABLE else _("TikTok refused to resume: %(error)s")
        raise CampaignError(text % {"error": result.error}, retryable=result.error.retryable)
    return result.changed


@dataclass
class BulkResult:
    """What a bulk control did: the objects changed, and those not changed with the reason
    (pk → message); `error` is the first refusal TikTok gave, if any."""

    changed: list = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    error: ApiError | None = None


def objects_status_apply(
    *, objs: list, status: str, actor: Actor, reason: str = "", trigger: dict | None = None,
    reasons: dict[int, str] | None = None, triggers: dict[int, dict] | None = None, keep_going: bool = True,
) -> BulkResult:
    """`objects_status_set` for bulk runs. One remote call per batch of at most 20 ids; the
    local change (one UPDATE … WHERE pk IN) and its ActionLog rows (one INSERT) are written
    together in one transaction for every WRITE_CHUNK objects sent, so a run's SQL does not
    grow with its size. With `keep_going`, a refused batch is logged as failed and the next
    batches still go (a token problem stops that advertiser's remaining batches, logged as
    failed too); without it, the first refusal ends the run."""
    if status not in SETTABLE:
        raise CampaignError(_("status must be ENABLE or DISABLE, not %(status)r") % {"status": status})
    result = BulkResult()
    if not objs:
        return result
    model = type(objs[0])
    id_field, status_update, advertiser_of, path = _LEVELS[model]
    for obj in objs:
        if not getattr(obj, id_field):
            raise CampaignError(
                _("%(type)s %(obj)s was never created on TikTok (%(status)s)")
                % {"type": model._meta.verbose_name, "obj": obj, "status": obj.get_status_display()}
            )
    prefetch_related_objects(objs, path)  # no query for relations the caller already loaded
    reasons, triggers = reasons or {}, triggers or {}
    by_advertiser = defaultdict(list)
    for obj in objs:
        if obj.status != status:
            by_advertiser[advertiser_of(obj)].append(obj)
    writes = _Writes(lambda changed: model.objects.filter(pk__in=[obj.pk for obj in changed]).update(status=status))

    def entry(obj, **values):
        return action_log_build(
            actor=actor, action=_ACTIONS[status], obj=obj, reason=reasons.get(obj.pk, reason), trigger=triggers.get(obj.pk, trigger),
            validate_relations=False, **values,
        )

    try:
        for advertiser, group in by_advertiser.items():
            client = client_for(advertiser)
            batches = list(endpoints.chunks(group, endpoints.MAX_STATUS_IDS))
            for number, batch in enumerate(batches):
                ids = [getattr(obj, id_field) for obj in batch]
                try:
                    status_update(client, advertiser_id=advertiser.advertiser_id, **{f"{id_field}s": ids}, operation_status=status)
                except ApiError as exc:
                    advertiser_mark_failed(advertiser, exc)
                    result.error = result.error or exc
                    failures = [(obj, str(exc), exc.request_id or "") for obj in batch]
                    token_problem = keep_going and isinstance(exc, AuthError)
                    if token_problem:  # every later call of this advertiser would fail the same way
                        failures += [(obj, _("not sent: %(error)s") % {"error": exc}, "") for later in batches[number + 1:] for obj in later]
                    for obj, error, request_id in failures:
                        result.failed[obj.pk] = error
                        writes.log.append(entry(
                            obj, before={"status": obj.status}, after={"status": obj.status}, outcome=ActionLog.Outcome.FAILED,
                            error=error, remote_request_id=request_id,
                        ))
                    if not keep_going:
                        return result
                    if token_problem:
                        break
                    continue
                for obj in batch:
                    writes.log.append(entry(
                        obj, before={"status": obj.status}, after={"status": status},
                        remote_id=getattr(obj, id_field), remote_request_id=client.last_request_id,
                    ))
                writes.changed += batch
                if len(writes.changed) >= WRITE_CHUNK:
                    result.changed += writes.flush()
    finally:
        result.changed += writes.flush()
        for obj in result.changed:
            obj.status = status
    return result


class _Writes:
    """Local changes TikTok has accepted and log entries, waiting to be written together."""

    def __init__(self, apply):
        self.apply = apply
        self.changed: list = []
        self.log: list = []

    def flush(self) -> list:
        changed, log = self.changed, self.log
        self.changed, self.log = [], []  # taken even if the write fails: never written twice
        if changed or log:
            with transaction.atomic():
                if changed:
                    self.apply(changed)
                action_logs_record(log)
        return changed


def adgroup_budget_set(
    *, adgroup: AdGroup, budget: Decimal, actor: Actor, reason: str = "", trigger: dict | None = None, action: str = "budget_change"
) -> AdGroup:
    """Set an ad group's daily budget on TikTok, never below the platform minimum nor above
    the ad group's cap."""
    budget = _adgroup_budget_checked(adgroup, budget)
    if budget == adgroup.budget:
        return adgroup
    before = Decimal(adgroup.budget).quantize(Decimal("0.01"))
    _budget_change_apply(
        obj=adgroup, advertiser=adgroup.campaign.advertiser, action=action, before={"budget": before}, after={"budget": budget},
        remote_id=adgroup.adgroup_id, actor=actor, reason=reason, trigger=trigger,
        call=lambda client: endpoints.adgroup_budget_update(
            client, advertiser_id=adgroup.campaign.advertiser.advertiser_id, budgets={adgroup.adgroup_id: budget}
        ),
    )
    return adgroup


def _adgroup_budget_checked(adgroup: AdGroup, budget: Decimal) -> Decimal:
    budget = Decimal(budget).quantize(Decimal("0.01"))
    if budget < MIN_ADGROUP_DAILY_BUDGET:
        raise BudgetError(
            _("daily budget %(budget)s is below TikTok's minimum of %(minimum)s") % {"budget": budget, "minimum": MIN_ADGROUP_DAILY_BUDGET}
        )
    if adgroup.budget_cap is not None and budget > adgroup.budget_cap:
        raise BudgetError(
            _("daily budget %(budget)s is above this ad group's cap of %(cap)s") % {"budget": budget, "cap": adgroup.budget_cap}
        )
    if not adgroup.adgroup_id:
        raise BudgetError(_("ad group %(adgroup)s was never created on TikTok") % {"adgroup": adgroup})
    return budget


@dataclass(frozen=True)
class BudgetChange:
    """One ad group's new daily budget, with the reason and trigger its log row keeps."""

    adgroup: AdGroup
    budget: Decimal
    reason: str = ""
    trigger: dict | None = None


def adgroups_budget_set(*, changes: list[BudgetChange], actor: Actor, action: str = "budget_change") -> BulkResult:
    """`adgroup_budget_set` for many ad groups: the same checks, then /adgroup/budget/update/
    calls of at most MAX_BUDGET_IDS ad groups each. The new budgets (one bulk UPDATE) and
    their ActionLog rows with before/after (one INSERT) are written together in one
    transaction for every WRITE_CHUNK ad groups TikTok accepted. TikTok's refusals do not
    raise: a refused call's ad groups are logged as failed, keep their budget and are listed
    in `failed` with the reason, and the next calls still go (a token problem stops that
    advertiser's remaining calls, logged as failed too). A change that fails the checks
    (minimum, cap, never created) is listed in `failed` without a call or a log row; one
    that changes nothing is skipped."""
    result = BulkResult()
    adgroups = [change.adgroup for change in changes]
    prefetch_related_objects(adgroups, "campaign__advertiser")
    by_advertiser = defaultdict(list)
    for change in changes:
        adgroup = change.adgroup
        try:
            budget = _adgroup_budget_checked(adgroup, change.budget)
        except BudgetError as exc:
            result.failed[adgroup.pk] = str(exc)
            continue
        if budget != adgroup.budget:
            by_advertiser[adgroup.campaign.advertiser].append((change, budget))
    writes = _Writes(lambda changed: AdGroup.objects.bulk_update(changed, ["budget"], batch_size=WRITE_CHUNK))

    def entry(change, **values):
        return action_log_build(
            actor=actor, action=action, obj=change.adgroup, reason=change.reason, trigger=change.trigger,
            validate_relations=False, **values,
        )

    try:
        for advertiser, group in by_advertiser.items():
            client = client_for(advertiser)
            batches = list(endpoints.chunks(group, endpoints.MAX_BUDGET_IDS))
            for number, batch in enumerate(batches):
                try:
                    endpoints.adgroup_budget_update(
                        client, advertiser_id=advertiser.advertiser_id, budgets={c.adgroup.adgroup_id: budget for c, budget in batch},
                    )
                except ApiError as exc:
                    advertiser_mark_failed(advertiser, exc)
                    result.error = result.error or exc
                    failures = [(change, str(exc), exc.request_id or "") for change, _budget in batch]
                    if isinstance(exc, AuthError):  # every later call of this advertiser would fail the same way
                        failures += [(change, _("not sent: %(error)s") % {"error": exc}, "") for later in batches[number + 1:] for change, _budget in later]
                    for change, error, request_id in failures:
                        before = {"budget": _cents(change.adgroup.budget)}
                        result.failed[change.adgroup.pk] = error
                        writes.log.append(entry(
                            change, before=before, after=before, outcome=ActionLog.Outcome.FAILED, error=error,
                            remote_request_id=request_id,
                        ))
                    if isinstance(exc, AuthError):
                        break
                    continue
                for change, budget in batch:
                    adgroup = change.adgroup
                    writes.log.append(entry(
                        change, before={"budget": _cents(adgroup.budget)}, after={"budget": budget},
                        remote_id=adgroup.adgroup_id, remote_request_id=client.last_request_id,
                    ))
                    adgroup.budget = budget
                    writes.changed.append(adgroup)
                if len(writes.changed) >= WRITE_CHUNK:
                    result.changed += writes.flush()
    finally:
        result.changed += writes.flush()
    return result


def _cents(amount) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"))


def campaign_budget_set(
    *, campaign: Campaign, budget: Decimal, actor: Actor, reason: str = "", trigger: dict | None = None
) -> Campaign:
    """Give a campaign a daily budget (a ceiling over its ad groups), switching it from an
    unlimited budget if needed; never below TikTok's campaign minimum nor above its cap."""
    budget = Decimal(budget).quantize(Decimal("0.01"))
    if budget < MIN_CAMPAIGN_DAILY_BUDGET:
        raise BudgetError(
            _("campaign daily budget %(budget)s is below TikTok's minimum of %(minimum)s")
            % {"budget": budget, "minimum": MIN_CAMPAIGN_DAILY_BUDGET}
        )
    if campaign.budget_cap is not None and budget > campaign.budget_cap:
        raise BudgetError(_("campaign daily budget %(budget)s is above its cap of %(cap)s") % {"budget": budget, "cap": campaign.budget_cap})
    if not campaign.campaign_id:
        raise BudgetError(_("campaign %(campaign)s was never created on TikTok") % {"campaign": campaign})
    before = {"budget_mode": campaign.budget_mode, "daily_budget": campaign.daily_budget}
    after = {"budget_mode": "BUDGET_MODE_DAY", "daily_budget": budget}
    if before == after:
        return campaign
    _budget_change_apply(
        obj=campaign, advertiser=campaign.advertiser, action="budget_change", before=before, after=after,
        remote_id=campaign.campaign_id, actor=actor, reason=reason, trigger=trigger,
        call=lambda client: endpoints.campaign_update(
            client, advertiser_id=campaign.advertiser.advertiser_id, campaign_id=campaign.campaign_id,
            changes={"budget_mode": "BUDGET_MODE_DAY", "budget": endpoints.money(budget)},
        ),
    )
    return campaign


def _budget_change_apply(*, obj, advertiser, action, before: dict, after: dict, remote_id: str, call, actor, reason, trigger) -> None:
    """Make the change on TikTok, then store `after` (model field → value) on the row and log
    it in one transaction; a refused call is logged as failed and nothing local changes."""
    client = client_for(advertiser)
    try:
        call(client)
    except ApiError as exc:
        advertiser_mark_failed(advertiser, exc)
        with transaction.atomic():
            action_log_record(
                actor=actor, action=action, obj=obj, before=before, after=before, outcome=ActionLog.Outcome.FAILED,
                error=str(exc), remote_request_id=exc.request_id or "", reason=reason, trigger=trigger,
            )
        raise BudgetError(_("TikTok refused the budget change: %(error)s") % {"error": exc}, retryable=exc.retryable) from exc
    with transaction.atomic():
        type(obj).objects.filter(pk=obj.pk).update(**after)
        for field, value in after.items():
            setattr(obj, field, value)
        action_log_record(
            actor=actor, action=action, obj=obj, before=before, after=after,
            remote_id=remote_id, remote_request_id=client.last_request_id, reason=reason, trigger=trigger,
        )
