import pytest
from pydantic import ValidationError

from creatives.script import CtaType, HookType
from integrations.llm.output import AnalysisOut, script_schema, split_duration, strict_schema
from integrations.llm.schemas import ImageInput, ProductBrief, ScriptRequest


def _objects(node):
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


def _keys(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            if key != "properties":
                yield from _keys(value)
            else:
                for child in value.values():
                    yield from _keys(child)
    elif isinstance(node, list):
        for value in node:
            yield from _keys(value)


@pytest.mark.parametrize("schema", [strict_schema(AnalysisOut), "script"])
def test_strict_schemas_require_every_property_and_forbid_extras(schema, script_request):
    schema = script_schema(script_request) if schema == "script" else schema
    objects = list(_objects(schema))

    assert objects
    for node in objects:
        assert node["additionalProperties"] is False
        assert node["required"] == list(node["properties"])
    assert not {"default", "minLength", "maxLength"} & set(_keys(schema))


def test_script_schema_is_narrowed_to_the_request(script_request):
    schema = script_schema(script_request.model_copy(update={"cta_type": CtaType.LEARN_MORE, "n_scenes": 5}))

    assert schema["$defs"]["HookType"]["enum"] == ["number"]
    assert schema["$defs"]["CtaType"]["enum"] == ["learn_more"]
    assert (schema["properties"]["scenes"]["minItems"], schema["properties"]["scenes"]["maxItems"]) == (4, 6)
    assert schema["$defs"]["Scene"]["properties"]["image"]["anyOf"][0]["maximum"] == 1
    assert "at most 80 characters" in schema["$defs"]["Scene"]["properties"]["caption"]["description"]


def test_brief_normalizes_language_and_price():
    brief = ProductBrief(name="Mug", language="zh-CN", price=9.5)

    assert brief.language == "zh" and str(brief.price) == "9.5"
    with pytest.raises(ValidationError):
        ProductBrief(name="Mug", language="fr")


def test_image_input_makes_a_data_url_and_reads_a_path(tmp_path):
    path = tmp_path / "front.jpg"
    path.write_bytes(b"abc")

    image = ImageInput.from_path(path)

    assert image.mime == "image/jpeg"
    assert image.data_url() == "data:image/jpeg;base64,YWJj"
    assert "abc" not in repr(image)


def test_script_request_defaults_to_the_brief_language(brief_zh, analysis):
    request = ScriptRequest(brief=brief_zh, analysis=analysis, hook_type=HookType.CONTRAST)

    assert request.language == "zh" and request.target_duration_s == 15 and request.n_scenes == 4


def test_script_request_rejects_a_duration_no_scene_split_can_meet(brief, analysis):
    with pytest.raises(ValidationError, match="target_duration_s"):
        ScriptRequest(brief=brief, analysis=analysis, hook_type="number", n_scenes=2, target_duration_s=45)


def test_split_duration_keeps_proportions_and_sums_exactly():
    parts = split_duration(10, [1, 1, 1])

    assert parts == [3.33, 3.33, 3.34]
    assert split_duration(15, [0.8, 1, 1, 1]) == [3.16, 3.95, 3.95, 3.94]
