"""The Seedance backend end to end: Ark task API over HTTP (the sandbox), then the same
composition as the ffmpeg backend cuts the AI clips to the script."""

import pytest

from creatives import media
from creatives.script import script_parse
from creatives.services import batch_create, video_job_run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ark(live_server, settings):
    settings.SEEDANCE_BASE_URL = f"{live_server.url}/sandbox/ark/api/v3"
    settings.SEEDANCE_POLL_SECONDS = 0
    return live_server


def test_a_seedance_job_renders_from_generated_clips(ark, shop_product):
    job = video_job_run(job=batch_create(product=shop_product("zh"), count=1, backend="seedance", enqueue=False)[0])

    assert job.status == "done", job.error
    info = media.probe(job.video.path)
    assert (info["width"], info["height"], info["audio_codec"]) == (720, 1280, "aac")
    assert abs(info["duration_s"] - script_parse(job.script).duration_s) <= 0.2
    from sandbox.models import SbArkTask

    assert SbArkTask.objects.count() == len(job.script["scenes"])


def test_a_refused_seedance_task_fails_the_job_with_the_reason(ark, shop_product, settings, monkeypatch):
    from integrations.seedance.client import SeedanceClient

    # The sandbox checks the configured key; this client presents another one.
    monkeypatch.setattr(
        "creatives.services.backends.seedance_client",
        lambda: SeedanceClient(base_url=settings.SEEDANCE_BASE_URL, api_key="wrong-key", max_retries=0),
    )

    job = video_job_run(job=batch_create(product=shop_product("en"), count=1, backend="seedance", enqueue=False)[0])

    assert job.status == "failed"
    assert "401" in job.error or "auth" in job.error.lower()
