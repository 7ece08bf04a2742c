"""Room for the hit stage (scheduler.services_hit._heat_room), against the sandbox over HTTP: a
hit ad group at its cap under a full account cap gets the budget idle heat ad groups hold."""

import datetime as dt
from decimal import Decimal

import pytest

from adloop import clock
from analytics.models import PerformanceDaily
from campaigns.models import AdGroup, Stage
from campaigns.services import ad_launch
from creatives.models import Product
from sandbox.models import SbAdGroup
from scheduler.models import ActionLog, DailyChange, StrategySettings
from scheduler.services import Actor
from scheduler.services_hit import hit_scale

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def today(sandbox_http, advertiser):
    advertiser.daily_spend_cap = Decimal("300")  # hit 200 + heat 2 × 50: not a cent of headroom
    advertiser.save()
    return clock.today(advertiser.timezone)


@pytest.fixture
def launch(advertiser, make_job, today):
    """An ad group of `stage` with `budget` that spent each of `spends` (oldest first, ending
    yesterday) at `roas`."""

    def make(stage, budget, spends, roas=2.0, **job):
        ad = ad_launch(job=make_job(**job), advertiser=advertiser, stage=stage, budget=Decimal(budget), actor=Actor.auto())
        for back, spend in enumerate(reversed(spends), start=1):
            PerformanceDaily.objects.create(
                ad=ad, date=today - dt.timedelta(days=back), spend=Decimal(spend), conversion_value=Decimal(spend) * Decimal(str(roas)),
                conversions=3, impressions=5000, clicks=50,
            )
        ad.adgroup.refresh_from_db()
        return ad.adgroup

    return make


def budget(adgroup):
    return SbAdGroup.objects.get(adgroup_id=adgroup.adgroup_id).budget


def committed():
    return sum(AdGroup.objects.values_list("budget", flat=True), Decimal("0"))


def test_idle_heat_budget_is_cut_to_make_room_for_the_hit_raise(launch, advertiser, today):
    hit = launch(Stage.HIT, "200", ["200", "200", "200"], roas=3.0)
    idle = launch(Stage.HEAT, "50", ["8", "12", "6"], roas=1.8)  # throttled by its ROAS floor
    busy = launch(Stage.HEAT, "50", ["49", "50", "48"], roas=2.4)  # spends its budget: not idle

    hit_scale(advertiser=advertiser)

    assert budget(idle) == Decimal("20")  # 1.25 × its best day (15) is under TikTok's minimum
    assert budget(busy) == Decimal("50")
    assert budget(hit) == Decimal("230")  # the 30 freed; the step (100) wanted more
    assert committed() == Decimal("300")  # the account's cap holds
    cut = ActionLog.objects.get(action="budget_change", object_pk=idle.pk)
    assert (cut.before, cut.after) == ({"budget": "50.00"}, {"budget": "20.00"})
    assert cut.trigger["rule"] == "hit_room" and cut.trigger["peak_spend"] == "12.00" and cut.trigger["day"] == today.isoformat()
    assert "room for the hit stage" in cut.reason and cut.remote_request_id
    raise_ = ActionLog.objects.get(action="cap_raise")
    assert (raise_.before, raise_.after) == ({"budget": "200.00"}, {"budget": "230.00"})


def test_the_cut_leaves_a_margin_above_the_best_day_and_only_what_the_raise_wants(launch, advertiser, today):
    advertiser.daily_spend_cap = Decimal("500")
    advertiser.save()
    hit = launch(Stage.HIT, "200", ["200", "200", "200"], roas=3.0)
    worse = launch(Stage.HEAT, "150", ["30", "40", "20"], roas=1.6)
    better = launch(Stage.HEAT, "150", ["30", "40", "20"], roas=2.2)

    hit_scale(advertiser=advertiser)

    # 100 wanted, none free: the lower ROAS goes first, to 1.25 × 40 — and that is enough.
    assert (budget(worse), budget(better), budget(hit)) == (Decimal("50"), Decimal("150"), Decimal("300"))
    assert committed() == Decimal("500")


@pytest.mark.parametrize(
    ("case", "hit_after"),
    [
        ("the account cap has room", "300"),  # the raise fits: nothing to free
        ("dry run", "200"),  # the raise is only "would do": nothing to free for it
    ],
)
def test_nothing_is_cut_when_no_live_raise_lacks_room(launch, advertiser, today, case, hit_after):
    if case == "dry run":
        StrategySettings.objects.update_or_create(campaign=None, defaults={"dry_run": True})
    else:
        advertiser.daily_spend_cap = Decimal("400")
        advertiser.save()
    hit = launch(Stage.HIT, "200", ["200", "200", "200"])
    idle = launch(Stage.HEAT, "50", ["8", "12", "6"])

    hit_scale(advertiser=advertiser)

    assert (budget(hit), budget(idle)) == (Decimal(hit_after), Decimal("50"))
    assert not ActionLog.objects.filter(action="budget_change").exists()


def test_no_cut_when_no_hit_ad_group_is_at_its_cap(launch, advertiser, today):
    launch(Stage.HIT, "200", ["120", "130", "110"])  # below its cap: a bid matter, not room
    idle = launch(Stage.HEAT, "50", ["8", "12", "6"])

    hit_scale(advertiser=advertiser)

    assert budget(idle) == Decimal("50") and not ActionLog.objects.filter(action="budget_change").exists()


def test_a_new_or_already_changed_heat_ad_group_is_left_alone(launch, advertiser, today):
    hit = launch(Stage.HIT, "200", ["200", "200", "200"])
    new = launch(Stage.HEAT, "50", ["8", "12"])  # two days of delivery: too new to read
    changed = launch(Stage.HEAT, "50", ["8", "12", "6"])
    DailyChange.objects.create(object_type="adgroup", object_pk=changed.pk, kind="budget", day=today)

    hit_scale(advertiser=advertiser)

    assert (budget(new), budget(changed), budget(hit)) == (Decimal("50"), Decimal("50"), Decimal("200"))


def test_a_cut_tiktok_refuses_frees_nothing_and_the_cap_holds(launch, advertiser, today):
    advertiser.daily_spend_cap = Decimal("350")
    advertiser.save()
    hit = launch(Stage.HIT, "250", ["250", "250", "250"])
    idle = launch(Stage.HEAT, "50", ["8", "12", "6"])
    idle2 = launch(Stage.HEAT, "50", ["8", "12", "6"])
    # TikTok refuses a budget for an ad group without one of its own: the cut's call (both) fails.
    SbAdGroup.objects.filter(adgroup_id=idle.adgroup_id).update(budget_mode="BUDGET_MODE_INFINITE")

    hit_scale(advertiser=advertiser)

    assert budget(hit) == Decimal("250") and budget(idle2) == Decimal("50")
    assert ActionLog.objects.filter(action="budget_change", outcome="failed").count() == 2
    assert not DailyChange.objects.filter(object_pk__in=[idle.pk, idle2.pk]).exists()  # free to retry today


def test_a_second_run_on_the_same_day_changes_nothing(launch, advertiser, today):
    hit = launch(Stage.HIT, "200", ["200", "200", "200"])
    launch(Stage.HEAT, "50", ["8", "12", "6"])
    hit_scale(advertiser=advertiser)
    logged = ActionLog.objects.count()

    hit_scale(advertiser=advertiser)

    # The first run: 50 of headroom and 30 freed.
    assert ActionLog.objects.count() == logged and budget(hit) == Decimal("280") and committed() == Decimal("300")


def test_a_heat_campaign_in_dry_run_is_not_cut_for_a_live_hit_raise(launch, advertiser, today):
    hit = launch(Stage.HIT, "200", ["200", "200", "200"])
    idle = launch(Stage.HEAT, "50", ["8", "12", "6"])
    lamp = Product.objects.create(name="Desk Lamp", price=Decimal("19.99"), landing_url="https://shop.example.com/lamp")
    other = launch(Stage.HEAT, "50", ["8", "12", "6"], product=lamp)  # another product: another heat campaign
    StrategySettings.objects.create(campaign=idle.campaign, dry_run=True)

    hit_scale(advertiser=advertiser)

    assert (budget(idle), budget(other), budget(hit)) == (Decimal("50"), Decimal("20"), Decimal("230"))
