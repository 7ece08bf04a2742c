"""One lock per advertiser for every automation run (report pull, budgets, stages,
optimization), so two runs never act on one account at the same time.

Backends: Redis when the settings give a Redis URL (REDIS_URL, else a redis:// Celery
broker) — `SET key token NX PX ttl`, released by a Lua compare-and-delete; otherwise the
database (SchedulerLock) — acquired by INSERT, an expired row taken over by a conditional
UPDATE, released by DELETE … WHERE key AND token. Either way a release only frees the
caller's own lock (its random token), and a crashed holder's lock frees itself at its
expiry, so the TTL must outlast the longest run (the tasks use Celery's hard time limit).

Within one thread (or Celery eager run) a key already held is re-entered without a second
acquire: a run that calls another locked step for the same advertiser does not lock itself out.
Take the database lock outside any transaction.atomic() block: its row must be committed for
other workers to see it (inside one, a rival's INSERT waits on the unique index instead).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import secrets
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SchedulerLock

KEY_PREFIX = "adloop:lock:advertiser:"

# Keys this thread / task context holds (re-entry), with their tokens.
_HELD: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("scheduler_locks_held", default=frozenset())


class LockBusy(Exception):
    """Another run holds the lock: try again later."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(_("Another automation run holds the lock %(key)s; try again when it has finished.") % {"key": key})


def advertiser_key(advertiser_pk: int) -> str:
    return f"{KEY_PREFIX}{int(advertiser_pk)}"


@contextlib.contextmanager
def advertiser_lock(advertiser_pk: int, *, ttl_s: int = 3600):
    """Hold the advertiser's automation lock for the block; raise LockBusy if another run holds it."""
    with lock(advertiser_key(advertiser_pk), ttl_s=ttl_s):
        yield


# A busy lock sends the task back to the queue this many seconds later; the task's own
# max_retries bounds how often (then LockBusy is raised and the run is skipped until beat's next).
RETRY_COUNTDOWN_S = 60


def task_lock_ttl() -> int:
    """A task's lock outlives its run: Celery kills a task at its hard time limit, and a minute
    later its lock frees itself (a crashed worker never blocks an advertiser for long)."""
    return int(settings.CELERY_TASK_TIME_LIMIT or 3600) + 60


@contextlib.contextmanager
def advertiser_lock_or_retry(task, advertiser_pk: int):
    """For a bound Celery task: hold the advertiser's lock for the block, or, when another run
    holds it, ask Celery to run the task again in RETRY_COUNTDOWN_S (raises Retry; LockBusy
    once the task's max_retries are spent). The block never runs without the lock."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(advertiser_lock(advertiser_pk, ttl_s=task_lock_ttl()))
        except LockBusy as exc:
            raise task.retry(countdown=RETRY_COUNTDOWN_S, exc=exc) from exc
        yield


@contextlib.contextmanager
def lock(key: str, *, ttl_s: int = 3600, backend: LockBackend | None = None):
    held = _HELD.get()
    if key in held:
        yield  # re-entered by the run that holds it
        return
    backend = backend or lock_backend()
    token = secrets.token_hex(16)
    if not backend.acquire(key, token, ttl_s=ttl_s):
        raise LockBusy(key)
    marker = _HELD.set(held | {key})
    try:
        yield
    finally:
        _HELD.reset(marker)
        backend.release(key, token)


class LockBackend(Protocol):
    def acquire(self, key: str, token: str, *, ttl_s: float) -> bool:
        """Take `key` for `token` unless another token holds it unexpired; True when taken."""
        ...

    def release(self, key: str, token: str) -> bool:
        """Free `key` if `token` still holds it; True when it did."""
        ...


class DatabaseLockBackend:
    def acquire(self, key: str, token: str, *, ttl_s: float) -> bool:
        now = timezone.now()
        expires_at = now + dt.timedelta(seconds=ttl_s)
        try:
            # A savepoint, so a collision does not break a caller's transaction.
            with transaction.atomic():
                SchedulerLock.objects.create(key=key, token=token, expires_at=expires_at)
            return True
        except IntegrityError:
            pass
        # Held: take it over only if the holder's time is up. One UPDATE decides between
        # racing takers (the row count says who won).
        taken = SchedulerLock.objects.filter(key=key, expires_at__lt=now).update(token=token, expires_at=expires_at, acquired_at=now)
        return taken == 1

    def release(self, key: str, token: str) -> bool:
        deleted, _ = SchedulerLock.objects.filter(key=key, token=token).delete()
        return deleted > 0


# KEYS[1] = the key, ARGV[1] = the caller's token: delete only if it is still the holder's.
_RELEASE = """
if redis.call("get", KEYS[1]) == ARGV[1] then
    return redis.call("del", KEYS[1])
end
return 0
"""


class RedisLockBackend:
    def __init__(self, url: str):
        import redis

        # Bounded waits: a Redis that does not answer makes the run fail (and retry), not hang.
        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._release = self.client.register_script(_RELEASE)

    def acquire(self, key: str, token: str, *, ttl_s: float) -> bool:
        return bool(self.client.set(key, token, nx=True, px=max(1, int(ttl_s * 1000))))

    def release(self, key: str, token: str) -> bool:
        return bool(self._release(keys=[key], args=[token]))


def lock_redis_url() -> str:
    """The Redis to lock in: REDIS_URL, else the Celery broker when it is Redis; "" for none."""
    url = getattr(settings, "REDIS_URL", "") or ""
    if url:
        return url
    broker = getattr(settings, "CELERY_BROKER_URL", "") or ""
    return broker if broker.startswith(("redis://", "rediss://")) else ""


def lock_backend() -> LockBackend:
    """settings.ADVERTISER_LOCK_BACKEND: "auto" (Redis when a Redis URL is configured, else the
    database), "redis" or "database"."""
    choice = getattr(settings, "ADVERTISER_LOCK_BACKEND", "auto") or "auto"
    if choice == "database":
        return DatabaseLockBackend()
    url = lock_redis_url()
    if choice == "redis" and not url:
        raise ImproperlyConfigured("ADVERTISER_LOCK_BACKEND=redis needs REDIS_URL (or a redis:// CELERY_BROKER_URL)")
    return _redis_backend(url) if url else DatabaseLockBackend()


@lru_cache(maxsize=4)
def _redis_backend(url: str) -> RedisLockBackend:
    return RedisLockBackend(url)  # one connection pool per URL for the process
