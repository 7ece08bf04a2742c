"""The prompts, in the product's language: a model writes better copy when asked in the target language."""

from __future__ import annotations

import json

from creatives.script import CtaType, HookType, Script

from .schemas import ProductBrief, ScriptRequest, VariantRequest
from .text import format_price, market_name

SYSTEM = {
    "en": "You are a performance-marketing copywriter for TikTok ads of a cross-border e-commerce shop. "
    "Answer with one JSON object that matches the given schema exactly, and nothing else. "
    "Never invent certifications, awards, statistics or prices.",
    "zh": "你是跨境电商 TikTok 广告的效果营销文案。只输出一个严格符合给定 schema 的 JSON 对象，不要输出其他内容。"
    "不要编造认证、奖项、数据或价格。",
}
HOOKS = {
    "en": {
        HookType.PAIN_POINT: "pain point — open with the viewer's problem as a question, e.g. “Tired of …?”",
        HookType.NUMBER: "number — open with a concrete number, e.g. “3 reasons …”",
        HookType.SUSPENSE: "suspense — open with a teaser that makes the viewer wait, e.g. “You won't believe …”",
        HookType.CONTRAST: "contrast — open with a before/after comparison, e.g. “Before vs after …”",
    },
    "zh": {
        HookType.PAIN_POINT: "痛点型——用提问点出观众的烦恼，例如“还在为……烦恼？”",
        HookType.NUMBER: "数字型——用具体数字开场，例如“3 个理由……”",
        HookType.SUSPENSE: "悬念型——制造悬念让观众看下去，例如“你绝对想不到……”",
        HookType.CONTRAST: "对比型——用前后对比开场，例如“用之前 vs 用之后”",
    },
}
CTAS = {
    "en": {
        CtaType.SHOP_NOW: "shop now — send them to buy, mention the price",
        CtaType.LIMITED_OFFER: "limited offer — create urgency (only if true: no invented discounts)",
        CtaType.SOCIAL_PROOF: "social proof — point to other buyers' experience",
        CtaType.LEARN_MORE: "learn more — invite them to see the details",
    },
    "zh": {
        CtaType.SHOP_NOW: "立即购买——引导下单，提到价格",
        CtaType.LIMITED_OFFER: "限时优惠——制造紧迫感（不要编造折扣）",
        CtaType.SOCIAL_PROOF: "口碑背书——借其他买家的体验",
        CtaType.LEARN_MORE: "了解更多——邀请查看详情",
    },
}
MAX_IMAGES = 4  # each image costs vision tokens; four views show a product well enough


def _product_lines(brief: ProductBrief, lang: str) -> list[str]:
    en = lang == "en"
    colon = ": " if en else "："
    lines = [f"{'Name' if en else '名称'}{colon}{brief.name}"]
    if brief.title:
        lines.append(f"{'Title' if en else '标题'}{colon}{brief.title}")
    if brief.description:
        lines.append(f"{'Description' if en else '描述'}{colon}{brief.description}")
    if brief.selling_points:
        lines.append(("Seller's selling points:" if en else "卖家提供的卖点：") + "".join(f"\n- {p}" for p in brief.selling_points))
    lines.append(f"{'Price' if en else '价格'}{colon}{format_price(brief.price, brief.currency)}")
    lines.append(f"{'Market' if en else '目标市场'}{colon}{market_name(brief.target_market, lang)}")
    return lines


def _image_range(n_images: int) -> str:
    return "0" if n_images == 1 else f"0–{n_images - 1}"


def analysis_messages(brief: ProductBrief) -> list[dict]:
    lang = brief.language
    images = brief.images[:MAX_IMAGES]
    if lang == "en":
        task = [
            "Analyse this product for TikTok ads.", *_product_lines(brief, lang),
            f"{len(images)} product photo(s) attached." if images else "No photos.",
            "Return: selling_points — 3 to 6 short selling points (at most 8 words each), ranked by how strongly they "
            "make a shopper in this market buy, strongest first, from the seller's points and what the photos show; "
            "audience — who buys this, in one sentence; angle — the one creative angle the ads should take; "
            "hook_ideas — one opening line for each hook type. Write everything in English.",
        ]
    else:
        task = [
            "请为 TikTok 广告分析这个商品。", *_product_lines(brief, lang),
            f"附上 {len(images)} 张商品图片。" if images else "没有图片。",
            "返回：selling_points——3 到 6 个简短卖点（每个不超过 15 个字），按对该市场买家的购买驱动力从强到弱排序，"
            "依据卖家卖点和图片内容；audience——一句话描述目标人群；angle——广告应采用的核心创意角度；"
            "hook_ideas——每种开头类型各写一句开场白。全部用中文书写。",
        ]
    content: list[dict] = [{"type": "text", "text": "\n".join(task)}]
    content += [{"type": "image_url", "image_url": {"url": image.data_url(), "detail": "low"}} for image in images]
    return [{"role": "system", "content": SYSTEM[lang]}, {"role": "user", "content": content}]


def script_messages(request: ScriptRequest) -> list[dict]:
    lang, brief, analysis = request.language, request.brief, request.analysis
    points = analysis.selling_points
    # A different seed leads with a different selling point, so variants differ even at low temperature.
    lead = points[request.variation_seed % len(points)]
    idea = analysis.hook_ideas.get(request.hook_type, "")
    n_images = len(brief.images)
    if lang == "en":
        cta = CTAS[lang][request.cta_type] if request.cta_type else "choose the call to action that fits best"
        lines = [
            f"Write a {request.target_duration_s:g}-second TikTok ad script for this product.", *_product_lines(brief, lang),
            "Selling points, strongest first:" + "".join(f"\n- {p}" for p in points),
            f"Audience: {analysis.audience}", f"Angle: {analysis.angle}",
            "Requirements:",
            f"- Hook: {HOOKS[lang][request.hook_type]}; hook.type is \"{request.hook_type.value}\"."
            + (f" Idea to build on: “{idea}”" if idea else ""),
            f"- Exactly {request.n_scenes} scenes whose duration_s add up to {request.target_duration_s:g} seconds.",
            "- Each scene: visual (what the camera shows), caption (burned-in subtitle, at most 80 characters), "
            "voiceover (one spoken sentence).",
            f"- image: the index of the product photo to show ({_image_range(n_images)}), or null."
            if n_images else "- image: null (there are no product photos).",
            "- The first scene shows the hook; the last scene carries the call to action.",
            f"- cta: {cta}.",
            "- ad_text: the ad's caption on TikTok, at most 100 characters, with 1–3 hashtags.",
            f"- Variation #{request.variation_seed}: lead with “{lead}”.",
            "- Write all text in English; language is \"en\".",
        ]
    else:
        cta = CTAS[lang][request.cta_type] if request.cta_type else "选择最合适的行动号召"
        lines = [
            f"为这个商品写一条 {request.target_duration_s:g} 秒的 TikTok 广告脚本。", *_product_lines(brief, lang),
            "卖点（从强到弱）：" + "".join(f"\n- {p}" for p in points),
            f"目标人群：{analysis.audience}", f"创意角度：{analysis.angle}",
            "要求：",
            f"- 开头：{HOOKS[lang][request.hook_type]}；hook.type 为 \"{request.hook_type.value}\"。"
            + (f"可参考：“{idea}”" if idea else ""),
            f"- 恰好 {request.n_scenes} 个分镜，duration_s 之和为 {request.target_duration_s:g} 秒。",
            "- 每个分镜：visual（画面内容）、caption（字幕，不超过 80 个字符）、voiceover（一句口播）。",
            f"- image：要展示的商品图片序号（{_image_range(n_images)}），或 null。" if n_images else "- image：null（没有商品图片）。",
            "- 第一个分镜呈现开头钩子；最后一个分镜给出行动号召。",
            f"- cta：{cta}。",
            "- ad_text：TikTok 广告文案，不超过 100 个字符，带 1–3 个话题标签。",
            f"- 变体 #{request.variation_seed}：以“{lead}”为主打。",
            "- 所有文字用中文书写；language 为 \"zh\"。",
        ]
    return [{"role": "system", "content": SYSTEM[lang]}, {"role": "user", "content": "\n".join(lines)}]


def _script_json(script: Script) -> str:
    return json.dumps(script.model_dump(mode="json"), ensure_ascii=False, indent=1)


def breakdown_messages(script: Script, brief: ProductBrief) -> list[dict]:
    """PRD 14.2: the winner's hook type, selling-point order and its logic, CTA style, pacing, template."""
    lang = script.language
    durations = ", ".join(f"{scene.duration_s:g}" for scene in script.scenes)
    if lang == "en":
        kinds = "; ".join(HOOKS[lang].values())
        lines = [
            "This TikTok ad script is a winner (its ROAS is well above target). Break it down so new variants can copy what works.",
            *_product_lines(brief, lang),
            "The script (script.json):", _script_json(script),
            "Return:",
            f"- hook_type — judge the hook's wording yourself, whatever its label says: {kinds}.",
            "- hook_reason — the words in the hook that make it this type.",
            "- selling_point_order — the selling points in the order the script presents them.",
            "- selling_point_logic — why they come in this order (what leads, what closes).",
            "- cta_type and cta_style — how the call to action asks (direct, urgency, social proof, soft; price or not).",
            f"- pacing_style — the rhythm of the scenes; their durations are {durations} seconds.",
            f"- template — exactly {len(script.scenes)} slots, one per scene in order: role (hook, selling_point, demo or cta) "
            "and purpose (what the scene must achieve, reusable for another wording).",
            "Write the descriptions in English.",
        ]
    else:
        kinds = "；".join(HOOKS[lang].values())
        lines = [
            "这条 TikTok 广告脚本是爆款（ROAS 远高于目标）。请拆解它，让新的变体能复用其有效之处。",
            *_product_lines(brief, lang),
            "脚本（script.json）：", _script_json(script),
            "返回：",
            f"- hook_type——根据开头文案本身判断，不要只看标注：{kinds}。",
            "- hook_reason——开头中体现该类型的词句。",
            "- selling_point_order——脚本呈现卖点的先后顺序。",
            "- selling_point_logic——为什么这样排序（以什么开场、以什么收尾）。",
            "- cta_type 和 cta_style——行动号召的方式（直接、紧迫感、口碑、软性；是否带价格）。",
            f"- pacing_style——分镜节奏；各分镜时长为 {durations} 秒。",
            f"- template——恰好 {len(script.scenes)} 个槽位，按分镜顺序：role（hook、selling_point、demo 或 cta）"
            "和 purpose（该分镜要达成的目的，可复用于其他文案）。",
            "描述用中文书写。",
        ]
    return [{"role": "system", "content": SYSTEM[lang]}, {"role": "user", "content": "\n".join(lines)}]


def variants_messages(request: VariantRequest) -> list[dict]:
    """PRD 14.3: reword the hook, reorder the selling points, vary the CTA; keep type, scenes and pacing."""
    script, breakdown, lang = request.script, request.breakdown, request.script.language
    durations = ", ".join(f"{d:g}" for d in breakdown.pacing)
    template = "\n".join(f"{i + 1}. {slot.role} ({slot.duration_s:g} s): {slot.purpose}" for i, slot in enumerate(breakdown.template))
    points = ", ".join(breakdown.selling_point_order)
    if lang == "en":
        lines = [
            f"Write {request.count} variants of this winning TikTok ad script.", *_product_lines(request.brief, lang),
            "The winner (script.json):", _script_json(script),
            f"Its breakdown: hook {breakdown.hook_type.value} ({breakdown.hook_reason}); selling points in order: {points}; "
            f"logic: {breakdown.selling_point_logic}; CTA: {breakdown.cta_style}; pacing: {breakdown.pacing_style}.",
            "Template:", template,
            "Each variant:",
            f"- keeps hook.type \"{breakdown.hook_type.value}\" ({HOOKS[lang][breakdown.hook_type]}) with new wording: "
            "no two variants, and no variant and the winner, open with the same hook text;",
            "- reorders the selling-point scenes, each variant leading with a different point where there are enough;",
            "- varies the call to action (another cta.type, or the same type in new words);",
            f"- has exactly {len(script.scenes)} scenes following the template, with durations {durations} seconds;",
            "- keeps the facts: no invented claims, prices or discounts; ad_text at most 100 characters;",
            "- is written in English; language is \"en\".",
        ]
    else:
        lines = [
            f"为这条爆款 TikTok 广告脚本写 {request.count} 个变体。", *_product_lines(request.brief, lang),
            "爆款脚本（script.json）：", _script_json(script),
            f"拆解：开头 {breakdown.hook_type.value}（{breakdown.hook_reason}）；卖点顺序：{points}；"
            f"排序逻辑：{breakdown.selling_point_logic}；CTA：{breakdown.cta_style}；节奏：{breakdown.pacing_style}。",
            "模板：", template,
            "每个变体：",
            f"- 保持 hook.type 为 \"{breakdown.hook_type.value}\"（{HOOKS[lang][breakdown.hook_type]}），换一种说法："
            "各变体之间、变体与原脚本之间开头文案都不能相同；",
            "- 调整卖点分镜的顺序，卖点足够时每个变体以不同的卖点开场；",
            "- 变换行动号召（换一种 cta.type，或同类型换说法）；",
            f"- 恰好 {len(script.scenes)} 个分镜，遵循模板，时长依次为 {durations} 秒；",
            "- 不编造功效、价格或折扣；ad_text 不超过 100 个字符；",
            "- 全部用中文书写；language 为 \"zh\"。",
        ]
    return [{"role": "system", "content": SYSTEM[lang]}, {"role": "user", "content": "\n".join(lines)}]


def correction(problem: str, lang: str) -> dict:
    if lang == "en":
        text = f"Your previous answer was invalid: {problem}. Answer again with the complete JSON object, matching the schema exactly."
    else:
        text = f"你上一个回答无效：{problem}。请重新输出完整的 JSON 对象，严格符合 schema。"
    return {"role": "user", "content": text}
