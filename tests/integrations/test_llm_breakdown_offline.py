"""The offline provider's breakdown (PRD 14.2) and variants (PRD 14.3): rules on the script itself."""

import builtins
import io
import socket
from decimal import Decimal

import pytest

from creatives.script import CtaType, HookType, Script, script_parse
from integrations.llm.offline import OfflineProvider
from integrations.llm.offline_variants import hook_type_of
from integrations.llm.schemas import ProductBrief, ScriptRequest, VariantRequest

BRIEFS = {
    "en": ProductBrief(name="Portable Blender", title="Fresh juice anywhere", selling_points=["USB-C charging", "6 blades", "380 ml"],
                       price=Decimal("29.99"), language="en"),
    "zh": ProductBrief(name="便携榨汁杯", title="随时鲜榨", selling_points=["USB-C 快充", "6 叶刀头", "380 ml"],
                       price=Decimal("199"), currency="CNY", language="zh"),
}


def written(lang="en", hook_type=HookType.NUMBER, seed=0, n_scenes=5) -> Script:
    provider, brief = OfflineProvider(), BRIEFS[lang]
    return provider.write_script(ScriptRequest(
        brief=brief, analysis=provider.analyze_product(brief), hook_type=hook_type, variation_seed=seed, n_scenes=n_scenes,
    ))


def variants(script: Script, lang="en", count=3, seed=0) -> list[Script]:
    provider, brief = OfflineProvider(), BRIEFS[lang]
    request = VariantRequest(script=script, breakdown=provider.break_down(script, brief), brief=brief, count=count, seed=seed)
    return provider.write_variants(request)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("hook_type", list(HookType))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_hook_type_is_read_from_every_offline_hook(lang, hook_type, seed):
    script = written(lang, hook_type, seed)

    breakdown = OfflineProvider().break_down(script, BRIEFS[lang])

    assert breakdown.hook_type == hook_type, script.hook.text
    assert breakdown.hook_reason and "“" in breakdown.hook_reason


@pytest.mark.parametrize("text, expected", [
    ("Tired of tangled cables?", HookType.PAIN_POINT),
    ("Sick of slow mornings? Watch this.", HookType.PAIN_POINT),
    ("还在为做饭麻烦烦恼？", HookType.PAIN_POINT),
    ("5 reasons to switch today", HookType.NUMBER),
    ("Three ways to use it", HookType.NUMBER),
    ("买之前，先看这 3 点", HookType.NUMBER),
    ("You won't believe what it does", HookType.SUSPENSE),
    ("看到最后，你一定会想要", HookType.SUSPENSE),
    ("Before vs after: 30 seconds", HookType.CONTRAST),
    ("Without it vs with it", HookType.CONTRAST),
    ("之前：手忙脚乱；之后：轻松搞定", HookType.CONTRAST),
])
def test_hook_wording_decides_the_type_whatever_the_label(text, expected):
    label = HookType.SUSPENSE if expected != HookType.SUSPENSE else HookType.NUMBER

    assert hook_type_of(text, label)[0] == expected


def test_a_hook_without_markers_keeps_the_scripts_label():
    assert hook_type_of("Meet the Portable Blender", HookType.SUSPENSE) == (HookType.SUSPENSE, "")


def test_a_mislabelled_script_is_broken_down_by_its_words():
    script = written("en", HookType.NUMBER)
    mislabelled = script.model_copy(update={"hook": script.hook.model_copy(update={"type": HookType.PAIN_POINT})})

    assert OfflineProvider().break_down(mislabelled, BRIEFS["en"]).hook_type == HookType.NUMBER


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_selling_points_cta_pacing_and_template_come_from_the_script(lang):
    script = written(lang, HookType.NUMBER, n_scenes=5)

    breakdown = OfflineProvider().break_down(script, BRIEFS[lang])

    captions = [scene.caption for scene in script.scenes[1:-1]]
    assert len(breakdown.selling_point_order) == 3
    assert all(point in caption for point, caption in zip(breakdown.selling_point_order, captions, strict=True))
    assert breakdown.pacing == [scene.duration_s for scene in script.scenes]
    assert [slot.role for slot in breakdown.template] == ["hook", "selling_point", "selling_point", "selling_point", "cta"]
    assert [slot.duration_s for slot in breakdown.template] == breakdown.pacing
    assert breakdown.cta_type == script.cta.type and script.cta.text in breakdown.cta_style
    assert f"{sum(breakdown.pacing):g}" in breakdown.pacing_style
    assert breakdown.selling_point_logic.startswith("Opens with the hook (number)" if lang == "en" else "先用开头钩子（数字型）")


def test_a_price_in_the_cta_is_named_as_its_anchor():
    script = written("en", HookType.PAIN_POINT)
    script = script.model_copy(update={"cta": script.cta.model_copy(update={"type": CtaType.SHOP_NOW, "text": "Shop now, only $29.99"})})

    breakdown = OfflineProvider().break_down(script, BRIEFS["en"])

    assert breakdown.cta_type == CtaType.SHOP_NOW and "price as anchor" in breakdown.cta_style


def test_a_script_written_elsewhere_is_read_by_its_mentions_of_the_sellers_points():
    script = script_parse({
        "language": "en", "hook": {"type": "contrast", "text": "Your old blender vs this one"},
        "scenes": [
            {"duration_s": 2, "visual": "Split screen", "caption": "Old vs new"},
            {"duration_s": 3, "visual": "Charging", "caption": "Charges over USB-C charging"},
            {"duration_s": 3, "visual": "Kitchen", "caption": "Smoothie time"},
            {"duration_s": 3, "visual": "Blades", "caption": "6 blades crush ice"},
            {"duration_s": 2, "visual": "Hero", "caption": "Get yours today"},
        ],
        "cta": {"type": "limited_offer", "text": "Get yours today"},
    })

    breakdown = OfflineProvider().break_down(script, BRIEFS["en"])

    assert breakdown.hook_type == HookType.CONTRAST
    assert [slot.role for slot in breakdown.template] == ["hook", "selling_point", "demo", "selling_point", "cta"]
    assert breakdown.selling_point_order == ["Charges over USB-C charging", "6 blades crush ice"]
    assert "shows the product in use" in breakdown.selling_point_logic


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("count", [3, 4, 5])
def test_variants_reword_the_hook_reorder_the_points_and_vary_the_cta(lang, count):
    script = written(lang, HookType.NUMBER, n_scenes=5)

    found = variants(script, lang, count)

    assert len(found) == count
    hooks = {variant.hook.text for variant in found}
    assert len(hooks) == count and script.hook.text not in hooks
    orders = []
    for variant in found:
        assert script_parse(variant.model_dump(mode="json")) == variant  # valid against the script schema
        assert variant.hook.type == HookType.NUMBER and variant.language == lang
        assert [s.duration_s for s in variant.scenes] == [s.duration_s for s in script.scenes]  # the winner's pacing
        assert variant.scenes[0].caption == variant.hook.text and variant.cta.text in variant.scenes[-1].caption
        middle = [scene.caption for scene in variant.scenes[1:-1]]
        prefix = "" if lang == "en" else "理由"
        assert [caption.split(".")[0] if lang == "en" else caption.split("：")[0] for caption in middle] == [
            f"{prefix}{i}" for i in (1, 2, 3)
        ]  # renumbered in their new order
        orders.append(tuple(scene.visual for scene in variant.scenes[1:-1]))
        assert variant.scenes[1].voiceover.startswith("First" if lang == "en" else "首先")
    # Each variant leads with another point: the three rotations of the winner's order.
    assert orders[0] != tuple(scene.visual for scene in script.scenes[1:-1]) and len(set(orders)) == 3
    assert {variant.cta.type for variant in found[:3]} == set(CtaType) - {script.cta.type}


def test_variants_are_deterministic_per_seed():
    script = written("en")

    assert variants(script, seed=1) == variants(script, seed=1)
    assert variants(script, seed=1) != variants(script, seed=2)


def test_the_offline_breakdown_and_variants_do_no_io(monkeypatch):
    script = written("zh", HookType.CONTRAST)

    def refuse(*args, **kwargs):
        raise AssertionError("the offline provider did I/O")

    for target, name in [(builtins, "open"), (io, "open"), (socket, "socket"), (socket, "create_connection")]:
        monkeypatch.setattr(target, name, refuse)
    assert len(variants(script, "zh", 5)) == 5
