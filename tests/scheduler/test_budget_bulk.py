"""Budget evaluation at scale: the same decisions as one ad group at a time, with SQL that
does not grow with the number of ad groups and TikTok calls of at most 20 ids."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adloop import clock
from analytics.models import PerformanceDaily
from campaigns.models import Ad, AdGroup, OperationStatus
from sandbox.models import SbAd, SbAdGroup
from scheduler.models import ActionLog, DailyChange, StrategySettings
from scheduler.rules import Verdict
from scheduler.services_budget import _claim, budgets_evaluate
from tests.campaigns.test_controls_bulk import adgroups_seed, advertiser_make, calls  # noqa: F401 (calls is a fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("raw_roas")]

UP, KEEP, DOWN, PAUSE, HOLD = 3.5, 2.2, 1.6, 0.5, None  # ROAS against the default target of 2
BANDS = [UP, KEEP, DOWN, PAUSE, HOLD]


@pytest.fixture(autouse=True)
def roomy_account(db):
    """An account cap far above the ad groups' budgets, so raises are never cut by it here."""
    StrategySettings.objects.update_or_create(campaign=None, defaults={"account_daily_cap": Decimal("1000000")})


def seed(advertiser, roas_list, *, stage="heat") -> list[AdGroup]:
    """One ad group per ROAS, each with three days of 20 spend (HOLD: 3 days of 2, too little to judge)."""
    adgroups = adgroups_seed(advertiser, len(roas_list), stage=stage)
    today = clock.today(advertiser.timezone)
    ads = dict(Ad.objects.filter(adgroup__in=adgroups).values_list("adgroup_id", "pk"))
    rows = []
    for adgroup, roas in zip(adgroups, roas_list, strict=True):
        spend, value = (Decimal("2"), Decimal("1")) if roas is None else (Decimal("20"), Decimal("20") * Decimal(str(roas)))
        rows += [
            PerformanceDaily(
                ad_id=ads[adgroup.pk], date=today - dt.timedelta(days=offset), impressions=10000, clicks=100, conversions=3,
                spend=spend, conversion_value=value,
            )
            for offset in range(1, 4)
        ]
    PerformanceDaily.objects.bulk_create(rows)
    return adgroups


def test_sql_queries_do_not_grow_from_5_to_50_ad_groups(sandbox_http, advertiser, sandbox_app):
    counts = []
    for size, account in ((5, advertiser), (50, advertiser_make(sandbox_app, "Big shop"))):
        seed(account, [BANDS[n % 5] for n in range(size)])
        with CaptureQueriesContext(connection) as queries:
            outcomes = budgets_evaluate(advertiser=account)
        assert len(outcomes) == size and sum(o.applied for o in outcomes) == size // 5 * 3  # up, down, pause
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_dry_run_sql_does_not_grow_either(sandbox_http, advertiser, sandbox_app, calls):  # noqa: F811
    StrategySettings.objects.filter(campaign=None).update(dry_run=True)
    counts = []
    for size, account in ((5, advertiser), (50, advertiser_make(sandbox_app, "Big shop"))):
        seed(account, [BANDS[n % 5] for n in range(size)])
        with CaptureQueriesContext(connection) as queries:
            budgets_evaluate(advertiser=account)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] and calls == []
    assert ActionLog.objects.filter(outcome="would_do", dry_run=True).count() == 55 // 5 * 3


def test_every_call_carries_at_most_20_ids_and_every_decision_reaches_tiktok(sandbox_http, advertiser, calls):  # noqa: F811
    adgroups = seed(advertiser, [UP, PAUSE] * 30)

    outcomes = {o.adgroup_pk: o for o in budgets_evaluate(advertiser=advertiser)}

    status_calls = [body["ad_ids"] for path, body, _ in calls if path == "ad/status/update"]
    budget_calls = [body["budget"] for path, body, _ in calls if path == "adgroup/budget/update"]
    assert [len(ids) for ids in status_calls] == [20, 10] and [len(items) for items in budget_calls] == [20, 10]
    ups, pauses = adgroups[::2], adgroups[1::2]
    assert all(outcomes[g.pk].applied for g in adgroups)
    assert set(SbAdGroup.objects.filter(adgroup_id__in=[g.adgroup_id for g in ups]).values_list("budget", flat=True)) == {Decimal("130")}
    paused = SbAd.objects.filter(adgroup__adgroup_id__in=[g.adgroup_id for g in pauses])
    assert set(paused.values_list("operation_status", flat=True)) == {"DISABLE"}
    assert set(Ad.objects.filter(adgroup__in=pauses).values_list("status", flat=True)) == {OperationStatus.DISABLE}
    pause = ActionLog.objects.get(action="pause", object_pk=Ad.objects.get(adgroup=pauses[0]).pk)
    assert pause.trigger["roas"] == pytest.approx(0.5) and "pause" in pause.reason and pause.remote_request_id
    change = ActionLog.objects.get(action="budget_change", object_pk=ups[0].pk)
    assert (change.before, change.after) == ({"budget": "100.00"}, {"budget": "130.00"}) and change.trigger["roas"] == pytest.approx(3.5)
    assert DailyChange.objects.filter(day=clock.today("UTC")).count() == 30


def test_a_second_run_on_one_day_makes_no_budget_call(sandbox_http, advertiser, calls):  # noqa: F811
    seed(advertiser, [UP, DOWN] * 15)
    budgets_evaluate(advertiser=advertiser)
    calls.clear()

    second = budgets_evaluate(advertiser=advertiser)

    assert {o.note for o in second} == {"already changed today"} and calls == []
    assert ActionLog.objects.filter(action="budget_change").count() == 30


def test_a_refused_budget_call_releases_its_claims_and_spares_the_others(sandbox_http, advertiser):
    adgroups = seed(advertiser, [UP] * 45)
    SbAdGroup.objects.filter(adgroup_id=adgroups[5].adgroup_id).delete()  # one of them vanished on TikTok

    outcomes = budgets_evaluate(advertiser=advertiser)

    failed = [o for o in outcomes if not o.applied]
    assert len(failed) == 20 and all(o.note for o in failed)  # the refused call's 20 ad groups
    claimed = set(DailyChange.objects.values_list("object_pk", flat=True))
    assert claimed == {o.adgroup_pk for o in outcomes if o.applied} and len(claimed) == 25
    assert ActionLog.objects.filter(action="budget_change", outcome="failed").count() == 20
    assert set(AdGroup.objects.filter(pk__in=[o.adgroup_pk for o in failed]).values_list("budget", flat=True)) == {Decimal("100")}


def test_a_refused_pause_call_spares_the_other_batches(sandbox_http, advertiser):
    adgroups = seed(advertiser, [PAUSE] * 45)
    SbAd.objects.filter(adgroup__adgroup_id=adgroups[0].adgroup_id).update(operation_status="DELETE")

    outcomes = {o.adgroup_pk: o for o in budgets_evaluate(advertiser=advertiser)}

    assert sum(o.applied for o in outcomes.values()) == 25 and outcomes[adgroups[0].pk].note
    assert Ad.objects.filter(adgroup__in=adgroups, status=OperationStatus.DISABLE).count() == 25


def test_the_hit_stage_and_held_ad_groups_stay_untouched_in_bulk(sandbox_http, advertiser, calls):  # noqa: F811
    seed(advertiser, [UP] * 25, stage="hit")
    seed(advertiser, [HOLD] * 25)

    outcomes = budgets_evaluate(advertiser=advertiser)

    assert {o.decision.verdict for o in outcomes} == {Verdict.SCALE_UP, Verdict.HOLD} and not any(o.applied for o in outcomes)
    assert calls == [] and not DailyChange.objects.exists()


def test_a_claim_taken_meanwhile_is_left_to_its_owner(advertiser):
    day = dt.date(2025, 1, 1)
    DailyChange.objects.create(object_type="adgroup", object_pk=2, day=day)

    assert _claim([1, 2, 3], day) == {1, 3}
    assert DailyChange.objects.filter(day=day).count() == 3


def test_an_unexpected_failure_part_way_keeps_only_the_claims_tiktok_honoured(sandbox_http, advertiser, monkeypatch):
    from integrations.tiktok_ads import endpoints

    adgroups = seed(advertiser, [UP] * 45)
    original, sent = endpoints.adgroup_budget_update, []

    def flaky(client, **kwargs):
        if sent:
            raise RuntimeError("worker killed")
        sent.append(list(kwargs["budgets"]))
        return original(client, **kwargs)

    monkeypatch.setattr(endpoints, "adgroup_budget_update", flaky)

    with pytest.raises(RuntimeError):
        budgets_evaluate(advertiser=advertiser)

    honoured = {g.pk for g in adgroups if g.adgroup_id in sent[0]}
    assert len(honoured) == 20 and set(DailyChange.objects.values_list("object_pk", flat=True)) == honoured
    assert set(AdGroup.objects.filter(budget=Decimal("130")).values_list("pk", flat=True)) == honoured
    assert set(ActionLog.objects.filter(action="budget_change").values_list("object_pk", flat=True)) == honoured
