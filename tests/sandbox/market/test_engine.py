"""market_advance_day: who gets what, for how much."""

import datetime as dt
from decimal import Decimal

import pytest

from sandbox.market.clock import market_reset
from sandbox.market.engine import DAILY_REACH, market_advance
from sandbox.market.params import market_configure
from sandbox.models import SbDailyStat

from .conftest import NOV_1, START, advance, stats_of, totals

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple]:
    return list(SbDailyStat.objects.order_by("ad__ad_id", "date").values_list(
        "ad__ad_id", "date", "impressions", "clicks", "spend", "conversions", "conversion_value", "video_views"))


def cpm(ad) -> float:
    sums = totals(ad)
    return float(sums["spend"]) / sums["impressions"] * 1000


def test_the_same_seed_and_setup_give_identical_stats(world):
    for goal in ("CONVERT", "ENGAGED_VIEW", "VALUE"):
        world.one(goal=goal)
    advance(4)
    first = snapshot()

    market_reset(start=NOV_1, seed=42)
    advance(4)

    assert len(first) == 12
    assert snapshot() == first


def test_a_different_seed_gives_different_stats(world):
    for goal in ("CONVERT", "ENGAGED_VIEW"):
        world.one(goal=goal)
    advance(2)
    first = snapshot()

    market_reset(start=NOV_1, seed=7)
    advance(2)

    assert snapshot() != first


def test_an_ads_numbers_do_not_depend_on_other_products_ads(world):
    ad = world.one()
    advance(2)
    alone = [(s.impressions, s.clicks, s.conversions, s.spend) for s in stats_of(ad)]

    market_reset(start=NOV_1)
    for index in range(5):
        world.one(landing=f"https://shop.example.com/other-{index}")
    advance(2)

    assert [(s.impressions, s.clicks, s.conversions, s.spend) for s in stats_of(ad)] == alone


def test_more_budget_buys_more_delivery_until_the_audience_is_used_up(world):
    ads = {budget: world.one(budget=Decimal(budget), landing=f"https://shop.example.com/p{budget}")
           for budget in (50, 200, 800, 50_000, 200_000)}

    advance(1)

    delivered = {budget: totals(ad) for budget, ad in ads.items()}
    assert delivered[50]["impressions"] < delivered[200]["impressions"] < delivered[800]["impressions"]
    assert delivered[50]["spend"] < delivered[200]["spend"] < delivered[800]["spend"]
    cap = 2_000_000 * DAILY_REACH
    assert delivered[50_000]["impressions"] == delivered[200_000]["impressions"] == cap
    assert delivered[200_000]["spend"] < 10_000


def test_ads_of_one_product_share_its_audience(world):
    ads = [world.one(budget=Decimal(50_000)) for _ in range(4)]

    advance(1)

    impressions = [totals(ad)["impressions"] for ad in ads]
    assert sum(impressions) <= 2_000_000 * DAILY_REACH
    assert all(count > 0 for count in impressions)


def test_spend_never_exceeds_the_budget(world):
    ads = [world.one(goal=goal, budget=Decimal(budget), landing=f"https://shop.example.com/{goal}")
           for goal in ("CONVERT", "VALUE", "ENGAGED_VIEW", "REACH", "CLICK") for budget in (20, 75)]

    advance(3)

    for ad in ads:
        assert all(row.spend <= ad.adgroup.budget for row in stats_of(ad))
        assert any(row.spend >= ad.adgroup.budget - Decimal("0.05") for row in stats_of(ad))


def test_ctr_falls_as_a_creative_fatigues(world):
    market_configure(learning_days=0, noise=0.0, fatigue_rate=2.0)
    ad = world.one(budget=Decimal(100_000))

    advance(6)

    ctrs = [row.clicks / row.impressions for row in stats_of(ad)]
    assert ctrs[-1] < ctrs[0] * 0.5
    assert ctrs[0] > ctrs[2] > ctrs[5]


def test_paused_or_unscheduled_ads_get_nothing(world):
    live = world.one()
    paused_ad = world.ad(world.adgroup(world.campaign()), status="DISABLE")
    paused_group = world.ad(world.adgroup(world.campaign(), status="DISABLE"))
    paused_campaign = world.ad(world.adgroup(world.campaign(status="DISABLE")))
    not_started = world.ad(world.adgroup(world.campaign(), start=START + dt.timedelta(days=5)))

    advance(2)

    assert len(stats_of(live)) == 2
    for ad in (paused_ad, paused_group, paused_campaign, not_started):
        assert stats_of(ad) == []


def test_a_paused_ad_stops_delivering_from_the_next_day(world):
    ad = world.one()
    advance(1)
    ad.operation_status = "DISABLE"
    ad.save()

    advance(2)

    assert [row.date for row in stats_of(ad)] == [NOV_1]


def test_cpm_depends_on_the_objective(world):
    # One creative for every goal, so only the objective differs.
    video = world.video()
    ads = {goal: world.one(goal=goal, video=video, landing=f"https://shop.example.com/{goal}")
           for goal in ("ENGAGED_VIEW", "REACH", "CLICK", "CONVERT", "VALUE")}

    advance(5)

    cpms = {goal: cpm(ad) for goal, ad in ads.items()}
    assert cpms["ENGAGED_VIEW"] < cpms["REACH"] < cpms["CLICK"] < cpms["CONVERT"] < cpms["VALUE"]


def test_a_view_audience_converts_less_than_a_value_audience(world):
    video = world.video()
    views = world.one(goal="ENGAGED_VIEW", video=video, budget=Decimal(5000), landing="https://shop.example.com/a")
    value = world.one(goal="VALUE", video=video, budget=Decimal(5000), landing="https://shop.example.com/b")

    advance(10)

    def cvr(ad):
        return totals(ad)["conversions"] / totals(ad)["clicks"]

    assert cvr(views) < cvr(value) * 0.5
    assert totals(views)["video_views"] / totals(views)["impressions"] > totals(value)["video_views"] / totals(value)["impressions"]


def test_a_roas_bid_above_what_the_creative_achieves_throttles_delivery(world):
    video = world.video()
    modest = world.one(goal="VALUE", video=video, deep_bid_type="VO_MIN_ROAS", roas_bid=Decimal("0.2"), landing="https://a.example")
    greedy = world.one(goal="VALUE", video=video, deep_bid_type="VO_MIN_ROAS", roas_bid=Decimal("20"), landing="https://b.example")

    advance(4)

    assert totals(modest)["spend"] >= Decimal("199")
    assert totals(greedy)["spend"] < totals(modest)["spend"] / 10


def test_a_low_cpv_bid_wins_fewer_auctions(world):
    video = world.video()
    enough = world.one(goal="ENGAGED_VIEW", video=video, bid_price=Decimal("0.03"), landing="https://a.example")
    too_low = world.one(goal="ENGAGED_VIEW", video=video, bid_price=Decimal("0.001"), landing="https://b.example")

    advance(2)

    assert totals(too_low)["impressions"] < totals(enough)["impressions"] / 4


def test_highest_value_bidding_spends_the_full_budget(world):
    ad = world.one(goal="VALUE", budget=Decimal("300"))

    advance(3)

    assert [Decimal("299.95") <= row.spend <= Decimal("300") for row in stats_of(ad)] == [True] * 3


def test_a_campaign_daily_budget_is_split_across_its_adgroups(world):
    campaign = world.campaign(budget_mode="BUDGET_MODE_DAY", budget=Decimal("100"), cbo=True)
    ads = [world.ad(world.adgroup(campaign, budget=None)) for _ in range(2)]

    advance(1)

    spends = [totals(ad)["spend"] for ad in ads]
    assert sum(spends) <= Decimal("100")
    assert all(Decimal("49") <= spend <= Decimal("50") for spend in spends)


def test_a_campaign_daily_budget_caps_its_adgroups(world):
    campaign = world.campaign(budget_mode="BUDGET_MODE_DAY", budget=Decimal("60"))
    ads = [world.ad(world.adgroup(campaign, budget=Decimal("50"))) for _ in range(2)]

    advance(1)

    assert sum(totals(ad)["spend"] for ad in ads) <= Decimal("60")


def test_a_campaign_lifetime_budget_stops_delivery_once_spent(world):
    campaign = world.campaign(budget_mode="BUDGET_MODE_TOTAL", budget=Decimal("120"))
    ad = world.ad(world.adgroup(campaign, budget=Decimal("50")))

    advance(4)

    spends = [row.spend for row in stats_of(ad)]
    assert sum(spends) <= Decimal("120")
    assert all(spend >= Decimal("49.9") for spend in spends[:2])
    assert len(spends) == 3  # the third day spends what is left; the fourth gets nothing


def test_the_learning_phase_costs_more(world):
    market_configure(noise=0.0)
    ad = world.one(budget=Decimal("100"))

    advance(5)

    rows = stats_of(ad)
    learning_cpm = float(rows[0].spend) / rows[0].impressions
    settled_cpm = float(rows[4].spend) / rows[4].impressions
    assert learning_cpm > settled_cpm * 1.1


def test_the_day_result_sums_the_days_rows(world):
    for _ in range(3):
        world.one()

    result = market_advance(days=1)[0]

    rows = SbDailyStat.objects.filter(date=NOV_1)
    assert result.date == NOV_1
    assert result.ads == rows.count() == 3
    assert result.spend == sum(row.spend for row in rows)
    assert result.conversions == sum(row.conversions for row in rows)
    assert result.conversion_value == sum(row.conversion_value for row in rows)
    assert "2026-11-01: 3 ads" in result.line()
