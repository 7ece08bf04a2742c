"""Ads: create, get, update, status update.

/ad/create/ has no idempotency key on TikTok, so calling it twice creates two ads; the
sandbox keeps that, so clients have to dedupe (e.g. by ad_name) as they must for real.
"""

from adloop import clock
from sandbox.models import OperationStatus, SbAd, SbAdGroup, SbAdvertiser
from sandbox.services import new_object_id

from .accounts import IDENTITY_TYPES
from .api import Call, by_status, endpoint, filter_ids, paginate, pick_fields
from .errors import AD_LIMIT, UNSUPPORTED_IN_SANDBOX, ApiError, bad, missing
from .objects import CREATE_STATUS_CHOICES, one, status_change
from .params import Params
from .serialize import ad_json, creative_body, fmt_time

AD_FORMATS = ["SINGLE_VIDEO", "SINGLE_IMAGE", "CAROUSEL_ADS", "CATALOG_CAROUSEL", "LIVE_CONTENT"]
CALLS_TO_ACTION = [
    "LEARN_MORE", "SHOP_NOW", "SIGN_UP", "DOWNLOAD_NOW", "CONTACT_US", "APPLY_NOW", "BOOK_NOW", "ORDER_NOW", "WATCH_NOW",
    "INSTALL_NOW", "PLAY_GAME", "READ_MORE", "SUBSCRIBE", "GET_QUOTE", "SEND_MESSAGE", "CALL_NOW", "VIEW_NOW", "WATCH_LIVE",
]
MAX_CREATIVES = 20
MAX_ADS_PER_ADGROUP = 20
LANDING_PAGE_PROMOTIONS = {"WEBSITE", "WEBSITE_OR_DISPLAY"}
# With patch_update=true TikTok changes only these and leaves every other sent field alone.
PATCHABLE = (
    "ad_name", "identity_id", "identity_type", "identity_authorized_bc_id", "video_id", "image_ids", "music_id",
    "tiktok_item_id", "ad_text",
)
_COLUMNS = (
    "ad_name", "ad_format", "video_id", "ad_text", "call_to_action", "landing_page_url", "display_name", "identity_id",
    "identity_type", "operation_status",
)


def _identity(params: Params, advertiser: SbAdvertiser) -> dict:
    identity_type = params.choice("identity_type", IDENTITY_TYPES)
    identity_id = params.ident("identity_id") or ""
    if identity_id and not identity_type:
        raise bad(f"{params.name('identity_type')}: required with identity_id")
    if identity_type and not identity_id:
        raise bad(f"{params.name('identity_id')}: required with identity_type")
    display_name = params.text("display_name", max_len=40)
    if identity_type == "CUSTOMIZED_USER":
        identity = advertiser.identities.filter(identity_id=identity_id).first()
        if identity is None:
            raise missing("identity", identity_id)
        # A custom identity's name is what the ad shows when none is sent.
        display_name = display_name or identity.display_name[:40]
    return {"identity_id": identity_id, "identity_type": identity_type, "display_name": display_name}


def creative_fields(params: Params, adgroup: SbAdGroup, advertiser: SbAdvertiser) -> dict:
    ad_name = params.text("ad_name", required=True, max_len=512)
    if not ad_name.strip():
        # A blank name asks TikTok to generate one.
        ad_name = f"{adgroup.adgroup_name[:480]}_{fmt_time(clock.now())}"
    ad_format = params.choice("ad_format", AD_FORMATS, required=True)
    if ad_format != "SINGLE_VIDEO":
        raise ApiError(UNSUPPORTED_IN_SANDBOX, f"{params.name('ad_format')}: only SINGLE_VIDEO is supported in this sandbox")
    video_id = params.ident("video_id", required=True)
    video = advertiser.videos.filter(video_id=video_id).first()
    if video is None:
        raise missing("video", video_id)
    landing_page_url = params.url("landing_page_url", required=adgroup.promotion_type in LANDING_PAGE_PROMOTIONS)
    identity = _identity(params, advertiser)
    if landing_page_url and not identity["display_name"]:
        raise bad(f"{params.name('display_name')}: required for ads with a landing page")
    return {
        "ad_name": ad_name,
        "ad_format": ad_format,
        "video": video,
        "ad_text": params.text("ad_text", required=True, max_len=100),
        "call_to_action": params.choice("call_to_action", CALLS_TO_ACTION),
        "landing_page_url": landing_page_url,
        **identity,
        "operation_status": params.choice("operation_status", CREATE_STATUS_CHOICES, default=OperationStatus.ENABLE),
        "extra": params.rest((*_COLUMNS, "ad_id")),
    }


def _creatives(call: Call) -> list[tuple[Params, dict]]:
    creatives = call.params.items("creatives", required=True, max_items=MAX_CREATIVES)
    if any(not isinstance(creative, dict) for creative in creatives):
        raise bad("creatives: must be a list of objects")
    return [(call.params.nested(creative, f"creatives[{index}]."), creative) for index, creative in enumerate(creatives)]


@endpoint("POST")
def ad_create(call: Call) -> dict:
    adgroup = one(call, SbAdGroup.objects.select_related("campaign"), "adgroup_id", "adgroup", call.params.ident("adgroup_id", required=True))
    specs = [creative_fields(params, adgroup, call.advertiser) for params, _ in _creatives(call)]
    live = adgroup.ads.exclude(operation_status=OperationStatus.DELETE).count()
    if live + len(specs) > MAX_ADS_PER_ADGROUP:
        raise ApiError(AD_LIMIT, f"The adgroup {adgroup.adgroup_id} can hold at most {MAX_ADS_PER_ADGROUP} ads; it has {live}.")
    now = clock.now()
    ads = [
        SbAd.objects.create(
            ad_id=new_object_id(), advertiser=call.advertiser, campaign=adgroup.campaign, adgroup=adgroup,
            create_time=now, modify_time=now, **spec,
        )
        for spec in specs
    ]
    return {"ad_ids": [ad.ad_id for ad in ads]}


@endpoint("GET")
def ad_get(call: Call) -> dict:
    filtering = call.params.nested(call.params.obj("filtering"), "filtering.")
    fields = call.params.strings("fields")
    ads = call.advertiser.ads.select_related("advertiser", "campaign", "adgroup", "video").order_by("pk")
    ads = by_status(ads, filtering)
    for key, column in (("campaign_ids", "campaign__campaign_id"), ("adgroup_ids", "adgroup__adgroup_id"), ("ad_ids", "ad_id")):
        ids = filter_ids(filtering, key)
        if ids is not None:
            ads = ads.filter(**{f"{column}__in": ids})
    return paginate(call, ads, lambda ad: pick_fields(ad_json(ad), fields))


@endpoint("POST")
def ad_update(call: Call) -> dict:
    """Without patch_update each creative is replaced as a whole; with it only the
    PATCHABLE fields change. An update never changes operation_status."""
    adgroup = one(call, SbAdGroup.objects.select_related("campaign"), "adgroup_id", "adgroup", call.params.ident("adgroup_id", required=True))
    patch = call.params.boolean("patch_update")
    updated = []
    for params, creative in _creatives(call):
        ad = one(call, adgroup.ads.select_related("video"), "ad_id", "ad", params.ident("ad_id", required=True))
        sent = {key: creative[key] for key in PATCHABLE if key in creative} if patch else creative
        body = {**(creative_body(ad) if patch else {}), **sent, "operation_status": ad.operation_status}
        for key, value in creative_fields(params.nested(body, ""), adgroup, call.advertiser).items():
            setattr(ad, key, value)
        ad.modify_time = clock.now()
        ad.save()
        updated.append(ad.ad_id)
    return {"ad_ids": updated}


@endpoint("POST")
def ad_status_update(call: Call) -> dict:
    ids, status, _ads = status_change(call, SbAd.objects, "ad_id", "ad")
    return {"ad_ids": ids, "aco_ad_ids": [], "status": status}
