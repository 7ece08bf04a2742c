"""State of the 出海匠 stand-in (sandbox/chuhaijiang/): API keys with a credit counter, the
social accounts bound to a key, uploaded files and posts.

The models live in the `sandbox` app (app_label) so the migration sits in sandbox/migrations.
They must be imported when the app loads: sandbox/models.py re-exports them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SbChjKey(models.Model):
    """An 出海匠 open-platform API key (`sk_live_…`) and its API-credit balance."""

    key = models.CharField(_("API key"), max_length=100, unique=True)
    name = models.CharField(_("app name"), max_length=100, default="adloop")
    credits = models.IntegerField(_("API credits"), default=1000, help_text=_("0 or less: every call answers 402"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        app_label = "sandbox"
        verbose_name = _("sandbox 出海匠 API key")
        verbose_name_plural = _("sandbox 出海匠 API keys")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.key[:12]}… ({self.credits} credits)"


class SbChjAccount(models.Model):
    """A social account bound to a key on 出海匠; its id is the organic simulator's account key."""

    key = models.ForeignKey(SbChjKey, verbose_name=_("API key"), on_delete=models.CASCADE, related_name="accounts")
    account_id = models.CharField(_("account id"), max_length=64, unique=True)
    platform = models.CharField(_("platform"), max_length=16, default="tiktok")
    username = models.CharField(_("username"), max_length=100)
    nickname = models.CharField(_("nickname"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=16, default="active")

    class Meta:
        app_label = "sandbox"
        verbose_name = _("sandbox 出海匠 social account")
        verbose_name_plural = _("sandbox 出海匠 social accounts")
        ordering = ["pk"]

    def __str__(self):
        return f"@{self.username} ({self.platform})"


class SbChjFile(models.Model):
    key = models.ForeignKey(SbChjKey, verbose_name=_("API key"), on_delete=models.CASCADE, related_name="files")
    file_id = models.CharField(_("file id"), max_length=64, unique=True)
    filename = models.CharField(_("file name"), max_length=255)
    mime_type = models.CharField(_("MIME type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(_("file"), upload_to="sandbox/chuhaijiang/", max_length=255)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        app_label = "sandbox"
        verbose_name = _("sandbox 出海匠 file")
        verbose_name_plural = _("sandbox 出海匠 files")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.file_id} {self.filename}"


class SbChjPost(models.Model):
    key = models.ForeignKey(SbChjKey, verbose_name=_("API key"), on_delete=models.CASCADE, related_name="posts")
    post_id = models.CharField(_("post id"), max_length=64, unique=True)
    account = models.ForeignKey(SbChjAccount, verbose_name=_("account"), on_delete=models.CASCADE, related_name="posts")
    file = models.ForeignKey(SbChjFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="posts")
    content = models.TextField(_("content"), blank=True)
    hashtags = models.JSONField(_("hashtags"), default=list, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=128, blank=True)
    publish_on = models.DateField(_("published on (market date)"))
    scheduled_time = models.DateTimeField(_("scheduled time"), null=True, blank=True)
    platform_post_id = models.CharField(_("TikTok post id"), max_length=32)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        app_label = "sandbox"
        verbose_name = _("sandbox 出海匠 post")
        verbose_name_plural = _("sandbox 出海匠 posts")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "idempotency_key"], condition=~models.Q(idempotency_key=""), name="sb_chj_post_unique_idempotency_key",
            ),
        ]

    def __str__(self):
        return self.post_id
