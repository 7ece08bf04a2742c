import datetime as dt
from decimal import Decimal

import pytest
from celery.exceptions import Retry

from analytics import tasks
from analytics.models import PerformanceDaily
from analytics.services import IngestResult
from campaigns.models import AdvertiserAccount
from integrations.tiktok_ads.errors import AuthError, Permanent, RateLimited, Transient
from scheduler.locks import RETRY_COUNTDOWN_S, DatabaseLockBackend, LockBusy, advertiser_key
from scheduler.models import SchedulerLock

from .conftest import market

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pulled(monkeypatch):
    """Record which advertisers the per-advertiser task pulls, without HTTP."""
    seen = []

    def ingest(*, advertiser):
        seen.append(advertiser.pk)
        return IngestResult(rows=1, created=1)

    monkeypatch.setattr(tasks, "performance_ingest", ingest)
    return seen


def test_the_scan_fans_out_to_each_connected_advertiser(advertiser, other_advertiser, pulled):
    revoked = AdvertiserAccount.objects.create(advertiser_id="7999", status=AdvertiserAccount.Status.REVOKED)
    broken = AdvertiserAccount.objects.create(advertiser_id="7998", status=AdvertiserAccount.Status.ERROR)

    count = tasks.pull_reports.delay().get()

    assert count == 2
    assert sorted(pulled) == sorted([advertiser.pk, other_advertiser.pk])
    assert revoked.pk not in pulled and broken.pk not in pulled


@pytest.mark.parametrize("error", [AuthError("revoked", code=40105), RateLimited("slow down", code=40100)])
def test_one_failing_advertiser_does_not_stop_the_scan_in_eager_mode(advertiser, other_advertiser, monkeypatch, error):
    seen = []

    def ingest(*, advertiser):
        seen.append(advertiser.pk)
        if len(seen) == 1:
            raise error
        return IngestResult()

    monkeypatch.setattr(tasks, "performance_ingest", ingest)

    assert tasks.pull_reports.delay().get() == 2
    assert len(seen) == 2


def test_the_advertiser_task_returns_quietly_when_the_row_is_gone(pulled):
    assert tasks.pull_reports_for_advertiser(10**9) is None
    assert pulled == []


def test_the_advertiser_task_skips_an_advertiser_disconnected_since_the_scan(advertiser, pulled):
    AdvertiserAccount.objects.filter(pk=advertiser.pk).update(status=AdvertiserAccount.Status.REVOKED)

    assert tasks.pull_reports_for_advertiser(advertiser.pk) is None
    assert pulled == []


def test_only_retryable_errors_are_retried():
    task = tasks.pull_reports_for_advertiser
    assert set(task.autoretry_for) == {Transient, RateLimited}
    assert task.max_retries == 5 and task.retry_backoff
    assert not issubclass(Permanent, tuple(task.autoretry_for)) and not issubclass(AuthError, tuple(task.autoretry_for))


def test_task_names_are_stable():
    assert tasks.pull_reports.name == "analytics.pull_reports"
    assert tasks.pull_reports_for_advertiser.name == "analytics.pull_reports_for_advertiser"


def test_the_advertiser_task_pulls_reports_over_http(sandbox_http, advertiser, video_job, launch, today):
    ad = launch(video_job, advertiser)
    market(ad, today, impressions=100, clicks=4, spend=Decimal("2.00"), conversions=1, conversion_value=Decimal("8.00"))

    summary = tasks.pull_reports_for_advertiser.delay(advertiser.pk).get()

    assert summary["rows"] == 1 and summary["requests"] == 1
    row = PerformanceDaily.objects.get(ad=ad, date=today)
    assert (row.impressions, row.roas) == (100, 4.0)
    assert isinstance(row.date, dt.date)


def test_a_transient_error_asks_celery_for_a_retry(advertiser, monkeypatch):
    def ingest(*, advertiser):
        raise Transient("HTTP 503", http_status=503)

    monkeypatch.setattr(tasks, "performance_ingest", ingest)

    with pytest.raises(Retry) as raised:
        tasks.pull_reports_for_advertiser.delay(advertiser.pk)
    assert isinstance(raised.value.exc, Transient)


def test_a_permanent_error_is_not_retried(advertiser, monkeypatch):
    attempts = []

    def ingest(*, advertiser):
        attempts.append(advertiser.pk)
        raise Permanent("bad parameter", code=40002)

    monkeypatch.setattr(tasks, "performance_ingest", ingest)

    with pytest.raises(Permanent):
        tasks.pull_reports_for_advertiser.delay(advertiser.pk).get()
    assert len(attempts) == 1


def test_a_pull_waits_while_another_run_holds_the_advertisers_lock(advertiser, pulled):
    DatabaseLockBackend().acquire(advertiser_key(advertiser.pk), "a budget run", ttl_s=600)

    with pytest.raises(Retry) as raised:
        tasks.pull_reports_for_advertiser.delay(advertiser.pk)

    assert raised.value.when == RETRY_COUNTDOWN_S and isinstance(raised.value.exc, LockBusy)
    assert pulled == []


def test_a_locked_advertiser_does_not_stop_the_scan(advertiser, other_advertiser, pulled):
    DatabaseLockBackend().acquire(advertiser_key(advertiser.pk), "a budget run", ttl_s=600)

    assert tasks.pull_reports.delay().get() == 2

    assert pulled == [other_advertiser.pk]


def test_the_pull_holds_the_advertisers_lock_and_frees_it_after(advertiser, monkeypatch):
    held = []

    def ingest(*, advertiser):
        held.append(SchedulerLock.objects.filter(key=advertiser_key(advertiser.pk)).exists())
        return IngestResult()

    monkeypatch.setattr(tasks, "performance_ingest", ingest)

    tasks.pull_reports_for_advertiser.delay(advertiser.pk).get()

    assert held == [True] and not SchedulerLock.objects.exists()
