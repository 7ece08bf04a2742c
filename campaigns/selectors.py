from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from analytics.metrics import ctr, ctr_expr, roas, roas_expr
from analytics.models import PerformanceDaily
from creatives.models import VideoJob
from scheduler.models import ActionLog

from .models import Ad, AdGroup, AdvertiserAccount, Campaign, OperationStatus

ZERO = Decimal("0")
MONEY = DecimalField(max_digits=14, decimal_places=2)


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("advertiser", "product").order_by("-created_at")


def ad_list() -> QuerySet[Ad]:
    return Ad.objects.select_related("adgroup__campaign", "job").order_by("-created_at")


def product_stage(*, product, advertiser) -> str | None:
    """The stage a product runs in for `advertiser`: its newest running campaign's stage
    (launch < heat < hit when several run at once during a switch), or None if none runs."""
    from .models import OperationStatus
    from .stages import ORDER

    stages = set(
        Campaign.objects.filter(product=product, advertiser=advertiser, status=OperationStatus.ENABLE).values_list("stage", flat=True)
    )
    running = [stage for stage in ORDER if stage in stages]
    return running[-1] if running else None


# --- the campaigns page (PRD 12.3) -------------------------------------------------------

# GET `sort` value → ordering; a leading "-" reverses it. Ratios and sums without data sort last.
CAMPAIGN_SORTS = {
    "name": "name",
    "stage": "stage",
    "status": "status",
    "spend": "spend_today",
    "roas": "roas_today",
    "created": "created_at",
}
DEFAULT_CAMPAIGN_SORT = "-created"
RECENT_ACTIONS = 10


def _summed_today(field: str, *, today: dt.date) -> Subquery:
    """Σ `field` of a campaign's ads on `today`, as a correlated subquery (one per row, no join
    that would multiply the other sums)."""
    rows = (
        PerformanceDaily.objects.filter(ad__adgroup__campaign=OuterRef("pk"), date=today)
        .order_by()
        .values("ad__adgroup__campaign")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Subquery(rows, output_field=MONEY)


def campaign_table(
    *,
    today: dt.date,
    status: str = "",
    stage: str = "",
    advertiser: AdvertiserAccount | None = None,
    text: str = "",
    sort: str = DEFAULT_CAMPAIGN_SORT,
) -> QuerySet[Campaign]:
    """Every campaign with its advertiser and product, today's spend, conversion value and ROAS
    (from PerformanceDaily) and the summed daily budget of its running ad groups, filtered and
    sorted; one query however many campaigns (the page slices it)."""
    running_budget = (
        AdGroup.objects.filter(campaign=OuterRef("pk"), status=OperationStatus.ENABLE)
        .order_by()
        .values("campaign")
        .annotate(total=Sum("budget"))
        .values("total")
    )
    campaigns = Campaign.objects.select_related("advertiser", "product").annotate(
        spend_today=Coalesce(_summed_today("spend", today=today), Value(ZERO), output_field=MONEY),
        value_today=Coalesce(_summed_today("conversion_value", today=today), Value(ZERO), output_field=MONEY),
        roas_today=roas_expr("value_today", "spend_today"),
        adgroups_budget=Subquery(running_budget, output_field=MONEY),
    )
    if status:
        campaigns = campaigns.filter(status=status)
    if stage:
        campaigns = campaigns.filter(stage=stage)
    if advertiser is not None:
        campaigns = campaigns.filter(advertiser=advertiser)
    if text:
        campaigns = campaigns.filter(Q(name__icontains=text) | Q(product__name__icontains=text) | Q(campaign_id=text))
    return campaigns.order_by(*_ordering(sort))


def _ordering(sort: str) -> list:
    descending = sort.startswith("-")
    field = CAMPAIGN_SORTS.get(sort.lstrip("-"))
    if field is None:
        return _ordering(DEFAULT_CAMPAIGN_SORT)
    order = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return [order, "-pk" if descending else "pk"]


def campaign_get(*, pk: int) -> Campaign:
    return Campaign.objects.select_related("advertiser", "product").get(pk=pk)


def campaign_adgroups(*, campaign: Campaign, start: dt.date, end: dt.date) -> list[AdGroup]:
    """The campaign's ad groups, each with its ads (creative and product loaded) carrying their
    sums over start..end (spend, value, impressions, clicks) and the ratios of those sums."""
    in_period = Q(daily__date__range=(start, end))
    ads = (
        Ad.objects.select_related("job__product")
        .annotate(
            period_spend=Coalesce(Sum("daily__spend", filter=in_period), Value(ZERO), output_field=MONEY),
            period_value=Coalesce(Sum("daily__conversion_value", filter=in_period), Value(ZERO), output_field=MONEY),
            period_impressions=Coalesce(Sum("daily__impressions", filter=in_period), 0),
            period_clicks=Coalesce(Sum("daily__clicks", filter=in_period), 0),
        )
        .annotate(
            period_roas=roas_expr("period_value", "period_spend"),
            period_ctr=ctr_expr("period_clicks", "period_impressions"),
        )
        .order_by("created_at", "pk")
    )
    return list(
        AdGroup.objects.filter(campaign=campaign).prefetch_related(Prefetch("ads", queryset=ads)).order_by("created_at", "pk")
    )


def campaign_trend(*, campaign: Campaign, start: dt.date, end: dt.date) -> list[dict]:
    """One row per day of start..end with the campaign's summed spend, value, impressions and
    clicks, and the day's ROAS and CTR (None without spend / impressions)."""
    rows = {
        row["date"]: row
        for row in PerformanceDaily.objects.filter(ad__adgroup__campaign=campaign, date__range=(start, end))
        .values("date")
        .annotate(
            sum_spend=Sum("spend"),
            sum_value=Sum("conversion_value"),
            sum_impressions=Sum("impressions"),
            sum_clicks=Sum("clicks"),
        )
        .order_by()
    }
    days = []
    for offset in range((end - start).days + 1):
        date = start + dt.timedelta(days=offset)
        row = rows.get(date, {})
        spend, value = row.get("sum_spend") or ZERO, row.get("sum_value") or ZERO
        impressions, clicks = row.get("sum_impressions") or 0, row.get("sum_clicks") or 0
        days.append(
            {
                "date": date,
                "spend": spend,
                "value": value,
                "impressions": impressions,
                "clicks": clicks,
                "roas": roas(value, spend),
                "ctr": ctr(clicks, impressions),
            }
        )
    return days


def campaign_siblings(*, campaign: Campaign) -> list[Campaign]:
    """The other campaigns of the same product and advertiser: its other stages."""
    if campaign.product_id is None:
        return []
    return list(
        Campaign.objects.filter(product_id=campaign.product_id, advertiser_id=campaign.advertiser_id)
        .exclude(pk=campaign.pk)
        .order_by("created_at", "pk")
    )


def campaign_actions_recent(*, campaign: Campaign, limit: int = RECENT_ACTIONS) -> list[ActionLog]:
    return list(ActionLog.objects.filter(campaign=campaign).select_related("user").order_by("-at", "-pk")[:limit])


def advertisers_connected() -> QuerySet[AdvertiserAccount]:
    return (
        AdvertiserAccount.objects.filter(status=AdvertiserAccount.Status.CONNECTED)
        .exclude(access_token="")
        .order_by("name", "pk")
    )


def jobs_launchable() -> QuerySet[VideoJob]:
    """Finished video jobs with a video file, newest first: what `ad_launch` accepts."""
    return (
        VideoJob.objects.filter(status=VideoJob.Status.DONE)
        .exclude(video="")
        .select_related("product")
        .order_by("-created_at", "-pk")
    )
