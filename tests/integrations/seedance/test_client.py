"""Transport of SeedanceClient: auth header, timeout, error classes and retries."""

import pytest
import requests
import responses

from integrations.seedance.client import DEFAULT_TIMEOUT, SeedanceClient
from integrations.seedance.errors import AuthError, InvalidResponse, Permanent, RateLimited, Transient

from .conftest import BASE_URL, KEY, MODEL, TASKS, ark_error, task_body, task_url


def test_every_call_carries_the_bearer_key_and_the_default_timeout(seedance, ark):
    ark.add(responses.POST, TASKS, json={"id": "cgt-1"})
    ark.add(responses.GET, task_url(), json=task_body("queued"))
    ark.add(responses.DELETE, task_url(), json={})

    seedance.task_create(model=MODEL, prompt="a blender")
    seedance.task_get("cgt-1")
    seedance.task_delete("cgt-1")

    assert DEFAULT_TIMEOUT == (3.05, 60)
    for call in ark.calls:
        assert call.request.headers["Authorization"] == f"Bearer {KEY}"
        assert call.request.req_kwargs["timeout"] == (3.05, 60)


def test_a_custom_timeout_is_passed_on(ark):
    client = SeedanceClient(base_url=BASE_URL, api_key=KEY, timeout=(1, 5), sleep=lambda s: None)
    ark.add(responses.GET, task_url(), json=task_body("queued"))

    client.task_get("cgt-1")

    assert ark.calls[0].request.req_kwargs["timeout"] == (1, 5)


def test_a_request_sent_straight_through_the_session_still_gets_the_timeout(seedance, ark):
    ark.add(responses.GET, task_url(), json=task_body("queued"))

    seedance.session.get(task_url())  # no timeout given: the mounted adapter adds it

    assert ark.calls[0].request.req_kwargs["timeout"] == DEFAULT_TIMEOUT


@pytest.mark.parametrize("failure", [503, 500, requests.ConnectionError("reset"), requests.ConnectTimeout("slow")])
def test_network_errors_and_5xx_are_retried_then_succeed(seedance, ark, sleeps, failure):
    if isinstance(failure, int):
        ark.add(responses.GET, task_url(), json=ark_error("InternalServiceError", "try again"), status=failure)
    else:
        ark.add(responses.GET, task_url(), body=failure)
    ark.add(responses.GET, task_url(), json=task_body("running"))

    assert seedance.task_get("cgt-1").status == "running"
    assert len(ark.calls) == 2 and len(sleeps) == 1


def test_a_create_that_failed_with_5xx_is_retried(seedance, ark):
    ark.add(responses.POST, TASKS, status=502, body="bad gateway")
    ark.add(responses.POST, TASKS, json={"id": "cgt-2"})

    assert seedance.task_create(model=MODEL, prompt="a blender") == "cgt-2"


def test_a_create_whose_answer_timed_out_is_not_resent(seedance, ark, sleeps):
    ark.add(responses.POST, TASKS, body=requests.ReadTimeout("read timed out"))

    with pytest.raises(Transient) as caught:
        seedance.task_create(model=MODEL, prompt="a blender")

    assert caught.value.retryable and "timeout" in caught.value.message
    assert len(ark.calls) == 1 and sleeps == []


def test_retries_back_off_and_give_up_after_max_retries(seedance, ark, sleeps):
    for _ in range(4):
        ark.add(responses.GET, task_url(), status=500, json=ark_error("InternalServiceError", "down"))

    with pytest.raises(Transient) as caught:
        seedance.task_get("cgt-1")

    assert (caught.value.code, caught.value.http_status) == ("InternalServiceError", 500)
    assert len(sleeps) == 3 and sleeps[0] < sleeps[1] < sleeps[2]


def test_400_is_not_retried_and_carries_arks_code_and_message(seedance, ark, sleeps):
    message = "The parameter `content` specified in the request is not valid"
    ark.add(responses.POST, TASKS, status=400, json=ark_error("InvalidParameter", message))

    with pytest.raises(Permanent) as caught:
        seedance.task_create(model=MODEL, prompt="a blender")

    assert caught.value.code == "InvalidParameter" and message in caught.value.message
    assert caught.value.http_status == 400 and not caught.value.retryable
    assert len(ark.calls) == 1 and sleeps == []


@pytest.mark.parametrize("status", [401, 403])
def test_401_and_403_raise_auth_error(seedance, ark, status):
    ark.add(responses.GET, task_url(), status=status, json=ark_error("AuthenticationError", "The API key is invalid."))

    with pytest.raises(AuthError) as caught:
        seedance.task_get("cgt-1")

    assert caught.value.code == "AuthenticationError" and not caught.value.retryable
    assert len(ark.calls) == 1


def test_429_raises_rate_limited_after_the_retries(seedance, ark, sleeps):
    for _ in range(4):
        ark.add(responses.GET, task_url(), status=429, json=ark_error("RateLimitExceeded", "slow down"))

    with pytest.raises(RateLimited) as caught:
        seedance.task_get("cgt-1")

    assert caught.value.retryable and caught.value.code == "RateLimitExceeded"
    assert len(sleeps) == 3


def test_a_429_then_success_is_retried(seedance, ark):
    ark.add(responses.GET, task_url(), status=429, json=ark_error("RateLimitExceeded", "slow down"))
    ark.add(responses.GET, task_url(), json=task_body("queued"))

    assert seedance.task_get("cgt-1").status == "queued"


def test_an_error_without_arks_body_keeps_the_text(seedance, ark):
    ark.add(responses.GET, task_url(), status=404, body="404 page not found")

    with pytest.raises(Permanent) as caught:
        seedance.task_get("cgt-1")

    assert caught.value.code is None and "404 page not found" in caught.value.message


def test_a_non_json_success_is_an_invalid_response(seedance, ark):
    ark.add(responses.GET, task_url(), body="<html>ok</html>")

    with pytest.raises(InvalidResponse):
        seedance.task_get("cgt-1")


@pytest.mark.parametrize("body", [{"status": "queued"}, {"id": "cgt-1", "status": "paused"}])
def test_a_task_without_id_or_with_an_unknown_status_is_an_invalid_response(seedance, ark, body):
    ark.add(responses.GET, task_url(), json=body)

    with pytest.raises(InvalidResponse):
        seedance.task_get("cgt-1")
