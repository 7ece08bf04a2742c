"""The two video backends behind one call. Both end in the same ffmpeg composition (captions,
music, voice-over): ffmpeg animates the product images; Seedance first generates one AI clip
per scene (Volcengine Ark task API) and the composition cuts them to the script."""

from __future__ import annotations

import math
from pathlib import Path

from django.conf import settings

from creatives.models import VideoJob
from creatives.render import RenderResult, render_script
from creatives.script import Script

from .providers import seedance_client

# Seedance 1.0 generates 5 s or 10 s clips; longer scenes are cut from a 10 s clip.
SEEDANCE_DURATIONS = (5, 10)


def render_job(*, job: VideoJob, script: Script, out_dir: Path, progress) -> RenderResult:
    width, height = (int(part) for part in job.size.split("x"))
    images = [Path(item.image.path) for item in job.product.images.all()]
    if job.backend == VideoJob.Backend.SEEDANCE:
        sources = _seedance_clips(job=job, script=script, images=images, out_dir=out_dir, progress=progress)
        # Scene i plays clip i.
        script = script.model_copy(update={"scenes": [s.model_copy(update={"image": i}) for i, s in enumerate(script.scenes)]})
        compose_progress = lambda pct: progress(50 + pct // 2)  # noqa: E731
    else:
        sources = images
        compose_progress = progress
    return render_script(
        script=script,
        sources=sources,
        out_dir=out_dir,
        size=(width, height),
        font_dir=settings.FONT_DIR,
        music_dir=settings.MUSIC_DIR,
        voiceover=settings.VOICEOVER,
        seed=job.variation_seed + job.pk,
        progress=compose_progress,
    )


def _seedance_clips(*, job: VideoJob, script: Script, images: list[Path], out_dir: Path, progress) -> list[Path]:
    client = seedance_client()
    resolution = "1080p" if job.size == "1080x1920" else "720p"
    clips = []
    for index, scene in enumerate(script.scenes):
        duration = next((d for d in SEEDANCE_DURATIONS if d >= math.ceil(scene.duration_s)), SEEDANCE_DURATIONS[-1])
        image_path = images[scene.image if scene.image is not None and scene.image < len(images) else index % len(images)] if images else None
        prompt = f"{job.product.name}: {scene.visual}. Vertical product video, smooth camera motion, no text."
        clips.append(
            client.generate_clip(
                model=settings.SEEDANCE_MODEL,
                prompt=prompt,
                image=image_path.read_bytes() if image_path else None,
                duration=duration,
                dest=out_dir / f"clip-{index}.mp4",
                poll_seconds=settings.SEEDANCE_POLL_SECONDS,
                max_wait_seconds=settings.SEEDANCE_MAX_WAIT_SECONDS,
                resolution=resolution,
            )
        )
        progress((index + 1) * 50 // len(script.scenes))
    return clips
