"""The optimization queue (PRD 14.4): rendered variants wait for a marketer (manual mode) or
launch at once (auto mode), always through campaigns' `ad_launch`, which logs every remote step.

Every move between states is a conditional UPDATE claimed on the current state, so a double
click, two marketers or a task delivered twice launch a variant once:

    GENERATING → PENDING → APPROVED → LAUNCHING → LAUNCHED
         ↘ FAILED (render)   ↘ REJECTED      ↘ FAILED (launch; retry → APPROVED)
    auto mode: PENDING → LAUNCHING directly.
The kill switch holds launches (the item stays PENDING, with a note); in dry run the launch
is logged as "would do" and the item stays PENDING too.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adloop.background import enqueue
from campaigns.errors import CampaignError, LaunchError
from campaigns.models import Ad, AdGroup, OperationStatus
from campaigns.selectors import product_stage
from campaigns.services import ad_launch
from creatives.errors import CreativeError
from creatives.models import VideoJob
from creatives.services import video_job_retry
from optimization.errors import OptimizationError
from optimization.models import OptimizationQueue
from optimization.selectors import ACTIVE
from scheduler.models import ActionLog
from scheduler.services import Actor, action_log_record
from scheduler.services_budget import account_headroom
from scheduler.services_settings import strategy_for

from .config import optimization_settings_ensure

log = logging.getLogger(__name__)
Status = OptimizationQueue.Status
# script.json's CTA → TikTok's call_to_action button.
TIKTOK_CTA = {"shop_now": "SHOP_NOW", "limited_offer": "ORDER_NOW", "social_proof": "SHOP_NOW", "learn_more": "LEARN_MORE"}
STALE_RENDER = dt.timedelta(hours=1)  # a variant still queued after this lost its render task: send it again


STATE_FIELDS = ["status", "error", "note", "decided_at", "decided_by", "launched_ad"]


def _claim(item: OptimizationQueue, source: str | tuple[str, ...], **changes) -> bool:
    """UPDATE … WHERE status IN (source): true if this caller moved the item (exactly one row)."""
    sources = (source,) if isinstance(source, str) else source
    claimed = OptimizationQueue.objects.filter(pk=item.pk, status__in=sources).update(**changes) == 1
    item.refresh_from_db(fields=STATE_FIELDS)  # the state only: the loaded job and source ad stay cached
    return claimed


def _fresh(item: OptimizationQueue) -> OptimizationQueue:
    return OptimizationQueue.objects.select_related("job__product", "source_ad__adgroup__campaign__advertiser").get(pk=item.pk)


def queue_item_advance(*, item: OptimizationQueue) -> OptimizationQueue:
    """A GENERATING item whose render ended: FAILED with the render's reason, or PENDING (and,
    in auto mode, launched at once)."""
    item = _fresh(item)
    if item.status != Status.GENERATING or item.job is None:
        return item
    job = item.job
    if job.status == VideoJob.Status.FAILED:
        _claim(item, Status.GENERATING, status=Status.FAILED, error=(_("render failed: %(error)s") % {"error": job.error})[:4000], decided_at=timezone.now())
    elif job.status == VideoJob.Status.DONE and _claim(item, Status.GENERATING, status=Status.PENDING):
        if item.mode == OptimizationQueue.Mode.AUTO:
            return queue_item_launch(item=item, actor=Actor.auto(), source=Status.PENDING)
    return item


def queue_items_advance(*, advertiser) -> int:
    """The sweep at the start of each run: items whose render ended without advancing them (a
    job retried in admin, a worker lost), auto-mode items held by the kill switch or dry run,
    and renders whose task was lost. Returns how many items it moved."""
    mine = OptimizationQueue.objects.filter(source_ad__adgroup__campaign__advertiser=advertiser)
    moved = 0
    for item in mine.filter(status=Status.GENERATING, job__status__in=[VideoJob.Status.DONE, VideoJob.Status.FAILED]):
        moved += queue_item_advance(item=item).status != Status.GENERATING
    for item in mine.filter(status=Status.PENDING, mode=OptimizationQueue.Mode.AUTO).order_by("pk"):
        moved += queue_item_launch(item=item, actor=Actor.auto(), source=Status.PENDING).status != Status.PENDING
    stale = mine.filter(status=Status.GENERATING, job__status=VideoJob.Status.QUEUED, job__created_at__lt=timezone.now() - STALE_RENDER)
    for pk in stale.values_list("pk", flat=True):
        _enqueue("variant_render", pk)
    return moved


def _enqueue(name: str, *args) -> None:
    from optimization import tasks

    enqueue(getattr(tasks, name), *args)


def _hold(item: OptimizationQueue, actor: Actor, source: str) -> bool:
    """True when the kill switch or dry run keeps the item from launching; it is left PENDING
    with a note saying why (dry run also logs what it would have done)."""
    campaign_pk = item.source_ad.adgroup.campaign_id
    glob, own = strategy_for(), strategy_for(campaign_pk)
    if glob.kill_switch or own.kill_switch:
        note = _("held: the kill switch is on, nothing is launched")
    elif glob.dry_run or own.dry_run:
        stage = product_stage(product=item.job.product, advertiser=item.advertiser)
        budget = optimization_settings_ensure().variant_daily_budget
        # Translators: %(stage)s is a stage code (launch, heat, hit) or "no running campaign".
        note = _("dry run: would launch into %(stage)s at %(budget)s/day") % {"stage": stage or _("no running campaign"), "budget": budget}
        with transaction.atomic():
            action_log_record(
                actor=actor, action="variant_launch", obj=item, before={"status": item.status},
                after={"stage": stage or "", "budget": budget, "job": str(item.job.job_id)}, reason=note, dry_run=True,
            )
    else:
        return False
    _claim(item, (source, Status.PENDING), status=Status.PENDING, note=note)
    return True


def queue_item_launch(*, item: OptimizationQueue, actor: Actor, source: str) -> OptimizationQueue:
    """Launch a PENDING (auto) or APPROVED (manual) item into the product's current stage."""
    item = _fresh(item)
    if item.status != source or _hold(item, actor, source):
        return item
    if not _claim(item, source, status=Status.LAUNCHING, error="", note="", decided_at=item.decided_at or timezone.now()):
        return item  # someone else launched, rejected or is launching it
    try:
        ad = _launch(item, actor)
    except CampaignError as exc:
        _launch_failed(item, actor, str(exc))
    except Exception as exc:
        _launch_failed(item, actor, _("internal error: %(type)s: %(error)s") % {"type": type(exc).__name__, "error": exc})
        raise
    else:
        with transaction.atomic():
            _claim(item, Status.LAUNCHING, status=Status.LAUNCHED, launched_ad=ad)
            action_log_record(
                actor=actor, action="variant_launch", obj=item, before={"status": Status.LAUNCHING},
                after={"status": Status.LAUNCHED, "ad": ad.pk, "ad_id": ad.ad_id, "stage": ad.adgroup.campaign.stage},
                remote_id=ad.ad_id, reason=_("variant of ad %(ad)s") % {"ad": item.source_ad.ad_id or item.source_ad.pk},
            )
    return item


def _launch(item: OptimizationQueue, actor: Actor) -> Ad:
    advertiser, job = item.advertiser, item.job
    stage = product_stage(product=job.product, advertiser=advertiser)
    if stage is None:
        raise LaunchError(
            _("%(product)s has no running campaign at %(advertiser)s: nothing to launch the variant into")
            % {"product": job.product, "advertiser": advertiser}
        )
    budget = optimization_settings_ensure().variant_daily_budget
    running = AdGroup.objects.filter(campaign__advertiser=advertiser, status=OperationStatus.ENABLE).exclude(adgroup_id="")
    # A variant's ad group is new money committed every day: it must fit under the account's cap.
    headroom = account_headroom(advertiser, running.exclude(job=job))
    if headroom < budget:
        raise LaunchError(
            _("the account's daily cap leaves %(headroom)s %(currency)s a day, the variant needs %(budget)s")
            % {"headroom": max(headroom, Decimal("0")).quantize(Decimal("0.01")), "currency": advertiser.currency, "budget": budget},
            retryable=True,
        )
    return ad_launch(
        job=job, advertiser=advertiser, stage=stage, budget=budget, actor=actor,
        call_to_action=TIKTOK_CTA.get((job.script.get("cta") or {}).get("type", ""), "SHOP_NOW"),
        reason=_("variant of ad %(ad)s (optimization queue #%(pk)s)") % {"ad": item.source_ad.ad_id or item.source_ad.pk, "pk": item.pk},
    )


def _launch_failed(item: OptimizationQueue, actor: Actor, message: str) -> None:
    log.warning("optimization item %s: launch failed: %s", item.pk, message)
    with transaction.atomic():
        _claim(item, Status.LAUNCHING, status=Status.FAILED, error=message[:4000])
        action_log_record(
            actor=actor, action="variant_launch", obj=item, before={"status": Status.LAUNCHING}, after={"status": Status.FAILED},
            outcome=ActionLog.Outcome.FAILED, error=message[:4000], reason=_("launching a variant"),
        )


def queue_item_approve(*, item: OptimizationQueue, actor: Actor) -> OptimizationQueue:
    """Approve a PENDING item and launch it (in a task once the approval is committed). An item
    that is no longer pending is returned as it is: approving twice launches once."""
    item = _fresh(item)
    if item.status != Status.PENDING or _hold(item, actor, Status.PENDING):
        return item
    with transaction.atomic():
        if not _claim(item, Status.PENDING, status=Status.APPROVED, decided_by=actor.user, decided_at=timezone.now(), note=""):
            return item
        action_log_record(actor=actor, action="variant_approve", obj=item, before={"status": Status.PENDING},
                          after={"status": Status.APPROVED}, reason=_("approved in the optimization queue"))
        user_pk = actor.user.pk if actor.user is not None else None
        transaction.on_commit(lambda: _enqueue("queue_item_launch_task", item.pk, user_pk))
    item.refresh_from_db()
    return item


def queue_item_reject(*, item: OptimizationQueue, actor: Actor) -> OptimizationQueue:
    """Reject a PENDING item, or dismiss a FAILED one; the video stays in the creative library."""
    with transaction.atomic():
        before = item.status
        if _claim(item, (Status.PENDING, Status.FAILED), status=Status.REJECTED, decided_by=actor.user, decided_at=timezone.now()):
            action_log_record(actor=actor, action="variant_reject", obj=item, before={"status": before},
                              after={"status": Status.REJECTED}, reason=_("rejected in the optimization queue"))
    return item


def queue_item_retry(*, item: OptimizationQueue, actor: Actor) -> OptimizationQueue:
    """Retry a FAILED item from the step that failed: the launch, the render, or (for every item
    of its batch) the LLM."""
    item = _fresh(item)
    if item.status != Status.FAILED:
        raise OptimizationError(
            _("item #%(pk)s is %(status)s; only failed items are retried") % {"pk": item.pk, "status": item.get_status_display()}
        )
    if item.job is None:
        busy = OptimizationQueue.objects.filter(source_ad__job=item.source_ad.job_id, status__in=ACTIVE).exists()
        if busy:
            raise OptimizationError(_("item #%(pk)s: the winner already has variants in the queue") % {"pk": item.pk})
        claimed = OptimizationQueue.objects.filter(new_batch_id=item.new_batch_id, status=Status.FAILED, job__isnull=True).update(
            status=Status.GENERATING, error="", decided_at=None
        )
        if claimed:
            transaction.on_commit(lambda: _enqueue("variants_write_task", item.new_batch_id))
    elif item.job.status == VideoJob.Status.FAILED:
        with transaction.atomic():
            if _claim(item, Status.FAILED, status=Status.GENERATING, error="", decided_at=None):
                try:
                    video_job_retry(job=item.job, enqueue=False)
                except CreativeError as exc:
                    raise OptimizationError(str(exc)) from exc
                transaction.on_commit(lambda: _enqueue("variant_render", item.pk))
    elif item.job.status == VideoJob.Status.DONE:
        with transaction.atomic():
            if _claim(item, Status.FAILED, status=Status.APPROVED, error="", decided_by=actor.user, decided_at=timezone.now()):
                action_log_record(actor=actor, action="variant_approve", obj=item, before={"status": Status.FAILED},
                                  after={"status": Status.APPROVED}, reason=_("launch retried"))
                user_pk = actor.user.pk if actor.user is not None else None
                transaction.on_commit(lambda: _enqueue("queue_item_launch_task", item.pk, user_pk))
    else:
        raise OptimizationError(_("item #%(pk)s: its video is still %(status)s") % {"pk": item.pk, "status": item.job.get_status_display()})
    item.refresh_from_db()
    return item
