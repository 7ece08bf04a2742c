"""The scheduler's beat tasks against the sandbox over HTTP: fan-out per connected advertiser,
the per-advertiser lock (a busy one means a retry, never a concurrent run), summaries, and a
second run on the same day that changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from celery.exceptions import Retry

from adloop import clock
from analytics.models import PerformanceDaily
from campaigns.models import AdvertiserAccount, Campaign, Stage
from campaigns.services import ad_launch
from sandbox import services as sandbox
from sandbox.models import SbAdGroup
from scheduler import tasks
from scheduler.locks import RETRY_COUNTDOWN_S, DatabaseLockBackend, LockBusy, advertiser_key
from scheduler.models import ActionLog, SchedulerLock
from scheduler.services import Actor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("raw_roas")]


@pytest.fixture
def today(sandbox_http, advertiser):
    return clock.today(advertiser.timezone)


def connect(sandbox_app, name) -> AdvertiserAccount:
    remote = sandbox.sandbox_advertiser_create(app=sandbox_app, name=name, currency="USD", timezone="UTC")
    token = sandbox.sandbox_token_issue(app=sandbox_app, advertisers=[remote])
    return AdvertiserAccount.objects.create(
        advertiser_id=remote.advertiser_id, name=remote.name, currency="USD", timezone="UTC", access_token=token, pixel_id=remote.pixel_id,
    )


@pytest.fixture
def other_advertiser(sandbox_app):
    return connect(sandbox_app, "Second Shop")


@pytest.fixture
def winner(sandbox_http, make_job, today):
    """A heat-stage ad group of `advertiser` at ROAS 3.5 over the window: the rule scales it 100 → 130."""

    def make(advertiser):
        ad = ad_launch(job=make_job(), advertiser=advertiser, stage=Stage.HEAT, budget=Decimal("100"), actor=Actor.auto())
        for offset in range(1, 4):
            PerformanceDaily.objects.create(
                ad=ad, date=today - dt.timedelta(days=offset), spend=Decimal("20"), conversion_value=Decimal("70"),
                conversions=3, impressions=10000, clicks=100,
            )
        return ad.adgroup

    return make


def remote_budget(adgroup) -> Decimal:
    return SbAdGroup.objects.get(adgroup_id=adgroup.adgroup_id).budget


def hold_lock(advertiser) -> None:
    """Another run (another worker) holds the advertiser's lock."""
    assert DatabaseLockBackend().acquire(advertiser_key(advertiser.pk), "another-worker", ttl_s=600)


def test_task_names_are_stable():
    assert tasks.evaluate_budgets.name == "scheduler.evaluate_budgets"
    assert tasks.evaluate_budgets_for_advertiser.name == "scheduler.evaluate_budgets_for_advertiser"
    assert tasks.check_stages.name == "scheduler.check_stages"
    assert tasks.check_stages_for_advertiser.name == "scheduler.check_stages_for_advertiser"


# --- budgets ----------------------------------------------------------------------------------

def test_the_budget_fan_out_reaches_every_connected_advertiser_and_skips_revoked_ones(winner, advertiser, other_advertiser, sandbox_app):
    first, second = winner(advertiser), winner(other_advertiser)
    revoked = connect(sandbox_app, "Revoked Shop")
    gone = winner(revoked)
    AdvertiserAccount.objects.filter(pk=revoked.pk).update(status=AdvertiserAccount.Status.REVOKED)

    assert tasks.evaluate_budgets.delay().get() == 2

    assert remote_budget(first) == remote_budget(second) == Decimal("130")
    assert remote_budget(gone) == Decimal("100")
    advertisers = set(ActionLog.objects.filter(action="budget_change").values_list("advertiser_id", flat=True))
    assert advertisers == {advertiser.pk, other_advertiser.pk} and revoked.pk not in advertisers


def test_the_advertiser_task_returns_a_summary_by_verdict(winner, advertiser):
    winner(advertiser)

    summary = tasks.evaluate_budgets_for_advertiser.delay(advertiser.pk).get()

    assert summary == {
        "advertiser": advertiser.pk,
        "budgets": {"verdicts": {"scale_up": 1}, "applied": 1},
        "hit": {"actions": {}, "applied": 0},
    }


def test_evaluating_twice_on_one_day_changes_nothing_the_second_time(winner, advertiser):
    adgroup = winner(advertiser)
    tasks.evaluate_budgets_for_advertiser.delay(advertiser.pk).get()

    second = tasks.evaluate_budgets_for_advertiser.delay(advertiser.pk).get()

    assert second["budgets"] == {"verdicts": {"scale_up": 1}, "applied": 0}
    assert remote_budget(adgroup) == Decimal("130")  # not 169
    assert ActionLog.objects.filter(action="budget_change").count() == 1


def test_hit_scaling_runs_after_the_rule_in_the_same_task(sandbox_http, make_job, advertiser, today):
    ad = ad_launch(job=make_job(), advertiser=advertiser, stage=Stage.HIT, budget=Decimal("100"), actor=Actor.auto())
    PerformanceDaily.objects.create(  # spent its whole budget yesterday, at ROAS 2.2 (keep)
        ad=ad, date=today - dt.timedelta(days=1), spend=Decimal("100"), conversion_value=Decimal("220"), conversions=5,
        impressions=20000, clicks=300,
    )

    summary = tasks.evaluate_budgets_for_advertiser.delay(advertiser.pk).get()

    assert summary["hit"] == {"actions": {"cap_raise": 1}, "applied": 1}
    assert remote_budget(ad.adgroup) == Decimal("200")  # + the default step of 100
    assert ActionLog.objects.get(action="cap_raise").after == {"budget": "200.00"}


def test_a_held_lock_means_a_retry_and_the_service_does_not_run(winner, advertiser):
    adgroup = winner(advertiser)
    hold_lock(advertiser)

    with pytest.raises(Retry) as raised:
        tasks.evaluate_budgets_for_advertiser.delay(advertiser.pk)

    assert raised.value.when == RETRY_COUNTDOWN_S and isinstance(raised.value.exc, LockBusy)
    assert remote_budget(adgroup) == Decimal("100")
    assert not ActionLog.objects.filter(action="budget_change").exists()
    assert SchedulerLock.objects.get(key=advertiser_key(advertiser.pk)).token == "another-worker"  # not freed by the loser


def test_busy_lock_retries_are_bounded(winner, advertiser):
    winner(advertiser)
    hold_lock(advertiser)
    task = tasks.evaluate_budgets_for_advertiser

    with pytest.raises(LockBusy):
        task.apply(args=[advertiser.pk], retries=task.max_retries)

    assert task.max_retries == tasks.LOCK_MAX_RETRIES
    assert not ActionLog.objects.filter(action="budget_change").exists()


def test_the_service_runs_under_the_lock_and_frees_it_after(winner, advertiser, monkeypatch):
    winner(advertiser)
    held_during_run = []
    real = tasks.budgets_evaluate

    def observed(**kwargs):
        held_during_run.append(SchedulerLock.objects.filter(key=advertiser_key(advertiser.pk)).exists())
        return real(**kwargs)

    monkeypatch.setattr(tasks, "budgets_evaluate", observed)

    tasks.evaluate_budgets_for_advertiser.delay(advertiser.pk).get()

    assert held_during_run == [True]
    assert not SchedulerLock.objects.exists()


def test_a_locked_advertiser_does_not_stop_the_fan_out(winner, advertiser, other_advertiser):
    locked, free = winner(advertiser), winner(other_advertiser)
    hold_lock(advertiser)

    assert tasks.evaluate_budgets.delay().get() == 2

    assert remote_budget(locked) == Decimal("100") and remote_budget(free) == Decimal("130")


def test_one_advertisers_error_does_not_stop_the_others_in_eager_mode(winner, advertiser, other_advertiser, monkeypatch):
    broken, fine = winner(advertiser), winner(other_advertiser)
    real = tasks.budgets_evaluate

    def failing_for_the_first(*, advertiser, **kwargs):
        if advertiser.pk == broken.campaign.advertiser_id:
            raise RuntimeError("a bug in one account's data")
        return real(advertiser=advertiser, **kwargs)

    monkeypatch.setattr(tasks, "budgets_evaluate", failing_for_the_first)

    assert tasks.evaluate_budgets.delay().get() == 2

    assert remote_budget(fine) == Decimal("130") and remote_budget(broken) == Decimal("100")
    assert not SchedulerLock.objects.exists()  # the failed run released its lock


def test_an_advertiser_disconnected_since_the_fan_out_is_skipped(winner, advertiser):
    adgroup = winner(advertiser)
    AdvertiserAccount.objects.filter(pk=advertiser.pk).update(status=AdvertiserAccount.Status.REVOKED)

    assert tasks.evaluate_budgets_for_advertiser.delay(advertiser.pk).get() is None
    assert tasks.check_stages_for_advertiser.delay(advertiser.pk).get() is None
    assert remote_budget(adgroup) == Decimal("100")


# --- stages -----------------------------------------------------------------------------------

@pytest.fixture
def ready_for_heat(sandbox_http, make_job, today):
    """A launch-stage ad with 3 complete days of 20,000 impressions and a steady CTR."""

    def make(advertiser):
        ad = ad_launch(job=make_job(), advertiser=advertiser, stage=Stage.LAUNCH, budget=Decimal("50"), actor=Actor.auto())
        for offset, clicks in zip((3, 2, 1), (200, 210, 190), strict=True):
            PerformanceDaily.objects.create(ad=ad, date=today - dt.timedelta(days=offset), impressions=20000, clicks=clicks)
        return ad

    return make


def test_the_stage_fan_out_moves_each_connected_advertisers_product_and_skips_revoked_ones(ready_for_heat, advertiser, other_advertiser):
    ready_for_heat(advertiser)
    ready_for_heat(other_advertiser)
    AdvertiserAccount.objects.filter(pk=other_advertiser.pk).update(status=AdvertiserAccount.Status.REVOKED)

    assert tasks.check_stages.delay().get() == 1

    assert set(Campaign.objects.filter(stage=Stage.HEAT).values_list("advertiser_id", flat=True)) == {advertiser.pk}


def test_the_stage_task_returns_a_summary_and_a_second_run_changes_nothing(ready_for_heat, advertiser):
    ready_for_heat(advertiser)

    first = tasks.check_stages_for_advertiser.delay(advertiser.pk).get()
    second = tasks.check_stages_for_advertiser.delay(advertiser.pk).get()

    assert first == {"advertiser": advertiser.pk, "judged": 1, "applied": 1, "moves": {"launch→heat": 1}}
    assert second["applied"] == 0
    assert Campaign.objects.filter(stage=Stage.HEAT).count() == 1
    assert ActionLog.objects.filter(action="stage_change", outcome="done").count() == 1


def test_a_held_lock_keeps_the_stage_check_from_running(ready_for_heat, advertiser):
    ready_for_heat(advertiser)
    hold_lock(advertiser)

    with pytest.raises(Retry):
        tasks.check_stages_for_advertiser.delay(advertiser.pk)

    assert not Campaign.objects.filter(stage=Stage.HEAT).exists()
