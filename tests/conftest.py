"""Fixtures shared by the whole suite: a sandbox reachable over real HTTP, a connected
advertiser, and video jobs with real MP4 files."""

from decimal import Decimal

import pytest
from django.core.files import File
from django.core.servers.basehttp import WSGIRequestHandler
from django.utils import translation

from campaigns.models import AdvertiserAccount
from creatives import media
from creatives.models import Product, VideoJob
from sandbox import services as sandbox

# The live server writes an answer's headers and body separately: with Nagle's algorithm on,
# every HTTP call to the sandbox then waits ~40 ms for the client's delayed ACK.
WSGIRequestHandler.disable_nagle_algorithm = True


@pytest.fixture(autouse=True)
def _english(settings):
    """The suite asserts the English source texts: each test runs with English as the default
    and active language (the UI's default is Simplified Chinese). The Chinese UI is tested in
    tests/test_i18n.py."""
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes its videos under its own temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _locks_in_the_database(settings):
    """Each xdist worker has its own database but all share one Redis, where advertiser pks
    collide: the per-advertiser lock lives in the test's database (its Redis backend is
    tested on its own in tests/scheduler/test_locks.py)."""
    settings.ADVERTISER_LOCK_BACKEND = "database"


@pytest.fixture(scope="session")
def demo_mp4(tmp_path_factory):
    """One real 1-second H.264/AAC MP4, rendered once for the session."""
    return media.render_demo_video(path=tmp_path_factory.mktemp("video") / "demo.mp4", duration_s=1.0, size=(360, 640))


@pytest.fixture
def sandbox_http(live_server, settings):
    """Point every TikTok client at the sandbox served by a live server thread."""
    settings.TIKTOK_ADS_BASE_URL = f"{live_server.url}/sandbox/tiktok"
    settings.TIKTOK_ADS_AUTH_URL = f"{live_server.url}/sandbox/tiktok/portal/auth"
    settings.TIKTOK_MAX_RETRIES = 2
    return live_server


@pytest.fixture
def sandbox_app(settings):
    return sandbox.sandbox_app_ensure(app_id=settings.TIKTOK_APP_ID, secret=settings.TIKTOK_APP_SECRET)


@pytest.fixture
def advertiser(sandbox_app):
    """An advertiser that exists in the sandbox and is connected in adloop."""
    remote = sandbox.sandbox_advertiser_create(app=sandbox_app, name="Test Shop", currency="USD", timezone="UTC")
    token = sandbox.sandbox_token_issue(app=sandbox_app, advertisers=[remote])
    return AdvertiserAccount.objects.create(
        advertiser_id=remote.advertiser_id, name=remote.name, currency="USD", timezone="UTC",
        access_token=token, pixel_id=remote.pixel_id,
    )


@pytest.fixture
def product():
    return Product.objects.create(
        name="Portable Blender", title="Fresh juice anywhere", selling_points=["USB-C", "6 blades"],
        price=Decimal("29.99"), landing_url="https://shop.example.com/blender",
    )


@pytest.fixture
def make_job(product, demo_mp4):
    def make(**overrides):
        job = VideoJob(product=overrides.pop("product", product), status=VideoJob.Status.DONE, progress=100, duration_s=1.0, **overrides)
        with open(demo_mp4, "rb") as handle:
            job.video.save("demo.mp4", File(handle), save=False)
        job.save()
        return job

    return make


@pytest.fixture
def video_job(make_job):
    return make_job()


@pytest.fixture
def raw_roas(db):
    """Judge the raw ROAS (evidence weight 0) of the latest complete days (no settle days, no
    learning days): for tests that pin the PRD §15.2 bands and the alert floor on exact numbers
    and dates. The shrinkage is tested in tests/scheduler/test_rules.py, the settle days in
    test_settle_days.py, the learning days in test_learning_days.py."""
    from scheduler.models import StrategySettings

    StrategySettings.objects.update_or_create(
        campaign=None, defaults={"roas_prior_spend": Decimal("0"), "roas_settle_days": 0, "learning_days": 0},
    )
