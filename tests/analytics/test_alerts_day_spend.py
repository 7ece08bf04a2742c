"""The ad group cap rule's day spend: every ad of the ad group counts, paused ones too, and
only the day's rows (alerts_evaluate sums it in its own query, not a join on the ad groups)."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics.models import Alert, PerformanceDaily
from analytics.services.alerts import alerts_evaluate
from campaigns.models import Ad, AdGroup, OperationStatus, Stage
from sandbox.models import SbAdGroup
from scheduler.services_settings import strategy_global_ensure

from .conftest import copies

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("raw_roas")]


def perf(ad, date, spend) -> PerformanceDaily:
    """A day of `spend` at ROAS 10, far above the low-ROAS floor: only the cap rule can fire."""
    return PerformanceDaily.objects.create(
        ad=ad,
        date=date,
        impressions=10_000,
        clicks=100,
        spend=Decimal(spend),
        conversion_value=10 * Decimal(spend),
        conversions=10,
    )


def remote_status(adgroup) -> str:
    return SbAdGroup.objects.get(adgroup_id=adgroup.adgroup_id).operation_status


@pytest.fixture
def two_adgroups(sandbox_http, advertiser, make_job, launch):
    """Two heat-stage ad groups under a $50 cap, each with three ads, the last one paused."""
    row = strategy_global_ensure()
    row.adgroup_budget_cap = Decimal("50.00")
    row.save()
    groups = []
    for _ in range(2):
        first = launch(make_job(), advertiser, Stage.HEAT)
        more = copies(first, 2)
        Ad.objects.filter(pk=more[-1].pk).update(status=OperationStatus.DISABLE)
        groups.append([first, *more])
    return groups


def test_the_day_spend_of_an_adgroup_sums_all_its_ads_of_that_day_only(advertiser, two_adgroups, today):
    over, under = two_adgroups
    for ad, spend in zip(over, ("20.00", "20.00", "10.01"), strict=True):  # 50.01, the paused ad's $10.01 included
        perf(ad, today, spend)
    for ad, spend in zip(under, ("20.00", "20.00", "10.00"), strict=True):  # 50.00, not over
        perf(ad, today, spend)
    perf(under[0], today - dt.timedelta(days=1), "90.00")  # yesterday does not count

    alerts = alerts_evaluate(advertiser=advertiser, day=today)

    assert [alert.dedupe_key for alert in alerts] == [f"spend_cap:adgroup:{over[0].adgroup_id}:{today}"]
    assert "spent 50.01 USD" in alerts[0].message
    assert (remote_status(over[0].adgroup), remote_status(under[0].adgroup)) == ("DISABLE", "ENABLE")
    assert AdGroup.objects.get(pk=over[0].adgroup_id).status == OperationStatus.DISABLE
    assert Alert.objects.count() == 1
