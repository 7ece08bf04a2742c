"""Hit-stage scaling (PRD §15.3) and bid changes, against the sandbox over HTTP: spend at the
cap raises the budget, spend below it raises the bid, once per ad group per day."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adloop import clock
from analytics.models import PerformanceDaily
from campaigns.models import AdGroup, Campaign, OperationStatus, Stage
from campaigns.services import BidError, ad_launch, adgroup_bid_set, object_status_set
from sandbox.models import SbAdGroup
from scheduler.models import ActionLog, DailyChange, StrategySettings
from scheduler.services import Actor
from scheduler.services_budget import budgets_evaluate
from scheduler.services_hit import hit_scale
from scheduler.services_settings import strategy_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def step_of_50(db):
    """These tests pin the arithmetic on a cap raise step of 50 (the default is 100)."""
    StrategySettings.objects.update_or_create(campaign=None, defaults={"hit_cap_raise_step": Decimal("50")})


@pytest.fixture
def yesterday(sandbox_http, advertiser):
    return clock.today(advertiser.timezone) - dt.timedelta(days=1)


@pytest.fixture
def hit(sandbox_http, advertiser, make_job, yesterday):
    """A hit-stage ad that spent `spend` yesterday on a daily budget of `budget`.
    bidding="roas" / "cpa": an ad group bidding with a ROAS floor / a target CPA (launched in
    heat, then taken into the hit stage), instead of the hit plan's lowest cost."""

    def make(spend, budget=Decimal("100"), bidding=None):
        stage = Stage.HIT if bidding is None else Stage.HEAT
        ad = ad_launch(job=make_job(), advertiser=advertiser, stage=stage, budget=budget, actor=Actor.auto())
        if bidding is not None:
            Campaign.objects.filter(pk=ad.adgroup.campaign_id).update(stage=Stage.HIT)
        if bidding == "cpa":
            remote = SbAdGroup.objects.get(adgroup_id=ad.adgroup.adgroup_id)
            remote.deep_bid_type, remote.roas_bid, remote.conversion_bid_price = "", None, Decimal("12.00")
            remote.save()
            AdGroup.objects.filter(pk=ad.adgroup_id).update(deep_bid_type="", roas_bid=None, conversion_bid_price=Decimal("12.00"))
        if spend is not None:
            PerformanceDaily.objects.create(
                ad=ad, date=yesterday, spend=Decimal(spend), conversion_value=Decimal(spend) * 3, impressions=5000, clicks=50,
            )
        ad.adgroup.refresh_from_db()
        return ad.adgroup

    return make


def remote(adgroup):
    return SbAdGroup.objects.get(adgroup_id=adgroup.adgroup_id)


def test_spend_at_the_cap_raises_the_budget_by_the_step(hit, advertiser):
    adgroup = hit("96")  # 96 % of 100

    [outcome] = hit_scale(advertiser=advertiser)

    assert (outcome.action, outcome.applied, outcome.after) == ("cap_raise", True, {"budget": Decimal("150.00")})
    assert remote(adgroup).budget == Decimal("150.00")
    entry = ActionLog.objects.get(action="cap_raise")
    assert (entry.before, entry.after) == ({"budget": "100.00"}, {"budget": "150.00"})
    assert entry.trigger["spend"] == "96.00" and entry.trigger["step"] == "50.00" and entry.remote_request_id
    # The day the new budget counts from (scheduler.services_budget.budgets_by_day).
    assert entry.trigger["day"] == clock.today(advertiser.timezone).isoformat()
    assert DailyChange.objects.filter(object_pk=adgroup.pk, kind="budget").exists()


def test_the_cap_raise_stops_at_the_account_headroom(hit, advertiser):
    advertiser.daily_spend_cap = Decimal("230")
    advertiser.save()
    first, second = hit("100"), hit("99")  # 200 committed: 30 of headroom for both

    hit_scale(advertiser=advertiser)

    assert (remote(first).budget, remote(second).budget) == (Decimal("130.00"), Decimal("100.00"))
    assert ActionLog.objects.filter(action="cap_raise").count() == 1


def test_the_cap_raise_stops_at_the_adgroup_cap(hit, advertiser):
    adgroup = hit("100")
    AdGroup.objects.filter(pk=adgroup.pk).update(budget_cap=Decimal("120"))

    [outcome] = hit_scale(advertiser=advertiser)

    assert outcome.applied and remote(adgroup).budget == Decimal("120.00")


def test_spend_below_the_cap_lowers_a_roas_floor(hit, advertiser):
    adgroup = hit("40", bidding="roas")
    assert remote(adgroup).roas_bid == Decimal("2.00")

    [outcome] = hit_scale(advertiser=advertiser)

    assert (outcome.action, outcome.applied) == ("bid_raise", True)
    assert remote(adgroup).roas_bid == Decimal("1.82")  # 2.00 ÷ 1.10: TikTok may pay more per impression
    entry = ActionLog.objects.get(action="bid_raise")
    assert (entry.before, entry.after) == ({"roas_bid": "2.00"}, {"roas_bid": "1.82"})
    assert DailyChange.objects.filter(object_pk=adgroup.pk, kind="bid").exists()


def test_spend_below_the_cap_raises_a_target_cpa(hit, advertiser):
    adgroup = hit("40", bidding="cpa")

    hit_scale(advertiser=advertiser)

    assert remote(adgroup).conversion_bid_price == Decimal("13.20")
    adgroup.refresh_from_db()
    assert adgroup.conversion_bid_price == Decimal("13.20")


def test_lowest_cost_has_no_bid_to_raise_and_nothing_is_called(hit, advertiser):
    adgroup = hit("40")
    modified = remote(adgroup).modify_time

    [outcome] = hit_scale(advertiser=advertiser)

    assert (outcome.action, outcome.applied) == ("bid_raise", False) and "BID_TYPE_NO_BID" in outcome.note
    assert remote(adgroup).modify_time == modified
    assert not ActionLog.objects.filter(action="bid_raise").exists() and not DailyChange.objects.exists()


def test_a_second_run_on_the_same_day_changes_nothing(hit, advertiser):
    capped, below = hit("100"), hit("40", bidding="roas")
    hit_scale(advertiser=advertiser)

    second = hit_scale(advertiser=advertiser)

    assert [(o.applied, o.note) for o in second] == [(False, "already changed today")] * 2
    assert (remote(capped).budget, remote(below).roas_bid) == (Decimal("150.00"), Decimal("1.82"))
    assert ActionLog.objects.filter(action__in=["cap_raise", "bid_raise"]).count() == 2


def test_the_cap_raise_shares_the_daily_guard_with_the_budget_rule(hit, advertiser, yesterday, raw_roas):
    adgroup = hit("100")
    ad = adgroup.ads.get()
    for back in (1, 2):  # a full ROAS window of delivery, so the budget rule judges it
        PerformanceDaily.objects.create(ad=ad, date=yesterday - dt.timedelta(days=back), spend=Decimal("100"), impressions=5000, clicks=50)
    PerformanceDaily.objects.filter(ad__adgroup=adgroup).update(conversion_value=Decimal("160"))  # ROAS 1.6: scale down
    budgets_evaluate(advertiser=advertiser)
    assert remote(adgroup).budget == Decimal("80.00")

    [outcome] = hit_scale(advertiser=advertiser)

    assert not outcome.applied and outcome.note == "already changed today" and remote(adgroup).budget == Decimal("80.00")


def test_no_spend_yesterday_holds(hit, advertiser):
    adgroup = hit(None)

    assert [(o.action, o.applied) for o in hit_scale(advertiser=advertiser)] == [("hold", False)]
    assert remote(adgroup).budget == Decimal("100.00")


def test_only_running_adgroups_of_running_hit_campaigns_are_scaled(hit, advertiser):
    paused_campaign = hit("100")
    object_status_set(obj=paused_campaign.campaign, status=OperationStatus.DISABLE, actor=Actor.auto())
    heat = hit("100", bidding="roas")
    Campaign.objects.filter(pk=heat.campaign_id).update(stage=Stage.HEAT)

    assert hit_scale(advertiser=advertiser) == []


def test_a_refused_change_is_logged_and_releases_the_claim(hit, advertiser):
    adgroup = hit("40", bidding="roas")
    SbAdGroup.objects.filter(adgroup_id=adgroup.adgroup_id).update(operation_status="DELETE")  # gone behind our back

    [outcome] = hit_scale(advertiser=advertiser)

    assert not outcome.applied and "refused" in outcome.note
    assert not DailyChange.objects.exists()
    entry = ActionLog.objects.get(action="bid_raise")
    assert entry.outcome == "failed" and entry.after == entry.before == {"roas_bid": "2.00"}
    adgroup.refresh_from_db()
    assert adgroup.roas_bid == Decimal("2.00")


def test_the_kill_switch_changes_nothing(hit, advertiser):
    adgroup = hit("100")
    StrategySettings.objects.update_or_create(campaign=None, defaults={"kill_switch": True})

    assert hit_scale(advertiser=advertiser) == []
    assert remote(adgroup).budget == Decimal("100.00") and not ActionLog.objects.filter(action="cap_raise").exists()


def test_dry_run_logs_would_do_and_calls_nothing(hit, advertiser):
    capped, below = hit("100"), hit("40", bidding="roas")
    StrategySettings.objects.update_or_create(campaign=None, defaults={"dry_run": True})

    outcomes = hit_scale(advertiser=advertiser)

    assert [(o.action, o.applied, o.note) for o in outcomes] == [("cap_raise", False, "dry run"), ("bid_raise", False, "dry run")]
    assert (remote(capped).budget, remote(below).roas_bid) == (Decimal("100.00"), Decimal("2.00"))
    entries = ActionLog.objects.filter(action__in=["cap_raise", "bid_raise"])
    assert set(entries.values_list("outcome", "dry_run")) == {("would_do", True)} and entries.count() == 2
    assert not DailyChange.objects.exists()


def test_scaling_costs_the_same_queries_for_one_adgroup_or_many(hit, advertiser):
    def scale():
        with CaptureQueriesContext(connection) as queries:
            outcomes = hit_scale(advertiser=advertiser)
        assert {o.action for o in outcomes} == {"hold"}
        return len(queries)

    hit(None)
    strategy_for()
    one = scale()
    for _ in range(3):
        hit(None)

    assert scale() == one


# --- adgroup_bid_set ----------------------------------------------------------------------

def test_a_bid_change_reaches_tiktok_and_is_logged(hit):
    adgroup = hit(None, bidding="roas")

    adgroup_bid_set(adgroup=adgroup, changes={"roas_bid": Decimal("2.5")}, actor=Actor.auto(), reason="test", trigger={"x": 1})

    assert remote(adgroup).roas_bid == Decimal("2.50")
    entry = ActionLog.objects.get(action="bid_change")
    assert (entry.before, entry.after, entry.trigger, entry.reason) == ({"roas_bid": "2.00"}, {"roas_bid": "2.50"}, {"x": 1}, "test")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"budget": Decimal("50")}, "cannot set budget"),
        ({"roas_bid": Decimal("0")}, "greater than 0"),
        ({"conversion_bid_price": Decimal("-1")}, "greater than 0"),
        ({}, "no bid"),
    ],
)
def test_nonsense_bids_are_refused_before_tiktok(hit, changes, message):
    adgroup = hit(None, bidding="roas")

    with pytest.raises(BidError, match=message):
        adgroup_bid_set(adgroup=adgroup, changes=changes, actor=Actor.auto())
    assert remote(adgroup).roas_bid == Decimal("2.00") and not ActionLog.objects.filter(action="bid_change").exists()


def test_a_lowest_cost_adgroup_has_no_bid_to_set(hit):
    with pytest.raises(BidError, match="lowest cost"):
        adgroup_bid_set(adgroup=hit(None), changes={"bid_price": Decimal("1")}, actor=Actor.auto())


def test_a_bid_tiktok_refuses_is_logged_as_failed_and_nothing_local_changes(hit):
    adgroup = hit(None, bidding="cpa")

    with pytest.raises(BidError, match="lower than the budget"):
        adgroup_bid_set(adgroup=adgroup, changes={"conversion_bid_price": Decimal("150")}, actor=Actor.auto())

    adgroup.refresh_from_db()
    assert adgroup.conversion_bid_price == Decimal("12.00") and remote(adgroup).conversion_bid_price == Decimal("12.00")
    entry = ActionLog.objects.get(action="bid_change")
    assert entry.outcome == "failed" and entry.after == {"conversion_bid_price": "12.00"}
