"""The pipeline end to end with the offline LLM provider and the ffmpeg backend."""

import pytest

from creatives import media
from creatives.errors import CreativeError
from creatives.models import VideoJob
from creatives.script import script_parse
from creatives.services import batch_create, video_job_retry, video_job_run

pytestmark = pytest.mark.django_db


def run_all(jobs):
    return [video_job_run(job=job) for job in jobs]


def test_a_batch_renders_real_videos_with_different_hooks(shop_product):
    product = shop_product("zh")

    jobs = run_all(batch_create(product=product, count=2, enqueue=False))

    assert [job.status for job in jobs] == ["done", "done"], [job.error for job in jobs]
    assert len({job.hook_type for job in jobs}) == 2
    for job in jobs:
        script = script_parse(job.script)
        assert script.hook.type == job.hook_type and script.language == "zh"
        info = media.probe(job.video.path)
        assert (info["width"], info["height"], info["video_codec"], info["audio_codec"]) == (720, 1280, "h264", "aac")
        assert abs(info["duration_s"] - script.duration_s) <= 0.2
        assert job.cover and job.progress == 100 and job.duration_s == pytest.approx(script.duration_s, abs=0.2)
    product.refresh_from_db()
    assert product.analysis["selling_points"]  # analysed once, kept on the product


def test_one_bad_job_fails_alone_and_can_be_retried(shop_product):
    jobs = batch_create(product=shop_product("en"), count=3, enqueue=False)
    bad = jobs[1]
    bad.script = {"language": "en", "hook": {"type": "number", "text": "3 reasons"}, "scenes": [], "cta": {"type": "shop_now", "text": "Buy"}}
    bad.save()

    done = run_all(jobs)

    assert [job.status for job in done] == ["done", "failed", "done"]
    assert "scenes" in done[1].error and not done[1].video
    bad.refresh_from_db()
    bad.script = {}
    bad.save()
    retried = video_job_run(job=video_job_retry(job=bad, enqueue=False))
    assert retried.status == "done" and retried.attempts == 2


def test_only_failed_jobs_are_retried(shop_product):
    job = run_all(batch_create(product=shop_product("en"), count=1, enqueue=False))[0]
    with pytest.raises(CreativeError, match="only failed"):
        video_job_retry(job=job)


def test_a_job_delivered_twice_renders_once(shop_product):
    job = batch_create(product=shop_product("en"), count=1, enqueue=False)[0]
    video_job_run(job=job)
    first_video = VideoJob.objects.get(pk=job.pk).video.name

    again = video_job_run(job=job)

    assert again.attempts == 1 and again.video.name == first_video


def test_an_llm_failure_marks_the_job_failed_with_the_reason(shop_product, monkeypatch):
    from integrations.llm.base import LLMInvalidOutput

    class Broken:
        def analyze_product(self, brief):
            raise LLMInvalidOutput("the model's answer is invalid at hook.type: not a hook type")

    monkeypatch.setattr("creatives.services.products.llm_provider", lambda: Broken())
    job = video_job_run(job=batch_create(product=shop_product("en"), count=1, enqueue=False)[0])

    assert job.status == "failed" and "hook.type" in job.error


def test_a_broken_product_image_fails_the_render_cleanly(shop_product):
    product = shop_product("en")
    item = product.images.get()
    with open(item.image.path, "wb") as handle:
        handle.write(b"not an image")

    job = video_job_run(job=batch_create(product=product, count=1, enqueue=False)[0])

    assert job.status == "failed" and job.error and not job.video


def test_batch_sizes_are_checked(shop_product):
    with pytest.raises(CreativeError):
        batch_create(product=shop_product("en"), count=0)
    with pytest.raises(CreativeError):
        batch_create(product=shop_product("en"), count=2, size="100x100")
