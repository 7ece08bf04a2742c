"""A video job from queued to rendered: script (LLM or given) → validated → rendered → stored.

Jobs are claimed with a conditional UPDATE, so a task delivered twice renders once. Any
failure marks only that job failed with a message a person can act on; a failed job is
retried alone with `video_job_retry`.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from adloop.background import enqueue
from creatives.errors import CreativeError
from creatives.media import MediaError
from creatives.models import Product, VideoJob
from creatives.script import HookType, Script, ScriptError, script_parse
from integrations.llm.base import LLMError
from integrations.llm.schemas import ScriptRequest
from integrations.seedance.errors import SeedanceError

from .backends import render_job
from .products import product_analysis_ensure, product_brief
from .providers import llm_provider

log = logging.getLogger(__name__)

HOOK_ROTATION = [HookType.PAIN_POINT, HookType.NUMBER, HookType.SUSPENSE, HookType.CONTRAST]
MAX_BATCH = 20
# Failures that belong to the job (bad script, model output, render, remote video service).
JOB_ERRORS = (ScriptError, LLMError, MediaError, SeedanceError)


def batch_create(
    *, product: Product, count: int, backend: str = "", language: str = "", size: str = "", enqueue: bool = True
) -> list[VideoJob]:
    """N queued jobs for one product, each with its own hook type and variation, rendered by
    Celery workers in parallel once the transaction commits."""
    if not 1 <= count <= MAX_BATCH:
        raise CreativeError(_("a batch holds 1 to %(max)d videos, not %(count)d") % {"max": MAX_BATCH, "count": count})
    backend = backend or settings.VIDEO_BACKEND
    if backend not in VideoJob.Backend.values or backend == VideoJob.Backend.UPLOAD:
        raise CreativeError(_("unknown video backend %(backend)r") % {"backend": backend})
    size = size or settings.VIDEO_SIZE
    if size not in ("720x1280", "1080x1920"):
        raise CreativeError(_("video size must be 720x1280 or 1080x1920, not %(size)r") % {"size": size})
    batch_id = f"batch-{uuid.uuid4().hex[:12]}"
    with transaction.atomic():
        jobs = [
            VideoJob.objects.create(
                product=product, batch_id=batch_id, backend=backend, language=language or product.language, size=size,
                hook_type=HOOK_ROTATION[index % len(HOOK_ROTATION)], variation_seed=index,
            )
            for index in range(count)
        ]
        if enqueue:
            transaction.on_commit(lambda: _enqueue(jobs))
    return jobs


def variant_batch_create(
    *, parent: VideoJob, scripts: list[Script], batch_id: str = "", backend: str = "", enqueue: bool = True
) -> list[VideoJob]:
    """One queued job per given script, each a variant of `parent` (same product, size and
    backend, unless `backend` says otherwise), rendered as one batch like `batch_create`'s."""
    if not 1 <= len(scripts) <= MAX_BATCH:
        raise CreativeError(_("a batch holds 1 to %(max)d videos, not %(count)d") % {"max": MAX_BATCH, "count": len(scripts)})
    backend = backend or (parent.backend if parent.backend != VideoJob.Backend.UPLOAD else settings.VIDEO_BACKEND)
    if backend not in VideoJob.Backend.values or backend == VideoJob.Backend.UPLOAD:
        raise CreativeError(_("unknown video backend %(backend)r") % {"backend": backend})
    # Validated here too: a job's script is what the renderer trusts without asking again.
    scripts = [script_parse(script.model_dump(mode="json")) for script in scripts]
    batch_id = batch_id or f"batch-{uuid.uuid4().hex[:12]}"
    with transaction.atomic():
        jobs = [
            VideoJob.objects.create(
                product_id=parent.product_id, parent=parent, batch_id=batch_id, backend=backend, language=script.language,
                size=parent.size or settings.VIDEO_SIZE, hook_type=script.hook.type.value, variation_seed=index,
                script=script.model_dump(mode="json"),
            )
            for index, script in enumerate(scripts)
        ]
        if enqueue:
            transaction.on_commit(lambda: _enqueue(jobs))
    return jobs


def _enqueue(jobs: list[VideoJob]) -> None:
    from creatives.tasks import video_job_run_task

    for job in jobs:
        enqueue(video_job_run_task, job.pk)


def video_job_retry(*, job: VideoJob, enqueue: bool = True) -> VideoJob:
    """Put one failed job back in the queue; the others of its batch are untouched."""
    updated = VideoJob.objects.filter(pk=job.pk, status=VideoJob.Status.FAILED).update(
        status=VideoJob.Status.QUEUED, error="", progress=0
    )
    if not updated:
        raise CreativeError(
            _("job %(job)s is %(status)s, only failed jobs are retried") % {"job": job.job_id, "status": job.get_status_display()}
        )
    job.refresh_from_db()
    if enqueue:
        transaction.on_commit(lambda: _enqueue([job]))
    return job


def video_job_run(*, job: VideoJob) -> VideoJob:
    claimed = VideoJob.objects.filter(pk=job.pk, status=VideoJob.Status.QUEUED).update(
        status=VideoJob.Status.RUNNING, progress=1, started_at=timezone.now(), attempts=F("attempts") + 1, error=""
    )
    if claimed != 1:
        job.refresh_from_db()
        return job  # already running elsewhere, done, or failed: nothing to do
    job.refresh_from_db()
    workdir = Path(tempfile.mkdtemp(prefix=f"job-{job.pk}-"))
    try:
        script = _script_for(job)
        _progress(job, 20)
        result = render_job(job=job, script=script, out_dir=workdir, progress=lambda pct: _progress(job, 20 + pct * 3 // 4))
        with open(result.video, "rb") as video, open(result.cover, "rb") as cover:
            job.video.save(f"{job.job_id}.mp4", File(video), save=False)
            job.cover.save(f"{job.job_id}.jpg", File(cover), save=False)
        job.duration_s = result.duration_s
        job.has_voiceover = result.has_voiceover
        job.status = VideoJob.Status.DONE
        job.progress = 100
        job.finished_at = timezone.now()
        job.save()
    except JOB_ERRORS as exc:
        _fail(job, str(exc))
    except Exception as exc:
        # A bug, not the job's fault: the job shows it, and the worker logs the traceback.
        _fail(job, _("internal error: %(type)s: %(error)s") % {"type": type(exc).__name__, "error": exc})
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return job


def _script_for(job: VideoJob):
    """The job's own script when it has one (variants, edited scripts), else a new one."""
    if job.script:
        return script_parse(job.script)
    product = job.product
    analysis = product_analysis_ensure(product=product)
    _progress(job, 10)
    request = ScriptRequest(
        brief=product_brief(product), analysis=analysis, hook_type=HookType(job.hook_type or HookType.PAIN_POINT),
        language=job.language or product.language, variation_seed=job.variation_seed,
        target_duration_s=settings.VIDEO_TARGET_SECONDS,
    )
    script = llm_provider().write_script(request)
    # Validate what the model returned against our schema before anything renders it.
    script = script_parse(script.model_dump(mode="json"))
    job.script = script.model_dump(mode="json")
    VideoJob.objects.filter(pk=job.pk).update(script=job.script)
    return script


def _progress(job: VideoJob, pct: int) -> None:
    pct = max(0, min(99, int(pct)))
    if pct >= job.progress + 5 or pct == 99:
        VideoJob.objects.filter(pk=job.pk, status=VideoJob.Status.RUNNING).update(progress=pct)
        job.progress = pct


def _fail(job: VideoJob, message: str) -> None:
    log.warning("video job %s failed: %s", job.job_id, message)
    VideoJob.objects.filter(pk=job.pk).update(status=VideoJob.Status.FAILED, error=message[:4000], finished_at=timezone.now())
    job.refresh_from_db()
