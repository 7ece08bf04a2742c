"""campaigns.html: the list shows launched campaigns, the detail page shows each ad with its
creative and trend, and pausing an ad there pauses it in TikTok (the sandbox), logged."""

import pytest
from django.urls import reverse
from django.utils.translation import override
from playwright.sync_api import expect

from campaigns.models import OperationStatus
from sandbox.models import SbAd
from scheduler.models import ActionLog

from .conftest import perform
from .pages import wait_for_charts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def status_label(status: OperationStatus, page) -> str:
    """The status as the page's language shows it."""
    with override(page.locator("html").get_attribute("lang")):
        return str(status.label)


def test_the_list_shows_a_launched_campaign(logged_in_page, launched_ad, shot, live_server):
    page = logged_in_page
    campaign = launched_ad().adgroup.campaign

    page.goto(reverse("campaigns:list"))

    row = page.locator(f'table#campaign-list tr[data-campaign-id="{campaign.pk}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text(campaign.name)
    shot(page, "01-list")

    row.get_by_role("link").first.click()

    expect(page).to_have_url(f"{live_server.url}{reverse('campaigns:detail', args=[campaign.pk])}")
    shot(page, "02-detail")


def test_the_detail_page_shows_the_creative_and_draws_the_trend(logged_in_page, launched_ad, shot):
    page = logged_in_page
    ad = launched_ad()
    perform(ad, days=4)

    page.goto(reverse("campaigns:detail", args=[ad.adgroup.campaign.pk]))

    expect(page.locator(f'tr[data-ad-id="{ad.pk}"]')).to_be_visible()
    expect(page.locator("#creative-preview")).to_have_attribute("src", ad.job.video.url)
    charts = wait_for_charts(page, ["trend-spend", "trend-roas"])
    for drawn in charts.values():
        assert drawn["painted"] > 0 and any(value is not None for value in drawn["datasets"][0]["data"])
    assert sum(value or 0 for value in charts["trend-spend"]["datasets"][0]["data"]) == pytest.approx(40 + 41 + 42 + 43)
    shot(page, "01-detail")


def test_pausing_an_ad_pauses_it_in_tiktok_and_logs_it(logged_in_page, launched_ad, staff_user, shot):
    page = logged_in_page
    ad = launched_ad()
    page.goto(reverse("campaigns:detail", args=[ad.adgroup.campaign.pk]))
    row = page.locator(f'tr[data-ad-id="{ad.pk}"]')
    expect(row.locator('[data-field="status"]')).to_have_text(status_label(OperationStatus.ENABLE, page))
    shot(page, "01-running")

    pause, resume = (row.locator(f'button[name="action"][value="{action}"]') for action in ("pause", "resume"))
    expect(resume).to_be_disabled()

    pause.click()

    expect(resume).to_be_enabled()
    expect(pause).to_be_disabled()
    expect(row.locator('[data-field="status"]')).to_have_text(status_label(OperationStatus.DISABLE, page))
    shot(page, "02-paused")
    ad.refresh_from_db()
    assert ad.status == OperationStatus.DISABLE
    assert SbAd.objects.get(ad_id=ad.ad_id).operation_status == "DISABLE"
    entry = ActionLog.objects.get(action="pause", object_type="ad", object_pk=ad.pk)
    assert (entry.actor, entry.user, entry.outcome) == ("user", staff_user, "done")
    assert (entry.before, entry.after, entry.remote_id) == ({"status": "ENABLE"}, {"status": "DISABLE"}, ad.ad_id)
