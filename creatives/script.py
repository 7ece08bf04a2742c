"""script.json: the contract between the LLM layer, the video backends and the optimizer.

Django-free (pydantic only), so integrations may import it. A script is
    hook  (type, text)                     shown over the first scene
    scenes[] (duration_s, visual, image, caption, voiceover)
    cta   (type, text)                     shown over the last scene
    language, ad_text
and its video lasts exactly the sum of the scenes' durations.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class HookType(StrEnum):
    PAIN_POINT = "pain_point"  # 痛点型
    NUMBER = "number"  # 数字型
    SUSPENSE = "suspense"  # 悬念型
    CONTRAST = "contrast"  # 对比型


class CtaType(StrEnum):
    SHOP_NOW = "shop_now"
    LIMITED_OFFER = "limited_offer"
    SOCIAL_PROOF = "social_proof"
    LEARN_MORE = "learn_more"


LANGUAGES = ("zh", "en")
MIN_SCENE_S = 0.5
MAX_SCENE_S = 15.0
MAX_SCENES = 12


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Hook(_Strict):
    type: HookType
    text: str = Field(min_length=1, max_length=120)


class Scene(_Strict):
    duration_s: float = Field(ge=MIN_SCENE_S, le=MAX_SCENE_S)
    visual: str = Field(min_length=1, max_length=300, description="What the picture shows")
    image: int | None = Field(default=None, ge=0, description="Index into the product's images; none = the renderer chooses")
    caption: str = Field(min_length=1, max_length=80, description="Burned-in subtitle")
    voiceover: str = Field(default="", max_length=300)


class Cta(_Strict):
    type: CtaType
    text: str = Field(min_length=1, max_length=60)


class Script(_Strict):
    language: str
    hook: Hook
    scenes: list[Scene] = Field(min_length=1, max_length=MAX_SCENES)
    cta: Cta
    ad_text: str = Field(default="", max_length=100, description="The ad's text on TikTok")

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        value = value.lower().replace("_", "-").split("-")[0]
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value

    @property
    def duration_s(self) -> float:
        return round(sum(scene.duration_s for scene in self.scenes), 3)


class ScriptError(ValueError):
    """A script that does not match the schema; the message names the first bad field."""


def script_parse(data: Any) -> Script:
    try:
        if isinstance(data, str | bytes):
            return Script.model_validate_json(data)
        return Script.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "script"
        raise ScriptError(f"script.json is invalid at {where}: {first['msg']}") from exc
