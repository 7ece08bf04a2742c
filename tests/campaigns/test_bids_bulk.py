"""Bulk bid changes over HTTP against the sandbox (campaigns.services.adgroups_bid_set): one
adgroup/update call per ad group, each logged with before/after, refusals and failed checks
listed without stopping the others, and writes that do not grow with the count."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import AdGroup, AdvertiserAccount
from campaigns.services import BidChange, adgroups_bid_set
from sandbox.models import SbAdGroup, SbAdvertiser
from scheduler.models import ActionLog
from scheduler.services import Actor
from tests.campaigns.test_controls_bulk import adgroups_seed, advertiser_make, calls  # noqa: F401 (calls is a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

FLOOR = {"bid_type": "BID_TYPE_CUSTOM", "deep_bid_type": "VO_MIN_ROAS", "roas_bid": Decimal("2.00")}


def bidding_seed(advertiser: AdvertiserAccount, count: int) -> list[AdGroup]:
    """`count` running ad groups bidding with a ROAS floor of 2.00 on both sides, read back
    with their campaign and advertiser."""
    seeded = adgroups_seed(advertiser, count)
    AdGroup.objects.filter(pk__in=[g.pk for g in seeded]).update(**FLOOR)
    # adgroup/update validates the whole ad group again: complete the bulk-seeded ones as ad_launch would.
    pixel = SbAdvertiser.objects.get(advertiser_id=advertiser.advertiser_id).pixel_id
    SbAdGroup.objects.filter(adgroup_id__in=[g.adgroup_id for g in seeded]).update(
        **FLOOR, promotion_type="WEBSITE", pixel_id=pixel, optimization_event="COMPLETE_PAYMENT",
        extra={"placements": ["PLACEMENT_TIKTOK"]}, location_ids=["6252001"],
    )
    return list(AdGroup.objects.filter(pk__in=[g.pk for g in seeded]).select_related("campaign__advertiser").order_by("pk"))


def remote_floors(adgroups) -> dict[str, Decimal]:
    return dict(SbAdGroup.objects.filter(adgroup_id__in=[g.adgroup_id for g in adgroups]).values_list("adgroup_id", "roas_bid"))


def test_each_ad_group_gets_one_call_and_a_log_row_with_before_and_after(sandbox_http, advertiser, calls):  # noqa: F811
    adgroups = bidding_seed(advertiser, 25)
    changes = [BidChange(adgroup, {"roas_bid": Decimal("1.5")}, "lower the floor", {"spend_share": 0.4}) for adgroup in adgroups]

    result = adgroups_bid_set(changes=changes, actor=Actor.auto())

    assert {g.pk for g in result.changed} == {g.pk for g in adgroups} and not result.failed and result.error is None
    updates = [(body, request_id) for path, body, request_id in calls if path == "adgroup/update"]
    assert sorted(body["adgroup_id"] for body, _ in updates) == sorted(g.adgroup_id for g in adgroups) and len(calls) == 25
    assert set(remote_floors(adgroups).values()) == {Decimal("1.50")}
    assert set(AdGroup.objects.filter(pk__in=[g.pk for g in adgroups]).values_list("roas_bid", flat=True)) == {Decimal("1.50")}
    assert {g.roas_bid for g in adgroups} == {Decimal("1.50")}  # the caller's objects follow
    request_of = {body["adgroup_id"]: request_id for body, request_id in updates}
    entries = list(ActionLog.objects.filter(action="bid_change"))
    assert {entry.object_pk for entry in entries} == {g.pk for g in adgroups} and len(entries) == 25
    for entry in entries:
        assert (entry.before, entry.after, entry.outcome) == ({"roas_bid": "2.00"}, {"roas_bid": "1.50"}, "done")
        assert (entry.reason, entry.trigger) == ("lower the floor", {"spend_share": 0.4})
        assert entry.remote_request_id == request_of[entry.remote_id] and entry.advertiser_id == advertiser.pk


def test_bid_writes_do_not_grow_with_the_number_of_ad_groups(sandbox_http, advertiser, sandbox_app):
    counts = []
    for size, account in ((5, advertiser), (45, advertiser_make(sandbox_app, "Second shop"))):
        changes = [BidChange(adgroup, {"roas_bid": Decimal("1.80")}) for adgroup in bidding_seed(account, size)]
        with CaptureQueriesContext(connection) as queries:
            result = adgroups_bid_set(changes=changes, actor=Actor.auto(), action="bid_raise")
        assert len(result.changed) == size
        counts.append(Counter(q["sql"].split()[0].upper() for q in queries.captured_queries))
    assert counts[0] == counts[1] and counts[0]["UPDATE"] == 1 and counts[0]["INSERT"] == 1  # the bids, the log rows
    assert ActionLog.objects.filter(action="bid_raise", outcome="done").count() == 50


def test_a_refused_bid_is_logged_failed_while_the_others_apply(sandbox_http, advertiser):
    adgroups = bidding_seed(advertiser, 6)
    SbAdGroup.objects.filter(adgroup_id=adgroups[2].adgroup_id).update(operation_status="DELETE")  # gone behind our back

    result = adgroups_bid_set(changes=[BidChange(g, {"roas_bid": Decimal("1.70")}) for g in adgroups], actor=Actor.auto())

    assert list(result.failed) == [adgroups[2].pk] and "refused" in result.failed[adgroups[2].pk] and result.error is not None
    assert {g.pk for g in result.changed} == {g.pk for g in adgroups} - {adgroups[2].pk}
    floors = dict(AdGroup.objects.values_list("pk", "roas_bid"))
    assert [floors[g.pk] for g in adgroups] == [Decimal("1.70")] * 2 + [Decimal("2.00")] + [Decimal("1.70")] * 3
    outcomes = dict(ActionLog.objects.filter(action="bid_change").values_list("object_pk", "outcome"))
    assert outcomes == {g.pk: "failed" if g == adgroups[2] else "done" for g in adgroups}
    failed = ActionLog.objects.get(outcome="failed")
    assert failed.before == failed.after == {"roas_bid": "2.00"} and failed.error and failed.remote_id == adgroups[2].adgroup_id


def test_changes_failing_the_checks_are_listed_without_a_call_or_a_log_row(sandbox_http, advertiser, calls):  # noqa: F811
    adgroups = bidding_seed(advertiser, 5)
    lowest_cost = adgroups[2]
    lowest_cost.bid_type = "BID_TYPE_NO_BID"
    changes = [
        BidChange(adgroups[0], {"budget": Decimal("50")}),
        BidChange(adgroups[1], {"roas_bid": Decimal("0")}),
        BidChange(lowest_cost, {"bid_price": Decimal("1")}),
        BidChange(adgroups[3], {"roas_bid": Decimal("2.00")}),  # already so: skipped
        BidChange(adgroups[4], {"roas_bid": Decimal("1.90")}),
    ]

    result = adgroups_bid_set(changes=changes, actor=Actor.auto())

    assert set(result.failed) == {adgroups[0].pk, adgroups[1].pk, lowest_cost.pk}
    assert "cannot set budget" in result.failed[adgroups[0].pk] and "greater than 0" in result.failed[adgroups[1].pk]
    assert "lowest cost" in result.failed[lowest_cost.pk]
    assert [g.pk for g in result.changed] == [adgroups[4].pk]
    assert [body["adgroup_id"] for path, body, _ in calls] == [adgroups[4].adgroup_id]
    assert list(ActionLog.objects.values_list("object_pk", "outcome")) == [(adgroups[4].pk, "done")]
    assert remote_floors(adgroups[:4]) == {g.adgroup_id: Decimal("2.00") for g in adgroups[:4]}


def test_a_token_problem_stops_the_remaining_calls_and_logs_them_not_sent(sandbox_http, advertiser, calls):  # noqa: F811
    advertiser_pk = bidding_seed(advertiser, 4)[0].campaign.advertiser_id
    AdvertiserAccount.objects.filter(pk=advertiser_pk).update(access_token="revoked")
    adgroups = list(AdGroup.objects.filter(campaign__advertiser=advertiser_pk).select_related("campaign__advertiser").order_by("pk"))

    result = adgroups_bid_set(changes=[BidChange(g, {"roas_bid": Decimal("1.70")}) for g in adgroups], actor=Actor.auto())

    assert len(calls) == 1 and set(result.failed) == {g.pk for g in adgroups} and not result.changed
    assert [result.failed[g.pk].startswith("not sent") for g in adgroups] == [False, True, True, True]
    entries = ActionLog.objects.filter(action="bid_change").order_by("object_pk")
    assert [(e.outcome, e.before == e.after == {"roas_bid": "2.00"}) for e in entries] == [("failed", True)] * 4
    assert set(remote_floors(adgroups).values()) == {Decimal("2.00")}
    assert AdvertiserAccount.objects.get(pk=advertiser_pk).status == AdvertiserAccount.Status.ERROR
