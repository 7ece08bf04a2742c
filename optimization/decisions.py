"""Approve / reject / retry on many queue items at once, for the admin actions and the page:
one service call per item, and one message per outcome for the person who clicked."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scheduler.services import Actor

from .errors import OptimizationError
from .models import OptimizationQueue
from .services import queue_item_approve, queue_item_reject, queue_item_retry

ACTIONS = ("approve", "reject", "retry")
Status = OptimizationQueue.Status


def decide(*, action: str, items, user) -> list[tuple[int, str]]:
    """Apply `action` to each item; returns (message level, text) pairs."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    actor = Actor.of(user)
    outcomes: dict[str, list[OptimizationQueue]] = defaultdict(list)
    out: list[tuple[int, str]] = []
    for item in items:
        before = item.status
        try:
            if action == "approve":
                item = queue_item_approve(item=item, actor=actor)
            elif action == "reject":
                item = queue_item_reject(item=item, actor=actor)
            else:
                item = queue_item_retry(item=item, actor=actor)
        except OptimizationError as exc:
            out.append((messages.ERROR, str(exc)))
            continue
        if item.status == Status.FAILED:
            out.append((messages.ERROR, _("#%(pk)s failed: %(error)s") % {"pk": item.pk, "error": item.error}))
        elif item.status == Status.PENDING and item.note:
            out.append((messages.WARNING, _("#%(pk)s not launched: %(note)s") % {"pk": item.pk, "note": item.note}))
        elif item.status == before:
            outcomes["unchanged"].append(item)
        else:
            outcomes[item.status].append(item)
    counts = {key: len(value) for key, value in outcomes.items()}
    if counts.get(Status.LAUNCHED):
        n = counts[Status.LAUNCHED]
        out.append((messages.SUCCESS, ngettext("%(n)d variant launched on TikTok.", "%(n)d variants launched on TikTok.", n) % {"n": n}))
    for status in (Status.APPROVED, Status.LAUNCHING, Status.GENERATING, Status.PENDING):
        if counts.get(status):
            n = counts[status]
            out.append((messages.INFO, ngettext("%(n)d item is now %(status)s.", "%(n)d items are now %(status)s.", n)
                        % {"n": n, "status": Status(status).label}))
    if counts.get(Status.REJECTED):
        n = counts[Status.REJECTED]
        out.append((messages.SUCCESS, ngettext("%(n)d item rejected.", "%(n)d items rejected.", n) % {"n": n}))
    if counts.get("unchanged"):
        n = counts["unchanged"]
        out.append((messages.WARNING, ngettext("%(n)d item was already decided: nothing done.",
                                               "%(n)d items were already decided: nothing done.", n) % {"n": n}))
    return out
