"""The create body, checked as Ark checks it: the model, a text part whose `--` commands
carry ratio/resolution/duration/…, and optional image parts. Refusals name the field."""

import base64
import binascii
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from creatives.media import MediaError, probe

from .api import bad

MODEL_PREFIXES = ("doubao-seedance-", "ep-")
RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive")
RESOLUTIONS = ("480p", "720p", "1080p")
DURATIONS_1_0 = (5, 10)
DURATIONS_NEWER = tuple(range(2, 13))
ROLES = ("first_frame", "last_frame", "reference_image")
MAX_REFERENCE_IMAGES = 4
IMAGE_TYPES = {"jpeg": "jpg", "jpg": "jpg", "png": "png", "webp": "webp", "bmp": "bmp", "tiff": "tiff", "gif": "gif"}
MAX_IMAGE_BYTES = 30 * 1024 * 1024
IMAGE_SIDE = (300, 6000)
IMAGE_ASPECT = (0.4, 2.5)
# "--dur" and "--framepersecond" are aliases seen in client code, unconfirmed by Ark's docs.
COMMAND_ALIASES = {"dur": "duration", "framepersecond": "fps"}
COMMANDS = {"ratio", "resolution", "duration", "camerafixed", "watermark", "seed", "fps"}
_COMMAND_RE = re.compile(r"(?:^|\s)--([a-z]+)\s+(\S+)")
_DATA_URL_RE = re.compile(r"^data:image/([a-z]+);base64,(.*)$", re.S)


@dataclass
class Spec:
    model: str
    prompt: str
    ratio: str = "16:9"
    resolution: str = "720p"
    duration: int = 5
    seed: int | None = None
    camera_fixed: bool = False
    watermark: bool = False
    first_frame: tuple[bytes, str] | None = None  # (bytes, file extension)
    first_frame_size: tuple[int, int] | None = None
    images: list[dict] = field(default_factory=list)

    def as_params(self) -> dict:
        keys = ("ratio", "resolution", "duration", "seed", "camera_fixed", "watermark", "images", "first_frame_size")
        return {key: getattr(self, key) for key in keys}


def parse_spec(body: dict) -> Spec:
    model = body.get("model")
    if not isinstance(model, str) or not model.startswith(MODEL_PREFIXES):
        raise bad("model", f"{model!r} is not a Seedance model or an endpoint id (ep-…)")
    content = body.get("content")
    if not isinstance(content, list) or not content:
        raise bad("content", "must be a non-empty list")
    texts = [part for part in content if isinstance(part, dict) and part.get("type") == "text"]
    if len(texts) != 1 or not isinstance(texts[0].get("text"), str):
        raise bad("content", "must have exactly one part of type text")
    spec = Spec(model=model, prompt="")
    _apply_commands(spec, texts[0]["text"])
    for index, part in enumerate(content):
        if part not in texts:
            _image_part(spec, part, f"content[{index}]")
    roles = [image["role"] for image in spec.images]
    if roles.count("first_frame") > 1 or roles.count("last_frame") > 1:
        raise bad("content.role", "at most one first_frame and one last_frame")
    if roles.count("reference_image") > MAX_REFERENCE_IMAGES:
        raise bad("content.role", f"at most {MAX_REFERENCE_IMAGES} reference images")
    if spec.ratio == "adaptive" and spec.first_frame is None:
        raise bad("ratio", "adaptive needs a first_frame image given as a data URL in this sandbox")
    return spec


def _apply_commands(spec: Spec, text: str) -> None:
    for raw_name, value in _COMMAND_RE.findall(text):
        name = COMMAND_ALIASES.get(raw_name, raw_name)
        if name not in COMMANDS:
            continue  # not a command we know: it stays part of the prompt
        where = f"content.text --{raw_name}"
        if name == "ratio":
            spec.ratio = _choice(where, value, RATIOS)
        elif name == "resolution":
            spec.resolution = _choice(where, value, RESOLUTIONS)
        elif name == "duration":
            allowed = DURATIONS_1_0 if spec.model.startswith("doubao-seedance-1-0-") else DURATIONS_NEWER
            spec.duration = int(_choice(where, value, [str(d) for d in allowed]))
        elif name in ("camerafixed", "watermark"):
            flag = _choice(where, value, ("true", "false")) == "true"
            setattr(spec, "camera_fixed" if name == "camerafixed" else "watermark", flag)
        elif name == "seed":
            if not re.fullmatch(r"-?\d+", value):
                raise bad(where, f"{value!r} is not an integer")
            spec.seed = int(value)
    spec.prompt = " ".join(_COMMAND_RE.sub(_keep_unknown, text).split())
    if not spec.prompt:
        raise bad("content.text", "the prompt is empty")


def _keep_unknown(match: re.Match) -> str:
    name = COMMAND_ALIASES.get(match.group(1), match.group(1))
    return " " if name in COMMANDS else match.group(0)


def _choice(where: str, value: str, allowed) -> str:
    if value not in allowed:
        raise bad(where, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _image_part(spec: Spec, part, where: str) -> None:
    if not isinstance(part, dict) or part.get("type") != "image_url":
        raise bad(f"{where}.type", "must be text or image_url")
    image_url = part.get("image_url")
    url = image_url.get("url") if isinstance(image_url, dict) else None
    role = part.get("role")
    if role not in ROLES:
        raise bad(f"{where}.role", f"{role!r} is not one of {', '.join(ROLES)}")
    if not isinstance(url, str) or not url.startswith(("data:", "http://", "https://")):
        raise bad(f"{where}.image_url.url", "must be a data: URL or an http(s) URL")
    spec.images.append({"role": role, "source": "data" if url.startswith("data:") else "url"})
    # An http(s) image is accepted but never fetched: the sandbox makes no outbound calls.
    if url.startswith("data:"):
        image = _decode_image(url, f"{where}.image_url.url")
        size = _image_size(*image, where=f"{where}.image_url.url")
        if role == "first_frame":
            spec.first_frame, spec.first_frame_size = image, size


def _decode_image(url: str, where: str) -> tuple[bytes, str]:
    match = _DATA_URL_RE.match(url)
    if not match or match.group(1) not in IMAGE_TYPES:
        raise bad(where, f"must be data:image/<{'|'.join(IMAGE_TYPES)}>;base64,…")
    try:
        data = base64.b64decode(match.group(2), validate=True)
    except (binascii.Error, ValueError):
        raise bad(where, "the base64 payload is invalid") from None
    if not data or len(data) >= MAX_IMAGE_BYTES:
        raise bad(where, "the image must be under 30 MB")
    return data, IMAGE_TYPES[match.group(1)]


def _image_size(data: bytes, ext: str, *, where: str) -> tuple[int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"image.{ext}"
        path.write_bytes(data)
        try:
            info = probe(path)
        except MediaError:
            raise bad(where, "the data is not an image") from None
    width, height = info["width"], info["height"]
    if not width or not height:
        raise bad(where, "the data is not an image")
    if not all(IMAGE_SIDE[0] <= side <= IMAGE_SIDE[1] for side in (width, height)):
        raise bad(where, f"each side must be {IMAGE_SIDE[0]}–{IMAGE_SIDE[1]} px, got {width}x{height}")
    if not IMAGE_ASPECT[0] <= width / height <= IMAGE_ASPECT[1]:
        raise bad(where, f"the aspect ratio must be {IMAGE_ASPECT[0]}–{IMAGE_ASPECT[1]}, got {width}x{height}")
    return width, height
