from django.contrib import admin

from .models import ActionLog, StrategySettings
from .services_settings import SETTING_FIELDS


@admin.register(StrategySettings)
class StrategySettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "target_roas", "optimization_mode", "dry_run", "kill_switch", "updated_at"]
    list_filter = ["optimization_mode", "dry_run", "kill_switch"]
    search_fields = ["campaign__name"]

    def get_changeform_initial_data(self, request):
        # A new row starts empty: on a campaign's row an empty field inherits the global value,
        # so only what the manager types overrides it (model defaults would freeze every field).
        return {**super().get_changeform_initial_data(request), **{name: None for name in SETTING_FIELDS}}


@admin.register(ActionLog)
class ActionLogAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "user", "action", "object_type", "object_pk", "remote_id", "outcome", "before", "after", "remote_request_id"]
    list_filter = ["action", "outcome", "actor", "dry_run", "campaign", "at"]
    search_fields = ["remote_id", "remote_request_id", "reason", "error"]
    date_hierarchy = "at"
    list_select_related = ["user"]

    # The log is evidence: nobody edits or deletes it from admin.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
