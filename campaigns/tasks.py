"""Thin Celery wrappers: load rows by primary key, call one service, retry only what is transient."""

from decimal import Decimal

from celery import shared_task
from django.contrib.auth import get_user_model

from creatives.models import VideoJob
from scheduler.services import Actor

from .errors import CampaignError
from .models import AdvertiserAccount
from .services import ad_launch


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
