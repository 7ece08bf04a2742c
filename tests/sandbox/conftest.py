"""Fixtures for the sandbox's TikTok API, driven over HTTP with Django's test client."""

import hashlib
import json
import struct
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from creatives.script import HookType
from creatives.services.products import product_analysis_ensure, product_brief
from creatives.services.providers import llm_provider
from integrations.llm.schemas import ScriptRequest
from sandbox import services

PREFIX = "/sandbox/tiktok/open_api/v1.3/"


class Api:
    """Calls the sandbox as the production client does: GET arrays/objects as JSON
    strings, POST bodies as JSON, the token in the Access-Token header."""

    def __init__(self, client, token: str):
        self.client = client
        self.token = token

    def headers(self) -> dict:
        return {"Access-Token": self.token} if self.token else {}

    def get(self, path: str, **params: Any) -> dict:
        query = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in params.items()}
        response = self.client.get(PREFIX + path, query, headers=self.headers())
        assert response.status_code == 200, response.content
        return response.json()

    def post(self, path: str, body: dict) -> dict:
        response = self.client.post(PREFIX + path, body, content_type="application/json", headers=self.headers())
        assert response.status_code == 200, response.content
        return response.json()

    def upload(self, advertiser_id: str, content: bytes, *, file_name: str = "clip.mp4", signature: str | None = None) -> dict:
        data = {
            "advertiser_id": advertiser_id,
            "upload_type": "UPLOAD_BY_FILE",
            "video_signature": signature if signature is not None else hashlib.md5(content).hexdigest(),
            "file_name": file_name,
            "video_file": SimpleUploadedFile(file_name, content, content_type="video/mp4"),
        }
        response = self.client.post(PREFIX + "file/video/ad/upload/", data, headers=self.headers())
        assert response.status_code == 200, response.content
        return response.json()


def mp4_bytes(width: int = 360, height: int = 640, seconds: int = 3) -> bytes:
    """The boxes of an MP4 that carry size and duration (no media data)."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I4s", 8 + len(payload), kind) + payload

    mvhd = bytes(4) + struct.pack(">IIII", 0, 0, 1000, seconds * 1000) + bytes(80)
    audio_tkhd = bytes(4) + bytes(20) + bytes(52) + struct.pack(">II", 0, 0)
    video_tkhd = bytes(4) + bytes(20) + bytes(52) + struct.pack(">II", width << 16, height << 16)
    moov = box(b"moov", box(b"mvhd", mvhd) + box(b"trak", box(b"tkhd", audio_tkhd)) + box(b"trak", box(b"tkhd", video_tkhd)))
    return box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + box(b"free", b"") + moov


@pytest.fixture(autouse=True)
def _sandbox_media_root(settings, tmp_path):
    """Uploaded videos go to a temporary MEDIA_ROOT (also when run without tests/conftest.py)."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sb_app(settings):
    return services.sandbox_app_ensure(app_id=settings.TIKTOK_APP_ID, secret=settings.TIKTOK_APP_SECRET)


@pytest.fixture
def sb_advertiser(sb_app):
    return services.sandbox_advertiser_create(app=sb_app, name="Test Shop", currency="USD", timezone="UTC")


@pytest.fixture
def adv_id(sb_advertiser) -> str:
    return sb_advertiser.advertiser_id


@pytest.fixture
def api(client, sb_app, sb_advertiser) -> Api:
    return Api(client, services.sandbox_token_issue(app=sb_app, advertisers=[sb_advertiser]))


@pytest.fixture
def video_id(api, adv_id) -> str:
    answer = api.upload(adv_id, mp4_bytes(), file_name="fixture.mp4")
    assert answer["code"] == 0, answer
    return answer["data"][0]["video_id"]


def campaign_body(adv_id: str, **overrides) -> dict:
    return {
        "advertiser_id": adv_id, "campaign_name": "Blender · launch", "objective_type": "VIDEO_VIEWS",
        "budget_mode": "BUDGET_MODE_INFINITE", **overrides,
    }


def adgroup_body(adv_id: str, campaign_id: str, **overrides) -> dict:
    return {
        "advertiser_id": adv_id, "campaign_id": campaign_id, "adgroup_name": "Blender · creative 1",
        "placement_type": "PLACEMENT_TYPE_NORMAL", "placements": ["PLACEMENT_TIKTOK"], "location_ids": ["6252001"],
        "budget_mode": "BUDGET_MODE_DAY", "budget": 20.0, "schedule_type": "SCHEDULE_FROM_NOW",
        "schedule_start_time": "2026-11-01 00:00:00", "billing_event": "CPV", "optimization_goal": "ENGAGED_VIEW",
        "bid_type": "BID_TYPE_CUSTOM", "bid_price": 0.03, **overrides,
    }


def creative(video_id: str, **overrides) -> dict:
    return {
        "ad_name": "Blender ad", "ad_format": "SINGLE_VIDEO", "video_id": video_id, "ad_text": "Fresh juice anywhere",
        "call_to_action": "SHOP_NOW", "landing_page_url": "https://shop.example.com/blender", "display_name": "Blender Shop",
        **overrides,
    }


@pytest.fixture
def make_campaign(api, adv_id):
    def make(**overrides) -> str:
        answer = api.post("campaign/create/", campaign_body(adv_id, **overrides))
        assert answer["code"] == 0, answer
        return answer["data"]["campaign_id"]

    return make


@pytest.fixture
def make_adgroup(api, adv_id, make_campaign):
    def make(campaign_id: str | None = None, **overrides) -> str:
        answer = api.post("adgroup/create/", adgroup_body(adv_id, campaign_id or make_campaign(), **overrides))
        assert answer["code"] == 0, answer
        return answer["data"]["adgroup_id"]

    return make


@pytest.fixture
def make_ad(api, adv_id, make_adgroup, video_id):
    def make(adgroup_id: str | None = None, **overrides) -> str:
        body = {"advertiser_id": adv_id, "adgroup_id": adgroup_id or make_adgroup(), "creatives": [creative(video_id, **overrides)]}
        answer = api.post("ad/create/", body)
        assert answer["code"] == 0, answer
        return answer["data"]["ad_ids"][0]

    return make


@pytest.fixture
def scripted(make_job):
    """Jobs with real scripts from the offline writer: one per hook type, so creatives differ
    (4-second scripts, so the variants the loop renders from them render fast)."""

    def make(product, hooks=tuple(HookType), seed=0):
        analysis = product_analysis_ensure(product=product)
        jobs = []
        for index, hook in enumerate(hooks):
            request = ScriptRequest(
                brief=product_brief(product), analysis=analysis, hook_type=hook, variation_seed=seed + index, target_duration_s=4,
            )
            script = llm_provider().write_script(request).model_dump(mode="json")
            jobs.append(make_job(product=product, hook_type=hook, variation_seed=seed + index, script=script))
        return jobs

    return make
