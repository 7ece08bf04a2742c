"""campaign/create, get, update and status update."""

import re

import pytest

from sandbox.models import SbAd, SbAdGroup, SbCampaign, SbRequestKey

from .conftest import campaign_body

pytestmark = pytest.mark.django_db


def test_a_campaign_is_created_with_a_numeric_string_id_and_utc_times(api, adv_id):
    body = api.post("campaign/create/", campaign_body(adv_id, budget_mode="BUDGET_MODE_DAY", budget=50, special_industries=[]))

    data = body["data"]
    assert body["code"] == 0
    assert re.fullmatch(r"17\d{17}", data["campaign_id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", data["create_time"])
    assert (data["budget"], data["operation_status"], data["special_industries"]) == (50.0, "ENABLE", [])


def test_a_replayed_request_id_answers_the_same_campaign_and_creates_one(api, adv_id):
    first = api.post("campaign/create/", campaign_body(adv_id, request_id="1234567890123"))
    second = api.post("campaign/create/", campaign_body(adv_id, request_id="1234567890123"))

    assert (first["code"], second["code"]) == (0, 0)
    assert first["data"]["campaign_id"] == second["data"]["campaign_id"]
    assert SbCampaign.objects.count() == 1 and SbRequestKey.objects.count() == 1


def test_without_a_request_id_two_creates_make_two_campaigns(api, adv_id):
    api.post("campaign/create/", campaign_body(adv_id))
    api.post("campaign/create/", campaign_body(adv_id))

    assert SbCampaign.objects.count() == 2


@pytest.mark.parametrize("request_id", [1234567890123, "abc", "99999999999999999999"])
def test_a_request_id_must_be_a_string_holding_an_int64(api, adv_id, request_id):
    body = api.post("campaign/create/", campaign_body(adv_id, request_id=request_id))

    assert body["code"] == 40002 and body["message"].startswith("request_id:")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"campaign_name": None}, "campaign_name: required"),
        ({"campaign_name": "x" * 513}, "campaign_name: must be at most 512 characters"),
        ({"objective_type": "SELL_STUFF"}, "objective_type: must be one of"),
        ({"budget_mode": None}, "budget_mode: required"),
        ({"budget_mode": "BUDGET_MODE_DAY"}, "budget: required when budget_mode is BUDGET_MODE_DAY"),
        ({"budget_mode": "BUDGET_MODE_DAY", "budget": 49.99}, "budget: must be ≥ 50.00 for BUDGET_MODE_DAY"),
        ({"budget_mode": "BUDGET_MODE_DAY", "budget": "50"}, "budget: must be a number"),
        ({"operation_status": "DELETE"}, "operation_status: must be one of ENABLE, DISABLE"),
    ],
)
def test_campaign_create_rejects_invalid_bodies_with_40002(api, adv_id, overrides, message):
    body = {k: v for k, v in campaign_body(adv_id, **overrides).items() if v is not None}

    answer = api.post("campaign/create/", body)

    assert answer["code"] == 40002 and answer["message"].startswith(message)
    assert not SbCampaign.objects.exists()


def test_disabling_a_campaign_shows_disable_on_get(api, adv_id, make_campaign):
    campaign_id = make_campaign()

    answer = api.post("campaign/status/update/", {"advertiser_id": adv_id, "campaign_ids": [campaign_id], "operation_status": "DISABLE"})

    assert answer["data"]["campaign_ids"] == [campaign_id] and answer["data"]["status"] == "DISABLE"
    listed = api.get("campaign/get/", advertiser_id=adv_id, filtering={"campaign_ids": [campaign_id]})
    assert listed["data"]["list"][0]["operation_status"] == "DISABLE"


def test_status_updates_take_at_most_20_ids(api, adv_id, make_campaign):
    ids = [make_campaign() for _ in range(21)]

    answer = api.post("campaign/status/update/", {"advertiser_id": adv_id, "campaign_ids": ids, "operation_status": "DISABLE"})

    assert answer["code"] == 40011
    assert not SbCampaign.objects.filter(operation_status="DISABLE").exists()


def test_a_status_update_of_an_unknown_campaign_is_40007_and_changes_nothing(api, adv_id, make_campaign):
    known = make_campaign()

    answer = api.post(
        "campaign/status/update/", {"advertiser_id": adv_id, "campaign_ids": [known, "1700000000000000001"], "operation_status": "DISABLE"}
    )

    assert (answer["code"], answer["message"]) == (40007, "The campaign 1700000000000000001 does not exist.")
    assert SbCampaign.objects.get(campaign_id=known).operation_status == "ENABLE"


def test_deleting_a_campaign_hides_it_deletes_its_children_and_freezes_its_status(api, adv_id, make_ad):
    ad_id = make_ad()
    campaign_id = SbAd.objects.get(ad_id=ad_id).campaign.campaign_id
    api.post("campaign/status/update/", {"advertiser_id": adv_id, "campaign_ids": [campaign_id], "operation_status": "DELETE"})

    hidden = api.get("campaign/get/", advertiser_id=adv_id)
    shown = api.get("campaign/get/", advertiser_id=adv_id, filtering={"primary_status": "STATUS_ALL"})
    revived = api.post("campaign/status/update/", {"advertiser_id": adv_id, "campaign_ids": [campaign_id], "operation_status": "ENABLE"})

    assert hidden["data"]["list"] == []
    assert shown["data"]["list"][0]["operation_status"] == "DELETE"
    assert revived["code"] == 40002 and "deleted" in revived["message"]
    assert SbAdGroup.objects.get().operation_status == "DELETE" and SbAd.objects.get().operation_status == "DELETE"


def test_a_campaign_update_changes_name_and_budget(api, adv_id, make_campaign):
    campaign_id = make_campaign(budget_mode="BUDGET_MODE_DAY", budget=50)

    answer = api.post("campaign/update/", {"advertiser_id": adv_id, "campaign_id": campaign_id, "campaign_name": "renamed", "budget": 80})

    assert answer["code"] == 0
    campaign = SbCampaign.objects.get()
    assert (campaign.campaign_name, campaign.budget, campaign.budget_mode) == ("renamed", 80, "BUDGET_MODE_DAY")


def test_a_campaign_update_checks_the_budget_minimum(api, adv_id, make_campaign):
    campaign_id = make_campaign(budget_mode="BUDGET_MODE_DAY", budget=50)

    answer = api.post("campaign/update/", {"advertiser_id": adv_id, "campaign_id": campaign_id, "budget": 10})

    assert answer["code"] == 40002 and answer["message"].startswith("budget: must be ≥ 50")


def test_a_campaigns_objective_cannot_change(api, adv_id, make_campaign):
    campaign_id = make_campaign()

    answer = api.post("campaign/update/", {"advertiser_id": adv_id, "campaign_id": campaign_id, "objective_type": "TRAFFIC"})

    assert answer["code"] == 40002 and answer["message"] == "objective_type: cannot be changed after creation"


def test_campaign_get_filters_by_objective(api, adv_id, make_campaign):
    make_campaign()
    reach = make_campaign(objective_type="REACH")

    body = api.get("campaign/get/", advertiser_id=adv_id, filtering={"objective_type": "REACH"})

    assert [c["campaign_id"] for c in body["data"]["list"]] == [reach]


def test_campaign_budget_optimization_needs_a_campaign_budget(api, adv_id):
    answer = api.post("campaign/create/", campaign_body(adv_id, budget_optimize_on=True))

    assert answer["code"] == 40002 and answer["message"].startswith("budget_optimize_on:")


def test_an_absurd_budget_is_refused_not_stored(api, adv_id):
    answer = api.post("campaign/create/", campaign_body(adv_id, budget_mode="BUDGET_MODE_DAY", budget=1e12))

    assert answer["code"] == 40002 and answer["message"].startswith("budget: must be less than")


def test_an_empty_id_filter_is_40002(api, adv_id):
    answer = api.get("campaign/get/", advertiser_id=adv_id, filtering={"campaign_ids": []})

    assert answer["code"] == 40002 and answer["message"] == "filtering.campaign_ids: must not be empty"
