from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from campaigns.errors import CampaignError
from campaigns.services import ad_launch
from scheduler.services import Actor

from .forms import GenerateForm, LaunchForm
from .models import Product, ProductImage, VideoJob
from .services import batch_create, video_job_retry


def _intermediate(modeladmin, request, queryset, *, form, action: str, title, template: str):
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "form": form,
        "queryset": queryset,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, template, context)


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 1


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "price", "currency", "target_market", "language", "video_count", "created_at"]
    list_filter = ["currency", "target_market", "language"]
    search_fields = ["name", "title", "description"]
    readonly_fields = ["analysis", "analysis_provider", "created_at"]
    inlines = [ProductImageInline]
    actions = ["generate_videos"]

    @admin.display(description=_("videos"))
    def video_count(self, obj):
        return obj.jobs.count()

    @admin.action(description=_("Generate videos"))
    def generate_videos(self, request, queryset):
        form = GenerateForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            for product in queryset:
                jobs = batch_create(product=product, **form.cleaned_data)
                self.message_user(
                    request, _("%(count)d video(s) queued for %(product)s (batch %(batch)s).")
                    % {"count": len(jobs), "product": product, "batch": jobs[0].batch_id}, messages.SUCCESS,
                )
            return None
        return _intermediate(
            self, request, queryset, form=form, action="generate_videos", title=_("Generate videos"),
            template="admin/creatives/intermediate_form.html",
        )


@admin.register(VideoJob)
class VideoJobAdmin(admin.ModelAdmin):
    change_list_template = "admin/creatives/videojob/change_list.html"
    list_display = ["job_id", "product", "status", "progress_bar", "hook_type", "backend", "duration_s", "batch_id", "error_short", "created_at"]
    list_filter = ["status", "backend", "hook_type", "product"]
    search_fields = ["job_id", "batch_id", "product__name"]
    list_select_related = ["product"]
    readonly_fields = ["job_id", "preview", "status", "progress", "error", "duration_s", "attempts", "started_at", "finished_at", "created_at", "updated_at"]
    actions = ["launch_as_ad", "retry"]

    def changelist_view(self, request, extra_context=None):
        busy = VideoJob.objects.filter(status__in=[VideoJob.Status.QUEUED, VideoJob.Status.RUNNING]).exists()
        return super().changelist_view(request, {**(extra_context or {}), "jobs_busy": busy})

    @admin.display(description=_("progress"))
    def progress_bar(self, obj):
        return format_html('<progress max="100" value="{}" title="{}%"></progress> {}%', obj.progress, obj.progress, obj.progress)

    @admin.display(description=_("error"))
    def error_short(self, obj):
        return obj.error[:80]

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if not obj.video:
            return "—"
        poster = obj.cover.url if obj.cover else ""
        return format_html('<video src="{}" poster="{}" controls width="270" preload="metadata"></video>', obj.video.url, poster)

    @admin.action(description=_("Retry failed jobs"))
    def retry(self, request, queryset):
        retried = 0
        for job in queryset.filter(status=VideoJob.Status.FAILED):
            video_job_retry(job=job)
            retried += 1
        self.message_user(request, _("%(count)d failed job(s) queued again.") % {"count": retried})

    @admin.action(description=_("Launch as ad on TikTok"))
    def launch_as_ad(self, request, queryset):
        form = LaunchForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            launched = 0
            for job in queryset.select_related("product"):
                try:
                    ad_launch(
                        job=job,
                        advertiser=form.cleaned_data["advertiser"],
                        stage=form.cleaned_data["stage"],
                        budget=form.cleaned_data["budget"],
                        ad_text=form.cleaned_data["ad_text"],
                        call_to_action=form.cleaned_data["call_to_action"],
                        actor=Actor.of(request.user),
                        reason=_("launched in admin by %(user)s") % {"user": request.user},
                    )
                    launched += 1
                except CampaignError as exc:
                    self.message_user(request, _("%(job)s: %(error)s") % {"job": job, "error": exc}, messages.ERROR)
            if launched:
                self.message_user(request, _("%(count)d ad(s) launched on TikTok.") % {"count": launched}, messages.SUCCESS)
            return None
        return _intermediate(
            self, request, queryset, form=form, action="launch_as_ad", title=_("Launch as ad"),
            template="admin/creatives/intermediate_form.html",
        )
