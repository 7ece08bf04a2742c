from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .decisions import decide
from .models import OptimizationQueue, OptimizationSettings, ScriptBreakdown
from .selectors import lineage, performance_by_ad
from .services import optimization_settings_ensure


def _roas(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def lineage_table(job, *, highlight=None):
    """A creative's ancestors and descendants with each one's ROAS, as an HTML table."""
    if job is None:
        return "—"
    rows = format_html_join(
        "",
        '<tr{}><td style="padding-left:{}em">{}<a href="{}">{}</a></td><td>{}</td><td>{}</td><td class="num">{}</td>'
        '<td class="num">{}</td><td class="num">{}</td></tr>',
        (
            (
                ' style="font-weight:600"' if node.job.pk == (highlight or job).pk else "",
                node.depth * 1.2,
                "↳ " if node.depth else "",
                reverse("admin:creatives_videojob_change", args=[node.job.pk]),
                str(node.job.job_id)[:8],
                node.job.get_status_display(),
                node.job.get_hook_type_display() or "—",
                _roas(node.roas),
                f"{node.performance.spend:.2f}",
                node.performance.ads,
            )
            for node in lineage(job).nodes
        ),
    )
    return format_html(
        '<table class="lineage"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        _("creative"), _("status"), _("hook type"), _("ROAS"), _("spend"), _("ads"), rows,
    )


@admin.register(OptimizationSettings)
class OptimizationSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "winner_roas_multiple", "min_running_days", "variants_per_winner", "variant_daily_budget", "updated_at"]

    def has_add_permission(self, request):
        return not OptimizationSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        optimization_settings_ensure()  # the one row is always there to edit, with the defaults
        return super().changelist_view(request, extra_context)


@admin.register(ScriptBreakdown)
class ScriptBreakdownAdmin(admin.ModelAdmin):
    list_display = ["source_job", "source_ad", "hook_type", "cta_style", "provider", "created_at"]
    list_filter = ["hook_type", "provider"]
    search_fields = ["source_job__job_id", "cta_style", "selling_point_logic"]
    list_select_related = ["source_job__product", "source_ad"]
    fields = [
        "source_job", "source_ad", "hook_type", "hook_reason", "selling_point_order", "selling_point_logic", "cta_type",
        "cta_style", "pacing", "pacing_style", "template_slots", "provider", "created_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("script template"))
    def template_slots(self, obj):
        slots = obj.template.get("slots", []) if isinstance(obj.template, dict) else []
        return format_html_join(
            "", "<div>{}. <strong>{}</strong> · {} s · {}</div>",
            ((i + 1, slot.get("role", ""), slot.get("duration_s", ""), slot.get("purpose", "")) for i, slot in enumerate(slots)),
        ) or "—"


@admin.register(OptimizationQueue)
class OptimizationQueueAdmin(admin.ModelAdmin):
    list_display = [
        "pk", "status", "mode", "source_ad", "variant", "render_progress", "estimated_cost", "launched_ad", "problem", "created_at",
    ]
    list_filter = ["status", "mode"]
    search_fields = ["new_batch_id", "source_ad__name", "source_ad__ad_id", "job__job_id"]
    list_select_related = ["source_ad", "job", "launched_ad"]
    actions = ["approve", "reject", "retry"]
    fields = [
        "status", "mode", "preview", "source_ad", "parent_roas", "job", "new_batch_id", "estimated_cost", "breakdown_summary",
        "lineage", "launched_ad", "error", "note", "decided_by", "decided_at", "created_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("variant"))
    def variant(self, obj):
        return str(obj.job.job_id)[:8] if obj.job else "—"

    @admin.display(description=_("render"))
    def render_progress(self, obj):
        if obj.job is None:
            return "—"
        pct = obj.job.progress
        return format_html('<progress max="100" value="{}" title="{}%"></progress> {}%', pct, pct, pct)

    @admin.display(description=_("error / note"))
    def problem(self, obj):
        return (obj.error or obj.note)[:80]

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if obj.job is None or not obj.job.video:
            return "—"
        poster = obj.job.cover.url if obj.job.cover else ""
        return format_html('<video src="{}" poster="{}" controls width="270" preload="metadata"></video>', obj.job.video.url, poster)

    @admin.display(description=_("parent's ROAS (source ad, lifetime)"))
    def parent_roas(self, obj):
        performance = performance_by_ad([obj.source_ad_id]).get(obj.source_ad_id)
        return _roas(performance.roas if performance else None)

    @admin.display(description=_("breakdown"))
    def breakdown_summary(self, obj):
        b = obj.breakdown
        if b is None:
            return "—"
        return format_html(
            "<div><strong>{}</strong> {} ({})</div><div><strong>{}</strong> {}</div><div><strong>{}</strong> {}</div>"
            "<div><strong>{}</strong> {}</div>",
            _("Hook:"), b.get_hook_type_display(), b.hook_reason, _("Selling points:"), b.selling_point_logic,
            _("CTA:"), b.cta_style, _("Pacing:"), b.pacing_style or ", ".join(f"{d:g} s" for d in b.pacing),
        )

    @admin.display(description=_("lineage (ROAS over all its ads)"))
    def lineage(self, obj):
        return lineage_table(obj.job or obj.source_ad.job, highlight=obj.job)

    def _decide(self, request, queryset, action):
        for level, message in decide(action=action, items=queryset.order_by("pk"), user=request.user):
            self.message_user(request, message, level)

    @admin.action(description=_("Approve and launch selected variants"), permissions=["change"])
    def approve(self, request, queryset):
        self._decide(request, queryset, "approve")

    @admin.action(description=_("Reject selected variants"), permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, "reject")

    @admin.action(description=_("Retry selected failed items"), permissions=["change"])
    def retry(self, request, queryset):
        self._decide(request, queryset, "retry")
