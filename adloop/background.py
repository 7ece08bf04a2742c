"""Where a Celery task goes when it is enqueued.

With a broker, to the broker (workers pick it up). Without one (the embedded laptop default,
Celery eager) a task would run inside the web request that enqueued it, so a marketer who
asks for five videos would stare at a spinning page. With EMBEDDED_WORKER_THREADS > 0
(`make demo` sets 2) eager tasks run on a small thread pool in this process instead, and the
admin's progress bars move. Tests keep 0: tasks run inline, deterministically.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _pool(size: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=size, thread_name_prefix="adloop-embedded")


def enqueue(task, *args) -> None:
    threads = settings.EMBEDDED_WORKER_THREADS
    if not settings.CELERY_TASK_ALWAYS_EAGER or threads <= 0:
        task.delay(*args)
        return
    _pool(threads).submit(_run, task, args)


def _run(task, args) -> None:
    try:
        task.apply(args=args, throw=True)
    except Exception:
        log.exception("embedded task %s%r failed", task.name, args)
    finally:
        # Each pool thread has its own connections; close them so none outlives its task.
        connections.close_all()
