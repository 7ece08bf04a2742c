"""budgets_by_day: an ad group's daily budget on past days, from its budget now and the budget
changes in the ActionLog — what the heat → hit delivery share is judged against."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Stage
from campaigns.services import ad_launch
from scheduler.models import ActionLog
from scheduler.services import Actor, action_log_record
from scheduler.services_budget import budgets_by_day

pytestmark = pytest.mark.django_db(transaction=True)

D1, D2, D3, D4 = (dt.date(2026, 3, day) for day in (10, 11, 12, 13))


@pytest.fixture
def adgroup(sandbox_http, advertiser, make_job):
    ad = ad_launch(job=make_job(), advertiser=advertiser, stage=Stage.HEAT, budget=Decimal("50"), actor=Actor.auto())
    return ad.adgroup


def change(adgroup, before, after, *, day=None, action="budget_change", actor=None, at=None, **values):
    """Log a budget change of `adgroup` (and set its budget to `after`, as the real change does)."""
    trigger = {"roas": 3.1} | ({"day": day.isoformat()} if day else {})
    entry = action_log_record(
        actor=actor or Actor.auto(), action=action, obj=adgroup, before={"budget": before}, after={"budget": after},
        trigger=trigger, **values,
    )
    if at is not None:
        ActionLog.objects.filter(pk=entry.pk).update(at=at)
    if values.get("outcome", ActionLog.Outcome.DONE) == ActionLog.Outcome.DONE and not values.get("dry_run"):
        adgroup.budget = Decimal(after)
        adgroup.save(update_fields=["budget"])
    return entry


def test_without_changes_every_day_has_todays_budget(adgroup):
    assert budgets_by_day([adgroup], [D1, D2]) == {adgroup.pk: {D1: Decimal("50"), D2: Decimal("50")}}


def test_each_change_counts_from_the_day_in_its_trigger(adgroup):
    change(adgroup, "50.00", "65.00", day=D2, action="budget_change")
    change(adgroup, "65.00", "84.50", day=D4, action="cap_raise")

    budgets = budgets_by_day([adgroup], [D1, D2, D3, D4])[adgroup.pk]

    assert budgets == {D1: Decimal("50.00"), D2: Decimal("65.00"), D3: Decimal("65.00"), D4: Decimal("84.50")}


def test_a_hand_change_counts_from_the_day_it_was_logged(adgroup, admin_user):
    noon = dt.datetime.combine(D3, dt.time(12), tzinfo=dt.UTC)
    change(adgroup, "50.00", "30.00", actor=Actor.of(admin_user), at=noon)

    budgets = budgets_by_day([adgroup], [D2, D3])[adgroup.pk]

    assert budgets == {D2: Decimal("50.00"), D3: Decimal("30.00")}


def test_the_logged_day_is_read_in_the_advertisers_time_zone(adgroup, admin_user):
    # 20:00 UTC on D2 is already D3 in Shanghai.
    evening = dt.datetime.combine(D2, dt.time(20), tzinfo=dt.UTC)
    change(adgroup, "50.00", "30.00", actor=Actor.of(admin_user), at=evening)

    assert budgets_by_day([adgroup], [D2], "Asia/Shanghai")[adgroup.pk] == {D2: Decimal("50.00")}
    assert budgets_by_day([adgroup], [D2], "UTC")[adgroup.pk] == {D2: Decimal("30.00")}


def test_dry_run_and_failed_changes_changed_nothing(adgroup):
    change(adgroup, "50.00", "65.00", day=D3, dry_run=True)
    change(adgroup, "50.00", "65.00", day=D3, outcome=ActionLog.Outcome.FAILED, error="refused")

    assert budgets_by_day([adgroup], [D2, D3])[adgroup.pk] == {D2: Decimal("50"), D3: Decimal("50")}


def test_a_change_never_counts_from_after_a_newer_one(adgroup, admin_user):
    # A hand change logged on the wall clock (far after the sandbox's simulated days), then the
    # budget rule's change of D3: the hand change cannot start after the change that followed it.
    change(adgroup, "50.00", "40.00", actor=Actor.of(admin_user), at=timezone.now() + dt.timedelta(days=400))
    change(adgroup, "40.00", "52.00", day=D3)

    budgets = budgets_by_day([adgroup], [D1, D2, D3])[adgroup.pk]

    assert budgets == {D1: Decimal("50.00"), D2: Decimal("50.00"), D3: Decimal("52.00")}


def test_it_reads_many_ad_groups_in_one_query(adgroup, sandbox_http, advertiser, make_job, django_assert_num_queries):
    others = [
        ad_launch(job=make_job(), advertiser=advertiser, stage=Stage.HEAT, budget=Decimal("50"), actor=Actor.auto()).adgroup
        for _ in range(3)
    ]
    for other in others:
        change(other, "50.00", "65.00", day=D2)

    with django_assert_num_queries(1):
        budgets = budgets_by_day([adgroup, *others], [D1, D2])

    assert budgets[others[0].pk] == {D1: Decimal("50.00"), D2: Decimal("65.00")}
    assert budgets[adgroup.pk] == {D1: Decimal("50"), D2: Decimal("50")}
