"""The creatives' hidden truth: derived from their features, per seed, near their parent."""

import math
import statistics

import pytest

from sandbox.market.engine import market_advance_day
from sandbox.market.params import MarketParams, market_configure
from sandbox.market.quality import compute_truth, creative_truth, features_from_key, features_from_script, register_creative
from sandbox.models import SbCreativeProfile

pytestmark = pytest.mark.django_db

FEATURES = {
    "hook_type": "contrast", "cta_type": "shop_now", "scene_durations": [3.0, 3.0, 3.0, 3.0, 3.0],
    "selling_points": ["USB-C charging", "6 steel blades", "380 ml cup"], "price": 29.99, "product": "blender",
}
NO_SPREAD = MarketParams(quality_spread=0)
DEFAULTS = MarketParams()


def mean_ctr(features: dict, keys: range, params: MarketParams = DEFAULTS) -> float:
    return statistics.mean(compute_truth(features, [f"creative-{key}"], params).ctr for key in keys)


def test_a_pain_point_hook_has_a_higher_expected_ctr_than_a_contrast_hook():
    pain_point = {**FEATURES, "hook_type": "pain_point"}

    assert compute_truth(pain_point, ["x"], NO_SPREAD).ctr > compute_truth(FEATURES, ["x"], NO_SPREAD).ctr
    # Over many creatives the hidden random quality averages out and the hook still shows.
    assert mean_ctr(pain_point, range(300)) > mean_ctr(FEATURES, range(300)) * 1.08


def test_a_fast_first_scene_raises_ctr():
    fast = {**FEATURES, "scene_durations": [1.0, 2.0, 2.0, 2.0, 2.0]}
    slow = {**FEATURES, "scene_durations": [5.0, 4.0, 4.0, 4.0, 4.0]}

    assert compute_truth(fast, ["x"], NO_SPREAD).ctr > compute_truth(FEATURES, ["x"], NO_SPREAD).ctr > compute_truth(slow, ["x"], NO_SPREAD).ctr


def test_the_cta_and_price_move_conversion_rate():
    offer = {**FEATURES, "cta_type": "limited_offer"}
    learn = {**FEATURES, "cta_type": "learn_more"}
    dear = {**FEATURES, "price": 120.0}

    assert compute_truth(offer, ["x"], NO_SPREAD).cvr > compute_truth(FEATURES, ["x"], NO_SPREAD).cvr > compute_truth(learn, ["x"], NO_SPREAD).cvr
    assert compute_truth(dear, ["x"], NO_SPREAD).cvr < compute_truth(FEATURES, ["x"], NO_SPREAD).cvr
    assert compute_truth(dear, ["x"], NO_SPREAD).aov > compute_truth(FEATURES, ["x"], NO_SPREAD).aov


def test_leading_with_another_selling_point_changes_ctr():
    points = FEATURES["selling_points"]
    ctrs = {point: compute_truth({**FEATURES, "selling_points": [point, *(p for p in points if p != point)]}, ["x"], NO_SPREAD).ctr
            for point in points}

    assert len({round(ctr, 6) for ctr in ctrs.values()}) == 3


def test_the_truth_is_fixed_by_the_seed():
    assert compute_truth(FEATURES, ["x"], MarketParams(seed=1)) == compute_truth(FEATURES, ["x"], MarketParams(seed=1))
    assert compute_truth(FEATURES, ["x"], MarketParams(seed=1)) != compute_truth(FEATURES, ["x"], MarketParams(seed=2))


def test_quality_spread_widens_the_gap_between_creatives():
    def spread(quality_spread: float) -> float:
        params = MarketParams(quality_spread=quality_spread)
        return statistics.pstdev(math.log(compute_truth(FEATURES, [f"c{key}"], params).ctr) for key in range(200))

    assert spread(0) < 0.01 < spread(0.5) < spread(2)


def test_a_variant_stays_near_its_parent():
    parents = [register_creative(video_id=f"parent-{n}", features=FEATURES) for n in range(40)]
    children = [register_creative(video_id=f"child-{n}", features=FEATURES, parent_video_id=f"parent-{n}") for n in range(40)]

    child_gap = [abs(math.log(c.base_ctr / p.base_ctr)) for p, c in zip(parents, children, strict=True)]
    stranger_gap = [abs(math.log(a.base_ctr / b.base_ctr)) for a, b in zip(parents, parents[1:], strict=False)]
    assert statistics.mean(child_gap) < statistics.mean(stranger_gap) / 3
    assert max(child_gap) < 0.35


def test_good_parents_make_good_children():
    parents = [register_creative(video_id=f"parent-{n}", features=FEATURES) for n in range(30)]
    best = max(parents, key=lambda p: p.base_ctr)
    worst = min(parents, key=lambda p: p.base_ctr)
    hook = {**FEATURES, "hook_type": "pain_point"}

    best_child = register_creative(video_id="best-child", features=hook, parent_video_id=best.video_id)
    worst_child = register_creative(video_id="worst-child", features=hook, parent_video_id=worst.video_id)

    assert best_child.base_ctr > worst_child.base_ctr * 1.5


def test_a_job_id_with_dashes_names_the_same_creative_as_its_hex():
    job = "3f2b8c1e-0d4a-4c1b-9a7e-5b6c7d8e9f00"
    register_creative(video_id=job, features=FEATURES)

    assert SbCreativeProfile.objects.get().video_id == job.replace("-", "")
    assert creative_truth(job)["registered"] is True


def test_registering_by_job_id_applies_to_the_uploaded_video(world):
    job_hex = "ab" * 16
    video = world.video(file_name=f"adloop-{job_hex}-1234abcd.mp4")
    world.one(video=video)
    registered = register_creative(video_id=job_hex, features={**FEATURES, "hook_type": "pain_point"})

    market_advance_day()

    assert SbCreativeProfile.objects.count() == 1
    registered.refresh_from_db()
    assert registered.impressions_served > 0
    assert creative_truth(video.video_id)["ctr"] == registered.base_ctr


def test_an_unregistered_video_gets_stable_features_from_its_id(world):
    ad = world.one()

    before = creative_truth(ad.video.video_id)
    market_advance_day()
    after = creative_truth(ad.video.video_id)

    assert before["registered"] is False
    assert before["features"] == after["features"] == features_from_key(ad.video.video_id)
    assert before["ctr"] == after["ctr"]
    assert after["fatigue"] < 1.0


def test_a_new_seed_recomputes_the_stored_truth():
    profile = register_creative(video_id="c1", features=FEATURES)
    old = creative_truth("c1")["ctr"]

    market_configure(seed=99)

    assert creative_truth("c1")["ctr"] != old
    profile.refresh_from_db()
    assert profile.truth_of == "99:1"


def test_features_from_script_read_hook_scenes_cta_and_selling_point_order():
    script = {
        "language": "en", "hook": {"type": "number", "text": "3 reasons"},
        "scenes": [
            {"duration_s": 1.5, "visual": "cup", "caption": "Only 380 ml cup you need"},
            {"duration_s": 2.0, "visual": "blades", "caption": "6 steel blades"},
        ],
        "cta": {"type": "limited_offer", "text": "50% off today"},
    }

    features = features_from_script(script, price=29.99, selling_points=FEATURES["selling_points"], product="blender")

    assert features == {
        "hook_type": "number", "cta_type": "limited_offer", "scene_durations": [1.5, 2.0],
        "selling_points": ["380 ml cup", "6 steel blades", "USB-C charging"], "price": 29.99, "product": "blender",
    }


def test_bad_features_are_refused():
    with pytest.raises(ValueError, match="scene_durations"):
        register_creative(video_id="c", features={"scene_durations": [0, 2]})
    with pytest.raises(ValueError, match="own parent"):
        register_creative(video_id="c", features={}, parent_video_id="c")
