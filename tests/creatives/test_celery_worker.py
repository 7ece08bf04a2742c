"""A batch runs on a real Celery worker through Redis (the broker of production and CI)."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker

from adloop.celery import app
from creatives.models import VideoJob
from creatives.services import batch_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL), as in CI and docker-compose"),
]


def test_a_batch_is_rendered_by_a_worker_through_redis(shop_product, settings, monkeypatch):
    broker = os.environ["REDIS_URL"]
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", broker)
    monkeypatch.setitem(app.conf, "result_backend", broker)
    product = shop_product("en")

    with start_worker(app, queues=["render"], concurrency=1, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        jobs = batch_create(product=product, count=2)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            statuses = set(VideoJob.objects.filter(pk__in=[j.pk for j in jobs]).values_list("status", flat=True))
            if statuses <= {"done", "failed"}:
                break
            time.sleep(0.5)

    assert list(VideoJob.objects.filter(pk__in=[j.pk for j in jobs]).values_list("status", flat=True)) == ["done", "done"]
