"""Thin Celery wrappers around the scheduler's services. Beat stores these names: keep them stable.

Each beat task fans out one task per connected advertiser; each of those holds the
advertiser's automation lock (scheduler.locks) — the one the report pull holds too — so runs
on one account never overlap. A busy lock sends the task back to the queue a minute later
(at most LOCK_MAX_RETRIES times). The services make a second run on the same day change
nothing (one change per object per day, claimed in the database).
"""

from __future__ import annotations

import logging
from collections import Counter

from celery import shared_task
from celery.exceptions import Retry

from campaigns.models import AdvertiserAccount

from .locks import advertiser_lock_or_retry
from .services_budget import budgets_evaluate

log = logging.getLogger(__name__)

# Busy-lock retries, a minute apart: a little longer than a holder may run (the task time
# limit, 30 min), so a waiting run outlasts the run it waits for, and no longer.
LOCK_MAX_RETRIES = 40


def connected_advertiser_pks() -> list[int]:
    return list(AdvertiserAccount.objects.filter(status=AdvertiserAccount.Status.CONNECTED).order_by("pk").values_list("pk", flat=True))


def fan_out(task) -> int:
    """Enqueue `task(pk)` for each connected advertiser; return how many. Without a broker
    (eager mode) an advertiser's error or retry request surfaces here: it is logged and the
    next advertiser still gets its run."""
    pks = connected_advertiser_pks()
    for pk in pks:
        try:
            task.delay(pk)
        except Retry:
            log.warning("%s for advertiser pk=%s will be retried (lock busy or transient error)", task.name, pk)
        except Exception:
            log.exception("%s for advertiser pk=%s failed", task.name, pk)
    return len(pks)


def _connected(advertiser_pk: int) -> AdvertiserAccount | None:
    """The advertiser, if it is still connected (it may have been revoked since the fan-out)."""
    return AdvertiserAccount.objects.filter(pk=advertiser_pk, status=AdvertiserAccount.Status.CONNECTED).first()


@shared_task(name="scheduler.evaluate_budgets")
def evaluate_budgets() -> int:
    return fan_out(evaluate_budgets_for_advertiser)


@shared_task(bind=True, name="scheduler.evaluate_budgets_for_advertiser", max_retries=LOCK_MAX_RETRIES, acks_late=True)
def evaluate_budgets_for_advertiser(self, advertiser_pk: int) -> dict | None:
    """The budget rule (PRD §15.2) on every running ad group, then hit-stage scaling (§15.3)."""
    from .services_hit import hit_scale

    advertiser = _connected(advertiser_pk)
    if advertiser is None:
        return None
    with advertiser_lock_or_retry(self, advertiser_pk):
        budgets = budgets_evaluate(advertiser=advertiser)
        hits = hit_scale(advertiser=advertiser)
    return {
        "advertiser": advertiser_pk,
        "budgets": {"verdicts": dict(Counter(str(o.decision.verdict) for o in budgets)), "applied": sum(o.applied for o in budgets)},
        "hit": {"actions": dict(Counter(o.action for o in hits)), "applied": sum(o.applied for o in hits)},
    }


@shared_task(name="scheduler.check_stages")
def check_stages() -> int:
    return fan_out(check_stages_for_advertiser)


@shared_task(bind=True, name="scheduler.check_stages_for_advertiser", max_retries=LOCK_MAX_RETRIES, acks_late=True)
def check_stages_for_advertiser(self, advertiser_pk: int) -> dict | None:
    """The stage machine: launch → heat → hit on the thresholds (DESIGN.md "Stages")."""
    from .services_stages import stages_check

    advertiser = _connected(advertiser_pk)
    if advertiser is None:
        return None
    with advertiser_lock_or_retry(self, advertiser_pk):
        changes = stages_check(advertiser=advertiser)
    applied = [c for c in changes if c.applied]
    return {
        "advertiser": advertiser_pk,
        "judged": len(changes),
        "applied": len(applied),
        "moves": dict(Counter(f"{c.from_stage or '-'}→{c.to_stage}" for c in applied)),
    }
