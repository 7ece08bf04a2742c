"""Hit scaling at scale: every ad group decided first, cap raises 20 ad groups a TikTok call,
bid raises one call each with their writes batched, and SQL that does not grow with the
number of ad groups (the model: test_budget_bulk.py for the budget rule)."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adloop import clock
from analytics.models import PerformanceDaily
from campaigns.models import Ad, AdGroup
from sandbox.models import SbAdGroup, SbAdvertiser
from scheduler.models import ActionLog, DailyChange, StrategySettings
from scheduler.services_hit import hit_scale
from tests.campaigns.test_controls_bulk import adgroups_seed, advertiser_make, calls  # noqa: F401 (calls is a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

AT_CAP, BELOW = Decimal("100"), Decimal("40")  # yesterday's spend on a daily budget of 100


@pytest.fixture(autouse=True)
def roomy_account(db):
    """An account cap far above the ad groups' budgets, so raises are never cut by it here (and a
    cap raise step of 50, which the arithmetic below is pinned on)."""
    StrategySettings.objects.update_or_create(
        campaign=None, defaults={"account_daily_cap": Decimal("1000000"), "hit_cap_raise_step": Decimal("50")}
    )


def seed(advertiser, spends: list[Decimal]) -> list[AdGroup]:
    """One running hit-stage ad group per spend, each with one ad; an ad group below its
    budget bids with a ROAS floor of 2.00 (on both sides), so hit scaling lowers it."""
    adgroups = adgroups_seed(advertiser, len(spends), stage="hit")
    bidding = [g for g, spend in zip(adgroups, spends, strict=True) if spend < AT_CAP]
    floor = {"bid_type": "BID_TYPE_CUSTOM", "deep_bid_type": "VO_MIN_ROAS", "roas_bid": Decimal("2.00")}
    AdGroup.objects.filter(pk__in=[g.pk for g in bidding]).update(**floor)
    # adgroup/update validates the whole ad group again: complete the bulk-seeded ones as ad_launch would.
    pixel = SbAdvertiser.objects.get(advertiser_id=advertiser.advertiser_id).pixel_id
    SbAdGroup.objects.filter(adgroup_id__in=[g.adgroup_id for g in bidding]).update(
        **floor, promotion_type="WEBSITE", pixel_id=pixel, optimization_event="COMPLETE_PAYMENT",
        extra={"placements": ["PLACEMENT_TIKTOK"]}, location_ids=["6252001"],
    )
    ads = dict(Ad.objects.filter(adgroup__in=adgroups).values_list("adgroup_id", "pk"))
    yesterday = clock.today(advertiser.timezone) - dt.timedelta(days=1)
    PerformanceDaily.objects.bulk_create([
        PerformanceDaily(ad_id=ads[g.pk], date=yesterday, impressions=5000, clicks=50, spend=spend, conversion_value=spend * 3)
        for g, spend in zip(adgroups, spends, strict=True)
    ])
    return adgroups


def statements(queries) -> Counter:
    return Counter(q["sql"].split()[0].upper() for q in queries.captured_queries)


def remote_budgets(adgroups) -> set[Decimal]:
    return set(SbAdGroup.objects.filter(adgroup_id__in=[g.adgroup_id for g in adgroups]).values_list("budget", flat=True))


def test_sql_does_not_grow_from_5_to_50_capped_ad_groups(sandbox_http, advertiser, sandbox_app, calls):  # noqa: F811
    counts, budget_calls = [], []
    for size, account in ((5, advertiser), (50, advertiser_make(sandbox_app, "Big shop"))):
        seed(account, [AT_CAP] * size)
        calls.clear()
        with CaptureQueriesContext(connection) as queries:
            outcomes = hit_scale(advertiser=account)
        assert [(o.action, o.applied) for o in outcomes] == [("cap_raise", True)] * size
        counts.append(statements(queries))
        budget_calls.append([len(body["budget"]) for path, body, _ in calls if path == "adgroup/budget/update"])
    assert counts[0] == counts[1] and counts[0]["SELECT"] > 0
    assert budget_calls == [[5], [20, 20, 10]]  # ceil(n / 20) calls


def test_cap_raises_reach_tiktok_and_are_logged_with_before_and_after(sandbox_http, advertiser, calls):  # noqa: F811
    adgroups = seed(advertiser, [AT_CAP] * 45)

    outcomes = hit_scale(advertiser=advertiser)

    assert {(o.applied, o.after["budget"]) for o in outcomes} == {(True, Decimal("150.00"))}
    assert remote_budgets(adgroups) == {Decimal("150.00")}
    assert set(AdGroup.objects.filter(pk__in=[g.pk for g in adgroups]).values_list("budget", flat=True)) == {Decimal("150")}
    budget_calls = [(body["budget"], rid) for path, body, rid in calls if path == "adgroup/budget/update"]
    request_of = {item["adgroup_id"]: rid for items, rid in budget_calls for item in items}
    entries = list(ActionLog.objects.filter(action="cap_raise"))
    assert len(entries) == 45 and {entry.object_pk for entry in entries} == {g.pk for g in adgroups}
    for entry in entries:
        assert (entry.before, entry.after, entry.outcome) == ({"budget": "100.00"}, {"budget": "150.00"}, "done")
        assert entry.remote_request_id == request_of[entry.remote_id] and entry.trigger["spend"] == "100.00"
        assert entry.advertiser_id == advertiser.pk and entry.campaign_id == adgroups[0].campaign_id
    assert set(DailyChange.objects.values_list("object_pk", "kind")) == {(g.pk, "budget") for g in adgroups}


def test_a_second_run_on_one_day_changes_nothing(sandbox_http, advertiser, calls):  # noqa: F811
    seed(advertiser, [AT_CAP, BELOW] * 15)
    hit_scale(advertiser=advertiser)
    calls.clear()

    second = hit_scale(advertiser=advertiser)

    assert {(o.applied, o.note) for o in second} == {(False, "already changed today")} and calls == []
    assert ActionLog.objects.filter(action__in=["cap_raise", "bid_raise"]).count() == 30


def test_a_refused_budget_call_releases_its_claims_so_a_retry_today_raises_them(sandbox_http, advertiser, calls):  # noqa: F811
    adgroups = seed(advertiser, [AT_CAP] * 45)
    # TikTok refuses a budget for an ad group without one of its own: the first call (20 ad groups) fails.
    SbAdGroup.objects.filter(adgroup_id=adgroups[5].adgroup_id).update(budget_mode="BUDGET_MODE_INFINITE")

    outcomes = hit_scale(advertiser=advertiser)

    refused = [o for o in outcomes if not o.applied]
    assert [o.adgroup_pk for o in refused] == [g.pk for g in adgroups[:20]] and all(o.note for o in refused)
    assert all(o.after == o.before == {"budget": Decimal("100.00")} for o in refused)
    assert set(DailyChange.objects.values_list("object_pk", flat=True)) == {g.pk for g in adgroups[20:]}
    failed = ActionLog.objects.filter(action="cap_raise", outcome="failed")
    assert failed.count() == 20 and all(e.error and e.before == e.after == {"budget": "100.00"} for e in failed)
    assert {g.budget for g in AdGroup.objects.filter(pk__in=[o.adgroup_pk for o in refused])} == {Decimal("100")}

    SbAdGroup.objects.filter(adgroup_id=adgroups[5].adgroup_id).update(budget_mode="BUDGET_MODE_DAY")
    calls.clear()
    retry = {o.adgroup_pk: o for o in hit_scale(advertiser=advertiser)}

    assert all(retry[g.pk].applied for g in adgroups[:20])
    assert {retry[g.pk].note for g in adgroups[20:]} == {"already changed today"}
    assert [len(body["budget"]) for path, body, _ in calls if path == "adgroup/budget/update"] == [20]
    assert remote_budgets(adgroups) == {Decimal("150.00")}


def test_the_account_headroom_bounds_the_sum_of_the_raises(sandbox_http, advertiser):
    adgroups = seed(advertiser, [AT_CAP] * 30)  # 3,000 committed
    StrategySettings.objects.filter(campaign=None).update(account_daily_cap=Decimal("3520"))

    outcomes = hit_scale(advertiser=advertiser)

    raised = [o.after["budget"] - o.before["budget"] for o in outcomes if o.applied]
    assert raised == [Decimal("50.00")] * 10 + [Decimal("20.00")]  # 520 of headroom, 50 a step
    assert sum(AdGroup.objects.filter(pk__in=[g.pk for g in adgroups]).values_list("budget", flat=True)) == Decimal("3520")
    assert all("at the cap" in o.note for o in outcomes[11:])


def test_bid_raises_go_one_call_each_with_writes_that_do_not_grow(sandbox_http, advertiser, sandbox_app, calls):  # noqa: F811
    counts = []
    for size, account in ((5, advertiser), (50, advertiser_make(sandbox_app, "Big shop"))):
        adgroups = seed(account, [BELOW] * size)
        calls.clear()
        with CaptureQueriesContext(connection) as queries:
            outcomes = hit_scale(advertiser=account)
        assert [(o.action, o.applied, o.after) for o in outcomes] == [("bid_raise", True, {"roas_bid": Decimal("1.82")})] * size
        sent = sorted(body["adgroup_id"] for path, body, _ in calls if path == "adgroup/update")
        assert sent == sorted(g.adgroup_id for g in adgroups) and len(calls) == size  # one call each, nothing else
        counts.append(statements(queries))
        remote = SbAdGroup.objects.filter(adgroup_id__in=[g.adgroup_id for g in adgroups])
        assert set(remote.values_list("roas_bid", flat=True)) == {Decimal("1.82")}
        assert {g.roas_bid for g in AdGroup.objects.filter(pk__in=[g.pk for g in adgroups])} == {Decimal("1.82")}
    assert counts[0] == counts[1] and counts[0]["UPDATE"] == 1 and counts[0]["INSERT"] == 2  # the claims, the log rows
    entries = ActionLog.objects.filter(action="bid_raise")
    assert entries.count() == 55 and all(e.before == {"roas_bid": "2.00"} and e.after == {"roas_bid": "1.82"} for e in entries)
    assert all(e.remote_request_id and e.outcome == "done" for e in entries)
    assert set(DailyChange.objects.values_list("kind", flat=True)) == {"bid"} and DailyChange.objects.count() == 55


def test_a_refused_bid_is_logged_failed_releases_its_claim_and_spares_the_others(sandbox_http, advertiser):
    adgroups = seed(advertiser, [BELOW] * 6)
    SbAdGroup.objects.filter(adgroup_id=adgroups[2].adgroup_id).update(operation_status="DELETE")  # gone behind our back

    outcomes = hit_scale(advertiser=advertiser)

    assert [o.applied for o in outcomes] == [True, True, False, True, True, True] and "refused" in outcomes[2].note
    assert set(DailyChange.objects.values_list("object_pk", flat=True)) == {g.pk for g in adgroups} - {adgroups[2].pk}
    entry = ActionLog.objects.get(action="bid_raise", outcome="failed")
    assert entry.object_pk == adgroups[2].pk and entry.before == entry.after == {"roas_bid": "2.00"} and entry.error
    assert AdGroup.objects.get(pk=adgroups[2].pk).roas_bid == Decimal("2.00")


def test_an_unexpected_failure_part_way_keeps_only_the_bids_tiktok_took(sandbox_http, advertiser, monkeypatch):
    from integrations.tiktok_ads import endpoints

    adgroups = seed(advertiser, [BELOW] * 5)
    original, sent = endpoints.adgroup_update, []

    def flaky(client, **kwargs):
        if len(sent) == 2:
            raise RuntimeError("worker killed")
        sent.append(kwargs["adgroup_id"])
        return original(client, **kwargs)

    monkeypatch.setattr(endpoints, "adgroup_update", flaky)

    with pytest.raises(RuntimeError):
        hit_scale(advertiser=advertiser)

    honoured = {g.pk for g in adgroups if g.adgroup_id in sent}
    assert len(honoured) == 2 and set(DailyChange.objects.values_list("object_pk", flat=True)) == honoured
    assert set(AdGroup.objects.filter(roas_bid=Decimal("1.82")).values_list("pk", flat=True)) == honoured
    assert set(ActionLog.objects.filter(action="bid_raise").values_list("object_pk", flat=True)) == honoured


def test_dry_run_logs_would_do_in_constant_sql_and_calls_nothing(sandbox_http, advertiser, sandbox_app, calls):  # noqa: F811
    StrategySettings.objects.filter(campaign=None).update(dry_run=True)
    counts = []
    for size, account in ((5, advertiser), (50, advertiser_make(sandbox_app, "Big shop"))):
        seed(account, [AT_CAP, BELOW] * (size // 2) + [AT_CAP] * (size % 2))
        with CaptureQueriesContext(connection) as queries:
            outcomes = hit_scale(advertiser=account)
        assert {(o.applied, o.note) for o in outcomes} == {(False, "dry run")}
        counts.append(statements(queries))
    assert counts[0] == counts[1] and calls == [] and not DailyChange.objects.exists()
    entries = ActionLog.objects.filter(action__in=["cap_raise", "bid_raise"])
    assert entries.count() == 55 and set(entries.values_list("outcome", "dry_run")) == {("would_do", True)}
    assert set(AdGroup.objects.values_list("budget", "roas_bid")) == {(Decimal("100"), None), (Decimal("100"), Decimal("2.00"))}
