"""Late conversions: a day's numbers are restated while its attribution window is open."""

import random
from decimal import Decimal

import pytest

from sandbox.market.attribution import lag_weights, split_by_lag
from sandbox.market.params import market_configure
from sandbox.models import SbDailyStat, SbLateConversion

from .conftest import NOV_1, advance

pytestmark = pytest.mark.django_db


def day_one(ad) -> tuple[int, Decimal]:
    row = SbDailyStat.objects.get(ad=ad, date=NOV_1)
    return row.conversions, row.conversion_value


def test_day_one_conversions_grow_while_later_days_are_advanced_then_stop(world):
    ad = world.one(budget=Decimal("5000"))
    advance(1)
    seen = [day_one(ad)]

    for _ in range(5):
        advance(1)
        seen.append(day_one(ad))

    counts = [count for count, _ in seen]
    assert counts[0] < counts[1] < counts[2] < counts[3]  # the 3-day delay: restated on days 2, 3 and 4
    assert counts[3] == counts[4] == counts[5]
    assert seen[0][1] < seen[3][1] == seen[5][1]
    assert not SbLateConversion.objects.filter(stat_date=NOV_1).exists()


def test_only_the_impressions_and_spend_of_a_day_never_change(world):
    ad = world.one(budget=Decimal("5000"))
    advance(1)
    first = SbDailyStat.objects.get(ad=ad, date=NOV_1)

    advance(3)

    again = SbDailyStat.objects.get(ad=ad, date=NOV_1)
    assert (again.impressions, again.clicks, again.spend) == (first.impressions, first.clicks, first.spend)


def test_without_a_delay_a_day_is_final_when_delivered(world):
    market_configure(attribution_delay_days=0)
    ad = world.one(budget=Decimal("5000"))
    advance(1)
    first = day_one(ad)

    advance(2)

    assert day_one(ad) == first
    assert not SbLateConversion.objects.exists()


def test_late_conversions_still_arrive_after_the_ad_is_paused(world):
    ad = world.one(budget=Decimal("5000"))
    advance(1)
    before = day_one(ad)
    ad.operation_status = "DISABLE"
    ad.save()

    advance(3)

    assert day_one(ad)[0] > before[0]


def test_the_parts_sum_to_the_days_totals():
    parts = split_by_lag(random.Random(1), 37, Decimal("1234.56"), 3)

    assert len(parts) == 4
    assert sum(count for count, _ in parts) == 37
    assert sum(value for _, value in parts) == Decimal("1234.56")
    assert parts[0][0] > parts[3][0]


def test_most_conversions_are_reported_on_the_day():
    weights = lag_weights(3)

    assert sum(weights) == pytest.approx(1.0)
    assert weights[0] == max(weights)
    assert lag_weights(0) == [1.0]
