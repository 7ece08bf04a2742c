"""Launching over real HTTP against the sandbox served by a live server."""

from decimal import Decimal

import pytest
import requests

from campaigns.errors import LaunchError
from campaigns.models import Ad, AdGroup, Campaign, OperationStatus, Stage
from campaigns.services import ad_launch, object_status_set
from creatives.models import VideoJob
from sandbox.models import SbAd, SbAdGroup, SbCampaign, SbVideo
from scheduler.models import ActionLog
from scheduler.services import Actor

pytestmark = pytest.mark.django_db(transaction=True)


def launch(job, advertiser, stage=Stage.LAUNCH, budget=Decimal("50")):
    return ad_launch(job=job, advertiser=advertiser, stage=stage, budget=budget, actor=Actor.auto())


def test_it_launches_a_job_as_an_ad_and_pauses_it(sandbox_http, advertiser, video_job):
    ad = launch(video_job, advertiser)

    assert ad.status == OperationStatus.ENABLE and ad.ad_id
    remote_ad = SbAd.objects.get(ad_id=ad.ad_id)
    assert remote_ad.operation_status == "ENABLE"
    remote_group = SbAdGroup.objects.get(adgroup_id=ad.adgroup.adgroup_id)
    assert remote_group.optimization_goal == "ENGAGED_VIEW"
    assert SbCampaign.objects.get(campaign_id=ad.adgroup.campaign.campaign_id).objective_type == "VIDEO_VIEWS"
    actions = list(ActionLog.objects.order_by("pk").values_list("action", "outcome"))
    assert actions == [("campaign_create", "done"), ("adgroup_create", "done"), ("ad_create", "done")]
    assert all(ActionLog.objects.values_list("remote_request_id", flat=True))

    object_status_set(obj=ad, status=OperationStatus.DISABLE, actor=Actor.auto(), reason="test")

    remote_ad.refresh_from_db()
    assert remote_ad.operation_status == "DISABLE"
    entry = ActionLog.objects.get(action="pause")
    assert (entry.before, entry.after) == ({"status": "ENABLE"}, {"status": "DISABLE"})
    assert entry.remote_id == ad.ad_id and entry.remote_request_id


def test_launching_the_same_job_twice_creates_one_ad(sandbox_http, advertiser, video_job):
    first = launch(video_job, advertiser)
    second = launch(video_job, advertiser)

    assert first.pk == second.pk
    assert SbAd.objects.count() == 1 and SbAdGroup.objects.count() == 1 and SbCampaign.objects.count() == 1
    assert SbVideo.objects.count() == 1


def test_a_second_creative_reuses_the_stage_campaign_and_gets_its_own_adgroup(sandbox_http, advertiser, make_job):
    first = launch(make_job(), advertiser)
    second = launch(make_job(), advertiser)

    assert first.adgroup.campaign_id == second.adgroup.campaign_id
    assert first.adgroup_id != second.adgroup_id
    assert SbCampaign.objects.count() == 1 and SbAdGroup.objects.count() == 2


def test_heat_stage_bids_on_roas_and_hit_stage_bids_lowest_cost(sandbox_http, advertiser, video_job):
    heat = launch(video_job, advertiser, stage=Stage.HEAT)
    hit = launch(video_job, advertiser, stage=Stage.HIT)

    heat_group = SbAdGroup.objects.get(adgroup_id=heat.adgroup.adgroup_id)
    assert (heat_group.billing_event, heat_group.deep_bid_type) == ("OCPM", "VO_MIN_ROAS")
    assert SbCampaign.objects.get(campaign_id=heat.adgroup.campaign.campaign_id).objective_type == "WEB_CONVERSIONS"
    hit_group = SbAdGroup.objects.get(adgroup_id=hit.adgroup.adgroup_id)
    assert (hit_group.bid_type, hit_group.deep_bid_type) == ("BID_TYPE_NO_BID", "VO_HIGHEST_VALUE")
    # A stage switch re-uses the uploaded video: one upload for both stages.
    assert SbVideo.objects.count() == 1
    assert heat.video_id == hit.video_id


def test_it_refuses_a_job_without_a_video_and_creates_nothing(sandbox_http, advertiser, product):
    job = VideoJob.objects.create(product=product, status=VideoJob.Status.FAILED, error="render failed")

    with pytest.raises(LaunchError, match="no finished video"):
        launch(job, advertiser)

    assert not Campaign.objects.exists() and not SbCampaign.objects.exists()
    assert not ActionLog.objects.exists()


def test_it_refuses_a_disconnected_advertiser(sandbox_http, advertiser, video_job):
    advertiser.status = advertiser.Status.REVOKED
    advertiser.save()

    with pytest.raises(LaunchError, match="not connected"):
        launch(video_job, advertiser)
    assert not SbCampaign.objects.exists()


def test_it_refuses_a_budget_under_tiktoks_minimum(sandbox_http, advertiser, video_job):
    with pytest.raises(LaunchError, match="at least 20"):
        launch(video_job, advertiser, budget=Decimal("5"))
    assert not SbCampaign.objects.exists()


def test_a_sandbox_40002_is_logged_and_the_created_campaign_stays_accounted_for(sandbox_http, advertiser, video_job):
    # Without a pixel the heat stage's ad group is invalid: TikTok answers 40002.
    advertiser.pixel_id = ""
    advertiser.save()

    with pytest.raises(LaunchError, match="40002"):
        launch(video_job, advertiser, stage=Stage.HEAT)

    campaign = Campaign.objects.get()
    assert campaign.status == OperationStatus.ENABLE
    assert SbCampaign.objects.filter(campaign_id=campaign.campaign_id).exists()
    assert ActionLog.objects.filter(action="campaign_create", outcome="done", remote_id=campaign.campaign_id).exists()
    failed = ActionLog.objects.get(action="adgroup_create")
    assert failed.outcome == "failed" and "40002" in failed.error and failed.remote_request_id
    assert AdGroup.objects.get().status == OperationStatus.FAILED
    assert not SbAdGroup.objects.exists()

    advertiser.pixel_id = "pixel-fixed"
    advertiser.save()
    from sandbox.models import SbAdvertiser

    SbAdvertiser.objects.filter(advertiser_id=advertiser.advertiser_id).update(pixel_id="pixel-fixed")
    ad = launch(video_job, advertiser, stage=Stage.HEAT)

    assert ad.adgroup.campaign_id == campaign.pk
    assert SbCampaign.objects.count() == 1 and SbAdGroup.objects.count() == 1


@pytest.fixture
def lose_answer(monkeypatch):
    """Let the first call to `path` reach the server, then lose its answer (a read timeout)."""
    original = requests.Session.request
    lost = []

    def arm(path):
        def request(self, method, url, *args, **kwargs):
            response = original(self, method, url, *args, **kwargs)
            if url.endswith(path) and not lost:
                lost.append(url)
                raise requests.ReadTimeout(f"lost answer of {url}")
            return response

        monkeypatch.setattr(requests.Session, "request", request)
        return lost

    return arm


def test_a_lost_campaign_create_answer_is_retried_with_the_same_request_id(sandbox_http, advertiser, video_job, lose_answer):
    lost = lose_answer("/campaign/create/")

    ad = launch(video_job, advertiser)

    assert lost, "the first campaign/create answer was dropped"
    assert SbCampaign.objects.count() == 1
    assert SbCampaign.objects.get().campaign_id == ad.adgroup.campaign.campaign_id


def test_a_lost_adgroup_create_answer_creates_one_adgroup(sandbox_http, advertiser, video_job, lose_answer):
    lose_answer("/adgroup/create/")

    launch(video_job, advertiser)

    assert SbAdGroup.objects.count() == 1


def test_a_lost_ad_create_answer_finds_the_ad_instead_of_creating_another(sandbox_http, advertiser, video_job, lose_answer):
    lose_answer("/ad/create/")

    ad = launch(video_job, advertiser)

    assert SbAd.objects.count() == 1
    assert SbAd.objects.get().ad_id == ad.ad_id


def test_a_relaunch_after_failed_retries_finishes_without_duplicates(sandbox_http, advertiser, video_job, settings, monkeypatch):
    settings.TIKTOK_MAX_RETRIES = 0
    original = requests.Session.request

    def request(self, method, url, *args, **kwargs):
        response = original(self, method, url, *args, **kwargs)
        if url.endswith("/ad/create/"):
            raise requests.ReadTimeout("lost")
        return response

    monkeypatch.setattr(requests.Session, "request", request)
    with pytest.raises(LaunchError, match="timeout"):
        launch(video_job, advertiser)
    assert Ad.objects.get().status == OperationStatus.PENDING
    assert ActionLog.objects.filter(action="ad_create", outcome="failed").count() == 1

    monkeypatch.setattr(requests.Session, "request", original)
    ad = launch(video_job, advertiser)

    assert ad.status == OperationStatus.ENABLE
    assert SbAd.objects.count() == 1
