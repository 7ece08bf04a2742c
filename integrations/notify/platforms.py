"""Each platform's own message format and its own way of saying "delivered".

A platform is a pair of functions: `build(title, text, secret, now)` → (extra query params,
JSON body), and `accept(response)`, which returns quietly on success and raises NotifyError
otherwise. `now` is a Unix time in seconds (the signatures are time-stamped).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from .errors import NotifyError

Build = Callable[[str, str, str, float], tuple[dict[str, str], dict[str, Any]]]


@dataclass(frozen=True)
class Platform:
    name: str
    build: Build
    accept: Callable[[requests.Response], None]


def clip(text: str, limit: int, *, encoding: str | None = None) -> str:
    """Cut `text` to `limit` characters (or bytes of `encoding`) without splitting a character."""
    if encoding is None:
        return text if len(text) <= limit else text[: limit - 1] + "…"
    data = text.encode(encoding)
    if len(data) <= limit:
        return text
    return data[: limit - len("…".encode(encoding))].decode(encoding, errors="ignore") + "…"


def _json(response: requests.Response, platform: str) -> dict[str, Any]:
    if response.status_code == 429 or response.status_code >= 500:
        raise NotifyError("server refused", platform=platform, http_status=response.status_code, retryable=True)
    if response.status_code != 200:
        raise NotifyError(response.text[:200] or "refused", platform=platform, http_status=response.status_code)
    try:
        body = response.json()
    except ValueError:
        raise NotifyError(f"answer is not JSON: {response.text[:200]!r}", platform=platform, http_status=200) from None
    if not isinstance(body, dict):
        raise NotifyError(f"unexpected answer: {str(body)[:200]}", platform=platform, http_status=200)
    return body


# --- Feishu / Lark custom bot ------------------------------------------------------------
# https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
# (Lark: https://open.larksuite.com/document/client-docs/bot-v3/add-custom-bot — same format)
FEISHU_TEXT_LIMIT = 4000  # the request body may hold 20 KB; CJK text is 3 bytes a character


def feishu_sign(secret: str, timestamp: int) -> str:
    # Feishu's quirk: the key is "timestamp\nsecret" and the signed message is empty.
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def feishu_build(title: str, text: str, secret: str, now: float):
    body: dict[str, Any] = {"msg_type": "text", "content": {"text": clip(f"{title}\n{text}", FEISHU_TEXT_LIMIT)}}
    if secret:
        timestamp = int(now)  # seconds; Feishu refuses a timestamp more than an hour off
        body.update(timestamp=str(timestamp), sign=feishu_sign(secret, timestamp))
    return {}, body


def feishu_accept(response: requests.Response) -> None:
    """Success is `{"code": 0, "msg": "success"}`; older bots answer `{"StatusCode": 0, …}`.
    Errors come with HTTP 200 too, e.g. 19021 (bad signature), 19024 (keyword missing)."""
    body = _json(response, "feishu")
    code = body.get("code", body.get("StatusCode"))
    if code != 0:
        message = body.get("msg") or body.get("StatusMessage") or "refused"
        # UNCONFIRMED: 11232 is the frequency-limit code reported for custom bots (100/min, 5/s).
        raise NotifyError(str(message), platform="feishu", code=code, http_status=200, retryable=code == 11232)


# --- DingTalk custom robot ---------------------------------------------------------------
# https://open.dingtalk.com/document/orgapp/custom-robot-access
# https://open.dingtalk.com/document/orgapp/customize-robot-security-settings (加签)
DINGTALK_TEXT_LIMIT = 4000  # UNCONFIRMED: the documented limit is 20000 bytes; stay well under
DINGTALK_TOO_FAST = 130101  # "send too fast": 20 messages a minute per robot


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    message = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def dingtalk_build(title: str, text: str, secret: str, now: float):
    # The title shows in the conversation list; the text is what the group reads, so it repeats it.
    body = {
        "msgtype": "markdown",
        "markdown": {"title": clip(title, 64), "text": clip(f"### {title}\n\n{text}", DINGTALK_TEXT_LIMIT)},
    }
    params = {}
    if secret:
        timestamp_ms = int(now * 1000)
        # requests URL-encodes the base64 signature ("+" → "%2B"), as the docs require.
        params = {"timestamp": str(timestamp_ms), "sign": dingtalk_sign(secret, timestamp_ms)}
    return params, body


def _errcode_accept(platform: str, too_fast: int) -> Callable[[requests.Response], None]:
    def accept(response: requests.Response) -> None:
        """Success is `{"errcode": 0, "errmsg": "ok"}`; errors come with HTTP 200 too."""
        body = _json(response, platform)
        code = body.get("errcode")
        if code != 0:
            raise NotifyError(
                str(body.get("errmsg") or "refused"), platform=platform, code=code, http_status=200, retryable=code == too_fast
            )

    return accept


dingtalk_accept = _errcode_accept("dingtalk", DINGTALK_TOO_FAST)


# --- WeCom (企业微信) group robot ---------------------------------------------------------
# https://developer.work.weixin.qq.com/document/path/91770
WECOM_MARKDOWN_BYTES = 4096  # markdown.content, UTF-8; longer is refused with errcode 40058
WECOM_TOO_FAST = 45009  # "api freq out of limit": 20 messages a minute per robot


def wecom_build(title: str, text: str, secret: str, now: float):
    # WeCom robots have no signing: the key in the URL is the only credential.
    return {}, {
        "msgtype": "markdown",
        "markdown": {"content": clip(f"**{title}**\n{text}", WECOM_MARKDOWN_BYTES, encoding="utf-8")},
    }


wecom_accept = _errcode_accept("wecom", WECOM_TOO_FAST)


# --- Slack incoming webhook --------------------------------------------------------------
# https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks
# https://docs.slack.dev/reference/block-kit/blocks (header ≤ 150 chars, section text ≤ 3000)


def slack_build(title: str, text: str, secret: str, now: float):
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(title, 150)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, 3000)}},
    ]
    # `text` is the notification and screen-reader fallback when blocks are present.
    return {}, {"text": clip(f"{title}\n{text}", 3000), "blocks": blocks}


def slack_accept(response: requests.Response) -> None:
    """Success is HTTP 200 with the plain body "ok"; errors are 4xx with a code as the body
    (invalid_payload, no_text, action_prohibited, channel_not_found, channel_is_archived …)."""
    if response.status_code == 429 or response.status_code >= 500:
        raise NotifyError(
            response.text[:200] or "server refused", platform="slack", http_status=response.status_code, retryable=True
        )
    if response.status_code != 200 or response.text.strip() != "ok":
        raise NotifyError(
            response.text[:200] or "refused",
            platform="slack",
            http_status=response.status_code,
            code=response.text.strip()[:60] or None,
        )


PLATFORMS = {
    "feishu": Platform("feishu", feishu_build, feishu_accept),
    "lark": Platform("lark", feishu_build, feishu_accept),
    "dingtalk": Platform("dingtalk", dingtalk_build, dingtalk_accept),
    "wecom": Platform("wecom", wecom_build, wecom_accept),
    "slack": Platform("slack", slack_build, slack_accept),
}
