import json

import pytest

from creatives.script import HookType, Script
from integrations.llm.base import LLMError, LLMInvalidOutput
from integrations.llm.schemas import ProductAnalysis

from .conftest import PNG, script_answer

ANALYSIS = {
    "selling_points": ["Blends ice in 30 s", "USB-C charging", "Fits in a cup holder"],
    "audience": "Busy commuters who want fresh smoothies",
    "angle": "A smoothie bar in your bag",
    "hook_ideas": {"pain_point": "Tired of $8 smoothies?", "number": "3 reasons to ditch the smoothie bar",
                   "suspense": "Watch what it does to ice", "contrast": "Blender vs this"},
}


def _user_text(body: dict) -> str:
    content = body["messages"][1]["content"]
    return content if isinstance(content, str) else "\n".join(p["text"] for p in content if p["type"] == "text")


def test_analysis_request_carries_the_images_as_data_urls_and_the_model_name(fake_llm, make_provider, brief):
    fake_llm.answer(ANALYSIS)
    make_provider(model="gpt-4o-mini").analyze_product(brief)

    body = fake_llm.body()
    assert body["model"] == "gpt-4o-mini"
    parts = body["messages"][1]["content"]
    urls = [part["image_url"]["url"] for part in parts if part["type"] == "image_url"]
    assert urls == [brief.images[0].data_url(), brief.images[1].data_url()]
    assert urls[0].startswith("data:image/png;base64,") and urls[1].startswith("data:image/jpeg;base64,")
    assert "Portable Blender" in parts[0]["text"] and "$29.99" in parts[0]["text"]
    assert fake_llm.requests[0].headers["authorization"] == "Bearer sk-test"


def test_analysis_without_images_sends_text_only(fake_llm, make_provider, brief):
    fake_llm.answer(ANALYSIS)
    make_provider().analyze_product(brief.model_copy(update={"images": []}))

    assert [part["type"] for part in fake_llm.body()["messages"][1]["content"]] == ["text"]


def test_valid_structured_answer_parses_into_product_analysis(fake_llm, make_provider, brief):
    fake_llm.answer(ANALYSIS)
    analysis = make_provider().analyze_product(brief)

    assert isinstance(analysis, ProductAnalysis)
    assert analysis.selling_points[0] == "Blends ice in 30 s"
    assert analysis.hook_ideas[HookType.NUMBER] == "3 reasons to ditch the smoothie bar"
    assert analysis.language == "en"
    assert ProductAnalysis.model_validate(analysis.model_dump(mode="json")) == analysis


def test_analysis_response_format_is_a_strict_json_schema(fake_llm, make_provider, brief):
    fake_llm.answer(ANALYSIS)
    make_provider().analyze_product(brief)

    response_format = fake_llm.body()["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["strict"] is True
    assert response_format["json_schema"]["name"] == "product_analysis"
    schema = response_format["json_schema"]["schema"]
    assert schema["additionalProperties"] is False and set(schema["required"]) == set(schema["properties"])


def test_script_generation_returns_a_script_whose_hook_type_matches(fake_llm, make_provider, script_request):
    fake_llm.answer(script_answer("number"))
    script = make_provider().write_script(script_request)

    assert isinstance(script, Script)
    assert script.hook.type is HookType.NUMBER
    assert len(script.scenes) == 4
    body = fake_llm.body()
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["response_format"]["json_schema"]["schema"]["$defs"]["HookType"]["enum"] == ["number"]
    assert body["seed"] == script_request.variation_seed
    text = _user_text(body)
    assert "number" in text and "4 scenes" in text and "15 seconds" in text


def test_script_prompt_is_in_chinese_and_an_english_answer_is_sent_back(fake_llm, make_provider, brief_zh, analysis):
    from integrations.llm.schemas import ScriptRequest

    english = script_answer("suspense")
    chinese = script_answer(
        "suspense", language="zh", hook={"type": "suspense", "text": "你绝对想不到它能打碎冰块"},
        cta={"type": "shop_now", "text": "立即抢购"},
    )
    fake_llm.answer(english).answer(chinese)
    request = ScriptRequest(brief=brief_zh, analysis=analysis.model_copy(update={"language": "zh"}), hook_type="suspense")
    script = make_provider().write_script(request)

    assert script.language == "zh" and script.hook.text == "你绝对想不到它能打碎冰块"
    assert "分镜" in _user_text(fake_llm.body(0)) and "悬念型" in _user_text(fake_llm.body(0))
    # The English answer was sent back with the reason, in Chinese.
    assert "hook.text: must be written in Chinese" in fake_llm.body(1)["messages"][-1]["content"]
    assert "你上一个回答无效" in fake_llm.body(1)["messages"][-1]["content"]


def test_script_durations_are_rescaled_to_the_target_and_bad_image_indexes_dropped(fake_llm, make_provider, script_request):
    answer = script_answer("number")
    answer["scenes"][0]["duration_s"] = 6  # 18 s in total, against a 15 s target
    answer["scenes"][1]["image"] = 7  # the product has two images
    fake_llm.answer(answer)
    script = make_provider().write_script(script_request)

    assert script.duration_s == pytest.approx(15, abs=0.01)
    assert script.scenes[0].duration_s > script.scenes[1].duration_s
    assert script.scenes[1].image is None and script.scenes[0].image == 0


def test_invalid_json_once_then_valid_succeeds_with_two_calls_and_the_retry_names_the_error(fake_llm, make_provider, brief):
    fake_llm.answer('{"selling_points": ["Blends ice"').answer(ANALYSIS)
    analysis = make_provider().analyze_product(brief)

    assert analysis.audience == ANALYSIS["audience"]
    assert len(fake_llm.requests) == 2
    messages = fake_llm.body(1)["messages"]
    assert messages[-2] == {"role": "assistant", "content": '{"selling_points": ["Blends ice"'}
    assert "not valid JSON" in messages[-1]["content"]


def test_wrong_hook_type_is_corrected_by_one_retry(fake_llm, make_provider, script_request):
    fake_llm.answer(script_answer("suspense")).answer(script_answer("number"))
    script = make_provider().write_script(script_request)

    assert script.hook.type is HookType.NUMBER
    assert "hook.type" in fake_llm.body(1)["messages"][-1]["content"]


def test_invalid_twice_raises_invalid_output_naming_the_field(fake_llm, make_provider, brief):
    bad = {**ANALYSIS, "selling_points": ["Only one"]}
    fake_llm.answer(bad).answer(bad)

    with pytest.raises(LLMInvalidOutput) as caught:
        make_provider().analyze_product(brief)

    assert caught.value.field == "selling_points"
    assert "selling_points" in str(caught.value)
    assert caught.value.retryable is False
    assert len(fake_llm.requests) == 2


def test_too_many_scenes_twice_raises_invalid_output_on_scenes(fake_llm, make_provider, script_request):
    fake_llm.answer(script_answer("number", n_scenes=8)).answer(script_answer("number", n_scenes=9))

    with pytest.raises(LLMInvalidOutput) as caught:
        make_provider().write_script(script_request)

    assert caught.value.field == "scenes"
    assert "expected 4 scenes" in str(caught.value)


def test_a_refusal_raises_llm_error_without_retrying(fake_llm, make_provider, brief):
    fake_llm.answer(None, refusal="I can't help with that.")

    with pytest.raises(LLMError, match="refused") as caught:
        make_provider().analyze_product(brief)

    assert not isinstance(caught.value, LLMInvalidOutput)
    assert len(fake_llm.requests) == 1


def test_base_url_of_an_ollama_server_is_honoured(fake_llm, make_provider, brief):
    fake_llm.answer(ANALYSIS)
    provider = make_provider(api_key="", base_url="http://localhost:11434/v1", model="llama3.2-vision")
    provider.analyze_product(brief)

    request = fake_llm.requests[0]
    assert str(request.url) == "http://localhost:11434/v1/chat/completions"
    assert json.loads(request.content)["model"] == "llama3.2-vision"
    assert request.headers["authorization"].startswith("Bearer ")


def test_images_are_sent_at_most_four(fake_llm, make_provider, brief):
    from integrations.llm.schemas import ImageInput

    fake_llm.answer(ANALYSIS)
    make_provider().analyze_product(brief.model_copy(update={"images": [ImageInput(data=PNG)] * 6}))

    assert sum(part["type"] == "image_url" for part in fake_llm.body()["messages"][1]["content"]) == 4
