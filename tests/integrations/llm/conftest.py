"""A fake OpenAI-compatible server at the SDK's HTTP boundary (an httpx2 MockTransport, the
HTTP library the installed openai SDK is built on), and product briefs to feed it."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from creatives.script import HookType
from integrations.llm.openai_provider import OpenAIProvider
from integrations.llm.schemas import ImageInput, ProductAnalysis, ProductBrief, ScriptRequest

PNG = b"\x89PNG\r\n\x1a\nfake-pixels"


def completion(content: str | None, *, refusal: str | None = None, finish_reason: str = "stop") -> dict:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 1_700_000_000, "model": "gpt-4o",
        "choices": [{"index": 0, "finish_reason": finish_reason,
                     "message": {"role": "assistant", "content": content, "refusal": refusal}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


class FakeLLM:
    """Answers queued replies in order and records every request it receives."""

    def __init__(self) -> None:
        self.replies: list[Any] = []
        self.requests: list[httpx2.Request] = []

    def answer(self, content: Any, **kwargs: Any) -> FakeLLM:
        text = content if isinstance(content, str) or content is None else json.dumps(content, ensure_ascii=False)
        self.replies.append(httpx2.Response(200, json=completion(text, **kwargs), headers={"x-request-id": "req_ok"}))
        return self

    def fail(self, status: int, message: str = "boom", headers: dict | None = None) -> FakeLLM:
        body = {"error": {"message": message, "type": "error", "code": None}}
        self.replies.append(httpx2.Response(status, json=body, headers={"x-request-id": "req_failed", **(headers or {})}))
        return self

    def raise_(self, exc_type: type[Exception]) -> FakeLLM:
        self.replies.append(exc_type)
        return self

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        reply = self.replies.pop(0)
        if isinstance(reply, type):
            raise reply("simulated", request=request)
        return reply

    def body(self, index: int = -1) -> dict:
        return json.loads(self.requests[index].content)

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self))


@pytest.fixture
def fake_llm() -> FakeLLM:
    return FakeLLM()


@pytest.fixture
def make_provider(fake_llm):
    def make(**kwargs: Any) -> OpenAIProvider:
        options = {"api_key": "sk-test", "model": "gpt-4o", "max_retries": 0, "http_client": fake_llm.client(), **kwargs}
        return OpenAIProvider(**options)

    return make


@pytest.fixture
def brief() -> ProductBrief:
    return ProductBrief(
        name="Portable Blender", title="Fresh juice anywhere",
        description="A rechargeable blender for smoothies on the go. Blends frozen fruit in 30 seconds.",
        selling_points=["USB-C charging", "6 stainless steel blades", "Fits in a cup holder", "BPA-free"],
        price=29.99, currency="USD", target_market="US", language="en",
        images=[ImageInput(data=PNG, mime="image/png"), ImageInput(data=b"jpeg-bytes", mime="image/jpeg")],
    )


@pytest.fixture
def brief_zh() -> ProductBrief:
    return ProductBrief(
        name="便携榨汁杯", title="随时随地喝鲜榨果汁", description="USB 充电，30 秒打碎冰块。",
        selling_points=["USB-C 快充", "6 叶不锈钢刀头", "放进车载杯架", "食品级材质"],
        price=199, currency="CNY", target_market="CN", language="zh", images=[ImageInput(data=PNG)],
    )


@pytest.fixture
def analysis() -> ProductAnalysis:
    return ProductAnalysis(
        selling_points=["Blends frozen fruit in 30 s", "USB-C charging", "Fits in a cup holder"],
        audience="Busy commuters in the US", angle="Fresh smoothies anywhere", language="en",
        hook_ideas={HookType.NUMBER: "3 reasons to ditch the smoothie bar"},
    )


@pytest.fixture
def script_request(brief, analysis) -> ScriptRequest:
    return ScriptRequest(brief=brief, analysis=analysis, hook_type=HookType.NUMBER, n_scenes=4, target_duration_s=15)


def script_answer(hook_type: str = "number", n_scenes: int = 4, **overrides: Any) -> dict:
    """A model's answer in the script.json shape."""
    scenes = [
        {"duration_s": 4, "visual": f"Shot {i}", "image": i % 2, "caption": f"Caption {i}", "voiceover": f"Line {i}."}
        for i in range(n_scenes)
    ]
    return {
        "language": "en", "hook": {"type": hook_type, "text": "3 reasons to ditch the smoothie bar"}, "scenes": scenes,
        "cta": {"type": "shop_now", "text": "Shop now, $29.99"}, "ad_text": "Fresh juice anywhere #blender", **overrides,
    }
