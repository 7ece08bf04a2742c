"""Writes of the scheduler app. `action_log_record` is the one way any app records a decision."""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models

from .models import ActionLog


@dataclass(frozen=True)
class Actor:
    """Who decided: the automation, or a person (kept on the log row)."""

    kind: str
    user: Any = None

    @classmethod
    def auto(cls) -> Actor:
        return cls(ActionLog.Actor.AUTO)

    @classmethod
    def of(cls, user) -> Actor:
        return cls(ActionLog.Actor.USER, user if getattr(user, "is_authenticated", False) else None)

    def __str__(self) -> str:
        return self.user.get_username() if self.user is not None else str(self.kind)


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any]:
    out = {}
    for key, value in (values or {}).items():
        if isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[key] = value
    return out


# Set by `action_log_context`: the entry every record in the block reverts (revert in admin).
_REVERTS: contextvars.ContextVar[ActionLog | None] = contextvars.ContextVar("action_log_reverts", default=None)


@contextlib.contextmanager
def action_log_context(*, reverts: ActionLog | None = None):
    """Entries recorded inside the block point at `reverts` (the change they undo), so a
    revert can go through the ordinary services and still be linked to what it undid."""
    token = _REVERTS.set(reverts)
    try:
        yield
    finally:
        _REVERTS.reset(token)


def action_log_record(**values) -> ActionLog:
    """Record one decision. Callers that change state call this inside the same
    transaction.atomic() as the change, so the log and the state cannot disagree."""
    entry = action_log_build(**values)
    entry.save()
    return entry


def action_logs_record(entries: list[ActionLog]) -> list[ActionLog]:
    """Save many built entries in one INSERT (bulk paths: hundreds of pauses in one batch)."""
    return ActionLog.objects.bulk_create(entries, batch_size=1000)


def action_log_build(
    *,
    actor: Actor,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    trigger: dict[str, Any] | None = None,
    remote_id: str = "",
    remote_request_id: str = "",
    outcome: str = ActionLog.Outcome.DONE,
    error: str = "",
    dry_run: bool = False,
    validate_relations: bool = True,
) -> ActionLog:
    """A validated, unsaved entry; `action_log_record` saves one, `action_logs_record` many.

    `validate_relations=False` skips the foreign keys' existence checks (one query each):
    for bulk paths whose user, advertiser and campaign come from rows just read. Every
    other field is still validated."""
    entry = ActionLog(
        actor=actor.kind,
        user=actor.user,
        action=action,
        object_type=obj._meta.model_name,
        object_pk=obj.pk,
        remote_id=remote_id,
        advertiser=_advertiser_of(obj),
        campaign=_campaign_of(obj),
        trigger=_jsonable(trigger),
        reason=reason,
        before=_jsonable(before),
        after=_jsonable(after),
        dry_run=dry_run,
        outcome=ActionLog.Outcome.WOULD_DO if dry_run and outcome == ActionLog.Outcome.DONE else outcome,
        error=error,
        remote_request_id=remote_request_id,
        reverts=_REVERTS.get(),
    )
    if validate_relations:
        entry.full_clean(exclude=["reverts"] if entry.reverts_id else None)
    else:
        entry.full_clean(exclude=_RELATIONS, validate_unique=False, validate_constraints=False)
    return entry


_RELATIONS = [field.name for field in ActionLog._meta.concrete_fields if field.is_relation]


def _campaign_of(obj):
    name = obj._meta.model_name
    if name == "campaign":
        return obj
    if name == "adgroup":
        return obj.campaign
    if name == "ad":
        return obj.adgroup.campaign
    return None


def _advertiser_of(obj):
    name = obj._meta.model_name
    if name == "advertiseraccount":
        return obj
    if hasattr(obj, "advertiser"):
        return obj.advertiser
    campaign = _campaign_of(obj)
    return campaign.advertiser if campaign is not None else None
