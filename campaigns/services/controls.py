"""Pause, resume and budget changes at each level, through TikTok, each logged with its
before/after values in the same transaction as the local change."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from campaigns.errors import BudgetError, CampaignError
from campaigns.models import Ad, AdGroup, Campaign, OperationStatus
from campaigns.stages import MIN_ADGROUP_DAILY_BUDGET, MIN_CAMPAIGN_DAILY_BUDGET
from integrations.tiktok_ads import endpoints
from integrations.tiktok_ads.errors import ApiError
from scheduler.models import ActionLog
from scheduler.services import Actor, action_log_record

from .connect import advertiser_mark_failed, client_for

# model → (remote id field, status endpoint, how to reach the advertiser)
_LEVELS = {
    Campaign: ("campaign_id", endpoints.campaign_status_update, lambda o: o.advertiser),
    AdGroup: ("adgroup_id", endpoints.adgroup_status_update, lambda o: o.campaign.advertiser),
    Ad: ("ad_id", endpoints.ad_status_update, lambda o: o.adgroup.campaign.advertiser),
}
_ACTIONS = {OperationStatus.ENABLE: "resume", OperationStatus.DISABLE: "pause"}
SETTABLE = (OperationStatus.ENABLE, OperationStatus.DISABLE)


def object_status_set(*, obj: Campaign | AdGroup | Ad, status: str, actor: Actor, reason: str = "", trigger: dict | None = None):
    """Pause (DISABLE) or resume (ENABLE) one campaign, ad group or ad."""
    objects_status_set(objs=[obj], status=status, actor=actor, reason=reason, trigger=trigger)
    obj.refresh_from_db()
    return obj


def objects_status_set(*, objs: list, status: str, actor: Actor, reason: str = "", trigger: dict | None = None) -> list:
    """Change the status of many objects of one level, in TikTok batches of at most 20 ids
    per advertiser. Objects already in that status are left alone (and not logged)."""
    if status not in SETTABLE:
        raise CampaignError(f"status must be ENABLE or DISABLE, not {status!r}")
    if not objs:
        return []
    model = type(objs[0])
    id_field, status_update, advertiser_of = _LEVELS[model]
    for obj in objs:
        if not getattr(obj, id_field):
            raise CampaignError(f"{model._meta.verbose_name} {obj} was never created on TikTok ({obj.get_status_display()})")
    by_advertiser = defaultdict(list)
    for obj in objs:
        if obj.status != status:
            by_advertiser[advertiser_of(obj)].append(obj)
    changed = []
    for advertiser, group in by_advertiser.items():
        client = client_for(advertiser)
        for batch in endpoints.chunks(group, endpoints.MAX_STATUS_IDS):
            ids = [getattr(obj, id_field) for obj in batch]
            try:
                status_update(client, advertiser_id=advertiser.advertiser_id, **{f"{id_field}s": ids}, operation_status=status)
            except ApiError as exc:
                advertiser_mark_failed(advertiser, exc)
                _log_batch_failure(batch, status=status, exc=exc, actor=actor, reason=reason, trigger=trigger)
                raise CampaignError(f"TikTok refused to {_ACTIONS[status]}: {exc}", retryable=exc.retryable) from exc
            with transaction.atomic():
                for obj in batch:
                    before = obj.status
                    model.objects.filter(pk=obj.pk).update(status=status)
                    obj.status = status
                    action_log_record(
                        actor=actor, action=_ACTIONS[status], obj=obj, before={"status": before}, after={"status": status},
                        remote_id=getattr(obj, id_field), remote_request_id=client.last_request_id, reason=reason, trigger=trigger,
                    )
            changed += batch
    return changed


def _log_batch_failure(batch, *, status, exc: ApiError, actor, reason, trigger) -> None:
    with transaction.atomic():
        for obj in batch:
            action_log_record(
                actor=actor, action=_ACTIONS[status], obj=obj, before={"status": obj.status}, after={"status": obj.status},
                outcome=ActionLog.Outcome.FAILED, error=str(exc), remote_request_id=exc.request_id or "",
                reason=reason, trigger=trigger,
            )


def adgroup_budget_set(
    *, adgroup: AdGroup, budget: Decimal, actor: Actor, reason: str = "", trigger: dict | None = None, action: str = "budget_change"
) -> AdGroup:
    """Set an ad group's daily budget on TikTok, never below the platform minimum nor above
    the ad group's cap."""
    budget = Decimal(budget).quantize(Decimal("0.01"))
    if budget < MIN_ADGROUP_DAILY_BUDGET:
        raise BudgetError(f"daily budget {budget} is below TikTok's minimum of {MIN_ADGROUP_DAILY_BUDGET}")
    if adgroup.budget_cap is not None and budget > adgroup.budget_cap:
        raise BudgetError(f"daily budget {budget} is above this ad group's cap of {adgroup.budget_cap}")
    if not adgroup.adgroup_id:
        raise BudgetError(f"ad group {adgroup} was never created on TikTok")
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


def campaign_budget_set(
    *, campaign: Campaign, budget: Decimal, actor: Actor, reason: str = "", trigger: dict | None = None
) -> Campaign:
    """Give a campaign a daily budget (a ceiling over its ad groups), switching it from an
    unlimited budget if needed; never below TikTok's campaign minimum nor above its cap."""
    budget = Decimal(budget).quantize(Decimal("0.01"))
    if budget < MIN_CAMPAIGN_DAILY_BUDGET:
        raise BudgetError(f"campaign daily budget {budget} is below TikTok's minimum of {MIN_CAMPAIGN_DAILY_BUDGET}")
    if campaign.budget_cap is not None and budget > campaign.budget_cap:
        raise BudgetError(f"campaign daily budget {budget} is above its cap of {campaign.budget_cap}")
    if not campaign.campaign_id:
        raise BudgetError(f"campaign {campaign} was never created on TikTok")
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
        raise BudgetError(f"TikTok refused the budget change: {exc}", retryable=exc.retryable) from exc
    with transaction.atomic():
        type(obj).objects.filter(pk=obj.pk).update(**after)
        for field, value in after.items():
            setattr(obj, field, value)
        action_log_record(
            actor=actor, action=action, obj=obj, before=before, after=after,
            remote_id=remote_id, remote_request_id=client.last_request_id, reason=reason, trigger=trigger,
        )
