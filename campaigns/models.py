"""Track B (paid ads) and track A (organic posts) objects.

Every remote object keeps its remote id beside our primary key. A remote id is empty until
the platform confirmed the object; the create call's idempotency key (`request_id`) is
stored *before* the call, so a retry after a timeout re-sends the same key.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from adloop.fields import EncryptedTextField


class Stage(models.TextChoices):
    LAUNCH = "launch", _("launch (打品初期)")
    HEAT = "heat", _("heat (热度提升期)")
    HIT = "hit", _("hit (爆品期)")


class OperationStatus(models.TextChoices):
    """TikTok's operation_status, plus the local states before and after a remote create."""

    PENDING = "PENDING", _("pending creation")
    ENABLE = "ENABLE", _("running")
    DISABLE = "DISABLE", _("paused")
    DELETE = "DELETE", _("deleted")
    FAILED = "FAILED", _("creation failed")


class AdvertiserAccount(models.Model):
    class Status(models.TextChoices):
        CONNECTED = "connected", _("connected")
        REVOKED = "revoked", _("revoked")
        ERROR = "error", _("error")

    advertiser_id = models.CharField(_("advertiser id"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    timezone = models.CharField(_("timezone"), max_length=64, default="UTC")
    access_token = EncryptedTextField(_("access token"), blank=True)
    refresh_token = EncryptedTextField(_("refresh token"), blank=True)
    token_expires_at = models.DateTimeField(
        _("token expires at"), null=True, blank=True, help_text=_("Empty: long-lived Marketing API token")
    )
    scope = models.JSONField(_("scope"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CONNECTED)
    last_error = models.TextField(_("last error"), blank=True)
    identity_id = models.CharField(_("identity id"), max_length=64, blank=True)
    display_name = models.CharField(_("display name"), max_length=40, blank=True)
    pixel_id = models.CharField(_("pixel id"), max_length=64, blank=True)
    location_ids = models.JSONField(_("location ids"), default=list, blank=True)
    daily_spend_cap = models.DecimalField(
        _("account daily cap"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    connected_at = models.DateTimeField(_("connected at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("advertiser account")
        verbose_name_plural = _("advertiser accounts")
        ordering = ["advertiser_id"]

    def __str__(self):
        return f"{self.name or _('advertiser')} ({self.advertiser_id})"


class Campaign(models.Model):
    campaign_id = models.CharField(_("campaign id"), max_length=32, blank=True, db_index=True)
    request_id = models.CharField(_("idempotency key"), max_length=20, unique=True)
    advertiser = models.ForeignKey(AdvertiserAccount, verbose_name=_("advertiser"), on_delete=models.PROTECT, related_name="campaigns")
    product = models.ForeignKey(
        "creatives.Product", verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT, related_name="campaigns"
    )
    name = models.CharField(_("name"), max_length=512)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices, default=Stage.LAUNCH, db_index=True)
    status = models.CharField(_("status"), max_length=8, choices=OperationStatus.choices, default=OperationStatus.PENDING, db_index=True)
    objective = models.CharField(_("objective"), max_length=32)
    budget_mode = models.CharField(_("budget mode"), max_length=40, default="BUDGET_MODE_INFINITE")
    daily_budget = models.DecimalField(_("daily budget"), max_digits=12, decimal_places=2, null=True, blank=True)
    budget_cap = models.DecimalField(_("budget cap"), max_digits=12, decimal_places=2, null=True, blank=True)
    target_roas = models.DecimalField(_("target ROAS"), max_digits=6, decimal_places=2, null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["advertiser", "campaign_id"], condition=~models.Q(campaign_id=""), name="uniq_remote_campaign"
            )
        ]

    def __str__(self):
        return self.name


class AdGroup(models.Model):
    adgroup_id = models.CharField(_("ad group id"), max_length=32, blank=True, db_index=True)
    request_id = models.CharField(_("idempotency key"), max_length=20, unique=True)
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="adgroups")
    job = models.ForeignKey(
        "creatives.VideoJob", verbose_name=_("creative"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="adgroups", help_text=_("The creative this ad group was made for (one creative per ad group)"),
    )
    name = models.CharField(_("name"), max_length=512)
    status = models.CharField(_("status"), max_length=8, choices=OperationStatus.choices, default=OperationStatus.PENDING, db_index=True)
    targeting = models.JSONField(_("targeting"), default=dict, blank=True)
    billing_event = models.CharField(_("billing event"), max_length=8)
    optimization_goal = models.CharField(_("optimization goal"), max_length=32)
    bid_type = models.CharField(_("bid type"), max_length=32)
    bid_price = models.DecimalField(_("bid price"), max_digits=12, decimal_places=2, null=True, blank=True)
    conversion_bid_price = models.DecimalField(_("target CPA"), max_digits=12, decimal_places=2, null=True, blank=True)
    deep_bid_type = models.CharField(_("deep bid type"), max_length=32, blank=True)
    roas_bid = models.DecimalField(_("ROAS bid"), max_digits=8, decimal_places=2, null=True, blank=True)
    budget_mode = models.CharField(_("budget mode"), max_length=40, default="BUDGET_MODE_DAY")
    budget = models.DecimalField(_("daily budget"), max_digits=12, decimal_places=2)
    budget_cap = models.DecimalField(_("budget cap"), max_digits=12, decimal_places=2, null=True, blank=True)
    schedule_type = models.CharField(_("schedule type"), max_length=32, default="SCHEDULE_FROM_NOW")
    schedule_start_time = models.DateTimeField(_("schedule start"), null=True, blank=True)
    schedule_end_time = models.DateTimeField(_("schedule end"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ad group")
        verbose_name_plural = _("ad groups")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class UploadedVideo(models.Model):
    """A video job's file as uploaded to one advertiser; stage switches re-use its video_id."""

    advertiser = models.ForeignKey(AdvertiserAccount, verbose_name=_("advertiser"), on_delete=models.PROTECT, related_name="videos")
    job = models.ForeignKey("creatives.VideoJob", verbose_name=_("creative"), on_delete=models.PROTECT, related_name="uploads")
    file_name = models.CharField(_("file name"), max_length=100)
    signature = models.CharField(_("MD5"), max_length=32)
    video_id = models.CharField(_("video id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("uploaded video")
        verbose_name_plural = _("uploaded videos")
        constraints = [models.UniqueConstraint(fields=["advertiser", "job"], name="uniq_upload_per_advertiser")]

    def __str__(self):
        return self.file_name


class Ad(models.Model):
    ad_id = models.CharField(_("ad id"), max_length=32, blank=True, db_index=True)
    adgroup = models.ForeignKey(AdGroup, verbose_name=_("ad group"), on_delete=models.PROTECT, related_name="ads")
    job = models.ForeignKey("creatives.VideoJob", verbose_name=_("creative"), on_delete=models.PROTECT, related_name="ads")
    # /ad/create/ has no idempotency key: this name is unique per ad group and is how a
    # retry finds the ad a timed-out call may already have created.
    name = models.CharField(_("ad name"), max_length=512)
    status = models.CharField(_("status"), max_length=8, choices=OperationStatus.choices, default=OperationStatus.PENDING, db_index=True)
    video_id = models.CharField(_("video id"), max_length=64, blank=True)
    ad_text = models.CharField(_("ad text"), max_length=100)
    call_to_action = models.CharField(_("call to action"), max_length=32, default="SHOP_NOW")
    landing_page_url = models.URLField(_("landing page"), max_length=1000, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ad")
        verbose_name_plural = _("ads")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["adgroup", "name"], name="uniq_ad_name_per_adgroup")]

    def __str__(self):
        return self.name


class PublishingAccount(models.Model):
    """A TikTok account that posts organically (track A)."""

    class Provider(models.TextChoices):
        CHUHAIJIANG = "chuhaijiang", _("出海匠")
        TIKTOK = "tiktok", _("TikTok Content Posting API")

    class Status(models.TextChoices):
        PENDING = "pending", _("not connected")
        ACTIVE = "active", _("active")
        ERROR = "error", _("error")
        DISABLED = "disabled", _("disabled")

    name = models.CharField(_("name"), max_length=200)
    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    remote_account_id = models.CharField(_("remote account id"), max_length=128, blank=True)
    handle = models.CharField(_("handle"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    access_token = EncryptedTextField(_("access token"), blank=True)
    refresh_token = EncryptedTextField(_("refresh token"), blank=True)
    token_expires_at = models.DateTimeField(_("token expires at"), null=True, blank=True)
    # TikTok v2 rotates refresh tokens: the newest one and its own expiry are what count.
    refresh_expires_at = models.DateTimeField(_("refresh token expires at"), null=True, blank=True)
    scope = models.JSONField(_("scope"), default=list, blank=True)
    # TikTok keeps no daily history: the Display API totals at the start of the current day and
    # at the last pull (integrations.tiktok_content.StatsSnapshot dicts), so a day is their difference.
    stats_snapshot = models.JSONField(_("stats snapshot"), default=dict, blank=True)
    daily_post_cap = models.PositiveSmallIntegerField(_("daily post cap"), default=3)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("publishing account")
        verbose_name_plural = _("publishing accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "remote_account_id"], condition=~models.Q(remote_account_id=""), name="uniq_publishing_account"
            )
        ]

    def __str__(self):
        return self.handle or self.name


class Publication(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        PUBLISHING = "publishing", _("publishing")
        PUBLISHED = "published", _("published")
        FAILED = "failed", _("failed")

    job = models.ForeignKey("creatives.VideoJob", verbose_name=_("creative"), on_delete=models.PROTECT, related_name="publications")
    account = models.ForeignKey(PublishingAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="publications")
    title = models.CharField(_("title"), max_length=2200, blank=True)
    hashtags = models.JSONField(_("hashtags"), default=list, blank=True)
    scheduled_at = models.DateTimeField(_("scheduled at"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED, db_index=True)
    remote_id = models.CharField(_("remote id"), max_length=128, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    # When a run took the row (scheduled → publishing): a claim this old without a remote id
    # belongs to a worker that died mid-call, and the row is released for a retry.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-scheduled_at"]
        constraints = [models.UniqueConstraint(fields=["job", "account"], name="uniq_publication_per_account")]

    def __str__(self):
        return f"{self.job} → {self.account}"
