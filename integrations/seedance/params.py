"""The create call's `content`, checked against Ark's documented values before it is sent,
so a bad parameter costs no HTTP call (and no generation)."""

from __future__ import annotations

import base64

from .errors import Permanent

RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive")
RESOLUTIONS = ("480p", "720p", "1080p")
# Seedance 1.0 renders 5 or 10 s; newer models take any whole number of seconds from 2 to 12.
DURATIONS_1_0 = (5, 10)
DURATIONS_NEWER = tuple(range(2, 13))
IMAGE_MIMES = ("image/jpeg", "image/png", "image/webp", "image/bmp", "image/tiff", "image/gif")
MAX_IMAGE_BYTES = 30 * 1024 * 1024


def allowed_durations(model: str) -> tuple[int, ...]:
    # An endpoint id ("ep-…") hides which model it serves, so it gets the wider range.
    return DURATIONS_1_0 if model.startswith("doubao-seedance-1-0-") else DURATIONS_NEWER


def _flag(value: bool) -> str:
    return "true" if value else "false"


def build_content(
    *,
    model: str,
    prompt: str,
    image: bytes | None,
    image_mime: str,
    ratio: str,
    resolution: str,
    duration: int,
    seed: int | None,
    camera_fixed: bool,
    watermark: bool,
) -> list[dict]:
    """The `content` list: a text part (prompt + `--` commands) and, with an image, the
    first frame as a data: URL. Raises Permanent for a value Ark would refuse."""
    if not model:
        raise Permanent("model is required")
    if not prompt.strip():
        raise Permanent("prompt is empty")
    if ratio not in RATIOS:
        raise Permanent(f"ratio {ratio!r} is not one of {', '.join(RATIOS)}")
    if ratio == "adaptive" and image is None:
        raise Permanent("ratio 'adaptive' takes its shape from the first frame: give an image")
    if resolution not in RESOLUTIONS:
        raise Permanent(f"resolution {resolution!r} is not one of {', '.join(RESOLUTIONS)}")
    durations = allowed_durations(model)
    if isinstance(duration, bool) or duration not in durations:
        raise Permanent(f"duration {duration!r} is not allowed for {model}: use one of {list(durations)}")
    commands = f"--ratio {ratio} --resolution {resolution} --duration {duration}"
    commands += f" --camerafixed {_flag(camera_fixed)} --watermark {_flag(watermark)}"
    if seed is not None:
        commands += f" --seed {int(seed)}"
    content: list[dict] = [{"type": "text", "text": f"{prompt.strip()} {commands}"}]
    if image is not None:
        if image_mime not in IMAGE_MIMES:
            raise Permanent(f"image_mime {image_mime!r} is not one of {', '.join(IMAGE_MIMES)}")
        if not image or len(image) >= MAX_IMAGE_BYTES:
            raise Permanent(f"the image must be between 1 byte and 30 MB, got {len(image)} bytes")
        data_url = f"data:{image_mime};base64,{base64.b64encode(image).decode('ascii')}"
        content.append({"type": "image_url", "image_url": {"url": data_url}, "role": "first_frame"})
    return content
