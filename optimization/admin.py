from django.contrib import admin

from .models import OptimizationQueue, ScriptBreakdown


@admin.register(ScriptBreakdown)
class ScriptBreakdownAdmin(admin.ModelAdmin):
    list_display = ["source_job", "source_ad", "hook_type", "cta_style", "provider", "created_at"]
    list_filter = ["hook_type", "provider"]
    search_fields = ["source_job__job_id", "cta_style", "selling_point_logic"]


@admin.register(OptimizationQueue)
class OptimizationQueueAdmin(admin.ModelAdmin):
    list_display = ["pk", "source_ad", "job", "status", "mode", "estimated_cost", "launched_ad", "error", "created_at"]
    list_filter = ["status", "mode"]
    search_fields = ["new_batch_id", "source_ad__name"]
    list_select_related = ["source_ad", "job", "launched_ad"]
