"""Without a broker, `make demo` renders on background threads so progress can be watched."""

import time

import pytest

from creatives.models import VideoJob
from creatives.services import batch_create

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_eager_batch_renders_on_background_threads(settings, shop_product):
    settings.EMBEDDED_WORKER_THREADS = 2
    product = shop_product("en")

    jobs = batch_create(product=product, count=2)

    # The call returns before the renders finish: the request is not held up.
    assert set(VideoJob.objects.filter(pk__in=[j.pk for j in jobs]).values_list("status", flat=True)) <= {"queued", "running"}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        statuses = list(VideoJob.objects.filter(pk__in=[j.pk for j in jobs]).values_list("status", flat=True))
        if set(statuses) <= {"done", "failed"}:
            break
        time.sleep(0.3)
    assert statuses == ["done", "done"]
