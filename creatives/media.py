"""Video helpers around the ffmpeg binary shipped by the ``imageio-ffmpeg`` wheel.

Django-free on purpose: the video backends, the sandbox and the tests all call these.
There is no ffprobe binary in that wheel, so :func:`probe` runs ``ffmpeg -i FILE`` (which
exits 1 because no output is given) and parses the stream summary ffmpeg prints on stderr.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from pathlib import Path

__all__ = ["MediaError", "ffmpeg_exe", "ffmpeg_write", "md5_file", "probe", "render_cover", "render_demo_video"]


class MediaError(Exception):
    """ffmpeg failed, timed out, or the file is not a media file ffmpeg understands."""


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary (``IMAGEIO_FFMPEG_EXE`` overrides the bundled one)."""
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - it is a pinned runtime dependency
        raise MediaError("imageio-ffmpeg is not installed") from exc
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:  # no binary for this platform
        raise MediaError(str(exc)) from exc


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _run(args: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", *args]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        raise MediaError(f"ffmpeg timed out after {timeout:.0f}s\n{_tail(stderr)}") from None
    except OSError as exc:
        raise MediaError(f"cannot run ffmpeg: {exc}") from exc


def _atomic_output(path: Path) -> Path:
    """A temporary file beside ``path`` with the same suffix (so ffmpeg picks the right muxer)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    return Path(tmp)


def _finish(tmp: Path, path: Path, proc: subprocess.CompletedProcess[str], what: str) -> Path:
    if proc.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        raise MediaError(f"ffmpeg could not {what} (exit {proc.returncode})\n{_tail(proc.stderr)}")
    tmp.chmod(0o644)  # mkstemp creates 0600; media files are served by another process
    os.replace(tmp, path)
    return path


_COLOR_RE = re.compile(r"^(0x|#)?[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$|^[A-Za-z]{3,30}$")


def render_demo_video(
    *,
    path: Path,
    duration_s: float = 3.0,
    size: tuple[int, int] = (720, 1280),
    color: str = "0x3366cc",
    tone_hz: int = 440,
    timeout_s: float | None = None,
) -> Path:
    """Render a real H.264 (yuv420p) + AAC MP4 with moving content and a sine tone.

    The picture is a ``color`` background with two boxes sliding across it (no text, so no
    fonts are needed); the file is written with ``+faststart`` so players can stream it.
    The write is atomic: ``path`` either holds a complete video or is left untouched.
    """
    path = Path(path)
    width, height = (int(v) for v in size)
    if width < 16 or height < 16 or width % 2 or height % 2:
        raise MediaError(f"size must be even and at least 16x16 for yuv420p, got {width}x{height}")
    if not 0 < duration_s <= 600:
        raise MediaError(f"duration_s must be in (0, 600], got {duration_s}")
    if not _COLOR_RE.match(color):
        raise MediaError(f"color must be 0xRRGGBB, #RRGGBB or a colour name, got {color!r}")
    if not 20 <= int(tone_hz) <= 20000:
        raise MediaError(f"tone_hz must be in [20, 20000], got {tone_hz}")

    duration = f"{float(duration_s):.3f}"
    box = max(8, (min(width, height) // 5) // 2 * 2)
    small = max(8, (box // 2) // 2 * 2)
    graph = (
        f"color=c={color}:s={width}x{height}:r=30:d={duration}[bg];"
        f"color=c=white:s={box}x{box}:r=30:d={duration}[a];"
        f"color=c=0xffcc00:s={small}x{small}:r=30:d={duration}[b];"
        # box A sweeps left→right across the middle; box B bounces vertically.
        f"[bg][a]overlay=x='(W-w)*t/{duration}':y='(H-h)/2':shortest=1[v1];"
        f"[v1][b]overlay=x='(W-w)/2':y='(H-h)*abs(sin(t*2))':shortest=1,format=yuv420p[v];"
        f"sine=frequency={int(tone_hz)}:sample_rate=44100:duration={duration}[aud]"
    )
    tmp = _atomic_output(path)
    args = [
        "-y",
        "-filter_complex", graph,
        "-map", "[v]", "-map", "[aud]",
        "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", "-ac", "2",
        "-t", duration,
        "-movflags", "+faststart",
        "-f", "mp4",
        str(tmp),
    ]
    proc = _run(args, timeout=timeout_s or 60 + 10 * float(duration_s))
    return _finish(tmp, path, proc, "render the demo video")


def render_cover(*, video: Path, path: Path, at_s: float = 0.0, timeout_s: float = 60) -> Path:
    """Write the first frame of ``video`` (or the frame at ``at_s`` seconds) to ``path``.

    JPEG for .jpg/.jpeg, PNG for .png.
    """
    video, path = Path(video), Path(path)
    if not video.is_file():
        raise MediaError(f"no such video: {video}")
    if path.suffix.lower() not in (".jpg", ".jpeg", ".png"):
        raise MediaError(f"cover must be .jpg, .jpeg or .png, got {path.name}")
    tmp = _atomic_output(path)
    args = ["-y"]
    if at_s > 0:
        args += ["-ss", f"{float(at_s):.3f}"]
    args += ["-i", str(video), "-map", "0:v:0", "-frames:v", "1", "-update", "1"]
    if path.suffix.lower() != ".png":
        args += ["-q:v", "2"]
    args.append(str(tmp))
    proc = _run(args, timeout=timeout_s)
    return _finish(tmp, path, proc, f"extract a cover from {video.name}")


_DURATION_RE = re.compile(r"^\s*Duration:\s*(N/A|(\d+):(\d{2}):(\d{2}(?:\.\d+)?))", re.M)
_INPUT_RE = re.compile(r"^Input #0, (.+?), from ", re.M)
_STREAM_RE = re.compile(r"^\s*Stream #0:\d+\S*: (Video|Audio): (.+)$", re.M)
_SIZE_RE = re.compile(r"^(\d{1,5})x(\d{1,5})\b")
_FPS_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*fps$")


def _split_top(text: str) -> list[str]:
    """Split ffmpeg's stream summary on commas that are not inside parentheses."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def probe(path: Path, *, timeout_s: float = 30) -> dict:
    """Describe a media file, ffprobe-style, from ``ffmpeg -i`` output.

    Returns ``{"format", "duration_s", "video_codec", "width", "height", "pix_fmt", "fps",
    "audio_codec"}``; a codec is None when that kind of stream is absent, ``duration_s`` is None
    when ffmpeg reports N/A. Raises MediaError when the file is missing or not a media file.
    """
    path = Path(path)
    if not path.is_file():
        raise MediaError(f"no such file: {path}")
    proc = _run(["-i", str(path)], timeout=timeout_s)
    err = proc.stderr
    header = _INPUT_RE.search(err)
    streams = _STREAM_RE.findall(err)
    if header is None or not streams:
        raise MediaError(f"not a media file: {path.name}\n{_tail(err, 5)}")

    info: dict = {
        "format": header.group(1),
        "duration_s": None,
        "video_codec": None,
        "width": None,
        "height": None,
        "pix_fmt": None,
        "fps": None,
        "audio_codec": None,
    }
    duration = _DURATION_RE.search(err)
    if duration and duration.group(1) != "N/A":
        hours, minutes, seconds = duration.group(2, 3, 4)
        info["duration_s"] = int(hours) * 3600 + int(minutes) * 60 + float(seconds)

    for kind, summary in streams:
        parts = _split_top(summary)
        codec = parts[0].split()[0] if parts else None
        if kind == "Video" and info["video_codec"] is None:
            info["video_codec"] = codec
            if len(parts) > 1:
                info["pix_fmt"] = parts[1].split("(")[0].strip() or None
            for part in parts[1:]:
                size = _SIZE_RE.match(part)
                if size and info["width"] is None:
                    info["width"], info["height"] = int(size.group(1)), int(size.group(2))
                fps = _FPS_RE.match(part)
                if fps:
                    info["fps"] = float(fps.group(1))
        elif kind == "Audio" and info["audio_codec"] is None:
            info["audio_codec"] = codec

    return info


def md5_file(path: Path, *, chunk_size: int = 1024 * 1024) -> str:
    """Hex MD5 of a file, read in chunks (TikTok's upload API asks for ``video_signature``)."""
    digest = hashlib.md5()  # noqa: S324 - a checksum the API requires, not a security hash
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ffmpeg_write(*, path: Path, args: list[str], what: str, timeout_s: float = 120) -> Path:
    """Run ffmpeg with ``args`` (inputs, filters, codecs: everything but the output) into ``path``.

    Atomic like the renders above: ``path`` either holds ffmpeg's complete output or is untouched.
    """
    path = Path(path)
    tmp = _atomic_output(path)
    proc = _run(["-y", *args, str(tmp)], timeout=timeout_s)
    return _finish(tmp, path, proc, what)
