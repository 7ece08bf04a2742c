"""What goes into and comes out of a provider (pydantic, Django-free)."""

from __future__ import annotations

import base64
import mimetypes
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from creatives.script import LANGUAGES, MAX_SCENE_S, MAX_SCENES, MIN_SCENE_S, CtaType, HookType, Script

__all__ = [
    "Breakdown", "CtaType", "HookType", "ImageInput", "Language", "ProductAnalysis", "ProductBrief", "Script", "ScriptRequest",
    "TemplateSlot", "VariantRequest", "normalize_language",
]

Language = Literal["zh", "en"]


def normalize_language(value: object) -> object:
    """"zh-CN", "zh_Hans", "EN" → "zh" / "en" (the product's language field is free text)."""
    if isinstance(value, str):
        value = value.strip().lower().replace("_", "-").split("-")[0]
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
    return value


class ImageInput(BaseModel):
    """A product image as bytes, so the caller decides where images live (files, storage, S3)."""

    model_config = ConfigDict(frozen=True)

    data: bytes = Field(min_length=1, repr=False)
    mime: str = Field(default="image/png", pattern=r"^image/[\w.+-]+$")

    @classmethod
    def from_path(cls, path: str | Path) -> ImageInput:
        path = Path(path)
        return cls(data=path.read_bytes(), mime=mimetypes.guess_type(path.name)[0] or "image/png")

    def data_url(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


class ProductBrief(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    title: str = ""
    description: str = ""
    selling_points: list[str] = Field(default_factory=list)
    price: Decimal = Field(default=Decimal("0"), ge=0)
    currency: str = "USD"
    target_market: str = "US"
    language: Language = "en"
    images: list[ImageInput] = Field(default_factory=list)

    _language = field_validator("language", mode="before")(normalize_language)

    @field_validator("selling_points")
    @classmethod
    def _drop_blank_points(cls, points: list[str]) -> list[str]:
        return [point.strip() for point in points if point and point.strip()]


class ProductAnalysis(BaseModel):
    selling_points: list[str] = Field(min_length=3, max_length=6, description="Ranked, strongest first")
    audience: str = Field(min_length=1, max_length=300)
    angle: str = Field(min_length=1, max_length=300)
    hook_ideas: dict[HookType, str] = Field(default_factory=dict)
    language: Language = "en"

    _language = field_validator("language", mode="before")(normalize_language)

    @field_validator("selling_points")
    @classmethod
    def _short_points(cls, points: list[str]) -> list[str]:
        points = [point.strip() for point in points]
        for point in points:
            if not point or len(point) > 60:
                raise ValueError("each selling point must be 1 to 60 characters")
        return points


class ScriptRequest(BaseModel):
    brief: ProductBrief
    analysis: ProductAnalysis
    hook_type: HookType
    language: Language | None = Field(default=None, description="Defaults to the brief's language")
    target_duration_s: float = 15.0
    n_scenes: int = Field(default=4, ge=1, le=MAX_SCENES)
    cta_type: CtaType | None = None
    variation_seed: int = 0

    _language = field_validator("language", mode="before")(normalize_language)

    @model_validator(mode="after")
    def _consistent(self) -> ScriptRequest:
        if self.language is None:
            self.language = self.brief.language
        # Every scene must fit the script schema's per-scene bounds, or no valid script exists.
        low, high = self.n_scenes * MIN_SCENE_S, self.n_scenes * MAX_SCENE_S
        if not low <= self.target_duration_s <= high:
            raise ValueError(f"target_duration_s must be between {low:g} and {high:g} for {self.n_scenes} scenes")
        return self


SlotRole = Literal["hook", "selling_point", "demo", "cta"]


class TemplateSlot(BaseModel):
    """One scene of a reusable script template: what the scene is for and how long it lasts."""

    model_config = ConfigDict(extra="forbid")

    role: SlotRole
    duration_s: float = Field(ge=MIN_SCENE_S, le=MAX_SCENE_S)
    purpose: str = Field(min_length=1, max_length=200, description="What this scene has to achieve")


class Breakdown(BaseModel):
    """Why a winning script works (PRD 14.2): the hook, the order of the selling points and its
    logic, the call to action and the pacing, plus a template its variants follow."""

    model_config = ConfigDict(extra="forbid")

    hook_type: HookType
    hook_reason: str = Field(min_length=1, max_length=300, description="What in the hook text makes it this type")
    selling_point_order: list[str] = Field(max_length=MAX_SCENES, description="The selling points in the order the script presents them")
    selling_point_logic: str = Field(min_length=1, max_length=500, description="Why the points come in this order")
    cta_type: CtaType
    cta_style: str = Field(min_length=1, max_length=200)
    pacing: list[float] = Field(min_length=1, max_length=MAX_SCENES, description="Each scene's duration in seconds, in order")
    pacing_style: str = Field(min_length=1, max_length=300)
    template: list[TemplateSlot] = Field(min_length=1, max_length=MAX_SCENES)

    @model_validator(mode="after")
    def _one_slot_per_scene(self) -> Breakdown:
        if len(self.template) != len(self.pacing):
            raise ValueError(f"the template has {len(self.template)} slots for {len(self.pacing)} scenes")
        return self


MIN_VARIANTS, MAX_VARIANTS = 1, 5


class VariantRequest(BaseModel):
    """Variants of a winning script (PRD 14.3): the hook reworded, the selling points reordered and
    the call to action varied, each keeping the winner's hook type, scene count and pacing."""

    script: Script
    breakdown: Breakdown
    brief: ProductBrief
    count: int = Field(default=3, ge=MIN_VARIANTS, le=MAX_VARIANTS)
    seed: int = 0

    @model_validator(mode="after")
    def _breakdown_matches_script(self) -> VariantRequest:
        if len(self.breakdown.pacing) != len(self.script.scenes):
            raise ValueError("the breakdown does not describe this script (scene counts differ)")
        return self
