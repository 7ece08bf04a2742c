from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status

from creatives.models import VideoJob
from scheduler.services import Actor

from . import selectors
from .models import Ad, AdvertiserAccount, Campaign
from .schemas import AdOut, CampaignOut, LaunchIn, StatusIn
from .services import ad_launch, object_status_set

router = Router(tags=["campaigns"])


@router.get("/", response=list[CampaignOut])
def campaigns(request):
    return selectors.campaign_list()


@router.post("/{int:pk}/status", response=CampaignOut)
def campaign_status(request, pk: int, payload: StatusIn):
    campaign = get_object_or_404(Campaign, pk=pk)
    return object_status_set(obj=campaign, status=payload.status, actor=Actor.of(request.user), reason=_("set through the API"))


@router.get("/ads", response=list[AdOut])
def ads(request):
    return selectors.ad_list()


@router.post("/ads", response={201: AdOut})
def launch(request, payload: LaunchIn):
    job = get_object_or_404(VideoJob, job_id=payload.job_id)
    advertiser = get_object_or_404(AdvertiserAccount, advertiser_id=payload.advertiser_id)
    ad = ad_launch(
        job=job, advertiser=advertiser, stage=payload.stage, budget=payload.budget, ad_text=payload.ad_text,
        call_to_action=payload.call_to_action, actor=Actor.of(request.user), reason=_("launched through the API"),
    )
    return Status(201, ad)


@router.post("/ads/{int:pk}/status", response=AdOut)
def ad_status(request, pk: int, payload: StatusIn):
    ad = get_object_or_404(Ad.objects.select_related("adgroup__campaign__advertiser"), pk=pk)
    return object_status_set(obj=ad, status=payload.status, actor=Actor.of(request.user), reason=_("set through the API"))
