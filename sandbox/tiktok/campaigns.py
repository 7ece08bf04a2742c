"""Campaigns: create (idempotent on request_id), get, update, status update."""

from decimal import Decimal

from adloop import clock
from sandbox.models import OperationStatus, SbAd, SbAdGroup, SbCampaign
from sandbox.services import new_object_id

from .api import Call, by_status, endpoint, filter_ids, paginate, pick_fields
from .errors import bad
from .objects import CREATE_STATUS_CHOICES, budget_of, cascade_delete, one, patched, remember, replayed, status_change
from .params import Params
from .serialize import campaign_body, campaign_json

MIN_CAMPAIGN_BUDGET = Decimal("50.00")
OBJECTIVES = [
    "REACH", "TRAFFIC", "VIDEO_VIEWS", "ENGAGEMENT", "LEAD_GENERATION", "APP_PROMOTION", "WEB_CONVERSIONS",
    "PRODUCT_SALES", "RF_REACH", "TOPVIEW_REACH",
    # Deprecated or legacy, still accepted.
    "CONVERSIONS", "APP_INSTALL", "CATALOG_SALES", "SHOP_PURCHASES", "RF_TRAFFIC", "RF_VIDEO_VIEW", "RF_ENGAGEMENT",
    "RF_APP_INSTALL",
]
_COLUMNS = ("campaign_name", "objective_type", "budget_mode", "budget", "budget_optimize_on", "operation_status")


def campaign_fields(params: Params) -> dict:
    name = params.text("campaign_name", required=True, max_len=512)
    objective = params.choice("objective_type", OBJECTIVES, required=True)
    mode, budget = budget_of(params, minimum=MIN_CAMPAIGN_BUDGET)
    optimize_budget = params.boolean("budget_optimize_on")
    if optimize_budget and budget is None:
        raise bad("budget_optimize_on: campaign budget optimization needs a daily or total budget")
    if objective == "APP_PROMOTION":
        params.text("app_promotion_type", required=True)
    return {
        "campaign_name": name,
        "objective_type": objective,
        "budget_mode": mode,
        "budget": budget,
        "budget_optimize_on": optimize_budget,
        "operation_status": params.choice("operation_status", CREATE_STATUS_CHOICES, default=OperationStatus.ENABLE),
        "extra": params.rest((*_COLUMNS, "advertiser_id", "request_id", "campaign_id")),
    }


@endpoint("POST")
def campaign_create(call: Call) -> dict:
    """Create a campaign. A replayed `request_id` answers code 0 with the campaign the
    first call created, whatever the replay's body says: the real API's answer to a
    replay is unconfirmed (the original object, or 40050), and returning the original
    is the answer that lets a client's blind retry after a lost answer succeed."""
    request_id, existing_id = replayed(call, "campaign")
    if existing_id:
        return campaign_json(SbCampaign.objects.get(campaign_id=existing_id))
    now = clock.now()
    campaign = SbCampaign.objects.create(
        campaign_id=new_object_id(), advertiser=call.advertiser, create_time=now, modify_time=now, **campaign_fields(call.params)
    )
    remember(call, "campaign", request_id, campaign.campaign_id)
    return campaign_json(campaign)


@endpoint("GET")
def campaign_get(call: Call) -> dict:
    filtering = call.params.nested(call.params.obj("filtering"), "filtering.")
    fields = call.params.strings("fields")
    campaigns = by_status(call.advertiser.campaigns.select_related("advertiser").order_by("pk"), filtering)
    ids = filter_ids(filtering, "campaign_ids")
    if ids is not None:
        campaigns = campaigns.filter(campaign_id__in=ids)
    objective = filtering.choice("objective_type", OBJECTIVES)
    if objective:
        campaigns = campaigns.filter(objective_type=objective)
    name = filtering.text("campaign_name")
    if name:
        campaigns = campaigns.filter(campaign_name__icontains=name)
    return paginate(call, campaigns, lambda campaign: pick_fields(campaign_json(campaign), fields))


@endpoint("POST")
def campaign_update(call: Call) -> dict:
    campaign = one(call, SbCampaign.objects, "campaign_id", "campaign", call.params.ident("campaign_id", required=True))
    merged = patched(campaign_body(campaign), call.params, fixed=("objective_type",), ignored=("operation_status",))
    fields = campaign_fields(merged)
    if call.params.has("budget") and fields["budget"] is None:
        raise bad(f"budget: cannot be set while budget_mode is {fields['budget_mode']}")
    for key, value in fields.items():
        setattr(campaign, key, value)
    campaign.modify_time = clock.now()
    campaign.save()
    return campaign_json(campaign)


@endpoint("POST")
def campaign_status_update(call: Call) -> dict:
    ids, status, campaigns = status_change(call, SbCampaign.objects, "campaign_id", "campaign")
    if status == OperationStatus.DELETE:
        cascade_delete(SbAdGroup.objects.filter(campaign__in=campaigns))
        cascade_delete(SbAd.objects.filter(campaign__in=campaigns))
    return {
        "campaign_ids": ids,
        "status": status,
        "campaign_list": [{"campaign_id": campaign_id, "status": status} for campaign_id in ids],
    }
