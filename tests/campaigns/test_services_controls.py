"""Pause, resume and budget changes at each level, over HTTP against the sandbox."""

from decimal import Decimal

import pytest

from campaigns.errors import BudgetError, CampaignError
from campaigns.models import OperationStatus
from campaigns.services import ad_launch, adgroup_budget_set, campaign_budget_set, object_status_set, objects_status_set
from sandbox.models import SbAd, SbAdGroup, SbCampaign
from scheduler.models import ActionLog
from scheduler.services import Actor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ad(sandbox_http, advertiser, video_job):
    return ad_launch(job=video_job, advertiser=advertiser, stage="launch", budget=Decimal("50"), actor=Actor.auto())


def test_pause_and_resume_at_every_level(ad):
    for obj, remote in ((ad.adgroup.campaign, SbCampaign), (ad.adgroup, SbAdGroup), (ad, SbAd)):
        id_field = f"{obj._meta.model_name}_id"
        object_status_set(obj=obj, status=OperationStatus.DISABLE, actor=Actor.auto(), reason="test")
        assert remote.objects.get(**{id_field: getattr(obj, id_field)}).operation_status == "DISABLE"
        object_status_set(obj=obj, status=OperationStatus.ENABLE, actor=Actor.auto(), reason="test")
        assert remote.objects.get(**{id_field: getattr(obj, id_field)}).operation_status == "ENABLE"
    assert ActionLog.objects.filter(action="pause").count() == 3
    assert ActionLog.objects.filter(action="resume").count() == 3


def test_setting_the_status_an_object_already_has_changes_and_logs_nothing(ad):
    assert objects_status_set(objs=[ad], status=OperationStatus.ENABLE, actor=Actor.auto()) == []
    assert not ActionLog.objects.filter(action="resume").exists()


def test_an_adgroup_budget_change_reaches_tiktok_and_is_logged(ad):
    adgroup_budget_set(adgroup=ad.adgroup, budget=Decimal("65"), actor=Actor.auto(), reason="scale up", trigger={"roas": 3.1})

    assert SbAdGroup.objects.get(adgroup_id=ad.adgroup.adgroup_id).budget == Decimal("65")
    entry = ActionLog.objects.get(action="budget_change")
    assert (entry.before, entry.after, entry.trigger) == ({"budget": "50.00"}, {"budget": "65.00"}, {"roas": 3.1})
    assert entry.remote_request_id


def test_an_adgroup_budget_stays_within_the_minimum_and_the_cap(ad):
    with pytest.raises(BudgetError, match="minimum"):
        adgroup_budget_set(adgroup=ad.adgroup, budget=Decimal("5"), actor=Actor.auto())
    ad.adgroup.budget_cap = Decimal("80")
    with pytest.raises(BudgetError, match="cap"):
        adgroup_budget_set(adgroup=ad.adgroup, budget=Decimal("81"), actor=Actor.auto())
    assert SbAdGroup.objects.get(adgroup_id=ad.adgroup.adgroup_id).budget == Decimal("50")
    assert not ActionLog.objects.filter(action="budget_change").exists()


def test_a_campaign_gets_a_daily_budget_ceiling(ad):
    campaign = campaign_budget_set(campaign=ad.adgroup.campaign, budget=Decimal("300"), actor=Actor.auto())

    remote = SbCampaign.objects.get(campaign_id=campaign.campaign_id)
    assert (remote.budget_mode, remote.budget) == ("BUDGET_MODE_DAY", Decimal("300"))
    entry = ActionLog.objects.get(action="budget_change", object_type="campaign")
    assert entry.before == {"budget_mode": "BUDGET_MODE_INFINITE", "daily_budget": None}
    with pytest.raises(BudgetError, match="minimum"):
        campaign_budget_set(campaign=campaign, budget=Decimal("10"), actor=Actor.auto())


def test_an_object_never_created_on_tiktok_cannot_be_paused(ad):
    from campaigns.models import Campaign

    pending = Campaign.objects.create(advertiser=ad.adgroup.campaign.advertiser, name="x", objective="REACH", request_id="1")
    with pytest.raises(CampaignError, match="never created"):
        object_status_set(obj=pending, status=OperationStatus.DISABLE, actor=Actor.auto())


def test_a_refused_status_change_is_logged_as_failed(ad):
    # Deleted on TikTok behind our back: a deleted object's status cannot change (40002).
    SbAd.objects.filter(ad_id=ad.ad_id).update(operation_status="DELETE")

    with pytest.raises(CampaignError, match="4000"):
        object_status_set(obj=ad, status=OperationStatus.DISABLE, actor=Actor.auto())

    entry = ActionLog.objects.get(action="pause")
    assert entry.outcome == "failed" and entry.remote_request_id and entry.error
    ad.refresh_from_db()
    assert ad.status == OperationStatus.ENABLE


def test_a_refused_budget_change_is_logged_and_changes_nothing_locally(ad):
    SbAdGroup.objects.filter(adgroup_id=ad.adgroup.adgroup_id).delete()

    with pytest.raises(BudgetError, match="refused"):
        adgroup_budget_set(adgroup=ad.adgroup, budget=Decimal("70"), actor=Actor.auto(), reason="scale up")

    entry = ActionLog.objects.get(action="budget_change")
    assert entry.outcome == "failed" and entry.before == entry.after == {"budget": "50.00"} and entry.error
    ad.adgroup.refresh_from_db()
    assert ad.adgroup.budget == Decimal("50")
