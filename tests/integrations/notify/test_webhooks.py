"""Each platform's message format and its own "delivered" signal, faked at the HTTP seam."""

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from responses import matchers

from integrations.notify import NotifyError, WebhookNotifier
from integrations.notify.platforms import clip

FEISHU = "https://open.feishu.cn/open-apis/bot/v2/hook/hook-token"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=ding-token"
WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-key"
SLACK = "https://hooks.slack.com/services/T000/B000/XXXX"
NOW = 1_700_000_000.25


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def notifier():
    return WebhookNotifier(timeout=(1.5, 7), clock=lambda: NOW)


def body_of(call) -> dict:
    return json.loads(call.request.body)


def test_feishu_sends_a_text_message_and_accepts_code_0(api, notifier):
    api.post(FEISHU, json={"code": 0, "msg": "success", "data": {}})

    notifier.feishu(FEISHU, title="Low ROAS", text="Ad 1 paused")

    assert body_of(api.calls[0]) == {"msg_type": "text", "content": {"text": "Low ROAS\nAd 1 paused"}}
    assert api.calls[0].request.req_kwargs["timeout"] == (1.5, 7)


def test_feishu_signs_with_timestamp_and_secret_and_accepts_the_old_statuscode(api, notifier):
    api.post(FEISHU, json={"Extra": None, "StatusCode": 0, "StatusMessage": "success"})

    notifier.feishu(FEISHU, title="t", text="x", secret="s3cret")

    body = body_of(api.calls[0])
    expected = base64.b64encode(hmac.new(b"1700000000\ns3cret", b"", hashlib.sha256).digest()).decode()
    assert (body["timestamp"], body["sign"]) == ("1700000000", expected)


def test_feishu_code_not_0_raises(api, notifier):
    api.post(FEISHU, json={"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"})

    with pytest.raises(NotifyError, match="sign match fail") as caught:
        notifier.feishu(FEISHU, title="t", text="x")
    assert (caught.value.code, caught.value.retryable) == (19021, False)


def test_dingtalk_sends_markdown_and_accepts_errcode_0(api, notifier):
    api.post(DINGTALK, json={"errcode": 0, "errmsg": "ok"})

    notifier.dingtalk(DINGTALK, title="Spend cap", text="Ad group over cap")

    assert body_of(api.calls[0]) == {
        "msgtype": "markdown",
        "markdown": {"title": "Spend cap", "text": "### Spend cap\n\nAd group over cap"},
    }
    assert api.calls[0].request.req_kwargs["timeout"] == (1.5, 7)


def test_dingtalk_signs_the_url_in_milliseconds(api, notifier):
    # The signed URL carries two more query parameters than the registered one.
    api.post(
        DINGTALK.split("?")[0],
        json={"errcode": 0, "errmsg": "ok"},
        match=[matchers.query_param_matcher({"access_token": "ding-token"}, strict_match=False)],
    )

    notifier.dingtalk(DINGTALK, title="t", text="x", secret="SECabc")

    query = parse_qs(urlsplit(api.calls[0].request.url).query)
    expected = base64.b64encode(hmac.new(b"SECabc", b"1700000000250\nSECabc", hashlib.sha256).digest()).decode()
    assert query == {"access_token": ["ding-token"], "timestamp": ["1700000000250"], "sign": [expected]}


def test_dingtalk_errcode_raises_and_too_fast_is_retryable(api, notifier):
    api.post(DINGTALK, json={"errcode": 310000, "errmsg": "keywords not in content"})
    api.post(DINGTALK, json={"errcode": 130101, "errmsg": "send too fast"})

    with pytest.raises(NotifyError, match="keywords not in content") as first:
        notifier.dingtalk(DINGTALK, title="t", text="x")
    with pytest.raises(NotifyError) as second:
        notifier.dingtalk(DINGTALK, title="t", text="x")
    assert (first.value.retryable, second.value.retryable) == (False, True)


def test_wecom_sends_markdown_content_and_accepts_errcode_0(api, notifier):
    api.post(WECOM, json={"errcode": 0, "errmsg": "ok"})

    notifier.wecom(WECOM, title="Low ROAS", text="Ad 1 paused")

    assert body_of(api.calls[0]) == {"msgtype": "markdown", "markdown": {"content": "**Low ROAS**\nAd 1 paused"}}


def test_wecom_errcode_raises(api, notifier):
    api.post(WECOM, json={"errcode": 93000, "errmsg": "invalid webhook url"})

    with pytest.raises(NotifyError, match="invalid webhook url") as caught:
        notifier.wecom(WECOM, title="t", text="x")
    assert caught.value.code == 93000


def test_wecom_markdown_stays_within_4096_bytes(api, notifier):
    api.post(WECOM, json={"errcode": 0, "errmsg": "ok"})

    notifier.wecom(WECOM, title="告警", text="花费超限" * 2000)

    content = body_of(api.calls[0])["markdown"]["content"]
    assert len(content.encode()) <= 4096 and content.endswith("…")


def test_slack_sends_text_and_blocks_and_accepts_ok(api, notifier):
    api.post(SLACK, body="ok")

    notifier.slack(SLACK, title="Low ROAS", text="Ad 1 paused")

    assert body_of(api.calls[0]) == {
        "text": "Low ROAS\nAd 1 paused",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Low ROAS"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "Ad 1 paused"}},
        ],
    }
    assert api.calls[0].request.req_kwargs["timeout"] == (1.5, 7)


def test_slack_error_body_raises(api, notifier):
    api.post(SLACK, body="invalid_payload", status=400)

    with pytest.raises(NotifyError, match="invalid_payload") as caught:
        notifier.slack(SLACK, title="t", text="x")
    assert (caught.value.http_status, caught.value.code) == (400, "invalid_payload")


@pytest.mark.parametrize("platform, url", [("feishu", FEISHU), ("dingtalk", DINGTALK), ("wecom", WECOM), ("slack", SLACK)])
def test_a_500_raises_a_retryable_error(api, notifier, platform, url):
    api.post(url, body="upstream broke", status=500)

    with pytest.raises(NotifyError) as caught:
        notifier.send(platform, url, title="t", text="x")
    assert (caught.value.http_status, caught.value.retryable, caught.value.platform) == (500, True, platform)


def test_a_network_error_raises_without_the_secret_url(api, notifier):
    api.post(WECOM, body=requests.ConnectionError(f"cannot reach {WECOM}"))

    with pytest.raises(NotifyError) as caught:
        notifier.wecom(WECOM, title="t", text="x")
    assert caught.value.retryable and "wecom-key" not in str(caught.value)
    assert "qyapi.weixin.qq.com" in str(caught.value)


def test_a_200_that_is_not_json_raises(api, notifier):
    api.post(FEISHU, body="<html>gateway</html>")

    with pytest.raises(NotifyError, match="not JSON"):
        notifier.feishu(FEISHU, title="t", text="x")


def test_an_unknown_platform_raises(notifier):
    with pytest.raises(NotifyError, match="unknown platform"):
        notifier.send("telegram", "https://example.test", title="t", text="x")


def test_the_default_timeout_is_set_on_the_session(api):
    api.post(SLACK, body="ok")
    notifier = WebhookNotifier()

    notifier.slack(SLACK, title="t", text="x")

    assert api.calls[0].request.req_kwargs["timeout"] == (3.05, 10)
    assert notifier.session.get_adapter(SLACK).timeout == (3.05, 10)


def test_clip_cuts_characters_or_bytes_without_breaking_one():
    assert clip("abcdef", 4) == "abc…"
    assert clip("abc", 4) == "abc"
    assert clip("花费超限", 8, encoding="utf-8") == "花…"
