"""Thin Celery wrappers around report ingestion. Beat stores these names: keep them stable."""

import logging

from celery import shared_task
from celery.exceptions import Retry

from campaigns.models import AdvertiserAccount
from integrations.tiktok_ads.errors import ApiError, RateLimited, Transient
from scheduler.locks import advertiser_lock_or_retry

from .services import performance_ingest
from .services.alerts import alerts_evaluate

log = logging.getLogger(__name__)


@shared_task(name="analytics.pull_reports")
def pull_reports() -> int:
    """Fan out one pull per connected advertiser, so one slow or failing account delays no other."""
    pks = list(AdvertiserAccount.objects.filter(status=AdvertiserAccount.Status.CONNECTED).order_by("pk").values_list("pk", flat=True))
    for pk in pks:
        try:
            pull_reports_for_advertiser.delay(pk)
        except (ApiError, Retry):
            # Only without a broker (eager mode) does a pull's error (or its retry request)
            # surface here; the next advertiser still gets its pull.
            log.exception("report pull for advertiser pk=%s failed", pk)
    return len(pks)


# Rate limits reset by the next minute (QPM) at worst: back off from 60 s up to 15 min.
# The advertiser's automation lock (scheduler.locks) keeps a pull from overlapping a budget,
# stage or optimization run on the same account; a busy lock retries a minute later, within
# the same max_retries.
@shared_task(
    bind=True, name="analytics.pull_reports_for_advertiser", autoretry_for=(Transient, RateLimited), retry_backoff=60,
    retry_backoff_max=900, retry_jitter=True, max_retries=5, acks_late=True,
)
def pull_reports_for_advertiser(self, advertiser_pk: int) -> dict | None:
    advertiser = AdvertiserAccount.objects.filter(pk=advertiser_pk, status=AdvertiserAccount.Status.CONNECTED).first()
    if advertiser is None:
        return None
    with advertiser_lock_or_retry(self, advertiser_pk):
        result = performance_ingest(advertiser=advertiser)
        # Reports in, alerts out: judge the fresh numbers at once (PRD 13.3).
        alerts = alerts_evaluate(advertiser=advertiser)
    return {"rows": result.rows, "created": result.created, "updated": result.updated, "skipped": result.skipped,
            "days": result.days, "requests": result.requests, "alerts": len(alerts)}
