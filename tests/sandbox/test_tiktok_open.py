"""The TikTok v2 stand-in (sandbox/tiktok_open/) over Django's test client: consent page, token
endpoint with rotation, posting limits and shapes, chunked upload, status and Display API."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.utils import timezone

from sandbox.market.engine import market_advance_day
from sandbox.models import SbOpenPublish, SbOpenToken, SbOrganicPost
from sandbox.tiktok_open import services

from .conftest import mp4_bytes

pytestmark = pytest.mark.django_db

V2 = "/sandbox/tiktok-open/v2/"
MB = 1024 * 1024
CALLBACK = "https://adloop.example.com/accounts/tiktok/callback"


@pytest.fixture
def creator():
    return services.open_user_ensure(username="blender_shop", followers=1000)


@pytest.fixture
def grant(creator, settings):
    return services.open_token_issue(user=creator, client_key=settings.TIKTOK_CLIENT_KEY, scope=",".join(services.SCOPES))


def bearer(token: SbOpenToken) -> dict:
    return {"Authorization": f"Bearer {token.access_token}"}


def post(client, path, body=None, token=None, **kwargs):
    return client.post(V2 + path, body if body is not None else {}, content_type="application/json",
                       headers=bearer(token) if token else {}, **kwargs)


def init_body(size: int, chunk: int | None = None, count: int = 1, privacy: str = "PUBLIC_TO_EVERYONE") -> dict:
    return {"post_info": {"title": "Fresh juice #blender", "privacy_level": privacy},
            "source_info": {"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk or size, "total_chunk_count": count}}


def put(client, upload_url: str, data: bytes, first: int, total: int, last: int | None = None):
    last = first + len(data) - 1 if last is None else last
    parts = urlsplit(upload_url)
    return client.generic("PUT", f"{parts.path}?{parts.query}", data, content_type="video/mp4",
                          headers={"Content-Range": f"bytes {first}-{last}/{total}"})


def error_code(response) -> str:
    return response.json()["error"]["code"]


# -- consent and tokens ------------------------------------------------------------------------

def authorize_url(settings, **overrides) -> str:
    params = {"client_key": settings.TIKTOK_CLIENT_KEY, "scope": "user.info.basic,video.publish", "response_type": "code",
              "redirect_uri": CALLBACK, "state": "st-9"} | overrides
    return f"{V2}auth/authorize/?{urlencode(params)}"


def test_the_consent_page_needs_a_login(client, settings):
    response = client.get(authorize_url(settings))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_consent_page_issues_a_code_and_redirects_with_state(admin_client, settings):
    page = admin_client.get(authorize_url(settings))
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()
    response = admin_client.post(authorize_url(settings), {"username": "@new_creator"})
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert response["Location"].startswith(CALLBACK + "?")
    assert query["state"] == ["st-9"] and query["scopes"] == ["user.info.basic,video.publish"] and query["code"][0]


@pytest.mark.parametrize("override", [{"client_key": "nope"}, {"response_type": "token"}, {"redirect_uri": "/relative"},
                                      {"scope": "video.delete"}])
def test_the_consent_page_refuses_bad_requests(admin_client, settings, override):
    assert admin_client.get(authorize_url(settings, **override)).status_code == 400


def token_call(client, settings, **form):
    base = {"client_key": settings.TIKTOK_CLIENT_KEY, "client_secret": settings.TIKTOK_CLIENT_SECRET}
    return client.post(V2 + "oauth/token/", urlencode(base | form), content_type="application/x-www-form-urlencoded")


def test_code_exchange_then_refresh_rotates(client, settings, creator):
    code = services.open_code_issue(user=creator, client_key=settings.TIKTOK_CLIENT_KEY, redirect_uri=CALLBACK, scope="video.publish")
    first = token_call(client, settings, grant_type="authorization_code", code=code.code, redirect_uri=CALLBACK).json()
    assert first["open_id"] == creator.open_id and first["expires_in"] == 7200 and first["token_type"] == "Bearer"
    assert first["refresh_expires_in"] > 179 * 86400 and first["scope"] == "video.publish"
    again = token_call(client, settings, grant_type="authorization_code", code=code.code, redirect_uri=CALLBACK)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    second = token_call(client, settings, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"] and second["access_token"] != first["access_token"]
    reused = token_call(client, settings, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    assert token_call(client, settings, grant_type="refresh_token", refresh_token=second["refresh_token"]).status_code == 200


def test_token_endpoint_checks_client_and_redirect(client, settings, creator):
    code = services.open_code_issue(user=creator, client_key=settings.TIKTOK_CLIENT_KEY, redirect_uri=CALLBACK, scope="video.publish")
    wrong = token_call(client, settings, client_secret="x", grant_type="authorization_code", code=code.code, redirect_uri=CALLBACK)
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    other = token_call(client, settings, grant_type="authorization_code", code=code.code, redirect_uri=CALLBACK + "x")
    assert other.json()["error"] == "invalid_grant"
    json_body = client.post(V2 + "oauth/token/", {"grant_type": "refresh_token"}, content_type="application/json")
    assert json_body.json()["error"] == "invalid_request"


# -- auth, scopes, envelope ---------------------------------------------------------------------

def test_an_expired_or_missing_token_is_access_token_invalid(client, grant):
    assert post(client, "post/publish/creator_info/query/").status_code == 401
    SbOpenToken.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = post(client, "post/publish/creator_info/query/", token=grant)
    assert response.status_code == 401 and error_code(response) == "access_token_invalid"
    assert set(response.json()["error"]) == {"code", "message", "log_id"}


def test_a_missing_scope_is_scope_not_authorized(client, creator, settings):
    token = services.open_token_issue(user=creator, client_key=settings.TIKTOK_CLIENT_KEY, scope="user.info.basic")
    response = post(client, "post/publish/creator_info/query/", token=token)
    assert response.status_code == 401 and error_code(response) == "scope_not_authorized"
    stats = client.get(V2 + "user/info/", {"fields": "open_id,follower_count"}, headers=bearer(token))
    assert error_code(stats) == "scope_not_authorized"


def test_creator_info_offers_privacy_options(client, grant, creator):
    data = post(client, "post/publish/creator_info/query/", token=grant).json()
    assert data["error"]["code"] == "ok"
    assert data["data"]["privacy_level_options"] == ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
    assert data["data"]["max_video_post_duration_sec"] == 600 and data["data"]["creator_username"] == "blender_shop"
    creator.is_private = True
    creator.save()
    data = post(client, "post/publish/creator_info/query/", token=grant).json()
    assert data["data"]["privacy_level_options"][0] == "FOLLOWER_OF_CREATOR"


def test_creator_info_allows_20_a_minute(client, grant):
    for _ in range(20):
        assert post(client, "post/publish/creator_info/query/", token=grant).status_code == 200
    response = post(client, "post/publish/creator_info/query/", token=grant)
    assert response.status_code == 429 and error_code(response) == "rate_limit_exceeded"


def test_video_init_allows_6_a_minute_per_user(client, grant):
    for _ in range(6):
        assert error_code(post(client, "post/publish/video/init/", init_body(1000), token=grant)) == "ok"
    response = post(client, "post/publish/video/init/", init_body(1000), token=grant)
    assert response.status_code == 429 and error_code(response) == "rate_limit_exceeded"
    assert SbOpenPublish.objects.count() == 6


@pytest.mark.parametrize(("body", "code"), [
    (init_body(1000, privacy="FOLLOWER_OF_CREATOR"), "privacy_level_option_mismatch"),
    (init_body(1000, chunk=500, count=2), "invalid_params"),
    (init_body(25 * MB, chunk=10 * MB, count=3), "invalid_params"),
    (init_body(25 * MB, chunk=2 * MB, count=12), "invalid_params"),
    ({"post_info": {"privacy_level": "SELF_ONLY"}}, "invalid_params"),
    ({"post_info": {"privacy_level": "SELF_ONLY"}, "source_info": {"source": "PULL_FROM_URL", "video_url": "https://x"}},
     "url_ownership_unverified"),
])
def test_video_init_validates(client, grant, body, code):
    assert error_code(post(client, "post/publish/video/init/", body, token=grant)) == code


def test_video_init_accepts_the_transfer_guides_plans(client, grant):
    for body in (init_body(25 * MB, chunk=10 * MB, count=2), init_body(7 * MB), init_body(50_000_123, chunk=10_000_000, count=5)):
        data = post(client, "post/publish/video/init/", body, token=grant).json()
        assert data["error"]["code"] == "ok" and data["data"]["publish_id"]
        assert "/sandbox/tiktok-open/v2/upload/video/?upload_id=" in data["data"]["upload_url"]


# -- upload and status ---------------------------------------------------------------------------

def start(client, grant, body) -> dict:
    return post(client, "post/publish/video/init/", body, token=grant).json()["data"]


def status(client, grant, publish_id) -> dict:
    return post(client, "post/publish/status/fetch/", {"publish_id": publish_id}, token=grant).json()["data"]


def test_a_two_chunk_upload_publishes_and_registers_the_post(client, grant, creator):
    video = mp4_bytes(seconds=3)
    video += bytes(11 * MB - len(video))
    started = start(client, grant, init_body(len(video), chunk=5 * MB, count=2))
    assert status(client, grant, started["publish_id"])["status"] == "PROCESSING_UPLOAD"
    first = put(client, started["upload_url"], video[: 5 * MB], 0, len(video))
    assert first.status_code == 206
    assert status(client, grant, started["publish_id"]) == {"status": "PROCESSING_UPLOAD", "uploaded_bytes": 5 * MB, "downloaded_bytes": 0}
    last = put(client, started["upload_url"], video[5 * MB:], 5 * MB, len(video))
    assert last.status_code == 201
    done = status(client, grant, started["publish_id"])
    assert done["status"] == "PUBLISH_COMPLETE" and len(str(done["publicaly_available_post_id"][0])) == 19
    publish = SbOpenPublish.objects.get()
    assert open(publish.video.path, "rb").read() == video and publish.duration_s == 3.0
    assert SbOrganicPost.objects.filter(account__account_key=creator.account_key, post_key=publish.post_id).exists()
    assert put(client, started["upload_url"], video[:10], 0, len(video)).status_code == 409


def test_upload_checks_range_continuity_and_size(client, grant):
    video = mp4_bytes() + bytes(11 * MB)
    started = start(client, grant, init_body(len(video), chunk=5 * MB, count=2))
    url = started["upload_url"]
    assert put(client, url, video[5 * MB:], 5 * MB, len(video)).status_code == 416  # skips the first chunk
    assert put(client, url, video[: 5 * MB], 0, len(video) + 1).status_code == 416  # wrong total
    assert put(client, url, video[: 4 * MB], 0, len(video)).status_code == 416  # not the planned chunk size
    assert put(client, url, video[: 4 * MB], 0, len(video), last=5 * MB - 1).status_code == 400  # body shorter than the range
    bad_token = url.replace("upload_token=", "upload_token=x")
    assert put(client, bad_token, video[: 5 * MB], 0, len(video)).status_code == 404
    assert SbOpenPublish.objects.get().bytes_received == 0


def test_a_file_that_is_not_an_mp4_fails(client, grant):
    started = start(client, grant, init_body(1000))
    assert put(client, started["upload_url"], b"x" * 1000, 0, 1000).status_code == 201
    data = status(client, grant, started["publish_id"])
    assert data["status"] == "FAILED" and data["fail_reason"] == "file_format_check_failed"


def test_status_fetch_only_sees_the_users_own_publishes(client, grant, settings):
    started = start(client, grant, init_body(1000))
    other = services.open_token_issue(user=services.open_user_ensure(username="other"), client_key=settings.TIKTOK_CLIENT_KEY,
                                      scope="video.publish")
    assert error_code(post(client, "post/publish/status/fetch/", {"publish_id": started["publish_id"]}, token=other)) == "invalid_params"


# -- Display API -----------------------------------------------------------------------------

def publish_video(client, grant, seconds=2) -> str:
    video = mp4_bytes(seconds=seconds)
    started = start(client, grant, init_body(len(video)))
    assert put(client, started["upload_url"], video, 0, len(video)).status_code == 201
    return str(status(client, grant, started["publish_id"])["publicaly_available_post_id"][0])


def test_user_info_returns_the_asked_fields_with_simulated_followers(client, grant, creator):
    response = client.get(V2 + "user/info/", {"fields": "open_id,username,follower_count,video_count"}, headers=bearer(grant))
    assert response.json()["data"]["user"] == {"open_id": creator.open_id, "username": "blender_shop", "follower_count": 1000,
                                               "video_count": 0}
    assert error_code(client.get(V2 + "user/info/", headers=bearer(grant))) == "invalid_params"
    assert error_code(client.get(V2 + "user/info/", {"fields": "open_id,secret"}, headers=bearer(grant))) == "invalid_params"


def test_video_list_pages_newest_first_with_organic_counts(client, grant):
    ids = [publish_video(client, grant) for _ in range(3)]
    market_advance_day()
    fields = {"fields": "id,view_count,like_count"}
    first = client.post(f"{V2}video/list/?{urlencode(fields)}", {"max_count": 2}, content_type="application/json", headers=bearer(grant))
    data = first.json()["data"]
    assert [v["id"] for v in data["videos"]] == ids[::-1][:2] and data["has_more"] is True
    assert all(v["view_count"] > 0 for v in data["videos"]) and set(data["videos"][0]) == {"id", "view_count", "like_count"}
    rest = client.post(f"{V2}video/list/?{urlencode(fields)}", {"max_count": 2, "cursor": data["cursor"]},
                       content_type="application/json", headers=bearer(grant)).json()["data"]
    assert [v["id"] for v in rest["videos"]] == [ids[0]] and rest["has_more"] is False
    too_many = client.post(f"{V2}video/list/?{urlencode(fields)}", {"max_count": 21}, content_type="application/json",
                           headers=bearer(grant))
    assert error_code(too_many) == "invalid_params"
