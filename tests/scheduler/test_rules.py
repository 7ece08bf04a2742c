"""The PRD §15.2 budget rule at each boundary, and its guardrails for any input."""

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.stages import MIN_ADGROUP_DAILY_BUDGET
from scheduler.rules import Verdict, budget_decide
from scheduler.services_settings import Strategy

DEFAULTS = Strategy(
    target_roas=Decimal("2.00"), scale_up_at=Decimal("1.50"), scale_up_factor=Decimal("1.30"), keep_at=Decimal("1.00"),
    scale_down_at=Decimal("0.70"), scale_down_factor=Decimal("0.80"), roas_window_days=3, min_spend=Decimal("20.00"),
    min_conversions=0, heat_min_impressions=50000, heat_ctr_days=3, heat_ctr_max_cv=Decimal("0.25"), hit_roas_days=3,
    hit_bid_raise_pct=Decimal("10"), hit_cap_raise_step=Decimal("50"), adgroup_budget_cap=Decimal("500.00"),
    account_daily_cap=Decimal("2000.00"), max_raise_per_day=Decimal("200.00"), optimization_mode="manual",
    dry_run=False, kill_switch=False, alert_roas_floor=Decimal("1.00"), alert_enabled=True,
)


def decide(roas, budget="100", spend="100", conversions=5, **kw):
    return budget_decide(
        strategy=kw.pop("strategy", DEFAULTS), budget=Decimal(budget), spend=Decimal(spend),
        conversion_value=Decimal(spend) * Decimal(str(roas)), conversions=conversions, **kw,
    )


@pytest.mark.parametrize(
    ("roas", "verdict", "budget"),
    [
        (3.00, Verdict.SCALE_UP, "130.00"),  # exactly 1.5 × target
        (2.99, Verdict.KEEP, "100.00"),
        (2.00, Verdict.KEEP, "100.00"),  # exactly the target
        (1.99, Verdict.SCALE_DOWN, "80.00"),
        (1.40, Verdict.SCALE_DOWN, "80.00"),  # exactly 0.7 × target
        (1.39, Verdict.PAUSE, "100.00"),
        (0.00, Verdict.PAUSE, "100.00"),
    ],
)
def test_the_budget_rule_at_each_boundary(roas, verdict, budget):
    decision = decide(roas)
    assert (decision.verdict, decision.budget) == (verdict, Decimal(budget))
    assert decision.trigger["roas"] == pytest.approx(roas)


def test_it_holds_without_enough_evidence():
    assert decide(0.1, spend="19.99").verdict == Verdict.HOLD
    assert decide(5, conversions=1, strategy=replace(DEFAULTS, min_conversions=2)).verdict == Verdict.HOLD
    assert budget_decide(strategy=DEFAULTS, budget=Decimal("100"), spend=Decimal("0"), conversion_value=Decimal("0"), conversions=0).verdict == Verdict.HOLD


def test_a_raise_stops_at_the_cap_and_the_daily_allowance():
    assert decide(4, budget="480").budget == Decimal("500.00")  # the strategy's cap
    assert decide(4, budget="100", cap=Decimal("110")).budget == Decimal("110.00")  # the ad group's own cap
    assert decide(4, budget="400", raised_today=Decimal("150")).budget == Decimal("450.00")  # 200 a day, 150 used
    capped = decide(4, budget="500")
    assert capped.verdict == Verdict.KEEP and capped.budget == Decimal("500.00")


def test_a_cut_never_goes_below_tiktoks_minimum():
    assert decide(1.5, budget="22").budget == MIN_ADGROUP_DAILY_BUDGET



def test_below_target_at_tiktoks_minimum_pauses_since_no_cut_is_left():
    at_minimum = decide(1.5, budget="20")
    assert at_minimum.verdict == Verdict.PAUSE and at_minimum.budget == MIN_ADGROUP_DAILY_BUDGET
    assert at_minimum.trigger["at_minimum"] is True and "minimum 20.00: pause" in at_minimum.reason
    # On target at the minimum: kept, as anywhere else.
    assert decide(2.0, budget="20").verdict == Verdict.KEEP


money = st.decimals(min_value=Decimal("20"), max_value=Decimal("100000"), places=2, allow_nan=False, allow_infinity=False)
factor = st.decimals(min_value=Decimal("0.05"), max_value=Decimal("5"), places=2)


@settings(max_examples=300, deadline=None)
@given(
    budget=money, spend=money, roas=st.floats(min_value=0, max_value=50, allow_nan=False),
    conversions=st.integers(min_value=0, max_value=10_000), cap=st.one_of(st.none(), money),
    raised=st.decimals(min_value=Decimal("0"), max_value=Decimal("5000"), places=2),
    up=factor, down=st.decimals(min_value=Decimal("0.05"), max_value=Decimal("0.99"), places=2),
    target=st.decimals(min_value=Decimal("0.10"), max_value=Decimal("20"), places=2),
    strategy_cap=money, max_raise=st.decimals(min_value=Decimal("0"), max_value=Decimal("10000"), places=2),
)
def test_the_guardrails_hold_for_any_settings_and_metrics(budget, spend, roas, conversions, cap, raised, up, down, target, strategy_cap, max_raise):
    strategy = replace(
        DEFAULTS, target_roas=target, scale_up_factor=Decimal("1") + up, scale_down_factor=down,
        adgroup_budget_cap=strategy_cap, max_raise_per_day=max_raise,
    )
    decision = budget_decide(
        strategy=strategy, budget=budget, spend=spend, conversion_value=spend * Decimal(str(roas)),
        conversions=conversions, cap=cap, raised_today=raised,
    )
    if decision.verdict == Verdict.SCALE_UP:
        assert budget < decision.budget <= min(c for c in (cap, strategy_cap) if c is not None)
        assert decision.budget - budget <= max(Decimal("0"), max_raise - raised)
    elif decision.verdict == Verdict.SCALE_DOWN:
        assert MIN_ADGROUP_DAILY_BUDGET <= decision.budget < budget
    else:
        assert decision.budget == budget


SHRUNK = replace(DEFAULTS, roas_prior_spend=Decimal("100"))


@pytest.mark.parametrize(
    ("spend", "roas", "verdict"),
    [
        ("30", 0.3, Verdict.SCALE_DOWN),  # (9 + 200) / 130 = 1.61: one bad day on $30 is no reason to stop
        ("300", 0.3, Verdict.PAUSE),  # (90 + 200) / 400 = 0.73 < 1.4: enough money says it is bad
        ("100", 3.5, Verdict.KEEP),  # (350 + 200) / 200 = 2.75 < 3: a good start, not yet proof
        ("400", 3.5, Verdict.SCALE_UP),  # (1400 + 200) / 500 = 3.2 ≥ 3
    ],
)
def test_small_samples_are_judged_near_the_target_until_their_spend_outweighs_the_prior(spend, roas, verdict):
    decision = decide(roas, spend=spend, strategy=SHRUNK)

    assert decision.verdict == verdict
    assert decision.trigger["raw_roas"] == pytest.approx(roas) and decision.trigger["prior_spend"] == "100"


def test_a_prior_of_zero_judges_the_raw_roas():
    assert decide(0.3, spend="30").trigger["roas"] == decide(0.3, spend="30").trigger["raw_roas"] == pytest.approx(0.3)


def test_an_ad_group_with_fewer_delivery_days_than_the_window_is_held():
    assert decide(0.1, days=2).verdict == Verdict.HOLD
    assert "too new" in decide(0.1, days=2).reason
    assert decide(0.1, days=3).verdict == Verdict.PAUSE
