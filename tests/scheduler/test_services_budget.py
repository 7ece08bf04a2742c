"""Budget evaluation against the sandbox over HTTP: the rule applied through TikTok, once a day."""

import datetime as dt
from decimal import Decimal

import pytest

from adloop import clock
from analytics.models import PerformanceDaily
from campaigns.services import ad_launch
from sandbox.models import SbAd, SbAdGroup
from scheduler.models import ActionLog, StrategySettings
from scheduler.rules import Verdict
from scheduler.services import Actor
from scheduler.services_budget import budgets_evaluate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("raw_roas")]


@pytest.fixture
def launched(sandbox_http, advertiser, make_job):
    def launch(roas, spend=Decimal("60"), stage="heat", budget=Decimal("100")):
        ad = ad_launch(job=make_job(), advertiser=advertiser, stage=stage, budget=budget, actor=Actor.auto())
        today = clock.today(advertiser.timezone)
        for offset in range(1, 4):
            PerformanceDaily.objects.create(
                ad=ad, date=today - dt.timedelta(days=offset), spend=spend / 3, conversion_value=spend / 3 * Decimal(str(roas)),
                conversions=3, impressions=10000, clicks=100,
            )
        return ad

    return launch


def test_each_band_of_the_rule_reaches_tiktok(launched, advertiser):
    up, keep, down, pause = launched(3.5), launched(2.2), launched(1.6), launched(0.5)

    outcomes = {o.adgroup_pk: o for o in budgets_evaluate(advertiser=advertiser)}

    assert outcomes[up.adgroup_id].decision.verdict == Verdict.SCALE_UP
    assert SbAdGroup.objects.get(adgroup_id=up.adgroup.adgroup_id).budget == Decimal("130")
    assert SbAdGroup.objects.get(adgroup_id=keep.adgroup.adgroup_id).budget == Decimal("100")
    assert SbAdGroup.objects.get(adgroup_id=down.adgroup.adgroup_id).budget == Decimal("80")
    assert SbAd.objects.get(ad_id=pause.ad_id).operation_status == "DISABLE"
    change = ActionLog.objects.get(action="budget_change", object_pk=up.adgroup_id)
    assert change.trigger["roas"] == pytest.approx(3.5) and change.before == {"budget": "100.00"} and change.after == {"budget": "130.00"}


def test_evaluating_twice_on_one_day_changes_nothing_the_second_time(launched, advertiser):
    ad = launched(3.5)
    budgets_evaluate(advertiser=advertiser)

    second = budgets_evaluate(advertiser=advertiser)

    assert [o.note for o in second] == ["already changed today"]
    assert SbAdGroup.objects.get(adgroup_id=ad.adgroup.adgroup_id).budget == Decimal("130")
    assert ActionLog.objects.filter(action="budget_change").count() == 1


def test_the_kill_switch_changes_nothing_at_all(launched, advertiser):
    ad = launched(3.5)
    StrategySettings.objects.update_or_create(campaign=None, defaults={"kill_switch": True})

    assert budgets_evaluate(advertiser=advertiser) == []
    assert SbAdGroup.objects.get(adgroup_id=ad.adgroup.adgroup_id).budget == Decimal("100")
    assert not ActionLog.objects.filter(action__in=["budget_change", "pause"]).exists()


def test_dry_run_logs_would_do_and_leaves_tiktok_alone(launched, advertiser):
    up, pause = launched(3.5), launched(0.5)
    StrategySettings.objects.update_or_create(campaign=None, defaults={"dry_run": True})

    budgets_evaluate(advertiser=advertiser)

    assert SbAdGroup.objects.get(adgroup_id=up.adgroup.adgroup_id).budget == Decimal("100")
    assert SbAd.objects.get(ad_id=pause.ad_id).operation_status == "ENABLE"
    outcomes = set(ActionLog.objects.filter(action__in=["budget_change", "pause"]).values_list("outcome", "dry_run"))
    assert outcomes == {("would_do", True)}


def test_too_little_evidence_is_held(launched, advertiser):
    ad = launched(0.2, spend=Decimal("9"))

    assert [o.decision.verdict for o in budgets_evaluate(advertiser=advertiser)] == [Verdict.HOLD]
    assert SbAd.objects.get(ad_id=ad.ad_id).operation_status == "ENABLE"


def test_the_launch_stage_is_not_judged_by_roas(launched, advertiser):
    ad = launched(0.2, stage="launch")

    assert budgets_evaluate(advertiser=advertiser) == []
    assert SbAd.objects.get(ad_id=ad.ad_id).operation_status == "ENABLE"


def test_the_hit_stage_gets_only_the_downward_half_of_the_rule(launched, advertiser):
    up, pause = launched(3.5, stage="hit"), launched(0.5, stage="hit")

    outcomes = {o.adgroup_pk: o for o in budgets_evaluate(advertiser=advertiser)}

    assert outcomes[up.adgroup_id].note == "hit stage: hit scaling raises it" and not outcomes[up.adgroup_id].applied
    assert SbAdGroup.objects.get(adgroup_id=up.adgroup.adgroup_id).budget == Decimal("100")
    assert SbAd.objects.get(ad_id=pause.ad_id).operation_status == "DISABLE"


def test_raises_stop_at_the_account_daily_cap(launched, advertiser):
    advertiser.daily_spend_cap = Decimal("250")
    advertiser.save()
    first, second = launched(3.5), launched(3.5)  # 200 committed: 50 of headroom for both

    budgets_evaluate(advertiser=advertiser)

    budgets = sorted(SbAdGroup.objects.get(adgroup_id=ad.adgroup.adgroup_id).budget for ad in (first, second))
    assert budgets == [Decimal("120"), Decimal("130")]  # the second raise is cut to what is left


def test_below_target_at_tiktoks_minimum_the_ad_is_paused(launched, advertiser):
    """The cut cannot go below TikTok's 20 a day: a creative still below target there is stopped."""
    at_minimum, above = launched(1.6, budget=Decimal("20")), launched(1.6, budget=Decimal("25"))

    budgets_evaluate(advertiser=advertiser)

    assert SbAd.objects.get(ad_id=at_minimum.ad_id).operation_status == "DISABLE"
    assert SbAd.objects.get(ad_id=above.ad_id).operation_status == "ENABLE"
    assert SbAdGroup.objects.get(adgroup_id=above.adgroup.adgroup_id).budget == Decimal("20")
    entry = ActionLog.objects.get(action="pause", object_pk=at_minimum.pk)
    assert entry.trigger["at_minimum"] is True and "minimum 20.00: pause" in entry.reason
