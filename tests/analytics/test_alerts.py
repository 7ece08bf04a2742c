"""Alert rules against ads launched for real in the sandbox (over HTTP), with chosen daily numbers."""

import datetime as dt
import logging
from decimal import Decimal

import pytest
import responses

from analytics.models import Alert, PerformanceDaily
from analytics.services.alerts import alerts_evaluate
from campaigns.models import Ad, AdGroup, Campaign, OperationStatus, Stage
from sandbox.models import SbAd, SbAdGroup, SbCampaign
from scheduler.models import ActionLog, StrategySettings
from scheduler.services_settings import SETTING_FIELDS, strategy_global_ensure

from .conftest import copies, queries_of_this_thread

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("raw_roas")]

DAY = dt.timedelta(days=1)
WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-key"
SLACK = "https://hooks.slack.com/services/T000/B000/XXXX"


def perf(ad, date, *, spend, value=0, conversions=0) -> PerformanceDaily:
    return PerformanceDaily.objects.create(
        ad=ad,
        date=date,
        impressions=10_000,
        clicks=100,
        spend=Decimal(spend),
        conversion_value=Decimal(value),
        conversions=conversions,
    )


def strategy(**values) -> StrategySettings:
    row = strategy_global_ensure()
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row


def remote(obj):
    model = {Ad: SbAd, AdGroup: SbAdGroup, Campaign: SbCampaign}[type(obj)]
    id_field = f"{obj._meta.model_name}_id"
    return model.objects.get(**{id_field: getattr(obj, id_field)}).operation_status


@pytest.fixture
def ads(sandbox_http, advertiser, make_job, launch):
    """Three running ads, each in its own ad group of one heat-stage campaign (ROAS is its KPI)."""
    return [launch(make_job(), advertiser, Stage.HEAT) for _ in range(3)]


@pytest.fixture
def bad_good_thin(ads, today):
    """ROAS 0.30 on $30 · ROAS 3.00 on $30 · ROAS 0 on only $5 (below min_spend $20)."""
    bad, good, thin = ads
    perf(bad, today - DAY, spend="20.00", value="6.00", conversions=1)
    perf(bad, today, spend="10.00", value="3.00", conversions=1)
    perf(good, today, spend="30.00", value="90.00", conversions=3)
    perf(thin, today, spend="5.00")
    return bad, good, thin


def test_a_low_roas_ad_with_enough_evidence_is_paused_on_tiktok(advertiser, bad_good_thin, today):
    bad, good, thin = bad_good_thin

    alerts = alerts_evaluate(advertiser=advertiser, day=today)

    assert [(a.kind, a.ad_id, a.severity) for a in alerts] == [(Alert.Kind.LOW_ROAS, bad.pk, Alert.Severity.WARNING)]
    assert (remote(bad), remote(good), remote(thin)) == ("DISABLE", "ENABLE", "ENABLE")
    bad.refresh_from_db()
    assert bad.status == OperationStatus.DISABLE
    alert = alerts[0]
    assert alert.dedupe_key == f"low_roas:{bad.pk}:{today}" and "ROAS 0.30" in alert.message and "paused the ad" in alert.message
    assert alert.details["outcome"] == "paused" and alert.details["roas"] == 0.3 and alert.campaign_id == bad.adgroup.campaign_id
    entry = ActionLog.objects.get(action="pause")
    assert (entry.object_type, entry.object_pk, entry.outcome, entry.actor) == ("ad", bad.pk, "done", "auto")
    assert entry.remote_id == bad.ad_id and entry.remote_request_id
    assert entry.trigger["metrics"][str(bad.pk)] == {"roas": 0.3, "spend": "30.00", "conversion_value": "9.00", "conversions": 2}
    assert (entry.trigger["rule"], entry.trigger["floor"], entry.trigger["window_days"]) == ("low_roas", "1.00", 3)
    assert "ROAS below 1.00" in entry.reason


def test_a_launch_stage_ad_is_not_paused_for_low_roas(advertiser, make_job, launch, sandbox_http, today):
    """Launch buys views (PRD §三): a low ROAS there is expected and must not end the test early."""
    viewing = launch(make_job(), advertiser)
    perf(viewing, today, spend="30.00", value="3.00", conversions=1)

    assert alerts_evaluate(advertiser=advertiser, day=today) == []

    assert remote(viewing) == "ENABLE" and not ActionLog.objects.filter(action="pause").exists()


def test_not_enough_evidence_or_days_outside_the_window_change_nothing(advertiser, ads, today):
    strategy(min_conversions=2)
    thin_spend, few_conversions, old = ads
    perf(thin_spend, today, spend="19.99", value="1.00", conversions=5)
    perf(few_conversions, today, spend="80.00", value="10.00", conversions=1)
    perf(old, today - 3 * DAY, spend="500.00", value="5.00", conversions=9)  # the 3-day window is today-2 … today

    assert alerts_evaluate(advertiser=advertiser, day=today) == []

    assert not Alert.objects.exists() and not ActionLog.objects.filter(action="pause").exists()
    assert {remote(ad) for ad in ads} == {"ENABLE"}


def test_running_twice_gives_one_alert_and_one_pause(advertiser, bad_good_thin, today):
    first = alerts_evaluate(advertiser=advertiser, day=today)
    second = alerts_evaluate(advertiser=advertiser, day=today)

    assert len(first) == 1 and second == []
    assert Alert.objects.count() == 1 and ActionLog.objects.filter(action="pause").count() == 1


def test_an_ad_resumed_by_a_person_is_not_paused_again_the_same_day(advertiser, bad_good_thin, today):
    bad = bad_good_thin[0]
    alerts_evaluate(advertiser=advertiser, day=today)
    Ad.objects.filter(pk=bad.pk).update(status=OperationStatus.ENABLE)

    assert alerts_evaluate(advertiser=advertiser, day=today) == []
    assert ActionLog.objects.filter(action="pause").count() == 1


def test_a_campaign_override_raises_the_floor(advertiser, bad_good_thin, today):
    bad, good, _ = bad_good_thin
    StrategySettings.objects.create(
        campaign=good.adgroup.campaign, **{name: None for name in SETTING_FIELDS} | {"alert_roas_floor": Decimal("3.50")}
    )

    alerts = alerts_evaluate(advertiser=advertiser, day=today)

    # All three ads run in the one launch-stage campaign: ROAS 0.30 and 3.00 are both below 3.50.
    assert sorted(a.ad_id for a in alerts) == sorted([bad.pk, good.pk])
    assert (remote(bad), remote(good)) == ("DISABLE", "DISABLE")
    assert ActionLog.objects.filter(action="pause").count() == 2


def test_alerts_switched_off_for_a_campaign_change_nothing(advertiser, bad_good_thin, today):
    bad = bad_good_thin[0]
    StrategySettings.objects.create(
        campaign=bad.adgroup.campaign, **{name: None for name in SETTING_FIELDS} | {"alert_enabled": False}
    )

    assert alerts_evaluate(advertiser=advertiser, day=today) == []
    assert remote(bad) == "ENABLE" and not Alert.objects.exists()


def test_spend_over_the_adgroup_cap_pauses_that_adgroup(advertiser, ads, today):
    capped, under, by_strategy = ads
    AdGroup.objects.filter(pk=capped.adgroup_id).update(budget_cap=Decimal("60.00"))
    strategy(adgroup_budget_cap=Decimal("45.00"))
    perf(capped, today, spend="70.00", value="700.00", conversions=10)
    perf(under, today, spend="40.00", value="400.00", conversions=10)
    perf(by_strategy, today, spend="45.01", value="450.00", conversions=10)
    perf(under, today - DAY, spend="90.00", value="900.00", conversions=10)  # yesterday does not count

    alerts = alerts_evaluate(advertiser=advertiser, day=today)

    assert sorted((a.kind, a.ad_id) for a in alerts) == [(Alert.Kind.SPEND_CAP, None)] * 2
    assert (remote(capped.adgroup), remote(under.adgroup), remote(by_strategy.adgroup)) == ("DISABLE", "ENABLE", "DISABLE")
    assert {remote(ad) for ad in ads} == {"ENABLE"}  # the ad group, not its ads
    capped_alert = Alert.objects.get(dedupe_key=f"spend_cap:adgroup:{capped.adgroup_id}:{today}")
    assert "spent 70.00 USD" in capped_alert.message and "cap of 60.00" in capped_alert.message
    entries = ActionLog.objects.filter(action="pause", object_type="adgroup")
    assert entries.count() == 2
    trigger = entries.get(object_pk=capped.adgroup_id).trigger
    assert trigger["metrics"][str(capped.adgroup_id)] == {"spend": "70.00", "cap": "60.00"}


def test_account_spend_over_the_daily_cap_is_critical_and_pauses_the_campaigns(advertiser, ads, today):
    strategy(account_daily_cap=Decimal("100.00"))
    for ad in ads:
        perf(ad, today, spend="40.00", value="400.00", conversions=4)

    alerts = alerts_evaluate(advertiser=advertiser, day=today)

    assert [(a.kind, a.severity, a.advertiser_id) for a in alerts] == [
        (Alert.Kind.SPEND_CAP, Alert.Severity.CRITICAL, advertiser.pk)
    ]
    assert "spent 120.00 USD" in alerts[0].message and "paused its 1 running campaign(s)" in alerts[0].message
    campaign = ads[0].adgroup.campaign
    assert remote(campaign) == "DISABLE"
    campaign.refresh_from_db()
    assert campaign.status == OperationStatus.DISABLE
    entry = ActionLog.objects.get(action="pause", object_type="campaign")
    assert (entry.trigger["spend"], entry.trigger["cap"]) == ("120.00", "100.00")


def test_the_advertisers_own_daily_cap_wins_over_the_strategy(advertiser, ads, today):
    advertiser.daily_spend_cap = Decimal("150.00")
    advertiser.save()
    strategy(account_daily_cap=Decimal("100.00"))
    for ad in ads:
        perf(ad, today, spend="40.00", value="400.00", conversions=4)

    assert alerts_evaluate(advertiser=advertiser, day=today) == []


def test_the_kill_switch_raises_the_alert_and_pauses_nothing_until_it_is_off(advertiser, bad_good_thin, today):
    bad = bad_good_thin[0]
    strategy(kill_switch=True)

    alerts = alerts_evaluate(advertiser=advertiser, day=today)

    assert len(alerts) == 1 and "Kill switch on: nothing was paused" in alerts[0].message
    assert alerts[0].details["outcome"] == "kill_switch"
    assert remote(bad) == "ENABLE" and not ActionLog.objects.filter(action="pause").exists()
    assert alerts_evaluate(advertiser=advertiser, day=today) == []  # still one alert

    strategy(kill_switch=False)
    assert alerts_evaluate(advertiser=advertiser, day=today) == []  # the same alert, now acted on
    assert remote(bad) == "DISABLE"
    alert = Alert.objects.get()
    assert alert.details["outcome"] == "paused" and "paused the ad" in alert.message


def test_a_campaign_cannot_switch_the_global_kill_switch_off(advertiser, bad_good_thin, today):
    bad = bad_good_thin[0]
    strategy(kill_switch=True)
    StrategySettings.objects.create(
        campaign=bad.adgroup.campaign, **{name: None for name in SETTING_FIELDS} | {"kill_switch": False}
    )

    alerts_evaluate(advertiser=advertiser, day=today)

    assert remote(bad) == "ENABLE"


def test_dry_run_logs_would_do_and_leaves_tiktok_alone(advertiser, bad_good_thin, today):
    bad = bad_good_thin[0]
    strategy(dry_run=True)

    alerts = alerts_evaluate(advertiser=advertiser, day=today)
    alerts_evaluate(advertiser=advertiser, day=today)

    assert len(alerts) == 1 and "Dry run: would have paused the ad" in alerts[0].message
    assert remote(bad) == "ENABLE"
    bad.refresh_from_db()
    assert bad.status == OperationStatus.ENABLE
    entry = ActionLog.objects.get(action="pause")
    assert (entry.outcome, entry.dry_run, entry.remote_request_id) == ("would_do", True, "")
    assert (entry.before, entry.after) == ({"status": "ENABLE"}, {"status": "DISABLE"})
    assert entry.trigger["metrics"][str(bad.pk)]["roas"] == 0.3


def test_a_refused_pause_is_a_critical_alert_and_is_retried_next_run(advertiser, bad_good_thin, today):
    bad = bad_good_thin[0]
    token = advertiser.access_token
    advertiser.access_token = "revoked-token"
    advertiser.save()

    alerts = alerts_evaluate(advertiser=advertiser, day=today)

    assert alerts[0].severity == Alert.Severity.CRITICAL and "Pausing failed" in alerts[0].message
    assert ActionLog.objects.get(action="pause").outcome == "failed"
    assert remote(bad) == "ENABLE"

    advertiser.refresh_from_db()
    advertiser.access_token, advertiser.status = token, advertiser.Status.CONNECTED
    advertiser.save()
    assert alerts_evaluate(advertiser=advertiser, day=today) == []
    assert remote(bad) == "DISABLE"
    assert Alert.objects.get().details["outcome"] == "paused"


def test_a_failing_webhook_does_not_stop_the_pause_and_is_logged(
    advertiser, bad_good_thin, today, settings, sandbox_http, caplog
):
    settings.ALERT_CHANNELS = [f"wecom:{WECOM}", f"slack:{SLACK}"]
    with responses.RequestsMock() as mock:
        mock.add_passthru(sandbox_http.url)
        mock.post(WECOM.split("?")[0], body="bad gateway", status=500)
        mock.post(SLACK, body="ok")
        with caplog.at_level(logging.ERROR, logger="analytics.services.alerts"):
            alerts = alerts_evaluate(advertiser=advertiser, day=today)
        slack_call = next(call for call in mock.calls if call.request.url == SLACK)

    assert remote(bad_good_thin[0]) == "DISABLE"
    assert "alert notification to wecom failed" in caplog.text and "wecom-key" not in caplog.text
    assert b"ROAS 0.30" in slack_call.request.body
    assert Alert.objects.get(pk=alerts[0].pk).notified  # Slack took it


def test_when_every_channel_fails_the_alert_stays_unnotified(advertiser, bad_good_thin, today, settings, sandbox_http):
    settings.ALERT_CHANNELS = [f"slack:{SLACK}"]
    with responses.RequestsMock() as mock:
        mock.add_passthru(sandbox_http.url)
        mock.post(SLACK, body="no_service", status=404)
        alerts_evaluate(advertiser=advertiser, day=today)

    assert remote(bad_good_thin[0]) == "DISABLE"
    assert not Alert.objects.get().notified


def test_the_email_channel_sends_one_mail_for_the_run(advertiser, ads, today, settings, mailoutbox):
    settings.ALERT_CHANNELS = ["email:ops@example.com"]
    for ad in ads:
        perf(ad, today, spend="30.00", value="3.00", conversions=1)

    alerts = alerts_evaluate(advertiser=advertiser, day=today)

    assert len(alerts) == 3 and len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ops@example.com"] and "3 adloop alerts" in mail.subject
    assert mail.body.count("ROAS 0.10") == 3
    assert Alert.objects.filter(notified=True).count() == 3


def test_alerts_below_the_minimum_severity_are_not_sent(advertiser, bad_good_thin, today, settings, mailoutbox):
    settings.ALERT_CHANNELS = ["email:ops@example.com"]
    settings.ALERT_NOTIFY_MIN_SEVERITY = "critical"

    alerts_evaluate(advertiser=advertiser, day=today)

    assert mailoutbox == [] and not Alert.objects.get().notified


def test_queries_do_not_grow_with_the_number_of_ads(advertiser, ads, today):
    def count() -> int:
        with queries_of_this_thread() as seen:
            assert alerts_evaluate(advertiser=advertiser, day=today) == []
        return len(seen)

    strategy_global_ensure()
    for ad in Ad.objects.all():
        perf(ad, today, spend="30.00", value="90.00", conversions=3)
    few = count()
    for ad in copies(ads[0], 12):
        perf(ad, today, spend="30.00", value="90.00", conversions=3)
        perf(ad, today - DAY, spend="30.00", value="90.00", conversions=3)

    assert Ad.objects.filter(status=OperationStatus.ENABLE).count() == 15
    assert count() == few
