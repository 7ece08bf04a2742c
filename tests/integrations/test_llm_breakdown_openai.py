"""The OpenAI provider's breakdown and variants: strict structured output over a fake
OpenAI-compatible server at the SDK's HTTP boundary."""

import copy
import json
from decimal import Decimal

import pytest

from creatives.script import HookType, Script, script_parse
from integrations.llm.base import LLMInvalidOutput, LLMRateLimited, LLMUnavailable
from integrations.llm.offline import OfflineProvider
from integrations.llm.openai_provider import OpenAIProvider
from integrations.llm.schemas import Breakdown, ImageInput, ProductBrief, VariantRequest
from tests.integrations.llm.conftest import PNG, FakeLLM

BRIEF = ProductBrief(
    name="Portable Blender", title="Fresh juice anywhere", selling_points=["USB-C charging", "6 blades", "380 ml"],
    price=Decimal("29.99"), language="en", images=[ImageInput(data=PNG)],
)
WINNER = script_parse({
    "language": "en", "hook": {"type": "number", "text": "3 reasons you need the Portable Blender"},
    "scenes": [
        {"duration_s": 2.5, "visual": "A big 3", "image": 0, "caption": "3 reasons you need the Portable Blender"},
        {"duration_s": 3.5, "visual": "Blades", "image": 0, "caption": "1. 6 blades"},
        {"duration_s": 3.5, "visual": "Cable", "image": 0, "caption": "2. USB-C charging"},
        {"duration_s": 5.5, "visual": "Hero", "image": 0, "caption": "Shop now, only $29.99"},
    ],
    "cta": {"type": "shop_now", "text": "Shop now, only $29.99"}, "ad_text": "Portable Blender #blender",
})
ANSWER = {
    "hook_type": "number", "hook_reason": "“3 reasons” promises a count", "selling_point_order": ["6 blades", "USB-C charging"],
    "selling_point_logic": "The hardest number leads; convenience follows", "cta_type": "shop_now",
    "cta_style": "Direct, with the price as anchor", "pacing_style": "A quick hook, then even proof scenes",
    "template": [{"role": "hook", "purpose": "Promise a count"}, {"role": "selling_point", "purpose": "Show the blades"},
                 {"role": "selling_point", "purpose": "Show the cable"}, {"role": "cta", "purpose": "Ask for the sale"}],
}


@pytest.fixture
def fake() -> FakeLLM:
    return FakeLLM()


@pytest.fixture
def provider(fake) -> OpenAIProvider:
    return OpenAIProvider(api_key="sk-test", model="gpt-4o", max_retries=0, http_client=fake.client())


def variant_answer(hooks: list[str]) -> dict:
    out = []
    for i, hook in enumerate(hooks):
        script = WINNER.model_dump(mode="json")
        script["hook"]["text"] = hook
        script["scenes"][0]["caption"] = hook
        for scene in script["scenes"]:
            scene["duration_s"] = 4  # wrong on purpose: the winner's pacing is restored
        script["scenes"][1]["image"] = 7  # an image the product does not have
        script["cta"] = {"type": ["limited_offer", "social_proof", "learn_more"][i % 3], "text": f"CTA {i}"}
        out.append(script)
    return {"variants": out}


def request(count=3) -> VariantRequest:
    breakdown = Breakdown.model_validate({
        **ANSWER, "pacing": [s.duration_s for s in WINNER.scenes],
        "template": [{**slot, "duration_s": s.duration_s} for slot, s in zip(ANSWER["template"], WINNER.scenes, strict=True)],
    })
    return VariantRequest(script=WINNER, breakdown=breakdown, brief=BRIEF, count=count, seed=7)


def test_the_breakdown_is_asked_with_a_strict_schema_and_parsed(fake, provider):
    fake.answer(ANSWER)

    breakdown = provider.break_down(WINNER, BRIEF)

    body = fake.body()
    response_format = body["response_format"]
    assert response_format["type"] == "json_schema" and response_format["json_schema"]["strict"] is True
    schema = response_format["json_schema"]["schema"]
    assert response_format["json_schema"]["name"] == "script_breakdown" and schema["additionalProperties"] is False
    assert schema["properties"]["template"]["minItems"] == schema["properties"]["template"]["maxItems"] == 4
    assert body["temperature"] == 0.2 and "3 reasons you need the Portable Blender" in body["messages"][1]["content"]
    assert breakdown.hook_type == HookType.NUMBER and breakdown.cta_style == "Direct, with the price as anchor"
    # The durations are the script's own, measured by us: the model is not asked for arithmetic.
    assert breakdown.pacing == [2.5, 3.5, 3.5, 5.5] and [slot.duration_s for slot in breakdown.template] == breakdown.pacing
    assert [slot.role for slot in breakdown.template] == ["hook", "selling_point", "selling_point", "cta"]


def test_a_template_of_the_wrong_length_gets_one_corrective_retry(fake, provider):
    short = {**ANSWER, "template": ANSWER["template"][:3]}
    fake.answer(short).answer(ANSWER)

    breakdown = provider.break_down(WINNER, BRIEF)

    assert len(breakdown.template) == 4 and len(fake.requests) == 2
    assert "one slot per scene" in fake.body(1)["messages"][-1]["content"]


def test_an_answer_invalid_twice_raises_llm_invalid_output(fake, provider):
    fake.answer("not json").answer({"hook_type": "number"})

    with pytest.raises(LLMInvalidOutput) as caught:
        provider.break_down(WINNER, BRIEF)

    assert "script_breakdown was invalid twice" in str(caught.value) and caught.value.field


@pytest.mark.parametrize("status, error", [(500, LLMUnavailable), (429, LLMRateLimited)])
def test_http_errors_map_onto_the_typed_errors(fake, provider, status, error):
    fake.fail(status)

    with pytest.raises(error) as caught:
        provider.break_down(WINNER, BRIEF)

    assert caught.value.status == status and caught.value.request_id == "req_failed"


def test_variants_are_asked_for_the_winners_hook_type_count_and_scenes(fake, provider):
    fake.answer(variant_answer(["3 ways it changes mornings", "3 things I love", "The blender in 3 reasons"]))

    found = provider.write_variants(request(3))

    body = fake.body()
    schema = body["response_format"]["json_schema"]["schema"]
    assert body["response_format"]["json_schema"]["name"] == "script_variants" and body["seed"] == 7
    assert schema["$defs"]["HookType"]["enum"] == ["number"] and schema["$defs"]["Script"]["properties"]["language"]["enum"] == ["en"]
    assert schema["properties"]["variants"]["minItems"] == schema["properties"]["variants"]["maxItems"] == 3
    assert schema["$defs"]["Script"]["properties"]["scenes"]["minItems"] == 4
    assert schema["$defs"]["Scene"]["properties"]["image"]["anyOf"][0]["maximum"] == 0
    assert len(found) == 3 and all(isinstance(script, Script) for script in found)
    for script in found:
        assert [scene.duration_s for scene in script.scenes] == [2.5, 3.5, 3.5, 5.5]  # the winner's pacing, exactly
        assert script.scenes[1].image is None  # no such photo: the renderer chooses


def test_a_variant_repeating_the_winners_hook_is_sent_back_once(fake, provider):
    fake.answer(variant_answer([WINNER.hook.text, "3 things I love", "The blender in 3 reasons"]))
    fake.answer(variant_answer(["3 ways it changes mornings", "3 things I love", "The blender in 3 reasons"]))

    found = provider.write_variants(request(3))

    assert [script.hook.text for script in found][0] == "3 ways it changes mornings"
    assert "variants.0.hook.text" in fake.body(1)["messages"][-1]["content"]


def test_the_wrong_number_of_variants_twice_is_invalid_output(fake, provider):
    answer = variant_answer(["a 3", "b 3"])
    fake.answer(answer).answer(copy.deepcopy(answer))

    with pytest.raises(LLMInvalidOutput) as caught:
        provider.write_variants(request(3))

    assert caught.value.field == "variants"


def test_the_offline_breakdown_fits_the_openai_schema():
    """Both providers answer the same shape: what the offline one writes passes the OpenAI checks."""
    from integrations.llm.output import breakdown_from_answer

    offline = OfflineProvider().break_down(WINNER, BRIEF)
    answer = offline.model_dump(mode="json")
    answer.pop("pacing")
    answer["template"] = [{"role": slot["role"], "purpose": slot["purpose"]} for slot in answer["template"]]

    assert breakdown_from_answer(json.dumps(answer), WINNER) == offline
