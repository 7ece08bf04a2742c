"""Transport, envelope, error classes and retries of TikTokAdsClient."""

import pytest
import requests
import responses

from integrations.tiktok_ads.client import DEFAULT_TIMEOUT, TikTokAdsClient
from integrations.tiktok_ads.errors import (
    ApiError,
    AuthError,
    InvalidResponse,
    Permanent,
    RateLimited,
    Transient,
)

from .fakes import BASE_URL, TOKEN, body, endpoint, envelope, query

# --- URL and headers ---------------------------------------------------------------------


def test_url_gets_the_v13_prefix_and_a_trailing_slash(client):
    assert client.url("campaign/get") == "https://ads.example.test/open_api/v1.3/campaign/get/"


@pytest.mark.parametrize("path", ["campaign/get", "/campaign/get", "campaign/get/", "/campaign/get/"])
def test_url_has_exactly_one_slash_around_the_path(path):
    client = TikTokAdsClient(base_url=f"{BASE_URL}/", sleep=lambda s: None)
    assert client.url(path) == f"{BASE_URL}/open_api/v1.3/campaign/get/"


def test_requests_carry_the_access_token_header(client, api, reply):
    reply(responses.GET, "campaign/get")
    reply(responses.POST, "campaign/update")

    client.get("campaign/get", {"advertiser_id": "1"})
    client.post("campaign/update", {"advertiser_id": "1"})

    for call in api.calls:
        assert call.request.headers["Access-Token"] == TOKEN
        assert "Authorization" not in call.request.headers


def test_a_post_without_auth_sends_no_access_token_header(client, api, reply):
    reply(responses.POST, "oauth2/access_token", {"access_token": "t"})

    client.post("oauth2/access_token", {"app_id": "a"}, auth=False)

    assert "Access-Token" not in api.calls[0].request.headers
    assert "Authorization" not in api.calls[0].request.headers


# --- Encoding --------------------------------------------------------------------------


def test_get_sends_arrays_and_objects_as_json_strings_in_the_query(client, api, reply):
    reply(responses.GET, "campaign/get")

    client.get(
        "campaign/get",
        {
            "advertiser_ids": ["1", "2"],
            "filtering": {"campaign_ids": ["7", "8"]},
            "fields": ("campaign_id",),
            "page": 2,
            "enabled": True,
            "disabled": False,
            "absent": None,
        },
    )

    url = api.calls[0].request.url
    assert url.startswith(endpoint("campaign/get") + "?")
    assert "advertiser_ids=%5B%221%22%2C%222%22%5D" in url  # ["1","2"], compact
    assert query(api.calls[0]) == {
        "advertiser_ids": '["1","2"]',
        "filtering": '{"campaign_ids":["7","8"]}',
        "fields": '["campaign_id"]',
        "page": "2",
        "enabled": "true",
        "disabled": "false",
    }


def test_get_sends_no_body(client, api, reply):
    reply(responses.GET, "campaign/get")

    client.get("campaign/get", {"advertiser_id": "1"})

    assert api.calls[0].request.body is None


def test_post_sends_a_json_body_and_no_query(client, api, reply):
    reply(responses.POST, "campaign/update")
    sent = {"advertiser_id": "1", "campaign_id": "2", "budget": 12.5, "tags": ["a"], "nested": {"x": True}}

    client.post("campaign/update", sent)

    request = api.calls[0].request
    assert request.headers["Content-Type"] == "application/json"
    assert body(api.calls[0]) == sent
    assert request.url == endpoint("campaign/update")


# --- Timeout ---------------------------------------------------------------------------


def test_every_request_carries_the_default_timeout(client, api, reply):
    reply(responses.GET, "campaign/get")
    reply(responses.POST, "campaign/update")

    client.get("campaign/get", {})
    client.post("campaign/update", {})

    assert client.timeout == DEFAULT_TIMEOUT == (3.05, 30)
    assert [call.request.req_kwargs["timeout"] for call in api.calls] == [(3.05, 30), (3.05, 30)]


def test_every_request_carries_a_custom_timeout(api, reply):
    client = TikTokAdsClient(base_url=BASE_URL, access_token=TOKEN, timeout=(1, 5), sleep=lambda s: None)
    reply(responses.GET, "campaign/get")

    client.get("campaign/get", {})

    assert api.calls[0].request.req_kwargs["timeout"] == (1, 5)


def test_a_request_sent_straight_through_the_session_still_gets_the_timeout(client, api):
    api.add(responses.GET, endpoint("campaign/get"), json=envelope())

    client.session.get(endpoint("campaign/get"))  # no timeout given: the mounted adapter adds it

    assert api.calls[0].request.req_kwargs["timeout"] == (3.05, 30)


# --- Envelope --------------------------------------------------------------------------


def test_it_returns_the_data_of_a_successful_envelope(client, reply):
    reply(responses.GET, "campaign/get", {"list": [{"campaign_id": "1"}]})

    assert client.get("campaign/get", {}) == {"list": [{"campaign_id": "1"}]}


def test_a_null_data_comes_back_as_an_empty_dict(client, api):
    api.add(responses.POST, endpoint("campaign/update"), json={"code": 0, "message": "OK", "request_id": "r", "data": None})

    assert client.post("campaign/update", {}) == {}


@pytest.mark.parametrize(
    ("code", "error_class", "retryable"),
    [
        (40100, RateLimited, True),
        (40133, RateLimited, True),
        (40016, RateLimited, True),
        (61000, RateLimited, True),
        (50000, Transient, True),
        (50002, Transient, True),
        (51001, Transient, True),
        (60001, Transient, True),
        (40202, Transient, True),
        (40001, AuthError, False),
        (40102, AuthError, False),
        (40104, AuthError, False),
        (40105, AuthError, False),
        (40110, AuthError, False),
        (40002, Permanent, False),
        (40007, Permanent, False),
        (40011, Permanent, False),
    ],
)
def test_a_non_zero_code_raises_its_class_with_code_message_and_request_id(client, reply, code, error_class, retryable):
    reply(responses.GET, "campaign/get", code=code, message=f"message of {code}", request_id=f"log-{code}")

    with pytest.raises(error_class) as caught:
        client.get("campaign/get", {}, retry=False)

    error = caught.value
    assert type(error) is error_class
    assert (error.code, error.message, error.request_id) == (code, f"message of {code}", f"log-{code}")
    assert error.retryable is retryable
    assert f"code {code}" in str(error) and f"log-{code}" in str(error)


def test_a_non_zero_code_without_message_gets_a_default_message(client, reply):
    reply(responses.GET, "campaign/get", code=40002, message="")

    with pytest.raises(Permanent) as caught:
        client.get("campaign/get", {})

    assert caught.value.message == "TikTok error 40002"


@pytest.mark.parametrize("code", [40100, 40133, 50000, 50002])
def test_retryable_codes_are_retried(client, api, reply, sleeps, code):
    reply(responses.GET, "campaign/get", code=code, request_id="failed")
    reply(responses.GET, "campaign/get", {"list": []}, request_id="worked")

    assert client.get("campaign/get", {}) == {"list": []}
    assert len(api.calls) == 2
    assert len(sleeps) == 1


@pytest.mark.parametrize("code", [40104, 40105, 40001])
def test_auth_errors_are_not_retried(client, api, reply, sleeps, code):
    reply(responses.GET, "campaign/get", code=code, message="token", request_id="log-auth")

    with pytest.raises(AuthError) as caught:
        client.get("campaign/get", {})

    assert caught.value.code == code
    assert len(api.calls) == 1
    assert sleeps == []


def test_a_parameter_error_40002_is_permanent_and_sent_exactly_once(client, api, reply, sleeps):
    reply(responses.POST, "campaign/create", code=40002, message="Time format should be %Y-%m-%dT%H:%M.", request_id="log-1")

    with pytest.raises(Permanent) as caught:
        client.post("campaign/create", {"advertiser_id": "1"})

    assert not isinstance(caught.value, InvalidResponse)
    assert caught.value.code == 40002
    assert caught.value.message == "Time format should be %Y-%m-%dT%H:%M."
    assert caught.value.request_id == "log-1"
    assert len(api.calls) == 1
    assert sleeps == []


# --- Network failures and HTTP statuses ------------------------------------------------


@pytest.mark.parametrize(
    "exc",
    [
        requests.exceptions.ConnectionError("connection refused"),
        requests.exceptions.ReadTimeout("read timed out"),
        requests.exceptions.ConnectTimeout("connect timed out"),
    ],
    ids=["connection-error", "read-timeout", "connect-timeout"],
)
def test_network_failures_are_transient_and_retried(client, api, fail, reply, sleeps, exc):
    fail(responses.GET, "campaign/get", exc)
    reply(responses.GET, "campaign/get", {"list": [1]})

    assert client.get("campaign/get", {}) == {"list": [1]}
    assert len(api.calls) == 2
    assert len(sleeps) == 1


@pytest.mark.parametrize(
    "exc",
    [requests.exceptions.ConnectionError("connection refused"), requests.exceptions.ReadTimeout("read timed out")],
    ids=["connection-error", "read-timeout"],
)
def test_a_network_failure_that_persists_raises_transient(client, api, fail, exc):
    fail(responses.GET, "campaign/get", exc)

    with pytest.raises(Transient) as caught:
        client.get("campaign/get", {})

    assert "campaign/get" in caught.value.message
    assert isinstance(caught.value.__cause__, type(exc))
    assert len(api.calls) == 1 + client.max_retries


@pytest.mark.parametrize("status", [500, 502, 503])
def test_http_5xx_is_transient_and_retried(client, api, reply, sleeps, status):
    api.add(responses.GET, endpoint("campaign/get"), body="<html>oops</html>", status=status)
    reply(responses.GET, "campaign/get", {"list": []})

    assert client.get("campaign/get", {}) == {"list": []}
    assert len(api.calls) == 2


@pytest.mark.parametrize("status", [500, 503])
def test_http_5xx_that_persists_raises_transient_with_the_status(client, api, status):
    api.add(responses.GET, endpoint("campaign/get"), body="down", status=status)

    with pytest.raises(Transient) as caught:
        client.get("campaign/get", {})

    assert caught.value.http_status == status
    assert len(api.calls) == 1 + client.max_retries


def test_http_429_is_rate_limited_and_retried(client, api, reply):
    api.add(responses.GET, endpoint("campaign/get"), body="slow down", status=429)
    reply(responses.GET, "campaign/get", {"ok": 1})

    assert client.get("campaign/get", {}) == {"ok": 1}
    assert len(api.calls) == 2


@pytest.mark.parametrize("status", [404, 405, 400])
def test_http_4xx_is_permanent_and_not_retried(client, api, sleeps, status):
    api.add(responses.GET, endpoint("campaign/gett"), body="404 page not found", status=status)

    with pytest.raises(Permanent) as caught:
        client.get("campaign/gett", {})

    assert not isinstance(caught.value, InvalidResponse)
    assert caught.value.http_status == status
    assert caught.value.code is None
    assert len(api.calls) == 1
    assert sleeps == []


@pytest.mark.parametrize(
    "answer",
    [
        {"body": "<html>gateway</html>"},
        {"body": ""},
        {"json": {"message": "OK", "data": {}}},
        {"json": {"code": "0", "message": "OK", "data": {}}},
        {"json": [{"code": 0}]},
        {"json": None},
    ],
    ids=["html", "empty", "no-code", "string-code", "list", "null"],
)
def test_a_body_that_is_not_the_envelope_is_an_invalid_response_and_not_retried(client, api, sleeps, answer):
    api.add(responses.GET, endpoint("campaign/get"), status=200, **answer)

    with pytest.raises(InvalidResponse):
        client.get("campaign/get", {})

    assert len(api.calls) == 1
    assert sleeps == []


def test_invalid_response_is_a_permanent_api_error():
    assert issubclass(InvalidResponse, Permanent)
    assert issubclass(Permanent, ApiError)
    assert InvalidResponse("x").retryable is False


# --- Retries ---------------------------------------------------------------------------


def test_it_retries_50000_then_succeeds(client, api, reply):
    reply(responses.POST, "campaign/update", code=50000, message="System error.", request_id="log-fail")
    reply(responses.POST, "campaign/update", {"campaign_id": "9"}, request_id="log-ok")

    assert client.post("campaign/update", {"campaign_id": "9"}) == {"campaign_id": "9"}
    assert len(api.calls) == 2
    assert body(api.calls[0]) == body(api.calls[1]) == {"campaign_id": "9"}


@pytest.mark.parametrize("max_retries", [0, 1, 2, 5])
def test_retries_stop_after_max_retries_and_reraise(api, reply, max_retries):
    sleeps = []
    client = TikTokAdsClient(base_url=BASE_URL, access_token=TOKEN, max_retries=max_retries, sleep=sleeps.append)
    reply(responses.GET, "campaign/get", code=50002, message="System timeout", request_id="log-last")

    with pytest.raises(Transient) as caught:
        client.get("campaign/get", {})

    assert caught.value.code == 50002
    assert caught.value.request_id == "log-last"
    assert len(api.calls) == 1 + max_retries
    assert len(sleeps) == max_retries


def test_retry_false_sends_exactly_once(client, api, reply, sleeps):
    reply(responses.GET, "campaign/get", code=50000)

    with pytest.raises(Transient):
        client.get("campaign/get", {}, retry=False)

    assert len(api.calls) == 1
    assert sleeps == []


def test_backoff_sleeps_grow_exponentially_with_bounded_jitter(api, reply):
    sleeps = []
    client = TikTokAdsClient(base_url=BASE_URL, access_token=TOKEN, max_retries=4, backoff_base=0.5, sleep=sleeps.append)
    for _ in range(4):
        reply(responses.GET, "campaign/get", code=40100, message="App reaches the QPS limit.")
    reply(responses.GET, "campaign/get", {"list": []})

    client.get("campaign/get", {})

    assert len(sleeps) == 4
    assert sleeps == sorted(sleeps) and len(set(sleeps)) == 4
    for attempt, delay in enumerate(sleeps):
        base = 0.5 * 2**attempt
        assert base <= delay <= base * 1.25


def test_last_request_id_is_the_successful_envelopes_request_id(client, reply):
    reply(responses.GET, "campaign/get", code=50000, request_id="log-fail-1")
    reply(responses.GET, "campaign/get", code=40133, request_id="log-fail-2")
    reply(responses.GET, "campaign/get", {"list": []}, request_id="log-success")

    client.get("campaign/get", {})

    assert client.last_request_id == "log-success"


def test_a_failed_answer_does_not_overwrite_last_request_id(client, reply):
    reply(responses.GET, "campaign/get", {"list": []}, request_id="log-success")
    reply(responses.POST, "campaign/update", code=40002, request_id="log-failed")

    client.get("campaign/get", {})
    with pytest.raises(Permanent):
        client.post("campaign/update", {})

    assert client.last_request_id == "log-success"


def test_last_request_id_starts_empty():
    assert TikTokAdsClient(base_url=BASE_URL).last_request_id == ""
