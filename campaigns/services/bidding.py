"""Bid changes on an ad group, through TikTok, logged with before/after in the same
transaction as the local change (the bid counterpart of controls.adgroup_budget_set).

Three fields hold an ad group's bid, depending on its bidding:
- `bid_price`: the cost cap per billing event (CPV / CPM / CPC, BID_TYPE_CUSTOM);
- `conversion_bid_price`: the target CPA under OCPM (BID_TYPE_CUSTOM);
- `roas_bid`: the ROAS floor of value bidding (deep_bid_type VO_MIN_ROAS) — a lower floor
  lets TikTok pay more per impression.
A lowest-cost ad group (BID_TYPE_NO_BID) has no bid: setting one is refused.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from campaigns.errors import CampaignError
from campaigns.models import AdGroup
from integrations.tiktok_ads import endpoints
from integrations.tiktok_ads.errors import ApiError
from scheduler.models import ActionLog
from scheduler.services import Actor, action_log_record

from .connect import advertiser_mark_failed, client_for

BID_FIELDS = ("bid_price", "conversion_bid_price", "roas_bid")
NO_BID = "BID_TYPE_NO_BID"
CENT = Decimal("0.01")


class BidError(CampaignError):
    """A bid change that is refused (by us or by TikTok); nothing local changed."""


def adgroup_bid_set(
    *, adgroup: AdGroup, changes: dict[str, Decimal], actor: Actor, reason: str = "", trigger: dict | None = None,
    action: str = "bid_change",
) -> AdGroup:
    """Set any of bid_price / conversion_bid_price / roas_bid on TikTok, then store and log
    them. Values are money or ratios with two decimals and must be positive."""
    after = _validated(adgroup, changes)
    before = {field: getattr(adgroup, field) for field in after}
    if before == after:
        return adgroup
    advertiser = adgroup.campaign.advertiser
    client = client_for(advertiser)
    remote = {field: (float(value) if field == "roas_bid" else endpoints.money(value)) for field, value in after.items()}
    try:
        endpoints.adgroup_update(client, advertiser_id=advertiser.advertiser_id, adgroup_id=adgroup.adgroup_id, changes=remote)
    except ApiError as exc:
        advertiser_mark_failed(advertiser, exc)
        with transaction.atomic():
            action_log_record(
                actor=actor, action=action, obj=adgroup, before=before, after=before, outcome=ActionLog.Outcome.FAILED,
                error=str(exc), remote_id=adgroup.adgroup_id, remote_request_id=exc.request_id or "", reason=reason, trigger=trigger,
            )
        raise BidError(_("TikTok refused the bid change: %(error)s") % {"error": exc}, retryable=exc.retryable) from exc
    with transaction.atomic():
        AdGroup.objects.filter(pk=adgroup.pk).update(**after)
        for field, value in after.items():
            setattr(adgroup, field, value)
        action_log_record(
            actor=actor, action=action, obj=adgroup, before=before, after=after,
            remote_id=adgroup.adgroup_id, remote_request_id=client.last_request_id, reason=reason, trigger=trigger,
        )
    return adgroup


def _validated(adgroup: AdGroup, changes: dict) -> dict[str, Decimal]:
    if not changes:
        raise BidError(_("no bid to change: give bid_price, conversion_bid_price or roas_bid"))
    unknown = sorted(set(changes) - set(BID_FIELDS))
    if unknown:
        raise BidError(
            _("cannot set %(fields)s as a bid; choose among %(allowed)s") % {"fields": ", ".join(unknown), "allowed": ", ".join(BID_FIELDS)}
        )
    if not adgroup.adgroup_id:
        raise BidError(_("ad group %(adgroup)s was never created on TikTok") % {"adgroup": adgroup})
    if adgroup.bid_type == NO_BID:
        raise BidError(_("ad group %(adgroup)s bids lowest cost (%(type)s): it has no bid to set") % {"adgroup": adgroup, "type": NO_BID})
    values = {}
    for field in BID_FIELDS:
        if field not in changes:
            continue
        try:
            value = Decimal(str(changes[field])).quantize(CENT, rounding=ROUND_HALF_UP)
        except (ArithmeticError, ValueError) as exc:
            raise BidError(_("%(field)s must be a number, not %(value)r") % {"field": field, "value": changes[field]}) from exc
        if value <= 0:
            raise BidError(_("%(field)s must be greater than 0, not %(value)s") % {"field": field, "value": value})
        values[field] = value
    return values
