"""Ad groups: create (idempotent on request_id), get, update, status and budget updates."""

import datetime as dt
from decimal import Decimal

from adloop import clock
from sandbox.models import OperationStatus, SbAd, SbAdGroup, SbAdvertiser, SbCampaign
from sandbox.services import new_object_id

from .api import MAX_STATUS_IDS, Call, by_status, endpoint, filter_ids, paginate, pick_fields
from .errors import ID_LIMIT, bad
from .objects import CREATE_STATUS_CHOICES, budget_of, cascade_delete, one, patched, remember, replayed, status_change
from .params import Params
from .serialize import adgroup_body, adgroup_json

MIN_ADGROUP_BUDGET = Decimal("20.00")
BILLING_EVENTS = ["CPC", "CPM", "CPV", "OCPM"]
BID_TYPES = ["BID_TYPE_NO_BID", "BID_TYPE_CUSTOM"]
DEEP_BID_TYPES = ["DEFAULT", "MIN", "PACING", "AEO", "VO_MIN_ROAS", "VO_HIGHEST_VALUE"]
OPTIMIZATION_GOALS = [
    "CLICK", "CONVERT", "VALUE", "REACH", "SHOW", "INSTALL", "IN_APP_EVENT", "VIDEO_VIEW", "ENGAGED_VIEW",
    "ENGAGED_VIEW_FIFTEEN", "LEAD_GENERATION", "CONVERSATION", "FOLLOWERS", "PROFILE_VIEWS", "PAGE_VISIT", "PAGE_VISITS",
    "TRAFFIC_LANDING_PAGE_VIEW", "DESTINATION_VISIT", "AUTOMATED_VALUE", "AUTOMATIC_VALUE_OPTIMIZATION", "MT_LIVE_ROOM",
    "PRODUCT_CLICK_IN_LIVE", "CONVERSION_LEADS", "PREFERRED_LEAD", "MESSAGE",
]
PROMOTION_TYPES = [
    "WEBSITE", "APP_ANDROID", "APP_IOS", "LEAD_GENERATION", "WEBSITE_OR_DISPLAY", "TIKTOK_SHOP", "VIDEO_SHOPPING",
    "LIVE_SHOPPING", "LEAD_GEN_CLICK_TO_TT_DIRECT_MESSAGE",
]
# Objectives whose ad groups need no promotion_type.
NO_PROMOTION_OBJECTIVES = {"REACH", "VIDEO_VIEWS", "ENGAGEMENT"}
PIXEL_OBJECTIVES = {"WEB_CONVERSIONS", "CONVERSIONS"}
PLACEMENT_TYPES = ["PLACEMENT_TYPE_AUTOMATIC", "PLACEMENT_TYPE_NORMAL"]
PLACEMENTS = ["PLACEMENT_TIKTOK", "PLACEMENT_PANGLE", "PLACEMENT_GLOBAL_APP_BUNDLE"]
SCHEDULE_TYPES = ["SCHEDULE_FROM_NOW", "SCHEDULE_START_END"]
PACING_MODES = ["PACING_MODE_SMOOTH", "PACING_MODE_FAST"]
# SCHEDULE_FROM_NOW runs ten years from its start.
FROM_NOW_RUN = dt.timedelta(days=3650)
# Fields TikTok does not let an update change.
FIXED_FIELDS = (
    "campaign_id", "placement_type", "click_attribution_window", "view_attribution_window",
    "engaged_view_attribution_window", "attribution_event_count",
)
_COLUMNS = (
    "campaign_id", "adgroup_name", "operation_status", "budget_mode", "budget", "promotion_type", "placement_type",
    "billing_event", "optimization_goal", "optimization_event", "pixel_id", "bid_type", "bid_price", "conversion_bid_price",
    "deep_bid_type", "roas_bid", "pacing", "schedule_type", "schedule_start_time", "schedule_end_time", "location_ids",
)


def _bids(params: Params, billing_event: str, goal: str) -> dict:
    bid_type = params.choice("bid_type", BID_TYPES, default="BID_TYPE_NO_BID")
    deep_bid_type = params.choice("deep_bid_type", DEEP_BID_TYPES)
    bid_price, conversion_bid_price, roas_bid = (params.decimal(key) for key in ("bid_price", "conversion_bid_price", "roas_bid"))
    for key, value in (("bid_price", bid_price), ("conversion_bid_price", conversion_bid_price)):
        if value is not None and value <= 0:
            raise bad(f"{key}: must be greater than 0")
    if deep_bid_type.startswith("VO_") and goal != "VALUE":
        raise bad(f"deep_bid_type: {deep_bid_type} needs optimization_goal VALUE")
    if deep_bid_type == "VO_MIN_ROAS" and (roas_bid is None or not Decimal("0.01") <= roas_bid <= 1000):
        raise bad("roas_bid: required with deep_bid_type VO_MIN_ROAS, between 0.01 and 1000")
    if bid_type == "BID_TYPE_CUSTOM" and billing_event in ("CPC", "CPM", "CPV") and bid_price is None:
        raise bad(f"bid_price: required with BID_TYPE_CUSTOM and billing_event {billing_event}")
    if bid_type == "BID_TYPE_CUSTOM" and billing_event == "OCPM" and conversion_bid_price is None and deep_bid_type != "VO_MIN_ROAS":
        raise bad("conversion_bid_price: required with BID_TYPE_CUSTOM and billing_event OCPM (or deep_bid_type VO_MIN_ROAS with roas_bid)")
    return {
        "bid_type": bid_type, "deep_bid_type": deep_bid_type, "bid_price": bid_price,
        "conversion_bid_price": conversion_bid_price, "roas_bid": roas_bid,
    }


def _schedule(params: Params, budget_mode: str) -> dict:
    schedule_type = params.choice("schedule_type", SCHEDULE_TYPES, required=True)
    start = params.time("schedule_start_time", required=True)
    end = params.time("schedule_end_time", required=schedule_type == "SCHEDULE_START_END")
    if budget_mode == "BUDGET_MODE_TOTAL" and schedule_type != "SCHEDULE_START_END":
        raise bad("schedule_type: BUDGET_MODE_TOTAL needs SCHEDULE_START_END")
    if schedule_type == "SCHEDULE_FROM_NOW":
        end = start + FROM_NOW_RUN
    if end <= start:
        raise bad("schedule_end_time: must be after schedule_start_time")
    return {"schedule_type": schedule_type, "schedule_start_time": start, "schedule_end_time": end}


def _placement(params: Params) -> dict:
    placement_type = params.choice("placement_type", PLACEMENT_TYPES, required=True)
    if placement_type == "PLACEMENT_TYPE_NORMAL":
        params.strings("placements", required=True, choices=PLACEMENTS)
    location_ids = params.id_list("location_ids", required=True)
    return {"placement_type": placement_type, "location_ids": location_ids}


def _tracking(params: Params, campaign: SbCampaign, advertiser: SbAdvertiser) -> dict:
    pixel_id = params.ident("pixel_id", required=campaign.objective_type in PIXEL_OBJECTIVES) or ""
    event = params.text("optimization_event", required=campaign.objective_type in PIXEL_OBJECTIVES, max_len=64)
    if pixel_id and pixel_id != advertiser.pixel_id:
        raise bad(f"pixel_id: the pixel {pixel_id} does not belong to advertiser {advertiser.advertiser_id}")
    return {"pixel_id": pixel_id, "optimization_event": event}


def adgroup_fields(params: Params, campaign: SbCampaign, advertiser: SbAdvertiser) -> dict:
    name = params.text("adgroup_name", required=True, max_len=512)
    # Under campaign budget optimization the campaign's budget rules; the ad group's is ignored.
    mode, budget = budget_of(params, minimum=MIN_ADGROUP_BUDGET, required=not campaign.budget_optimize_on)
    billing_event = params.choice("billing_event", BILLING_EVENTS, required=True)
    goal = params.choice("optimization_goal", OPTIMIZATION_GOALS, required=True)
    promotion_required = campaign.objective_type not in NO_PROMOTION_OBJECTIVES
    bids = _bids(params, billing_event, goal)
    if bids["conversion_bid_price"] is not None and budget is not None and bids["conversion_bid_price"] >= budget:
        raise bad("conversion_bid_price: must be lower than the budget")
    return {
        "adgroup_name": name,
        "budget_mode": mode or "BUDGET_MODE_INFINITE",
        "budget": None if campaign.budget_optimize_on else budget,
        "billing_event": billing_event,
        "optimization_goal": goal,
        "promotion_type": params.choice("promotion_type", PROMOTION_TYPES, required=promotion_required),
        "pacing": params.choice("pacing", PACING_MODES, default="PACING_MODE_SMOOTH"),
        "operation_status": params.choice("operation_status", CREATE_STATUS_CHOICES, default=OperationStatus.ENABLE),
        **_schedule(params, mode),
        **_placement(params),
        **bids,
        **_tracking(params, campaign, advertiser),
        "extra": params.rest((*_COLUMNS, "advertiser_id", "request_id", "adgroup_id")),
    }


@endpoint("POST")
def adgroup_create(call: Call) -> dict:
    """Create an ad group; a replayed request_id answers with the first call's ad group
    (see campaign_create for why)."""
    request_id, existing_id = replayed(call, "adgroup")
    if existing_id:
        return adgroup_json(SbAdGroup.objects.get(adgroup_id=existing_id))
    campaign = one(call, SbCampaign.objects, "campaign_id", "campaign", call.params.ident("campaign_id", required=True))
    now = clock.now()
    adgroup = SbAdGroup.objects.create(
        adgroup_id=new_object_id(), advertiser=call.advertiser, campaign=campaign, create_time=now, modify_time=now,
        **adgroup_fields(call.params, campaign, call.advertiser),
    )
    remember(call, "adgroup", request_id, adgroup.adgroup_id)
    return adgroup_json(adgroup)


@endpoint("GET")
def adgroup_get(call: Call) -> dict:
    filtering = call.params.nested(call.params.obj("filtering"), "filtering.")
    fields = call.params.strings("fields")
    adgroups = by_status(call.advertiser.adgroups.select_related("advertiser", "campaign").order_by("pk"), filtering)
    for key, column in (("campaign_ids", "campaign__campaign_id"), ("adgroup_ids", "adgroup_id")):
        ids = filter_ids(filtering, key)
        if ids is not None:
            adgroups = adgroups.filter(**{f"{column}__in": ids})
    name = filtering.text("adgroup_name")
    if name:
        adgroups = adgroups.filter(adgroup_name__icontains=name)
    return paginate(call, adgroups, lambda adgroup: pick_fields(adgroup_json(adgroup), fields))


@endpoint("POST")
def adgroup_update(call: Call) -> dict:
    """A partial update: the sent fields replace the stored ones and the whole ad group is
    validated again, so e.g. switching to BID_TYPE_CUSTOM needs a bid."""
    adgroup = one(call, SbAdGroup.objects.select_related("campaign"), "adgroup_id", "adgroup", call.params.ident("adgroup_id", required=True))
    merged = patched(adgroup_body(adgroup), call.params, fixed=FIXED_FIELDS, ignored=("operation_status",))
    fields = adgroup_fields(merged, adgroup.campaign, call.advertiser)
    for key, value in fields.items():
        setattr(adgroup, key, value)
    adgroup.modify_time = clock.now()
    adgroup.save()
    return adgroup_json(adgroup)


@endpoint("POST")
def adgroup_status_update(call: Call) -> dict:
    ids, status, adgroups = status_change(call, SbAdGroup.objects, "adgroup_id", "adgroup")
    if status == OperationStatus.DELETE:
        cascade_delete(SbAd.objects.filter(adgroup__in=adgroups))
    return {"adgroup_ids": ids, "status": status}


@endpoint("POST")
def adgroup_budget_update(call: Call) -> dict:
    entries = call.params.items("budget", required=True, max_items=MAX_STATUS_IDS, limit_code=ID_LIMIT)
    changes = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise bad(f"budget[{index}]: must be an object with adgroup_id and budget")
        item = call.params.nested(entry, f"budget[{index}].")
        adgroup = one(call, SbAdGroup.objects, "adgroup_id", "adgroup", item.ident("adgroup_id", required=True))
        if adgroup.budget_mode == "BUDGET_MODE_INFINITE":
            raise bad(f"budget[{index}]: the adgroup {adgroup.adgroup_id} has no budget of its own (BUDGET_MODE_INFINITE)")
        amount = item.decimal("budget", required=True)
        if amount < MIN_ADGROUP_BUDGET:
            raise bad(f"budget[{index}].budget: must be ≥ {MIN_ADGROUP_BUDGET} for {adgroup.budget_mode}")
        changes.append((adgroup, amount.quantize(Decimal("0.01"))))
    if len({adgroup.pk for adgroup, _ in changes}) != len(changes):
        raise bad("budget: each adgroup_id may appear once")
    now = clock.now()
    for adgroup, amount in changes:
        SbAdGroup.objects.filter(pk=adgroup.pk).update(budget=amount, modify_time=now)
    return {"adgroup_ids": [adgroup.adgroup_id for adgroup, _ in changes]}
