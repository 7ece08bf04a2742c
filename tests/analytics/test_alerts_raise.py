"""Raising alerts by hand (track A failures, API errors) and where their notifications go."""

import json
import logging

import pytest
import responses
from django.utils import timezone

from analytics.models import Alert
from analytics.services.alerts import alert_publication_failed, alert_raise, alerts_notify
from campaigns.models import Publication, PublishingAccount

pytestmark = pytest.mark.django_db

FEISHU = "https://open.feishu.cn/open-apis/bot/v2/hook/hook-token"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=ding-token"


@pytest.fixture
def publication(video_job):
    account = PublishingAccount.objects.create(name="Shop main", handle="@shop", provider=PublishingAccount.Provider.CHUHAIJIANG)
    return Publication.objects.create(
        job=video_job,
        account=account,
        scheduled_at=timezone.now(),
        idempotency_key="pub-1",
        attempts=1,
        status=Publication.Status.FAILED,
    )


def raise_one(**overrides):
    values = {
        "kind": Alert.Kind.API_ERROR,
        "severity": Alert.Severity.WARNING,
        "message": "TikTok answered 50000",
        "dedupe_key": "api:1",
    }
    return alert_raise(**values | overrides)


def test_the_same_dedupe_key_raises_one_alert(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = raise_one()
        second = raise_one(message="again")

    assert first is not None and second is None
    assert Alert.objects.count() == 1 and len(callbacks) == 1


def test_an_empty_dedupe_key_raises_every_time():
    raise_one(dedupe_key="")
    raise_one(dedupe_key="")

    assert Alert.objects.count() == 2


def test_an_unknown_reference_is_refused():
    with pytest.raises(TypeError, match="adgroup"):
        raise_one(adgroup=None)


def test_the_notification_waits_for_the_commit(settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.ALERT_CHANNELS = ["email:ops@example.com"]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        alert = raise_one()
    assert mailoutbox == [] and len(callbacks) == 1

    callbacks[0]()
    assert len(mailoutbox) == 1 and "TikTok answered 50000" in mailoutbox[0].body
    alert.refresh_from_db()
    assert alert.notified


def test_a_publication_failure_is_recorded_once_per_attempt(publication):
    first = alert_publication_failed(publication=publication, error="account banned")
    again = alert_publication_failed(publication=publication, error="account banned")
    publication.attempts = 2
    retry = alert_publication_failed(publication=publication, error="rate limited")

    assert first.pk == again.pk != retry.pk
    assert (first.kind, first.publication_id, first.severity) == (
        Alert.Kind.PUBLISH_FAILED,
        publication.pk,
        Alert.Severity.WARNING,
    )
    assert "account banned" in first.message and "@shop" in first.message
    assert first.details == {"error": "account banned", "attempts": 1, "account": publication.account_id}


def test_each_channel_gets_its_own_format_and_one_failure_spares_the_others(settings, mailoutbox, caplog):
    settings.ALERT_CHANNELS = [f"feishu:{FEISHU}|feishu-secret", f"dingtalk:{DINGTALK}", "email:ops@example.com"]
    alert = raise_one(notify=False)

    with responses.RequestsMock() as mock, caplog.at_level(logging.ERROR):
        mock.post(FEISHU, json={"code": 19021, "msg": "sign match fail"})
        mock.post(DINGTALK, json={"errcode": 0, "errmsg": "ok"})
        assert alerts_notify(alert_ids=[alert.pk])
        feishu_body, ding_body = (json.loads(call.request.body) for call in mock.calls)

    assert feishu_body["msg_type"] == "text" and feishu_body["sign"] and "TikTok answered 50000" in feishu_body["content"]["text"]
    assert ding_body["msgtype"] == "markdown" and "TikTok answered 50000" in ding_body["markdown"]["text"]
    assert "feishu failed" in caplog.text and "sign match fail" in caplog.text
    assert len(mailoutbox) == 1


def test_a_malformed_channel_is_logged_without_its_secret(settings, caplog):
    settings.ALERT_CHANNELS = ["https://hooks.example.com/secret-path"]
    alert = raise_one(notify=False)

    with caplog.at_level(logging.ERROR):
        assert alerts_notify(alert_ids=[alert.pk]) is False

    assert "ALERT_CHANNELS" in caplog.text and "secret-path" not in caplog.text
