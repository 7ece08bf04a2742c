"""alerts_evaluate on many low-ROAS ads at once: its reads stay constant, each pause's ActionLog
row carries its own ad's metrics only, and the once-a-day alert holds for a whole batch."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics.models import Alert, PerformanceDaily
from analytics.services import alerts
from analytics.services.alerts import alerts_evaluate
from campaigns.models import Ad, OperationStatus, Stage
from sandbox.models import SbAd
from scheduler.models import ActionLog
from scheduler.services_settings import strategy_global_ensure

from .conftest import copies, queries_of_this_thread

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("raw_roas")]

FEW, MANY = 5, 50


@pytest.fixture
def heat_ad(sandbox_http, advertiser, make_job, launch) -> Ad:
    """One running heat-stage ad (ROAS is its KPI), launched in the sandbox over HTTP."""
    return launch(make_job(), advertiser, Stage.HEAT)


@pytest.fixture
def strategy():
    """The global settings, with the spend caps out of reach: these ads share one ad group."""
    row = strategy_global_ensure()
    row.adgroup_budget_cap = row.account_daily_cap = Decimal("100000.00")
    row.save()
    return row


@pytest.fixture
def mail_channel(settings):
    settings.ALERT_CHANNELS = ["email:ops@example.com"]


def low_roas(ads: list[Ad], day: dt.date) -> dict[int, dict]:
    """Give each ad its own spend at ROAS 0.10 on `day` (enough evidence, far below the floor of
    1.00); return the metrics each pause must log, by ad pk."""
    metrics = {}
    for number, ad in enumerate(ads):
        spend = Decimal(30 + number)
        PerformanceDaily.objects.create(
            ad=ad, date=day, impressions=10_000, clicks=100, spend=spend, conversion_value=spend / 10, conversions=1
        )
        metrics[ad.pk] = {"roas": 0.1, "spend": f"{spend:.2f}", "conversion_value": f"{spend / 10:.2f}", "conversions": 1}
    return metrics


def evaluate(advertiser, day) -> tuple[list[Alert], list[str]]:
    """Run the rules; return the alerts created and the SELECT statements this thread ran (the
    sandbox answering the pauses runs its own SQL on the live server's thread)."""
    with queries_of_this_thread() as seen:
        created = alerts_evaluate(advertiser=advertiser, day=day)
    return created, [sql for sql in seen if sql.lstrip().upper().startswith("SELECT")]


def test_reads_do_not_grow_with_the_number_of_alerts(advertiser, heat_ad, strategy, today, mail_channel, mailoutbox):
    few = [heat_ad, *copies(heat_ad, FEW - 1)]
    low_roas(few, today)
    few_alerts, few_selects = evaluate(advertiser, today)
    # Running beside the FEW ads just paused, in the same ad group (copied from another ad than
    # the first time: copies are named after their template and an ad group's names are unique).
    many = copies(few[-1], MANY)
    low_roas(many, today)

    many_alerts, many_selects = evaluate(advertiser, today)

    assert (len(few_alerts), len(many_alerts)) == (FEW, MANY)
    assert len(many_selects) == len(few_selects), "\n".join(many_selects)
    assert Ad.objects.filter(status=OperationStatus.DISABLE).count() == FEW + MANY
    assert set(SbAd.objects.filter(ad_id__in=[ad.ad_id for ad in few + many]).values_list("operation_status", flat=True)) == {
        "DISABLE"
    }
    assert len(mailoutbox) == 2 and Alert.objects.filter(notified=True).count() == FEW + MANY


@pytest.mark.parametrize("dry_run", [False, True], ids=["paused", "dry_run"])
def test_each_pause_log_row_carries_its_own_metrics_only(advertiser, heat_ad, strategy, today, dry_run):
    strategy.dry_run = dry_run
    strategy.save()
    ads = [heat_ad, *copies(heat_ad, FEW - 1)]
    metrics = low_roas(ads, today)

    alerts_evaluate(advertiser=advertiser, day=today)

    entries = list(ActionLog.objects.filter(action="pause", object_type="ad"))
    assert sorted(entry.object_pk for entry in entries) == sorted(metrics)
    for entry in entries:
        assert entry.trigger["metrics"] == {str(entry.object_pk): metrics[entry.object_pk]}
        assert (entry.trigger["rule"], entry.trigger["day"], entry.trigger["floor"]) == ("low_roas", today.isoformat(), "1.00")
        assert (entry.before, entry.after, entry.dry_run) == ({"status": "ENABLE"}, {"status": "DISABLE"}, dry_run)
        assert entry.outcome == ("would_do" if dry_run else "done")


def test_a_second_run_the_same_day_raises_and_pauses_nothing(advertiser, heat_ad, strategy, today, mail_channel, mailoutbox):
    ads = [heat_ad, *copies(heat_ad, FEW - 1)]
    low_roas(ads, today)
    first = alerts_evaluate(advertiser=advertiser, day=today)
    # A person resumes every ad the same day: the alert's pause is not repeated over their decision.
    Ad.objects.filter(pk__in=[ad.pk for ad in ads]).update(status=OperationStatus.ENABLE)

    second = alerts_evaluate(advertiser=advertiser, day=today)

    assert (len(first), second) == (FEW, [])
    assert Alert.objects.count() == FEW and ActionLog.objects.filter(action="pause").count() == FEW
    assert Ad.objects.filter(status=OperationStatus.ENABLE).count() == FEW
    assert len(mailoutbox) == 1


def test_an_alert_a_racing_run_raised_first_is_not_raised_or_sent_again(
    advertiser, heat_ad, strategy, today, mail_channel, mailoutbox, monkeypatch
):
    ads = [heat_ad, *copies(heat_ad, FEW - 1)]
    low_roas(ads, today)
    raced = ads[0]
    pause = alerts.objects_status_apply

    def pause_while_another_run_raises_one(**kwargs):
        # Another run (the advertiser lock should prevent it) raises one of the same alerts
        # after this run has read the existing ones and before it inserts its own.
        Alert.objects.create(
            kind=Alert.Kind.LOW_ROAS, message="raised by the other run", dedupe_key=f"low_roas:{raced.pk}:{today}", notified=True
        )
        return pause(**kwargs)

    monkeypatch.setattr(alerts, "objects_status_apply", pause_while_another_run_raises_one)

    created = alerts_evaluate(advertiser=advertiser, day=today)

    assert sorted(alert.dedupe_key for alert in created) == sorted(f"low_roas:{ad.pk}:{today}" for ad in ads[1:])
    assert Alert.objects.count() == FEW
    assert Alert.objects.get(dedupe_key=f"low_roas:{raced.pk}:{today}").message == "raised by the other run"
    assert len(mailoutbox) == 1 and mailoutbox[0].body.count("- [") == FEW - 1
    assert f"({raced.ad_id})" not in mailoutbox[0].body


def test_each_new_alert_is_notified_exactly_once(advertiser, heat_ad, strategy, today, mail_channel, mailoutbox):
    ads = [heat_ad, *copies(heat_ad, MANY - 1)]
    low_roas(ads, today)

    first = alerts_evaluate(advertiser=advertiser, day=today)
    # The first run paused every ad of the product: the second finds nothing of it running.
    [dark] = alerts_evaluate(advertiser=advertiser, day=today)
    later = copies(ads[-1], 1)  # a new low-ROAS ad later the same day: only its alert goes out
    low_roas(later, today)
    newest = alerts_evaluate(advertiser=advertiser, day=today)

    assert (len(first), len(newest)) == (MANY, 1) and newest[0].ad_id == later[0].pk
    assert dark.kind == Alert.Kind.NOTHING_RUNNING
    assert len(mailoutbox) == 3 and f"{MANY} adloop alerts" in mailoutbox[0].subject
    for alert in first:
        assert mailoutbox[0].body.count(f"Ad {alert.ad.name} ({alert.ad.ad_id})") == 1
    assert mailoutbox[1].body.count("- [") == 1 and "every ad is paused" in mailoutbox[1].body
    assert f"({later[0].ad_id})" in mailoutbox[2].body
    assert mailoutbox[2].body.count("- [") == 1
    assert Alert.objects.filter(notified=True).count() == MANY + 2
