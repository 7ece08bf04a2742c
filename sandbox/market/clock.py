"""The simulated market's clock: the date lives on the one SbMarketClock row.

`market_now()` is what adloop.clock.now() returns against the sandbox, so it runs on
almost every request: one primary-key query, plus one insert the very first time.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sandbox.models import (
    SbCreativeProfile,
    SbDailyStat,
    SbLateConversion,
    SbMarketClock,
    SbOrganicAccount,
    SbOrganicDaily,
    SbOrganicPost,
)

CLOCK_PK = 1


def market_clock() -> SbMarketClock:
    row = SbMarketClock.objects.filter(pk=CLOCK_PK).first()
    if row is None:
        row, _ = SbMarketClock.objects.get_or_create(pk=CLOCK_PK, defaults={"date": timezone.now().date()})
    return row


def market_today() -> dt.date:
    day = SbMarketClock.objects.filter(pk=CLOCK_PK).values_list("date", flat=True).first()
    return day if day is not None else market_clock().date


def market_now() -> dt.datetime:
    """The simulated date at the wall clock's time of day, in UTC."""
    wall = timezone.now().astimezone(dt.UTC)
    return dt.datetime.combine(market_today(), wall.timetz())


@transaction.atomic
def market_reset(*, start: dt.date, seed: int | None = None) -> SbMarketClock:
    """Rewind the market to `start`: forget every delivered day, late conversion and organic
    stat, and the creatives' fatigue. Ads, videos and registered creatives stay; adloop's
    own tables are never touched."""
    from .params import market_configure

    row = market_clock()
    row.date = start
    row.save(update_fields=["date", "updated_at"])
    if seed is not None:
        market_configure(seed=seed)
    SbLateConversion.objects.all().delete()
    SbDailyStat.objects.all().delete()
    SbCreativeProfile.objects.filter(registered=False).delete()
    SbCreativeProfile.objects.update(impressions_served=0)
    SbOrganicDaily.objects.all().delete()
    SbOrganicPost.objects.all().delete()
    SbOrganicAccount.objects.update(followers=F("initial_followers"))
    return market_clock()


def market_clock_advance(row: SbMarketClock) -> SbMarketClock:
    row.date += dt.timedelta(days=1)
    row.save(update_fields=["date", "updated_at"])
    return row
