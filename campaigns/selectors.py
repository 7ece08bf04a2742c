from django.db.models import QuerySet

from .models import Ad, Campaign


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("advertiser", "product").order_by("-created_at")


def ad_list() -> QuerySet[Ad]:
    return Ad.objects.select_related("adgroup__campaign", "job").order_by("-created_at")


def product_stage(*, product, advertiser) -> str | None:
    """The stage a product runs in for `advertiser`: its newest running campaign's stage
    (launch < heat < hit when several run at once during a switch), or None if none runs."""
    from .models import OperationStatus, Stage

    order = [Stage.LAUNCH, Stage.HEAT, Stage.HIT]
    stages = set(
        Campaign.objects.filter(product=product, advertiser=advertiser, status=OperationStatus.ENABLE).values_list("stage", flat=True)
    )
    running = [stage for stage in order if stage in stages]
    return running[-1] if running else None
