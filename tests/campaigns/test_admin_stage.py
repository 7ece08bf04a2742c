"""The hand override in admin: "Move to … stage" on the campaign changelist, over HTTP to the sandbox."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from campaigns.models import Ad, Campaign, OperationStatus, Stage
from campaigns.services import ad_launch
from sandbox.models import SbCampaign
from scheduler.models import ActionLog
from scheduler.services import Actor

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = "admin:campaigns_campaign_changelist"


@pytest.fixture
def boss(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", password="pw"))
    return client


@pytest.fixture
def launched(sandbox_http, advertiser, make_job):
    return [
        ad_launch(job=make_job(), advertiser=advertiser, stage=Stage.LAUNCH, budget=Decimal("50"), actor=Actor.auto()) for _ in range(2)
    ]


def act(client, action, campaigns):
    response = client.post(reverse(CHANGELIST), {"action": action, ACTION_CHECKBOX_NAME: [c.pk for c in campaigns]}, follow=True)
    assert response.status_code == 200
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_the_actions_are_offered_on_the_campaign_changelist(boss, launched):
    page = boss.get(reverse(CHANGELIST))

    for action in (b"move_to_launch", b"move_to_heat", b"move_to_hit"):
        assert action in page.content
    assert b"Move to heat stage" in page.content


def test_move_to_heat_switches_the_product_once_as_the_manager(boss, launched):
    launch_campaign = launched[0].adgroup.campaign

    messages = act(boss, "move_to_heat", [launch_campaign])

    heat = Campaign.objects.get(stage=Stage.HEAT)
    assert Ad.objects.filter(adgroup__campaign=heat, status=OperationStatus.ENABLE).count() == 2
    assert SbCampaign.objects.get(campaign_id=launch_campaign.campaign_id).operation_status == "DISABLE"
    entry = ActionLog.objects.get(action="stage_change")
    assert (entry.actor, entry.user.username, entry.before["stage"], entry.after["stage"]) == ("user", "boss", "launch", "heat")
    shop = launch_campaign.advertiser.advertiser_id
    assert messages == [("success", f"Portable Blender (Test Shop ({shop})): moved to the heat (热度提升期) stage with 2 ad(s).")]


def test_two_campaigns_of_one_product_move_it_once_and_back(boss, launched):
    launch_campaign = launched[0].adgroup.campaign
    act(boss, "move_to_hit", [launch_campaign])
    hit = Campaign.objects.get(stage=Stage.HIT)

    messages = act(boss, "move_to_launch", [launch_campaign, hit])

    assert [level for level, _ in messages] == ["success"]
    assert ActionLog.objects.filter(action="stage_change").count() == 2
    assert SbCampaign.objects.get(campaign_id=launch_campaign.campaign_id).operation_status == "ENABLE"
    assert SbCampaign.objects.get(campaign_id=hit.campaign_id).operation_status == "DISABLE"


def test_the_current_stage_again_is_reported_as_nothing_to_do(boss, launched):
    messages = act(boss, "move_to_launch", [launched[0].adgroup.campaign])

    assert len(messages) == 1 and messages[0][0] == "info" and "already" in messages[0][1]
    assert not ActionLog.objects.filter(action="stage_change").exists()


def test_a_refused_switch_shows_the_reason_and_leaves_the_stage_running(boss, launched, product):
    product.landing_url = ""
    product.save()
    launch_campaign = launched[0].adgroup.campaign

    messages = act(boss, "move_to_heat", [launch_campaign])

    assert len(messages) == 1 and messages[0][0] == "error" and "landing page" in messages[0][1]
    assert SbCampaign.objects.get(campaign_id=launch_campaign.campaign_id).operation_status == "ENABLE"
    assert ActionLog.objects.get(action="stage_change").outcome == "failed"
