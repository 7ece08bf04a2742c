"""Track A publishing (PRD 12.1): schedule a video job on chosen accounts, post each row once.

A Publication row is the unit of work. Its `idempotency_key` is derived from (job, account) and
is unique, so a double submit finds the row it made before; the provider gets the same key on
every attempt. A run *claims* the row with a conditional UPDATE (scheduled and due → publishing),
so two workers never post the same row, and a row that already has a remote id is never posted
again: its status is refreshed instead.

States: scheduled → publishing → published | failed. A transient failure (timeout, 5xx, rate
limit) sends the row back to scheduled with a later `scheduled_at` (exponential backoff) until
PUBLISH_MAX_ATTEMPTS; an account problem, a refusal or a protocol mismatch fails it at once,
with an Alert and an ActionLog entry. A provider that cannot schedule gets the post at its
time from the beat task `campaigns.publish_due`; one that can is handed `scheduled_at`.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils.translation import gettext as _

from adloop import clock
from campaigns.errors import CampaignError
from campaigns.models import Publication, PublishingAccount
from creatives.models import VideoJob
from integrations.publishing import (
    AccountError,
    PostRequest,
    PublishingError,
    PublishResult,
    PublishStatus,
    RateLimited,
)
from scheduler.services import Actor, action_log_record

from .accounts import account_mark_error, provider_for

log = logging.getLogger(__name__)

# Statuses that count against an account's daily cap (a failed post does not).
CAP_STATUSES = [Publication.Status.SCHEDULED, Publication.Status.PUBLISHING, Publication.Status.PUBLISHED]
# A provider that schedules is only handed a time at least this far ahead; nearer is "now".
SCHEDULE_MIN_LEAD = dt.timedelta(minutes=15)


class PublishScheduleError(CampaignError):
    """Nothing could be scheduled; the message lists why for each account."""


class ScheduledPublications(list):
    """The publications scheduled (new or found from an earlier submit), plus `skipped`: one
    message per chosen account that got none (at its cap, not active)."""

    def __init__(self, items=(), skipped=()):
        super().__init__(items)
        self.skipped = list(skipped)


def idempotency_key(job: VideoJob, account: PublishingAccount) -> str:
    return f"{job.job_id.hex}:{account.pk}"


def _day_bounds(at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(at.astimezone(dt.UTC).date(), dt.time.min, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


def account_posts_on(account: PublishingAccount, day_of: dt.datetime) -> int:
    """The account's publications on `day_of`'s (UTC) day that count against its daily cap."""
    start, end = _day_bounds(day_of)
    return Publication.objects.filter(account=account, status__in=CAP_STATUSES, scheduled_at__gte=start, scheduled_at__lt=end).count()


def publications_schedule(
    *,
    job: VideoJob,
    accounts,
    title: str,
    hashtags: list[str],
    scheduled_at: dt.datetime | None,
    rotation: int | None,
    actor: Actor,
) -> ScheduledPublications:
    """Schedule `job` on the chosen `accounts` (all of them, or with `rotation` N the N least
    recently used) at `scheduled_at` (None: now), honouring each account's daily cap.

    Idempotent: an account that already has this job keeps its row and is returned again; with
    rotation the rows already made count toward N, so a double submit adds nothing."""
    if job.status != VideoJob.Status.DONE or not job.video:
        raise PublishScheduleError(_("%(job)s has no finished video to publish.") % {"job": job})
    if rotation is not None and rotation < 1:
        raise PublishScheduleError(_("Rotation must be at least 1 account."))
    scheduled_at = scheduled_at or clock.now()
    hashtags = [tag.strip().lstrip("#") for tag in hashtags if tag.strip().lstrip("#")]
    chosen = list({account.pk: account for account in accounts}.values())
    if not chosen:
        raise PublishScheduleError(_("Choose at least one account."))
    skipped: list[str] = []
    result: list[Publication] = []
    with transaction.atomic():
        # Lock the chosen accounts so two submits cannot both take an account's last slot.
        locked = {a.pk: a for a in PublishingAccount.objects.select_for_update().filter(pk__in=[a.pk for a in chosen]).order_by("pk")}
        existing = {p.account_id: p for p in Publication.objects.filter(job=job, account_id__in=locked).select_related("account")}
        start, end = _day_bounds(scheduled_at)
        last_used = dict(
            PublishingAccount.objects.filter(pk__in=locked)
            .annotate(last=Max("publications__scheduled_at"))
            .values_list("pk", "last")
        )
        today_counts = dict(
            PublishingAccount.objects.filter(pk__in=locked)
            .annotate(n=Count("publications", filter=Q(
                publications__status__in=CAP_STATUSES, publications__scheduled_at__gte=start, publications__scheduled_at__lt=end
            )))
            .values_list("pk", "n")
        )
        candidates = []
        for account in (locked[a.pk] for a in chosen if a.pk in locked):
            if account.pk in existing:
                result.append(existing[account.pk])
                continue
            if account.status != PublishingAccount.Status.ACTIVE:
                skipped.append(_("%(account)s is %(status)s, not active.") % {"account": account, "status": account.get_status_display()})
                continue
            if today_counts.get(account.pk, 0) >= account.daily_post_cap:
                skipped.append(
                    _("%(account)s is at its daily cap (%(cap)d posts on %(day)s).")
                    % {"account": account, "cap": account.daily_post_cap, "day": start.date().isoformat()}
                )
                continue
            candidates.append(account)
        if rotation is not None:
            # The N accounts used least recently (never used first), in turn.
            floor = dt.datetime.min.replace(tzinfo=dt.UTC)
            candidates.sort(key=lambda a: (last_used.get(a.pk) or floor, a.pk))
            need = max(0, rotation - len(result))
            for account in candidates[need:]:
                skipped.append(_("%(account)s not used this time (rotation of %(n)d).") % {"account": account, "n": rotation})
            candidates = candidates[:need]
        for account in candidates:
            publication, created = _publication_get_or_create(job, account, title=title, hashtags=hashtags, scheduled_at=scheduled_at)
            if created:
                action_log_record(
                    actor=actor, action="publication_schedule", obj=publication, before={},
                    after={"status": publication.status, "account": str(account), "scheduled_at": scheduled_at},
                    reason=_("rotation of %(n)d") % {"n": rotation} if rotation else _("publish to chosen accounts"),
                )
            result.append(publication)
    if not result:
        raise PublishScheduleError(" ".join([_("No account can take this post:"), *skipped]))
    return ScheduledPublications(result, skipped)


def _publication_get_or_create(job, account, **fields) -> tuple[Publication, bool]:
    key = idempotency_key(job, account)
    try:
        with transaction.atomic():
            return Publication.objects.get_or_create(idempotency_key=key, defaults={"job": job, "account": account, **fields})
    except IntegrityError:  # a rival submit made it between our read and our insert
        return Publication.objects.get(job=job, account=account), False


def publications_enqueue(publications) -> int:
    """Queue a run for each row (after commit): due rows post now, a provider that can schedule
    gets future rows at once; the others wait for `campaigns.publish_due`."""
    from campaigns.tasks import publication_run_task

    pks = [p.pk for p in publications if p.status == Publication.Status.SCHEDULED and not p.remote_id]
    for pk in pks:
        transaction.on_commit(lambda pk=pk: publication_run_task.delay(pk))
    return len(pks)


# --- running one publication --------------------------------------------------------------


def _backoff_s(attempts: int) -> float:
    return min(settings.PUBLISH_RETRY_MAX_S, settings.PUBLISH_RETRY_BASE_S * 2 ** max(0, attempts - 1))


def _claim(publication: Publication, *, now: dt.datetime, early: bool) -> bool:
    """scheduled (and due, or `early` for a first attempt on a provider that schedules) → publishing."""
    due = Q(scheduled_at__lte=now) | Q(attempts=0) if early else Q(scheduled_at__lte=now)
    return bool(
        Publication.objects.filter(due, pk=publication.pk, status=Publication.Status.SCHEDULED, remote_id="")
        .update(status=Publication.Status.PUBLISHING, attempts=F("attempts") + 1, claimed_at=now)
    )


def publication_run(*, publication: Publication, actor: Actor | None = None) -> Publication:
    """Post one publication if it is due and nobody else is posting it; return it reloaded."""
    actor = actor or Actor.auto()
    publication = Publication.objects.select_related("account", "job").get(pk=publication.pk)
    if publication.remote_id:
        # Already handed to the provider: never post twice, only ask how it went.
        return publication_status_refresh(publication=publication, actor=actor)
    if publication.status != Publication.Status.SCHEDULED:
        return publication
    account, now = publication.account, clock.now()
    if account.status != PublishingAccount.Status.ACTIVE and publication.scheduled_at <= now:
        error = AccountError(
            _("account %(account)s is %(status)s: %(error)s")
            % {"account": account, "status": account.get_status_display(), "error": account.last_error}
        )
        return _fail(publication, error, actor, claim=True)
    try:
        provider = provider_for(account)
        can_schedule = publication.scheduled_at > now + SCHEDULE_MIN_LEAD and bool(provider.can_schedule)
    except PublishingError as exc:
        if not _claim(publication, now=now, early=False):
            return Publication.objects.get(pk=publication.pk)
        return _after_error(Publication.objects.select_related("account", "job").get(pk=publication.pk), exc, actor)
    if not _claim(publication, now=now, early=can_schedule):
        return Publication.objects.get(pk=publication.pk)  # not due, or another run has it
    publication.refresh_from_db()
    request = PostRequest(
        account_id=account.remote_account_id,
        video_path=Path(publication.job.video.path),
        title=publication.title,
        hashtags=list(publication.hashtags),
        idempotency_key=publication.idempotency_key,
        scheduled_at=publication.scheduled_at if can_schedule else None,
    )
    try:
        result = provider.publish(request)
    except PublishingError as exc:
        return _after_error(publication, exc, actor)
    except Exception as exc:
        # Unknown failure: the post may or may not exist; fail loudly (Retry re-sends the same key).
        _fail(publication, exc, actor)
        raise
    return _after_result(publication, result, actor, action="publish")


def _after_result(publication: Publication, result: PublishResult, actor: Actor, *, action: str) -> Publication:
    before = {"status": publication.status}
    if result.status == PublishStatus.FAILED:
        publication.remote_id = result.remote_id or publication.remote_id
        publication.save(update_fields=["remote_id"])
        return _fail(publication, PublishingError(result.fail_reason or _("the platform reported the post failed")), actor)
    with transaction.atomic():
        publication.remote_id = result.remote_id or publication.remote_id
        publication.error = ""
        if result.status == PublishStatus.PUBLISHED:
            publication.status = Publication.Status.PUBLISHED
            publication.published_at = clock.now()
        elif result.status == PublishStatus.SCHEDULED:
            # The provider holds it until scheduled_at; the remote id keeps us from posting again.
            publication.status = Publication.Status.SCHEDULED
        else:
            publication.status = Publication.Status.PUBLISHING  # processing: publish_due refreshes it
        publication.save(update_fields=["remote_id", "error", "status", "published_at"])
        if before["status"] != publication.status or action == "publish":
            action_log_record(
                actor=actor, action=action, obj=publication, before=before,
                after={"status": publication.status, "remote_status": result.status, "post_id": result.post_id},
                remote_id=publication.remote_id, reason=_("%(job)s on %(account)s") % {"job": publication.job, "account": publication.account},
            )
    return publication


def _after_error(publication: Publication, exc: PublishingError, actor: Actor) -> Publication:
    if exc.retryable and publication.attempts < settings.PUBLISH_MAX_ATTEMPTS:
        wait = _backoff_s(publication.attempts)
        if isinstance(exc, RateLimited):
            wait = max(wait, float(exc.retry_after_s))
        later = clock.now() + dt.timedelta(seconds=wait)
        Publication.objects.filter(pk=publication.pk, status=Publication.Status.PUBLISHING).update(
            status=Publication.Status.SCHEDULED, error=(_("attempt %(n)d: %(error)s") % {"n": publication.attempts, "error": exc})[:4000], scheduled_at=later,
        )
        log.warning("publication %s: attempt %s failed (%s); retry at %s", publication.pk, publication.attempts, exc, later)
        publication.refresh_from_db()
        return publication
    if isinstance(exc, AccountError):
        account_mark_error(publication.account, exc, action="publish")
    return _fail(publication, exc, actor)


def _fail(publication: Publication, exc: Exception, actor: Actor, *, claim: bool = False) -> Publication:
    from analytics.services.alerts import alert_publication_failed

    error = str(exc)[:4000]
    with transaction.atomic():
        query = Publication.objects.filter(pk=publication.pk).exclude(status=Publication.Status.FAILED)
        if claim:
            query = query.filter(status=Publication.Status.SCHEDULED, remote_id="")
            updates = {"attempts": F("attempts") + 1}
        else:
            updates = {}
        before = {"status": publication.status}
        if not query.update(status=Publication.Status.FAILED, error=error, **updates):
            return Publication.objects.get(pk=publication.pk)
        publication.refresh_from_db()
        action_log_record(
            actor=actor, action="publish", obj=publication, before=before, after={"status": publication.status},
            remote_id=publication.remote_id, outcome="failed", error=error,
            reason=_("%(job)s on %(account)s") % {"job": publication.job, "account": publication.account},
        )
    alert_publication_failed(publication=publication, error=error)
    return publication


def publication_status_refresh(*, publication: Publication, actor: Actor | None = None) -> Publication:
    """Ask the provider how a handed-over post is doing; finish it when the platform has."""
    actor = actor or Actor.auto()
    publication = Publication.objects.select_related("account", "job").get(pk=publication.pk)
    if not publication.remote_id or publication.status in (Publication.Status.PUBLISHED, Publication.Status.FAILED):
        return publication
    try:
        result = provider_for(publication.account).publish_status(
            account_id=publication.account.remote_account_id, remote_id=publication.remote_id
        )
    except PublishingError as exc:
        if isinstance(exc, AccountError):
            account_mark_error(publication.account, exc, action="publish_status")
        log.warning("publication %s: status refresh failed: %s", publication.pk, exc)
        Publication.objects.filter(pk=publication.pk).update(error=(_("status check: %(error)s") % {"error": exc})[:4000])
        publication.refresh_from_db()
        return publication
    if result.status == PublishStatus.PROCESSING and publication.status == Publication.Status.PUBLISHING:
        return publication
    return _after_result(publication, result, actor, action="publish_status")


def publication_retry(*, publication: Publication, actor: Actor) -> Publication:
    """Admin's Retry: a failed row goes back to scheduled (now, fresh attempts, same key); a row
    the provider already has is only refreshed — never posted twice."""
    if publication.remote_id:
        return publication_status_refresh(publication=publication, actor=actor)
    before = {"status": publication.status, "attempts": publication.attempts}
    with transaction.atomic():
        changed = Publication.objects.filter(pk=publication.pk, status=Publication.Status.FAILED, remote_id="").update(
            status=Publication.Status.SCHEDULED, attempts=0, error="", scheduled_at=clock.now(), claimed_at=None
        )
        publication.refresh_from_db()
        if changed:
            action_log_record(
                actor=actor, action="publication_retry", obj=publication, before=before,
                after={"status": publication.status}, reason=_("retry requested in admin"),
            )
    return publication


def publications_due(*, now: dt.datetime | None = None) -> dict:
    """What `campaigns.publish_due` does: release claims of dead workers, run every due row,
    and refresh the rows a provider holds (processing, or scheduled there and due)."""
    from campaigns.tasks import publication_run_task

    now = now or clock.now()
    stale = now - dt.timedelta(seconds=settings.PUBLISH_CLAIM_TIMEOUT_S)
    released = Publication.objects.filter(status=Publication.Status.PUBLISHING, remote_id="", claimed_at__lt=stale).update(
        status=Publication.Status.SCHEDULED, error=_("released: the run that claimed it did not finish")
    )
    due = list(
        Publication.objects.filter(status=Publication.Status.SCHEDULED, remote_id="", scheduled_at__lte=now)
        .order_by("scheduled_at", "pk").values_list("pk", flat=True)
    )
    held = list(
        Publication.objects.exclude(remote_id="")
        .filter(Q(status=Publication.Status.PUBLISHING) | Q(status=Publication.Status.SCHEDULED, scheduled_at__lte=now))
        .order_by("pk").values_list("pk", flat=True)
    )
    for pk in due + held:
        try:
            publication_run_task.delay(pk)
        except Exception:
            # Only in eager mode does a run's error surface here; the next row still runs.
            log.exception("publication %s failed", pk)
    return {"released": released, "due": len(due), "refreshed": len(held)}
