"""Into the hit stage (PRD §12.2 "lowest cost + a high budget cap"): the creatives carried from
heat are those that spent their budget at ROAS ≥ target (`hit_min_delivery`), and each starts at
`hit_start_budget`, at least its heat budget, within the ad group cap and as far as the
account's daily cap leaves room once the heat ad groups stop."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from adloop import clock
from analytics.models import PerformanceDaily
from campaigns.models import AdGroup, Stage
from campaigns.services import ad_launch, adgroup_budget_set
from scheduler.models import ActionLog, StrategySettings
from scheduler.services import Actor
from scheduler.services_budget import budgets_evaluate
from scheduler.services_settings import strategy_validate
from scheduler.services_stages import stages_check

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def settings_row(db):
    def apply(**values):
        defaults = {"roas_settle_days": 0, "learning_days": 0, "roas_prior_spend": Decimal("0"), **values}
        StrategySettings.objects.update_or_create(campaign=None, defaults=defaults)

    return apply


@pytest.fixture
def heat_winner(sandbox_http, advertiser, make_job):
    """A heat-stage creative that spent `spend` (default: its whole budget) at ROAS 3 on each of the last 4 days."""

    def make(budget="100", product=None, spend=None):
        job = make_job(product=product) if product else make_job()
        ad = ad_launch(job=job, advertiser=advertiser, stage=Stage.HEAT, budget=Decimal(budget), actor=Actor.auto())
        today = clock.today(advertiser.timezone)
        for age in range(1, 5):
            PerformanceDaily.objects.create(
                ad=ad, date=today - dt.timedelta(days=age), spend=Decimal(spend or budget), conversion_value=Decimal(spend or budget) * 3,
                conversions=10, impressions=20000, clicks=300,
            )
        return ad

    return make


@pytest.fixture
def heat_new(sandbox_http, advertiser, make_job):
    """A variant of the creative `parent` in the heat stage, launched `days` days ago (0: today,
    nothing delivered yet), at ROAS 1.5 on each day it ran."""

    def make(parent, days=1, budget="50"):
        job = make_job(parent=parent)
        ad = ad_launch(job=job, advertiser=advertiser, stage=Stage.HEAT, budget=Decimal(budget), actor=Actor.auto())
        today = clock.today(advertiser.timezone)
        if days:
            AdGroup.objects.filter(pk=ad.adgroup_id).update(schedule_start_time=clock.now() - dt.timedelta(days=days))
        for age in range(1, days + 1):
            PerformanceDaily.objects.create(
                ad=ad, date=today - dt.timedelta(days=age), spend=Decimal("20"), conversion_value=Decimal("30"),
                conversions=2, impressions=4000, clicks=60,
            )
        return ad

    return make


def _hit_adgroup(job) -> AdGroup:
    return AdGroup.objects.get(job=job, campaign__stage=Stage.HIT)


def test_a_creative_enters_hit_at_the_start_budget(settings_row, heat_winner, advertiser):
    settings_row(hit_start_budget=Decimal("200"))
    ad = heat_winner(budget="100")

    [change] = stages_check(advertiser=advertiser)

    assert (change.to_stage, change.applied) == (Stage.HIT, True)
    assert _hit_adgroup(ad.job).budget == Decimal("200.00")
    assert change.trigger["creatives"][0]["budget"] == "200.00"
    created = ActionLog.objects.get(action="adgroup_create", object_pk=_hit_adgroup(ad.job).pk)
    assert created.after["budget"] == "200.00"


def test_zero_keeps_the_heat_budget(settings_row, heat_winner, advertiser):
    settings_row(hit_start_budget=Decimal("0"))
    ad = heat_winner(budget="100")

    stages_check(advertiser=advertiser)

    assert _hit_adgroup(ad.job).budget == Decimal("100.00")


def test_the_start_budget_never_lowers_a_larger_heat_budget(settings_row, heat_winner, advertiser):
    settings_row(hit_start_budget=Decimal("200"))
    ad = heat_winner(budget="300")

    stages_check(advertiser=advertiser)

    assert _hit_adgroup(ad.job).budget == Decimal("300.00")


def test_the_account_cap_limits_the_start(settings_row, heat_winner, advertiser, make_job, product):
    # Cap 250: another product's running ad group holds 100, the carried creative's own 100 is
    # freed by the switch and re-used, so 50 are left on top of it.
    settings_row(hit_start_budget=Decimal("200"))
    advertiser.daily_spend_cap = Decimal("250")
    advertiser.save(update_fields=["daily_spend_cap"])
    other = product.__class__.objects.create(name="Other", landing_url="https://shop.example.com/other", price=Decimal("20"))
    ad_launch(job=make_job(product=other), advertiser=advertiser, stage=Stage.LAUNCH, budget=Decimal("100"), actor=Actor.auto())
    ad = heat_winner(budget="100")

    changes = stages_check(advertiser=advertiser)

    assert [c.applied for c in changes if c.to_stage == Stage.HIT] == [True]
    assert _hit_adgroup(ad.job).budget == Decimal("150.00")


def test_the_ad_group_cap_limits_the_start(settings_row, heat_winner, advertiser):
    settings_row(hit_start_budget=Decimal("200"), adgroup_budget_cap=Decimal("150"))
    ad = heat_winner(budget="100")

    stages_check(advertiser=advertiser)

    assert _hit_adgroup(ad.job).budget == Decimal("150.00")


@pytest.mark.parametrize("value", [Decimal("10"), Decimal("-5")])
def test_a_start_budget_below_tiktoks_minimum_is_refused(value):
    row = StrategySettings(campaign=None, hit_start_budget=value)

    with pytest.raises(ValidationError) as caught:
        strategy_validate(row)

    assert "hit_start_budget" in caught.value.message_dict


def test_zero_and_amounts_above_the_ad_group_cap_are_accepted():
    # Above the cap is not an error: the cap limits the start when it is used (test above).
    for value in (Decimal("0"), Decimal("600")):
        strategy_validate(StrategySettings(campaign=None, hit_start_budget=value))


def test_only_creatives_that_spent_their_budget_at_the_target_are_carried(settings_row, heat_winner, advertiser):
    settings_row(hit_min_delivery=Decimal("0.80"))
    full = heat_winner(budget="100")
    trickle = heat_winner(budget="100", spend="30")  # ROAS 3 too, but on 30 % of its budget

    [change] = stages_check(advertiser=advertiser)

    assert change.applied
    assert [(c["ad"], c["delivery"]) for c in change.trigger["creatives"]] == [(full.pk, 1.0)]
    assert not AdGroup.objects.filter(job=trickle.job, campaign__stage=Stage.HIT).exists()


def test_delivery_is_judged_against_the_budgets_the_judged_days_had(settings_row, heat_winner, advertiser):
    # The budget rule raises the winner's budget this morning (ROAS 3 ≥ 1.5 × 2: × 1.3), before
    # the stage check: its judged days spent the whole 100 they had, not 77 % of today's 130.
    settings_row(hit_min_delivery=Decimal("0.80"))
    ad = heat_winner(budget="100")
    [raised] = budgets_evaluate(advertiser=advertiser)
    assert (raised.applied, raised.decision.budget) == (True, Decimal("130.00"))

    [change] = stages_check(advertiser=advertiser)

    assert change.applied
    assert [(c["ad"], c["delivery"]) for c in change.trigger["creatives"]] == [(ad.pk, 1.0)]


def test_a_budget_cut_by_hand_today_does_not_make_a_trickle_look_delivered(settings_row, heat_winner, advertiser, admin_user):
    settings_row(hit_min_delivery=Decimal("0.80"))
    ad = heat_winner(budget="100", spend="60")  # ROAS 3 on 60 % of its budget
    adgroup_budget_set(adgroup=ad.adgroup, budget=Decimal("60"), actor=Actor.of(admin_user), reason="trim")

    [change] = stages_check(advertiser=advertiser)

    assert (change.applied, change.trigger.get("creatives")) == (False, None)
    assert "stays in heat" in change.note


def test_when_no_creative_delivers_the_product_stays_in_heat(settings_row, heat_winner, advertiser):
    settings_row(hit_min_delivery=Decimal("0.80"))
    ad = heat_winner(budget="100", spend="30")

    [change] = stages_check(advertiser=advertiser)

    assert (change.to_stage, change.applied) == (Stage.HIT, False)
    assert "stays in heat" in change.note
    assert not ActionLog.objects.filter(action="stage_change").exists()
    ad.refresh_from_db()
    assert ad.adgroup.campaign.status == "ENABLE"


def test_a_zero_share_judges_roas_alone(settings_row, heat_winner, advertiser):
    settings_row(hit_min_delivery=Decimal("0"))
    ad = heat_winner(budget="100", spend="30")

    [change] = stages_check(advertiser=advertiser)

    assert change.applied
    assert _hit_adgroup(ad.job).budget == Decimal("200.00")


@pytest.mark.parametrize("value", [Decimal("-0.1"), Decimal("1.5")])
def test_a_delivery_share_outside_0_to_1_is_refused(value):
    with pytest.raises(ValidationError) as caught:
        strategy_validate(StrategySettings(campaign=None, hit_min_delivery=value))

    assert "hit_min_delivery" in caught.value.message_dict


@pytest.mark.parametrize("days", [0, 1, 2])
def test_a_creative_too_new_to_judge_goes_into_hit_at_its_own_budget(settings_row, heat_winner, heat_new, advertiser, days):
    # The check judges the last 3 days; a variant of the winner that started on the 2nd of
    # them or later (or has not delivered yet) had no chance to be judged. A judged creative
    # that fell short (a trickle) is still left behind.
    settings_row(hit_start_budget=Decimal("200"), hit_min_delivery=Decimal("0.80"))
    winner = heat_winner(budget="100")
    trickle = heat_winner(budget="100", spend="30")
    new = heat_new(winner.job, days=days, budget="50")

    [change] = stages_check(advertiser=advertiser)

    assert change.applied
    assert [(c["ad"], c.get("new", False)) for c in change.trigger["creatives"]] == [(winner.pk, False), (new.pk, True)]
    assert _hit_adgroup(winner.job).budget == Decimal("200.00")
    assert _hit_adgroup(new.job).budget == Decimal("50.00")
    assert not AdGroup.objects.filter(job=trickle.job, campaign__stage=Stage.HIT).exists()


def test_a_new_variant_of_a_variant_of_a_carried_creative_goes_along(settings_row, heat_winner, heat_new, advertiser, make_job):
    settings_row(hit_min_delivery=Decimal("0.80"))
    winner = heat_winner(budget="100")
    grandchild = heat_new(make_job(parent=winner.job), days=1)

    [change] = stages_check(advertiser=advertiser)

    assert [(c["ad"], c.get("new", False)) for c in change.trigger["creatives"]] == [(winner.pk, False), (grandchild.pk, True)]


@pytest.mark.parametrize("case", ["ran all the judged days", "variant of a creative left behind"])
def test_other_new_creatives_stay_behind(settings_row, heat_winner, heat_new, advertiser, case):
    settings_row(hit_min_delivery=Decimal("0.80"))
    winner = heat_winner(budget="100")
    trickle = heat_winner(budget="100", spend="30")
    if case == "ran all the judged days":
        behind = heat_new(winner.job, days=3)  # judged: ROAS 1.5 < 2 on each judged day
    else:
        behind = heat_new(trickle.job, days=1)  # its parent fell short

    [change] = stages_check(advertiser=advertiser)

    assert [c["ad"] for c in change.trigger["creatives"]] == [winner.pk]
    assert not AdGroup.objects.filter(job=behind.job, campaign__stage=Stage.HIT).exists()


def test_new_creatives_alone_do_not_move_a_product_into_hit(settings_row, heat_winner, heat_new, advertiser):
    settings_row(hit_min_delivery=Decimal("0.80"))
    trickle = heat_winner(budget="100", spend="30")
    heat_new(trickle.job, days=1)

    [change] = stages_check(advertiser=advertiser)

    assert (change.applied, change.trigger.get("creatives")) == (False, None)
    assert "stays in heat" in change.note
    assert not ActionLog.objects.filter(action="stage_change").exists()


def test_the_start_room_leaves_the_new_creatives_budget_under_the_account_cap(settings_row, heat_winner, heat_new, advertiser):
    # Cap 220: the winner's 100 and the new creative's 50 move over; 70 is left, all for the winner.
    settings_row(hit_start_budget=Decimal("200"), hit_min_delivery=Decimal("0.80"))
    advertiser.daily_spend_cap = Decimal("220")
    advertiser.save(update_fields=["daily_spend_cap"])
    winner = heat_winner(budget="100")
    new = heat_new(winner.job, days=1, budget="50")

    stages_check(advertiser=advertiser)

    assert (_hit_adgroup(winner.job).budget, _hit_adgroup(new.job).budget) == (Decimal("170.00"), Decimal("50.00"))
