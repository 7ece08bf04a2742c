import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Product(models.Model):
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    selling_points = models.JSONField(_("selling points"), default=list, blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    landing_url = models.URLField(_("landing page URL"), max_length=1000, blank=True)
    target_market = models.CharField(_("target market"), max_length=8, default="US", help_text=_("ISO country code"))
    language = models.CharField(_("language"), max_length=10, default="en", help_text=_("zh or en: the scripts' language"))
    analysis = models.JSONField(_("AI analysis"), default=dict, blank=True, help_text=_("Selling points, audience, angle"))
    analysis_provider = models.CharField(_("analysed by"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class ProductImage(models.Model):
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="images")
    image = models.FileField(_("image"), upload_to="products/")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.image.name


class VideoJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    class Backend(models.TextChoices):
        FFMPEG = "ffmpeg", "ffmpeg"
        SEEDANCE = "seedance", "Seedance"
        UPLOAD = "upload", _("uploaded file")

    class HookType(models.TextChoices):
        """PRD 14.2's four hook types (creatives.script.HookType holds the same values)."""

        PAIN_POINT = "pain_point", _("pain point (痛点型)")
        NUMBER = "number", _("number (数字型)")
        SUSPENSE = "suspense", _("suspense (悬念型)")
        CONTRAST = "contrast", _("contrast (对比型)")

    job_id = models.UUIDField(_("job id"), default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="jobs")
    batch_id = models.CharField(_("batch id"), max_length=64, blank=True, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="variants"
    )
    script = models.JSONField(_("script"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    video = models.FileField(_("video"), upload_to="videos/", blank=True)
    cover = models.FileField(_("cover"), upload_to="covers/", blank=True)
    duration_s = models.FloatField(_("duration (s)"), null=True, blank=True)
    backend = models.CharField(_("backend"), max_length=10, choices=Backend.choices, default=Backend.FFMPEG)
    language = models.CharField(_("language"), max_length=10, blank=True)
    hook_type = models.CharField(_("hook type"), max_length=12, choices=HookType.choices, blank=True)
    variation_seed = models.PositiveIntegerField(_("variation seed"), default=0)
    size = models.CharField(_("size"), max_length=10, default="720x1280")
    has_voiceover = models.BooleanField(_("voice-over"), default=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("video job")
        verbose_name_plural = _("video jobs")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.product} · {str(self.job_id)[:8]}"
