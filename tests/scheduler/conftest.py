"""Fixtures shared by the scheduler's tests."""

import datetime as dt
from decimal import Decimal

import pytest

from adloop import clock
from analytics.models import PerformanceDaily
from campaigns.models import Stage
from campaigns.services import ad_launch
from scheduler.services import Actor


@pytest.fixture
def ad_with_days(sandbox_http, advertiser, make_job):
    """An ad whose daily ROAS is given newest first: {1: roas of yesterday, 2: …}."""

    def make(roas_by_age: dict[int, float], stage=Stage.HEAT):
        ad = ad_launch(job=make_job(), advertiser=advertiser, stage=stage, budget=Decimal("100"), actor=Actor.auto())
        today = clock.today(advertiser.timezone)
        for age, roas in roas_by_age.items():
            PerformanceDaily.objects.create(
                ad=ad, date=today - dt.timedelta(days=age), spend=Decimal("40"), conversion_value=Decimal("40") * Decimal(str(roas)),
                conversions=4, impressions=20000, clicks=300,
            )
        return ad

    return make
