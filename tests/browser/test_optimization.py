"""Approving a variant on optimization.html launches it: the page lists it as launched with its
TikTok ad id, and that ad exists in adloop and, running, in the sandbox."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from campaigns.models import Ad, OperationStatus, Stage
from optimization.models import OptimizationQueue
from sandbox.models import SbAd
from scheduler.models import ActionLog

from .conftest import perform

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pending_variant(launched_ad, make_job):
    """A winner running in the heat stage and one rendered variant of it waiting for approval."""
    source = launched_ad(stage=Stage.HEAT)
    perform(source, days=3, roas="3.00")
    return OptimizationQueue.objects.create(
        source_ad=source, job=make_job(parent=source.job), new_batch_id="opt-browser", status=OptimizationQueue.Status.PENDING,
        mode=OptimizationQueue.Mode.MANUAL, estimated_cost=Decimal("150.00"),
    )


def test_approving_a_queued_variant_launches_its_ad(logged_in_page, pending_variant, staff_user, shot):
    page, item = logged_in_page, pending_variant
    page.goto(reverse("optimization:queue"))

    card = page.locator(f'#pending article[data-item="{item.pk}"]')
    expect(card.locator("video")).to_have_attribute("src", item.job.video.url)
    expect(card.locator('[data-col="parent-roas"]')).to_have_text("3.00")
    shot(page, "01-pending")

    card.locator(f'button[name="item_action"][value="approve:{item.pk}"]').click()

    row = page.locator(f'#recent tr[data-item="{item.pk}"]')
    expect(row).to_have_attribute("data-status", OptimizationQueue.Status.LAUNCHED)
    expect(page.locator(f'#pending article[data-item="{item.pk}"]')).to_have_count(0)
    item.refresh_from_db()
    ad = Ad.objects.select_related("adgroup__campaign").get(pk=item.launched_ad_id)
    assert item.status == OptimizationQueue.Status.LAUNCHED and item.decided_by == staff_user
    assert ad.job == item.job and ad.ad_id and ad.status == OperationStatus.ENABLE and ad.adgroup.campaign.stage == Stage.HEAT
    expect(row).to_contain_text(ad.ad_id)
    shot(page, "02-launched")
    remote = SbAd.objects.get(ad_id=ad.ad_id)
    assert remote.operation_status == "ENABLE" and remote.adgroup.adgroup_id == ad.adgroup.adgroup_id
    assert ActionLog.objects.filter(action="ad_create", object_pk=ad.pk, user=staff_user, outcome="done").count() == 1
