"""`simulate`: the loop over simulated days — the real tasks, the real client, the sandbox over HTTP."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from campaigns.models import Ad, AdGroup, Campaign, Stage
from creatives.models import Product
from sandbox.market.clock import market_reset
from sandbox.market.quality import creative_truth
from sandbox.models import SbAd, SbCreativeProfile
from sandbox.simulation import SimulationError, creatives_register, simulate
from scheduler.models import ActionLog

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(product, scripted, advertiser, settings):
    # The market draws by date too: a fixed start makes every run of these tests the same run.
    market_reset(start=dt.date(2026, 3, 2), seed=7)
    settings.VOICEOVER = "off"  # the loop's variant renders: fast, still real videos
    from optimization.services.config import optimization_settings_ensure

    config = optimization_settings_ensure()
    config.max_winners_per_run = 1
    config.save()
    second = Product.objects.create(
        name="Desk Lamp", title="Light that follows you", selling_points=["3 colour modes", "USB-C", "touch dimmer"],
        price=Decimal("39.99"), landing_url="https://shop.example.com/lamp",
    )
    return scripted(product) + scripted(second, seed=10)


def test_thirty_days_scale_pause_and_move_a_product_to_the_next_stage(sandbox_http, advertiser, shop):
    days = []

    result = simulate(days=30, seed=7, on_day=days.append)

    summary = result.as_json()
    assert summary["days"] == 30 and len(summary["per_day"]) == 30 and [d.day for d in days] == list(range(1, 31))
    assert summary["launched"] == len(shop)
    assert summary["spend"] > 0 and summary["revenue"] > 0
    assert summary["profit"] == pytest.approx(summary["revenue"] - summary["spend"], abs=0.01)
    assert summary["roas"] == pytest.approx(summary["revenue"] / summary["spend"], rel=1e-3)
    assert summary["spend"] == pytest.approx(sum(d["spend"] for d in summary["per_day"]), abs=0.01)
    # Scaled, paused, and at least one product moved on — each through TikTok and the log.
    actions = summary["actions"]
    assert actions.get("budget_change", 0) + actions.get("cap_raise", 0) >= 1
    assert actions.get("pause", 0) >= 1
    # Winners were found, their variants rendered, approved by the simulated marketer and launched.
    assert actions.get("optimization_trigger", 0) >= 1 and actions.get("variant_launch", 0) >= 3
    variants = Ad.objects.filter(job__parent__isnull=False).select_related("job")
    assert variants.exists() and all(ad.job.video and ad.job.parent_id for ad in variants)
    assert summary["stage_changes"] and {c["to"] for c in summary["stage_changes"]} <= {Stage.HEAT, Stage.HIT}
    moved = summary["stage_changes"][0]
    assert ActionLog.objects.filter(action="stage_change", outcome="done").count() == len(summary["stage_changes"])
    assert Campaign.objects.filter(stage=moved["to"], product__name=moved["product"]).exclude(campaign_id="").exists()
    paused = ActionLog.objects.filter(action="pause", outcome="done", object_type="ad").first()
    if paused is not None:
        assert SbAd.objects.get(ad_id=paused.remote_id).operation_status == "DISABLE"
    # The per-day actions add up to the totals, and every day's figures are there.
    assert sum(sum(d["actions"].values()) for d in summary["per_day"]) == sum(actions.values())
    assert all(set(d) >= {"spend", "revenue", "roas", "profit", "actions", "stage_changes"} for d in summary["per_day"])


def test_every_launched_creative_is_registered_with_its_script_features(sandbox_http, advertiser, shop):
    simulate(days=1, seed=3)

    ads = Ad.objects.select_related("job")
    assert ads.count() == len(shop)
    for ad in ads:
        truth = creative_truth(ad.video_id)
        assert truth["registered"] and truth["features"]["hook_type"] == ad.job.script["hook"]["type"]
        assert truth["features"]["identity"].startswith(ad.job.product.name)
    assert creatives_register() == 0  # idempotent: nothing new to register


def test_the_same_script_is_the_same_creative_whatever_its_job_id(sandbox_http, advertiser, shop, make_job):
    simulate(days=1, seed=3)
    original = Ad.objects.select_related("job").first()
    twin = make_job(product=original.job.product, script=original.job.script, hook_type=original.job.hook_type)
    from campaigns.services import ad_launch
    from scheduler.services import Actor

    ad = ad_launch(job=twin, advertiser=advertiser, stage=Stage.LAUNCH, budget=Decimal("50"), actor=Actor.auto())
    creatives_register()

    a, b = creative_truth(original.video_id), creative_truth(ad.video_id)
    assert (a["ctr"], a["cvr"], a["aov"]) == (b["ctr"], b["cvr"], b["aov"])


def test_re_running_launches_nothing_twice(sandbox_http, advertiser, shop):
    simulate(days=2, seed=3)
    groups = AdGroup.objects.count()

    again = simulate(days=1, seed=3)

    assert again.launched == 0 and AdGroup.objects.count() >= groups
    assert SbCreativeProfile.objects.filter(registered=True).count() == len(shop)


def test_nothing_to_run_is_a_clear_error(sandbox_http):
    with pytest.raises(SimulationError, match="no connected advertiser"):
        simulate(days=1, seed=1)


def test_the_command_serves_the_sandbox_itself_and_prints_json(advertiser, shop, settings):
    out = io.StringIO()

    call_command("simulate", "--days", "3", "--seed", "5", "--json", "--no-seed-demo", stdout=out)

    summary = json.loads(out.getvalue())
    assert summary["days"] == 3 and {"spend", "revenue", "roas", "profit", "actions", "stage_changes", "per_day"} <= set(summary)
    assert summary["spend"] > 0 and summary["launched"] == len(shop)
    assert settings.TIKTOK_ADS_BASE_URL.startswith(settings.SITE_URL)  # restored after the run


def test_the_command_prints_a_line_per_day(advertiser, shop):
    out = io.StringIO()

    call_command("simulate", "--days", "2", "--seed", "5", "--no-seed-demo", stdout=out)

    lines = out.getvalue().splitlines()
    assert [line.split(":")[0].split()[:2] for line in lines[:2]] == [["day", "1"], ["day", "2"]]
    assert "spend" in lines[0] and "ROAS" in lines[0] and lines[-1].startswith("2 days, seed 5")
