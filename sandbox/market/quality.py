"""Each creative's hidden truth: CTR, CVR (per click), average order value and view rate.

    ctr  = 1.1 % × hook type × hook speed × pacing × CTA × appeal of the first selling point × q_ctr
    cvr  = 4.0 % × hook type × CTA × price × length × appeal of the selling points in order × product × q_cvr
    aov  = price × basket (CTA) × q_aov
    view = 25 % × hook speed × pacing × length × √q_ctr

Hook type: pain_point > suspense > number > contrast for CTR. Hook speed: the first scene,
1 s ≈ +12 %, 5 s ≈ −20 %. Pacing: the mean scene length, 2 s ≈ +4 %, 6 s ≈ −12 %. CTA:
limited_offer > social_proof > shop_now > learn_more for CVR. Price: CVR ∝ (30 / price)^0.4.
Selling points have a hidden appeal (0.88–1.18, per seed and product): leading with the
strongest one raises CTR, and CVR weighs the first three 50/30/20.
q_* are the creative's hidden random quality, lognormal with median 1 and sigma 0.35 / 0.25 /
0.08 × quality_spread, seeded by (seed, creative identity: a registered `identity` feature,
else the creative key). A variant (parent set) takes its
parent's q and perturbs it by a quarter of that sigma, so good parents make good children.
A creative nobody registered gets features derived from its key's hash (still per seed).
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import asdict, dataclass

from django.db import transaction

from sandbox.models import SbCreativeProfile, SbVideo

from .bulk import bulk_save, chunks
from .params import MarketParams, market_params
from .rng import rng, stable_unit

BASE_CTR, BASE_CVR, BASE_VIEW_RATE, REFERENCE_PRICE = 0.011, 0.04, 0.25, 30.0
HOOK_CTR = {"pain_point": 1.15, "suspense": 1.10, "number": 1.05, "contrast": 1.00}
HOOK_CVR = {"pain_point": 1.08, "number": 1.05, "contrast": 1.05, "suspense": 0.95}
CTA_CTR = {"limited_offer": 1.05, "social_proof": 1.0, "shop_now": 1.0, "learn_more": 0.97}
CTA_CVR = {"limited_offer": 1.20, "social_proof": 1.12, "shop_now": 1.05, "learn_more": 0.85}
CTA_BASKET = {"limited_offer": 1.12, "social_proof": 1.05}
SELLING_POINT_WEIGHTS = (0.5, 0.3, 0.2)
SIGMAS = (0.35, 0.25, 0.08)  # q_ctr, q_cvr, q_aov at quality_spread 1
VARIANT_SHARE = 0.25
MAX_LINEAGE = 12
_JOB_FILE = re.compile(r"^adloop-([0-9a-f]{32})-")
_HOOKS, _CTAS = list(HOOK_CTR), list(CTA_CVR)
_PRICES = (12.99, 19.99, 24.99, 29.99, 39.99, 49.99, 69.99)


@dataclass(frozen=True)
class Truth:
    ctr: float
    cvr: float
    aov: float
    view_rate: float


def creative_key(value: str) -> str:
    """A VideoJob id may be given with or without dashes; both name one creative."""
    value = (value or "").strip()
    try:
        return uuid.UUID(value).hex if "-" in value and len(value) == 36 else value
    except ValueError:
        return value


def key_candidates(video_id: str, file_name: str = "") -> list[str]:
    """The keys a sandbox video may be registered under: its TikTok id, then the VideoJob id
    adloop writes into the uploaded file's name."""
    match = _JOB_FILE.match(file_name or "")
    return [video_id, match.group(1)] if match else [video_id]


def normalize_features(features: dict | None) -> dict:
    if features is None:
        return {}
    if not isinstance(features, dict):
        raise ValueError("features: must be an object")
    clean = {}
    for name in ("hook_type", "cta_type", "product", "identity"):
        if features.get(name) is not None:
            clean[name] = str(features[name]).strip().lower() if name in ("hook_type", "cta_type") else str(features[name])
    if features.get("scene_durations") is not None:
        durations = features["scene_durations"]
        if not isinstance(durations, list | tuple) or not all(isinstance(d, int | float) and d > 0 for d in durations):
            raise ValueError("features.scene_durations: must be a list of positive seconds")
        clean["scene_durations"] = [float(d) for d in durations]
    if features.get("selling_points") is not None:
        points = features["selling_points"]
        if not isinstance(points, list | tuple) or not all(isinstance(p, str) for p in points):
            raise ValueError("features.selling_points: must be a list of strings, in the order the script uses them")
        clean["selling_points"] = [p.strip() for p in points if p.strip()]
    if features.get("price") is not None:
        price = features["price"]
        try:
            price = float(price)
        except (TypeError, ValueError):
            raise ValueError("features.price: must be a number") from None
        if not price > 0:
            raise ValueError("features.price: must be positive")
        clean["price"] = price
    return clean


def features_from_script(script: dict, *, price: float | None = None, selling_points: list[str] = (), product: str = "") -> dict:
    """The features of a script.json (see creatives/script.py). Selling points are ordered
    by their first mention in the hook and scenes; unmentioned ones go last."""
    scenes = script.get("scenes") or []
    texts = [str(script.get("hook", {}).get("text", ""))] + [
        " ".join(str(scene.get(k, "")) for k in ("caption", "voiceover", "visual")) for scene in scenes
    ]

    def first_mention(point: str) -> int:
        return next((i for i, text in enumerate(texts) if point.lower() in text.lower()), len(texts))

    ordered = sorted(selling_points, key=first_mention)
    features = {
        "hook_type": script.get("hook", {}).get("type"), "cta_type": script.get("cta", {}).get("type"),
        "scene_durations": [scene.get("duration_s") for scene in scenes if scene.get("duration_s")],
        "selling_points": ordered, "price": price, "product": product,
    }
    return normalize_features(features)


def features_from_key(key: str) -> dict:
    r = rng("features", key)
    points = ["point-a", "point-b", "point-c"]
    r.shuffle(points)
    return {
        "hook_type": r.choice(_HOOKS), "cta_type": r.choice(_CTAS),
        "scene_durations": [round(r.uniform(1.0, 4.5), 1) for _ in range(r.randint(3, 6))],
        "selling_points": points, "price": r.choice(_PRICES), "product": "",
    }


def _appeal(seed: int, product: str, point: str) -> float:
    return 0.88 + 0.30 * stable_unit(seed, "appeal", product, point.lower())


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def _log_quality(lineage: list[str], params: MarketParams) -> list[float]:
    """log q for (ctr, cvr, aov); lineage is [key, parent, grandparent, …]."""
    def draws(key: str) -> list[float]:
        r = rng(params.seed, "quality", key)
        return [r.gauss(0.0, 1.0) * sigma * params.quality_spread for sigma in SIGMAS]

    logs = draws(lineage[-1])
    for key in lineage[:-1]:
        logs = [log + VARIANT_SHARE * step for log, step in zip(logs, draws(key), strict=True)]
    return logs


def compute_truth(features: dict, lineage: list[str], params: MarketParams) -> Truth:
    durations = features.get("scene_durations") or [2.5, 2.5, 2.5, 2.5]
    total, hook_s = sum(durations), durations[0]
    hook_speed = _clamp(1.2 - 0.08 * hook_s, 0.8, 1.15)
    pacing = _clamp(1.12 - 0.04 * total / len(durations), 0.85, 1.08)
    length_cvr = 1.05 if 12 <= total <= 35 else 0.92
    length_view = 1.1 if total <= 20 else (1.0 if total <= 40 else 0.85)
    hook, cta = features.get("hook_type", ""), features.get("cta_type", "")
    product, price = features.get("product", ""), features.get("price") or REFERENCE_PRICE
    appeals = [_appeal(params.seed, product, point) for point in (features.get("selling_points") or [])[:3]]
    lead = appeals[0] if appeals else 1.0
    weights = SELLING_POINT_WEIGHTS[: len(appeals)]
    spread = sum(w * a for w, a in zip(weights, appeals, strict=True)) / sum(weights) if appeals else 1.0
    product_factor = math.exp(0.2 * params.quality_spread * rng(params.seed, "product", product).gauss(0, 1)) if product else 1.0
    q_ctr, q_cvr, q_aov = (math.exp(log) for log in _log_quality(lineage, params))
    ctr = BASE_CTR * HOOK_CTR.get(hook, 1.0) * hook_speed * pacing * CTA_CTR.get(cta, 1.0) * lead * q_ctr
    cvr = (BASE_CVR * HOOK_CVR.get(hook, 1.0) * CTA_CVR.get(cta, 1.0) * _clamp((REFERENCE_PRICE / price) ** 0.4, 0.45, 1.8)
           * length_cvr * spread * product_factor * q_cvr)
    aov = price * CTA_BASKET.get(cta, 1.0) * q_aov
    view_rate = BASE_VIEW_RATE * hook_speed * pacing * length_view * math.sqrt(q_ctr)
    return Truth(ctr=_clamp(ctr, 1e-5, 0.2), cvr=_clamp(cvr, 1e-5, 0.5), aov=round(aov, 2), view_rate=_clamp(view_rate, 0.01, 0.9))


def truth_tag(params: MarketParams) -> str:
    return f"{params.seed}:{params.quality_spread:g}"


def _parents(keys: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """(key → parent key, key → identity) for these keys and all their ancestors that have a profile."""
    parents: dict[str, str] = {}
    identities: dict[str, str] = {}
    todo = set(keys)
    for _ in range(MAX_LINEAGE):
        todo -= parents.keys()
        if not todo:
            break
        found = {}
        for chunk in chunks(sorted(todo)):
            for key, parent, features in SbCreativeProfile.objects.filter(video_id__in=chunk).values_list(
                "video_id", "parent_video_id", "features"
            ):
                found[key] = parent
                identities[key] = identity_of(key, features)
        parents.update({key: found.get(key, "") for key in todo})
        todo = {parent for parent in found.values() if parent}
    return parents, identities


def identity_of(key: str, features: dict | None) -> str:
    """The name the creative's hidden random quality is drawn under: the registered identity
    (e.g. a hash of its script, so the same script is the same creative in every run), else its key."""
    return (features or {}).get("identity") or key


def lineage_of(key: str, parent: str, parents: dict[str, str]) -> list[str]:
    lineage = [key]
    while parent and parent not in lineage and len(lineage) < MAX_LINEAGE:
        lineage.append(parent)
        parent = parents.get(parent, "")
    return lineage


def _compute(profiles: list[SbCreativeProfile], params: MarketParams) -> None:
    parents, identities = _parents({p.parent_video_id for p in profiles if p.parent_video_id})
    for profile in profiles:
        lineage = lineage_of(profile.video_id, profile.parent_video_id, parents)
        names = [identity_of(profile.video_id, profile.features)] + [identities.get(key, key) for key in lineage[1:]]
        truth = compute_truth(profile.features, names, params)
        profile.base_ctr, profile.base_cvr, profile.aov, profile.view_rate = truth.ctr, truth.cvr, truth.aov, truth.view_rate
        profile.truth_of = truth_tag(params)


def refresh_truth(profiles: list[SbCreativeProfile], params: MarketParams) -> None:
    """Recompute the stored rates of profiles computed for another seed or spread (or never)."""
    stale = [p for p in profiles if p.truth_of != truth_tag(params)]
    if stale:
        _compute(stale, params)
        bulk_save(SbCreativeProfile, stale, ["base_ctr", "base_cvr", "aov", "view_rate", "truth_of", "updated_at"])


def profiles_for_videos(videos: dict[str, str], params: MarketParams) -> dict[str, SbCreativeProfile]:
    """TikTok video id → its profile, for {video id: file name}; creatives nobody registered
    get a profile with features derived from their key."""
    candidates = {video_id: key_candidates(video_id, file_name) for video_id, file_name in videos.items()}
    wanted = sorted({key for keys in candidates.values() for key in keys})
    found = {p.video_id: p for chunk in chunks(wanted) for p in SbCreativeProfile.objects.filter(video_id__in=chunk)}
    missing = {keys[-1] for keys in candidates.values() if not any(key in found for key in keys)}
    if missing:
        new = [SbCreativeProfile(video_id=key, features=features_from_key(key)) for key in sorted(missing)]
        _compute(new, params)
        SbCreativeProfile.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        found.update({p.video_id: p for chunk in chunks(sorted(missing)) for p in SbCreativeProfile.objects.filter(video_id__in=chunk)})
    refresh_truth(list(found.values()), params)
    return {video_id: next(found[key] for key in keys if key in found) for video_id, keys in candidates.items()}


@transaction.atomic
def register_creative(*, video_id: str, features: dict, parent_video_id: str | None = None) -> SbCreativeProfile:
    """Tell the market a creative's script features (see features_from_script). `video_id`
    is TikTok's video id or the VideoJob id; `parent_video_id` the same for the creative it
    is a variant of. Registering again replaces the features."""
    key, parent = creative_key(video_id), creative_key(parent_video_id or "")
    if not key:
        raise ValueError("video_id: required")
    if parent == key:
        raise ValueError("parent_video_id: a creative cannot be its own parent")
    profile = SbCreativeProfile.objects.filter(video_id=key).first() or SbCreativeProfile(video_id=key)
    profile.features, profile.parent_video_id, profile.registered = normalize_features(features), parent, True
    _compute([profile], market_params())
    profile.full_clean()
    profile.save()
    _invalidate_descendants(key)
    return profile


def _invalidate_descendants(key: str) -> None:
    # A variant's hidden quality hangs off its ancestors; their lineage may just have changed.
    level = {key}
    for _ in range(MAX_LINEAGE):
        children = set(SbCreativeProfile.objects.filter(parent_video_id__in=level).values_list("video_id", flat=True))
        if not children:
            return
        SbCreativeProfile.objects.filter(video_id__in=children).update(truth_of="")
        level = children


def profile_lookup(video_id: str) -> tuple[SbCreativeProfile | None, str]:
    """(the creative's profile if any, the key the market would create one under)."""
    key = creative_key(video_id)
    file_name = SbVideo.objects.filter(video_id=key).values_list("file_name", flat=True).first() or ""
    keys = key_candidates(key, file_name)
    profiles = {p.video_id: p for p in SbCreativeProfile.objects.filter(video_id__in=keys)}
    return next((profiles[k] for k in keys if k in profiles), None), keys[-1]


def creative_truth(video_id: str) -> dict:
    """The hidden truth of a creative (TikTok video id or VideoJob id), for an oracle
    strategy: rates before fatigue and the objective's audience, and today's fatigue."""
    params = market_params()
    profile, key = profile_lookup(video_id)
    if profile is None:
        features, parent, served = features_from_key(key), "", 0
        truth = compute_truth(features, [key], params)
    else:
        refresh_truth([profile], params)
        truth = Truth(profile.base_ctr, profile.base_cvr, profile.aov, profile.view_rate)
        features, parent, served = profile.features, profile.parent_video_id, profile.impressions_served
    fatigue = math.exp(-params.fatigue_rate * served / params.audience_size)
    return {
        **asdict(truth), "fatigue": fatigue, "impressions_served": served, "features": features,
        "parent_video_id": parent, "registered": bool(profile and profile.registered),
    }
