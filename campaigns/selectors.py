from django.db.models import QuerySet

from .models import Ad, Campaign


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("advertiser", "product").order_by("-created_at")


def ad_list() -> QuerySet[Ad]:
    return Ad.objects.select_related("adgroup__campaign", "job").order_by("-created_at")
