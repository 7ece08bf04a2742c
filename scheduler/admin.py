from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ActionLog, StrategySettings
from .services import Actor
from .services_revert import RevertError, action_revert
from .services_settings import SETTING_FIELDS


@admin.register(StrategySettings)
class StrategySettingsAdmin(admin.ModelAdmin):
    # Nonsense is refused by StrategySettings.clean() (services_settings.strategy_validate),
    # each message next to its field.
    list_display = ["__str__", "target_roas", "optimization_mode", "dry_run", "kill_switch", "updated_at"]
    list_filter = ["optimization_mode", "dry_run", "kill_switch"]
    search_fields = ["campaign__name"]

    def get_changeform_initial_data(self, request):
        # A new row starts empty: on a campaign's row an empty field inherits the global value,
        # so only what the manager types overrides it (model defaults would freeze every field).
        return {**super().get_changeform_initial_data(request), **{name: None for name in SETTING_FIELDS}}


@admin.register(ActionLog)
class ActionLogAdmin(admin.ModelAdmin):
    list_display = [
        "at", "actor", "user", "action", "object_type", "object_pk", "remote_id", "outcome", "before", "after", "reverts",
        "remote_request_id",
    ]
    list_filter = ["action", "outcome", "actor", "dry_run", "campaign", "at"]
    search_fields = ["remote_id", "remote_request_id", "reason", "error"]
    date_hierarchy = "at"
    list_select_related = ["user", "reverts"]
    actions = ["revert_selected"]

    # The log is evidence: nobody edits or deletes it from admin. Reverting adds an entry.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revert_permission(self, request):
        return request.user.has_perm("scheduler.revert_actionlog")

    @admin.action(description=gettext_lazy("Revert the selected changes"), permissions=["revert"])
    def revert_selected(self, request, queryset):
        actor = Actor.of(request.user)
        # Newest first: two changes of one object unwind in the order that makes each the
        # object's current value when its turn comes.
        for entry in queryset.order_by("-at", "-pk"):
            try:
                done = action_revert(entry=entry, actor=actor)
            except RevertError as exc:
                self.message_user(request, _("#%(pk)s not reverted: %(why)s") % {"pk": entry.pk, "why": exc}, messages.ERROR)
            else:
                self.message_user(
                    request, _("#%(pk)s reverted (%(before)s → %(after)s), logged as #%(new)s.")
                    % {"pk": entry.pk, "before": entry.after, "after": done.after, "new": done.pk}, messages.SUCCESS,
                )
