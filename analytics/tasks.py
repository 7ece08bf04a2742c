"""Thin Celery wrappers around report ingestion. Beat stores these names: keep them stable."""

import logging

from celery import shared_task
from celery.exceptions import Retry

from campaigns.models import AdvertiserAccount, PublishingAccount
from campaigns.services.accounts import account_mark_error
from integrations.publishing import AccountError as PublishingAccountError
from integrations.publishing import PublishingError
from integrations.publishing import RateLimited as PublishingRateLimited
from integrations.publishing import Transient as PublishingTransient
from integrations.tiktok_ads.errors import ApiError, RateLimited, Transient
from scheduler.locks import advertiser_lock_or_retry

from .services import performance_ingest
from .services.alerts import alerts_evaluate
from .services.organic import account_stats_ingest

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


# --- Track A: organic account stats ------------------------------------------------------
# A sibling of pull_reports on the same 6 h beat row cadence, not a branch inside it: publishing
# accounts are not advertisers (no advertiser lock, other providers and errors), and a
# failing 出海匠 key or TikTok grant must neither delay nor fail the paid-ads pull. Its own beat
# row also lets a manager tune or pause organic pulls alone.


@shared_task(name="analytics.pull_account_stats")
def pull_account_stats() -> int:
    """Fan out one stats pull per ACTIVE publishing account."""
    pks = list(PublishingAccount.objects.filter(status=PublishingAccount.Status.ACTIVE).order_by("pk").values_list("pk", flat=True))
    for pk in pks:
        try:
            pull_account_stats_for_account.delay(pk)
        except (PublishingError, Retry):
            log.exception("organic stats pull for publishing account pk=%s failed", pk)
    return len(pks)


@shared_task(
    bind=True, name="analytics.pull_account_stats_for_account", autoretry_for=(PublishingTransient, PublishingRateLimited),
    retry_backoff=60, retry_backoff_max=900, retry_jitter=True, max_retries=5, acks_late=True,
)
def pull_account_stats_for_account(self, account_pk: int) -> dict | None:
    account = PublishingAccount.objects.filter(pk=account_pk, status=PublishingAccount.Status.ACTIVE).first()
    if account is None:
        return None
    try:
        result = account_stats_ingest(account=account)
    except PublishingAccountError as exc:
        account_mark_error(account, exc, action="account_stats")
        raise
    return {"days": result.days, "created": result.created, "updated": result.updated}
