"""The offline provider's breakdown of a winning script and its variants, by rules on the script
itself: the hook type from the hook's wording, the selling points from the middle scenes'
captions, the CTA style from the call to action's wording, the pacing from the durations.

A variant keeps the winner's hook type, scene count and pacing (what worked), and changes
the hook's wording, the order of the selling-point scenes and the call to action.
"""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING

from creatives.script import CtaType, HookType, Scene, Script, script_parse

from . import offline_rules as rules
from .base import LLMInvalidOutput
from .schemas import Breakdown, ProductBrief, TemplateSlot, VariantRequest
from .text import capitalize, shorten

if TYPE_CHECKING:
    from .offline import _Context

_MARKERS = {kind: [(weight, re.compile(pattern, re.IGNORECASE)) for weight, pattern in patterns]
            for kind, patterns in rules.HOOK_MARKERS.items()}
_POINT_MARKER = re.compile(rules.POINT_MARKER)
_NUMBERED = {"en": re.compile(r"^\d+\.\s*"), "zh": re.compile(r"^理由\s*\d+\s*[：:]\s*")}
_BENEFIT = re.compile("|".join(re.escape(word) for word in rules.BENEFIT_WORDS), re.IGNORECASE)


def hook_type_of(text: str, declared: HookType) -> tuple[HookType, str]:
    """The hook type its wording shows, and the words that show it ("" when only the label does)."""
    scores: dict[HookType, int] = {}
    found: dict[HookType, str] = {}
    for kind, patterns in _MARKERS.items():
        for weight, pattern in patterns:
            match = pattern.search(text)
            if match:
                scores[kind] = scores.get(kind, 0) + weight
                found.setdefault(kind, match.group(0))
    if not scores:
        return declared, ""
    best = max(scores.values())
    tied = [kind for kind in rules.HOOK_PRECEDENCE if scores.get(kind) == best]
    kind = declared if declared in tied else tied[0]
    return kind, found[kind]


def cta_type_of(text: str, declared: CtaType) -> CtaType:
    lowered = text.lower()
    for kind, words in ((CtaType.LIMITED_OFFER, rules.URGENCY_WORDS), (CtaType.SOCIAL_PROOF, rules.PROOF_WORDS),
                        (CtaType.LEARN_MORE, rules.LEARN_WORDS), (CtaType.SHOP_NOW, rules.BUY_WORDS)):
        if any(word in lowered for word in words):
            # The script's own label wins when its words are there too ("Shop now, today only").
            return declared if _has_words(lowered, declared) else kind
    return declared


def _has_words(lowered: str, kind: CtaType) -> bool:
    words = {CtaType.LIMITED_OFFER: rules.URGENCY_WORDS, CtaType.SOCIAL_PROOF: rules.PROOF_WORDS,
             CtaType.LEARN_MORE: rules.LEARN_WORDS, CtaType.SHOP_NOW: rules.BUY_WORDS}[kind]
    return any(word in lowered for word in words)


def _strip_marker(caption: str) -> str:
    return _POINT_MARKER.sub("", caption).strip()


def _mentions(text: str, point: str) -> bool:
    text, point = text.lower(), point.lower()
    return bool(point) and (point in text or text in point)


def _roles(script: Script, brief: ProductBrief) -> list[str]:
    """hook, then selling_point or demo for each middle scene, then cta."""
    n = len(script.scenes)
    if n == 1:
        return ["hook"]
    middle = script.scenes[1:-1]
    known = brief.selling_points

    def is_point(scene: Scene) -> bool:
        text = f"{scene.caption} {scene.voiceover}"
        return bool(_POINT_MARKER.match(scene.caption)) or any(_mentions(text, point) for point in known)

    flags = [is_point(scene) for scene in middle]
    if middle and not any(flags):
        flags = [True] * len(middle)  # nothing recognisable: every middle scene carries the message
    return ["hook", *("selling_point" if flag else "demo" for flag in flags), "cta"]


def _points(scenes: list[Scene], roles: list[str]) -> list[str]:
    points: list[str] = []
    for scene, role in zip(scenes, roles, strict=True):
        if role != "selling_point":
            continue
        parts = scene.caption.split(" · ") if " · " in scene.caption else [scene.caption]
        points += [_strip_marker(part) for part in parts if _strip_marker(part)]
    return points


def _logic(lang: str, points: list[str], roles: list[str], script: Script, brief: ProductBrief, hook_label: str) -> str:
    words = rules.LOGIC[lang]
    parts = [words["opens"].format(hook=hook_label)]
    if not points:
        parts.append(words["none"])
    else:
        lead = points[0]
        kind = "number" if any(ch.isdigit() for ch in lead) else "benefit" if _BENEFIT.search(lead) else "plain"
        parts.append(words[kind].format(point=lead))
        ranks = [next((i for i, known in enumerate(brief.selling_points) if _mentions(point, known)), None) for point in points]
        ranked = [rank for rank in ranks if rank is not None]
        if len(ranked) >= 2:
            parts.append(words["ranked"] if ranked == sorted(ranked) else words["reordered"])
        listed = roles.count("selling_point") == 1 and len(points) > 1
        parts.append(words["listed"].format(n=len(points)) if listed else words["one_each"])
    if "demo" in roles:
        parts.append(words["demo"])
    last = f"{script.scenes[-1].caption} {script.cta.text}"
    price = f"{brief.price:.2f}".rstrip("0").rstrip(".") if brief.price else ""
    parts.append(words["price"] if price and price in last else words["cta"])
    separator = "; " if lang == "en" else "；"
    return separator.join(parts) + ("." if lang == "en" else "。")


def _pacing_style(lang: str, durations: list[float]) -> str:
    words = rules.PACING[lang]
    total = round(sum(durations), 2)
    hook = durations[0]
    average = total / len(durations)
    kind = words["fast"] if hook <= average else words["slow"]
    parts = [words["hook"].format(kind=kind, h=f"{hook:g}", pct=round(100 * hook / total))]
    middle = durations[1:-1]
    if middle:
        lo, hi = min(middle), max(middle)
        parts.append(words["even"].format(m=f"{average:.1f}") if hi - lo <= 0.3 else words["varied"].format(lo=f"{lo:g}", hi=f"{hi:g}"))
    parts.append(words["total"].format(total=f"{total:g}"))
    return ", ".join(parts) if lang == "en" else "，".join(parts)


def break_down(script: Script, brief: ProductBrief) -> Breakdown:
    lang = script.language
    hook_type, marker = hook_type_of(script.hook.text, script.hook.type)
    reasons = rules.HOOK_REASON[lang]
    roles = _roles(script, brief)
    points = _points(script.scenes, roles)
    cta_type = cta_type_of(script.cta.text, script.cta.type)
    lowered = script.cta.text.lower()
    style = rules.CTA_LABEL[lang][cta_type]
    price = f"{brief.price:.2f}".rstrip("0").rstrip(".") if brief.price else ""
    extras = [rules.CTA_WITH[lang]["price"]] if price and price in script.cta.text else []
    if cta_type != CtaType.LIMITED_OFFER and any(word in lowered for word in rules.URGENCY_WORDS):
        extras.append(rules.CTA_WITH[lang]["urgency"])
    colon = ": " if lang == "en" else "："
    cta_style = shorten(f"{' '.join([style, *extras])}{colon}“{script.cta.text}”", 200)
    durations = [scene.duration_s for scene in script.scenes]
    purposes = rules.SLOT_PURPOSE[lang]
    slots, point_no = [], 0
    for role, duration in zip(roles, durations, strict=True):
        if role == "hook":
            purpose = rules.HOOK_PURPOSE[lang][hook_type]
        elif role == "selling_point":
            point_no += 1
            purpose = purposes["selling_point"].format(i=point_no)
        else:
            purpose = purposes[role].format(cta=rules.CTA_LABEL[lang][cta_type])
        slots.append(TemplateSlot(role=role, duration_s=duration, purpose=purpose))
    hook_label = {"en": hook_type.value.replace("_", " "), "zh": _ZH_HOOK[hook_type]}[lang]
    return Breakdown(
        hook_type=hook_type,
        hook_reason=shorten(reasons["marker"].format(marker=marker) if marker else reasons["declared"], 300),
        selling_point_order=points,
        selling_point_logic=shorten(_logic(lang, points, roles, script, brief, hook_label), 500),
        cta_type=cta_type, cta_style=cta_style,
        pacing=durations, pacing_style=shorten(_pacing_style(lang, durations), 300),
        template=slots,
    )


_ZH_HOOK = {HookType.PAIN_POINT: "痛点型", HookType.NUMBER: "数字型", HookType.SUSPENSE: "悬念型", HookType.CONTRAST: "对比型"}


# --- variants -------------------------------------------------------------------------------

def _connector_templates(lang: str) -> list[list[tuple[str, str]]]:
    """Each connector style as (prefix, suffix) pairs around {point}: "First, " … "."."""
    return [[tuple(template.split("{point}")) for template in style] for style in rules.CONNECTORS[lang]]


def _reconnect(voiceover: str, position: int, lang: str) -> str:
    """A scene's voice-over re-said for its new place: "Plus, X." at the front becomes "First, X."."""
    for style in _connector_templates(lang):
        for prefix, suffix in style:
            if voiceover.startswith(prefix) and voiceover.endswith(suffix) and len(voiceover) > len(prefix) + len(suffix):
                point = voiceover[len(prefix):len(voiceover) - len(suffix)] if suffix else voiceover[len(prefix):]
                new_prefix, new_suffix = style[min(position, len(style) - 1)]
                return f"{new_prefix}{point}{new_suffix}"
    return voiceover


def _renumber(caption: str, number: int, lang: str) -> str:
    pattern = _NUMBERED[lang]
    if not pattern.match(caption):
        return caption
    return rules.NUMBERED_CAPTION[lang].format(i=number, point=pattern.sub("", caption, count=1))


def _reorder(scenes: list[Scene], roles: list[str], shift: int, lang: str) -> list[Scene]:
    """Rotate the selling-point scenes by `shift`; each slot keeps its duration (the pacing)."""
    slots = [i for i, role in enumerate(roles) if role == "selling_point"]
    out = list(scenes)
    if len(slots) == 1:
        scene = scenes[slots[0]]
        parts = scene.caption.split(" · ")
        if len(parts) > 1:  # a numbered list in one scene: rotate the list
            k = shift % len(parts)
            parts = parts[k:] + parts[:k]
            caption = " · ".join(_renumber(part, i + 1, lang) for i, part in enumerate(parts))
            out[slots[0]] = scene.model_copy(update={"caption": shorten(caption, 80)})
        return out
    if len(slots) < 2:
        return out
    k = shift % len(slots)
    order = slots[k:] + slots[:k]
    for position, (slot, source) in enumerate(zip(slots, order, strict=True)):
        moved = scenes[source]
        out[slot] = moved.model_copy(update={
            "duration_s": scenes[slot].duration_s,
            "caption": _renumber(moved.caption, position + 1, lang),
            "voiceover": _reconnect(moved.voiceover, position, lang),
        })
    return out


def _replace(text: str, old: str, new: str, limit: int) -> str:
    if not old or old not in text:
        return text
    return shorten(text.replace(old, new, 1), limit)


def _replace_point(text: str, old: str, new: str, limit: int) -> str:
    """The lead point in the ad text, in the case the text had it ("…: 6 blades." / "…: easy to use.")."""
    match = re.search(re.escape(old), text, re.IGNORECASE) if old and new else None
    if match is None:
        return text
    found = match.group(0)
    if found[:1].islower() and not new[1:2].isupper():
        new = new[:1].lower() + new[1:]
    return shorten(text[:match.start()] + new + text[match.end():], limit)


def _ctx_hooks(ctx: _Context, kind: HookType, n: int) -> list[str]:
    templates = [*rules.HOOKS[ctx.lang][kind], *rules.VARIANT_HOOKS[ctx.lang][kind]]
    hooks: list[str] = []
    for template in templates:
        hook = shorten(capitalize(ctx.fill(template, n=n)), 120)
        if hook and hook not in hooks:
            hooks.append(hook)
    return hooks


def _ctas(ctx: _Context, kind: CtaType) -> list[str]:
    return [shorten(ctx.fill(template), 60) for template in rules.CTAS[ctx.lang][kind]]


def write_variants(request: VariantRequest, ctx: _Context) -> list[Script]:
    script, breakdown = request.script, request.breakdown
    lang = script.language
    rng = random.Random(f"variants|{request.seed}|{script.hook.text}|{lang}")
    roles = [slot.role for slot in breakdown.template]
    n_points = max(len(breakdown.selling_point_order), roles.count("selling_point"), 1)
    seen = {script.hook.text.casefold()}
    hooks = [hook for hook in _ctx_hooks(ctx, breakdown.hook_type, min(n_points, 9)) if hook.casefold() not in seen]
    rng.shuffle(hooks)
    if len(hooks) < request.count:
        raise LLMInvalidOutput(f"only {len(hooks)} new {breakdown.hook_type.value} hooks for {request.count} variants")
    # Every other CTA type first, then the winner's own type in new words.
    cta_order = [kind for kind in CtaType if kind != script.cta.type] + [script.cta.type]
    variants = []
    for index in range(request.count):
        hook = hooks[index]
        cta_type = cta_order[index % len(cta_order)]
        choices = [text for text in _ctas(ctx, cta_type) if text != script.cta.text] or _ctas(ctx, cta_type)
        cta = rng.choice(choices)
        scenes = _reorder(list(script.scenes), roles, index + 1, lang)
        # The pacing is the winner's: the durations stay with the positions, exactly.
        scenes = [scene.model_copy(update={"duration_s": duration}) for scene, duration in zip(scenes, breakdown.pacing, strict=True)]
        first, last = scenes[0], scenes[-1]
        scenes[0] = first.model_copy(update={
            "caption": _replace(first.caption, script.hook.text, hook, 80) if first.caption != script.hook.text else shorten(hook, 80),
            "voiceover": _replace(first.voiceover, script.hook.text, hook, 300),
        })
        if len(scenes) > 1:
            scenes[-1] = last.model_copy(update={
                "caption": _replace(last.caption, script.cta.text, cta, 80),
                "voiceover": _replace(last.voiceover, script.cta.text, cta, 300),
            })
        ad_text = _replace(script.ad_text, script.cta.text, cta, 100)
        new_points = _points(scenes, roles)
        if breakdown.selling_point_order and new_points:
            ad_text = _replace_point(ad_text, breakdown.selling_point_order[0], new_points[0], 100)
        variants.append(script_parse({
            **script.model_dump(mode="json"),
            "hook": {"type": breakdown.hook_type.value, "text": hook},
            "scenes": [scene.model_dump(mode="json") for scene in scenes],
            "cta": {"type": cta_type.value, "text": cta},
            "ad_text": ad_text,
        }))
    return variants
