import builtins
import io
import socket

import pytest

from creatives.script import CtaType, HookType, script_parse
from integrations.llm.offline import OfflineProvider
from integrations.llm.output import script_check
from integrations.llm.schemas import ProductBrief, ScriptRequest
from integrations.llm.text import CJK

LANGUAGES = ["zh", "en"]


@pytest.fixture
def briefs(brief, brief_zh):
    return {"en": brief, "zh": brief_zh}


@pytest.fixture
def no_io(monkeypatch):
    """Any file or socket access fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("the offline provider did I/O")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _request(brief, hook_type=HookType.PAIN_POINT, **kwargs):
    analysis = OfflineProvider().analyze_product(brief)
    return ScriptRequest(brief=brief, analysis=analysis, hook_type=hook_type, **kwargs)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("hook_type", list(HookType))
def test_every_hook_type_and_language_yields_a_valid_script(briefs, language, hook_type):
    request = _request(briefs[language], hook_type)
    script = OfflineProvider().write_script(request)

    assert script_parse(script.model_dump()) == script
    assert script.hook.type is hook_type and script.language == language
    assert len(script.scenes) == request.n_scenes
    # The offline writer meets the same rules a model's answer must meet.
    assert script_check(script, request) == script


@pytest.mark.parametrize("hook_type", list(HookType))
def test_chinese_scripts_are_written_in_chinese(brief_zh, hook_type):
    script = OfflineProvider().write_script(_request(brief_zh, hook_type))

    texts = [script.hook.text, script.cta.text, script.ad_text]
    texts += [text for scene in script.scenes for text in (scene.caption, scene.voiceover, scene.visual)]
    assert all(CJK.search(text) for text in texts)


def test_english_scripts_carry_the_typical_hook_phrases(brief):
    hooks = {kind: OfflineProvider().write_script(_request(brief, kind)).hook.text for kind in HookType}

    assert "Portable Blender" in hooks[HookType.NUMBER] and hooks[HookType.NUMBER][0].isdigit()
    assert hooks[HookType.PAIN_POINT].endswith("?")


@pytest.mark.parametrize("n_scenes,target", [(1, 6), (2, 9.5), (4, 15), (5, 30), (7, 21.7), (12, 60)])
def test_durations_sum_to_the_target(brief, n_scenes, target):
    script = OfflineProvider().write_script(_request(brief, n_scenes=n_scenes, target_duration_s=target))

    assert len(script.scenes) == n_scenes
    assert sum(scene.duration_s for scene in script.scenes) == pytest.approx(target, abs=0.01)


def test_scene_images_cycle_through_the_brief_images(brief):
    script = OfflineProvider().write_script(_request(brief, n_scenes=5))

    assert {scene.image for scene in script.scenes} == {0, 1}


def test_scenes_have_no_image_when_the_brief_has_none(brief):
    script = OfflineProvider().write_script(_request(brief.model_copy(update={"images": []})))

    assert all(scene.image is None for scene in script.scenes)


@pytest.mark.parametrize("cta_type", list(CtaType))
def test_the_requested_cta_type_is_used(brief_zh, cta_type):
    script = OfflineProvider().write_script(_request(brief_zh, cta_type=cta_type))

    assert script.cta.type is cta_type
    assert script.scenes[-1].caption == script.cta.text


def test_the_same_seed_gives_the_same_script(brief):
    request = _request(brief, HookType.SUSPENSE, variation_seed=3)

    assert OfflineProvider(seed=1).write_script(request) == OfflineProvider(seed=1).write_script(request)


def test_different_variation_seeds_give_different_scripts(brief):
    scripts = [OfflineProvider().write_script(_request(brief, HookType.CONTRAST, variation_seed=seed)) for seed in range(5)]

    assert len({script.model_dump_json() for script in scripts}) == 5


def test_different_provider_seeds_give_different_wording(brief):
    texts = {OfflineProvider(seed=seed).write_script(_request(brief, HookType.NUMBER)).model_dump_json() for seed in range(6)}

    assert len(texts) > 1


def test_it_never_does_io(briefs, no_io):
    provider = OfflineProvider()
    for language in LANGUAGES:
        analysis = provider.analyze_product(briefs[language])
        for hook_type in HookType:
            provider.write_script(ScriptRequest(brief=briefs[language], analysis=analysis, hook_type=hook_type))


def test_analysis_ranks_concrete_points_first_and_keeps_them_short():
    brief = ProductBrief(
        name="Travel Mug", price=12, selling_points=[
            "Nice colour", "Keeps drinks hot for 12 hours", "A lid that truly never ever leaks in any bag you carry", "Leak-proof",
        ],
    )
    analysis = OfflineProvider().analyze_product(brief)

    assert analysis.selling_points[0] == "Keeps drinks hot for 12 hours"
    assert all(len(point) <= 40 for point in analysis.selling_points)
    assert "Nice colour" in analysis.selling_points


def test_analysis_pads_to_three_points_and_caps_at_six():
    few = OfflineProvider().analyze_product(ProductBrief(name="Yoga Mat", price=25, selling_points=["Non-slip"]))
    many = OfflineProvider().analyze_product(
        ProductBrief(name="Yoga Mat", selling_points=[f"Point number {i}" for i in range(9)])
    )

    assert len(few.selling_points) == 3 and few.selling_points[0] == "Non-slip"
    assert "Only $25.00" in few.selling_points
    assert len(many.selling_points) == 6


def test_analysis_derives_audience_and_angle_from_category_price_and_market():
    cheap = OfflineProvider().analyze_product(ProductBrief(name="Dog Brush", price=9.99, target_market="GB", selling_points=["a", "b", "c"]))
    dear = OfflineProvider().analyze_product(ProductBrief(name="Smart Watch", price=199, target_market="DE", selling_points=["a", "b", "c"]))
    zh = OfflineProvider().analyze_product(ProductBrief(name="猫抓板", price=39, currency="CNY", language="zh", selling_points=["耐抓"]))

    assert "Pet owners" in cheap.audience and "the UK" in cheap.audience and "deal" in cheap.audience
    assert "Gadget" in dear.audience and "Germany" in dear.audience and "Premium" in dear.angle
    assert "铲屎官" in zh.audience and zh.language == "zh"
    assert set(zh.hook_ideas) == set(HookType) and CJK.search(zh.hook_ideas[HookType.SUSPENSE])


def test_long_product_names_still_fit_the_script_limits():
    brief = ProductBrief(name="Ultra " * 30 + "Blender", price=1234567.89, selling_points=["x" * 200])
    script = OfflineProvider().write_script(_request(brief, HookType.CONTRAST, n_scenes=3))

    assert len(script.ad_text) <= 100 and len(script.cta.text) <= 60
