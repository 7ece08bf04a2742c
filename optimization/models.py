from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScriptBreakdown(models.Model):
    """The structure of a winning script (PRD 14.2), and the template its variants follow."""

    class HookType(models.TextChoices):
        PAIN_POINT = "pain_point", _("pain point (痛点型)")
        NUMBER = "number", _("number (数字型)")
        SUSPENSE = "suspense", _("suspense (悬念型)")
        CONTRAST = "contrast", _("contrast (对比型)")

    source_job = models.ForeignKey("creatives.VideoJob", verbose_name=_("source creative"), on_delete=models.CASCADE, related_name="breakdowns")
    source_ad = models.ForeignKey("campaigns.Ad", verbose_name=_("source ad"), null=True, blank=True, on_delete=models.SET_NULL, related_name="breakdowns")
    hook_type = models.CharField(_("hook type"), max_length=12, choices=HookType.choices)
    selling_point_order = models.JSONField(_("selling point order"), default=list, blank=True)
    selling_point_logic = models.TextField(_("selling point logic"), blank=True)
    cta_style = models.CharField(_("CTA style"), max_length=200, blank=True)
    pacing = models.JSONField(_("pacing (scene durations)"), default=list, blank=True)
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
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("optimization queue item")
        verbose_name_plural = _("optimization queue")
        ordering = ["-created_at"]

    def __str__(self):
        return f"#{self.pk} {self.get_status_display()}"
