"""adgroup/create, get, update, status and budget updates."""

from decimal import Decimal

import pytest

from sandbox.models import SbAdGroup

from .conftest import adgroup_body

pytestmark = pytest.mark.django_db


def test_an_adgroup_is_created_under_its_campaign(api, adv_id, make_campaign):
    campaign_id = make_campaign()

    answer = api.post("adgroup/create/", adgroup_body(adv_id, campaign_id, gender="GENDER_UNLIMITED"))

    data = answer["data"]
    assert answer["code"] == 0 and data["campaign_id"] == campaign_id
    assert (data["budget"], data["bid_price"], data["gender"]) == (20.0, 0.03, "GENDER_UNLIMITED")
    assert data["schedule_start_time"] == "2026-11-01 00:00:00"
    # SCHEDULE_FROM_NOW runs ten years.
    assert data["schedule_end_time"].startswith("2036-10-")


def test_a_replayed_request_id_answers_the_same_adgroup_and_creates_one(api, adv_id, make_campaign):
    campaign_id = make_campaign()

    first = api.post("adgroup/create/", adgroup_body(adv_id, campaign_id, request_id="987654321"))
    second = api.post("adgroup/create/", adgroup_body(adv_id, campaign_id, request_id="987654321"))

    assert first["data"]["adgroup_id"] == second["data"]["adgroup_id"]
    assert SbAdGroup.objects.count() == 1


def test_an_adgroup_needs_an_existing_campaign_of_the_advertiser(api, adv_id):
    answer = api.post("adgroup/create/", adgroup_body(adv_id, "1700000000000000009"))

    assert (answer["code"], answer["message"]) == (40007, "The campaign 1700000000000000009 does not exist.")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"adgroup_name": None}, "adgroup_name: required"),
        ({"budget": 19.99}, "budget: must be ≥ 20.00 for BUDGET_MODE_DAY"),
        ({"billing_event": "CPA"}, "billing_event: must be one of"),
        ({"optimization_goal": None}, "optimization_goal: required"),
        ({"schedule_start_time": "2026-11-01T00:00:00Z"}, "schedule_start_time: time format should be YYYY-MM-DD HH:MM:SS"),
        ({"schedule_type": "SCHEDULE_START_END", "schedule_end_time": "2026-10-01 00:00:00"}, "schedule_end_time: must be after"),
        ({"budget_mode": "BUDGET_MODE_TOTAL", "budget": 100}, "schedule_type: BUDGET_MODE_TOTAL needs SCHEDULE_START_END"),
        ({"location_ids": []}, "location_ids: must not be empty"),
        ({"placements": None}, "placements: required"),
        ({"placements": ["PLACEMENT_HELO"]}, "placements: unknown value PLACEMENT_HELO"),
        ({"bid_price": None}, "bid_price: required with BID_TYPE_CUSTOM and billing_event CPV"),
        ({"bid_type": "BID_TYPE_MAX_CONVERSION"}, "bid_type: must be one of"),
    ],
)
def test_adgroup_create_rejects_invalid_bodies_with_40002(api, adv_id, make_campaign, overrides, message):
    body = {k: v for k, v in adgroup_body(adv_id, make_campaign(), **overrides).items() if v is not None}

    answer = api.post("adgroup/create/", body)

    assert answer["code"] == 40002 and answer["message"].startswith(message), answer["message"]
    assert not SbAdGroup.objects.exists()


def conversions_body(adv_id, campaign_id, advertiser_pixel_id, **overrides):
    fields = {
        "promotion_type": "WEBSITE", "billing_event": "OCPM", "optimization_goal": "VALUE", "bid_type": "BID_TYPE_CUSTOM",
        "bid_price": None, "deep_bid_type": "VO_MIN_ROAS", "roas_bid": 2.0, "pixel_id": advertiser_pixel_id, "optimization_event": "SHOPPING",
    }
    return adgroup_body(adv_id, campaign_id, **{**fields, **overrides})


def test_a_roas_bid_adgroup_is_accepted(api, adv_id, make_campaign, sb_advertiser):
    campaign_id = make_campaign(objective_type="WEB_CONVERSIONS")

    answer = api.post("adgroup/create/", conversions_body(adv_id, campaign_id, sb_advertiser.pixel_id))

    assert answer["code"] == 0, answer
    assert (answer["data"]["deep_bid_type"], answer["data"]["roas_bid"]) == ("VO_MIN_ROAS", 2.0)


def test_highest_value_bidding_needs_no_bid(api, adv_id, make_campaign, sb_advertiser):
    campaign_id = make_campaign(objective_type="WEB_CONVERSIONS")
    body = conversions_body(adv_id, campaign_id, sb_advertiser.pixel_id, bid_type="BID_TYPE_NO_BID", deep_bid_type="VO_HIGHEST_VALUE")
    del body["roas_bid"]

    answer = api.post("adgroup/create/", {k: v for k, v in body.items() if v is not None})

    assert answer["code"] == 0, answer


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"roas_bid": 1001}, "roas_bid: required with deep_bid_type VO_MIN_ROAS, between 0.01 and 1000"),
        ({"deep_bid_type": None}, "conversion_bid_price: required with BID_TYPE_CUSTOM and billing_event OCPM"),
        ({"pixel_id": None}, "pixel_id: required"),
        ({"optimization_event": None}, "optimization_event: required"),
        ({"pixel_id": "123"}, "pixel_id: the pixel 123 does not belong"),
        ({"promotion_type": None}, "promotion_type: required"),
        ({"optimization_goal": "CLICK"}, "deep_bid_type: VO_MIN_ROAS needs optimization_goal VALUE"),
    ],
)
def test_conversion_adgroups_need_their_tracking_and_bids(api, adv_id, make_campaign, sb_advertiser, overrides, message):
    campaign_id = make_campaign(objective_type="WEB_CONVERSIONS")
    body = {k: v for k, v in conversions_body(adv_id, campaign_id, sb_advertiser.pixel_id, **overrides).items() if v is not None}

    answer = api.post("adgroup/create/", body)

    assert answer["code"] == 40002 and answer["message"].startswith(message), answer["message"]


def test_a_target_cpa_must_stay_below_the_budget(api, adv_id, make_campaign, sb_advertiser):
    campaign_id = make_campaign(objective_type="WEB_CONVERSIONS")
    body = conversions_body(adv_id, campaign_id, sb_advertiser.pixel_id, deep_bid_type=None, optimization_goal="CONVERT", conversion_bid_price=25)

    answer = api.post("adgroup/create/", {k: v for k, v in body.items() if v is not None})

    assert answer["message"] == "conversion_bid_price: must be lower than the budget"


def test_adgroup_get_filters_by_campaign(api, adv_id, make_campaign, make_adgroup):
    first, second = make_campaign(), make_campaign()
    wanted = make_adgroup(first)
    make_adgroup(second)

    body = api.get("adgroup/get/", advertiser_id=adv_id, filtering={"campaign_ids": [first]})

    assert [g["adgroup_id"] for g in body["data"]["list"]] == [wanted]


def test_an_adgroup_update_changes_only_what_it_sends(api, adv_id, make_adgroup):
    adgroup_id = make_adgroup()

    answer = api.post("adgroup/update/", {"advertiser_id": adv_id, "adgroup_id": adgroup_id, "bid_price": 0.05, "adgroup_name": "renamed"})

    adgroup = SbAdGroup.objects.get()
    assert answer["code"] == 0
    assert (adgroup.adgroup_name, adgroup.bid_price, adgroup.budget, adgroup.optimization_goal) == ("renamed", Decimal("0.05"), 20, "ENGAGED_VIEW")


def test_an_adgroup_update_refuses_to_change_the_placement_type(api, adv_id, make_adgroup):
    adgroup_id = make_adgroup()

    answer = api.post("adgroup/update/", {"advertiser_id": adv_id, "adgroup_id": adgroup_id, "placement_type": "PLACEMENT_TYPE_AUTOMATIC"})

    assert answer["message"] == "placement_type: cannot be changed after creation"


def test_an_adgroup_update_revalidates_the_bid(api, adv_id, make_adgroup):
    adgroup_id = make_adgroup(bid_type="BID_TYPE_NO_BID", bid_price=None)

    answer = api.post("adgroup/update/", {"advertiser_id": adv_id, "adgroup_id": adgroup_id, "bid_type": "BID_TYPE_CUSTOM"})

    assert answer["code"] == 40002 and answer["message"].startswith("bid_price: required")


def test_adgroup_budgets_are_updated_in_a_batch(api, adv_id, make_adgroup):
    first, second = make_adgroup(), make_adgroup()

    answer = api.post(
        "adgroup/budget/update/",
        {"advertiser_id": adv_id, "budget": [{"adgroup_id": first, "budget": 26.0}, {"adgroup_id": second, "budget": 16.0}]},
    )
    ok = api.post("adgroup/budget/update/", {"advertiser_id": adv_id, "budget": [{"adgroup_id": first, "budget": 26.0}]})

    assert answer["code"] == 40002 and answer["message"].startswith("budget[1].budget: must be ≥ 20.00")
    assert ok["data"] == {"adgroup_ids": [first]}
    assert SbAdGroup.objects.get(adgroup_id=first).budget == 26


def test_a_budget_batch_takes_at_most_20_entries(api, adv_id, make_adgroup):
    adgroup_id = make_adgroup()

    answer = api.post("adgroup/budget/update/", {"advertiser_id": adv_id, "budget": [{"adgroup_id": adgroup_id, "budget": 30}] * 21})

    assert answer["code"] == 40011


def test_adgroup_status_update_disables(api, adv_id, make_adgroup):
    adgroup_id = make_adgroup()

    answer = api.post("adgroup/status/update/", {"advertiser_id": adv_id, "adgroup_ids": [adgroup_id], "operation_status": "DISABLE"})

    assert answer["data"] == {"adgroup_ids": [adgroup_id], "status": "DISABLE"}
    assert api.get("adgroup/get/", advertiser_id=adv_id)["data"]["list"][0]["operation_status"] == "DISABLE"


def test_under_campaign_budget_optimization_an_adgroup_needs_no_budget(api, adv_id, make_campaign):
    campaign_id = make_campaign(budget_mode="BUDGET_MODE_DAY", budget=100, budget_optimize_on=True)
    body = adgroup_body(adv_id, campaign_id)
    del body["budget"], body["budget_mode"]

    answer = api.post("adgroup/create/", body)

    assert answer["code"] == 0, answer
    assert (answer["data"]["budget_mode"], answer["data"]["budget"]) == ("BUDGET_MODE_INFINITE", 0.0)


def test_an_adgroup_cannot_join_a_deleted_campaign(api, adv_id, make_campaign):
    campaign_id = make_campaign()
    api.post("campaign/status/update/", {"advertiser_id": adv_id, "campaign_ids": [campaign_id], "operation_status": "DELETE"})

    answer = api.post("adgroup/create/", adgroup_body(adv_id, campaign_id))

    assert answer["code"] == 40002 and "deleted" in answer["message"]
