"""Track A publishing service against the real 出海匠 provider on the sandbox's MCP server, over
streamable HTTP (live_server): scheduling (rotation, caps, idempotency), the claim, retries,
failures, and the beat task publishing a held post at its time."""

import datetime as dt

import pytest

from adloop import clock
from analytics.models import Alert
from campaigns.models import Publication, PublishingAccount
from campaigns.services.accounts import chuhaijiang_accounts_sync
from campaigns.services.publishing import (
    PublishScheduleError,
    _claim,
    idempotency_key,
    publication_retry,
    publication_run,
    publications_due,
    publications_schedule,
)
from campaigns.tasks import publish_due
from integrations.chuhaijiang import ChuhaijiangProvider
from integrations.publishing import RateLimited
from sandbox.chuhaijiang.models import SbChjPost
from sandbox.market.clock import market_reset
from sandbox.market.engine import market_advance_day
from scheduler.models import ActionLog
from scheduler.services import Actor

pytestmark = pytest.mark.django_db(transaction=True)

START = dt.date(2026, 3, 2)


@pytest.fixture
def chj_http(live_server, settings):
    settings.CHUHAIJIANG_MCP_URL = f"{live_server.url}/sandbox/chuhaijiang/mcp"
    settings.CHUHAIJIANG_API_KEY = "sk_live_sandbox"
    settings.CHUHAIJIANG_TIMEOUT = 10
    settings.ADLOOP_CLOCK = "sandbox"
    market_reset(start=START)
    return live_server


@pytest.fixture
def accounts(chj_http):
    return sorted(chuhaijiang_accounts_sync(actor=Actor.auto()), key=lambda a: a.pk)


def at(day_offset=0, hour=0):
    return dt.datetime.combine(START + dt.timedelta(days=day_offset), dt.time(hour), tzinfo=dt.UTC)


def schedule(job, accounts, *, rotation=None, when=None, title="Fresh juice anywhere"):
    return publications_schedule(
        job=job, accounts=accounts, title=title, hashtags=["blender", "#kitchen"], scheduled_at=when or at(),
        rotation=rotation, actor=Actor.auto(),
    )


def test_sync_creates_the_bound_accounts_once(chj_http):
    first = chuhaijiang_accounts_sync(actor=Actor.auto())
    again = chuhaijiang_accounts_sync(actor=Actor.auto())

    assert sorted(a.handle for a in first) == ["adloop.deals", "adloop.demo", "adloop.kitchen"]
    assert [a.pk for a in again] == [a.pk for a in first]
    assert PublishingAccount.objects.filter(provider="chuhaijiang", status="active").count() == 3
    assert ActionLog.objects.filter(action="publishing_account_sync").count() == 3  # the second sync changed nothing


def test_scheduling_all_accounts_is_idempotent(accounts, video_job):
    first = schedule(video_job, accounts)
    again = schedule(video_job, accounts)

    assert len(first) == 3 and sorted(p.pk for p in again) == sorted(p.pk for p in first)
    assert Publication.objects.count() == 3
    assert {p.idempotency_key for p in first} == {f"{video_job.job_id.hex}:{a.pk}" for a in accounts}
    assert ActionLog.objects.filter(action="publication_schedule").count() == 3


def test_rotation_takes_the_accounts_used_least_recently_in_turn(accounts, make_job):
    one, two, three = make_job(), make_job(), make_job()
    a, b, c = accounts

    first = schedule(one, accounts, rotation=2, when=at(0, 8))
    assert [p.account_id for p in first] == [a.pk, b.pk]
    assert "rotation" in first.skipped[0]
    assert [p.account_id for p in schedule(one, accounts, rotation=2, when=at(0, 8))] == [a.pk, b.pk]  # a double submit adds none
    second = schedule(two, accounts, rotation=2, when=at(0, 9))
    assert [p.account_id for p in second] == [c.pk, a.pk]  # c was never used; a and b tie, a first
    third = schedule(three, accounts, rotation=1, when=at(0, 10))
    assert [p.account_id for p in third] == [b.pk]
    assert Publication.objects.count() == 5


def test_an_account_at_its_daily_cap_is_skipped_and_none_left_is_an_error(accounts, make_job):
    a, b, _ = accounts
    PublishingAccount.objects.filter(pk=a.pk).update(daily_post_cap=1)
    a.refresh_from_db()
    schedule(make_job(), [a], when=at(0, 8))

    result = schedule(make_job(), [a, b], when=at(0, 20))
    assert [p.account_id for p in result] == [b.pk]
    assert "daily cap" in result.skipped[0] and str(a) in result.skipped[0]
    with pytest.raises(PublishScheduleError, match="daily cap"):
        schedule(make_job(), [a], when=at(0, 22))
    assert len(schedule(make_job(), [a], when=at(1, 1))) == 1  # the next day has room again

    Publication.objects.filter(account=a, scheduled_at__date=START).update(status=Publication.Status.FAILED)
    assert len(schedule(make_job(), [a], when=at(0, 23))) == 1  # a failed post does not count


def test_an_inactive_account_is_refused(accounts, video_job):
    PublishingAccount.objects.filter(pk=accounts[0].pk).update(status=PublishingAccount.Status.ERROR)
    with pytest.raises(PublishScheduleError, match="not active"):
        schedule(video_job, [PublishingAccount.objects.get(pk=accounts[0].pk)])


def test_a_due_publication_is_posted_once_and_logged(accounts, video_job):
    publication = schedule(video_job, accounts[:1])[0]

    done = publication_run(publication=publication)

    assert done.status == Publication.Status.PUBLISHED and done.remote_id.startswith("p_") and done.attempts == 1
    post = SbChjPost.objects.get(post_id=done.remote_id)
    assert post.idempotency_key == idempotency_key(video_job, accounts[0]) and post.hashtags == ["blender", "kitchen"]
    log = ActionLog.objects.get(action="publish", object_pk=publication.pk)
    assert (log.before["status"], log.after["status"], log.remote_id) == ("publishing", "published", done.remote_id)

    again = publication_run(publication=done)
    assert again.status == Publication.Status.PUBLISHED and again.attempts == 1
    assert SbChjPost.objects.count() == 1


def test_a_retry_never_posts_twice(accounts, video_job):
    publication = schedule(video_job, accounts[:1])[0]
    done = publication_run(publication=publication)
    # A row that has a remote id but lost its status (e.g. a restored backup) is refreshed, not posted.
    Publication.objects.filter(pk=done.pk).update(status=Publication.Status.SCHEDULED)
    assert publication_run(publication=done).status == Publication.Status.PUBLISHED
    # A worker that posted but died before saving the answer: the retry re-sends the same key.
    Publication.objects.filter(pk=done.pk).update(status=Publication.Status.SCHEDULED, remote_id="")
    retried = publication_run(publication=done)

    assert retried.remote_id == done.remote_id and retried.attempts == 2
    assert SbChjPost.objects.count() == 1


def test_only_one_claim_wins(accounts, video_job):
    publication = schedule(video_job, accounts[:1])[0]
    now = clock.now()

    assert _claim(publication, now=now, early=False) is True
    assert _claim(publication, now=now, early=False) is False
    publication.refresh_from_db()
    assert publication.status == Publication.Status.PUBLISHING and publication.attempts == 1
    assert publication_run(publication=publication).status == Publication.Status.PUBLISHING  # a claimed row is left to its run
    assert SbChjPost.objects.count() == 0


def test_a_transient_failure_backs_off_then_fails_after_the_last_attempt(accounts, video_job, settings):
    settings.CHUHAIJIANG_MCP_URL = "http://127.0.0.1:9/mcp"  # nothing listens: connection refused
    settings.CHUHAIJIANG_TIMEOUT = 2
    settings.PUBLISH_MAX_ATTEMPTS = 2
    publication = schedule(video_job, accounts[:1])[0]

    first = publication_run(publication=publication)
    assert first.status == Publication.Status.SCHEDULED and first.attempts == 1 and "attempt 1" in first.error
    assert first.scheduled_at >= clock.now() + dt.timedelta(seconds=settings.PUBLISH_RETRY_BASE_S - 5)
    assert publication_run(publication=first).attempts == 1  # not due again yet
    assert not Alert.objects.exists()

    Publication.objects.filter(pk=first.pk).update(scheduled_at=at())
    last = publication_run(publication=first)
    assert last.status == Publication.Status.FAILED and last.attempts == 2
    assert Alert.objects.get(publication=last).kind == Alert.Kind.PUBLISH_FAILED
    assert ActionLog.objects.get(action="publish", object_pk=last.pk).outcome == "failed"


def test_an_account_error_fails_at_once_with_an_alert_and_marks_the_account(accounts, video_job):
    account = accounts[0]
    account.access_token = "sk_live_not_a_real_key"  # this account's own (wrong) 出海匠 key
    account.save()
    publication = schedule(video_job, [account])[0]

    failed = publication_run(publication=publication)

    assert failed.status == Publication.Status.FAILED and failed.attempts == 1 and failed.error
    alert = Alert.objects.get(publication=failed)
    assert alert.kind == Alert.Kind.PUBLISH_FAILED and str(account) in alert.message
    assert ActionLog.objects.filter(action="publish", object_pk=failed.pk, outcome="failed").count() == 1
    account.refresh_from_db()
    assert account.status == PublishingAccount.Status.ERROR and account.last_error
    assert SbChjPost.objects.count() == 0


def test_retry_in_admin_puts_a_failed_row_back_with_the_same_key(accounts, video_job):
    publication = schedule(video_job, accounts[:1])[0]
    Publication.objects.filter(pk=publication.pk).update(status=Publication.Status.FAILED, attempts=5, error="boom")

    retried = publication_retry(publication=publication, actor=Actor.auto())

    assert (retried.status, retried.attempts, retried.error) == (Publication.Status.SCHEDULED, 0, "")
    assert retried.idempotency_key == publication.idempotency_key
    assert publication_run(publication=retried).status == Publication.Status.PUBLISHED


def test_a_held_post_goes_out_at_its_time_from_the_beat_task(accounts, video_job, monkeypatch):
    # A provider that cannot schedule: our beat task holds the post until its time.
    monkeypatch.setattr(ChuhaijiangProvider, "can_schedule", False)
    publication = schedule(video_job, accounts[:1], when=at(1, 0))

    assert publication_run(publication=publication[0]).status == Publication.Status.SCHEDULED  # not due: nothing posted
    assert publish_due() == {"released": 0, "due": 0, "refreshed": 0}
    assert SbChjPost.objects.count() == 0

    market_advance_day()  # the clock moves to the next day, past the scheduled time
    assert publish_due()["due"] == 1

    done = Publication.objects.get(pk=publication[0].pk)
    assert done.status == Publication.Status.PUBLISHED and done.remote_id
    assert SbChjPost.objects.get(post_id=done.remote_id).scheduled_time is None  # we posted it; 出海匠 did not hold it


def test_a_provider_that_schedules_holds_the_post_and_the_beat_task_finishes_it(accounts, video_job):
    publication = schedule(video_job, accounts[:1], when=at(2, 9))[0]

    handed = publication_run(publication=publication)  # a provider that schedules gets it at once
    assert handed.status == Publication.Status.SCHEDULED and handed.remote_id
    assert SbChjPost.objects.get(post_id=handed.remote_id).scheduled_time == at(2, 9)
    assert publications_due()["refreshed"] == 0  # not due yet

    market_advance_day()
    market_advance_day()
    Publication.objects.filter(pk=handed.pk).update(scheduled_at=at(2, 0))  # due by the wall clock's time of day too
    assert publications_due()["refreshed"] == 1
    done = Publication.objects.get(pk=handed.pk)
    assert done.status == Publication.Status.PUBLISHED and done.remote_id == handed.remote_id
    assert SbChjPost.objects.count() == 1


def test_a_claim_left_by_a_dead_worker_is_released(accounts, video_job, settings):
    publication = schedule(video_job, accounts[:1])[0]
    Publication.objects.filter(pk=publication.pk).update(
        status=Publication.Status.PUBLISHING, attempts=1,
        claimed_at=clock.now() - dt.timedelta(seconds=settings.PUBLISH_CLAIM_TIMEOUT_S + 60),
    )

    result = publications_due()

    assert result["released"] == 1 and result["due"] == 1
    done = Publication.objects.get(pk=publication.pk)
    assert done.status == Publication.Status.PUBLISHED and done.attempts == 2


def test_a_rate_limit_waits_at_least_as_long_as_the_platform_asks(accounts, video_job, monkeypatch):
    def limited(self, request):
        raise RateLimited("too many posts this minute", retry_after_s=900)

    monkeypatch.setattr(ChuhaijiangProvider, "publish", limited)
    publication = schedule(video_job, accounts[:1])[0]

    again = publication_run(publication=publication)

    assert again.status == Publication.Status.SCHEDULED and again.attempts == 1 and "too many posts" in again.error
    assert again.scheduled_at >= clock.now() + dt.timedelta(seconds=895)
    assert not Alert.objects.exists()
