"""Thin Celery wrappers around the optimization services. Beat stores `optimization.run_loop`:
keep the names stable."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import Retry
from django.contrib.auth import get_user_model

from campaigns.models import AdvertiserAccount
from creatives.services import video_job_run
from scheduler.services import Actor

from .models import OptimizationQueue
from .services import optimization_run, queue_item_advance, queue_item_launch, variants_write

log = logging.getLogger(__name__)
# Busy-lock retries a minute apart (as the scheduler's runs do): a run waits out a report pull
# or budget run on the same account rather than skipping three days.
LOCK_MAX_RETRIES = 40


@shared_task(name="optimization.run_loop")
def run_loop() -> int:
    """Fan out one run per connected advertiser, so one slow LLM or render delays no other."""
    pks = list(AdvertiserAccount.objects.filter(status=AdvertiserAccount.Status.CONNECTED).order_by("pk").values_list("pk", flat=True))
    for pk in pks:
        try:
            run_loop_for_advertiser.delay(pk)
        except Retry:
            log.warning("optimization run for advertiser pk=%s will be retried: its lock is busy", pk)
        except Exception:
            # Only without a broker (eager mode) does a run's error surface here; the next advertiser still runs.
            log.exception("optimization run for advertiser pk=%s failed", pk)
    return len(pks)


@shared_task(bind=True, name="optimization.run_loop_for_advertiser", max_retries=LOCK_MAX_RETRIES, acks_late=True)
def run_loop_for_advertiser(self, advertiser_pk: int) -> dict | None:
    # The advertiser's automation lock, shared with the report pull, budgets and stage checks:
    # winners are judged on numbers no other run is changing (a busy lock retries in a minute).
    from scheduler.locks import advertiser_lock_or_retry

    advertiser = AdvertiserAccount.objects.filter(pk=advertiser_pk, status=AdvertiserAccount.Status.CONNECTED).first()
    if advertiser is None:
        return None
    with advertiser_lock_or_retry(self, advertiser_pk):
        return optimization_run(advertiser=advertiser).as_dict()


# Rendering is slow CPU work: the creative pipeline's render queue, then the item moves on at once.
@shared_task(name="optimization.variant_render", queue="render", acks_late=True)
def variant_render(item_pk: int) -> str | None:
    item = OptimizationQueue.objects.select_related("job__product").filter(pk=item_pk).first()
    if item is None or item.job is None:
        return None
    try:
        video_job_run(job=item.job)
    finally:
        # Even after a crash in the render the job is marked failed: move the item with it.
        item = queue_item_advance(item=item)
    return item.status


@shared_task(name="optimization.queue_item_launch", acks_late=True)
def queue_item_launch_task(item_pk: int, user_pk: int | None = None) -> str | None:
    item = OptimizationQueue.objects.filter(pk=item_pk).first()
    if item is None:
        return None
    user = get_user_model().objects.filter(pk=user_pk).first() if user_pk else None
    actor = Actor.of(user) if user is not None else Actor.auto()
    return queue_item_launch(item=item, actor=actor, source=OptimizationQueue.Status.APPROVED).status


@shared_task(name="optimization.variants_write", acks_late=True)
def variants_write_task(batch_id: str) -> int:
    return len(variants_write(batch_id=batch_id))
