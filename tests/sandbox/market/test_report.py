"""What adloop sees: the TikTok report endpoint serving the simulator's numbers."""

import pytest

from sandbox.market.engine import market_advance
from sandbox.market.quality import register_creative
from sandbox.models import SbDailyStat

pytestmark = pytest.mark.django_db

METRICS = ["spend", "impressions", "clicks", "conversion", "total_complete_payment_rate", "video_play_actions", "ctr"]


def pull(api, adv_id) -> list[dict]:
    body = api.get("report/integrated/get/", advertiser_id=adv_id, report_type="BASIC", data_level="AUCTION_AD",
                   dimensions=["ad_id", "stat_time_day"], metrics=METRICS, start_date="2026-11-01", end_date="2026-11-07",
                   page_size=100)
    assert body["code"] == 0, body
    return body["data"]["list"]


def test_the_report_endpoint_returns_the_simulators_numbers_as_strings(api, adv_id, make_adgroup, make_ad):
    adgroup_id = make_adgroup(budget=100.0)
    ad_ids = [make_ad(adgroup_id), make_ad(adgroup_id)]

    market_advance(days=2)

    rows = pull(api, adv_id)
    assert len(rows) == 4
    for row in rows:
        stat = SbDailyStat.objects.get(ad__ad_id=row["dimensions"]["ad_id"], date=row["dimensions"]["stat_time_day"][:10])
        assert row["metrics"]["spend"] == f"{stat.spend:.2f}"
        assert row["metrics"]["impressions"] == str(stat.impressions)
        assert row["metrics"]["clicks"] == str(stat.clicks)
        assert row["metrics"]["conversion"] == str(stat.conversions)
        assert row["metrics"]["total_complete_payment_rate"] == f"{stat.conversion_value:.2f}"
        assert row["metrics"]["video_play_actions"] == str(stat.video_views)
        assert stat.impressions > 0
    assert {row["dimensions"]["ad_id"] for row in rows} == set(ad_ids)


def test_pulling_the_last_days_again_shows_restated_conversions(api, adv_id, make_adgroup, make_ad, video_id):
    # A creative that converts well, under a fixed identity: the same draws in every run.
    register_creative(
        video_id=video_id, features={"hook_type": "pain_point", "cta_type": "limited_offer", "price": 12.99, "identity": "restated"}
    )
    make_ad(make_adgroup(budget=3000.0))
    market_advance(days=1)
    first = pull(api, adv_id)[0]["metrics"]

    market_advance(days=3)

    again = pull(api, adv_id)[0]["metrics"]
    assert int(again["conversion"]) > int(first["conversion"]), (first, again)
    assert again["spend"] == first["spend"]
