"""advertiser/info, identities, and ad video upload / search / info."""

import hashlib

import pytest

from sandbox import services
from sandbox.models import SbVideo

from .conftest import mp4_bytes

pytestmark = pytest.mark.django_db


def test_advertiser_info_answers_the_documented_fields(api, adv_id, sb_advertiser):
    body = api.get("advertiser/info/", advertiser_ids=[adv_id])

    [info] = body["data"]["list"]
    assert info["advertiser_id"] == adv_id and info["name"] == "Test Shop"
    assert (info["currency"], info["timezone"], info["status"], info["role"]) == ("USD", "UTC", "STATUS_ENABLE", "ROLE_ADVERTISER")
    assert info["create_time"] == int(sb_advertiser.create_time.timestamp())
    assert {"display_timezone", "balance", "country", "company"} <= set(info)


def test_advertiser_info_narrows_to_the_fields_asked(api, adv_id):
    body = api.get("advertiser/info/", advertiser_ids=[adv_id], fields=["name", "currency"])

    assert body["data"]["list"] == [{"name": "Test Shop", "currency": "USD"}]


def test_advertiser_info_rejects_an_unknown_field(api, adv_id):
    assert api.get("advertiser/info/", advertiser_ids=[adv_id], fields=["shoe_size"])["code"] == 40002


def test_advertiser_info_takes_at_most_100_ids(api, adv_id):
    assert api.get("advertiser/info/", advertiser_ids=[adv_id] * 101)["code"] == 40011


def test_advertiser_info_refuses_a_foreign_advertiser(api, adv_id, sb_app):
    other = services.sandbox_advertiser_create(app=sb_app, name="Other")

    assert api.get("advertiser/info/", advertiser_ids=[adv_id, other.advertiser_id])["code"] == 40001


def test_an_identity_is_created_and_listed(api, adv_id):
    created = api.post("identity/create/", {"advertiser_id": adv_id, "display_name": "Blender Shop"})

    listed = api.get("identity/get/", advertiser_id=adv_id)

    identity_id = created["data"]["identity_id"]
    assert listed["data"]["identity_list"] == [
        {"identity_id": identity_id, "identity_type": "CUSTOMIZED_USER", "display_name": "Blender Shop", "profile_image": ""}
    ]
    assert listed["data"]["page_info"]["total_number"] == 1


def test_an_identity_name_is_1_to_100_characters(api, adv_id):
    assert api.post("identity/create/", {"advertiser_id": adv_id, "display_name": ""})["code"] == 40002
    assert api.post("identity/create/", {"advertiser_id": adv_id, "display_name": "x" * 101})["code"] == 40002


def test_a_video_upload_answers_a_list_with_one_video(api, adv_id):
    content = mp4_bytes(width=360, height=640, seconds=3)

    body = api.upload(adv_id, content, file_name="blender-1.mp4")

    assert body["code"] == 0 and isinstance(body["data"], list) and len(body["data"]) == 1
    video = body["data"][0]
    assert video["video_id"].startswith("v10033g50000")
    assert (video["file_name"], video["signature"], video["size"]) == ("blender-1.mp4", hashlib.md5(content).hexdigest(), len(content))
    assert (video["width"], video["height"], video["duration"], video["format"]) == (360, 640, 3.0, "mp4")
    assert video["displayable"] is True and "PLACEMENT_TIKTOK" in video["allowed_placements"]
    stored = SbVideo.objects.get(video_id=video["video_id"])
    assert stored.file.read() == content


def test_an_unparseable_video_still_uploads_with_default_media_info(api, adv_id):
    video = api.upload(adv_id, b"not really a video")["data"][0]

    assert (video["width"], video["height"], video["duration"]) == (720, 1280, 15.0)


def test_a_wrong_signature_is_40900(api, adv_id):
    body = api.upload(adv_id, mp4_bytes(), signature="0" * 32)

    assert body["code"] == 40900 and body["data"] == {}
    assert not SbVideo.objects.exists()


def test_a_duplicate_file_name_is_40911(api, adv_id):
    api.upload(adv_id, mp4_bytes(), file_name="same.mp4")

    body = api.upload(adv_id, mp4_bytes(seconds=5), file_name="same.mp4")

    assert body["code"] == 40911
    assert SbVideo.objects.count() == 1


def test_an_empty_file_is_40906(api, adv_id):
    assert api.upload(adv_id, b"")["code"] == 40906


def test_a_missing_file_is_40002(api, adv_id):
    response = api.client.post(
        "/sandbox/tiktok/open_api/v1.3/file/video/ad/upload/",
        {"advertiser_id": adv_id, "upload_type": "UPLOAD_BY_FILE", "video_signature": "0" * 32},
        headers=api.headers(),
    )

    assert response.json()["code"] == 40002 and "video_file" in response.json()["message"]


def test_the_same_bytes_uploaded_twice_get_two_video_ids(api, adv_id):
    first = api.upload(adv_id, mp4_bytes(), file_name="a.mp4")["data"][0]["video_id"]
    second = api.upload(adv_id, mp4_bytes(), file_name="b.mp4")["data"][0]["video_id"]

    assert first != second


def test_a_video_is_found_by_file_name_after_a_lost_upload_answer(api, adv_id):
    uploaded = api.upload(adv_id, mp4_bytes(), file_name="lost.mp4")["data"][0]
    api.upload(adv_id, mp4_bytes(), file_name="other.mp4")

    body = api.get("file/video/ad/search/", advertiser_id=adv_id, filtering={"file_names": ["lost.mp4"]})

    assert [v["video_id"] for v in body["data"]["list"]] == [uploaded["video_id"]]
    assert body["data"]["page_info"]["total_number"] == 1


def test_video_search_filters_by_video_ids(api, adv_id, video_id):
    api.upload(adv_id, mp4_bytes(), file_name="other.mp4")

    body = api.get("file/video/ad/search/", advertiser_id=adv_id, filtering={"video_ids": [video_id]})

    assert [v["video_id"] for v in body["data"]["list"]] == [video_id]


def test_video_info_answers_the_videos_asked(api, adv_id, video_id):
    body = api.get("file/video/ad/info/", advertiser_id=adv_id, video_ids=[video_id, "v10033g50000unknown"])

    assert [v["video_id"] for v in body["data"]["list"]] == [video_id]
