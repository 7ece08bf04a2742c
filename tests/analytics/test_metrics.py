import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from analytics import metrics
from analytics.models import PerformanceDaily
from campaigns.models import Ad, AdGroup, Campaign

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("func", [metrics.roas, metrics.ctr, metrics.cvr])
@pytest.mark.parametrize("denominator", [0, Decimal("0.00"), 0.0, None])
def test_a_zero_denominator_gives_none(func, denominator):
    assert func(5, denominator) is None


def test_ratios_are_fractions():
    assert metrics.roas(Decimal("89.97"), Decimal("12.34")) == pytest.approx(7.2909, abs=1e-4)
    assert metrics.ctr(69, 5830) == pytest.approx(0.011835, abs=1e-6)
    assert metrics.cvr(3, 60) == 0.05
    assert metrics.roas(None, Decimal("10")) == 0.0
    assert isinstance(metrics.roas(Decimal("1"), Decimal("3")), float)


@pytest.fixture
def ads(advertiser, video_job):
    campaign = Campaign.objects.create(request_id="1", advertiser=advertiser, name="c", objective="VIDEO_VIEWS")
    adgroup = AdGroup.objects.create(request_id="2", campaign=campaign, name="g", billing_event="CPV",
                                     optimization_goal="ENGAGED_VIEW", bid_type="BID_TYPE_CUSTOM", budget=Decimal("50"))
    return [Ad.objects.create(adgroup=adgroup, job=video_job, name=f"ad {i}", ad_text="t") for i in range(3)]


def day(ad, date, **values):
    return PerformanceDaily.objects.create(ad=ad, date=date, **values)


def test_orm_expressions_agree_with_the_python_functions_on_sums(ads):
    first, second, idle = ads
    d1, d2 = dt.date(2026, 11, 1), dt.date(2026, 11, 2)
    day(first, d1, impressions=1000, clicks=30, spend=Decimal("12.50"), conversions=2, conversion_value=Decimal("59.98"))
    day(first, d2, impressions=333, clicks=7, spend=Decimal("0.01"), conversions=1, conversion_value=Decimal("29.99"))
    day(second, d1, impressions=7, clicks=3, spend=Decimal("3.33"), conversions=0, conversion_value=Decimal("0"))
    day(idle, d1)

    sums = ("conversion_value", "spend", "clicks", "impressions", "conversions")
    rows = (
        PerformanceDaily.objects.values("ad")
        .annotate(**{f"s_{name}": Sum(name) for name in sums})
        .annotate(
            roas_sql=metrics.roas_expr(Sum("conversion_value"), Sum("spend")),
            ctr_sql=metrics.ctr_expr(Sum("clicks"), Sum("impressions")),
            cvr_sql=metrics.cvr_expr(Sum("conversions"), Sum("clicks")),
        )
    )
    assert len(rows) == 3
    for row in rows:
        for sql, expected in (
            (row["roas_sql"], metrics.roas(row["s_conversion_value"], row["s_spend"])),
            (row["ctr_sql"], metrics.ctr(row["s_clicks"], row["s_impressions"])),
            (row["cvr_sql"], metrics.cvr(row["s_conversions"], row["s_clicks"])),
        ):
            assert sql == (None if expected is None else pytest.approx(expected))
    idle_row = next(row for row in rows if row["ad"] == idle.pk)
    assert (idle_row["roas_sql"], idle_row["ctr_sql"], idle_row["cvr_sql"]) == (None, None, None)


def test_orm_expressions_take_field_names(ads):
    day(ads[0], dt.date(2026, 11, 1), impressions=400, clicks=10, spend=Decimal("4.00"), conversions=1, conversion_value=Decimal("10"))

    row = PerformanceDaily.objects.annotate(
        r=metrics.roas_expr("conversion_value", "spend"), c=metrics.ctr_expr("clicks", "impressions"), v=metrics.cvr_expr("conversions", "clicks"),
    ).get()

    assert (row.r, row.c, row.v) == (2.5, 0.025, 0.1)


def test_an_aggregate_over_no_rows_is_none():
    totals = PerformanceDaily.objects.aggregate(roas=metrics.roas_expr(Sum("conversion_value"), Sum("spend")))

    assert totals == {"roas": None}
