"""The market's clock, and adloop's clock following it."""

import datetime as dt

import pytest
from django.utils import timezone

from adloop import clock
from sandbox.market.clock import market_clock, market_now, market_reset, market_today
from sandbox.market.engine import market_advance_day
from sandbox.models import SbAd, SbDailyStat, SbMarketClock

from .conftest import NOV_1, advance

pytestmark = pytest.mark.django_db


def test_a_fresh_install_starts_the_market_at_the_real_date():
    SbMarketClock.objects.all().delete()

    now = market_now()

    assert now.date() == timezone.now().date()
    assert SbMarketClock.objects.get().date == timezone.now().date()


def test_market_now_is_the_simulated_date_at_the_wall_clocks_time_of_day():
    now, wall = market_now(), timezone.now()

    assert now.date() == NOV_1
    assert now.tzinfo is not None and now.utcoffset() == dt.timedelta(0)
    assert abs(now - dt.datetime.combine(NOV_1, wall.timetz())) < dt.timedelta(seconds=5)


def test_market_now_costs_one_query(django_assert_num_queries):
    market_now()

    with django_assert_num_queries(1):
        market_now()


def test_each_advance_delivers_today_and_moves_the_clock_one_day(settings):
    settings.ADLOOP_CLOCK = "sandbox"

    first = market_advance_day()
    second = market_advance_day()

    assert (first.date, second.date) == (NOV_1, NOV_1 + dt.timedelta(days=1))
    assert market_today() == NOV_1 + dt.timedelta(days=2)
    assert clock.today() == NOV_1 + dt.timedelta(days=2)
    assert clock.now().date() == NOV_1 + dt.timedelta(days=2)


def test_adloop_today_follows_the_market_in_the_advertisers_timezone(settings):
    settings.ADLOOP_CLOCK = "sandbox"

    assert clock.today("Etc/GMT-14") in (NOV_1, NOV_1 + dt.timedelta(days=1))
    assert clock.today("UTC") == NOV_1


def test_reset_rewinds_the_clock_and_forgets_delivery_but_keeps_the_ads(world):
    ad = world.one()
    advance(3)

    market_reset(start=dt.date(2027, 1, 1), seed=5)

    assert market_today() == dt.date(2027, 1, 1)
    assert market_clock().seed == 5
    assert not SbDailyStat.objects.exists()
    assert SbAd.objects.filter(pk=ad.pk).exists()
