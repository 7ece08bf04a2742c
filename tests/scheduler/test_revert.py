"""Reverting a logged change against the sandbox over HTTP: TikTok gets the old value back,
the undo is logged and linked to what it undid, and nonsense reverts are refused."""

from decimal import Decimal

import pytest

from campaigns.models import Ad, AdGroup, OperationStatus
from campaigns.services import ad_launch, adgroup_budget_set, campaign_budget_set, object_status_set
from sandbox.models import SbAd, SbAdGroup, SbCampaign
from scheduler.locks import DatabaseLockBackend, advertiser_key
from scheduler.models import ActionLog, DailyChange
from scheduler.services import Actor, action_log_record
from scheduler.services_revert import RevertError, action_revert

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def manager(django_user_model):
    return Actor.of(django_user_model.objects.create_superuser("manager", password="pw"))


@pytest.fixture
def ad(sandbox_http, advertiser, video_job) -> Ad:
    return ad_launch(job=video_job, advertiser=advertiser, stage="launch", budget=Decimal("100"), actor=Actor.auto())


def remote_budget(adgroup) -> Decimal:
    return SbAdGroup.objects.get(adgroup_id=adgroup.adgroup_id).budget


def last(action: str) -> ActionLog:
    return ActionLog.objects.filter(action=action).order_by("-pk").first()


def test_reverting_a_budget_change_puts_the_old_budget_back_on_tiktok_and_logs_the_undo(ad, manager):
    adgroup_budget_set(adgroup=ad.adgroup, budget=Decimal("130"), actor=Actor.auto(), reason="ROAS 3.5")
    original = last("budget_change")

    undo = action_revert(entry=original, actor=manager)

    assert remote_budget(ad.adgroup) == Decimal("100")
    ad.adgroup.refresh_from_db()
    assert ad.adgroup.budget == Decimal("100")
    assert undo.reverts == original and undo.pk != original.pk
    assert (undo.before, undo.after) == (original.after, original.before) == ({"budget": "130.00"}, {"budget": "100.00"})
    assert (undo.actor, undo.user.username, undo.outcome) == ("user", "manager", "done")
    assert undo.remote_request_id and f"#{original.pk}" in undo.reason


def test_reverting_a_pause_resumes_the_ad_on_tiktok(ad, manager):
    object_status_set(obj=ad, status=OperationStatus.DISABLE, actor=Actor.auto(), reason="ROAS below the floor")
    assert SbAd.objects.get(ad_id=ad.ad_id).operation_status == "DISABLE"
    original = last("pause")

    undo = action_revert(entry=original, actor=manager)

    assert SbAd.objects.get(ad_id=ad.ad_id).operation_status == "ENABLE"
    ad.refresh_from_db()
    assert ad.status == OperationStatus.ENABLE
    assert (undo.action, undo.reverts, undo.before, undo.after) == ("resume", original, {"status": "DISABLE"}, {"status": "ENABLE"})


def test_a_second_revert_of_the_same_change_is_refused(ad, manager):
    adgroup_budget_set(adgroup=ad.adgroup, budget=Decimal("130"), actor=Actor.auto())
    original = last("budget_change")
    first = action_revert(entry=original, actor=manager)
    entries = ActionLog.objects.count()

    with pytest.raises(RevertError, match=f"Already reverted by log entry #{first.pk}"):
        action_revert(entry=original, actor=manager)

    assert remote_budget(ad.adgroup) == Decimal("100") and ActionLog.objects.count() == entries


def test_a_value_changed_since_is_not_overwritten_and_the_message_says_what_it_is_now(ad, manager):
    adgroup_budget_set(adgroup=ad.adgroup, budget=Decimal("130"), actor=Actor.auto())
    original = last("budget_change")
    adgroup_budget_set(adgroup=ad.adgroup, budget=Decimal("150"), actor=manager)

    with pytest.raises(RevertError) as refused:
        action_revert(entry=original, actor=manager)

    assert "150.00" in str(refused.value) and "130.00" in str(refused.value)
    assert remote_budget(ad.adgroup) == Decimal("150")
    assert not ActionLog.objects.filter(reverts=original).exists()


def test_unwinding_newest_first_reverts_both_changes_of_one_object(ad, manager):
    adgroup_budget_set(adgroup=ad.adgroup, budget=Decimal("130"), actor=Actor.auto())
    older = last("budget_change")
    adgroup_budget_set(adgroup=ad.adgroup, budget=Decimal("150"), actor=Actor.auto())
    newer = last("budget_change")

    action_revert(entry=newer, actor=manager)
    action_revert(entry=older, actor=manager)

    assert remote_budget(ad.adgroup) == Decimal("100")


def test_a_dry_run_entry_is_refused(ad, manager):
    would_do = action_log_record(
        actor=Actor.auto(), action="budget_change", obj=ad.adgroup, before={"budget": Decimal("80")}, after={"budget": Decimal("100")},
        dry_run=True,
    )

    with pytest.raises(RevertError, match="dry run"):
        action_revert(entry=would_do, actor=manager)
    assert remote_budget(ad.adgroup) == Decimal("100") and not ActionLog.objects.filter(reverts=would_do).exists()


def test_a_failed_entry_is_refused(ad, manager):
    failed = action_log_record(
        actor=Actor.auto(), action="pause", obj=ad, before={"status": "ENABLE"}, after={"status": "ENABLE"},
        outcome=ActionLog.Outcome.FAILED, error="TikTok said no",
    )

    with pytest.raises(RevertError, match="failed"):
        action_revert(entry=failed, actor=manager)


@pytest.mark.parametrize("action", ["ad_create", "campaign_create", "stage_change"])
def test_creates_and_stage_changes_cannot_be_reverted(ad, manager, action):
    entry = ActionLog.objects.filter(action=action).first() or action_log_record(
        actor=Actor.auto(), action=action, obj=ad.adgroup.campaign, before={"stage": "launch"}, after={"stage": "heat"},
    )

    with pytest.raises(RevertError, match="cannot be reverted"):
        action_revert(entry=entry, actor=manager)


def test_reverting_a_cap_raise_lowers_the_budget_again(ad, manager):
    adgroup_budget_set(adgroup=ad.adgroup, budget=Decimal("150"), actor=Actor.auto(), action="cap_raise")

    undo = action_revert(entry=last("cap_raise"), actor=manager)

    assert remote_budget(ad.adgroup) == Decimal("100") and undo.after == {"budget": "100.00"}


def test_reverting_a_bid_change_puts_the_old_bid_back_on_tiktok(ad, manager):
    from campaigns.services import adgroup_bid_set

    adgroup = ad.adgroup
    old_bid = adgroup.bid_price
    adgroup_bid_set(adgroup=adgroup, changes={"bid_price": old_bid + Decimal("0.02")}, actor=Actor.auto(), action="bid_raise")
    original = last("bid_raise")
    assert SbAdGroup.objects.get(adgroup_id=adgroup.adgroup_id).bid_price == old_bid + Decimal("0.02")

    undo = action_revert(entry=original, actor=manager)

    assert SbAdGroup.objects.get(adgroup_id=adgroup.adgroup_id).bid_price == old_bid
    assert undo.reverts == original and undo.after == {"bid_price": str(old_bid)}


def test_reverting_a_campaign_budget_change(ad, manager):
    campaign = ad.adgroup.campaign
    campaign_budget_set(campaign=campaign, budget=Decimal("100"), actor=Actor.auto())
    from_unlimited = last("budget_change")
    campaign_budget_set(campaign=campaign, budget=Decimal("160"), actor=Actor.auto())
    raised = last("budget_change")

    with pytest.raises(RevertError, match="no daily budget before"):
        action_revert(entry=from_unlimited, actor=manager)  # refused on its own terms, before the value check
    undo = action_revert(entry=raised, actor=manager)

    assert SbCampaign.objects.get(campaign_id=campaign.campaign_id).budget == Decimal("100")
    assert undo.after == {"budget_mode": "BUDGET_MODE_DAY", "daily_budget": "100.00"}


def test_a_revert_counts_as_todays_budget_change_so_automation_does_not_redo_it_today(ad, manager):
    adgroup_budget_set(adgroup=ad.adgroup, budget=Decimal("130"), actor=Actor.auto())

    action_revert(entry=last("budget_change"), actor=manager)

    assert DailyChange.objects.filter(object_type="adgroup", object_pk=ad.adgroup.pk, kind="budget").exists()


def test_a_revert_waits_for_no_automation_run_it_is_refused_while_one_holds_the_advertiser(ad, manager, advertiser):
    adgroup_budget_set(adgroup=ad.adgroup, budget=Decimal("130"), actor=Actor.auto())
    DatabaseLockBackend().acquire(advertiser_key(advertiser.pk), "a budget run", ttl_s=600)

    with pytest.raises(RevertError, match="automation run"):
        action_revert(entry=last("budget_change"), actor=manager)

    assert remote_budget(ad.adgroup) == Decimal("130")


def test_a_revert_the_budget_guardrails_refuse_is_reported_and_changes_nothing(ad, manager):
    adgroup_budget_set(adgroup=ad.adgroup, budget=Decimal("80"), actor=Actor.auto(), reason="ROAS 1.6")
    original = last("budget_change")
    AdGroup.objects.filter(pk=ad.adgroup_id).update(budget_cap=Decimal("90"))  # a manager capped it since

    with pytest.raises(RevertError, match="refused.*cap of 90"):
        action_revert(entry=original, actor=manager)

    assert remote_budget(ad.adgroup) == Decimal("80") and not ActionLog.objects.filter(reverts=original).exists()
