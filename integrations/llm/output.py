"""Structured output: the JSON schemas sent to the model, and turning its answer into our models.

The answer is validated here, never trusted: local servers (Ollama, vLLM) may ignore `strict`.
Problems are raised as `OutputProblem`, whose message is fed back to the model on the retry.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from creatives.script import MAX_SCENE_S, MAX_SCENES, MIN_SCENE_S, HookType, Script

from .schemas import ProductAnalysis, ScriptRequest
from .text import CJK


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
