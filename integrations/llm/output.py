"""Structured output: the JSON schemas sent to the model, and turning its answer into our models.

The answer is validated here, never trusted: local servers (Ollama, vLLM) may ignore `strict`.
Problems are raised as `OutputProblem`, whose message is fed back to the model on the retry.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from creatives.script import MAX_SCENE_S, MAX_SCENES, MIN_SCENE_S, CtaType, HookType, Script

from .schemas import Breakdown, ProductAnalysis, ScriptRequest, SlotRole, TemplateSlot, VariantRequest
from .text import CJK, shorten


class OutputProblem(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


class HookIdeasOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pain_point: str = Field(description="A pain-point hook: the viewer's problem, as a question")
    number: str = Field(description="A number hook: 'N reasons…', 'N seconds…'")
    suspense: str = Field(description="A suspense hook that makes the viewer wait for the reveal")
    contrast: str = Field(description="A before/after contrast hook")


class AnalysisOut(BaseModel):
    """The analysis as the model writes it: a dict of hook ideas cannot be a strict schema, an object can."""

    model_config = ConfigDict(extra="forbid")

    selling_points: list[str] = Field(min_length=3, max_length=6, description="Strongest first, each at most 60 characters")
    audience: str = Field(description="Who buys this, in one sentence")
    angle: str = Field(description="The single creative angle the ads should take")
    hook_ideas: HookIdeasOut


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in the subset OpenAI's strict mode accepts: every property required,
    no additional properties, no defaults, no string length keywords (moved into the description)."""
    schema = copy.deepcopy(model.model_json_schema())
    _strictify(schema)
    for definition in schema.get("$defs", {}).values():
        _strictify(definition)
    return schema


def _strictify(node: dict[str, Any]) -> None:
    if "$ref" in node:
        # Strict mode rejects siblings next to a $ref.
        for key in [key for key in node if key != "$ref"]:
            del node[key]
        return
    node.pop("default", None)
    node.pop("minLength", None)
    if "maxLength" in node:
        limit = f"at most {node.pop('maxLength')} characters"
        node["description"] = f"{node['description']} ({limit})" if node.get("description") else limit
    properties = node.get("properties")
    if node.get("type") == "object" or properties is not None:
        node["additionalProperties"] = False
        node["required"] = list(properties or {})
        for child in (properties or {}).values():
            _strictify(child)
    if isinstance(node.get("items"), dict):
        _strictify(node["items"])
    for child in node.get("anyOf", []):
        _strictify(child)


def script_schema(request: ScriptRequest) -> dict[str, Any]:
    """The Script schema narrowed to this request, so a strict server cannot answer off-brief."""
    schema = strict_schema(Script)
    defs, props = schema["$defs"], schema["properties"]
    defs["HookType"]["enum"] = [request.hook_type.value]
    if request.cta_type is not None:
        defs["CtaType"]["enum"] = [request.cta_type.value]
    props["language"]["enum"] = [request.language]
    props["scenes"]["minItems"], props["scenes"]["maxItems"] = _scene_range(request)
    image = defs["Scene"]["properties"]["image"]
    if request.brief.images:
        image["anyOf"][0]["maximum"] = len(request.brief.images) - 1
    else:
        image.pop("anyOf")
        image["type"] = "null"
    return schema


def _scene_range(request: ScriptRequest) -> tuple[int, int]:
    return max(1, request.n_scenes - 1), min(MAX_SCENES, request.n_scenes + 1)


def _problem(exc: ValidationError) -> OutputProblem:
    first = exc.errors()[0]
    if first["type"] == "json_invalid":
        return OutputProblem("", f"the answer is not valid JSON ({first['msg']})")
    field = ".".join(str(part) for part in first["loc"])
    return OutputProblem(field, first["msg"])


def analysis_from_answer(content: str, *, language: str) -> ProductAnalysis:
    try:
        out = AnalysisOut.model_validate_json(content)
        ideas = {HookType(kind): text.strip() for kind, text in out.hook_ideas.model_dump().items() if text.strip()}
        return ProductAnalysis(
            selling_points=out.selling_points, audience=out.audience, angle=out.angle, hook_ideas=ideas, language=language
        )
    except ValidationError as exc:
        raise _problem(exc) from exc


def script_from_answer(content: str, request: ScriptRequest) -> Script:
    try:
        script = Script.model_validate_json(content)
    except ValidationError as exc:
        raise _problem(exc) from exc
    return script_check(script, request)


def script_check(script: Script, request: ScriptRequest) -> Script:
    """Reject what a retry can fix (wrong hook, scene count, language); repair what we can do better
    ourselves (timing, image indexes, since models are poor at arithmetic)."""
    if script.hook.type != request.hook_type:
        raise OutputProblem("hook.type", f"must be {request.hook_type.value!r}, got {script.hook.type.value!r}")
    if request.cta_type is not None and script.cta.type != request.cta_type:
        raise OutputProblem("cta.type", f"must be {request.cta_type.value!r}, got {script.cta.type.value!r}")
    low, high = _scene_range(request)
    if not low <= len(script.scenes) <= high:
        raise OutputProblem("scenes", f"expected {request.n_scenes} scenes (±1), got {len(script.scenes)}")
    if request.language == "zh":
        # Only the sentences: a caption may fairly be just "USB-C" or a price.
        for field, text in [("hook.text", script.hook.text), ("cta.text", script.cta.text)]:
            if not CJK.search(text):
                raise OutputProblem(field, "must be written in Chinese")
    n_images = len(request.brief.images)
    durations = split_duration(request.target_duration_s, [scene.duration_s for scene in script.scenes])
    scenes = [
        scene.model_copy(update={
            "duration_s": duration,
            "image": scene.image if scene.image is not None and scene.image < n_images else None,
        })
        for scene, duration in zip(script.scenes, durations, strict=True)
    ]
    data = script.model_copy(update={"scenes": scenes, "language": request.language}).model_dump(mode="json")
    try:
        return Script.model_validate(data)
    except ValidationError as exc:
        # Only the re-timing can fail here: too few scenes to fill the target within the per-scene bounds.
        raise _problem(exc) from exc


def split_duration(total: float, weights: list[float]) -> list[float]:
    """Split `total` seconds in proportion to `weights`, rounded to 0.01 s, summing to `total` exactly
    (the video lasts the sum). Falls back to an even split if a share would leave the scene bounds."""
    if not weights:
        return []
    weight_sum = sum(weights)
    shares = [total * weight / weight_sum for weight in weights] if weight_sum > 0 else []
    if not shares or any(not MIN_SCENE_S <= share <= MAX_SCENE_S for share in shares):
        shares = [total / len(weights)] * len(weights)
    rounded = [round(share, 2) for share in shares[:-1]]
    return [*rounded, round(total - sum(rounded), 2)]


# --- breakdown (PRD 14.2) and variants (PRD 14.3) ------------------------------------------

class SlotOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: SlotRole
    purpose: str = Field(description="What this scene has to achieve, in one short sentence (at most 200 characters)")


class BreakdownOut(BaseModel):
    """The breakdown as the model writes it; the durations are measured by us, not asked for."""

    model_config = ConfigDict(extra="forbid")

    hook_type: HookType
    hook_reason: str = Field(description="What in the hook's wording makes it this type (at most 300 characters)")
    selling_point_order: list[str] = Field(description="The selling points in the order the script presents them")
    selling_point_logic: str = Field(description="Why the points come in this order (at most 500 characters)")
    cta_type: CtaType
    cta_style: str = Field(description="How the call to action asks, e.g. direct with the price (at most 200 characters)")
    pacing_style: str = Field(description="The rhythm of the scenes (at most 300 characters)")
    template: list[SlotOut] = Field(description="One slot per scene, in order: a reusable template of this script")


class VariantsOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variants: list[Script]


def breakdown_schema(script: Script) -> dict[str, Any]:
    schema = strict_schema(BreakdownOut)
    template = schema["properties"]["template"]
    template["minItems"] = template["maxItems"] = len(script.scenes)
    return schema


def breakdown_from_answer(content: str, script: Script) -> Breakdown:
    try:
        out = BreakdownOut.model_validate_json(content)
    except ValidationError as exc:
        raise _problem(exc) from exc
    n = len(script.scenes)
    if len(out.template) != n:
        raise OutputProblem("template", f"expected one slot per scene ({n}), got {len(out.template)}")
    if n > 1 and (out.template[0].role != "hook" or out.template[-1].role != "cta"):
        raise OutputProblem("template", "the first slot must be the hook and the last the cta")
    # Models are poor at arithmetic: the pacing is the script's own durations, measured here.
    durations = [scene.duration_s for scene in script.scenes]
    return Breakdown(
        hook_type=out.hook_type,
        hook_reason=shorten(out.hook_reason, 300) or "-",
        selling_point_order=[shorten(point, 80) for point in out.selling_point_order if point.strip()][:MAX_SCENES],
        selling_point_logic=shorten(out.selling_point_logic, 500) or "-",
        cta_type=out.cta_type,
        cta_style=shorten(out.cta_style, 200) or "-",
        pacing=durations,
        pacing_style=shorten(out.pacing_style, 300) or "-",
        template=[
            TemplateSlot(role=slot.role, duration_s=duration, purpose=shorten(slot.purpose, 200) or slot.role)
            for slot, duration in zip(out.template, durations, strict=True)
        ],
    )


def variants_schema(request: VariantRequest) -> dict[str, Any]:
    """Exactly `count` scripts of the winner's hook type, language and scene count."""
    schema = strict_schema(VariantsOut)
    defs = schema["$defs"]
    defs["HookType"]["enum"] = [request.breakdown.hook_type.value]
    script = defs["Script"]["properties"]
    script["language"]["enum"] = [request.script.language]
    script["scenes"]["minItems"] = script["scenes"]["maxItems"] = len(request.script.scenes)
    variants = schema["properties"]["variants"]
    variants["minItems"] = variants["maxItems"] = request.count
    image = defs["Scene"]["properties"]["image"]
    if request.brief.images:
        image["anyOf"][0]["maximum"] = len(request.brief.images) - 1
    else:
        image.pop("anyOf")
        image["type"] = "null"
    return schema


def _image(index: int | None, n_images: int) -> int | None:
    return index if index is not None and index < n_images else None


def variants_from_answer(content: str, request: VariantRequest) -> list[Script]:
    try:
        out = VariantsOut.model_validate_json(content)
    except ValidationError as exc:
        raise _problem(exc) from exc
    if len(out.variants) != request.count:
        raise OutputProblem("variants", f"expected {request.count} variants, got {len(out.variants)}")
    winner, breakdown = request.script, request.breakdown
    seen = {winner.hook.text.casefold()}
    n_images = len(request.brief.images)
    scripts = []
    for index, variant in enumerate(out.variants):
        where = f"variants.{index}"
        if variant.hook.type != breakdown.hook_type:
            raise OutputProblem(f"{where}.hook.type", f"must be {breakdown.hook_type.value!r}, got {variant.hook.type.value!r}")
        if len(variant.scenes) != len(winner.scenes):
            raise OutputProblem(f"{where}.scenes", f"expected {len(winner.scenes)} scenes, got {len(variant.scenes)}")
        if variant.hook.text.casefold() in seen:
            raise OutputProblem(f"{where}.hook.text", "must differ from the winner's hook and from the other variants' hooks")
        seen.add(variant.hook.text.casefold())
        # The winner's pacing, exactly; image indexes the product really has.
        scenes = [
            scene.model_copy(update={"duration_s": duration, "image": _image(scene.image, n_images)})
            for scene, duration in zip(variant.scenes, breakdown.pacing, strict=True)
        ]
        data = variant.model_copy(update={"scenes": scenes, "language": winner.language}).model_dump(mode="json")
        try:
            scripts.append(Script.model_validate(data))
        except ValidationError as exc:
            raise _problem(exc) from exc
    return scripts
