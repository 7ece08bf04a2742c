from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AccountDaily, Alert, PerformanceDaily


@admin.register(PerformanceDaily)
class PerformanceDailyAdmin(admin.ModelAdmin):
    list_display = ["ad", "date", "impressions", "clicks", "spend", "conversions", "conversion_value", "roas", "ctr", "cvr"]
    list_filter = ["date", "ad__adgroup__campaign__stage"]
    search_fields = ["ad__name", "ad__ad_id"]
    date_hierarchy = "date"
    list_select_related = ["ad"]


@admin.register(AccountDaily)
class AccountDailyAdmin(admin.ModelAdmin):
    list_display = ["account", "date", "video_views", "likes", "shares", "comments", "followers_gained"]
    list_filter = ["date", "account"]
    search_fields = ["account__name", "account__handle"]
    date_hierarchy = "date"


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "severity", "message", "campaign", "ad", "acknowledged_at", "acknowledged_by"]
    list_filter = ["kind", "severity", ("acknowledged_at", admin.EmptyFieldListFilter)]
    search_fields = ["message"]
    date_hierarchy = "created_at"
    actions = ["acknowledge"]

    @admin.action(description=_("Acknowledge"))
    def acknowledge(self, request, queryset):
        count = queryset.filter(acknowledged_at__isnull=True).update(acknowledged_at=timezone.now(), acknowledged_by=request.user)
        self.message_user(request, _("%(count)d alert(s) acknowledged.") % {"count": count})
