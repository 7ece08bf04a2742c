from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from scheduler.services import Actor
from scheduler.services_stages import stage_set

from .errors import CampaignError
from .models import (
    Ad,
    AdGroup,
    AdvertiserAccount,
    Campaign,
    OperationStatus,
    Publication,
    PublishingAccount,
    Stage,
    UploadedVideo,
)
from .services import objects_status_set


def _set_status(modeladmin, request, queryset, status):
    verb = _("paused") if status == OperationStatus.DISABLE else _("resumed")
    try:
        changed = objects_status_set(
            objs=list(queryset), status=status, actor=Actor.of(request.user), reason=f"{verb} in admin by {request.user}"
        )
    except CampaignError as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return
    modeladmin.message_user(request, _("%(count)d object(s) %(verb)s on TikTok.") % {"count": len(changed), "verb": verb})


@admin.action(description=_("Pause on TikTok"))
def pause(modeladmin, request, queryset):
    _set_status(modeladmin, request, queryset, OperationStatus.DISABLE)


@admin.action(description=_("Resume on TikTok"))
def resume(modeladmin, request, queryset):
    _set_status(modeladmin, request, queryset, OperationStatus.ENABLE)


def _move_to_stage(modeladmin, request, queryset, stage):
    """The hand override: each selected campaign's (product, advertiser) moves once."""
    actor = Actor.of(request.user)
    pairs = queryset.exclude(product=None).select_related("product", "advertiser").order_by("product_id", "advertiser_id")
    done = set()
    for campaign in pairs:
        key = (campaign.product_id, campaign.advertiser_id)
        if key in done:
            continue
        done.add(key)
        names = {"product": campaign.product, "advertiser": campaign.advertiser, "stage": Stage(stage).label}
        try:
            change = stage_set(product=campaign.product, advertiser=campaign.advertiser, stage=stage, actor=actor)
        except CampaignError as exc:
            modeladmin.message_user(request, _("%(product)s (%(advertiser)s): %(error)s") % {**names, "error": exc}, messages.ERROR)
            continue
        if change.applied:
            text = _("%(product)s (%(advertiser)s): moved to the %(stage)s stage with %(count)d ad(s).")
            modeladmin.message_user(request, text % {**names, "count": len(change.ads)}, messages.SUCCESS)
        elif change.from_stage == change.to_stage:
            modeladmin.message_user(request, _("%(product)s (%(advertiser)s): %(note)s") % {**names, "note": change.note}, messages.INFO)
        else:
            text = _("%(product)s (%(advertiser)s): not moved to the %(stage)s stage: %(note)s")
            modeladmin.message_user(request, text % {**names, "note": change.note}, messages.ERROR)
    if queryset.filter(product=None).exists():
        modeladmin.message_user(request, _("Campaigns without a product have no stage to move; they were skipped."), messages.WARNING)


@admin.action(description=_("Move to launch stage"))
def move_to_launch(modeladmin, request, queryset):
    _move_to_stage(modeladmin, request, queryset, Stage.LAUNCH)


@admin.action(description=_("Move to heat stage"))
def move_to_heat(modeladmin, request, queryset):
    _move_to_stage(modeladmin, request, queryset, Stage.HEAT)


@admin.action(description=_("Move to hit stage"))
def move_to_hit(modeladmin, request, queryset):
    _move_to_stage(modeladmin, request, queryset, Stage.HIT)


@admin.register(AdvertiserAccount)
class AdvertiserAccountAdmin(admin.ModelAdmin):
    change_list_template = "admin/campaigns/advertiseraccount/change_list.html"
    list_display = ["advertiser_id", "name", "currency", "timezone", "status", "has_token", "last_error", "connected_at"]
    list_filter = ["status", "currency"]
    search_fields = ["advertiser_id", "name"]
    # Tokens are never shown or edited here: they arrive through the OAuth flow only.
    exclude = ["access_token", "refresh_token"]
    readonly_fields = ["advertiser_id", "status", "last_error", "identity_id", "scope", "token_expires_at", "connected_at", "updated_at"]

    @admin.display(boolean=True, description=_("token"))
    def has_token(self, obj):
        return bool(obj.access_token)


class _RemoteAdmin(admin.ModelAdmin):
    actions = [pause, resume]
    # Status and money change only through the services (TikTok first, then ActionLog).
    readonly_fields = ["status", "request_id", "error", "created_at", "updated_at"]


@admin.register(Campaign)
class CampaignAdmin(_RemoteAdmin):
    actions = [*_RemoteAdmin.actions, move_to_launch, move_to_heat, move_to_hit]
    list_display = ["name", "advertiser", "product", "stage", "status", "objective", "campaign_id", "created_at"]
    list_filter = ["stage", "status", "objective", "advertiser"]
    search_fields = ["name", "campaign_id", "product__name"]
    readonly_fields = [*_RemoteAdmin.readonly_fields, "campaign_id", "objective", "advertiser"]


@admin.register(AdGroup)
class AdGroupAdmin(_RemoteAdmin):
    list_display = ["name", "campaign", "status", "budget", "budget_cap", "bid_type", "bid_price", "optimization_goal", "adgroup_id"]
    list_filter = ["status", "campaign__stage", "bid_type", "optimization_goal"]
    search_fields = ["name", "adgroup_id", "campaign__name"]
    list_select_related = ["campaign"]
    readonly_fields = [*_RemoteAdmin.readonly_fields, "adgroup_id", "campaign", "budget", "bid_price", "roas_bid"]


@admin.register(Ad)
class AdAdmin(_RemoteAdmin):
    list_display = ["name", "status", "ad_id", "adgroup", "job", "call_to_action", "created_at"]
    list_filter = ["status", "adgroup__campaign__stage", "call_to_action"]
    search_fields = ["name", "ad_id", "ad_text", "job__job_id"]
    list_select_related = ["adgroup", "job__product"]
    readonly_fields = ["status", "error", "created_at", "updated_at", "ad_id", "adgroup", "job", "video_id"]


@admin.register(UploadedVideo)
class UploadedVideoAdmin(admin.ModelAdmin):
    list_display = ["file_name", "advertiser", "job", "video_id", "created_at"]
    list_filter = ["advertiser"]
    search_fields = ["file_name", "video_id"]


@admin.register(PublishingAccount)
class PublishingAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "handle", "provider", "status", "daily_post_cap", "last_error"]
    list_filter = ["provider", "status"]
    search_fields = ["name", "handle", "remote_account_id"]
    exclude = ["access_token", "refresh_token"]


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["job", "account", "scheduled_at", "status", "remote_id", "attempts", "error"]
    list_filter = ["status", "account"]
    search_fields = ["remote_id", "title", "job__job_id"]
    date_hierarchy = "scheduled_at"
