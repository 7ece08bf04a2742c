"""MarketParams and market_configure."""

import pytest

from sandbox.market.clock import market_clock
from sandbox.market.params import MarketParams, MarketParamsError, market_configure, market_params

pytestmark = pytest.mark.django_db


def test_the_defaults():
    assert market_params() == MarketParams(seed=42)
    assert MarketParams() == MarketParams(seed=42, cpm_level=1.0, fatigue_rate=1.0, quality_spread=1.0, attribution_delay_days=3,
                                          audience_size=2_000_000, learning_days=3, noise=0.15)


def test_configure_changes_the_given_parameters_and_keeps_the_others():
    market_configure(cpm_level=1.5, attribution_delay_days=5)

    market_configure(noise=0.3)

    assert market_params() == MarketParams(seed=42, cpm_level=1.5, attribution_delay_days=5, noise=0.3)
    assert market_clock().params["cpm_level"] == 1.5


@pytest.mark.parametrize(("name", "value"), [
    ("cpm_level", 0), ("noise", 2), ("attribution_delay_days", 1.5), ("learning_days", -1), ("audience_size", 10),
    ("quality_spread", "high"), ("seed", True),
])
def test_out_of_range_parameters_are_refused(name, value):
    with pytest.raises(MarketParamsError, match=name):
        market_configure(**{name: value})

    assert market_params() == MarketParams(seed=42)


def test_unknown_parameters_are_refused():
    with pytest.raises(MarketParamsError, match="unknown"):
        market_configure(budget=5)
