"""State of the sandbox's stand-in for TikTok's Marketing API v1.3 (see sandbox/tiktok/).

These tables belong to the pretend TikTok, not to adloop: nothing outside sandbox/ writes
them except through sandbox.services, and the market simulator that fills SbDailyStat.
Remote ids are strings, as in v1.3; columns hold what the API validates or the simulator
reads, `extra` keeps the rest of the create body so `get` echoes what was sent.
"""

from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _


class OperationStatus(models.TextChoices):
    ENABLE = "ENABLE", _("enabled")
    DISABLE = "DISABLE", _("disabled")
    DELETE = "DELETE", _("deleted")


class SbApp(models.Model):
    app_id = models.CharField(_("app id"), max_length=32, unique=True)
    secret = models.CharField(_("secret"), max_length=128)
    name = models.CharField(_("name"), max_length=100, default="adloop")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox app")
        verbose_name_plural = _("sandbox apps")

    def __str__(self):
        return f"{self.name} ({self.app_id})"


class SbAdvertiser(models.Model):
    advertiser_id = models.CharField(_("advertiser id"), max_length=19, unique=True)
    app = models.ForeignKey(SbApp, verbose_name=_("app"), on_delete=models.CASCADE, related_name="advertisers")
    name = models.CharField(_("name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, default="US")
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    timezone = models.CharField(_("timezone"), max_length=64, default="UTC", help_text=_('IANA name, e.g. "Etc/GMT+8"'))
    status = models.CharField(_("status"), max_length=32, default="STATUS_ENABLE")
    balance = models.DecimalField(_("balance"), max_digits=14, decimal_places=2, default=10000)
    pixel_id = models.CharField(_("pixel id"), max_length=32, blank=True)
    create_time = models.DateTimeField(_("created at"), default=django_timezone.now)

    class Meta:
        verbose_name = _("sandbox advertiser")
        verbose_name_plural = _("sandbox advertisers")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name} ({self.advertiser_id})"


class SbAuthCode(models.Model):
    code = models.CharField(_("auth code"), max_length=64, unique=True)
    app = models.ForeignKey(SbApp, verbose_name=_("app"), on_delete=models.CASCADE, related_name="auth_codes")
    advertisers = models.ManyToManyField(SbAdvertiser, verbose_name=_("advertisers"), related_name="+")
    # Not a URLField: local hosts such as "testserver" or "localhost:8000" are valid redirect targets here.
    redirect_uri = models.CharField(_("redirect uri"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sandbox auth code")
        verbose_name_plural = _("sandbox auth codes")

    def __str__(self):
        return f"{self.code[:8]}… ({self.app.app_id})"


class SbToken(models.Model):
    """A long-term Marketing API token: it never expires, it can only be revoked."""

    token = models.CharField(_("access token"), max_length=64, unique=True)
    app = models.ForeignKey(SbApp, verbose_name=_("app"), on_delete=models.CASCADE, related_name="tokens")
    advertisers = models.ManyToManyField(SbAdvertiser, verbose_name=_("advertisers"), related_name="tokens")
    scope = models.JSONField(_("scope"), default=list, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox access token")
        verbose_name_plural = _("sandbox access tokens")

    def __str__(self):
        return f"{self.token[:8]}… ({self.app.app_id})"


class SbIdentity(models.Model):
    identity_id = models.CharField(_("identity id"), max_length=64, unique=True)
    advertiser = models.ForeignKey(SbAdvertiser, verbose_name=_("advertiser"), on_delete=models.CASCADE, related_name="identities")
    identity_type = models.CharField(_("identity type"), max_length=32, default="CUSTOMIZED_USER")
    display_name = models.CharField(_("display name"), max_length=100)
    image_uri = models.CharField(_("image uri"), max_length=255, blank=True)
    create_time = models.DateTimeField(_("created at"), default=django_timezone.now)

    class Meta:
        verbose_name = _("sandbox identity")
        verbose_name_plural = _("sandbox identities")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.display_name} ({self.identity_id})"


class SbVideo(models.Model):
    video_id = models.CharField(_("video id"), max_length=64, unique=True)
    material_id = models.CharField(_("material id"), max_length=19)
    advertiser = models.ForeignKey(SbAdvertiser, verbose_name=_("advertiser"), on_delete=models.CASCADE, related_name="videos")
    file_name = models.CharField(_("file name"), max_length=100)
    signature = models.CharField(_("MD5 signature"), max_length=32)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    format = models.CharField(_("format"), max_length=8, default="mp4")
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    duration = models.FloatField(_("duration (s)"))
    file = models.FileField(_("file"), upload_to="sandbox/videos/", max_length=255)
    create_time = models.DateTimeField(_("created at"), default=django_timezone.now)
    modify_time = models.DateTimeField(_("modified at"), default=django_timezone.now)

    class Meta:
        verbose_name = _("sandbox video")
        verbose_name_plural = _("sandbox videos")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["advertiser", "file_name"], name="sb_video_unique_file_name")]

    def __str__(self):
        return f"{self.file_name} ({self.video_id})"


class SbCampaign(models.Model):
    campaign_id = models.CharField(_("campaign id"), max_length=19, unique=True)
    advertiser = models.ForeignKey(SbAdvertiser, verbose_name=_("advertiser"), on_delete=models.CASCADE, related_name="campaigns")
    campaign_name = models.CharField(_("name"), max_length=512)
    objective_type = models.CharField(_("objective"), max_length=32)
    budget_mode = models.CharField(_("budget mode"), max_length=40)
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, null=True, blank=True)
    budget_optimize_on = models.BooleanField(_("campaign budget optimization"), default=False)
    operation_status = models.CharField(_("status"), max_length=8, choices=OperationStatus.choices, default=OperationStatus.ENABLE)
    extra = models.JSONField(_("other fields sent"), default=dict, blank=True)
    create_time = models.DateTimeField(_("created at"), default=django_timezone.now)
    modify_time = models.DateTimeField(_("modified at"), default=django_timezone.now)

    class Meta:
        verbose_name = _("sandbox campaign")
        verbose_name_plural = _("sandbox campaigns")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.campaign_name} ({self.campaign_id})"


class SbAdGroup(models.Model):
    adgroup_id = models.CharField(_("ad group id"), max_length=19, unique=True)
    advertiser = models.ForeignKey(SbAdvertiser, verbose_name=_("advertiser"), on_delete=models.CASCADE, related_name="adgroups")
    campaign = models.ForeignKey(SbCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="adgroups")
    adgroup_name = models.CharField(_("name"), max_length=512)
    operation_status = models.CharField(_("status"), max_length=8, choices=OperationStatus.choices, default=OperationStatus.ENABLE)
    budget_mode = models.CharField(_("budget mode"), max_length=40)
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, null=True, blank=True)
    promotion_type = models.CharField(_("promotion type"), max_length=48, blank=True)
    placement_type = models.CharField(_("placement type"), max_length=32)
    billing_event = models.CharField(_("billing event"), max_length=8)
    optimization_goal = models.CharField(_("optimization goal"), max_length=40)
    optimization_event = models.CharField(_("optimization event"), max_length=64, blank=True)
    pixel_id = models.CharField(_("pixel id"), max_length=32, blank=True)
    bid_type = models.CharField(_("bid type"), max_length=24, default="BID_TYPE_NO_BID")
    bid_price = models.DecimalField(_("bid price"), max_digits=14, decimal_places=4, null=True, blank=True)
    conversion_bid_price = models.DecimalField(_("target CPA"), max_digits=14, decimal_places=4, null=True, blank=True)
    deep_bid_type = models.CharField(_("deep bid type"), max_length=24, blank=True)
    roas_bid = models.DecimalField(_("ROAS bid"), max_digits=14, decimal_places=4, null=True, blank=True)
    pacing = models.CharField(_("pacing"), max_length=24, default="PACING_MODE_SMOOTH")
    schedule_type = models.CharField(_("schedule type"), max_length=24)
    schedule_start_time = models.DateTimeField(_("schedule start"))
    schedule_end_time = models.DateTimeField(_("schedule end"), null=True, blank=True)
    location_ids = models.JSONField(_("location ids"), default=list)
    extra = models.JSONField(_("other fields sent"), default=dict, blank=True)
    create_time = models.DateTimeField(_("created at"), default=django_timezone.now)
    modify_time = models.DateTimeField(_("modified at"), default=django_timezone.now)

    class Meta:
        verbose_name = _("sandbox ad group")
        verbose_name_plural = _("sandbox ad groups")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.adgroup_name} ({self.adgroup_id})"


class SbAdQuerySet(models.QuerySet):
    def delivering(self):
        """Ads that TikTok would serve: the ad, its ad group and its campaign all enabled."""
        return self.filter(
            operation_status=OperationStatus.ENABLE,
            adgroup__operation_status=OperationStatus.ENABLE,
            campaign__operation_status=OperationStatus.ENABLE,
        )


class SbAd(models.Model):
    ad_id = models.CharField(_("ad id"), max_length=19, unique=True)
    advertiser = models.ForeignKey(SbAdvertiser, verbose_name=_("advertiser"), on_delete=models.CASCADE, related_name="ads")
    campaign = models.ForeignKey(SbCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="ads")
    adgroup = models.ForeignKey(SbAdGroup, verbose_name=_("ad group"), on_delete=models.CASCADE, related_name="ads")
    ad_name = models.CharField(_("name"), max_length=512)
    ad_format = models.CharField(_("format"), max_length=24, default="SINGLE_VIDEO")
    video = models.ForeignKey(SbVideo, verbose_name=_("video"), on_delete=models.PROTECT, related_name="ads")
    ad_text = models.CharField(_("ad text"), max_length=100)
    call_to_action = models.CharField(_("call to action"), max_length=32, blank=True)
    landing_page_url = models.URLField(_("landing page"), max_length=2000, blank=True)
    display_name = models.CharField(_("display name"), max_length=40, blank=True)
    identity_id = models.CharField(_("identity id"), max_length=64, blank=True)
    identity_type = models.CharField(_("identity type"), max_length=32, blank=True)
    operation_status = models.CharField(_("status"), max_length=8, choices=OperationStatus.choices, default=OperationStatus.ENABLE)
    extra = models.JSONField(_("other fields sent"), default=dict, blank=True)
    create_time = models.DateTimeField(_("created at"), default=django_timezone.now)
    modify_time = models.DateTimeField(_("modified at"), default=django_timezone.now)

    objects = SbAdQuerySet.as_manager()

    class Meta:
        verbose_name = _("sandbox ad")
        verbose_name_plural = _("sandbox ads")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.ad_name} ({self.ad_id})"


class SbRequestKey(models.Model):
    """The create body's `request_id`: one object per (advertiser, kind, key)."""

    class Kind(models.TextChoices):
        CAMPAIGN = "campaign", _("campaign")
        ADGROUP = "adgroup", _("ad group")

    advertiser = models.ForeignKey(SbAdvertiser, verbose_name=_("advertiser"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    request_id = models.CharField(_("request id"), max_length=20)
    object_id = models.CharField(_("object id"), max_length=19)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox idempotency key")
        verbose_name_plural = _("sandbox idempotency keys")
        constraints = [models.UniqueConstraint(fields=["advertiser", "kind", "request_id"], name="sb_request_key_unique")]

    def __str__(self):
        return f"{self.kind} {self.request_id} → {self.object_id}"


class SbDailyStat(models.Model):
    """One ad's delivery on one day (the advertiser's timezone); the simulator writes these,
    report/integrated/get reads them."""

    advertiser = models.ForeignKey(SbAdvertiser, verbose_name=_("advertiser"), on_delete=models.CASCADE, related_name="daily_stats")
    ad = models.ForeignKey(SbAd, verbose_name=_("ad"), on_delete=models.CASCADE, related_name="daily_stats")
    date = models.DateField(_("date"))
    impressions = models.PositiveBigIntegerField(_("impressions"), default=0)
    clicks = models.PositiveBigIntegerField(_("clicks"), default=0)
    spend = models.DecimalField(_("spend"), max_digits=14, decimal_places=2, default=0)
    conversions = models.PositiveIntegerField(_("conversions"), default=0)
    conversion_value = models.DecimalField(_("conversion value"), max_digits=14, decimal_places=2, default=0)
    video_views = models.PositiveBigIntegerField(_("video views"), default=0)

    class Meta:
        verbose_name = _("sandbox daily stat")
        verbose_name_plural = _("sandbox daily stats")
        ordering = ["date", "ad_id"]
        constraints = [models.UniqueConstraint(fields=["ad", "date"], name="sb_daily_stat_unique_ad_date")]
        indexes = [models.Index(fields=["advertiser", "date"], name="sb_daily_stat_adv_date")]

    def __str__(self):
        return f"{self.ad.ad_id} on {self.date}"


class SbArkTask(models.Model):
    """A Seedance video generation task of the pretend Volcengine Ark (see sandbox/ark/)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("expired")

    task_id = models.CharField(_("task id"), max_length=40, unique=True)
    model = models.CharField(_("model"), max_length=100)
    prompt = models.TextField(_("prompt"))
    params = models.JSONField(_("parameters"), default=dict, blank=True, help_text=_("ratio, resolution, duration, … as sent"))
    first_frame = models.FileField(_("first frame"), upload_to="sandbox/ark/", max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    polls = models.PositiveIntegerField(_("polls"), default=0)
    video = models.FileField(_("video"), upload_to="sandbox/ark/", max_length=255, blank=True)
    download_token = models.CharField(_("download token"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("video URL expires at"), null=True, blank=True)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error_message = models.CharField(_("error message"), max_length=500, blank=True)
    completion_tokens = models.PositiveBigIntegerField(_("completion tokens"), default=0)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("sandbox Ark task")
        verbose_name_plural = _("sandbox Ark tasks")
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.task_id} ({self.status})"


# --- The ad-market simulator (sandbox/market/) -------------------------------------------


class SbMarketClock(models.Model):
    """The simulated market's "today" and parameters: a single row (pk 1), created on
    first use at the real date, so a fresh install works."""

    date = models.DateField(_("simulated date"))
    seed = models.PositiveBigIntegerField(_("seed"), default=42)
    params = models.JSONField(_("parameters"), default=dict, blank=True, help_text=_("MarketParams other than the seed"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("sandbox market clock")
        verbose_name_plural = _("sandbox market clock")

    def __str__(self):
        return f"market day {self.date} (seed {self.seed})"


class SbCreativeProfile(models.Model):
    """A creative's script features and the hidden truth the market derives from them.

    `video_id` is the key the market knows a creative by: TikTok's video id, or the
    VideoJob id (hex) that adloop puts in every uploaded file name (adloop-<hex>-….mp4).
    """

    video_id = models.CharField(_("creative key"), max_length=64, unique=True)
    parent_video_id = models.CharField(_("parent creative key"), max_length=64, blank=True)
    features = models.JSONField(_("features"), default=dict, blank=True)
    registered = models.BooleanField(_("registered"), default=False, help_text=_("False: features derived from the key's hash"))
    base_ctr = models.FloatField(_("true CTR"), default=0)
    base_cvr = models.FloatField(_("true CVR (per click)"), default=0)
    aov = models.FloatField(_("true order value"), default=0)
    view_rate = models.FloatField(_("true view rate"), default=0)
    truth_of = models.CharField(_("computed for"), max_length=64, blank=True, help_text=_('"seed:quality_spread" of the rates'))
    impressions_served = models.PositiveBigIntegerField(_("impressions served"), default=0, help_text=_("drives fatigue"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("sandbox creative profile")
        verbose_name_plural = _("sandbox creative profiles")
        ordering = ["pk"]

    def __str__(self):
        return self.video_id


class SbLateConversion(models.Model):
    """Conversions of an earlier day that the market reports later (attribution delay):
    on `arrives_on` they are added to the (ad, stat_date) SbDailyStat row."""

    ad = models.ForeignKey(SbAd, verbose_name=_("ad"), on_delete=models.CASCADE, related_name="+")
    stat_date = models.DateField(_("conversion day"))
    arrives_on = models.DateField(_("reported on"), db_index=True)
    conversions = models.PositiveIntegerField(_("conversions"), default=0)
    conversion_value = models.DecimalField(_("conversion value"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("sandbox late conversion")
        verbose_name_plural = _("sandbox late conversions")
        ordering = ["arrives_on", "pk"]

    def __str__(self):
        return f"{self.conversions} for {self.stat_date} on {self.arrives_on}"


class SbOrganicAccount(models.Model):
    """A track A (organic) TikTok account as the market sees it."""

    account_key = models.CharField(_("account key"), max_length=64, unique=True)
    handle = models.CharField(_("handle"), max_length=100, blank=True)
    followers = models.PositiveBigIntegerField(_("followers"), default=0)
    initial_followers = models.PositiveBigIntegerField(_("followers at registration"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox organic account")
        verbose_name_plural = _("sandbox organic accounts")
        ordering = ["pk"]

    def __str__(self):
        return self.handle or self.account_key


class SbOrganicPost(models.Model):
    account = models.ForeignKey(SbOrganicAccount, verbose_name=_("account"), on_delete=models.CASCADE, related_name="posts")
    post_key = models.CharField(_("post key"), max_length=64)
    posted_on = models.DateField(_("posted on"))
    features = models.JSONField(_("features"), default=dict, blank=True)
    quality = models.FloatField(_("hidden quality"), default=1.0)
    video_views = models.PositiveBigIntegerField(_("video views"), default=0)
    likes = models.PositiveBigIntegerField(_("likes"), default=0)
    shares = models.PositiveBigIntegerField(_("shares"), default=0)
    comments = models.PositiveBigIntegerField(_("comments"), default=0)

    class Meta:
        verbose_name = _("sandbox organic post")
        verbose_name_plural = _("sandbox organic posts")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["account", "post_key"], name="sb_organic_post_unique_key")]

    def __str__(self):
        return f"{self.post_key} ({self.posted_on})"


class SbOrganicDaily(models.Model):
    account = models.ForeignKey(SbOrganicAccount, verbose_name=_("account"), on_delete=models.CASCADE, related_name="daily")
    date = models.DateField(_("date"))
    video_views = models.PositiveBigIntegerField(_("video views"), default=0)
    likes = models.PositiveBigIntegerField(_("likes"), default=0)
    shares = models.PositiveBigIntegerField(_("shares"), default=0)
    comments = models.PositiveIntegerField(_("comments"), default=0)
    followers_gained = models.PositiveIntegerField(_("followers gained"), default=0)

    class Meta:
        verbose_name = _("sandbox organic daily stat")
        verbose_name_plural = _("sandbox organic daily stats")
        ordering = ["date", "account_id"]
        constraints = [models.UniqueConstraint(fields=["account", "date"], name="sb_organic_daily_unique_account_date")]

    def __str__(self):
        return f"{self.account} on {self.date}"


# TikTok v2 stand-in (sandbox/tiktok_open/); defined there with app_label "sandbox".
# 出海匠 MCP stand-in (sandbox/chuhaijiang/); defined there with app_label "sandbox".
from .chuhaijiang.models import SbChjAccount, SbChjFile, SbChjKey, SbChjPost  # noqa: E402, F401
from .tiktok_open.models import SbOpenCall, SbOpenCode, SbOpenPublish, SbOpenToken, SbOpenUser  # noqa: E402, F401
