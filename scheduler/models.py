from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class StrategySettings(models.Model):
    """Thresholds managers edit in admin.

    The row without a campaign holds the global defaults; a row with a campaign overrides
    only the fields it sets (empty = inherit the global value). Validation lives in
    scheduler.services_settings.strategy_validate so admin, API and commands refuse the same
    nonsense; `clean()` calls it, so the admin form shows each message next to its field.
    """

    class Mode(models.TextChoices):
        MANUAL = "manual", _("manual approval")
        AUTO = "auto", _("automatic launch")

    campaign = models.OneToOneField(
        "campaigns.Campaign", verbose_name=_("campaign"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="strategy", help_text=_("Empty: the global defaults"),
    )
    target_roas = models.DecimalField(_("target ROAS"), max_digits=6, decimal_places=2, null=True, blank=True, default=Decimal("2.00"))
    # PRD §15.2 budget rule: ROAS ≥ target × scale_up_at → budget × scale_up_factor, …
    scale_up_at = models.DecimalField(_("scale up at (× target)"), max_digits=5, decimal_places=2, null=True, blank=True, default=Decimal("1.50"))
    scale_up_factor = models.DecimalField(_("scale up factor"), max_digits=5, decimal_places=2, null=True, blank=True, default=Decimal("1.30"))
    keep_at = models.DecimalField(_("keep at (× target)"), max_digits=5, decimal_places=2, null=True, blank=True, default=Decimal("1.00"))
    scale_down_at = models.DecimalField(_("scale down at (× target)"), max_digits=5, decimal_places=2, null=True, blank=True, default=Decimal("0.70"))
    scale_down_factor = models.DecimalField(_("scale down factor"), max_digits=5, decimal_places=2, null=True, blank=True, default=Decimal("0.80"))
    roas_window_days = models.PositiveSmallIntegerField(_("ROAS window (days)"), null=True, blank=True, default=3)
    min_spend = models.DecimalField(_("minimum spend before judging"), max_digits=12, decimal_places=2, null=True, blank=True, default=Decimal("20.00"))
    # Evidence weight: ROAS is judged as (value + k × target) ÷ (spend + k), so a small sample
    # stays near the target until its spend outweighs k; 0 judges the raw ROAS.
    roas_prior_spend = models.DecimalField(
        _("evidence weight (prior spend at target)"), max_digits=12, decimal_places=2, null=True, blank=True, default=Decimal("100.00"),
        help_text=_("ROAS is judged as (value + k × target) ÷ (spend + k): small samples stay near the target. 0 = raw ROAS"),
    )
    # TikTok attributes a conversion to the day of the click, and reports it days later: the
    # latest days' ROAS is low until their conversions have arrived.
    roas_settle_days = models.PositiveSmallIntegerField(
        _("ROAS settle days"), null=True, blank=True, default=2,
        help_text=_("ROAS is judged on days at least this old: conversions keep arriving for days after the click. 0 = from yesterday"),
    )
    # TikTok's learning phase: a new ad group's delivery is still exploring, dearer and noisier,
    # so its first days say little about the creative.
    learning_days = models.PositiveSmallIntegerField(
        _("learning days (not judged)"), null=True, blank=True, default=3,
        help_text=_("An ad group's first N days of delivery are TikTok's learning phase: the budget rule and the ROAS alert judge it "
                    "only after them. 0 = from its first day"),
    )
    min_conversions = models.PositiveIntegerField(_("minimum conversions before judging"), null=True, blank=True, default=0)
    heat_min_impressions = models.PositiveBigIntegerField(_("launch → heat: cumulative impressions"), null=True, blank=True, default=50000)
    heat_ctr_days = models.PositiveSmallIntegerField(_("launch → heat: CTR stability days"), null=True, blank=True, default=3)
    heat_ctr_max_cv = models.DecimalField(_("launch → heat: max CTR coefficient of variation"), max_digits=5, decimal_places=3, null=True, blank=True, default=Decimal("0.250"))
    hit_roas_days = models.PositiveSmallIntegerField(_("heat → hit: days of ROAS ≥ target"), null=True, blank=True, default=3)
    hit_bid_raise_pct = models.DecimalField(_("hit: bid raise %"), max_digits=5, decimal_places=2, null=True, blank=True, default=Decimal("10.00"))
    # A ROAS bid delivers any creative at about the target, one that cannot reach it at volume
    # only in a trickle: into hit (lowest cost) go those that spent their budget at the target.
    hit_min_delivery = models.DecimalField(
        _("heat → hit: minimum delivery share"), max_digits=4, decimal_places=2, null=True, blank=True, default=Decimal("0.80"),
        help_text=_("A creative is carried into hit only if, over the days the switch judged, it spent at least this share of its daily "
                    "budget at ROAS ≥ target. None does: the product stays in heat. 0 = ROAS alone (else the best creative)"),
    )
    # PRD §12.2: the hit stage is "lowest cost + a high budget cap" — it starts high, not at the
    # budget the heat stage's ROAS bid left.
    hit_start_budget = models.DecimalField(
        _("heat → hit: starting daily budget per creative"), max_digits=12, decimal_places=2, null=True, blank=True,
        default=Decimal("200.00"),
        help_text=_("Each creative carried into the hit stage starts at this daily budget (at least its heat budget), as far as the "
                    "account's daily cap leaves room. 0 = keep its heat budget"),
    )
    hit_cap_raise_step = models.DecimalField(_("hit: cap raise step"), max_digits=12, decimal_places=2, null=True, blank=True, default=Decimal("100.00"))
    adgroup_budget_cap = models.DecimalField(_("ad group budget cap"), max_digits=12, decimal_places=2, null=True, blank=True, default=Decimal("500.00"))
    account_daily_cap = models.DecimalField(_("account daily cap"), max_digits=12, decimal_places=2, null=True, blank=True, default=Decimal("2000.00"))
    max_raise_per_day = models.DecimalField(_("largest raise per day"), max_digits=12, decimal_places=2, null=True, blank=True, default=Decimal("200.00"))
    optimization_mode = models.CharField(_("optimization mode"), max_length=8, choices=Mode.choices, null=True, blank=True, default=Mode.MANUAL)
    dry_run = models.BooleanField(_("dry run"), null=True, blank=True, default=False)
    kill_switch = models.BooleanField(
        _("kill switch"), null=True, blank=True, default=False, help_text=_("On: automation changes nothing at all")
    )
    # PRD §13.3 alarm: an ad whose ROAS over the window is below this floor, with the minimum
    # evidence above, is paused at once (analytics.services.alerts), whatever the budget rule says.
    alert_roas_floor = models.DecimalField(
        _("alert: pause below ROAS"), max_digits=6, decimal_places=2, null=True, blank=True, default=Decimal("1.00")
    )
    alert_enabled = models.BooleanField(
        _("alerts on"), null=True, blank=True, default=True, help_text=_("Off: no alerts and no alert pauses")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("strategy settings")
        verbose_name_plural = _("strategy settings")
        constraints = [
            # At most one global row: NULL campaign ids would not collide in a plain unique index.
            models.UniqueConstraint(Coalesce("campaign", Value(0)), name="one_strategy_per_scope"),
        ]

    def __str__(self):
        return f"{self.campaign}" if self.campaign_id else str(_("global defaults"))

    def clean(self):
        from .services_settings import strategy_validate

        strategy_validate(self)


# ActionLog.action holds a code any app may write (no choices: a new action needs no
# migration); these are the names people read. An unknown code is shown as it is.
ACTION_LABELS = {
    "pause": _("pause"),
    "resume": _("resume"),
    "budget_change": _("budget change"),
    "bid_change": _("bid change"),
    "cap_raise": _("budget cap raise"),
    "bid_raise": _("bid raise"),
    "stage_change": _("stage change"),
    "campaign_create": _("campaign created"),
    "adgroup_create": _("ad group created"),
    "ad_create": _("ad created"),
    "advertiser_connect": _("advertiser connected"),
    "token_refresh": _("token refresh"),
    "account_stats": _("account stats pull"),
    "publish": _("publish"),
    "publish_status": _("publish status check"),
    "publication_schedule": _("publication scheduled"),
    "publication_retry": _("publication retried"),
    "publishing_account_connect": _("publishing account connected"),
    "publishing_account_sync": _("publishing account sync"),
    "publishing_account_reactivate": _("publishing account reactivated"),
    "optimization_trigger": _("winner cloned"),
    "variant_launch": _("variant launch"),
    "variant_approve": _("variant approved"),
    "variant_reject": _("variant rejected"),
}


class ActionLog(models.Model):
    """Every automated or manual decision that moved money or changed what runs."""

    class Actor(models.TextChoices):
        AUTO = "auto", _("automation")
        USER = "user", _("user")

    class Outcome(models.TextChoices):
        DONE = "done", _("done")
        WOULD_DO = "would_do", _("would do (dry run)")
        FAILED = "failed", _("failed")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.CharField(_("actor"), max_length=8, choices=Actor.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    object_type = models.CharField(_("object type"), max_length=20)
    object_pk = models.BigIntegerField(_("object pk"), null=True, blank=True)
    remote_id = models.CharField(_("remote id"), max_length=64, blank=True)
    advertiser = models.ForeignKey(
        "campaigns.AdvertiserAccount", verbose_name=_("advertiser"), null=True, blank=True, on_delete=models.SET_NULL
    )
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("campaign"), null=True, blank=True, on_delete=models.SET_NULL)
    trigger = models.JSONField(_("trigger"), default=dict, blank=True, help_text=_("The metric values that caused it"))
    reason = models.TextField(_("reason"), blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.DONE, db_index=True)
    error = models.TextField(_("error"), blank=True)
    remote_request_id = models.CharField(_("TikTok request id"), max_length=64, blank=True)
    reverts = models.ForeignKey("self", verbose_name=_("reverts"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reverted_by")

    class Meta:
        verbose_name = _("action log entry")
        verbose_name_plural = _("action log")
        ordering = ["-at", "-pk"]
        # Reverting moves money again (scheduler.services_revert): its own permission, apart from
        # viewing the log, which nobody may change.
        permissions = [("revert_actionlog", _("Can revert logged changes"))]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_pk}"

    def get_action_display(self):
        return ACTION_LABELS.get(self.action, self.action)

    def get_object_type_display(self):
        """The logged model's verbose name (`object_type` is its model_name)."""
        for model in apps.get_models():
            if model._meta.model_name == self.object_type:
                return model._meta.verbose_name
        return self.object_type


class DailyChange(models.Model):
    """The database's guard for "at most one budget change per object per day": the claim
    row is inserted before TikTok is called, and a second claim for the same day fails."""

    object_type = models.CharField(_("object type"), max_length=20)
    object_pk = models.BigIntegerField(_("object pk"))
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=20, default="budget")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("daily change guard")
        verbose_name_plural = _("daily change guards")
        constraints = [models.UniqueConstraint(fields=["object_type", "object_pk", "day", "kind"], name="one_change_per_object_per_day")]

    def __str__(self):
        return f"{self.kind} {self.object_type}#{self.object_pk} {self.day}"


class SchedulerLock(models.Model):
    """A per-advertiser automation lock when there is no Redis (scheduler.locks): the row
    exists while a run holds the key; `token` says which run, `expires_at` when a crashed
    holder's lock may be taken over."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    token = models.CharField(_("token"), max_length=64)
    expires_at = models.DateTimeField(_("expires at"))
    acquired_at = models.DateTimeField(_("acquired at"), auto_now_add=True)

    class Meta:
        verbose_name = _("scheduler lock")
        verbose_name_plural = _("scheduler locks")

    def __str__(self):
        return self.key
