import pytest
import responses

from integrations.tiktok_ads.client import TikTokAdsClient

from .fakes import BASE_URL, TOKEN, endpoint, envelope


@pytest.fixture
def api():
    """Fakes every HTTP call of the test; a registered answer that is never asked for fails it."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def sleeps():
    """What the client asked to sleep, in order (it never really sleeps)."""
    return []


@pytest.fixture
def client(sleeps):
    return TikTokAdsClient(base_url=BASE_URL, access_token=TOKEN, sleep=sleeps.append)


@pytest.fixture
def reply(api):
    """Register one answer in TikTok's envelope for METHOD path."""

    def add(method, path, data=None, *, code=0, message="OK", request_id="req-ok", status=200):
        api.add(method, endpoint(path), json=envelope(data, code=code, message=message, request_id=request_id), status=status)

    return add


@pytest.fixture
def fail(api):
    """Register a network failure (an exception instance) for METHOD path."""

    def add(method, path, exc):
        api.add(method, endpoint(path), body=exc)

    return add
