"""Winner selection (PRD 14.1) over PerformanceDaily, as local rows (no HTTP needed)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import OperationStatus, Stage
from optimization.models import OptimizationQueue, OptimizationSettings
from optimization.selectors import winners_select
from optimization.services import estimated_cost, optimization_settings_ensure
from scheduler.models import StrategySettings
from scheduler.services_settings import strategy_global_ensure

from .conftest import perform

pytestmark = pytest.mark.django_db


def winners(advertiser, **config):
    row = optimization_settings_ensure()
    for key, value in config.items():
        setattr(row, key, value)
    return winners_select(advertiser=advertiser, config=row)


def test_a_running_heat_ad_at_12_times_target_for_3_days_is_a_winner(advertiser, local_ad):
    ad = perform(local_ad(), days=3, roas=2.4)  # target 2.00 × 1.2

    [winner] = winners(advertiser)

    assert winner.ad == ad and winner.days == 3 and winner.roas == pytest.approx(2.4)
    assert winner.threshold == Decimal("2.4000") and winner.trigger()["spend"] == Decimal("120.00")


def test_just_below_the_multiple_is_not_a_winner(advertiser, local_ad):
    perform(local_ad(), days=5, roas=2.39)

    assert winners(advertiser) == []


def test_fewer_days_of_delivery_than_the_minimum_is_not_a_winner(advertiser, local_ad):
    perform(local_ad(), days=2, roas=5.0)

    assert winners(advertiser) == []
    assert len(winners(advertiser, min_running_days=2)) == 1


def test_the_multiple_is_a_setting(advertiser, local_ad):
    perform(local_ad(), days=3, roas=2.6)

    assert winners(advertiser, winner_roas_multiple=Decimal("1.50")) == []
    assert len(winners(advertiser, winner_roas_multiple=Decimal("1.25"))) == 1


def test_launch_stage_and_paused_ads_are_not_judged(advertiser, local_ad):
    perform(local_ad(stage=Stage.LAUNCH), roas=9)
    perform(local_ad(status=OperationStatus.DISABLE), roas=9)

    assert winners(advertiser) == []


def test_hit_stage_ads_are_judged(advertiser, local_ad):
    perform(local_ad(stage=Stage.HIT), roas=3)

    assert len(winners(advertiser)) == 1


def test_the_strategys_minimum_evidence_is_required(advertiser, local_ad, strategy):
    perform(local_ad(), roas=3, conversions=1)  # 3 conversions, 120 spent
    strategy(min_conversions=4)
    assert winners(advertiser) == []

    strategy(min_conversions=0, min_spend=Decimal("200"))
    assert winners(advertiser) == []


def test_a_campaigns_own_target_roas_is_used(advertiser, local_ad):
    ad = perform(local_ad(), roas=3)
    StrategySettings.objects.create(campaign=ad.adgroup.campaign, target_roas=Decimal("3.00"))

    assert winners(advertiser) == []  # 3.0 < 1.2 × 3.0


def test_a_winner_is_not_cloned_again_while_its_variants_are_in_the_queue(advertiser, local_ad):
    ad = perform(local_ad(), roas=3)
    item = OptimizationQueue.objects.create(source_ad=ad, new_batch_id="b", status=OptimizationQueue.Status.PENDING)

    assert winners(advertiser) == []
    # The same creative running as another ad (after a stage switch) is not cloned either.
    perform(local_ad(job=ad.job, stage=Stage.HIT), roas=4)
    assert winners(advertiser) == []

    item.status = OptimizationQueue.Status.LAUNCHED
    item.save()
    [winner] = winners(advertiser)
    assert winner.ad.job_id == ad.job_id and winner.roas == pytest.approx(4.0)  # one ad per creative: the better one


def test_winners_come_best_first_and_are_capped(advertiser, local_ad):
    ads = [perform(local_ad(), roas=roas) for roas in (2.5, 4.0, 3.0)]

    found = winners(advertiser, max_winners_per_run=2)

    assert [w.ad for w in found] == [ads[1], ads[2]]


def test_a_creative_without_a_script_is_not_a_winner(advertiser, local_ad, winner_job):
    perform(local_ad(job=winner_job(script={})), roas=5)

    assert winners(advertiser) == []


def test_selection_runs_the_same_queries_for_1_or_12_ads(advertiser, local_ad):
    perform(local_ad(), roas=3)
    optimization_settings_ensure()
    strategy_global_ensure()
    with CaptureQueriesContext(connection) as one:
        winners(advertiser)
    for _ in range(11):
        perform(local_ad(), roas=3)
    with CaptureQueriesContext(connection) as many:
        found = winners(advertiser, max_winners_per_run=20)

    assert len(found) == 12
    assert len(many.captured_queries) == len(one.captured_queries) <= 7, [q["sql"][:90] for q in many.captured_queries]


@pytest.mark.parametrize("field, value", [
    ("variants_per_winner", 2), ("variants_per_winner", 6), ("winner_roas_multiple", Decimal("0.99")),
    ("min_running_days", 0), ("variant_daily_budget", Decimal("19.99")),
])
def test_settings_refuse_nonsense(field, value):
    row = optimization_settings_ensure()
    setattr(row, field, value)

    with pytest.raises(ValidationError) as caught:
        row.full_clean()

    assert field in caught.value.message_dict


def test_settings_are_one_row_with_the_prd_defaults():
    row = optimization_settings_ensure()

    assert optimization_settings_ensure().pk == row.pk == 1 and OptimizationSettings.objects.count() == 1
    assert (row.winner_roas_multiple, row.min_running_days, row.variants_per_winner) == (Decimal("1.20"), 3, 3)
    assert estimated_cost(row) == Decimal("150.00")  # 50.00 a day × 3 test days
