"""manage.py market_advance and market_reset."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sandbox.market.clock import market_today
from sandbox.market.params import MarketParams, market_params
from sandbox.models import SbAdvertiser, SbDailyStat

from .conftest import NOV_1

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_market_advance_prints_a_line_per_day(world):
    world.one()

    output = run("market_advance", "--days", "3")

    assert [line[:10] for line in output.splitlines()] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert market_today() == NOV_1 + dt.timedelta(days=3)
    assert SbDailyStat.objects.count() == 3


def test_market_advance_sets_parameters_first():
    output = run("market_advance", "--seed", "9", "--cpm-level", "1.4", "--fatigue-rate", "2", "--quality-spread", "0.5",
                 "--attribution-delay", "2")

    assert market_params() == MarketParams(seed=9, cpm_level=1.4, fatigue_rate=2.0, quality_spread=0.5, attribution_delay_days=2)
    assert output.startswith("market parameters:")


def test_market_advance_refuses_bad_parameters():
    with pytest.raises(CommandError, match="cpm_level"):
        run("market_advance", "--cpm-level", "0")

    assert market_today() == NOV_1


def test_market_reset_sets_the_date_and_seed_and_wipes_stats(world):
    world.one()
    run("market_advance", "--days", "2")

    output = run("market_reset", "--seed", "3", "--start", "2027-02-01")

    assert market_today() == dt.date(2027, 2, 1)
    assert market_params().seed == 3
    assert not SbDailyStat.objects.exists()
    assert SbAdvertiser.objects.exists()
    assert "2027-02-01" in output
