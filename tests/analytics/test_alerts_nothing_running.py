"""The "nothing running" alert: a product whose stage has running campaigns but not one running ad
spends nothing, and the optimization loop has no winner to vary — a person is told, nothing is
changed."""

import datetime as dt

import pytest

from analytics.models import Alert
from analytics.services.alerts import alerts_evaluate
from campaigns.models import Ad, Campaign, OperationStatus, Stage
from campaigns.services import object_status_set, objects_status_set
from scheduler.models import ActionLog
from scheduler.services import Actor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heat_ads(sandbox_http, advertiser, make_job, launch):
    """Two running ads of one product, each in its own ad group of its heat campaign."""
    return [launch(make_job(), advertiser, Stage.HEAT) for _ in range(2)]


def pause(*ads):
    objects_status_set(objs=list(ads), status=OperationStatus.DISABLE, actor=Actor.auto(), reason="test")


def nothing_running():
    return list(Alert.objects.filter(kind=Alert.Kind.NOTHING_RUNNING).order_by("pk"))


def test_a_product_whose_every_ad_is_paused_raises_one_warning(advertiser, heat_ads, today):
    pause(*heat_ads)
    logged = ActionLog.objects.count()

    created = alerts_evaluate(advertiser=advertiser, day=today)

    [alert] = nothing_running()
    assert created == [alert]
    product = heat_ads[0].job.product
    assert alert.severity == Alert.Severity.WARNING
    assert product.name in alert.message
    assert alert.campaign_id == heat_ads[0].adgroup.campaign_id
    assert alert.details == {"product": product.pk, "stage": Stage.HEAT, "day": today.isoformat()}
    # It only tells: nothing paused, resumed or logged.
    assert ActionLog.objects.count() == logged
    assert Ad.objects.filter(status=OperationStatus.ENABLE).count() == 0


def test_one_running_ad_is_enough(advertiser, heat_ads, today):
    pause(heat_ads[0])

    alerts_evaluate(advertiser=advertiser, day=today)

    assert nothing_running() == []


def test_it_is_raised_once_a_day(advertiser, heat_ads, today):
    pause(*heat_ads)

    alerts_evaluate(advertiser=advertiser, day=today)
    again = alerts_evaluate(advertiser=advertiser, day=today)
    alerts_evaluate(advertiser=advertiser, day=today + dt.timedelta(days=1))

    assert again == []
    assert [alert.details["day"] for alert in nothing_running()] == [today.isoformat(), (today + dt.timedelta(days=1)).isoformat()]


def test_a_product_stopped_at_its_campaign_is_not_reported(advertiser, heat_ads, today):
    # A person who pauses the campaign stops the product on purpose.
    campaign = Campaign.objects.get(pk=heat_ads[0].adgroup.campaign_id)
    object_status_set(obj=campaign, status=OperationStatus.DISABLE, actor=Actor.auto(), reason="test")
    pause(*heat_ads)

    alerts_evaluate(advertiser=advertiser, day=today)

    assert nothing_running() == []


def test_only_the_products_current_stage_counts(advertiser, heat_ads, make_job, launch, today):
    # Mid-switch: its launch campaign still runs with an ad, but its heat stage (the current one)
    # has none running.
    launch(make_job(product=heat_ads[0].job.product), advertiser, Stage.LAUNCH)
    pause(*heat_ads)

    alerts_evaluate(advertiser=advertiser, day=today)

    [alert] = nothing_running()
    assert alert.details["stage"] == Stage.HEAT
