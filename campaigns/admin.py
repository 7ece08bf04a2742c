from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import creatives.admin  # noqa: F401 — registers VideoJob first, so its admin can take our action
from adloop import clock
from analytics.services.organic import account_stats_ingest
from creatives.models import VideoJob
from integrations.publishing import PublishingError
from scheduler.services import Actor, action_log_record
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
from .services.accounts import chuhaijiang_accounts_sync
from .services.publishing import publication_retry, publications_enqueue, publications_schedule


def _set_status(modeladmin, request, queryset, status):
    if status == OperationStatus.DISABLE:
        reason = _("paused in admin by %(user)s") % {"user": request.user}
    else:
        reason = _("resumed in admin by %(user)s") % {"user": request.user}
    try:
        changed = objects_status_set(objs=list(queryset), status=status, actor=Actor.of(request.user), reason=reason)
    except CampaignError as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return
    if status == OperationStatus.DISABLE:
        text = _("%(count)d object(s) paused on TikTok.")
    else:
        text = _("%(count)d object(s) resumed on TikTok.")
    modeladmin.message_user(request, text % {"count": len(changed)})


@admin.action(description=gettext_lazy("Pause on TikTok"))
def pause(modeladmin, request, queryset):
    _set_status(modeladmin, request, queryset, OperationStatus.DISABLE)


@admin.action(description=gettext_lazy("Resume on TikTok"))
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


@admin.action(description=gettext_lazy("Move to launch stage"))
def move_to_launch(modeladmin, request, queryset):
    _move_to_stage(modeladmin, request, queryset, Stage.LAUNCH)


@admin.action(description=gettext_lazy("Move to heat stage"))
def move_to_heat(modeladmin, request, queryset):
    _move_to_stage(modeladmin, request, queryset, Stage.HEAT)


@admin.action(description=gettext_lazy("Move to hit stage"))
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

    @admin.display(boolean=True, description=gettext_lazy("token"))
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
    change_list_template = "admin/campaigns/publishingaccount/change_list.html"
    list_display = ["name", "handle", "provider", "status", "daily_post_cap", "last_error", "token_expires_at", "created_at"]
    list_filter = ["provider", "status"]
    list_editable = ["daily_post_cap"]
    search_fields = ["name", "handle", "remote_account_id"]
    # Tokens are never shown or edited here: they arrive through the OAuth flow or the sync only.
    exclude = ["access_token", "refresh_token"]
    readonly_fields = [
        "provider", "remote_account_id", "status", "last_error", "scope", "token_expires_at", "refresh_expires_at", "created_at",
    ]
    actions = ["pull_stats_now", "reactivate"]

    def has_add_permission(self, request):
        return False  # accounts come from the 出海匠 sync or the TikTok connect flow

    def get_urls(self):
        extra = [
            path("sync-chuhaijiang/", self.admin_site.admin_view(self.sync_chuhaijiang_view), name="campaigns_publishingaccount_sync"),
        ]
        return extra + super().get_urls()

    def sync_chuhaijiang_view(self, request):
        changelist = reverse("admin:campaigns_publishingaccount_changelist")
        if request.method != "POST":
            return HttpResponseRedirect(changelist)
        try:
            accounts = chuhaijiang_accounts_sync(actor=Actor.of(request.user))
        except PublishingError as exc:
            self.message_user(request, _("Syncing 出海匠 accounts failed: %(error)s") % {"error": exc}, messages.ERROR)
        else:
            self.message_user(request, _("%(count)d 出海匠 account(s) synced.") % {"count": len(accounts)}, messages.SUCCESS)
        return HttpResponseRedirect(changelist)

    @admin.action(description=gettext_lazy("Pull stats now"))
    def pull_stats_now(self, request, queryset):
        for account in queryset.filter(status=PublishingAccount.Status.ACTIVE):
            try:
                result = account_stats_ingest(account=account)
            except PublishingError as exc:
                self.message_user(request, _("%(account)s: %(error)s") % {"account": account, "error": exc}, messages.ERROR)
                continue
            self.message_user(request, _("%(account)s: %(days)d day(s) of stats.") % {"account": account, "days": result.days})
        if queryset.exclude(status=PublishingAccount.Status.ACTIVE).exists():
            self.message_user(request, _("Accounts that are not active were skipped."), messages.WARNING)

    @admin.action(description=gettext_lazy("Mark active again (after fixing the account)"))
    def reactivate(self, request, queryset):
        count = 0
        for account in queryset.exclude(status=PublishingAccount.Status.ACTIVE):
            before = {"status": account.status, "last_error": account.last_error}
            account.status, account.last_error = PublishingAccount.Status.ACTIVE, ""
            account.save(update_fields=["status", "last_error"])
            action_log_record(actor=Actor.of(request.user), action="publishing_account_reactivate", obj=account, before=before,
                              after={"status": account.status}, reason=_("reactivated in admin by %(user)s") % {"user": request.user})
            count += 1
        self.message_user(request, _("%(count)d account(s) marked active.") % {"count": count})


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["job", "account", "provider", "scheduled_at", "status", "remote_id", "attempts", "error_short", "published_at"]
    list_filter = ["status", "account__provider", "account", ("scheduled_at", admin.DateFieldListFilter)]
    list_select_related = ["job__product", "account"]
    search_fields = ["remote_id", "title", "job__job_id", "idempotency_key"]
    date_hierarchy = "scheduled_at"
    readonly_fields = [
        "job", "account", "title", "hashtags", "scheduled_at", "status", "remote_id", "idempotency_key", "attempts", "error",
        "claimed_at", "published_at", "created_at",
    ]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False  # publications come from the video jobs' "Publish to accounts…" action

    @admin.display(description=gettext_lazy("provider"), ordering="account__provider")
    def provider(self, obj):
        return obj.account.get_provider_display()

    @admin.display(description=gettext_lazy("error"))
    def error_short(self, obj):
        return obj.error[:80]

    @admin.action(description=gettext_lazy("Retry"))
    def retry(self, request, queryset):
        """Failed rows go back to scheduled with the same idempotency key; rows the provider
        already has are only refreshed (never posted twice)."""
        queued = []
        for publication in queryset.filter(status=Publication.Status.FAILED):
            publication = publication_retry(publication=publication, actor=Actor.of(request.user))
            if publication.status == Publication.Status.SCHEDULED:
                queued.append(publication)
        publications_enqueue(queued)
        skipped = queryset.exclude(status=Publication.Status.FAILED).count()
        self.message_user(request, _("%(count)d failed publication(s) scheduled again.") % {"count": len(queued)})
        if skipped:
            self.message_user(request, _("%(count)d publication(s) were not failed and were left alone.") % {"count": skipped},
                              messages.WARNING)


# --- "Publish to accounts…" on video jobs (track A) ---------------------------------------


class PublishForm(forms.Form):
    accounts = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Accounts"), queryset=PublishingAccount.objects.filter(status=PublishingAccount.Status.ACTIVE).order_by("provider", "name"),
        widget=forms.CheckboxSelectMultiple,
    )
    rotation = forms.IntegerField(
        label=gettext_lazy("Rotation"), min_value=1, required=False,
        help_text=gettext_lazy("Empty: post on every chosen account. N: post on the N chosen accounts used least recently."),
    )
    scheduled_at = forms.DateTimeField(label=gettext_lazy("Scheduled time (UTC)"), required=False, help_text=gettext_lazy("Empty: now"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=2200, required=False, help_text=gettext_lazy("Empty: the script's ad text"))
    hashtags = forms.CharField(label=gettext_lazy("Hashtags"), required=False, help_text=gettext_lazy("Comma-separated, with or without #"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("scheduled_at", clock.now().replace(microsecond=0))


def _job_title(job) -> str:
    script = job.script if isinstance(job.script, dict) else {}
    return str(script.get("ad_text") or getattr(job.product, "title", "") or job.product.name)


@admin.action(description=gettext_lazy("Publish to accounts…"))
def publish_to_accounts(modeladmin, request, queryset):
    jobs = list(queryset.select_related("product"))
    initial = {"title": _job_title(jobs[0])} if len(jobs) == 1 else {}
    form = PublishForm(request.POST if "apply" in request.POST else None, initial=initial)
    if "apply" in request.POST and form.is_valid():
        data = form.cleaned_data
        hashtags = [tag.strip() for tag in data["hashtags"].split(",") if tag.strip()]
        actor = Actor.of(request.user)
        for job in jobs:
            try:
                scheduled = publications_schedule(
                    job=job, accounts=list(data["accounts"]), title=data["title"] or _job_title(job), hashtags=hashtags,
                    scheduled_at=data["scheduled_at"], rotation=data["rotation"], actor=actor,
                )
            except CampaignError as exc:
                modeladmin.message_user(request, _("%(job)s: %(error)s") % {"job": job, "error": exc}, messages.ERROR)
                continue
            publications_enqueue(scheduled)
            names = ", ".join(str(p.account) for p in scheduled)
            modeladmin.message_user(request, _("%(job)s: scheduled on %(accounts)s.") % {"job": job, "accounts": names}, messages.SUCCESS)
            for note in scheduled.skipped:
                modeladmin.message_user(request, _("%(job)s: %(note)s") % {"job": job, "note": note}, messages.WARNING)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Publish to accounts"),
        "opts": modeladmin.model._meta,
        "form": form,
        "queryset": queryset,
        "action": "publish_to_accounts",
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/creatives/intermediate_form.html", context)


def _video_job_action_register() -> None:
    """Add the action to the video jobs' admin (registered by creatives) without editing it."""
    model_admin = admin.site._registry.get(VideoJob)
    if model_admin is not None and publish_to_accounts not in model_admin.actions:
        model_admin.actions = [*model_admin.actions, publish_to_accounts]


_video_job_action_register()
