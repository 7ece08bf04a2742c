"""The sandbox's "generation": a real H.264 MP4 of the requested shape and length.

Text-to-video is creatives.media's demo clip in a colour derived from the prompt; with a
first frame, the image fills the frame and slowly zooms in (still when camerafixed).
"""

import hashlib
import os
import subprocess
import tempfile
from pathlib import Path

from creatives.media import MediaError, ffmpeg_exe, render_demo_video

FPS = 30
SHORT_SIDE = {"480p": 480, "720p": 720, "1080p": 1080}
RATIOS = {"16:9": (16, 9), "4:3": (4, 3), "1:1": (1, 1), "3:4": (3, 4), "9:16": (9, 16), "21:9": (21, 9)}
ZOOM = 0.15  # how much closer the last frame is than the first


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def frame_size(ratio: str, resolution: str, image_size: tuple[int, int] | None = None) -> tuple[int, int]:
    """(width, height): the short side is the resolution's, e.g. 720x1280 for 9:16 at 720p.
    `adaptive` follows the first frame's shape."""
    short = SHORT_SIDE[resolution]
    across, down = image_size if ratio == "adaptive" and image_size else RATIOS.get(ratio, (9, 16))
    if across >= down:
        return _even(short * across / down), short
    return short, _even(short * down / across)


def prompt_colour(prompt: str) -> str:
    return "0x" + hashlib.sha256(prompt.encode()).hexdigest()[:6]


def render_clip(*, path: Path, size: tuple[int, int], duration: int, prompt: str, first_frame: Path | None, zoom: bool) -> Path:
    if first_frame is None:
        return render_demo_video(path=path, duration_s=duration, size=size, color=prompt_colour(prompt))
    width, height = size
    frames = duration * FPS
    scale = f"1+{ZOOM}*on/{frames}" if zoom else "1"
    graph = (
        f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},setsar=1,"
        f"zoompan=z='{scale}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s={width}x{height}:fps={FPS},format=yuv420p"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".mp4", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    cmd = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loop", "1", "-framerate", str(FPS), "-i", str(first_frame),
        "-vf", graph, "-frames:v", str(frames), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
        "-movflags", "+faststart", "-f", "mp4", str(tmp),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=60 + 15 * duration, check=False)
        if proc.returncode != 0 or tmp.stat().st_size == 0:
            raise MediaError(f"ffmpeg could not animate the first frame (exit {proc.returncode}): {proc.stderr[-500:]}")
        tmp.chmod(0o644)
        os.replace(tmp, path)
    except subprocess.TimeoutExpired:
        raise MediaError("ffmpeg timed out animating the first frame") from None
    finally:
        tmp.unlink(missing_ok=True)
    return path
