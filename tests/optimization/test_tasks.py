"""The beat task and its per-advertiser run, without HTTP."""

import pytest
from celery.exceptions import Retry

from campaigns.models import AdvertiserAccount
from optimization.models import OptimizationQueue
from optimization.tasks import run_loop, run_loop_for_advertiser
from scheduler.locks import LockBusy, advertiser_key, lock_backend

from .conftest import perform

pytestmark = pytest.mark.django_db


def test_the_beat_task_fans_out_to_connected_advertisers_only(advertiser, monkeypatch):
    AdvertiserAccount.objects.create(advertiser_id="999", status=AdvertiserAccount.Status.REVOKED)
    ran = []
    monkeypatch.setattr(run_loop_for_advertiser, "delay", ran.append)

    assert run_loop() == 1 and ran == [advertiser.pk]


def test_a_run_does_nothing_while_another_run_holds_the_advertisers_lock(advertiser, local_ad):
    perform(local_ad(), roas=3)
    assert lock_backend().acquire(advertiser_key(advertiser.pk), "another-run", ttl_s=60)

    with pytest.raises((Retry, LockBusy)):
        run_loop_for_advertiser.apply(args=(advertiser.pk,), throw=True)

    assert not OptimizationQueue.objects.exists()


def test_a_revoked_advertiser_is_skipped(advertiser):
    advertiser.status = AdvertiserAccount.Status.REVOKED
    advertiser.save()

    assert run_loop_for_advertiser.apply(args=(advertiser.pk,), throw=True).get() is None
