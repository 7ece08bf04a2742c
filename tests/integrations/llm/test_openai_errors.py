import httpx2
import pytest

from integrations.llm.base import LLMAuthError, LLMError, LLMRateLimited, LLMTimeout, LLMUnavailable
from integrations.llm.openai_provider import OpenAIProvider


def test_a_read_timeout_raises_llm_timeout(fake_llm, make_provider, brief):
    fake_llm.raise_(httpx2.ReadTimeout)

    with pytest.raises(LLMTimeout) as caught:
        make_provider().analyze_product(brief)

    assert caught.value.retryable is True
    assert len(fake_llm.requests) == 1


def test_the_timeout_is_passed_to_every_request(fake_llm, make_provider, brief):
    fake_llm.raise_(httpx2.ReadTimeout)

    with pytest.raises(LLMTimeout):
        make_provider(timeout=20).analyze_product(brief)

    timeout = fake_llm.requests[0].extensions["timeout"]
    assert timeout["read"] == 20 and timeout["connect"] == 5


def test_a_connection_error_raises_a_retryable_llm_unavailable(fake_llm, make_provider, brief):
    fake_llm.raise_(httpx2.ConnectError)

    with pytest.raises(LLMUnavailable) as caught:
        make_provider().analyze_product(brief)

    assert caught.value.retryable is True and not isinstance(caught.value, LLMTimeout)


def test_429_raises_llm_rate_limited(fake_llm, make_provider, brief):
    fake_llm.fail(429, "Rate limit reached")

    with pytest.raises(LLMRateLimited) as caught:
        make_provider().analyze_product(brief)

    assert caught.value.retryable is True
    assert caught.value.status == 429 and caught.value.request_id == "req_failed"


@pytest.mark.parametrize("status", [401, 403])
def test_401_and_403_raise_llm_auth_error(fake_llm, make_provider, brief, status):
    fake_llm.fail(status, "Incorrect API key provided")

    with pytest.raises(LLMAuthError) as caught:
        make_provider().analyze_product(brief)

    assert caught.value.retryable is False and caught.value.status == status


def test_500_raises_a_retryable_llm_unavailable(fake_llm, make_provider, brief):
    fake_llm.fail(500, "The server had an error")

    with pytest.raises(LLMUnavailable) as caught:
        make_provider().analyze_product(brief)

    assert caught.value.retryable is True and caught.value.status == 500


def test_400_raises_a_permanent_llm_error_with_the_status(fake_llm, make_provider, brief):
    fake_llm.fail(400, "Invalid schema for response_format")

    with pytest.raises(LLMError) as caught:
        make_provider().analyze_product(brief)

    assert type(caught.value) is LLMError
    assert caught.value.retryable is False and caught.value.status == 400
    assert "Invalid schema" in str(caught.value)


def test_the_sdk_retries_a_429_itself_when_allowed(fake_llm, make_provider, brief):
    # The SDK honours the server's retry-after-ms, so the test waits one millisecond, not the backoff.
    fake_llm.fail(429, headers={"retry-after-ms": "1"}).answer({
        "selling_points": ["a", "b", "c"], "audience": "x", "angle": "y",
        "hook_ideas": {"pain_point": "p", "number": "n", "suspense": "s", "contrast": "c"},
    })

    analysis = make_provider(max_retries=1).analyze_product(brief)

    assert analysis.selling_points == ["a", "b", "c"] and len(fake_llm.requests) == 2


def test_openai_without_an_api_key_or_base_url_is_refused():
    with pytest.raises(ValueError, match="API key"):
        OpenAIProvider(api_key="")
