"""Learning days: a new ad group's first days of delivery are TikTok's learning phase (dearer,
noisier, still exploring), so the budget rule and the low-ROAS alert judge an ad group only on
the days after them (`learning_days`, default 3)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from adloop import clock
from analytics.models import Alert, PerformanceDaily
from analytics.selectors import first_delivery_days
from analytics.services.alerts import alerts_evaluate
from scheduler.models import StrategySettings
from scheduler.rules import Verdict
from scheduler.services_budget import budgets_evaluate
from scheduler.services_settings import strategy_for, strategy_validate

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def learning(db):
    def set_days(days: int):
        StrategySettings.objects.update_or_create(
            campaign=None, defaults={"learning_days": days, "roas_settle_days": 0, "roas_prior_spend": Decimal("0")},
        )

    return set_days


@pytest.fixture
def ad_delivering(ad_with_days):
    """An ad that delivered on each of the last `days` days at `roas` (its first delivery `days` ago)."""
    return lambda days, roas: ad_with_days(dict.fromkeys(range(1, days + 1), roas))


def test_the_default_skips_three_learning_days():
    strategy = strategy_for()
    assert strategy.learning_days == 3
    assert strategy.judged_from(dt.date(2026, 3, 10)) == dt.date(2026, 3, 13)
    assert strategy.judged_from(None) is None


def test_an_ad_group_still_learning_is_held_not_paused(learning, ad_delivering, advertiser):
    learning(3)
    ad = ad_delivering(days=4, roas=0.4)  # window: the last 3 days, two of them learning days

    [outcome] = budgets_evaluate(advertiser=advertiser)

    assert outcome.decision.verdict == Verdict.HOLD
    assert "learning phase" in outcome.decision.reason
    today = clock.today(advertiser.timezone)
    assert outcome.decision.trigger == {
        "first_delivery": (today - dt.timedelta(days=4)).isoformat(), "learning_days": 3,
        "judged_from": (today - dt.timedelta(days=1)).isoformat(),
    }
    ad.refresh_from_db()
    assert ad.status == "ENABLE"


def test_without_learning_days_the_same_numbers_pause(learning, ad_delivering, advertiser):
    learning(0)
    ad = ad_delivering(days=4, roas=0.4)

    [outcome] = budgets_evaluate(advertiser=advertiser)

    assert outcome.decision.verdict == Verdict.PAUSE
    ad.refresh_from_db()
    assert ad.status == "DISABLE"


def test_once_the_window_is_past_learning_the_rule_judges(learning, ad_delivering, advertiser):
    learning(3)
    ad_delivering(days=6, roas=0.4)  # learning: 6, 5, 4 days ago; the window: 3, 2, 1

    [outcome] = budgets_evaluate(advertiser=advertiser)

    assert outcome.decision.verdict == Verdict.PAUSE


@pytest.mark.parametrize(("days", "paused"), [(3, False), (0, True)])
def test_the_low_roas_alert_waits_for_the_learning_phase(learning, ad_delivering, advertiser, days, paused):
    learning(days)
    ad = ad_delivering(days=3, roas=0.2)

    alerts_evaluate(advertiser=advertiser)

    assert Alert.objects.filter(kind=Alert.Kind.LOW_ROAS).exists() == paused
    ad.refresh_from_db()
    assert ad.status == ("DISABLE" if paused else "ENABLE")


def test_first_delivery_counts_days_with_impressions_only(ad_delivering, advertiser, django_assert_num_queries):
    ad = ad_delivering(days=2, roas=1.0)
    today = clock.today(advertiser.timezone)
    PerformanceDaily.objects.create(ad=ad, date=today - dt.timedelta(days=5), impressions=0, spend=Decimal("0"))
    silent = ad_delivering(days=0, roas=1.0)

    with django_assert_num_queries(1):
        first = first_delivery_days(adgroups=[ad.adgroup_id, silent.adgroup_id])

    assert first == {ad.adgroup_id: today - dt.timedelta(days=2)}


@pytest.mark.parametrize("days", [-1, 15])
def test_learning_days_outside_0_to_14_are_refused(days):
    row = StrategySettings(campaign=None, learning_days=days)

    with pytest.raises(ValidationError) as caught:
        strategy_validate(row)

    assert "learning_days" in caught.value.message_dict
