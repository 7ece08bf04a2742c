"""Launching a video job as an ad (track B): campaign → ad group → video → ad.

Each remote create follows one pattern, so a failure anywhere leaves state consistent
and a re-run finishes the job without duplicates:
1. a local row in PENDING with the idempotency key is committed *before* the call;
2. the call runs outside any transaction (the sandbox may answer from this process);
3. one transaction stores the remote id, flips the row to ENABLE and writes ActionLog.
A failed call is logged too, with TikTok's code and request id; a permanent failure marks
the row FAILED, a transient one leaves it PENDING so a retry re-sends the same key.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from adloop import clock
from campaigns.errors import LaunchError
from campaigns.models import Ad, AdGroup, AdvertiserAccount, Campaign, OperationStatus, Stage, UploadedVideo
from campaigns.stages import DEFAULT_TARGET_ROAS, MARKET_LOCATION_IDS, MIN_ADGROUP_DAILY_BUDGET, STAGE_PLANS, StagePlan
from creatives.models import VideoJob
from integrations.tiktok_ads import endpoints
from integrations.tiktok_ads.client import TikTokAdsClient
from integrations.tiktok_ads.errors import ApiError
from scheduler.models import ActionLog
from scheduler.services import Actor, action_log_record

from .connect import advertiser_mark_failed, client_for

# Rows a launch re-uses; a paused one is reported instead of silently duplicated.
REUSABLE = (OperationStatus.PENDING, OperationStatus.ENABLE, OperationStatus.DISABLE)


def _refuse_paused(obj) -> None:
    if obj.status == OperationStatus.DISABLE:
        raise LaunchError(
            _("%(type)s %(obj)s is paused; resume it instead of launching again") % {"type": obj._meta.verbose_name, "obj": obj}
        )


def ad_launch(
    *,
    job: VideoJob,
    advertiser: AdvertiserAccount,
    stage: str,
    budget: Decimal,
    actor: Actor,
    ad_text: str = "",
    call_to_action: str = "SHOP_NOW",
    reason: str = "",
) -> Ad:
    """Launch `job` as an ad in `stage`, creating or re-using that stage's campaign and the
    job's ad group there. Idempotent: launching the same job into the same stage again
    returns the existing ad."""
    plan = _validate(job=job, advertiser=advertiser, stage=stage, budget=budget)
    client = client_for(advertiser)
    reason = reason or _("launch %(product)s in %(stage)s") % {"product": job.product, "stage": stage}
    try:
        campaign = _campaign_ensure(client, advertiser=advertiser, job=job, stage=stage, plan=plan, actor=actor, reason=reason)
        adgroup = _adgroup_ensure(client, campaign=campaign, job=job, plan=plan, budget=budget, actor=actor, reason=reason)
        video_id = _video_ensure(client, advertiser=advertiser, job=job)
        identity_id = _identity_ensure(client, advertiser=advertiser)
        return _ad_ensure(
            client, adgroup=adgroup, job=job, video_id=video_id, identity_id=identity_id,
            ad_text=ad_text, call_to_action=call_to_action, actor=actor, reason=reason,
        )
    except ApiError as exc:
        advertiser_mark_failed(advertiser, exc)
        raise LaunchError(_("TikTok refused the launch: %(error)s") % {"error": exc}, retryable=exc.retryable) from exc


def _validate(*, job: VideoJob, advertiser: AdvertiserAccount, stage: str, budget: Decimal) -> StagePlan:
    if stage not in STAGE_PLANS:
        raise LaunchError(_("unknown stage %(stage)r; choose one of %(stages)s") % {"stage": stage, "stages": ", ".join(STAGE_PLANS)})
    plan = STAGE_PLANS[stage]
    if job.status != VideoJob.Status.DONE or not job.video:
        raise LaunchError(_("video job %(job)s has no finished video to launch") % {"job": job.job_id})
    if not job.video.storage.exists(job.video.name):
        raise LaunchError(_("video job %(job)s: the file %(file)s is missing") % {"job": job.job_id, "file": job.video.name})
    if advertiser.status != AdvertiserAccount.Status.CONNECTED or not advertiser.access_token:
        raise LaunchError(_("advertiser %(advertiser)s is not connected; connect it again first") % {"advertiser": advertiser.advertiser_id})
    if budget is None or Decimal(budget) < MIN_ADGROUP_DAILY_BUDGET:
        raise LaunchError(
            _("daily budget must be at least %(minimum)s %(currency)s") % {"minimum": MIN_ADGROUP_DAILY_BUDGET, "currency": advertiser.currency}
        )
    if plan.needs_landing_page and not job.product.landing_url:
        raise LaunchError(
            _("product %(product)s has no landing page URL, which the %(stage)s stage needs") % {"product": job.product, "stage": stage}
        )
    return plan


def _log_failure(obj, *, action: str, exc: ApiError, actor: Actor, reason: str) -> None:
    """The failed call is logged with TikTok's answer; a permanent failure ends the row."""
    with transaction.atomic():
        before = {"status": obj.status}
        if not exc.retryable:
            obj.status = OperationStatus.FAILED
        obj.error = str(exc)
        obj.save(update_fields=["status", "error", "updated_at"])
        action_log_record(
            actor=actor, action=action, obj=obj, before=before, after={"status": obj.status},
            outcome=ActionLog.Outcome.FAILED, error=str(exc), remote_request_id=exc.request_id or "", reason=reason,
        )


def _confirm(obj, *, id_field: str, remote_id: str, action: str, client: TikTokAdsClient, actor: Actor, reason: str, after: dict):
    with transaction.atomic():
        setattr(obj, id_field, remote_id)
        obj.status = OperationStatus.ENABLE
        obj.error = ""
        obj.full_clean()
        obj.save()
        action_log_record(
            actor=actor, action=action, obj=obj, before={}, after={id_field: remote_id, "status": obj.status, **after},
            remote_id=remote_id, remote_request_id=client.last_request_id, reason=reason,
        )
    return obj


def _campaign_ensure(client, *, advertiser, job, stage, plan: StagePlan, actor, reason) -> Campaign:
    with transaction.atomic():
        # Serialise launches per advertiser so two at once cannot both start a campaign.
        AdvertiserAccount.objects.select_for_update().get(pk=advertiser.pk)
        campaign = (
            Campaign.objects.filter(advertiser=advertiser, product=job.product, stage=stage, status__in=REUSABLE)
            .order_by("created_at")
            .first()
        )
        if campaign is None:
            campaign = Campaign.objects.create(
                advertiser=advertiser,
                product=job.product,
                stage=stage,
                name=f"{job.product.name} · {Stage(stage).label}"[:512],
                objective=plan.objective,
                request_id=endpoints.new_request_id(),
                target_roas=DEFAULT_TARGET_ROAS,
            )
    _refuse_paused(campaign)
    if campaign.status == OperationStatus.ENABLE:
        return campaign
    body = {"campaign_name": campaign.name, "objective_type": campaign.objective, "budget_mode": campaign.budget_mode}
    try:
        campaign_id = endpoints.campaign_create(client, advertiser_id=advertiser.advertiser_id, request_id=campaign.request_id, body=body)
    except ApiError as exc:
        _log_failure(campaign, action="campaign_create", exc=exc, actor=actor, reason=reason)
        raise
    return _confirm(
        campaign, id_field="campaign_id", remote_id=campaign_id, action="campaign_create", client=client, actor=actor,
        reason=reason, after={"objective": campaign.objective, "stage": campaign.stage},
    )


def _targeting(advertiser: AdvertiserAccount, job: VideoJob) -> dict:
    locations = advertiser.location_ids or [MARKET_LOCATION_IDS.get(job.product.target_market.upper(), MARKET_LOCATION_IDS["US"])]
    return {"location_ids": locations, "gender": "GENDER_UNLIMITED"}


def _adgroup_body(adgroup: AdGroup, plan: StagePlan, advertiser: AdvertiserAccount) -> dict:
    start = (adgroup.schedule_start_time or clock.now()).astimezone(dt.UTC)
    body = {
        "campaign_id": adgroup.campaign.campaign_id,
        "adgroup_name": adgroup.name,
        "placement_type": "PLACEMENT_TYPE_NORMAL",
        "placements": ["PLACEMENT_TIKTOK"],
        **adgroup.targeting,
        "budget_mode": adgroup.budget_mode,
        "budget": endpoints.money(adgroup.budget),
        "schedule_type": adgroup.schedule_type,
        "schedule_start_time": start.strftime("%Y-%m-%d %H:%M:%S"),
        "billing_event": adgroup.billing_event,
        "optimization_goal": adgroup.optimization_goal,
        "bid_type": adgroup.bid_type,
        "pacing": "PACING_MODE_SMOOTH",
    }
    if plan.promotion_type:
        body["promotion_type"] = plan.promotion_type
    if plan.optimization_event:
        body["optimization_event"] = plan.optimization_event
        body["pixel_id"] = advertiser.pixel_id
    if adgroup.bid_price is not None:
        body["bid_price"] = endpoints.money(adgroup.bid_price)
    if adgroup.deep_bid_type:
        body["deep_bid_type"] = adgroup.deep_bid_type
    if adgroup.roas_bid is not None:
        body["roas_bid"] = float(adgroup.roas_bid)
    return body


def _adgroup_ensure(client, *, campaign: Campaign, job: VideoJob, plan: StagePlan, budget, actor, reason) -> AdGroup:
    # One creative per ad group, so "this ad's budget" is well defined for the budget rules.
    adgroup = AdGroup.objects.filter(campaign=campaign, job=job, status__in=REUSABLE).order_by("created_at").first()
    if adgroup is None:
        adgroup = AdGroup.objects.create(
            campaign=campaign,
            job=job,
            name=f"{campaign.name} · {str(job.job_id)[:8]}"[:512],
            targeting=_targeting(campaign.advertiser, job),
            billing_event=plan.billing_event,
            optimization_goal=plan.optimization_goal,
            bid_type=plan.bid_type,
            bid_price=plan.bid_price,
            deep_bid_type=plan.deep_bid_type,
            roas_bid=(campaign.target_roas or DEFAULT_TARGET_ROAS) if plan.uses_roas_bid else None,
            budget=Decimal(budget).quantize(Decimal("0.01")),
            schedule_start_time=clock.now(),
            request_id=endpoints.new_request_id(),
        )
    _refuse_paused(adgroup)
    if adgroup.status == OperationStatus.ENABLE:
        return adgroup
    body = _adgroup_body(adgroup, plan, campaign.advertiser)
    try:
        adgroup_id = endpoints.adgroup_create(
            client, advertiser_id=campaign.advertiser.advertiser_id, request_id=adgroup.request_id, body=body
        )
    except ApiError as exc:
        _log_failure(adgroup, action="adgroup_create", exc=exc, actor=actor, reason=reason)
        raise
    return _confirm(
        adgroup, id_field="adgroup_id", remote_id=adgroup_id, action="adgroup_create", client=client, actor=actor,
        reason=reason, after={"budget": adgroup.budget, "bid_type": adgroup.bid_type, "optimization_goal": adgroup.optimization_goal},
    )


def _video_ensure(client, *, advertiser: AdvertiserAccount, job: VideoJob) -> str:
    """Upload once per advertiser; stage switches and relaunches re-use the video id."""
    path = job.video.path
    signature = endpoints.md5_of(path)
    upload, _created = UploadedVideo.objects.get_or_create(
        advertiser=advertiser, job=job,
        defaults={"file_name": f"adloop-{job.job_id.hex}-{signature[:8]}.mp4", "signature": signature},
    )
    if upload.video_id:
        return upload.video_id
    video = endpoints.video_upload(client, advertiser_id=advertiser.advertiser_id, path=path, file_name=upload.file_name)
    upload.video_id = video.video_id
    upload.save(update_fields=["video_id"])
    return upload.video_id


def _identity_ensure(client, *, advertiser: AdvertiserAccount) -> str:
    if not advertiser.identity_id:
        display_name = (advertiser.display_name or advertiser.name or "adloop")[:40]
        # /identity/create/ has no idempotency key: re-use one a lost answer may have made.
        existing = [i for i in endpoints.identity_get(client, advertiser_id=advertiser.advertiser_id) if i.display_name == display_name]
        advertiser.identity_id = existing[0].identity_id if existing else endpoints.identity_create(
            client, advertiser_id=advertiser.advertiser_id, display_name=display_name
        )
        advertiser.display_name = display_name
        advertiser.save(update_fields=["identity_id", "display_name", "updated_at"])
    return advertiser.identity_id


def _ad_ensure(client, *, adgroup: AdGroup, job: VideoJob, video_id, identity_id, ad_text, call_to_action, actor, reason) -> Ad:
    product = job.product
    name = f"{product.name[:80]} · {job.job_id.hex[:12]}"
    ad, created = Ad.objects.get_or_create(
        adgroup=adgroup,
        name=name,
        defaults={
            "job": job,
            "video_id": video_id,
            "ad_text": (ad_text or job.script.get("ad_text") or product.title or product.name)[:100],
            "call_to_action": call_to_action,
            "landing_page_url": product.landing_url,
        },
    )
    _refuse_paused(ad)
    if ad.status == OperationStatus.ENABLE:
        return ad
    if ad.status == OperationStatus.FAILED:
        ad.status = OperationStatus.PENDING
    advertiser = adgroup.campaign.advertiser
    creative = {
        "ad_name": ad.name,
        "ad_format": "SINGLE_VIDEO",
        "video_id": video_id,
        "ad_text": ad.ad_text,
        "call_to_action": ad.call_to_action,
        "display_name": advertiser.display_name,
        "identity_id": identity_id,
        "identity_type": "CUSTOMIZED_USER",
    }
    if ad.landing_page_url:
        creative["landing_page_url"] = ad.landing_page_url
    try:
        # A row left PENDING by an earlier run may have been created remotely before its
        # answer was lost: look for it by name before creating.
        existing = None if created else endpoints.ad_find(
            client, advertiser_id=advertiser.advertiser_id, adgroup_id=adgroup.adgroup_id, ad_name=ad.name
        )
        ad_id = existing.ad_id if existing else endpoints.ad_create(
            client, advertiser_id=advertiser.advertiser_id, adgroup_id=adgroup.adgroup_id, creative=creative
        )
    except ApiError as exc:
        _log_failure(ad, action="ad_create", exc=exc, actor=actor, reason=reason)
        raise
    return _confirm(
        ad, id_field="ad_id", remote_id=ad_id, action="ad_create", client=client, actor=actor, reason=reason,
        after={"video_id": video_id, "job": str(job.job_id)},
    )
