"""The TikTok v2 client (integrations.tiktok_content) at the HTTP seam, faked with `responses`."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from integrations.publishing import (
    AccountError,
    PostRequest,
    ProtocolMismatch,
    PublishStatus,
    RateLimited,
    Rejected,
    Transient,
)
from integrations.tiktok_content import (
    StatsSnapshot,
    TikTokContentProvider,
    VideoTotals,
    authorization_url,
    day_from_snapshots,
    token_exchange,
    token_refresh,
)
from integrations.tiktok_content.media import mp4_duration_s
from integrations.tiktok_content.provider import MB, choose_privacy, chunk_plan, chunk_ranges
from integrations.tiktok_content.ratelimit import SlidingWindow
from tests.sandbox.conftest import mp4_bytes

BASE = "https://open.example.test"
UPLOAD = "https://upload.example.test/video/?upload_id=p1&upload_token=t1"
OPTIONS = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]


def v2(data=None, code="ok", message="", log_id="log-1") -> dict:
    return {"data": {} if data is None else data, "error": {"code": code, "message": message, "log_id": log_id}}


class FakeTime:
    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def mock():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def provider(fake_time):
    return TikTokContentProvider(BASE, "act.1", "open-1", clock=fake_time.clock, sleep=fake_time.sleep)


def url(path: str) -> str:
    return f"{BASE}/v2/{path}/"


def video_file(tmp_path, size: int, seconds: int = 3):
    head = mp4_bytes(seconds=seconds)
    path = tmp_path / f"v{size}.mp4"
    path.write_bytes(head + bytes(size - len(head)))
    return path


def add_creator(mock, **overrides):
    data = {"privacy_level_options": OPTIONS, "max_video_post_duration_sec": 600, "comment_disabled": False} | overrides
    mock.post(url("post/publish/creator_info/query"), json=v2(data))


def add_publish(mock, *, chunks: int, status="PUBLISH_COMPLETE", post_ids=(7301,)):
    add_creator(mock)
    mock.post(url("post/publish/video/init"), json=v2({"publish_id": "p1", "upload_url": UPLOAD}))
    for i in range(chunks):
        mock.put(UPLOAD, status=201 if i == chunks - 1 else 206, json=v2({}))
    mock.post(url("post/publish/status/fetch"), json=v2({"status": status, "publicaly_available_post_id": list(post_ids)}))


# -- OAuth ---------------------------------------------------------------------------------------

def test_authorization_url_carries_comma_separated_scopes_and_state():
    scopes = ["video.publish", "video.list"]
    link = authorization_url("https://www.tiktok.com/v2/auth/authorize/", "ck", "https://a.example/cb", "st-1", scopes)
    query = parse_qs(urlsplit(link).query)
    assert link.startswith("https://www.tiktok.com/v2/auth/authorize/?")
    assert query == {"client_key": ["ck"], "scope": ["video.publish,video.list"], "response_type": ["code"],
                     "redirect_uri": ["https://a.example/cb"], "state": ["st-1"]}


def token_body(access="act.2", refresh="rft.2"):
    return {"access_token": access, "expires_in": 7200, "open_id": "open-1", "refresh_token": refresh,
            "refresh_expires_in": 15552000, "scope": "user.info.basic,video.publish", "token_type": "Bearer"}


def test_token_exchange_posts_a_form_and_returns_tokens(mock):
    mock.post(f"{BASE}/v2/oauth/token/", json=token_body())
    tokens = token_exchange(BASE, "ck", "cs", "code-1", "https://a.example/cb")
    sent = mock.calls[0].request
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(sent.body) == {"client_key": ["ck"], "client_secret": ["cs"], "code": ["code-1"],
                                   "grant_type": ["authorization_code"], "redirect_uri": ["https://a.example/cb"]}
    assert tokens.access_token == "act.2" and tokens.refresh_token == "rft.2" and tokens.open_id == "open-1"
    assert tokens.expires_in == 7200 and tokens.refresh_expires_in == 15552000 and tokens.scopes == ["user.info.basic", "video.publish"]


def test_token_refresh_returns_the_rotated_refresh_token(mock):
    mock.post(f"{BASE}/v2/oauth/token/", json=token_body(access="act.3", refresh="rft.3"))
    tokens = token_refresh(BASE, "ck", "cs", "rft.2")
    assert parse_qs(mock.calls[0].request.body)["grant_type"] == ["refresh_token"]
    assert parse_qs(mock.calls[0].request.body)["refresh_token"] == ["rft.2"]
    assert tokens.refresh_token == "rft.3" != "rft.2"


def test_a_spent_refresh_token_is_an_account_error_and_not_retried(mock):
    mock.post(f"{BASE}/v2/oauth/token/", status=400, json={"error": "invalid_grant", "error_description": "used", "log_id": "L"})
    with pytest.raises(AccountError) as caught:
        token_refresh(BASE, "ck", "cs", "rft.old")
    assert caught.value.code == "invalid_grant" and len(mock.calls) == 1


@pytest.mark.parametrize(("reply", "error"), [
    ({"status": 503, "body": "busy"}, Transient),
    ({"body": requests.ConnectionError("down")}, Transient),
    ({"status": 200, "json": {"access_token": "x"}}, ProtocolMismatch),
    ({"status": 429, "json": {"error": "rate_limit_exceeded"}}, RateLimited),
])
def test_token_endpoint_failures_are_typed(mock, reply, error):
    mock.post(f"{BASE}/v2/oauth/token/", **reply)
    with pytest.raises(error):
        token_exchange(BASE, "ck", "cs", "c", "https://a.example/cb")
    assert len(mock.calls) == 1


# -- envelope and errors -----------------------------------------------------------------------

def test_accounts_reads_user_info_with_bearer_token(mock, provider):
    mock.get(url("user/info"), json=v2({"user": {"open_id": "open-1", "display_name": "Shop", "username": "shop", "follower_count": 42}}))
    [account] = provider.accounts()
    sent = mock.calls[0].request
    assert sent.headers["Authorization"] == "Bearer act.1"
    assert parse_qs(urlsplit(sent.url).query)["fields"] == ["open_id,display_name,username,follower_count"]
    assert (account.account_id, account.handle, account.display_name, account.followers) == ("open-1", "shop", "Shop", 42)


@pytest.mark.parametrize(("status", "code", "error"), [
    (401, "access_token_invalid", AccountError),
    (401, "scope_not_authorized", AccountError),
    (400, "invalid_params", Rejected),
    (400, "privacy_level_option_mismatch", Rejected),
    (403, "spam_risk_too_many_posts", Rejected),
    (200, "spam_risk_text", Rejected),
    (429, "rate_limit_exceeded", RateLimited),
])
def test_error_codes_map_to_typed_errors(mock, provider, status, code, error):
    mock.get(url("user/info"), status=status, json=v2(code=code, message="nope", log_id="L9"))
    with pytest.raises(error) as caught:
        provider.accounts()
    assert caught.value.code == code and caught.value.request_id == "L9"
    assert len(mock.calls) == 1


def test_rate_limited_carries_retry_after(mock, provider):
    mock.get(url("user/info"), status=429, json=v2(code="rate_limit_exceeded"), headers={"Retry-After": "12"})
    with pytest.raises(RateLimited) as caught:
        provider.accounts()
    assert caught.value.retry_after_s == 12


def test_5xx_and_network_errors_are_retried_for_reads_then_transient(mock, provider, fake_time):
    mock.get(url("user/info"), status=502, body="bad gateway")
    mock.get(url("user/info"), body=requests.ConnectTimeout("slow"))
    mock.get(url("user/info"), status=500, json=v2(code="internal_error"))
    with pytest.raises(Transient):
        provider.accounts()
    assert len(mock.calls) == 3 and len(fake_time.sleeps) == 2


def test_a_transient_read_recovers_on_retry(mock, provider):
    mock.get(url("user/info"), status=503, body="")
    mock.get(url("user/info"), json=v2({"user": {"open_id": "open-1"}}))
    assert provider.accounts()[0].account_id == "open-1"


@pytest.mark.parametrize("reply", [
    {"body": "<html>oops</html>"},
    {"json": {"data": {"user": {}}}},
    {"json": {"data": [], "error": {"code": "ok"}}},
    {"json": v2({"nouser": 1})},
])
def test_malformed_answers_are_protocol_mismatch(mock, provider, reply):
    mock.get(url("user/info"), **reply)
    with pytest.raises(ProtocolMismatch):
        provider.accounts()


def test_a_token_for_another_account_is_refused(provider):
    with pytest.raises(AccountError):
        provider.publish_status(account_id="open-2", remote_id="p1")


# -- chunks ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("size", "plan"), [
    (1, (1, 1)), (5 * MB - 1, (5 * MB - 1, 1)), (5 * MB, (5 * MB, 1)), (10 * MB - 1, (10 * MB - 1, 1)),
    (10 * MB, (10 * MB, 1)), (25 * MB, (10 * MB, 2)), (50_000_123, (10 * MB, 4)), (300 * MB, (10 * MB, 30)),
])
def test_chunk_plan_follows_the_media_transfer_guide(size, plan):
    assert chunk_plan(size) == plan


def test_chunk_ranges_give_the_rest_to_the_last_chunk():
    assert chunk_ranges(25 * MB, 10 * MB, 2) == [(0, 10 * MB - 1), (10 * MB, 25 * MB - 1)]
    assert chunk_ranges(7, 7, 1) == [(0, 6)]


def test_empty_file_is_rejected():
    with pytest.raises(Rejected):
        chunk_plan(0)


def test_choose_privacy():
    assert choose_privacy("SELF_ONLY", OPTIONS) == "SELF_ONLY"
    assert choose_privacy("", OPTIONS) == "PUBLIC_TO_EVERYONE"
    private = ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
    assert choose_privacy("PUBLIC_TO_EVERYONE", private) == "FOLLOWER_OF_CREATOR"


def puts(mock):
    return [c.request for c in mock.calls if c.request.method == "PUT"]


def test_publish_a_small_file_in_one_chunk(mock, provider, tmp_path):
    path = video_file(tmp_path, 3000)
    add_publish(mock, chunks=1)
    result = provider.publish(PostRequest(account_id="open-1", video_path=path, title="Blender", hashtags=["juice", "#usb c"]))
    assert (result.remote_id, result.status, result.post_id) == ("p1", PublishStatus.PUBLISHED, "7301")
    init = json.loads(mock.calls[1].request.body)
    assert init["post_info"]["title"] == "Blender #juice #usbc"
    assert init["post_info"]["privacy_level"] == "PUBLIC_TO_EVERYONE"
    assert init["source_info"] == {"source": "FILE_UPLOAD", "video_size": 3000, "chunk_size": 3000, "total_chunk_count": 1}
    [put] = puts(mock)
    assert put.url == UPLOAD
    assert put.headers["Content-Type"] == "video/mp4" and put.headers["Content-Length"] == "3000"
    assert put.headers["Content-Range"] == "bytes 0-2999/3000"
    assert put.body == path.read_bytes()
    assert json.loads(mock.calls[-1].request.body) == {"publish_id": "p1"}


def test_publish_two_chunks(mock, provider, tmp_path):
    size = 25 * MB
    path = video_file(tmp_path, size)
    add_publish(mock, chunks=2, status="PROCESSING_UPLOAD", post_ids=())
    result = provider.publish(PostRequest(account_id="open-1", video_path=path, title="t", privacy_level="SELF_ONLY"))
    assert result.status == PublishStatus.PROCESSING and result.post_id == ""
    assert json.loads(mock.calls[1].request.body)["post_info"]["privacy_level"] == "SELF_ONLY"
    assert json.loads(mock.calls[1].request.body)["source_info"]["total_chunk_count"] == 2
    first, last = puts(mock)
    assert first.headers["Content-Range"] == f"bytes 0-{10 * MB - 1}/{size}" and first.headers["Content-Length"] == str(10 * MB)
    assert last.headers["Content-Range"] == f"bytes {10 * MB}-{size - 1}/{size}" and last.headers["Content-Length"] == str(15 * MB)
    assert first.body + last.body == path.read_bytes()


def test_publish_many_chunks(mock, tmp_path, fake_time):
    provider = TikTokContentProvider(BASE, "act.1", chunk_size=5 * MB, clock=fake_time.clock, sleep=fake_time.sleep)
    size = 5 * MB * 4 + 123
    path = video_file(tmp_path, size)
    add_publish(mock, chunks=4)
    provider.publish(PostRequest(account_id="open-1", video_path=path, title="t"))
    ranges = [p.headers["Content-Range"] for p in puts(mock)]
    step = 5 * MB
    assert ranges == [f"bytes {i * step}-{i * step + step - 1}/{size}" for i in range(3)] + [f"bytes {3 * step}-{size - 1}/{size}"]
    assert b"".join(p.body for p in puts(mock)) == path.read_bytes()


def test_a_video_longer_than_the_creator_may_post_is_rejected_before_init(mock, provider, tmp_path):
    path = video_file(tmp_path, 2000, seconds=90)
    add_creator(mock, max_video_post_duration_sec=60)
    with pytest.raises(Rejected, match="90s"):
        provider.publish(PostRequest(account_id="open-1", video_path=path, title="t"))


def test_video_init_is_never_retried(mock, provider, tmp_path):
    add_creator(mock)
    mock.post(url("post/publish/video/init"), body=requests.ReadTimeout("lost"))
    with pytest.raises(Transient):
        provider.publish(PostRequest(account_id="open-1", video_path=video_file(tmp_path, 2000), title="t"))
    assert [c.request.url for c in mock.calls].count(url("post/publish/video/init")) == 1


def test_a_failed_middle_chunk_raises_transient(mock, tmp_path, fake_time):
    provider = TikTokContentProvider(BASE, "act.1", chunk_size=5 * MB, clock=fake_time.clock, sleep=fake_time.sleep)
    add_creator(mock)
    mock.post(url("post/publish/video/init"), json=v2({"publish_id": "p1", "upload_url": UPLOAD}))
    mock.put(UPLOAD, status=206)
    mock.put(UPLOAD, status=500, body="oops")
    with pytest.raises(Transient):
        provider.publish(PostRequest(account_id="open-1", video_path=video_file(tmp_path, 15 * MB), title="t"))


def test_a_lost_answer_to_the_last_chunk_checks_the_status_instead_of_failing(mock, provider, tmp_path):
    add_creator(mock)
    mock.post(url("post/publish/video/init"), json=v2({"publish_id": "p1", "upload_url": UPLOAD}))
    mock.put(UPLOAD, body=requests.ReadTimeout("lost"))
    mock.post(url("post/publish/status/fetch"), json=v2({"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": [9]}))
    mock.post(url("post/publish/status/fetch"), json=v2({"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": [9]}))
    result = provider.publish(PostRequest(account_id="open-1", video_path=video_file(tmp_path, 2000), title="t"))
    assert result.status == PublishStatus.PUBLISHED and result.post_id == "9"


def test_once_uploaded_a_failing_status_fetch_reports_processing(mock, provider, tmp_path):
    add_creator(mock)
    mock.post(url("post/publish/video/init"), json=v2({"publish_id": "p1", "upload_url": UPLOAD}))
    mock.put(UPLOAD, status=201)
    for _ in range(3):
        mock.post(url("post/publish/status/fetch"), status=503, body="")
    result = provider.publish(PostRequest(account_id="open-1", video_path=video_file(tmp_path, 2000), title="t"))
    assert (result.remote_id, result.status) == ("p1", PublishStatus.PROCESSING)


def test_init_without_upload_url_is_protocol_mismatch(mock, provider, tmp_path):
    add_creator(mock)
    mock.post(url("post/publish/video/init"), json=v2({"publish_id": "p1"}))
    with pytest.raises(ProtocolMismatch):
        provider.publish(PostRequest(account_id="open-1", video_path=video_file(tmp_path, 2000), title="t"))


@pytest.mark.parametrize(("raw", "status", "reason"), [
    ({"status": "PROCESSING_DOWNLOAD"}, PublishStatus.PROCESSING, ""),
    ({"status": "FAILED", "fail_reason": "file_format_check_failed"}, PublishStatus.FAILED, "file_format_check_failed"),
])
def test_publish_status_maps_statuses(mock, provider, raw, status, reason):
    mock.post(url("post/publish/status/fetch"), json=v2(raw))
    result = provider.publish_status(account_id="open-1", remote_id="p1")
    assert (result.status, result.fail_reason) == (status, reason)


def test_an_unknown_status_is_protocol_mismatch(mock, provider):
    mock.post(url("post/publish/status/fetch"), json=v2({"status": "WEIRD"}))
    with pytest.raises(ProtocolMismatch):
        provider.publish_status(account_id="open-1", remote_id="p1")


# -- rate limits -------------------------------------------------------------------------------

def test_seven_inits_in_a_burst_the_seventh_waits(mock, provider, tmp_path, fake_time):
    path = video_file(tmp_path, 2000)
    for _ in range(7):
        add_publish(mock, chunks=1)
    for _ in range(6):
        provider.publish(PostRequest(account_id="open-1", video_path=path, title="t"))
        fake_time.now += 1  # each publish takes a second
    assert fake_time.sleeps == []
    result = provider.publish(PostRequest(account_id="open-1", video_path=path, title="t"))
    assert result.status == PublishStatus.PUBLISHED
    assert fake_time.sleeps == [pytest.approx(54.0)]  # the first init (t=1000) leaves the window at t=1060


def test_on_rate_limit_raise_refuses_instead_of_waiting(fake_time):
    window = SlidingWindow({"video_init": 2}, clock=fake_time.clock, sleep=fake_time.sleep)
    window.acquire("video_init", wait=False)
    window.acquire("video_init", wait=False)
    with pytest.raises(RateLimited) as caught:
        window.acquire("video_init", wait=False)
    assert caught.value.retry_after_s == pytest.approx(60.0)
    fake_time.now += 60
    window.acquire("video_init", wait=False)


def test_the_window_slides(fake_time):
    window = SlidingWindow({"k": 3}, clock=fake_time.clock, sleep=fake_time.sleep)
    for step in (0, 20, 20):
        fake_time.now += step
        window.acquire("k")
    assert window.acquire("k") == pytest.approx(20.0)  # waits for the call at t=1000 to leave
    assert window.acquire("unlimited") == 0


# -- stats -----------------------------------------------------------------------------------

def test_account_stats_is_the_delta_against_the_previous_snapshot(mock, provider):
    mock.get(url("user/info"), json=v2({"user": {"open_id": "open-1", "follower_count": 120}}))
    page = [{"id": "v3", "view_count": 50, "like_count": 5}] + [{"id": f"v{i}", "view_count": 10} for i in range(20, 39)]
    mock.post(url("video/list"), json=v2({"videos": page, "cursor": 111, "has_more": True}))
    mock.post(url("video/list"), json=v2({"videos": [{"id": "v1", "view_count": 300, "like_count": 30, "share_count": 3,
                                                      "comment_count": 2}], "cursor": 99, "has_more": False}))
    previous = StatsSnapshot(followers=100, videos={"v1": VideoTotals(views=200, likes=25, comments=2, shares=1), "gone": VideoTotals(5)})
    [day] = provider.account_stats(account_id="open-1", start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 2), previous=previous.to_dict())
    assert day.date == dt.date(2026, 11, 2)
    assert (day.video_views, day.likes, day.shares, day.comments) == (50 + 19 * 10 + 100, 5 + 5, 2, 0)
    assert (day.followers_gained, day.followers) == (20, 120)
    bodies = [json.loads(c.request.body) for c in mock.calls if c.request.method == "POST"]
    assert bodies == [{"max_count": 20}, {"max_count": 20, "cursor": 111}]
    assert StatsSnapshot.from_dict(provider.last_snapshot.to_dict()) == provider.last_snapshot


def test_the_first_stats_call_sets_the_baseline(mock, provider):
    mock.get(url("user/info"), json=v2({"user": {"follower_count": 7}}))
    mock.post(url("video/list"), json=v2({"videos": [{"id": "v1", "view_count": 300}], "cursor": 0, "has_more": False}))
    [day] = provider.account_stats(account_id="open-1", start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 2))
    assert (day.video_views, day.followers_gained, day.followers) == (0, 0, 7)
    assert provider.last_snapshot.videos == {"v1": VideoTotals(views=300)}


def test_day_from_snapshots_never_goes_negative():
    before = StatsSnapshot(followers=10, videos={"v": VideoTotals(views=9, likes=3)})
    after = StatsSnapshot(followers=8, videos={"v": VideoTotals(views=7, likes=4)})
    day = day_from_snapshots(before, after, dt.date(2026, 1, 1))
    assert (day.video_views, day.likes, day.followers_gained, day.followers) == (0, 1, 0, 8)


def test_mp4_duration(tmp_path):
    path = tmp_path / "a.mp4"
    path.write_bytes(mp4_bytes(seconds=4))
    assert mp4_duration_s(path) == 4.0
    path.write_bytes(b"not a video at all")
    assert mp4_duration_s(path) is None
