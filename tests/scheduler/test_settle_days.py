"""ROAS settle days: the latest days' conversions are still arriving (TikTok restates them), so the
budget rule, the heat → hit check and the low-ROAS alert judge days at least `roas_settle_days` old."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from adloop import clock
from analytics.models import Alert
from analytics.services.alerts import alerts_evaluate
from campaigns.models import Stage
from scheduler.models import StrategySettings
from scheduler.rules import Verdict
from scheduler.services_budget import budgets_evaluate
from scheduler.services_settings import strategy_for, strategy_validate
from scheduler.services_stages import stages_check

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def settle(db):
    def set_days(days: int):
        StrategySettings.objects.update_or_create(campaign=None, defaults={
            "roas_settle_days": days, "roas_prior_spend": Decimal("0"), "learning_days": 0, "hit_min_delivery": Decimal("0"),
        })

    return set_days


def test_the_default_waits_two_days_for_late_conversions():
    assert strategy_for().roas_settle_days == 2
    assert strategy_for().judged_until(dt.date(2026, 3, 10)) == dt.date(2026, 3, 8)


def test_the_budget_rule_judges_the_settled_days_not_the_latest(settle, ad_with_days, advertiser):
    # Yesterday and the day before look bad only because their conversions have not all arrived.
    settle(2)
    ad = ad_with_days({1: 0.3, 2: 0.9, 3: 3.5, 4: 3.5, 5: 3.5})

    [outcome] = budgets_evaluate(advertiser=advertiser)

    assert outcome.adgroup_pk == ad.adgroup_id
    assert outcome.decision.verdict == Verdict.SCALE_UP
    assert outcome.decision.trigger["roas"] == pytest.approx(3.5)


def test_without_settle_days_the_same_numbers_pause(settle, ad_with_days, advertiser):
    settle(0)
    ad_with_days({1: 0.3, 2: 0.9, 3: 0.5, 4: 3.5, 5: 3.5})

    [outcome] = budgets_evaluate(advertiser=advertiser)

    assert outcome.decision.verdict == Verdict.PAUSE


@pytest.mark.parametrize(("days", "paused"), [(2, False), (0, True)])
def test_the_low_roas_alert_looks_at_the_settled_days(settle, ad_with_days, advertiser, days, paused):
    settle(days)
    ad = ad_with_days({0: 0.0, 1: 0.1, 2: 0.2, 3: 3.0, 4: 3.0})

    alerts_evaluate(advertiser=advertiser)

    assert Alert.objects.filter(kind=Alert.Kind.LOW_ROAS).exists() == paused
    ad.refresh_from_db()
    assert ad.status == ("DISABLE" if paused else "ENABLE")


def test_heat_moves_to_hit_on_n_settled_days_on_target(settle, ad_with_days, advertiser, settings):
    settle(2)
    ad_with_days({1: 0.5, 2: 0.5, 3: 2.5, 4: 2.5, 5: 2.5})

    [change] = stages_check(advertiser=advertiser)

    assert (change.from_stage, change.to_stage, change.applied) == (Stage.HEAT, Stage.HIT, True)
    dates = [day["date"] for day in change.trigger["roas_days"]]
    today = clock.today(advertiser.timezone)
    assert dates == [(today - dt.timedelta(days=age)).isoformat() for age in (5, 4, 3)]


@pytest.mark.parametrize("days", [-1, 15])
def test_settle_days_outside_0_to_14_are_refused(days):
    row = StrategySettings(campaign=None, roas_settle_days=days)

    with pytest.raises(ValidationError) as caught:
        strategy_validate(row)

    assert "roas_settle_days" in caught.value.message_dict
