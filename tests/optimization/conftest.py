"""Winners to clone: a product with a photo, a creative with a real script and video, an ad
for it (in the sandbox over HTTP, or as local rows only), and the daily performance that
makes it a winner (or not)."""

import datetime as dt
import itertools
import subprocess
from decimal import Decimal

import pytest
from django.core.files import File

from adloop import clock
from analytics.models import PerformanceDaily
from campaigns.models import Ad, AdGroup, Campaign, OperationStatus, Stage
from campaigns.services import ad_launch
from creatives import media
from creatives.models import VideoJob
from creatives.script import script_parse
from creatives.services import product_create, variant_batch_create
from creatives.services.products import product_brief
from integrations.llm.offline import OfflineProvider
from integrations.llm.schemas import HookType, ScriptRequest, VariantRequest
from optimization.models import OptimizationQueue
from scheduler.models import StrategySettings
from scheduler.services import Actor

_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_offline_pipeline(settings, tmp_path):
    # Short scripts keep renders fast (the pipeline is the same at any length); the offline LLM.
    settings.VIDEO_TARGET_SECONDS = 3
    settings.MUSIC_DIR = tmp_path / "music"
    settings.LLM_PROVIDER = "offline"
    settings.LLM_API_KEY = ""
    settings.LLM_BASE_URL = ""


@pytest.fixture(scope="session")
def product_png(tmp_path_factory):
    path = tmp_path_factory.mktemp("img") / "shot.png"
    subprocess.run(
        [media.ffmpeg_exe(), "-y", "-v", "error", "-f", "lavfi", "-i", "gradients=s=400x400:c0=0x2e86de:c1=0x10ac84:d=1",
         "-frames:v", "1", str(path)],
        check=True, timeout=60,
    )
    return path


@pytest.fixture
def shop_product(product_png):
    with open(product_png, "rb") as handle:
        return product_create(
            name="Portable Blender", title="Fresh juice in 30 s", selling_points=["USB-C charging", "6 blades", "380 ml"],
            price=Decimal("29.99"), landing_url="https://shop.example.com/blender", language="en",
            images=[File(handle, name="shot.png")],
        )


def winner_script(product, hook_type=HookType.NUMBER) -> dict:
    provider = OfflineProvider()
    brief = product_brief(product)
    request = ScriptRequest(brief=brief, analysis=provider.analyze_product(brief), hook_type=hook_type, n_scenes=4, target_duration_s=3)
    return provider.write_script(request).model_dump(mode="json")


@pytest.fixture
def winner_job(shop_product, demo_mp4):
    """A rendered creative with a real script (its file is the shared demo clip)."""

    def make(product=None, **overrides):
        product = product or shop_product
        fields = {"script": winner_script(product), "hook_type": HookType.NUMBER, "language": "en", **overrides}
        job = VideoJob(product=product, status=VideoJob.Status.DONE, progress=100, duration_s=1.0, **fields)
        with open(demo_mp4, "rb") as handle:
            job.video.save("winner.mp4", File(handle), save=False)
        job.save()
        return job

    return make


def perform(ad, *, days=3, roas=3.0, spend=Decimal("40.00"), conversions=4, today=None):
    """`days` days of delivery up to today at the given ROAS."""
    today = today or clock.today()
    for back in range(days):
        PerformanceDaily.objects.create(
            ad=ad, date=today - dt.timedelta(days=back), impressions=10_000, clicks=200, spend=spend,
            conversion_value=(spend * Decimal(str(roas))).quantize(Decimal("0.01")), conversions=conversions, video_views=5_000,
        )
    return ad


@pytest.fixture
def local_ad(advertiser, winner_job):
    """An ad as local rows only (no HTTP), for selection and lineage tests."""

    def make(*, job=None, stage=Stage.HEAT, status=OperationStatus.ENABLE, campaign=None):
        job = job or winner_job()
        n = next(_ids)
        campaign = campaign or Campaign.objects.create(
            advertiser=advertiser, product=job.product, stage=stage, status=OperationStatus.ENABLE, name=f"c{n}",
            objective="WEB_CONVERSIONS", request_id=f"rq-c-{n}", campaign_id=f"9{n:05d}",
        )
        adgroup = AdGroup.objects.create(
            campaign=campaign, job=job, name=f"g{n}", status=OperationStatus.ENABLE, billing_event="OCPM", optimization_goal="VALUE",
            bid_type="BID_TYPE_CUSTOM", budget=Decimal("50"), request_id=f"rq-g-{n}", adgroup_id=f"8{n:05d}",
        )
        return Ad.objects.create(adgroup=adgroup, job=job, name=f"ad {n}", status=status, ad_text="text", ad_id=f"7{n:05d}")

    return make


@pytest.fixture
def launched_winner(sandbox_http, advertiser, winner_job):
    """A winner running in the heat stage in the sandbox, with 3 days at ROAS 3.0 (target 2.0)."""

    def make(*, roas=3.0, days=3):
        ad = ad_launch(job=winner_job(), advertiser=advertiser, stage=Stage.HEAT, budget=Decimal("50"), actor=Actor.auto())
        return perform(ad, days=days, roas=roas)

    return make


@pytest.fixture
def strategy():
    """Set fields of the global strategy settings."""

    def set_(**values):
        row, _ = StrategySettings.objects.get_or_create(campaign=None)
        for key, value in values.items():
            setattr(row, key, value)
        row.save()
        return row

    return set_


@pytest.fixture
def queued_variants(launched_winner, demo_mp4):
    """A winner with `count` variants already rendered (the shared demo clip stands for their
    video) and waiting in the queue: for the decisions, without paying for renders again."""

    def make(*, count=3, mode=OptimizationQueue.Mode.MANUAL):
        source = launched_winner()
        provider = OfflineProvider()
        script, brief = script_parse(source.job.script), product_brief(source.job.product)
        request = VariantRequest(script=script, breakdown=provider.break_down(script, brief), brief=brief, count=count)
        jobs = variant_batch_create(parent=source.job, scripts=provider.write_variants(request), batch_id="opt-test", enqueue=False)
        items = []
        for job in jobs:
            with open(demo_mp4, "rb") as handle:
                job.video.save(f"{job.job_id}.mp4", File(handle), save=False)
            job.status, job.progress = VideoJob.Status.DONE, 100
            job.save()
            items.append(OptimizationQueue.objects.create(
                source_ad=source, job=job, new_batch_id="opt-test", status=OptimizationQueue.Status.PENDING, mode=mode,
                estimated_cost=Decimal("150.00"),
            ))
        return source, items

    return make
