"""report/integrated/get over SbDailyStat rows."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from sandbox.models import SbAd, SbDailyStat
from sandbox.tiktok import reports
from sandbox.tiktok.api import MAX_FILTER_IDS

pytestmark = pytest.mark.django_db

NOV_3 = dt.date(2026, 11, 3)


def stat(ad_id: str, date: dt.date, **values) -> SbDailyStat:
    ad = SbAd.objects.get(ad_id=ad_id)
    return SbDailyStat.objects.create(advertiser=ad.advertiser, ad=ad, date=date, **values)


def report(api, adv_id, **params) -> dict:
    query = {
        "advertiser_id": adv_id, "report_type": "BASIC", "data_level": "AUCTION_AD", "dimensions": ["ad_id", "stat_time_day"],
        "metrics": ["spend", "impressions"], "start_date": "2026-11-01", "end_date": "2026-11-30", **params,
    }
    return api.get("report/integrated/get/", **query)


@pytest.fixture
def two_ads(make_adgroup, make_ad):
    adgroup_id = make_adgroup()
    return make_ad(adgroup_id), make_ad(adgroup_id)


def test_rows_carry_string_metrics_and_day_dimensions(api, adv_id, two_ads):
    first, _ = two_ads
    stat(first, NOV_3, impressions=5830, clicks=69, spend=Decimal("12.34"), conversions=3, conversion_value=Decimal("89.97"), video_views=2100)
    metrics = ["spend", "impressions", "clicks", "ctr", "cpc", "cpm", "conversion", "cost_per_conversion", "conversion_rate",
               "complete_payment", "total_complete_payment_rate", "complete_payment_roas", "video_play_actions", "engaged_view"]

    body = report(api, adv_id, metrics=metrics)

    assert body["code"] == 0
    assert body["data"]["list"] == [{
        "dimensions": {"ad_id": first, "stat_time_day": "2026-11-03 00:00:00"},
        "metrics": {
            "spend": "12.34", "impressions": "5830", "clicks": "69", "ctr": "1.18", "cpc": "0.18", "cpm": "2.12",
            "conversion": "3", "cost_per_conversion": "4.11", "conversion_rate": "0.05", "complete_payment": "3",
            "total_complete_payment_rate": "89.97", "complete_payment_roas": "7.29", "video_play_actions": "2100",
            "engaged_view": "2100",
        },
    }]
    assert body["data"]["page_info"] == {"page": 1, "page_size": 10, "total_number": 1, "total_page": 1}


def test_a_ratio_without_a_denominator_is_a_dash(api, adv_id, two_ads):
    stat(two_ads[0], NOV_3)

    metrics = report(api, adv_id, metrics=["ctr", "cpc", "complete_payment_roas", "spend"])["data"]["list"][0]["metrics"]

    assert metrics == {"ctr": "-", "cpc": "-", "complete_payment_roas": "-", "spend": "0.00"}


def test_rows_aggregate_to_the_campaign_level_and_order_by_day(api, adv_id, two_ads):
    first, second = two_ads
    stat(first, NOV_3, impressions=100, spend=Decimal("1.50"))
    stat(second, NOV_3, impressions=50, spend=Decimal("0.75"))
    stat(first, dt.date(2026, 11, 2), impressions=10, spend=Decimal("0.10"))
    campaign_id = SbAd.objects.get(ad_id=first).campaign.campaign_id

    rows = report(api, adv_id, data_level="AUCTION_CAMPAIGN", dimensions=["campaign_id", "stat_time_day"])["data"]["list"]

    assert rows == [
        {"dimensions": {"campaign_id": campaign_id, "stat_time_day": "2026-11-02 00:00:00"}, "metrics": {"spend": "0.10", "impressions": "10"}},
        {"dimensions": {"campaign_id": campaign_id, "stat_time_day": "2026-11-03 00:00:00"}, "metrics": {"spend": "2.25", "impressions": "150"}},
    ]


def test_without_a_time_dimension_the_range_is_summed(api, adv_id, two_ads):
    first, _ = two_ads
    stat(first, NOV_3, impressions=100)
    stat(first, dt.date(2026, 11, 4), impressions=20)

    rows = report(api, adv_id, dimensions=["ad_id"], metrics=["impressions", "ad_name"])["data"]["list"]

    assert rows == [{"dimensions": {"ad_id": first}, "metrics": {"impressions": "120", "ad_name": "Blender ad"}}]


def test_dates_are_inclusive_and_outside_rows_are_left_out(api, adv_id, two_ads):
    first, _ = two_ads
    stat(first, dt.date(2026, 11, 1), impressions=1)
    stat(first, dt.date(2026, 11, 2), impressions=2)
    stat(first, dt.date(2026, 10, 31), impressions=4)

    rows = report(api, adv_id, dimensions=["ad_id"], metrics=["impressions"], start_date="2026-11-01", end_date="2026-11-02")["data"]["list"]

    assert rows[0]["metrics"] == {"impressions": "3"}


def test_an_ad_ids_filter_narrows_the_rows(api, adv_id, two_ads):
    first, second = two_ads
    stat(first, NOV_3, impressions=1)
    stat(second, NOV_3, impressions=2)

    filtering = [{"field_name": "ad_ids", "filter_type": "IN", "filter_value": f'["{second}"]'}]
    rows = report(api, adv_id, filtering=filtering)["data"]["list"]

    assert [row["dimensions"]["ad_id"] for row in rows] == [second]


def test_deleted_ads_are_left_out_unless_status_all_is_asked(api, adv_id, two_ads):
    first, second = two_ads
    stat(first, NOV_3, impressions=1)
    stat(second, NOV_3, impressions=2)
    api.post("ad/status/update/", {"advertiser_id": adv_id, "ad_ids": [first], "operation_status": "DELETE"})

    default = report(api, adv_id)["data"]["list"]
    everything = report(api, adv_id, filtering=[{"field_name": "ad_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}])["data"]["list"]

    assert [row["dimensions"]["ad_id"] for row in default] == [second]
    assert len(everything) == 2


def test_a_daily_report_spans_at_most_30_days(api, adv_id):
    body = report(api, adv_id, start_date="2026-11-01", end_date="2026-12-01")

    assert body["code"] == 40002 and "date range" in body["message"]


def test_a_report_without_days_spans_at_most_365_days(api, adv_id):
    ok = report(api, adv_id, dimensions=["ad_id"], start_date="2026-01-01", end_date="2026-12-31")
    too_long = report(api, adv_id, dimensions=["ad_id"], start_date="2026-01-01", end_date="2027-01-01")

    assert ok["code"] == 0
    assert too_long["code"] == 40002 and "date range" in too_long["message"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_date": "2026/11/01"}, "start_date: date format should be YYYY-MM-DD"),
        ({"end_date": "2026-10-01"}, "end_date: must not be before start_date"),
        ({"report_type": "AUDIENCE"}, "report_type: must be one of BASIC"),
        ({"data_level": "AUCTION_NOPE"}, "data_level: must be one of"),
        ({"dimensions": ["campaign_id", "stat_time_day"]}, "dimensions: a AUCTION_AD report takes one id dimension, ad_id"),
        ({"dimensions": ["ad_id", "stat_time_hour"]}, "dimensions: stat_time_hour is not supported"),
        ({"metrics": ["spend", "happiness"]}, "metrics: happiness is not supported"),
        ({"data_level": "AUCTION_CAMPAIGN", "dimensions": ["campaign_id"], "metrics": ["ad_name"]}, "metrics: ad_name is not available"),
        ({"page_size": 1001}, "page_size: must be an integer between 1 and 1000"),
        ({"filtering": [{"field_name": "ad_ids", "filter_type": "MATCH", "filter_value": "1"}]}, "filtering[0].filter_type: must be one of IN"),
    ],
)
def test_report_parameters_are_checked_with_40002(api, adv_id, params, message):
    body = report(api, adv_id, **params)

    assert body["code"] == 40002 and body["message"].startswith(message), body["message"]


def test_a_filter_takes_at_most_100_ids(api, adv_id):
    ids = [str(1700000000000000000 + n) for n in range(101)]

    body = report(api, adv_id, filtering=[{"field_name": "ad_ids", "filter_type": "IN", "filter_value": ids}])

    assert body["code"] == 40011


def test_a_query_over_too_many_ads_is_40067(api, adv_id, two_ads, monkeypatch):
    monkeypatch.setattr(reports, "MAX_REPORT_ADS", 1)
    for ad_id in two_ads:
        stat(ad_id, NOV_3, impressions=1)

    body = report(api, adv_id)
    narrowed = report(api, adv_id, filtering=[{"field_name": "ad_ids", "filter_type": "IN", "filter_value": [two_ads[0]]}])

    assert body["code"] == 40067 and body["message"].startswith("Your query is too large, please reduce the query size")
    assert narrowed["code"] == 0


def test_report_rows_page(api, adv_id, two_ads):
    for ad_id in two_ads:
        stat(ad_id, NOV_3, impressions=1)

    body = report(api, adv_id, page=2, page_size=1)

    assert body["data"]["page_info"] == {"page": 2, "page_size": 1, "total_number": 2, "total_page": 2}
    # Rows are ordered by day, then by id.
    assert [row["dimensions"]["ad_id"] for row in body["data"]["list"]] == [sorted(two_ads)[1]]


@pytest.fixture
def two_campaigns(make_campaign, make_adgroup, make_ad):
    """Campaign A: ad group A1 with two ads, A2 with one; campaign B: one ad. Each ad has a row on NOV_3."""
    campaign_a, campaign_b = make_campaign(campaign_name="Blender · A"), make_campaign(campaign_name="Blender · B")
    group_a1 = make_adgroup(campaign_a, adgroup_name="A1")
    group_a2 = make_adgroup(campaign_a, adgroup_name="A2")
    group_b = make_adgroup(campaign_b, adgroup_name="B1")
    ads = {"a1": make_ad(group_a1, ad_name="a1"), "a1b": make_ad(group_a1, ad_name="a1b"), "a2": make_ad(group_a2, ad_name="a2"),
           "b": make_ad(group_b, ad_name="b")}
    for ad_id in ads.values():
        stat(ad_id, NOV_3, impressions=1)
    return {"campaigns": (campaign_a, campaign_b), "adgroups": (group_a1, group_a2, group_b), "ads": ads}


def id_filter(field: str, ids: list) -> list[dict]:
    # As TikTok documents it: filter_value is a JSON-array string, here beside the status filter adloop sends.
    return [{"field_name": "ad_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'},
            {"field_name": field, "filter_type": "IN", "filter_value": json.dumps(ids)}]


def ad_ids_of(body: dict) -> set[str]:
    assert body["code"] == 0, body
    return {row["dimensions"]["ad_id"] for row in body["data"]["list"]}


def test_a_campaign_ids_filter_keeps_the_ads_of_those_campaigns(api, adv_id, two_campaigns):
    campaign_a, campaign_b = two_campaigns["campaigns"]
    ads = two_campaigns["ads"]

    only_a = report(api, adv_id, filtering=id_filter("campaign_ids", [campaign_a]))
    # TikTok's own example writes the ids as JSON numbers.
    both = report(api, adv_id, filtering=id_filter("campaign_ids", [int(campaign_a), int(campaign_b)]))

    assert ad_ids_of(only_a) == {ads["a1"], ads["a1b"], ads["a2"]}
    assert ad_ids_of(both) == set(ads.values())


def test_an_adgroup_ids_filter_keeps_the_ads_of_those_ad_groups(api, adv_id, two_campaigns):
    group_a1, _, group_b = two_campaigns["adgroups"]
    ads = two_campaigns["ads"]

    body = report(api, adv_id, filtering=id_filter("adgroup_ids", [group_a1, group_b]))

    assert ad_ids_of(body) == {ads["a1"], ads["a1b"], ads["b"]}


@pytest.mark.parametrize("field", ["campaign_ids", "adgroup_ids"])
def test_campaign_and_adgroup_filters_take_at_most_100_ids(api, adv_id, field):
    ids = [str(1700000000000000000 + n) for n in range(101)]

    body = report(api, adv_id, filtering=id_filter(field, ids))
    at_limit = report(api, adv_id, filtering=id_filter(field, ids[:100]))

    assert body["code"] == 40011 and f"at most {MAX_FILTER_IDS} items" in body["message"]
    assert at_limit["code"] == 0


def test_the_ad_limit_counts_the_ads_a_filter_leaves(api, adv_id, two_campaigns, monkeypatch):
    monkeypatch.setattr(reports, "MAX_REPORT_ADS", 3)
    campaign_a, campaign_b = two_campaigns["campaigns"]

    whole = report(api, adv_id)
    by_campaign = [report(api, adv_id, filtering=id_filter("campaign_ids", [campaign])) for campaign in (campaign_a, campaign_b)]

    assert whole["code"] == 40067
    assert "at most 3 ads and this one covers 4" in whole["message"]
    assert [len(ad_ids_of(body)) for body in by_campaign] == [3, 1]
