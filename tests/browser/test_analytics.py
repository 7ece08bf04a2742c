"""analytics.html draws its charts with Chart.js: each canvas holds a chart whose data are the
database's numbers, and has been painted."""

import datetime as dt

import pytest
from django.db.models import Sum
from django.urls import reverse
from playwright.sync_api import expect

from adloop import clock
from analytics.models import AccountDaily, PerformanceDaily
from campaigns.models import PublishingAccount, Stage

from .conftest import perform
from .pages import wait_for_charts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ["chart-roas", "chart-spend", "chart-impressions", "chart-organic", "chart-stages"]


def test_the_dashboard_draws_every_chart_from_the_data(logged_in_page, launched_ad, shot):
    page = logged_in_page
    today = clock.today()
    perform(launched_ad(stage=Stage.LAUNCH), days=5, spend="20.00", roas="1.50")
    perform(launched_ad(stage=Stage.HEAT), days=7, spend="45.00", roas="3.00")
    account = PublishingAccount.objects.create(name="Shop TV", handle="@shoptv", provider=PublishingAccount.Provider.CHUHAIJIANG)
    for back, views in ((0, 1200), (1, 900), (3, 400)):
        AccountDaily.objects.create(account=account, date=today - dt.timedelta(days=back), video_views=views, followers_gained=back + 1)

    page.goto(reverse("analytics:dashboard"))

    charts = wait_for_charts(page, CHARTS)
    for canvas_id in CHARTS:
        expect(page.locator(f"#{canvas_id}")).to_be_visible()
        drawn = charts[canvas_id]
        assert drawn["painted"] > 0, canvas_id
        assert drawn["datasets"] and all(len(dataset["data"]) > 0 for dataset in drawn["datasets"]), canvas_id
    shot(page, "01-charts")

    dates = [(today - dt.timedelta(days=back)).isoformat() for back in range(6, -1, -1)]
    spend_by_day = {row["date"].isoformat(): float(row["spend"]) for row in PerformanceDaily.objects.values("date").annotate(spend=Sum("spend"))}
    assert charts["chart-spend"]["labels"] == dates
    assert charts["chart-spend"]["datasets"][0]["data"] == pytest.approx([spend_by_day.get(date, 0) for date in dates])
    roas = charts["chart-roas"]["datasets"][0]["data"]
    assert roas[-1] == pytest.approx((20 * 1.5 + 45 * 3) / 65) and roas[0] == pytest.approx(3.0)  # both ads today, one 6 days ago
    assert charts["chart-organic"]["datasets"][0]["data"] == [0, 0, 0, 400, 0, 900, 1200]
    assert charts["chart-stages"]["type"] == "doughnut"
    assert sum(charts["chart-stages"]["datasets"][0]["data"]) == pytest.approx(sum(spend_by_day.values()))
