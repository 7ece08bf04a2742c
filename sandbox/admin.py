from django.contrib import admin

from .models import (
    SbAd,
    SbAdGroup,
    SbAdvertiser,
    SbApp,
    SbArkTask,
    SbAuthCode,
    SbCampaign,
    SbCreativeProfile,
    SbDailyStat,
    SbIdentity,
    SbLateConversion,
    SbMarketClock,
    SbOrganicAccount,
    SbOrganicDaily,
    SbOrganicPost,
    SbRequestKey,
    SbToken,
    SbVideo,
)


@admin.register(SbApp)
class SbAppAdmin(admin.ModelAdmin):
    list_display = ["app_id", "name", "created_at"]
    search_fields = ["app_id", "name"]


@admin.register(SbAdvertiser)
class SbAdvertiserAdmin(admin.ModelAdmin):
    list_display = ["advertiser_id", "name", "app", "currency", "timezone", "status", "balance", "pixel_id", "create_time"]
    list_filter = ["status", "currency", "timezone", "app"]
    search_fields = ["advertiser_id", "name", "company", "pixel_id"]


@admin.register(SbAuthCode)
class SbAuthCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "app", "created_at", "expires_at", "used_at"]
    list_filter = ["app", ("used_at", admin.EmptyFieldListFilter)]
    search_fields = ["code", "redirect_uri"]
    filter_horizontal = ["advertisers"]


@admin.register(SbToken)
class SbTokenAdmin(admin.ModelAdmin):
    list_display = ["token", "app", "revoked", "created_at"]
    list_filter = ["revoked", "app"]
    search_fields = ["token", "advertisers__advertiser_id"]
    filter_horizontal = ["advertisers"]


@admin.register(SbIdentity)
class SbIdentityAdmin(admin.ModelAdmin):
    list_display = ["identity_id", "display_name", "identity_type", "advertiser", "create_time"]
    list_filter = ["identity_type"]
    search_fields = ["identity_id", "display_name", "advertiser__advertiser_id"]


@admin.register(SbVideo)
class SbVideoAdmin(admin.ModelAdmin):
    list_display = ["video_id", "file_name", "advertiser", "format", "width", "height", "duration", "size", "create_time"]
    list_filter = ["format"]
    search_fields = ["video_id", "material_id", "file_name", "signature", "advertiser__advertiser_id"]


@admin.register(SbCampaign)
class SbCampaignAdmin(admin.ModelAdmin):
    list_display = ["campaign_id", "campaign_name", "advertiser", "objective_type", "budget_mode", "budget", "operation_status", "modify_time"]
    list_filter = ["operation_status", "objective_type", "budget_mode"]
    search_fields = ["campaign_id", "campaign_name", "advertiser__advertiser_id"]
    list_select_related = ["advertiser"]


@admin.register(SbAdGroup)
class SbAdGroupAdmin(admin.ModelAdmin):
    list_display = [
        "adgroup_id", "adgroup_name", "campaign", "optimization_goal", "billing_event", "bid_type", "budget",
        "operation_status", "modify_time",
    ]
    list_filter = ["operation_status", "optimization_goal", "billing_event", "bid_type", "deep_bid_type"]
    search_fields = ["adgroup_id", "adgroup_name", "campaign__campaign_id", "advertiser__advertiser_id"]
    list_select_related = ["campaign"]


@admin.register(SbAd)
class SbAdAdmin(admin.ModelAdmin):
    list_display = ["ad_id", "ad_name", "adgroup", "video", "call_to_action", "operation_status", "modify_time"]
    list_filter = ["operation_status", "ad_format", "call_to_action"]
    search_fields = ["ad_id", "ad_name", "ad_text", "adgroup__adgroup_id", "campaign__campaign_id", "video__video_id"]
    list_select_related = ["adgroup", "video"]


@admin.register(SbRequestKey)
class SbRequestKeyAdmin(admin.ModelAdmin):
    list_display = ["request_id", "kind", "object_id", "advertiser", "created_at"]
    list_filter = ["kind"]
    search_fields = ["request_id", "object_id", "advertiser__advertiser_id"]


@admin.register(SbDailyStat)
class SbDailyStatAdmin(admin.ModelAdmin):
    list_display = ["date", "ad", "impressions", "clicks", "spend", "conversions", "conversion_value", "video_views"]
    list_filter = ["date", "advertiser"]
    search_fields = ["ad__ad_id", "ad__ad_name", "advertiser__advertiser_id"]
    date_hierarchy = "date"
    list_select_related = ["ad"]


@admin.register(SbArkTask)
class SbArkTaskAdmin(admin.ModelAdmin):
    list_display = ["task_id", "model", "status", "polls", "created_at", "updated_at", "expires_at"]
    list_filter = ["status", "model"]
    search_fields = ["task_id", "prompt"]
    readonly_fields = ["download_token"]


# --- The ad-market simulator ---------------------------------------------------------------


@admin.register(SbMarketClock)
class SbMarketClockAdmin(admin.ModelAdmin):
    list_display = ["date", "seed", "params", "updated_at"]


@admin.register(SbCreativeProfile)
class SbCreativeProfileAdmin(admin.ModelAdmin):
    list_display = ["video_id", "parent_video_id", "registered", "base_ctr", "base_cvr", "aov", "view_rate", "impressions_served"]
    list_filter = ["registered"]
    search_fields = ["video_id", "parent_video_id"]
    readonly_fields = ["base_ctr", "base_cvr", "aov", "view_rate", "truth_of", "impressions_served"]


@admin.register(SbLateConversion)
class SbLateConversionAdmin(admin.ModelAdmin):
    list_display = ["ad", "stat_date", "arrives_on", "conversions", "conversion_value"]
    list_filter = ["arrives_on"]
    search_fields = ["ad__ad_id"]
    list_select_related = ["ad"]


@admin.register(SbOrganicAccount)
class SbOrganicAccountAdmin(admin.ModelAdmin):
    list_display = ["account_key", "handle", "followers", "initial_followers", "created_at"]
    search_fields = ["account_key", "handle"]


@admin.register(SbOrganicPost)
class SbOrganicPostAdmin(admin.ModelAdmin):
    list_display = ["post_key", "account", "posted_on", "quality", "video_views", "likes", "shares", "comments"]
    list_filter = ["posted_on"]
    search_fields = ["post_key", "account__account_key"]
    list_select_related = ["account"]


@admin.register(SbOrganicDaily)
class SbOrganicDailyAdmin(admin.ModelAdmin):
    list_display = ["date", "account", "video_views", "likes", "shares", "comments", "followers_gained"]
    list_filter = ["date"]
    search_fields = ["account__account_key", "account__handle"]
    date_hierarchy = "date"
    list_select_related = ["account"]
