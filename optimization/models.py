from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.stages import MIN_ADGROUP_DAILY_BUDGET
from creatives.models import VideoJob

MIN_VARIANTS, MAX_VARIANTS = 3, 5  # PRD 14.3: 3–5 variants per winner


class OptimizationSettings(models.Model):
    """The loop's own knobs (one row, edited in admin). Target ROAS, minimum evidence, manual or
    automatic mode, kill switch and dry run are the strategy's (scheduler's StrategySettings)."""

    winner_roas_multiple = models.DecimalField(
        _("winner: ROAS ≥ target ×"), max_digits=5, decimal_places=2, default=Decimal("1.20"),
        validators=[MinValueValidator(Decimal("1.00"))], help_text=_("PRD 14.1: 1.2 × the target ROAS"),
    )
    min_running_days = models.PositiveSmallIntegerField(
        _("winner: days with delivery ≥"), default=3, validators=[MinValueValidator(1)],
        help_text=_("Also the test period of the estimated cost"),
    )
    variants_per_winner = models.PositiveSmallIntegerField(
        _("variants per winner"), default=3, validators=[MinValueValidator(MIN_VARIANTS), MaxValueValidator(MAX_VARIANTS)]
    )
    variant_daily_budget = models.DecimalField(
        _("variant daily budget"), max_digits=12, decimal_places=2, default=Decimal("50.00"),
        validators=[MinValueValidator(MIN_ADGROUP_DAILY_BUDGET)],
        help_text=_("The daily budget of a launched variant's own ad group, in the advertiser's currency"),
    )
    max_winners_per_run = models.PositiveSmallIntegerField(
        _("winners cloned per advertiser per run"), default=5, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("The best ones first: caps the videos rendered and the money committed per run"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("optimization settings")
        verbose_name_plural = _("optimization settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="optimization_settings_singleton"),
            models.CheckConstraint(
                condition=models.Q(variants_per_winner__gte=MIN_VARIANTS, variants_per_winner__lte=MAX_VARIANTS),
                name="optimization_variants_3_to_5",
            ),
            models.CheckConstraint(condition=models.Q(winner_roas_multiple__gte=1), name="optimization_multiple_at_least_1"),
            models.CheckConstraint(condition=models.Q(min_running_days__gte=1), name="optimization_days_at_least_1"),
        ]

    def __str__(self):
        return str(_("optimization settings"))


class ScriptBreakdown(models.Model):
    """The structure of a winning script (PRD 14.2), and the template its variants follow."""

    HookType = VideoJob.HookType

    source_job = models.ForeignKey("creatives.VideoJob", verbose_name=_("source creative"), on_delete=models.CASCADE, related_name="breakdowns")
    source_ad = models.ForeignKey("campaigns.Ad", verbose_name=_("source ad"), null=True, blank=True, on_delete=models.SET_NULL, related_name="breakdowns")
    hook_type = models.CharField(_("hook type"), max_length=12, choices=HookType.choices)
    hook_reason = models.TextField(_("why this hook type"), blank=True)
    selling_point_order = models.JSONField(_("selling point order"), default=list, blank=True)
    selling_point_logic = models.TextField(_("selling point logic"), blank=True)
    cta_type = models.CharField(_("CTA type"), max_length=16, blank=True)
    cta_style = models.CharField(_("CTA style"), max_length=200, blank=True)
    pacing = models.JSONField(_("pacing (scene durations)"), default=list, blank=True)
    pacing_style = models.CharField(_("pacing style"), max_length=300, blank=True)
    template = models.JSONField(_("script template"), default=dict, blank=True)
    provider = models.CharField(_("provider"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("script breakdown")
        verbose_name_plural = _("script breakdowns")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_hook_type_display()} · {self.source_job}"


class OptimizationQueue(models.Model):
    class Status(models.TextChoices):
        GENERATING = "generating", _("generating")
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved")
        LAUNCHING = "launching", _("launching")
        LAUNCHED = "launched", _("launched")
        REJECTED = "rejected", _("rejected")
        FAILED = "failed", _("failed")

    class Mode(models.TextChoices):
        MANUAL = "manual", _("manual approval")
        AUTO = "auto", _("automatic")

    source_ad = models.ForeignKey("campaigns.Ad", verbose_name=_("source ad"), on_delete=models.PROTECT, related_name="optimizations")
    breakdown = models.ForeignKey(ScriptBreakdown, verbose_name=_("breakdown"), null=True, blank=True, on_delete=models.SET_NULL)
    job = models.ForeignKey("creatives.VideoJob", verbose_name=_("variant"), null=True, blank=True, on_delete=models.SET_NULL, related_name="queue_items")
    new_batch_id = models.CharField(_("batch id"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.GENERATING, db_index=True)
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, default=Mode.MANUAL)
    estimated_cost = models.DecimalField(_("estimated cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    launched_ad = models.ForeignKey("campaigns.Ad", verbose_name=_("launched ad"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.TextField(_("error"), blank=True)
    note = models.TextField(_("note"), blank=True, help_text=_("Why a launch is held (kill switch, dry run)"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("optimization queue item")
        verbose_name_plural = _("optimization queue")
        ordering = ["-created_at"]

    def __str__(self):
        return f"#{self.pk} {self.get_status_display()}"

    @property
    def advertiser(self):
        """The source ad's advertiser: where the variant launches (and what ActionLog files it under)."""
        return self.source_ad.adgroup.campaign.advertiser
