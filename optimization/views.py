"""optimization.html (PRD 14.4): variants waiting for a decision, with their video, estimated
cost, the breakdown they came from and the parent's ROAS; what was decided recently below."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from scheduler.models import StrategySettings
from scheduler.services_settings import strategy_for

from . import selectors
from .decisions import ACTIONS, decide
from .models import OptimizationQueue
from .services import estimated_cost, optimization_settings_ensure

PERMISSION = "optimization.change_optimizationqueue"


@require_GET
def queue(request):
    pending = list(selectors.queue_pending())
    recent = selectors.queue_recent()
    sources = selectors.performance_by_ad({item.source_ad_id for item in [*pending, *recent]})
    families = selectors.lineages([item.job for item in pending if item.job is not None])
    for item in [*pending, *recent]:
        performance = sources.get(item.source_ad_id)
        item.parent_roas = performance.roas if performance else None
    for item in pending:
        item.lineage = families.get(item.job_id)
    config = optimization_settings_ensure()
    strategy = strategy_for()
    context = {
        "pending": pending,
        "generating": list(selectors.queue_generating()),
        "recent": recent,
        "config": config,
        "cost": estimated_cost(config),
        "strategy": strategy,
        "mode": StrategySettings.Mode(strategy.optimization_mode).label,
        "can_decide": request.user.has_perm(PERMISSION),
    }
    return render(request, "optimization/optimization.html", context)


@require_POST
def decide_view(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    # One item's own button ("approve:12"), or a bulk button over the ticked boxes.
    single = request.POST.get("item_action", "")
    if single:
        action, _sep, pk = single.partition(":")
        pks = [pk]
    else:
        action, pks = request.POST.get("action", ""), request.POST.getlist("items")
    pks = [int(pk) for pk in pks if pk.isdigit()]
    if action not in ACTIONS or not pks:
        messages.warning(request, _("Choose at least one item and an action."))
        return redirect("optimization:queue")
    items = OptimizationQueue.objects.filter(pk__in=pks).order_by("pk")
    for level, message in decide(action=action, items=items, user=request.user):
        messages.add_message(request, level, message)
    return redirect("optimization:queue")
