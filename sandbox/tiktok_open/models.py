"""State of the TikTok v2 stand-in: creators (users), codes, tokens, publishes, calls (for the
per-user rate limits). The models live in the `sandbox` app (app_label) so the migration sits in
sandbox/migrations; sandbox/models.py re-exports them so they load with the app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SbOpenUser(models.Model):
    """A TikTok creator who can grant our app access; `account_key` is the organic simulator's key."""

    open_id = models.CharField(_("open id"), max_length=64, unique=True)
    username = models.CharField(_("username"), max_length=100, unique=True)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    is_private = models.BooleanField(_("private account"), default=False)
    max_video_post_duration_sec = models.PositiveIntegerField(_("max video duration (s)"), default=600)
    account_key = models.CharField(_("organic account key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        app_label = "sandbox"
        verbose_name = _("sandbox TikTok creator")
        verbose_name_plural = _("sandbox TikTok creators")
        ordering = ["pk"]

    def __str__(self):
        return f"@{self.username}"


class SbOpenCode(models.Model):
    code = models.CharField(_("code"), max_length=80, unique=True)
    user = models.ForeignKey(SbOpenUser, verbose_name=_("creator"), on_delete=models.CASCADE, related_name="+")
    client_key = models.CharField(_("client key"), max_length=64)
    redirect_uri = models.CharField(_("redirect URI"), max_length=512)
    scope = models.CharField(_("scope"), max_length=300)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        app_label = "sandbox"
        verbose_name = _("sandbox TikTok auth code")
        verbose_name_plural = _("sandbox TikTok auth codes")

    def __str__(self):
        return self.code[:12]


class SbOpenToken(models.Model):
    """One grant's access + refresh token pair. A refresh burns `refresh_token` (refreshed_at set)
    and creates the next pair: the refresh token rotates."""

    user = models.ForeignKey(SbOpenUser, verbose_name=_("creator"), on_delete=models.CASCADE, related_name="tokens")
    client_key = models.CharField(_("client key"), max_length=64)
    access_token = models.CharField(_("access token"), max_length=100, unique=True)
    refresh_token = models.CharField(_("refresh token"), max_length=100, unique=True)
    scope = models.CharField(_("scope"), max_length=300)
    expires_at = models.DateTimeField(_("access token expires at"))
    refresh_expires_at = models.DateTimeField(_("refresh token expires at"))
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True, help_text=_("set: the refresh token is spent"))
    revoked = models.BooleanField(_("revoked"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        app_label = "sandbox"
        verbose_name = _("sandbox TikTok user token")
        verbose_name_plural = _("sandbox TikTok user tokens")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.access_token[:10]}… ({self.user})"

    def scopes(self) -> set[str]:
        return {s for s in self.scope.split(",") if s}


class SbOpenPublish(models.Model):
    class Status(models.TextChoices):
        PROCESSING_UPLOAD = "PROCESSING_UPLOAD", _("processing upload")
        PUBLISH_COMPLETE = "PUBLISH_COMPLETE", _("publish complete")
        FAILED = "FAILED", _("failed")

    publish_id = models.CharField(_("publish id"), max_length=64, unique=True)
    user = models.ForeignKey(SbOpenUser, verbose_name=_("creator"), on_delete=models.CASCADE, related_name="publishes")
    title = models.CharField(_("title"), max_length=2200, blank=True)
    privacy_level = models.CharField(_("privacy level"), max_length=32)
    post_info = models.JSONField(_("post info"), default=dict, blank=True)
    video_size = models.PositiveBigIntegerField(_("video size"))
    chunk_size = models.PositiveBigIntegerField(_("chunk size"))
    total_chunk_count = models.PositiveIntegerField(_("total chunks"))
    upload_token = models.CharField(_("upload token"), max_length=64, unique=True)
    chunks_received = models.PositiveIntegerField(_("chunks received"), default=0)
    bytes_received = models.PositiveBigIntegerField(_("bytes received"), default=0)
    video = models.FileField(_("video"), upload_to="sandbox/tiktok_open/", max_length=255, blank=True)
    duration_s = models.FloatField(_("duration (s)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROCESSING_UPLOAD)
    fail_reason = models.CharField(_("fail reason"), max_length=100, blank=True)
    post_id = models.CharField(_("post id"), max_length=32, blank=True)
    completed_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        app_label = "sandbox"
        verbose_name = _("sandbox TikTok publish")
        verbose_name_plural = _("sandbox TikTok publishes")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.publish_id} ({self.status})"


class SbOpenCall(models.Model):
    """One rate-limited call (creator_info, video_init, status_fetch) of a creator, for the 1-minute window."""

    user = models.ForeignKey(SbOpenUser, verbose_name=_("creator"), on_delete=models.CASCADE, related_name="+")
    endpoint = models.CharField(_("endpoint"), max_length=20)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        app_label = "sandbox"
        verbose_name = _("sandbox TikTok rate-limited call")
        verbose_name_plural = _("sandbox TikTok rate-limited calls")
        indexes = [models.Index(fields=["user", "endpoint", "at"], name="sb_open_call_window")]

    def __str__(self):
        return f"{self.endpoint} at {self.at}"
