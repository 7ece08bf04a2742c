"""A deterministic provider without network: rule tables instead of a model.

It is the default of a fresh checkout, so the whole loop (and its tests) runs offline, and it
is the fallback shape every real provider must match.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from decimal import Decimal

from creatives.script import CtaType, HookType, Script, script_parse

from . import offline_rules as rules
from . import offline_variants as variants
from .output import split_duration
from .schemas import Breakdown, ProductAnalysis, ProductBrief, ScriptRequest, VariantRequest
from .text import CJK, capitalize, format_price, market_name, shorten

POINT_LIMIT = {"latin": 40, "cjk": 16}  # a selling point must fit a caption next to its marker
NAME_LIMIT = {"en": 40, "zh": 20}  # long catalogue names would break the caption and hook limits
HOOK_WEIGHT = 0.8  # the hook scene is a little shorter: the first second decides whether people stay
_SENTENCES = re.compile(r"[.!?;。！？；\n]+")


@dataclass(frozen=True)
class _Context:
    lang: str
    product: str
    pain: str
    setting: str
    price: str

    def fill(self, template: str, **extra: object) -> str:
        return template.format(product=self.product, pain=self.pain, setting=self.setting, price=self.price, **extra)


class OfflineProvider:
    def __init__(self, seed: int = 0):
        self.seed = seed

    def analyze_product(self, brief: ProductBrief) -> ProductAnalysis:
        lang = brief.language
        ctx = _context(brief, lang)
        segment = _category(brief)[lang][0]
        points = _rank_points(brief, lang)
        tier = _price_tier(brief.price, brief.currency)
        audience = rules.TIER_AUDIENCE[lang][tier].format(segment=segment, market=market_name(brief.target_market, lang))
        angle = ctx.fill(rules.TIER_ANGLE[lang][tier], point=_inline(points[0], lang))
        rng = self._rng("analysis", brief.name, lang)
        n = min(3, len(points))
        ideas = {kind: ctx.fill(rng.choice(rules.HOOKS[lang][kind]), n=n) for kind in HookType}
        return ProductAnalysis(selling_points=points, audience=audience, angle=angle, hook_ideas=ideas, language=lang)

    def write_script(self, request: ScriptRequest) -> Script:
        lang = request.language or request.brief.language
        brief, kind = request.brief, request.hook_type
        ctx = _context(brief, lang)
        rng = self._rng(request.variation_seed, kind.value, brief.name, lang)
        points = [_short_point(point) for point in request.analysis.selling_points]
        # Each variation leads with a different selling point, then rotates through the rest.
        shift = request.variation_seed % len(points)
        points = points[shift:] + points[:shift]
        middle = max(request.n_scenes - 2, 0)
        n_reasons = min(middle, len(points)) if middle >= 2 else min(3, len(points))
        hook = shorten(ctx.fill(rng.choice(rules.HOOKS[lang][kind]), n=n_reasons), 120)
        cta_type = request.cta_type or rng.choice(list(CtaType))
        cta = shorten(ctx.fill(rng.choice(rules.CTAS[lang][cta_type])), 60)
        cta_voice = ctx.fill(rules.CTA_VOICEOVER[lang], cta=cta)
        hook_visual = ctx.fill(rules.HOOK_VISUALS[lang][kind], n=n_reasons)
        cta_visual = ctx.fill(rules.CTA_VISUAL[lang])
        connectors = rng.choice(rules.CONNECTORS[lang])

        def said(positions: list[int]) -> str:
            return " ".join(
                connectors[min(i, len(connectors) - 1)].format(point=_inline(points[i % len(points)], lang)) for i in positions
            )

        numbered = kind is HookType.NUMBER
        scenes: list[dict] = []
        if request.n_scenes == 1:
            scenes.append(_scene(hook_visual, hook, f"{_sentence(hook, lang)} {cta_voice}"))
        else:
            opener = list(range(n_reasons)) if numbered else [0]
            scenes.append(_scene(hook_visual, hook, hook if middle else f"{_sentence(hook, lang)} {said(opener)}"))
            # A number hook promises N reasons: with a single middle scene, that scene lists them all.
            groups = [list(range(n_reasons))] if numbered and middle == 1 else [[i] for i in range(middle)]
            for group in groups:
                if group[0] >= len(points):
                    demo = rules.DEMOS[lang][(group[0] - len(points)) % len(rules.DEMOS[lang])]
                    scenes.append(_scene(*(ctx.fill(text) for text in demo)))
                    continue
                group_points = [points[i % len(points)] for i in group]
                if numbered and group[-1] < n_reasons:
                    caption = " · ".join(
                        rules.NUMBERED_CAPTION[lang].format(i=i + 1, point=capitalize(point))
                        for i, point in zip(group, group_points, strict=True)
                    )
                else:
                    caption = rules.POINT_CAPTION[lang].format(point=capitalize(group_points[0]))
                visual = ctx.fill(rules.POINT_VISUAL[lang], point=", ".join(group_points))
                scenes.append(_scene(visual, caption, said(group)))
            scenes.append(_scene(cta_visual, cta, cta_voice))

        weights = [HOOK_WEIGHT] + [1.0] * (len(scenes) - 1)
        offset = request.variation_seed % len(brief.images) if brief.images else 0
        for index, (scene, duration) in enumerate(zip(scenes, split_duration(request.target_duration_s, weights), strict=True)):
            scene["duration_s"] = duration
            scene["image"] = (index + offset) % len(brief.images) if brief.images else None
        return script_parse({
            "language": lang,
            "hook": {"type": kind.value, "text": hook},
            "scenes": scenes,
            "cta": {"type": cta_type.value, "text": cta},
            "ad_text": _ad_text(ctx, points[0], cta, brief.name),
        })

    def break_down(self, script: Script, brief: ProductBrief) -> Breakdown:
        return variants.break_down(script, brief)

    def write_variants(self, request: VariantRequest) -> list[Script]:
        lang = request.script.language
        return variants.write_variants(request, _context(request.brief, lang))

    def _rng(self, *parts: object) -> random.Random:
        # Seeding with a string hashes it with SHA-512: stable across processes, unlike hash().
        return random.Random("|".join(str(part) for part in (self.seed, *parts)))


def _scene(visual: str, caption: str, voiceover: str) -> dict:
    return {"visual": shorten(visual, 300), "caption": shorten(caption, 80), "voiceover": shorten(voiceover, 300)}


def _context(brief: ProductBrief, lang: str) -> _Context:
    _, pain, setting = _category(brief)[lang]
    return _Context(lang, shorten(brief.name, NAME_LIMIT[lang]), pain, setting, format_price(brief.price, brief.currency))


def _category(brief: ProductBrief) -> dict[str, tuple[str, str, str]]:
    # What the product is called says more about its category than what its features mention.
    named = f"{brief.name} {brief.title}".lower()
    details = " ".join([brief.description, *brief.selling_points]).lower()
    best, best_hits = rules.DEFAULT_CATEGORY, 0
    for keywords, texts in rules.CATEGORIES:
        hits = sum(3 * (keyword in named) + (keyword in details) for keyword in keywords)
        if hits > best_hits:
            best, best_hits = texts, hits
    return best


def _price_tier(price: Decimal, currency: str) -> str:
    if price <= 0:
        return "mid"
    usd = float(price) * rules.USD_RATES.get(currency.upper(), 1.0)
    return next(tier for limit, tier in rules.TIERS if usd < limit)


def _rank_points(brief: ProductBrief, lang: str) -> list[str]:
    """The seller's points, strongest first (numbers and benefit words lift a point; ties keep the
    seller's order), padded to three from the description, title, price and fillers, capped at six."""
    def score(point: str) -> int:
        lowered = point.lower()
        return 2 * any(ch.isdigit() for ch in point) + sum(word in lowered for word in rules.BENEFIT_WORDS)

    ranked = sorted(brief.selling_points, key=score, reverse=True)
    padding = [*_SENTENCES.split(brief.description), brief.title]
    if brief.price > 0:
        padding.append(rules.ONLY_PRICE[lang].format(price=format_price(brief.price, brief.currency)))
    points: list[str] = []
    for candidate in [*ranked, *padding, *rules.FILLER_POINTS[lang]]:
        if len(points) == 6 or (len(points) >= 3 and candidate not in ranked):
            break
        point = _short_point(candidate)
        if point and point.lower() not in {p.lower() for p in points} and point.lower() != brief.name.lower():
            points.append(point)
    return points


def _short_point(point: str) -> str:
    return shorten(point, POINT_LIMIT["cjk" if CJK.search(point) else "latin"])


def _sentence(text: str, lang: str) -> str:
    return text if text[-1] in ".!?…。！？" else text + ("." if lang == "en" else "！")


def _inline(point: str, lang: str) -> str:
    """A point inside an English sentence starts lower-case, unless it starts with an acronym."""
    if lang != "en" or len(point) < 2 or point[1].isupper():
        return point
    return point[0].lower() + point[1:]


def _ad_text(ctx: _Context, point: str, cta: str, name: str) -> str:
    text = shorten(ctx.fill(rules.AD_TEXT[ctx.lang], point=_inline(point, ctx.lang), cta=cta), 100)
    tag = "#" + "".join(word.capitalize() if ctx.lang == "en" else word for word in re.findall(r"\w+", name))[:30]
    for hashtag in [tag, *rules.HASHTAGS[ctx.lang]]:
        if len(hashtag) > 1 and len(text) + 1 + len(hashtag) <= 100:
            text = f"{text} {hashtag}"
    return text
