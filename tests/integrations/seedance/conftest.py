"""Fixtures for SeedanceClient, with Ark faked at the HTTP seam by `responses`."""

import pytest
import responses

from integrations.seedance.client import SeedanceClient

BASE_URL = "https://ark.example.test/api/v3"
KEY = "test-ark-key"
TASKS = f"{BASE_URL}/contents/generations/tasks"
MODEL = "doubao-seedance-1-0-pro-250528"
VIDEO_URL = "https://tos.example.test/video/cgt-1.mp4?X-Tos-Signature=abc"


def task_url(task_id: str = "cgt-1") -> str:
    return f"{TASKS}/{task_id}"


def task_body(status: str = "succeeded", task_id: str = "cgt-1", **extra) -> dict:
    body = {"id": task_id, "model": MODEL, "status": status, "created_at": 1764300000, "updated_at": 1764300060}
    if status == "succeeded":
        body["content"] = {"video_url": VIDEO_URL}
        body["usage"] = {"completion_tokens": 108900, "total_tokens": 108900}
    return {**body, **extra}


def ark_error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


@pytest.fixture
def ark():
    """Fakes every HTTP call of the test; a registered answer that is never asked for fails it."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def sleeps():
    """What the client asked to sleep, in order (it never really sleeps)."""
    return []


@pytest.fixture
def seedance(sleeps):
    return SeedanceClient(base_url=BASE_URL, api_key=KEY, sleep=sleeps.append)
