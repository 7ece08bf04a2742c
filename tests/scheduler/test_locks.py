"""The per-advertiser automation lock, on both backends: the database (SQLite here) and Redis
(redis://127.0.0.1:6379/15 when it answers; CI has one)."""

import datetime as dt
import threading
import uuid

import pytest
import redis
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.utils import timezone

from scheduler import locks
from scheduler.locks import DatabaseLockBackend, LockBusy, RedisLockBackend, advertiser_key, advertiser_lock, lock, lock_backend
from scheduler.models import SchedulerLock

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def redis_or_skip() -> RedisLockBackend:
    backend = RedisLockBackend(REDIS_TEST_URL)
    try:
        backend.client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    return backend


@pytest.fixture
def key():
    # Unique per test: xdist workers and other checkouts may share the Redis database.
    return f"adloop:test:lock:{uuid.uuid4().hex}"


@pytest.fixture(params=["database", "redis"])
def backend(request, key):
    if request.param == "database":
        yield DatabaseLockBackend()
        return
    backend = redis_or_skip()
    yield backend
    backend.client.delete(key)


def expire_now(backend, key):
    """Let the holder's time run out without waiting for the TTL."""
    if isinstance(backend, DatabaseLockBackend):
        SchedulerLock.objects.filter(key=key).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        return
    backend.client.pexpire(key, 1)
    for _ in range(1000):  # Redis drops it within a millisecond or two
        if not backend.client.exists(key):
            return
        threading.Event().wait(0.005)
    raise AssertionError("Redis did not expire the key")


def in_another_thread(function):
    """Run `function` as another run would (its own thread, context and DB connection)."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function()
        except Exception as exc:  # handed back to the test
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return outcome


def test_a_held_lock_is_busy_for_another_run(backend, key):
    def another_run():
        with lock(key, backend=backend):
            return "ran"

    with lock(key, backend=backend):
        outcome = in_another_thread(another_run)
        assert backend.acquire(key, "someone-else", ttl_s=60) is False

    assert "value" not in outcome
    assert isinstance(outcome["error"], LockBusy) and key in str(outcome["error"])


def test_a_released_lock_is_free_again(backend, key):
    with lock(key, backend=backend):
        pass

    assert in_another_thread(lambda: backend.acquire(key, "next", ttl_s=60)) == {"value": True}


def test_an_error_in_the_block_still_releases_the_lock(backend, key):
    with pytest.raises(RuntimeError), lock(key, backend=backend):
        raise RuntimeError("the run failed")

    assert backend.acquire(key, "next", ttl_s=60) is True


def test_an_expired_lock_is_taken_over(backend, key):
    assert backend.acquire(key, "crashed-run", ttl_s=60)
    assert backend.acquire(key, "new-run", ttl_s=60) is False

    expire_now(backend, key)

    assert backend.acquire(key, "new-run", ttl_s=60) is True
    assert backend.release(key, "crashed-run") is False  # the old holder cannot free the new one's lock
    assert backend.acquire(key, "third-run", ttl_s=60) is False


def test_a_holder_cannot_release_another_holders_lock(backend, key):
    assert backend.acquire(key, "mine", ttl_s=60)

    assert backend.release(key, "not-mine") is False
    assert backend.acquire(key, "not-mine", ttl_s=60) is False
    assert backend.release(key, "mine") is True
    assert backend.acquire(key, "not-mine", ttl_s=60) is True


def test_a_lock_that_is_not_expired_is_not_taken_over_on_the_database(key):
    backend = DatabaseLockBackend()
    backend.acquire(key, "holder", ttl_s=60)

    assert backend.acquire(key, "taker", ttl_s=60) is False
    assert SchedulerLock.objects.get(key=key).token == "holder"


def test_the_run_holding_the_lock_may_enter_it_again(backend, key):
    with lock(key, backend=backend), lock(key, backend=backend):
        assert backend.acquire(key, "other", ttl_s=60) is False
    assert backend.acquire(key, "other", ttl_s=60) is True  # the outer block released it once, for good


def test_the_backend_is_redis_when_a_redis_url_is_set(settings):
    settings.ADVERTISER_LOCK_BACKEND = "auto"
    settings.REDIS_URL, settings.CELERY_BROKER_URL = "", ""
    assert isinstance(lock_backend(), DatabaseLockBackend)

    settings.CELERY_BROKER_URL = "amqp://guest@127.0.0.1//"
    assert isinstance(lock_backend(), DatabaseLockBackend)

    settings.CELERY_BROKER_URL = REDIS_TEST_URL
    assert isinstance(lock_backend(), RedisLockBackend)

    settings.REDIS_URL, settings.CELERY_BROKER_URL = REDIS_TEST_URL, ""
    assert isinstance(lock_backend(), RedisLockBackend) and locks.lock_redis_url() == REDIS_TEST_URL


@pytest.mark.parametrize("url", ["", REDIS_TEST_URL])
def test_one_key_per_advertiser(settings, url):
    if url:
        client = redis_or_skip().client
    settings.ADVERTISER_LOCK_BACKEND = "auto"
    settings.REDIS_URL, settings.CELERY_BROKER_URL = url, ""
    pk, other = 10**12 + uuid.uuid4().int % 10**9, 10**12 - 1 - uuid.uuid4().int % 10**9  # no clash in a shared Redis

    with advertiser_lock(pk):
        assert isinstance(in_another_thread(lambda: _enter_and_leave(pk)).get("error"), LockBusy)
        assert in_another_thread(lambda: _enter_and_leave(other)) == {"value": "ran"}
        if url:
            assert client.exists(advertiser_key(pk))
        else:
            assert SchedulerLock.objects.filter(key=advertiser_key(pk)).exists()

    assert in_another_thread(lambda: _enter_and_leave(pk)) == {"value": "ran"}


def _enter_and_leave(pk):
    with advertiser_lock(pk):
        return "ran"


def test_the_backend_can_be_chosen(settings):
    settings.ADVERTISER_LOCK_BACKEND, settings.REDIS_URL = "database", REDIS_TEST_URL
    assert isinstance(lock_backend(), DatabaseLockBackend)

    settings.ADVERTISER_LOCK_BACKEND, settings.REDIS_URL, settings.CELERY_BROKER_URL = "redis", "", ""
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        lock_backend()
