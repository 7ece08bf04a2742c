from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ACTION_LABELS, ActionLog, StrategySettings
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


class ActionFilter(admin.SimpleListFilter):
    """The actions the log holds, by their names (ActionLog.action has no choices)."""

    title = gettext_lazy("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        codes = ActionLog.objects.order_by("action").values_list("action", flat=True).distinct()
        return [(code, ACTION_LABELS.get(code, code)) for code in codes]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(ActionLog)
class ActionLogAdmin(admin.ModelAdmin):
    list_display = [
        "at", "actor", "user", "action_shown", "object_shown", "object_pk", "remote_id", "outcome", "before", "after", "reverts",
        "remote_request_id",
    ]
    list_filter = [ActionFilter, "outcome", "actor", "dry_run", "campaign", "at"]
    fields = [
        "at", "actor", "user", "action_shown", "object_shown", "object_pk", "remote_id", "advertiser", "campaign", "trigger", "reason",
        "before", "after", "dry_run", "outcome", "error", "remote_request_id", "reverts",
    ]
    readonly_fields = ["action_shown", "object_shown"]
    search_fields = ["remote_id", "remote_request_id", "reason", "error"]
    date_hierarchy = "at"
    list_select_related = ["user", "reverts"]
    actions = ["revert_selected"]

    @admin.display(description=gettext_lazy("action"), ordering="action")
    def action_shown(self, obj):
        return obj.get_action_display()

    @admin.display(description=gettext_lazy("object type"), ordering="object_type")
    def object_shown(self, obj):
        return obj.get_object_type_display()

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
