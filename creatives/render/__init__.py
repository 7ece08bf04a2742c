"""Render a script.json into a vertical ad: sources (images or clips) with motion, burned-in
hook/captions/CTA, background music and an offline voice-over, as one H.264/AAC MP4 + cover.

Django-free: everything comes in as arguments. Both video backends end here; Seedance's clips
arrive as ``sources`` exactly like product images do.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from creatives import media
from creatives.media import MediaError
from creatives.script import Script

from . import captions as captions_mod
from .compose import Shot, build_args, frame_counts, source_kind
from .fonts import font_files, pick_font
from .music import music_pick
from .runner import ffmpeg_run
from .tts import Voice, place, synthesize, tts_binary

__all__ = ["RenderResult", "render_script"]

VIDEO_NAME, COVER_NAME = "video.mp4", "cover.jpg"


@dataclass
class RenderResult:
    video: Path
    cover: Path
    duration_s: float
    width: int
    height: int
    has_voiceover: bool
    has_music: bool


def render_script(
    *,
    script: Script,
    sources: list[Path],
    out_dir: Path,
    size: tuple[int, int] = (720, 1280),
    font_dir: Path,
    music_dir: Path | None,
    voiceover: str = "auto",
    fps: int = 30,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
    timeout_s: float = 600,
    captions: bool = True,
) -> RenderResult:
    """Write ``out_dir/video.mp4`` and ``out_dir/cover.jpg`` atomically; raise MediaError on failure.

    Scene i shows ``sources[scene.image]`` when that index exists, else ``sources[i % len]``,
    else a gradient. ``voiceover`` is "auto" (when eSpeak is installed) or "off";
    ``captions=False`` leaves out all burned-in text.
    """
    width, height = (int(v) for v in size)
    if width < 16 or height < 16 or width % 2 or height % 2:
        raise MediaError(f"size must be even and at least 16x16 for yuv420p, got {width}x{height}")
    if not 10 <= fps <= 60:  # at 10 fps the shortest scene (0.5 s) still gets 5 frames
        raise MediaError(f"fps must be in [10, 60], got {fps}")
    if voiceover not in ("auto", "off"):
        raise MediaError(f"voiceover must be 'auto' or 'off', got {voiceover!r}")
    sources = [Path(source).resolve() for source in sources]
    for source in sources:
        source_kind(source)
        if not source.is_file():
            raise MediaError(f"no such source: {source}")

    reporter = _Progress(progress)
    deadline = time.monotonic() + timeout_s
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".render-", dir=out_dir))
    try:
        counts = frame_counts([scene.duration_s for scene in script.scenes], fps)
        starts = [sum(counts[:i]) for i in range(len(counts))]
        timings = [captions_mod.Timing(start / fps, (start + count) / fps) for start, count in zip(starts, counts, strict=True)]
        shots = [
            Shot(source=_source_for(sources, scene.image, i), frames=count, motion=seed + i, palette=seed * 3 + i)
            for i, (scene, count) in enumerate(zip(script.scenes, counts, strict=True))
        ]
        ass_file = _write_captions(work, script, timings, (width, height), font_dir) if captions else None
        music = music_pick(music_dir, seed=seed, timeout_s=max(10.0, deadline - time.monotonic()))
        reporter(3)
        voices = _voices(work, script, timings) if voiceover == "auto" else []
        reporter(5)

        video_tmp = work / VIDEO_NAME
        args = build_args(
            shots=shots, size=(width, height), fps=fps, seed=seed, ass_file=ass_file, fonts_dir="fonts",
            music=music, voices=voices, output=video_tmp,
        )
        duration_s = sum(counts) / fps
        ffmpeg_run(
            args, cwd=work, total_s=duration_s, on_progress=lambda share: reporter(5 + int(share * 90)),
            timeout_s=deadline - time.monotonic(),
        )
        if not video_tmp.is_file() or video_tmp.stat().st_size == 0:
            raise MediaError("ffmpeg wrote no video")
        # Mid first scene: the hook has faded in and the picture has started to move.
        cover_tmp = media.render_cover(
            video=video_tmp, path=work / COVER_NAME, at_s=timings[0].start_s + (timings[0].end_s - timings[0].start_s) / 2,
            timeout_s=max(10.0, deadline - time.monotonic()),
        )
        video_tmp.chmod(0o644)
        video, cover = out_dir / VIDEO_NAME, out_dir / COVER_NAME
        os.replace(cover_tmp, cover)
        os.replace(video_tmp, video)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    reporter(100)
    return RenderResult(
        video=video, cover=cover, duration_s=round(duration_s, 3), width=width, height=height,
        has_voiceover=bool(voices), has_music=music is not None,
    )


class _Progress:
    """Calls ``progress`` only with strictly increasing percentages."""

    def __init__(self, callback: Callable[[int], None] | None) -> None:
        self.callback, self.last = callback, -1
        self(0)

    def __call__(self, pct: int) -> None:
        pct = max(0, min(100, int(pct)))
        if self.callback is not None and pct > self.last:
            self.last = pct
            self.callback(pct)


def _source_for(sources: list[Path], image: int | None, index: int) -> Path | None:
    if not sources:
        return None
    if image is not None and 0 <= image < len(sources):
        return sources[image]
    return sources[index % len(sources)]


def _write_captions(work: Path, script: Script, timings, size: tuple[int, int], font_dir: Path | None) -> str:
    # libass gets a folder holding only the fonts (it warns about every other file) under a
    # relative name, so no path ever needs filter-graph escaping.
    fonts = work / "fonts"
    fonts.mkdir()
    for path in font_files(font_dir):
        try:
            (fonts / path.name).symlink_to(path.resolve())
        except OSError:
            shutil.copyfile(path, fonts / path.name)
    text = captions_mod.build_ass(
        hook=script.hook.text, captions=[scene.caption for scene in script.scenes], cta=script.cta.text,
        timings=timings, size=size, font=pick_font(font_dir),
    )
    (work / "captions.ass").write_text(text, encoding="utf-8")
    return "captions.ass"


def _voices(work: Path, script: Script, timings) -> list[Voice]:
    if tts_binary() is None:
        return []
    voices = []
    for index, (scene, timing) in enumerate(zip(script.scenes, timings, strict=True)):
        path = work / f"voice-{index}.wav"
        spoken = synthesize(text=scene.voiceover, language=script.language, path=path)
        if spoken:
            voices.append(place(path=path, spoken_s=spoken, scene_start_s=timing.start_s, scene_s=timing.end_s - timing.start_s))
    return voices
