"""The envelope, the Access-Token checks, routing quirks and GET parameter encoding."""

import re

import pytest

from sandbox import services
from sandbox.models import SbToken

from .conftest import PREFIX, Api

pytestmark = pytest.mark.django_db


def test_a_success_is_http_200_with_the_full_envelope(api, adv_id):
    response = api.client.get(PREFIX + "campaign/get/", {"advertiser_id": adv_id}, headers=api.headers())

    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"code", "message", "request_id", "data"}
    assert (body["code"], body["message"]) == (0, "OK")
    assert re.fullmatch(r"\d{14}[0-9A-F]{12}", body["request_id"])
    assert response["X-Tt-Logid"] == body["request_id"]


def test_every_answer_gets_a_fresh_request_id(api, adv_id):
    first = api.get("campaign/get/", advertiser_id=adv_id)["request_id"]
    second = api.get("campaign/get/", advertiser_id=adv_id)["request_id"]

    assert first != second


def test_it_rejects_missing_access_token_with_40104(client, adv_id):
    body = Api(client, "").get("campaign/get/", advertiser_id=adv_id)

    assert body["code"] == 40104
    assert body["message"] == "Access token is null, you should set it in http header with key Access-Token."
    assert body["data"] == {}


def test_it_rejects_an_unknown_token_with_40105(client, adv_id):
    body = Api(client, "not-a-token").get("campaign/get/", advertiser_id=adv_id)

    assert (body["code"], body["message"]) == (40105, "Access token is incorrect or has been revoked.")


def test_it_rejects_a_revoked_token_with_40105(api, adv_id):
    SbToken.objects.filter(token=api.token).update(revoked=True)

    assert api.get("campaign/get/", advertiser_id=adv_id)["code"] == 40105


def test_it_rejects_an_advertiser_the_token_does_not_cover_with_40001(api, sb_app):
    other = services.sandbox_advertiser_create(app=sb_app, name="Someone else")

    body = api.get("campaign/get/", advertiser_id=other.advertiser_id)

    assert body["code"] == 40001 and other.advertiser_id in body["message"]
    assert body["data"] == {}


def test_an_unknown_advertiser_is_a_permission_error_too(api):
    assert api.get("campaign/get/", advertiser_id="7999999999999999999")["code"] == 40001


def test_a_missing_advertiser_id_is_40002(api):
    body = api.get("campaign/get/")

    assert (body["code"], body["message"]) == (40002, "advertiser_id: required")


def test_a_path_without_its_trailing_slash_is_a_plain_404(api, adv_id):
    response = api.client.get(PREFIX + "campaign/get", {"advertiser_id": adv_id}, headers=api.headers())

    assert response.status_code == 404
    assert response.content == b"404 page not found"


def test_an_unknown_path_is_a_plain_404_even_for_post(api):
    response = api.client.post(PREFIX + "campaign/nope/", {}, content_type="application/json", headers=api.headers())

    assert response.status_code == 404 and response.content == b"404 page not found"


def test_a_wrong_method_is_http_405(api):
    response = api.client.get(PREFIX + "campaign/create/", headers=api.headers())

    assert response.status_code == 405


def test_get_arrays_and_objects_arrive_as_json_strings(api, adv_id, make_campaign):
    wanted = make_campaign(campaign_name="wanted")
    make_campaign(campaign_name="other")

    body = api.get("campaign/get/", advertiser_id=adv_id, filtering={"campaign_ids": [wanted]}, fields=["campaign_id", "campaign_name"])

    assert body["code"] == 0
    assert body["data"]["list"] == [{"campaign_id": wanted, "campaign_name": "wanted"}]


def test_malformed_json_in_a_get_parameter_is_40002_naming_it(api, adv_id):
    body = api.get("campaign/get/", advertiser_id=adv_id, filtering='{"campaign_ids": [')

    assert body["code"] == 40002 and body["message"].startswith("filtering:")


def test_a_post_body_must_be_json(api, adv_id):
    response = api.client.post(PREFIX + "campaign/create/", {"advertiser_id": adv_id}, headers=api.headers())

    assert response.json()["code"] == 40002 and "application/json" in response.json()["message"]


def test_a_list_shows_page_info(api, adv_id, make_campaign):
    for _ in range(3):
        make_campaign()

    body = api.get("campaign/get/", advertiser_id=adv_id, page=2, page_size=2)

    assert len(body["data"]["list"]) == 1
    assert body["data"]["page_info"] == {"page": 2, "page_size": 2, "total_number": 3, "total_page": 2}


def test_pages_default_to_ten_items(api, adv_id):
    assert api.get("campaign/get/", advertiser_id=adv_id)["data"]["page_info"] == {
        "page": 1, "page_size": 10, "total_number": 0, "total_page": 0,
    }


@pytest.mark.parametrize(("page", "page_size"), [(1, 1001), (1, 0), (0, 10), ("x", 10)])
def test_it_rejects_out_of_range_paging(api, adv_id, page, page_size):
    body = api.get("campaign/get/", advertiser_id=adv_id, page=page, page_size=page_size)

    assert body["code"] == 40002 and body["message"].startswith(("page:", "page_size:"))


def test_a_page_size_of_1000_is_allowed(api, adv_id):
    assert api.get("campaign/get/", advertiser_id=adv_id, page_size=1000)["code"] == 0


def test_get_filters_take_at_most_100_ids(api, adv_id):
    ids = [str(1700000000000000000 + n) for n in range(101)]

    body = api.get("campaign/get/", advertiser_id=adv_id, filtering={"campaign_ids": ids})

    assert body["code"] == 40011
