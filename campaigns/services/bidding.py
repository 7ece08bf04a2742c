"""Bid changes on ad groups, through TikTok, logged with before/after in the same
transaction as the local change (the bid counterpart of controls.adgroup_budget_set and
controls.adgroups_budget_set).

Three fields hold an ad group's bid, depending on its bidding:
- `bid_price`: the cost cap per billing event (CPV / CPM / CPC, BID_TYPE_CUSTOM);
- `conversion_bid_price`: the target CPA under OCPM (BID_TYPE_CUSTOM);
- `roas_bid`: the ROAS floor of value bidding (deep_bid_type VO_MIN_ROAS) — a lower floor
  lets TikTok pay more per impression.
A lowest-cost ad group (BID_TYPE_NO_BID) has no bid: setting one is refused.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from campaigns.errors import CampaignError
from campaigns.models import AdGroup
from integrations.tiktok_ads import endpoints
from integrations.tiktok_ads.errors import ApiError, AuthError
from scheduler.models import ActionLog
from scheduler.services import Actor, action_log_build, action_log_record

from .connect import advertiser_mark_failed, client_for
from .controls import WRITE_CHUNK, BulkResult, _Writes

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
    try:
        endpoints.adgroup_update(
            client, advertiser_id=advertiser.advertiser_id, adgroup_id=adgroup.adgroup_id, changes=_remote(after),
        )
    except ApiError as exc:
        advertiser_mark_failed(advertiser, exc)
        with transaction.atomic():
            action_log_record(
                actor=actor, action=action, obj=adgroup, before=before, after=before, outcome=ActionLog.Outcome.FAILED,
                error=str(exc), remote_id=adgroup.adgroup_id, remote_request_id=exc.request_id or "", reason=reason, trigger=trigger,
            )
        raise BidError(_refused(exc), retryable=exc.retryable) from exc
    with transaction.atomic():
        AdGroup.objects.filter(pk=adgroup.pk).update(**after)
        for field, value in after.items():
            setattr(adgroup, field, value)
        action_log_record(
            actor=actor, action=action, obj=adgroup, before=before, after=after,
            remote_id=adgroup.adgroup_id, remote_request_id=client.last_request_id, reason=reason, trigger=trigger,
        )
    return adgroup


@dataclass(frozen=True)
class BidChange:
    """One ad group's new bids (any of BID_FIELDS → value), with the reason and trigger its log row keeps."""

    adgroup: AdGroup
    bids: dict[str, Decimal]
    reason: str = ""
    trigger: dict | None = None


def adgroups_bid_set(*, changes: list[BidChange], actor: Actor, action: str = "bid_change") -> BulkResult:
    """`adgroup_bid_set` for many ad groups: the same checks, then one adgroup/update call per
    ad group (the endpoint takes one). The new bids (one bulk UPDATE per set of bid fields)
    and their ActionLog rows with before/after (one INSERT) are written together in one
    transaction for every WRITE_CHUNK log rows. TikTok's refusals do not raise: a refused ad
    group is logged as failed, keeps its bids and is listed in `failed` with the reason, and
    the next calls still go (a token problem stops that advertiser's remaining calls, logged
    as failed, not sent). A change that fails the checks (unknown field, not positive, never
    created, lowest cost) is listed in `failed` without a call or a log row; one that changes
    nothing is skipped."""
    result = BulkResult()
    prefetch_related_objects([change.adgroup for change in changes], "campaign__advertiser")
    by_advertiser = defaultdict(list)
    for change in changes:
        adgroup = change.adgroup
        try:
            after = _validated(adgroup, change.bids)
        except BidError as exc:
            result.failed[adgroup.pk] = str(exc)
            continue
        before = {field: getattr(adgroup, field) for field in after}
        if before != after:
            by_advertiser[adgroup.campaign.advertiser].append((change, before, after))
    writes = _Writes(_bids_store)

    def entry(change, **values):
        return action_log_build(
            actor=actor, action=action, obj=change.adgroup, reason=change.reason, trigger=change.trigger,
            remote_id=change.adgroup.adgroup_id, validate_relations=False, **values,
        )

    try:
        for advertiser, group in by_advertiser.items():
            client = client_for(advertiser)
            for number, (change, before, after) in enumerate(group):
                adgroup = change.adgroup
                try:
                    endpoints.adgroup_update(
                        client, advertiser_id=advertiser.advertiser_id, adgroup_id=adgroup.adgroup_id, changes=_remote(after),
                    )
                except ApiError as exc:
                    advertiser_mark_failed(advertiser, exc)
                    result.error = result.error or exc
                    failures = [(change, before, _refused(exc), str(exc), exc.request_id or "")]
                    if isinstance(exc, AuthError):  # every later call of this advertiser would fail the same way
                        note = _("not sent: %(error)s") % {"error": exc}
                        failures += [(later, later_before, note, note, "") for later, later_before, _after in group[number + 1:]]
                    for failed, failed_before, message, error, request_id in failures:
                        result.failed[failed.adgroup.pk] = message
                        writes.log.append(entry(
                            failed, before=failed_before, after=failed_before, outcome=ActionLog.Outcome.FAILED, error=error,
                            remote_request_id=request_id,
                        ))
                    if isinstance(exc, AuthError):
                        break
                    continue
                writes.log.append(entry(change, before=before, after=after, remote_request_id=client.last_request_id))
                for field, value in after.items():
                    setattr(adgroup, field, value)
                writes.changed.append((adgroup, tuple(after)))
                if len(writes.log) >= WRITE_CHUNK:
                    result.changed += [done for done, _fields in writes.flush()]
    finally:
        result.changed += [done for done, _fields in writes.flush()]
    return result


def _bids_store(changed: list[tuple[AdGroup, tuple[str, ...]]]) -> None:
    # Each UPDATE sets only the bid fields changed: the others are not ours to write.
    by_fields = defaultdict(list)
    for adgroup, fields in changed:
        by_fields[tuple(sorted(fields))].append(adgroup)
    for fields, adgroups in by_fields.items():
        AdGroup.objects.bulk_update(adgroups, list(fields), batch_size=WRITE_CHUNK)


def _remote(after: dict[str, Decimal]) -> dict:
    """The bids as adgroup/update takes them: money to the cent, the ROAS floor as a plain ratio."""
    return {field: (float(value) if field == "roas_bid" else endpoints.money(value)) for field, value in after.items()}


def _refused(exc: ApiError) -> str:
    return _("TikTok refused the bid change: %(error)s") % {"error": exc}


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
