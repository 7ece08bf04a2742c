"""Revert one logged change (admin's "Revert the selected changes"): a budget, bid or status
change goes back to the entry's `before`, through the same campaigns services that made it
— TikTok first, then the local row and a new ActionLog entry whose `reverts` points at the
original, with before/after swapped.

Refused (RevertError, with a message for a person): dry-run and failed entries (nothing
happened), entries already reverted, actions that cannot be undone by one call (creates,
stage changes), and objects whose value is no longer the entry's `after` (someone changed it
since: reverting would silently overwrite that). The revert holds the advertiser's
automation lock, so it cannot interleave with a budget or stage run on the same account.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from adloop import clock
from campaigns.errors import CampaignError
from campaigns.models import Ad, AdGroup, Campaign

from .locks import LockBusy, advertiser_lock
from .models import ActionLog, DailyChange
from .services import Actor, action_log_context

BUDGET_ACTIONS = frozenset({"budget_change", "cap_raise"})
BID_ACTIONS = frozenset({"bid_change", "bid_raise"})
STATUS_ACTIONS = frozenset({"pause", "resume"})
REVERTIBLE = BUDGET_ACTIONS | BID_ACTIONS | STATUS_ACTIONS
# Which objects each kind of change can be reverted on.
_MODELS = {"campaign": Campaign, "adgroup": AdGroup, "ad": Ad}
_TARGETS = {
    "budget": ("campaign", "adgroup"),
    "bid": ("adgroup",),
    "status": ("campaign", "adgroup", "ad"),
}
# A revert only needs TikTok for a call or two; the lock's TTL frees it if the web process dies.
REVERT_LOCK_TTL_S = 300


class RevertError(ValueError):
    """The entry cannot be reverted; the message says why."""


def action_revert(*, entry: ActionLog, actor: Actor) -> ActionLog:
    """Undo `entry`; return the new log entry that records the undo."""
    kind = _kind(entry)
    obj = _target(entry)
    advertiser = _advertiser_of(obj)
    reason = _("Revert of log entry #%(pk)s (%(action)s at %(at)s)") % {
        "pk": entry.pk, "action": entry.action, "at": f"{entry.at:%Y-%m-%d %H:%M}"}
    call = _plan(kind, entry, obj, actor, reason)
    try:
        with advertiser_lock(advertiser.pk, ttl_s=REVERT_LOCK_TTL_S):
            # Judged again under the lock: no automation run or other revert moves it meanwhile.
            entry = ActionLog.objects.get(pk=entry.pk)
            _refuse_reverted(entry)
            obj.refresh_from_db()
            _refuse_changed_since(entry, obj)
            try:
                with action_log_context(reverts=entry):
                    call()
            except CampaignError as exc:
                raise RevertError(_("The revert was refused: %(error)s") % {"error": exc}) from exc
            _claim_today(kind, obj, advertiser)
    except LockBusy as exc:
        raise RevertError(_("An automation run is working on this advertiser right now; try again in a few minutes.")) from exc
    done = entry.reverted_by.filter(outcome=ActionLog.Outcome.DONE).order_by("-pk").first()
    if done is None:  # the service found nothing to change: cannot happen after the checks above
        raise RevertError(_("Nothing was changed: the object already has the value from before this change."))
    return done


def _kind(entry: ActionLog) -> str:
    if entry.dry_run or entry.outcome == ActionLog.Outcome.WOULD_DO:
        raise RevertError(_("This was a dry run: nothing was changed on TikTok, so there is nothing to revert."))
    if entry.outcome != ActionLog.Outcome.DONE:
        raise RevertError(_("This change failed: nothing was changed on TikTok, so there is nothing to revert."))
    if entry.action not in REVERTIBLE:
        raise RevertError(
            _("A “%(action)s” cannot be reverted: only budget, bid and pause / resume changes can.") % {"action": entry.action}
        )
    kind = "budget" if entry.action in BUDGET_ACTIONS else "bid" if entry.action in BID_ACTIONS else "status"
    if entry.object_type not in _TARGETS[kind]:
        raise RevertError(_("A %(action)s on a %(type)s cannot be reverted.") % {"action": entry.action, "type": entry.object_type})
    if not entry.before or not entry.after or entry.before == entry.after:
        raise RevertError(_("This entry does not record a value before and after the change, so there is nothing to go back to."))
    return kind


def _target(entry: ActionLog):
    model = _MODELS[entry.object_type]
    related = {"campaign": ["advertiser"], "adgroup": ["campaign__advertiser"], "ad": ["adgroup__campaign__advertiser"]}
    obj = model.objects.select_related(*related[entry.object_type]).filter(pk=entry.object_pk).first()
    if obj is None:
        raise RevertError(_("The %(type)s this change was made on no longer exists.") % {"type": model._meta.verbose_name})
    return obj


def _advertiser_of(obj):
    if isinstance(obj, Campaign):
        return obj.advertiser
    if isinstance(obj, AdGroup):
        return obj.campaign.advertiser
    return obj.adgroup.campaign.advertiser


def _refuse_reverted(entry: ActionLog) -> None:
    earlier = entry.reverted_by.filter(outcome=ActionLog.Outcome.DONE).order_by("pk").first()
    if earlier is not None:
        raise RevertError(
            _("Already reverted by log entry #%(pk)s at %(at)s.") % {"pk": earlier.pk, "at": f"{earlier.at:%Y-%m-%d %H:%M}"}
        )


def _refuse_changed_since(entry: ActionLog, obj) -> None:
    changed = []
    for name, logged in entry.after.items():
        current = getattr(obj, name, None)
        if not _same(current, logged):
            changed.append(_("%(field)s is %(now)s now, not %(after)s") % {
                "field": _label(obj, name), "now": _shown(current), "after": _shown(logged)})
    if changed:
        raise RevertError(
            _("%(type)s “%(obj)s” changed since this entry: %(changes)s. Nothing was reverted.")
            % {"type": type(obj)._meta.verbose_name, "obj": obj, "changes": "; ".join(changed)}
        )


def _plan(kind: str, entry: ActionLog, obj, actor: Actor, reason: str):
    """The service call that puts `entry.before` back, or RevertError if it cannot."""
    from campaigns.services import adgroup_bid_set, adgroup_budget_set, campaign_budget_set, object_status_set

    before = entry.before
    if kind == "status":
        if before.get("status") is None:
            raise RevertError(_("This entry does not record the status before the change."))
        return lambda: object_status_set(obj=obj, status=before["status"], actor=actor, reason=reason)
    if kind == "bid":
        missing = [name for name in entry.after if before.get(name) is None]
        if missing:
            raise RevertError(_("The ad group had no %(fields)s before this change; a bid cannot be removed.") % {
                "fields": ", ".join(str(_label(obj, name)) for name in missing)})
        changes = {name: _decimal(before[name]) for name in entry.after}
        return lambda: adgroup_bid_set(adgroup=obj, changes=changes, actor=actor, reason=reason)
    if isinstance(obj, AdGroup):
        if before.get("budget") is None:
            raise RevertError(_("This entry does not record the budget before the change."))
        budget = _decimal(before["budget"])
        return lambda: adgroup_budget_set(adgroup=obj, budget=budget, actor=actor, reason=reason)
    if before.get("budget_mode") != "BUDGET_MODE_DAY" or before.get("daily_budget") is None:
        raise RevertError(
            _("The campaign had no daily budget before this change (%(mode)s); adloop cannot switch it back to that.")
            % {"mode": before.get("budget_mode") or "?"}
        )
    budget = _decimal(before["daily_budget"])
    return lambda: campaign_budget_set(campaign=obj, budget=budget, actor=actor, reason=reason)


def _claim_today(kind: str, obj, advertiser) -> None:
    """A reverted budget or bid counts as the object's one change of that kind today, so
    today's automation does not redo at once what a person has just undone."""
    if kind == "status":
        return
    try:
        with transaction.atomic():
            DailyChange.objects.get_or_create(
                object_type=obj._meta.model_name, object_pk=obj.pk, day=clock.today(advertiser.timezone), kind=kind
            )
    except IntegrityError:
        pass  # claimed meanwhile: the same outcome


def _same(current, logged) -> bool:
    """The log keeps money as strings ("130.00"): compare numbers as numbers, the rest as text."""
    if current is None or logged is None:
        return current is None and logged is None
    try:
        return Decimal(str(current)) == Decimal(str(logged))
    except InvalidOperation:
        return str(current) == str(logged)


def _decimal(value) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise RevertError(_("The logged value %(value)r is not a number.") % {"value": value}) from exc


def _label(obj, name: str):
    try:
        return obj._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        return name


def _shown(value) -> str:
    return "—" if value is None else str(value)
