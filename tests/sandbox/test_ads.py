"""ad/create, get, update and status update."""

import pytest

from sandbox.models import SbAd

from .conftest import creative

pytestmark = pytest.mark.django_db


def create(api, adv_id, adgroup_id, *creatives):
    return api.post("ad/create/", {"advertiser_id": adv_id, "adgroup_id": adgroup_id, "creatives": list(creatives)})


def test_an_ad_is_created_and_echoed_by_get(api, adv_id, make_adgroup, video_id):
    adgroup_id = make_adgroup()

    answer = create(api, adv_id, adgroup_id, creative(video_id, music_id="m-1"))

    [ad_id] = answer["data"]["ad_ids"]
    [ad] = api.get("ad/get/", advertiser_id=adv_id, filtering={"ad_ids": [ad_id]})["data"]["list"]
    assert (ad["ad_name"], ad["ad_text"], ad["video_id"], ad["call_to_action"]) == ("Blender ad", "Fresh juice anywhere", video_id, "SHOP_NOW")
    assert (ad["landing_page_url"], ad["adgroup_id"], ad["operation_status"]) == ("https://shop.example.com/blender", adgroup_id, "ENABLE")
    assert ad["campaign_id"] == SbAd.objects.get().campaign.campaign_id
    assert ad["music_id"] == "m-1" and ad["create_time"] and ad["modify_time"]


def test_creating_the_same_ad_twice_makes_two_ads(api, adv_id, make_adgroup, video_id):
    adgroup_id = make_adgroup()

    first = create(api, adv_id, adgroup_id, creative(video_id))
    second = create(api, adv_id, adgroup_id, creative(video_id))

    assert first["data"]["ad_ids"] != second["data"]["ad_ids"]
    assert SbAd.objects.filter(ad_name="Blender ad").count() == 2


def test_an_ad_needs_a_video_of_the_advertiser(api, adv_id, make_adgroup):
    answer = create(api, adv_id, make_adgroup(), creative("v10033g50000nope"))

    assert (answer["code"], answer["message"]) == (40007, "The video v10033g50000nope does not exist.")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ad_text": "x" * 101}, "creatives[0].ad_text: must be at most 100 characters"),
        ({"ad_text": None}, "creatives[0].ad_text: required"),
        ({"call_to_action": "BUY_IT"}, "creatives[0].call_to_action: must be one of"),
        ({"landing_page_url": "ftp://shop.example.com"}, "creatives[0].landing_page_url: must be an http or https URL"),
        ({"display_name": "x" * 41}, "creatives[0].display_name: must be at most 40 characters"),
        ({"identity_id": "123"}, "creatives[0].identity_type: required with identity_id"),
        ({"ad_format": None}, "creatives[0].ad_format: required"),
    ],
)
def test_ad_create_rejects_invalid_creatives_with_40002(api, adv_id, make_adgroup, video_id, overrides, message):
    body = {k: v for k, v in creative(video_id, **overrides).items() if v is not None}

    answer = create(api, adv_id, make_adgroup(), body)

    assert answer["code"] == 40002 and answer["message"].startswith(message), answer["message"]
    assert not SbAd.objects.exists()


def test_a_website_adgroup_needs_a_landing_page(api, adv_id, make_campaign, make_adgroup, video_id):
    adgroup_id = make_adgroup(make_campaign(objective_type="TRAFFIC"), promotion_type="WEBSITE", billing_event="CPC", optimization_goal="CLICK", bid_price=0.5)
    body = creative(video_id)
    del body["landing_page_url"]

    answer = create(api, adv_id, adgroup_id, body)

    assert answer["message"] == "creatives[0].landing_page_url: required"


def test_a_custom_identity_must_exist_and_lends_its_name(api, adv_id, make_adgroup, video_id):
    identity_id = api.post("identity/create/", {"advertiser_id": adv_id, "display_name": "Blender Shop"})["data"]["identity_id"]
    body = creative(video_id, identity_id=identity_id, identity_type="CUSTOMIZED_USER")
    del body["display_name"]

    missing = create(api, adv_id, make_adgroup(), {**body, "identity_id": "1700000000000000000"})
    created = create(api, adv_id, make_adgroup(), body)

    assert missing["code"] == 40007
    assert created["code"] == 0 and SbAd.objects.get().display_name == "Blender Shop"


def test_one_call_takes_at_most_20_creatives(api, adv_id, make_adgroup, video_id):
    answer = create(api, adv_id, make_adgroup(), *[creative(video_id)] * 21)

    assert answer["code"] == 40002 and answer["message"].startswith("creatives: at most 20")


def test_an_adgroup_holds_at_most_20_ads(api, adv_id, make_adgroup, video_id):
    adgroup_id = make_adgroup()
    create(api, adv_id, adgroup_id, *[creative(video_id)] * 20)

    answer = create(api, adv_id, adgroup_id, creative(video_id))

    assert answer["code"] == 40502
    assert SbAd.objects.count() == 20


def test_ad_get_filters_by_adgroup_and_campaign(api, adv_id, make_adgroup, make_ad):
    first, second = make_adgroup(), make_adgroup()
    wanted = make_ad(first)
    make_ad(second)
    campaign_id = SbAd.objects.get(ad_id=wanted).campaign.campaign_id

    by_adgroup = api.get("ad/get/", advertiser_id=adv_id, filtering={"adgroup_ids": [first]})
    by_campaign = api.get("ad/get/", advertiser_id=adv_id, filtering={"campaign_ids": [campaign_id]})

    assert [a["ad_id"] for a in by_adgroup["data"]["list"]] == [wanted]
    assert [a["ad_id"] for a in by_campaign["data"]["list"]] == [wanted]


def test_ad_status_update_disables_then_get_shows_disable(api, adv_id, make_ad):
    ad_id = make_ad()

    answer = api.post("ad/status/update/", {"advertiser_id": adv_id, "ad_ids": [ad_id], "operation_status": "DISABLE"})

    assert answer["data"] == {"ad_ids": [ad_id], "aco_ad_ids": [], "status": "DISABLE"}
    assert api.get("ad/get/", advertiser_id=adv_id)["data"]["list"][0]["operation_status"] == "DISABLE"


def test_ad_status_update_takes_at_most_20_ids(api, adv_id):
    ids = [str(1700000000000000000 + n) for n in range(21)]

    assert api.post("ad/status/update/", {"advertiser_id": adv_id, "ad_ids": ids, "operation_status": "DISABLE"})["code"] == 40011


def test_a_patch_update_changes_only_patchable_fields(api, adv_id, make_ad):
    ad_id = make_ad()
    ad = SbAd.objects.get()
    api.post("ad/status/update/", {"advertiser_id": adv_id, "ad_ids": [ad_id], "operation_status": "DISABLE"})

    answer = api.post(
        "ad/update/",
        {
            "advertiser_id": adv_id, "adgroup_id": ad.adgroup.adgroup_id, "patch_update": True,
            "creatives": [{"ad_id": ad_id, "ad_text": "New text", "landing_page_url": "https://elsewhere.example.com"}],
        },
    )

    ad.refresh_from_db()
    assert answer["data"] == {"ad_ids": [ad_id]}
    assert (ad.ad_text, ad.landing_page_url, ad.operation_status) == ("New text", "https://shop.example.com/blender", "DISABLE")


def test_an_update_without_patch_replaces_the_creative(api, adv_id, make_ad, video_id):
    ad_id = make_ad()
    ad = SbAd.objects.get()
    replacement = {"ad_id": ad_id, **creative(video_id, ad_name="Replaced", call_to_action=None)}
    del replacement["call_to_action"]

    answer = api.post("ad/update/", {"advertiser_id": adv_id, "adgroup_id": ad.adgroup.adgroup_id, "creatives": [replacement]})

    ad.refresh_from_db()
    assert answer["code"] == 0
    assert (ad.ad_name, ad.call_to_action) == ("Replaced", "")
