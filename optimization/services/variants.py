"""From a winner to variants being rendered (PRD 14.2–14.3).

A winner's queue items are created first, in GENERATING, one per variant to come: from then
on the winner counts as being cloned, and a failure has rows to land on. The LLM breaks the
winner's script down (stored as a ScriptBreakdown) and writes the variants; each is validated
against the script schema and the batch is handed to the creative pipeline. An LLM failure
marks the items FAILED with the reason: no video is made and nothing is launched.
"""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adloop.background import enqueue
from creatives.errors import CreativeError
from creatives.models import VideoJob
from creatives.script import Script, ScriptError, script_parse
from creatives.services import variant_batch_create
from creatives.services.products import product_brief
from creatives.services.providers import llm_provider
from integrations.llm.base import LLMError, LLMInvalidOutput, LLMProvider
from integrations.llm.schemas import Breakdown, ProductBrief, VariantRequest
from optimization.models import OptimizationQueue, OptimizationSettings, ScriptBreakdown
from optimization.selectors import Winner
from scheduler.models import StrategySettings
from scheduler.services import Actor, action_log_record

from .config import estimated_cost

log = logging.getLogger(__name__)
Status = OptimizationQueue.Status


def winner_clone(*, winner: Winner, config: OptimizationSettings) -> list[OptimizationQueue]:
    """Queue `variants_per_winner` variants of the winner and write them."""
    source = winner.ad
    auto = winner.strategy.optimization_mode == StrategySettings.Mode.AUTO
    batch_id = f"opt-{uuid.uuid4().hex[:12]}"
    count = config.variants_per_winner
    with transaction.atomic():
        items = [
            OptimizationQueue(
                source_ad=source, new_batch_id=batch_id, status=Status.GENERATING,
                mode=OptimizationQueue.Mode.AUTO if auto else OptimizationQueue.Mode.MANUAL, estimated_cost=estimated_cost(config),
            )
            for _n in range(count)
        ]
        for item in items:
            item.full_clean()
        OptimizationQueue.objects.bulk_create(items)
        action_log_record(
            actor=Actor.auto(), action="optimization_trigger", obj=source, trigger=winner.trigger(),
            after={"batch_id": batch_id, "variants": count, "mode": items[0].mode},
            reason=_("winner: ROAS %(roas)s ≥ %(threshold)s (%(multiple)s × target) over %(days)s days of delivery")
            % {"roas": f"{winner.roas:.2f}", "threshold": f"{winner.threshold:.2f}", "multiple": winner.multiple, "days": winner.days},
        )
    return variants_write(batch_id=batch_id)


def variants_write(*, batch_id: str) -> list[OptimizationQueue]:
    """Break the winner down, write the variants and start their renders. Runs for the items of
    `batch_id` still waiting for a script, so a retry after an LLM failure re-enters here."""
    items = list(
        OptimizationQueue.objects.filter(new_batch_id=batch_id, status=Status.GENERATING, job__isnull=True)
        .select_related("source_ad__job__product")
        .order_by("pk")
    )
    if not items:
        return []
    source = items[0].source_ad
    job = source.job
    provider = llm_provider()
    stored = None
    # Translators: each step completes "could not …" and "internal error while trying to …".
    step = _("read the winner's script")
    try:
        script = script_parse(job.script)
        brief = product_brief(job.product)
        step = _("break the winner down")
        stored, breakdown = _breakdown_ensure(job=job, source_ad=source, script=script, brief=brief, provider=provider)
        step = _("write the variants")
        request = VariantRequest(script=script, breakdown=breakdown, brief=brief, count=len(items), seed=items[0].pk)
        scripts = provider.write_variants(request)
        if len(scripts) != len(items):
            raise LLMInvalidOutput(
                _("asked for %(asked)d variants, got %(got)d") % {"asked": len(items), "got": len(scripts)}, field="variants"
            )
        # Validated against our schema before anything renders them, whatever the provider promised.
        scripts = [script_parse(variant.model_dump(mode="json")) for variant in scripts]
        step = _("queue the renders")
        with transaction.atomic():
            jobs = variant_batch_create(parent=job, scripts=scripts, batch_id=batch_id, enqueue=False)
            for item, variant in zip(items, jobs, strict=True):
                OptimizationQueue.objects.filter(pk=item.pk, status=Status.GENERATING, job__isnull=True).update(
                    job=variant, breakdown=stored
                )
            transaction.on_commit(lambda: _enqueue_renders([item.pk for item in items]))
    except (LLMError, ScriptError, CreativeError) as exc:
        _fail(items, _("could not %(step)s: %(error)s") % {"step": step, "error": exc}, breakdown=stored)
    except Exception as exc:
        # A bug, not the winner's fault: the items show it (and stop blocking the winner), the worker logs it.
        message = _("internal error while trying to %(step)s: %(type)s: %(error)s") % {
            "step": step, "type": type(exc).__name__, "error": exc,
        }
        _fail(items, message, breakdown=stored)
        raise
    return list(OptimizationQueue.objects.filter(pk__in=[item.pk for item in items]).order_by("pk"))


def _enqueue_renders(item_pks: list[int]) -> None:
    from optimization.tasks import variant_render

    for pk in item_pks:
        enqueue(variant_render, pk)


def _fail(items: list[OptimizationQueue], message: str, *, breakdown: ScriptBreakdown | None) -> None:
    log.warning("optimization batch %s failed: %s", items[0].new_batch_id, message)
    OptimizationQueue.objects.filter(pk__in=[item.pk for item in items], status=Status.GENERATING).update(
        status=Status.FAILED, error=message[:4000], breakdown=breakdown, decided_at=timezone.now()
    )


def _breakdown_ensure(
    *, job: VideoJob, source_ad, script: Script, brief: ProductBrief, provider: LLMProvider
) -> tuple[ScriptBreakdown, Breakdown]:
    """The winner's breakdown: the stored one from this provider if there is one (a job's script
    never changes after its render), else a new one from the LLM, stored."""
    name = type(provider).__name__
    for row in ScriptBreakdown.objects.filter(source_job=job, provider=name).order_by("-created_at")[:1]:
        try:
            return row, breakdown_of(row)
        except ValueError:
            break  # written by an older schema: break it down again
    breakdown = provider.break_down(script, brief)
    row = ScriptBreakdown(
        source_job=job, source_ad=source_ad, hook_type=breakdown.hook_type.value, hook_reason=breakdown.hook_reason,
        selling_point_order=breakdown.selling_point_order, selling_point_logic=breakdown.selling_point_logic,
        cta_type=breakdown.cta_type.value, cta_style=breakdown.cta_style, pacing=breakdown.pacing,
        pacing_style=breakdown.pacing_style, provider=name,
        template={
            "language": script.language, "hook_type": breakdown.hook_type.value, "cta_type": breakdown.cta_type.value,
            "slots": [slot.model_dump(mode="json") for slot in breakdown.template],
        },
    )
    row.full_clean()
    row.save()
    return row, breakdown


def breakdown_of(row: ScriptBreakdown) -> Breakdown:
    """A stored breakdown as the LLM layer's model (raises ValueError if it no longer fits)."""
    return Breakdown.model_validate({
        "hook_type": row.hook_type, "hook_reason": row.hook_reason or "-", "selling_point_order": row.selling_point_order,
        "selling_point_logic": row.selling_point_logic or "-", "cta_type": row.cta_type or row.template.get("cta_type"),
        "cta_style": row.cta_style or "-", "pacing": row.pacing, "pacing_style": row.pacing_style or "-",
        "template": row.template.get("slots", []),
    })
