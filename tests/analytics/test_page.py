"""The analytics dashboard: its tables and its json_script data agree with the database, and it
costs a fixed number of queries however many ads there are."""

import datetime as dt
import json
import re
from decimal import Decimal
from http import HTTPStatus
from itertools import count

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adloop import clock
from analytics.models import AccountDaily, PerformanceDaily
from campaigns.models import Ad, AdGroup, AdvertiserAccount, Campaign, OperationStatus, PublishingAccount, Stage
from creatives.models import Product, VideoJob
from scheduler.models import StrategySettings

pytestmark = pytest.mark.django_db

URL = reverse("analytics:dashboard")
serial = count(1)


@pytest.fixture
def today():
    return clock.today()


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_user("ana", password="x", is_staff=True)
    client.force_login(user)
    return client


@pytest.fixture
def shop():
    advertiser = AdvertiserAccount.objects.create(advertiser_id="7000000001", name="Shop", timezone="UTC")
    product = Product.objects.create(name="Portable Blender")
    job = VideoJob.objects.create(product=product, status=VideoJob.Status.DONE, progress=100)
    return advertiser, job


@pytest.fixture
def make_ad(shop):
    advertiser, job = shop
    adgroups = {}

    def make(stage=Stage.LAUNCH, status=OperationStatus.ENABLE, name=None) -> Ad:
        if stage not in adgroups:
            n = next(serial)
            campaign = Campaign.objects.create(
                campaign_id=f"18{n:08d}", request_id=f"c{n}", advertiser=advertiser, name=f"campaign {stage}",
                objective="VIDEO_VIEWS", stage=stage, status=OperationStatus.ENABLE,
            )
            adgroups[stage] = AdGroup.objects.create(
                adgroup_id=f"17{n:08d}", request_id=f"g{n}", campaign=campaign, name=f"adgroup {stage}",
                status=OperationStatus.ENABLE, billing_event="CPM", optimization_goal="REACH", bid_type="BID_TYPE_NO_BID",
                budget=Decimal("50"),
            )
        n = next(serial)
        return Ad.objects.create(
            ad_id=f"16{n:08d}", adgroup=adgroups[stage], job=job, name=name or f"ad {n}", status=status, ad_text="Fresh juice",
        )

    return make


def perf(ad, date, *, spend, value="0", impressions=1000, clicks=10, conversions=0) -> PerformanceDaily:
    return PerformanceDaily.objects.create(
        ad=ad, date=date, spend=Decimal(spend), conversion_value=Decimal(value), impressions=impressions, clicks=clicks,
        conversions=conversions,
    )


def page(client, **params):
    response = client.get(URL, params)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    match = re.search(r'<script id="analytics-data" type="application/json">(.*?)</script>', html, re.S)
    return html, json.loads(match.group(1))


def number(text: str) -> Decimal | None:
    text = text.strip().rstrip("%").strip().replace(",", "")
    return None if text == "—" else Decimal(text)


def metric(html: str, name: str) -> Decimal | None:
    return number(re.search(rf'data-metric="{name}">([^<]*)<', html).group(1))


def row_cells(html: str, attr: str, key) -> dict[str, Decimal | None]:
    row = re.search(rf'<tr {attr}="{key}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    return {col: number(text) for col, text in re.findall(r'data-col="(\w+)">([^<]*)<', row)}


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == HTTPStatus.FOUND
    assert reverse("admin:login") in response["Location"]


def test_the_overview_equals_the_database_in_the_table_and_the_data(staff_client, make_ad, today):
    first, second = make_ad(), make_ad(Stage.HEAT)
    perf(first, today, spend="12.50", value="40.00", impressions=5000, clicks=60, conversions=2)
    perf(second, today, spend="7.25", value="3.10", impressions=2500, clicks=20, conversions=1)
    perf(first, today - dt.timedelta(days=3), spend="30.00", value="75.55", impressions=9000, clicks=90, conversions=3)
    perf(second, today - dt.timedelta(days=6), spend="1000.00", value="2100.00", impressions=123456, conversions=40)
    perf(second, today - dt.timedelta(days=7), spend="999.00", value="1.00")  # outside the 7 days

    html, data = page(staff_client)

    rows = PerformanceDaily.objects.filter(date__gte=today - dt.timedelta(days=6))
    totals = rows.aggregate(spend=Sum("spend"), value=Sum("conversion_value"), impressions=Sum("impressions"), conversions=Sum("conversions"))
    today_spend = rows.filter(date=today).aggregate(spend=Sum("spend"))["spend"]
    roas = totals["value"] / totals["spend"]
    assert today_spend == Decimal("19.75")
    assert metric(html, "today-spend") == today_spend
    assert metric(html, "period-spend") == totals["spend"] == Decimal("1049.75")
    assert metric(html, "period-roas") == roas.quantize(Decimal("0.01"))
    assert metric(html, "period-impressions") == totals["impressions"]
    assert metric(html, "period-conversions") == totals["conversions"]
    assert metric(html, "today-conversions") == 3
    assert data["overview"]["today"]["spend"] == pytest.approx(float(today_spend))
    assert data["overview"]["period"]["spend"] == pytest.approx(float(totals["spend"]))
    assert data["overview"]["period"]["roas"] == pytest.approx(float(roas))
    assert data["overview"]["period"]["impressions"] == totals["impressions"]
    assert data["overview"]["period"]["conversions"] == totals["conversions"]
    assert data["overview"]["today"]["roas"] == pytest.approx((40.00 + 3.10) / 19.75)


def test_ads_are_sorted_by_roas_and_tagged_against_the_target(staff_client, make_ad, today):
    StrategySettings.objects.create(campaign=None, target_roas=Decimal("2.00"))
    ads = {name: make_ad(name=name) for name in ("mid", "high", "none", "low", "edge")}
    perf(ads["mid"], today, spend="10", value="15")  # 1.5 ≥ 0.7 × 2
    perf(ads["high"], today, spend="10", value="31")  # 3.1 ≥ 1.5 × 2
    perf(ads["none"], today, spend="0", value="0", impressions=0, clicks=0)  # no spend: no ROAS
    perf(ads["low"], today, spend="10", value="13.9")  # 1.39 < 1.4
    perf(ads["edge"], today, spend="10", value="30")  # exactly 3.0: high

    html, _ = page(staff_client)

    order = re.findall(r'<tr data-ad="(\d+)" data-tag="(\w+)"', html)
    assert order == [
        (str(ads["high"].pk), "high"), (str(ads["edge"].pk), "high"), (str(ads["mid"].pk), "mid"),
        (str(ads["low"].pk), "low"), (str(ads["none"].pk), "none"),
    ]
    assert row_cells(html, "data-ad", ads["high"].pk)["roas"] == Decimal("3.10")
    assert row_cells(html, "data-ad", ads["none"].pk)["roas"] is None
    assert reverse("admin:campaigns_ad_change", args=[ads["low"].pk]) in html
    assert "ROAS ≥ 3.00" in html and "ROAS ≥ 1.40" in html


def test_the_target_roas_comes_from_the_global_strategy_row(staff_client, make_ad, today):
    StrategySettings.objects.create(campaign=None, target_roas=Decimal("4.00"))
    ad = make_ad()
    perf(ad, today, spend="10", value="31")  # 3.1: high against 2.0, mid against 4.0

    html, data = page(staff_client)

    assert re.search(rf'<tr data-ad="{ad.pk}" data-tag="mid"', html)
    assert data["target_roas"] == 4.0


def test_the_ads_row_shows_ctr_cvr_stage_and_status(staff_client, make_ad, today):
    ad = make_ad(Stage.HIT, status=OperationStatus.DISABLE)
    perf(ad, today, spend="20", value="50", impressions=4000, clicks=50, conversions=5)
    perf(ad, today - dt.timedelta(days=1), spend="20", value="10", impressions=6000, clicks=50, conversions=0)

    html, _ = page(staff_client)

    cells = row_cells(html, "data-ad", ad.pk)
    assert cells == {
        "roas": Decimal("1.50"), "spend": Decimal("40.00"), "impressions": 10000, "ctr": Decimal("1.00"),
        "cvr": Decimal("5.00"), "conversions": 5,
    }
    row = re.search(rf'<tr data-ad="{ad.pk}".*?</tr>', html, re.S).group(0)
    assert str(Stage.HIT.label) in row and "打品" not in row
    assert str(OperationStatus.DISABLE.label) in row


def test_a_day_without_data_has_zero_spend_and_no_roas(staff_client, make_ad, today):
    ad = make_ad()
    gap = today - dt.timedelta(days=2)
    for offset in (0, 1, 3, 4, 5, 6):
        perf(ad, today - dt.timedelta(days=offset), spend="10", value="20")

    html, data = page(staff_client)

    series = data["series"]
    assert series["dates"][0] == (today - dt.timedelta(days=6)).isoformat()
    assert series["dates"][-1] == today.isoformat()
    index = series["dates"].index(gap.isoformat())
    assert series["spend"][index] == 0
    assert series["roas"][index] is None
    assert series["impressions"][index] == 0
    assert series["roas"][index + 1] == 2.0
    assert row_cells(html, "data-date", gap.isoformat()) == {"spend": 0, "roas": None, "impressions": 0, "clicks": 0, "conversions": 0}


def test_thirty_days_lengthen_the_series_and_other_values_fall_back_to_seven(staff_client, make_ad, today):
    ad = make_ad()
    perf(ad, today - dt.timedelta(days=20), spend="5", value="10")

    _, week = page(staff_client)
    html, month = page(staff_client, days=30)
    _, odd = page(staff_client, days="abc")

    assert len(week["series"]["dates"]) == len(week["series"]["spend"]) == 7
    assert len(month["series"]["dates"]) == len(month["series"]["roas"]) == len(month["organic"]["views"]) == 30
    assert month["overview"]["period"]["spend"] == 5.0 and week["overview"]["period"]["spend"] == 0
    assert html.count("<tr data-date=") == 60  # the ads' and the organic daily tables
    assert odd["days"] == 7


def test_stage_distribution_counts_ads_and_shares_add_up_to_100(staff_client, make_ad, today):
    launch = [make_ad(Stage.LAUNCH) for _ in range(3)]
    heat = [make_ad(Stage.HEAT) for _ in range(2)]
    hit = make_ad(Stage.HIT)
    make_ad(Stage.HIT)  # running, no delivery
    make_ad(Stage.HEAT, status=OperationStatus.DISABLE)  # paused, no delivery
    for ad in launch:
        perf(ad, today, spend="10.00", value="5")
    for ad in heat:
        perf(ad, today, spend="25.00", value="60")
        perf(ad, today - dt.timedelta(days=1), spend="5.00", value="5")
    perf(hit, today, spend="110.00", value="400")

    html, data = page(staff_client)

    stages = {row["stage"]: row for row in data["stages"]}
    assert [row["stage"] for row in data["stages"]] == ["launch", "heat", "hit"]
    assert {stage: row["ads"] for stage, row in stages.items()} == {"launch": 3, "heat": 2, "hit": 1}
    assert {stage: row["spend"] for stage, row in stages.items()} == {"launch": 30.0, "heat": 60.0, "hit": 110.0}
    assert stages["hit"]["share"] == pytest.approx(55.0)
    assert sum(row["share"] for row in data["stages"]) == pytest.approx(100.0)
    cells = {stage: row_cells(html, "data-stage", stage) for stage in stages}
    assert sum(row["share"] for row in cells.values()) == Decimal("100.0")
    assert cells["hit"]["running"] == 2 and cells["heat"]["running"] == 2 and cells["launch"]["ads"] == 3
    assert str(Stage.LAUNCH.label) in html  # "launch (打品初期)"


def test_organic_accounts_show_the_period_totals_and_a_daily_trend(staff_client, today):
    busy = PublishingAccount.objects.create(name="Busy", handle="@busy", provider=PublishingAccount.Provider.CHUHAIJIANG)
    quiet = PublishingAccount.objects.create(name="Quiet", provider=PublishingAccount.Provider.TIKTOK)
    for offset, views, shares, comments, followers in ((0, 1200, 12, 3, 15), (1, 800, 8, 2, -3), (6, 500, 5, 1, 7), (7, 99999, 999, 99, 999)):
        AccountDaily.objects.create(
            account=busy, date=today - dt.timedelta(days=offset), video_views=views, shares=shares, comments=comments,
            followers_gained=followers,
        )
    AccountDaily.objects.create(account=quiet, date=today, video_views=40, followers_gained=1)

    html, data = page(staff_client)

    assert row_cells(html, "data-account", busy.pk) == {"views": 2500, "likes": 0, "shares": 25, "comments": 6, "followers": 19}
    assert row_cells(html, "data-account", quiet.pk) == {"views": 40, "likes": 0, "shares": 0, "comments": 0, "followers": 1}
    assert data["organic"]["accounts"] == [{"name": "@busy", "views": 2500, "followers": 19}, {"name": "Quiet", "views": 40, "followers": 1}]
    assert data["organic"]["views"] == [500, 0, 0, 0, 0, 800, 1240]
    assert data["organic"]["followers"] == [7, 0, 0, 0, 0, -3, 16]
    organic_daily_table = html.split('id="organic-daily"')[1]
    assert row_cells(organic_daily_table, "data-date", today.isoformat()) == {"views": 1240, "followers": 16}


def test_the_page_works_without_any_data(staff_client):
    html, data = page(staff_client)

    assert metric(html, "period-spend") == 0
    assert metric(html, "period-roas") is None
    assert data["overview"]["period"]["roas"] is None
    assert data["series"]["spend"] == [0] * 7
    assert all(row["share"] is None for row in data["stages"])
    assert "No ad delivered in this period." in html


def test_the_query_count_does_not_grow_with_the_number_of_ads(staff_client, make_ad, today, django_assert_max_num_queries):
    StrategySettings.objects.create(campaign=None)

    def seed(n):
        ads = [make_ad(stage) for stage, _ in zip([Stage.LAUNCH, Stage.HEAT, Stage.HIT] * n, range(n), strict=False)]
        PerformanceDaily.objects.bulk_create([
            PerformanceDaily(ad=ad, date=today - dt.timedelta(days=offset), spend=Decimal("10"), conversion_value=Decimal(index % 7),
                             impressions=1000, clicks=10, conversions=index % 3)
            for index, ad in enumerate(ads) for offset in range(7)
        ])
        PublishingAccount.objects.create(name=f"account {n}", provider=PublishingAccount.Provider.TIKTOK)

    seed(3)
    with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as small:
        page(staff_client)
    seed(57)
    with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as large:
        html, _ = page(staff_client)

    assert html.count("<tr data-ad=") == 60
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_ads_table_is_capped_at_200_rows_with_a_note(staff_client, make_ad, today):
    ads = [make_ad() for _ in range(203)]
    PerformanceDaily.objects.bulk_create([
        PerformanceDaily(ad=ad, date=today, spend=Decimal("10"), conversion_value=Decimal(index)) for index, ad in enumerate(ads)
    ])

    html, _ = page(staff_client)

    assert html.count("<tr data-ad=") == 200
    assert 'id="ads-cap-note"' in html and "203" in html
    assert f'<tr data-ad="{ads[-1].pk}"' in html and f'<tr data-ad="{ads[0].pk}"' not in html


def test_the_layout_has_the_navigation_language_switch_and_logout(staff_client, settings):
    settings.CHARTJS_URL = "https://cdn.example.com/chart.umd.min.js"

    html, _ = page(staff_client)

    for name in ("campaigns:list", "analytics:dashboard", "optimization:queue", "admin:scheduler_actionlog_changelist", "admin:index"):
        assert f'href="{reverse(name)}"' in html
    assert f'action="{reverse("set_language")}" method="post"' in html
    assert 'value="en"' in html and 'value="zh-hans"' in html
    assert f'action="{reverse("admin:logout")}" method="post"' in html
    assert "ana" in html
    assert '<script src="https://cdn.example.com/chart.umd.min.js" defer></script>' in html
    assert '<script src="/static/analytics/analytics.js" defer></script>' in html
    assert html.count("<script") == 3  # Chart.js, the page's script and the json_script data: no inline code
