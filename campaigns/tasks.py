"""Thin Celery wrappers: load rows by primary key, call one service, retry only what is transient."""

from decimal import Decimal

from celery import shared_task
from django.contrib.auth import get_user_model

from creatives.models import VideoJob
from scheduler.services import Actor

from .errors import CampaignError
from .models import AdvertiserAccount, Publication
from .services import ad_launch
from .services.accounts import chuhaijiang_accounts_sync
from .services.publishing import publication_run, publications_due


@shared_task(name="campaigns.ad_launch", bind=True, max_retries=5, acks_late=True)
def ad_launch_task(self, job_pk: int, advertiser_pk: int, stage: str, budget: str, user_pk: int | None = None) -> int | None:
    job = VideoJob.objects.select_related("product").filter(pk=job_pk).first()
    advertiser = AdvertiserAccount.objects.filter(pk=advertiser_pk).first()
    if job is None or advertiser is None:
        return None
    user = get_user_model().objects.filter(pk=user_pk).first() if user_pk else None
    actor = Actor.of(user) if user else Actor.auto()
    try:
        ad = ad_launch(job=job, advertiser=advertiser, stage=stage, budget=Decimal(budget), actor=actor)
    except CampaignError as exc:
        # A re-run is safe: every create re-uses its stored idempotency key or finds the ad by name.
        if exc.retryable:
            raise self.retry(exc=exc, countdown=min(600, 30 * 2**self.request.retries)) from exc
        raise
    return ad.pk


# --- Track A: organic publishing ---------------------------------------------------------


@shared_task(name="campaigns.publish_due", acks_late=True)
def publish_due() -> dict:
    """Beat, every 5 minutes: post the due publications (ours to hold when the provider cannot
    schedule) and refresh the ones the provider is still processing."""
    return publications_due()


@shared_task(name="campaigns.publication_run", acks_late=True)
def publication_run_task(publication_pk: int) -> str | None:
    """Post one publication. Retries are not Celery's: a transient failure puts the row back to
    scheduled with a later time, and publish_due picks it up then (one place owns the backoff)."""
    publication = Publication.objects.filter(pk=publication_pk).first()
    if publication is None:
        return None
    return publication_run(publication=publication).status


@shared_task(name="campaigns.sync_chuhaijiang_accounts")
def sync_chuhaijiang_accounts() -> int:
    return len(chuhaijiang_accounts_sync(actor=Actor.auto()))
