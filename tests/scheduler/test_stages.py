"""The stage machine against the sandbox over HTTP: launch → heat → hit on the thresholds,
the creatives carried, failures that leave the old stage running, and the hand override."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files import File
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adloop import clock
from analytics.models import PerformanceDaily
from campaigns.models import Ad, Campaign, OperationStatus, Stage
from campaigns.selectors import product_stage
from campaigns.services import ad_launch, object_status_set
from creatives.models import Product
from sandbox.models import SbAd, SbCampaign
from scheduler import services_stages
from scheduler.models import ActionLog, StrategySettings
from scheduler.services import Actor
from scheduler.services_settings import strategy_for
from scheduler.services_stages import stage_set, stages_check

# The stage rules are pinned on the latest complete days (no settle days; see test_settle_days.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("raw_roas", "roas_alone_into_hit")]


@pytest.fixture
def roas_alone_into_hit(raw_roas):
    """Into hit on ROAS alone, at the heat budget: the delivery share and the start budget
    are pinned in test_hit_entry.py."""
    StrategySettings.objects.filter(campaign=None).update(hit_min_delivery=Decimal("0"), hit_start_budget=Decimal("0"))


@pytest.fixture
def today(sandbox_http, advertiser):
    return clock.today(advertiser.timezone)


@pytest.fixture
def launch(sandbox_http, advertiser, make_job):
    def launch(stage=Stage.LAUNCH, budget=Decimal("50"), **job):
        return ad_launch(job=make_job(**job), advertiser=advertiser, stage=stage, budget=budget, actor=Actor.auto())

    return launch


def perf(ad, date, *, impressions=0, clicks=0, spend="0", value="0"):
    return PerformanceDaily.objects.create(
        ad=ad, date=date, impressions=impressions, clicks=clicks, spend=Decimal(spend), conversion_value=Decimal(value),
    )


def days_before(today, n):
    """The n complete days before today, oldest first."""
    return [today - dt.timedelta(days=offset) for offset in range(n, 0, -1)]


def remote_status(campaign):
    return SbCampaign.objects.get(campaign_id=campaign.campaign_id).operation_status


def stage_changes(**filters):
    return ActionLog.objects.filter(action="stage_change", **filters)


# --- launch → heat ----------------------------------------------------------------------

def test_launch_moves_to_heat_when_impressions_and_ctr_are_stable(launch, advertiser, product, today):
    kept, dropped = launch(budget=Decimal("60")), launch()
    object_status_set(obj=dropped, status=OperationStatus.DISABLE, actor=Actor.auto(), reason="weak creative")
    for date, clicks in zip(days_before(today, 3), (200, 210, 190), strict=True):
        perf(kept, date, impressions=20000, clicks=clicks)
    perf(dropped, today - dt.timedelta(days=5), impressions=1000, clicks=5)

    [change] = stages_check(advertiser=advertiser)

    assert change.applied and (change.from_stage, change.to_stage) == ("launch", "heat")
    heat = Campaign.objects.get(stage=Stage.HEAT)
    assert change.campaign_pk == heat.pk and heat.status == OperationStatus.ENABLE
    [new_ad] = Ad.objects.filter(adgroup__campaign=heat)
    assert change.ads == [new_ad.pk] and new_ad.job_id == kept.job_id  # only the running creative moves
    assert new_ad.adgroup.budget == Decimal("60.00")
    remote = SbAd.objects.get(ad_id=new_ad.ad_id)
    assert remote.campaign.objective_type == "WEB_CONVERSIONS" and remote.video.video_id == kept.video_id
    assert remote_status(kept.adgroup.campaign) == "DISABLE" and remote_status(heat) == "ENABLE"
    assert product_stage(product=product, advertiser=advertiser) == Stage.HEAT
    entry = stage_changes().get()
    assert entry.campaign_id == heat.pk and entry.outcome == "done" and entry.actor == "auto"
    assert entry.before == {"stage": "launch", "campaign": [kept.adgroup.campaign_id]}
    assert entry.after == {"stage": "heat", "campaign": heat.pk, "ads": [new_ad.pk]}
    assert entry.trigger["impressions"] == 61000 and entry.trigger["heat_min_impressions"] == 50000
    assert [d["ctr"] for d in entry.trigger["ctr_days"]] == [0.01, 0.0105, 0.0095]
    assert entry.trigger["ctr_cv"] == pytest.approx(0.0408, abs=1e-4) and entry.trigger["day"] == today.isoformat()


@pytest.mark.parametrize(
    ("impressions", "clicks", "why"),
    [
        ((15000, 15000, 15000), (150, 150, 150), "cumulative impressions 45000 < 50000"),
        ((20000, 20000, 20000), (100, 400, 100), "not stable"),
        ((0, 30000, 30000), (0, 300, 300), "only 2 of 3 days"),
    ],
    ids=["impressions-short", "ctr-unstable", "days-missing"],
)
def test_launch_stays_when_a_threshold_is_not_met(launch, advertiser, today, impressions, clicks, why):
    ad = launch()
    for date, shown, clicked in zip(days_before(today, 3), impressions, clicks, strict=True):
        if shown:
            perf(ad, date, impressions=shown, clicks=clicked)
    perf(ad, today, impressions=90000, clicks=900)  # today is not complete: it never counts

    [change] = stages_check(advertiser=advertiser)

    assert not change.applied and why in change.reason
    assert not Campaign.objects.filter(stage=Stage.HEAT).exists()
    assert remote_status(ad.adgroup.campaign) == "ENABLE" and SbCampaign.objects.count() == 1
    assert not stage_changes().exists()


def test_a_rerun_after_a_completed_switch_changes_nothing(launch, advertiser, today):
    ad = launch()
    for date in days_before(today, 3):
        perf(ad, date, impressions=20000, clicks=200)
    stages_check(advertiser=advertiser)

    [again] = stages_check(advertiser=advertiser)

    assert not again.applied and (again.from_stage, again.to_stage) == ("heat", "hit")
    assert Campaign.objects.count() == 2 and Ad.objects.count() == 2 and SbAd.objects.count() == 2
    assert stage_changes().count() == 1


# --- heat → hit -------------------------------------------------------------------------

def heat_with_roas(launch, today, per_ad_days):
    """Heat-stage ads, each with (spend, value) per complete day, oldest first."""
    ads = []
    for series in per_ad_days:
        ad = launch(stage=Stage.HEAT, budget=Decimal("80"))
        for date, numbers in zip(days_before(today, len(series)), series, strict=True):
            if numbers is not None:
                perf(ad, date, impressions=10000, clicks=100, spend=numbers[0], value=numbers[1])
        ads.append(ad)
    return ads


def test_heat_moves_to_hit_after_n_days_on_target_carrying_the_ads_that_earned_it(launch, advertiser, today):
    good, weak, fine = heat_with_roas(launch, today, [
        [("30", "90")] * 3,   # ROAS 3.0
        [("30", "45")] * 3,   # ROAS 1.5: below the target of 2, left behind
        [("30", "75")] * 3,   # ROAS 2.5
    ])

    [change] = stages_check(advertiser=advertiser)

    assert change.applied and (change.from_stage, change.to_stage) == ("heat", "hit")
    hit = Campaign.objects.get(stage=Stage.HIT)
    carried = Ad.objects.filter(adgroup__campaign=hit).order_by("pk")
    assert [ad.job_id for ad in carried] == [good.job_id, fine.job_id]
    assert {ad.adgroup.budget for ad in carried} == {Decimal("80.00")}
    assert {SbAd.objects.get(ad_id=ad.ad_id).video.video_id for ad in carried} == {good.video_id, fine.video_id}
    assert SbAd.objects.get(ad_id=carried[0].ad_id).adgroup.bid_type == "BID_TYPE_NO_BID"
    assert remote_status(good.adgroup.campaign) == "DISABLE"
    entry = stage_changes().get()
    assert [d["roas"] for d in entry.trigger["roas_days"]] == [2.3333] * 3 and entry.trigger["target_roas"] == "2.00"
    assert [(c["ad"], c["roas"]) for c in entry.trigger["creatives"]] == [(good.pk, 3.0), (fine.pk, 2.5)]


def test_heat_to_hit_carries_the_single_best_ad_when_none_reaches_the_target_alone(launch, advertiser, today):
    # The stage is on target on each of the last 3 days, but each ad's whole heat history is not.
    slow, steady = heat_with_roas(launch, today, [
        [("100", "0"), ("100", "0"), ("30", "90"), ("30", "90"), ("30", "90")],  # 270 / 290 = 0.93
        [None, None, ("10", "15"), ("10", "15"), ("10", "15")],                  # 1.5
    ])

    [change] = stages_check(advertiser=advertiser)

    assert change.applied
    assert [ad.job_id for ad in Ad.objects.filter(adgroup__campaign__stage=Stage.HIT)] == [steady.job_id]


@pytest.mark.parametrize(
    "days",
    [
        [("30", "90"), None, ("30", "90")],            # a gap: a day without spend
        [("30", "90"), ("30", "90"), ("30", "45")],    # one bad day
        [("30", "90"), ("30", "90")],                  # only 2 of 3 days
    ],
    ids=["gap", "one-bad-day", "too-few-days"],
)
def test_heat_stays_without_n_consecutive_days_on_target(launch, advertiser, today, days):
    [ad] = heat_with_roas(launch, today, [days])

    [change] = stages_check(advertiser=advertiser)

    assert not change.applied and change.trigger["hit_roas_days"] == 3
    assert not Campaign.objects.filter(stage=Stage.HIT).exists() and remote_status(ad.adgroup.campaign) == "ENABLE"


# --- guardrails -------------------------------------------------------------------------

@pytest.fixture
def ready(launch, today):
    """A launch-stage ad whose numbers meet the heat thresholds."""
    ad = launch()
    for date in days_before(today, 3):
        perf(ad, date, impressions=20000, clicks=200)
    return ad


def test_the_kill_switch_changes_nothing(ready, advertiser):
    StrategySettings.objects.update_or_create(campaign=None, defaults={"kill_switch": True})

    assert stages_check(advertiser=advertiser) == []
    assert Campaign.objects.count() == 1 and SbCampaign.objects.count() == 1 and not ActionLog.objects.filter(action="stage_change")


def test_dry_run_logs_would_do_and_calls_nothing(ready, advertiser):
    StrategySettings.objects.update_or_create(campaign=None, defaults={"dry_run": True})
    remote_before = list(SbCampaign.objects.values_list("campaign_id", "operation_status", "modify_time"))

    [change] = stages_check(advertiser=advertiser)

    assert not change.applied and change.note == "dry run"
    assert list(SbCampaign.objects.values_list("campaign_id", "operation_status", "modify_time")) == remote_before
    assert Campaign.objects.count() == 1 and Ad.objects.count() == 1
    entry = stage_changes().get()
    assert (entry.outcome, entry.dry_run, entry.after["stage"]) == ("would_do", True, "heat")
    assert entry.after["creatives"] == [str(ready.job.job_id)]


def test_a_refused_launch_logs_a_failed_switch_and_leaves_the_old_stage_running(ready, advertiser, product):
    product.landing_url = ""  # the heat stage needs a landing page
    product.save()

    [change] = stages_check(advertiser=advertiser)

    assert not change.applied and "landing page" in change.note
    assert remote_status(ready.adgroup.campaign) == "ENABLE" and not Campaign.objects.filter(stage=Stage.HEAT).exists()
    entry = stage_changes().get()
    assert entry.outcome == "failed" and "landing page" in entry.error and entry.campaign_id == ready.adgroup.campaign_id


def test_a_switch_that_fails_midway_is_undone_and_a_rerun_finishes_without_duplicates(ready, launch, advertiser, today, demo_mp4):
    second = launch()
    for date in days_before(today, 3):
        perf(second, date, impressions=1000, clicks=10)
    second.job.video.storage.delete(second.job.video.name)  # the second creative cannot launch

    [failed] = stages_check(advertiser=advertiser)

    heat = Campaign.objects.get(stage=Stage.HEAT)
    assert not failed.applied and "missing" in failed.note
    assert remote_status(heat) == "DISABLE" and remote_status(ready.adgroup.campaign) == "ENABLE"  # only the old stage runs
    assert product_stage(product=ready.job.product, advertiser=advertiser) == Stage.LAUNCH
    assert stage_changes(outcome="failed").count() == 1

    with open(demo_mp4, "rb") as handle:
        second.job.video.save("demo.mp4", File(handle))
    [done] = stages_check(advertiser=advertiser)

    assert done.applied and done.campaign_pk == heat.pk
    assert sorted(Ad.objects.filter(adgroup__campaign=heat).values_list("job_id", flat=True)) == sorted([ready.job_id, second.job_id])
    assert SbAd.objects.filter(campaign__campaign_id=heat.campaign_id).count() == 2
    assert remote_status(heat) == "ENABLE" and remote_status(ready.adgroup.campaign) == "DISABLE"


def test_a_crash_between_launch_and_pause_is_finished_by_the_next_check(ready, advertiser, monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(services_stages, "objects_status_set", crash)
    with pytest.raises(RuntimeError):
        stages_check(advertiser=advertiser)
    monkeypatch.undo()
    heat = Campaign.objects.get(stage=Stage.HEAT)
    assert remote_status(heat) == "ENABLE" and remote_status(ready.adgroup.campaign) == "ENABLE"

    [finished] = stages_check(advertiser=advertiser)

    assert finished.applied and (finished.from_stage, finished.to_stage) == ("launch", "heat")
    assert remote_status(ready.adgroup.campaign) == "DISABLE" and Ad.objects.filter(adgroup__campaign=heat).count() == 1
    assert "unfinished" in stage_changes().get().reason


def test_the_check_costs_the_same_queries_for_one_product_or_many(launch, advertiser, today):
    def judge():
        with CaptureQueriesContext(connection) as queries:
            changes = stages_check(advertiser=advertiser)
        assert not any(change.applied for change in changes)
        return len(changes), len(queries)

    ad = launch()
    perf(ad, today - dt.timedelta(days=1), impressions=100, clicks=1)
    strategy_for()  # the global settings row exists from the first call on
    one = judge()
    for name in ("Kettle", "Lamp", "Fan"):
        other = Product.objects.create(name=name, price=Decimal("9.99"), landing_url="https://shop.example.com/x")
        for _ in range(2):
            extra = launch(stage=Stage.HEAT, product=other)
            perf(extra, today - dt.timedelta(days=1), impressions=100, clicks=1, spend="10", value="5")

    many = judge()

    assert (one[0], many[0]) == (1, 4) and many[1] == one[1]


# --- the hand override ------------------------------------------------------------------

def test_a_manager_moves_a_product_up_and_back_and_the_paused_launch_campaign_resumes(launch, advertiser, product, django_user_model):
    boss = django_user_model.objects.create_user("boss")
    first, _ = launch(), launch()
    launch_campaign = first.adgroup.campaign

    up = stage_set(product=product, advertiser=advertiser, stage=Stage.HIT, actor=Actor.of(boss))

    assert up.applied and (up.from_stage, up.to_stage) == ("launch", "hit")  # no thresholds by hand
    hit = Campaign.objects.get(stage=Stage.HIT)
    assert Ad.objects.filter(adgroup__campaign=hit).count() == 2
    assert remote_status(launch_campaign) == "DISABLE"

    down = stage_set(product=product, advertiser=advertiser, stage=Stage.LAUNCH, actor=Actor.of(boss))

    assert down.applied and down.campaign_pk == launch_campaign.pk  # resumed, not a new campaign
    assert Campaign.objects.filter(stage=Stage.LAUNCH).count() == 1 and Ad.objects.filter(adgroup__campaign=launch_campaign).count() == 2
    assert remote_status(launch_campaign) == "ENABLE" and remote_status(hit) == "DISABLE"
    assert product_stage(product=product, advertiser=advertiser) == Stage.LAUNCH
    assert list(stage_changes().order_by("pk").values_list("before__stage", "after__stage", "actor", "user__username")) == [
        ("launch", "hit", "user", "boss"), ("hit", "launch", "user", "boss"),
    ]
    resumed = ActionLog.objects.get(action="resume", object_type="campaign")
    assert resumed.object_pk == launch_campaign.pk and resumed.before == {"status": "DISABLE"}


def test_a_product_moved_back_by_hand_is_judged_on_fresh_numbers(ready, advertiser, product, today):
    stage_set(product=product, advertiser=advertiser, stage=Stage.HEAT, actor=Actor.auto())
    stage_set(product=product, advertiser=advertiser, stage=Stage.LAUNCH, actor=Actor.auto())

    [change] = stages_check(advertiser=advertiser)  # the launch numbers before the move back do not count

    assert not change.applied and change.trigger["impressions"] == 0


def test_setting_the_current_stage_again_is_a_no_op(ready, advertiser, product):
    change = stage_set(product=product, advertiser=advertiser, stage=Stage.LAUNCH, actor=Actor.auto())

    assert not change.applied and "already" in change.note
    assert Campaign.objects.count() == 1 and not ActionLog.objects.filter(action__in=["stage_change", "pause", "resume"]).exists()


def test_by_hand_the_finished_videos_move_when_no_ad_runs(ready, advertiser, product):
    object_status_set(obj=ready, status=OperationStatus.DISABLE, actor=Actor.auto())

    change = stage_set(product=product, advertiser=advertiser, stage=Stage.HEAT, actor=Actor.auto())

    assert change.applied
    assert [ad.job_id for ad in Ad.objects.filter(adgroup__campaign__stage=Stage.HEAT)] == [ready.job_id]
