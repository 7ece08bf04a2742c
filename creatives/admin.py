from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from campaigns.errors import CampaignError
from campaigns.services import ad_launch
from scheduler.services import Actor

from .forms import LaunchForm
from .models import Product, VideoJob


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "price", "currency", "target_market", "language", "created_at"]
    list_filter = ["currency", "target_market", "language"]
    search_fields = ["name", "title", "description"]


@admin.register(VideoJob)
class VideoJobAdmin(admin.ModelAdmin):
    list_display = ["job_id", "product", "status", "progress_bar", "backend", "duration_s", "batch_id", "created_at"]
    list_filter = ["status", "backend", "product"]
    search_fields = ["job_id", "batch_id", "product__name"]
    list_select_related = ["product"]
    readonly_fields = ["job_id", "preview", "created_at", "updated_at"]
    actions = ["launch_as_ad"]

    @admin.display(description=_("progress"))
    def progress_bar(self, obj):
        return format_html('<progress max="100" value="{}" title="{}%"></progress>', obj.progress, obj.progress)

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if not obj.video:
            return "—"
        return format_html('<video src="{}" controls width="270" preload="metadata"></video>', obj.video.url)

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
                        reason=f"launched in admin by {request.user}",
                    )
                    launched += 1
                except CampaignError as exc:
                    self.message_user(request, f"{job}: {exc}", messages.ERROR)
            if launched:
                self.message_user(request, _("%(count)d ad(s) launched on TikTok.") % {"count": launched}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Launch as ad"),
            "opts": self.model._meta,
            "form": form,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/creatives/videojob/launch.html", context)
