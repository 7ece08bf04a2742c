from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PerformanceDaily(models.Model):
    """One ad's metrics for one day in the advertiser's timezone, upserted on (ad, date)."""

    ad = models.ForeignKey("campaigns.Ad", verbose_name=_("ad"), on_delete=models.CASCADE, related_name="daily")
    date = models.DateField(_("date"), db_index=True)
    impressions = models.PositiveBigIntegerField(_("impressions"), default=0)
    clicks = models.PositiveBigIntegerField(_("clicks"), default=0)
    spend = models.DecimalField(_("spend"), max_digits=14, decimal_places=2, default=0)
    conversions = models.PositiveIntegerField(_("conversions"), default=0)
    conversion_value = models.DecimalField(_("conversion value"), max_digits=14, decimal_places=2, default=0)
    video_views = models.PositiveBigIntegerField(_("video views"), default=0)
    roas = models.FloatField(_("ROAS"), null=True, blank=True)
    ctr = models.FloatField(_("CTR"), null=True, blank=True)
    cvr = models.FloatField(_("CVR"), null=True, blank=True)
    fetched_at = models.DateTimeField(_("fetched at"), auto_now=True)

    class Meta:
        verbose_name = _("daily performance")
        verbose_name_plural = _("daily performance")
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["ad", "date"], name="uniq_performance_ad_date")]

    def __str__(self):
        return f"{self.ad} {self.date}"


class AccountDaily(models.Model):
    """Organic stats of one publishing account for one day (track A)."""

    account = models.ForeignKey("campaigns.PublishingAccount", verbose_name=_("account"), on_delete=models.CASCADE, related_name="daily")
    date = models.DateField(_("date"), db_index=True)
    video_views = models.PositiveBigIntegerField(_("video views"), default=0)
    likes = models.PositiveBigIntegerField(_("likes"), default=0)
    shares = models.PositiveBigIntegerField(_("shares"), default=0)
    comments = models.PositiveBigIntegerField(_("comments"), default=0)
    followers_gained = models.BigIntegerField(_("followers gained"), default=0)
    fetched_at = models.DateTimeField(_("fetched at"), auto_now=True)

    class Meta:
        verbose_name = _("account daily stats")
        verbose_name_plural = _("account daily stats")
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["account", "date"], name="uniq_account_daily")]

    def __str__(self):
        return f"{self.account} {self.date}"


class Alert(models.Model):
    class Kind(models.TextChoices):
        LOW_ROAS = "low_roas", _("ROAS below threshold")
        SPEND_CAP = "spend_cap", _("daily spend over cap")
        PUBLISH_FAILED = "publish_failed", _("publication failed")
        API_ERROR = "api_error", _("API error")
        TOKEN = "token", _("authorization problem")
        NOTHING_RUNNING = "nothing_running", _("nothing running")

    class Severity(models.TextChoices):
        INFO = "info", _("info")
        WARNING = "warning", _("warning")
        CRITICAL = "critical", _("critical")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING)
    message = models.TextField(_("message"))
    advertiser = models.ForeignKey(
        "campaigns.AdvertiserAccount", verbose_name=_("advertiser"), null=True, blank=True, on_delete=models.SET_NULL
    )
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("campaign"), null=True, blank=True, on_delete=models.SET_NULL)
    ad = models.ForeignKey("campaigns.Ad", verbose_name=_("ad"), null=True, blank=True, on_delete=models.SET_NULL)
    publication = models.ForeignKey(
        "campaigns.Publication", verbose_name=_("publication"), null=True, blank=True, on_delete=models.SET_NULL
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    notified = models.BooleanField(_("notified"), default=False)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]
        constraints = [
            # One alert per condition (e.g. "low_roas:<ad>:<day>"), even when two runs race.
            models.UniqueConstraint(fields=["dedupe_key"], condition=~models.Q(dedupe_key=""), name="uniq_alert_dedupe_key"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.message[:60]}"
