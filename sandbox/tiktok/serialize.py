"""Sandbox rows as TikTok answers show them.

Times are "YYYY-MM-DD HH:MM:SS" in UTC, amounts are JSON numbers and ids are strings.
Each object's `extra` (the rest of its create body) goes first, so the typed columns win.
"""

import datetime as dt
from decimal import Decimal

from django.core.files.storage import default_storage
from django.http import HttpRequest

from sandbox.models import SbAd, SbAdGroup, SbCampaign, SbIdentity, SbVideo

from .params import TIME_FORMAT

# Where a TikTok video may run; the sandbox allows all of them.
ALL_PLACEMENTS = ["PLACEMENT_TIKTOK", "PLACEMENT_PANGLE", "PLACEMENT_GLOBAL_APP_BUNDLE"]
# The signed preview URLs of real uploads expire after about six hours.
PREVIEW_URL_LIFETIME = dt.timedelta(hours=6)


def fmt_time(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).strftime(TIME_FORMAT) if value else None


def number(value: Decimal | None) -> float:
    """An amount as TikTok answers it: a JSON number, 0.0 when unset."""
    return float(value) if value is not None else 0.0


def campaign_json(campaign: SbCampaign) -> dict:
    return {
        **campaign.extra,
        "advertiser_id": campaign.advertiser.advertiser_id,
        "campaign_id": campaign.campaign_id,
        "campaign_name": campaign.campaign_name,
        "campaign_type": campaign.extra.get("campaign_type", "REGULAR_CAMPAIGN"),
        "objective_type": campaign.objective_type,
        "budget_mode": campaign.budget_mode,
        "budget": number(campaign.budget),
        "budget_optimize_on": campaign.budget_optimize_on,
        "operation_status": campaign.operation_status,
        "is_new_structure": True,
        "create_time": fmt_time(campaign.create_time),
        "modify_time": fmt_time(campaign.modify_time),
    }


def campaign_body(campaign: SbCampaign) -> dict:
    """The create body that would produce this campaign, for re-validating an update."""
    return {
        **campaign.extra,
        "campaign_name": campaign.campaign_name,
        "objective_type": campaign.objective_type,
        "budget_mode": campaign.budget_mode,
        "budget": campaign.budget,
        "budget_optimize_on": campaign.budget_optimize_on,
        "operation_status": campaign.operation_status,
    }


def adgroup_body(adgroup: SbAdGroup) -> dict:
    body = {
        **adgroup.extra,
        "campaign_id": adgroup.campaign.campaign_id,
        "adgroup_name": adgroup.adgroup_name,
        "operation_status": adgroup.operation_status,
        "budget_mode": adgroup.budget_mode,
        "budget": adgroup.budget,
        "promotion_type": adgroup.promotion_type,
        "placement_type": adgroup.placement_type,
        "billing_event": adgroup.billing_event,
        "optimization_goal": adgroup.optimization_goal,
        "optimization_event": adgroup.optimization_event,
        "pixel_id": adgroup.pixel_id,
        "bid_type": adgroup.bid_type,
        "bid_price": adgroup.bid_price,
        "conversion_bid_price": adgroup.conversion_bid_price,
        "deep_bid_type": adgroup.deep_bid_type,
        "roas_bid": adgroup.roas_bid,
        "pacing": adgroup.pacing,
        "schedule_type": adgroup.schedule_type,
        "schedule_start_time": fmt_time(adgroup.schedule_start_time),
        "schedule_end_time": fmt_time(adgroup.schedule_end_time),
        "location_ids": adgroup.location_ids,
    }
    return {key: value for key, value in body.items() if value not in (None, "")}


def adgroup_json(adgroup: SbAdGroup) -> dict:
    return {
        **adgroup_body(adgroup),
        "advertiser_id": adgroup.advertiser.advertiser_id,
        "campaign_id": adgroup.campaign.campaign_id,
        "campaign_name": adgroup.campaign.campaign_name,
        "adgroup_id": adgroup.adgroup_id,
        "budget": number(adgroup.budget),
        "bid_price": number(adgroup.bid_price),
        "conversion_bid_price": number(adgroup.conversion_bid_price),
        "roas_bid": number(adgroup.roas_bid),
        "deep_bid_type": adgroup.deep_bid_type or None,
        "promotion_type": adgroup.promotion_type or None,
        "create_time": fmt_time(adgroup.create_time),
        "modify_time": fmt_time(adgroup.modify_time),
    }


def creative_body(ad: SbAd) -> dict:
    body = {
        **ad.extra,
        "ad_name": ad.ad_name,
        "ad_format": ad.ad_format,
        "video_id": ad.video.video_id,
        "ad_text": ad.ad_text,
        "call_to_action": ad.call_to_action,
        "landing_page_url": ad.landing_page_url,
        "display_name": ad.display_name,
        "identity_id": ad.identity_id,
        "identity_type": ad.identity_type,
        "operation_status": ad.operation_status,
    }
    return {key: value for key, value in body.items() if value not in (None, "")}


def ad_json(ad: SbAd) -> dict:
    return {
        **creative_body(ad),
        "advertiser_id": ad.advertiser.advertiser_id,
        "campaign_id": ad.campaign.campaign_id,
        "campaign_name": ad.campaign.campaign_name,
        "adgroup_id": ad.adgroup.adgroup_id,
        "adgroup_name": ad.adgroup.adgroup_name,
        "ad_id": ad.ad_id,
        "landing_page_url": ad.landing_page_url or None,
        "call_to_action": ad.call_to_action or None,
        "is_aco": False,
        "create_time": fmt_time(ad.create_time),
        "modify_time": fmt_time(ad.modify_time),
    }


def video_json(video: SbVideo, request: HttpRequest) -> dict:
    url = request.build_absolute_uri(default_storage.url(video.file.name))
    return {
        "video_id": video.video_id,
        "material_id": video.material_id,
        "file_name": video.file_name,
        "signature": video.signature,
        "size": video.size,
        "format": video.format,
        "width": video.width,
        "height": video.height,
        "duration": video.duration,
        "bit_rate": int(video.size * 8 / video.duration) if video.duration else 0,
        # The sandbox renders no cover frame; TikTok's would be a JPEG on its CDN.
        "video_cover_url": "",
        "preview_url": url,
        "preview_url_expire_time": fmt_time(dt.datetime.now(dt.UTC) + PREVIEW_URL_LIFETIME),
        "displayable": True,
        "allowed_placements": ALL_PLACEMENTS,
        "allow_download": True,
        "create_time": fmt_time(video.create_time),
        "modify_time": fmt_time(video.modify_time),
    }


def identity_json(identity: SbIdentity) -> dict:
    return {
        "identity_id": identity.identity_id,
        "identity_type": identity.identity_type,
        "display_name": identity.display_name,
        "profile_image": identity.image_uri,
    }
