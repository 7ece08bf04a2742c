"""The one clock every part of adloop asks for "now" and "today".

Against the sandbox (the default) the clock follows the market simulator's date, so
`manage.py simulate --days 30` runs a month of the loop in seconds through the very same
code; against TikTok it is the wall clock. `ADLOOP_CLOCK` chooses: `sandbox` | `system`.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone


def now() -> dt.datetime:
    if settings.ADLOOP_CLOCK == "sandbox":
        from sandbox.market.clock import market_now

        return market_now()
    return timezone.now()


def today(tz_name: str = "UTC") -> dt.date:
    """Today's date in the given (advertiser's) IANA timezone."""
    return now().astimezone(zone(tz_name)).date()


def zone(tz_name: str) -> dt.tzinfo:
    # TikTok reports advertiser timezones like "Etc/GMT+8"; both forms are IANA names.
    try:
        return zoneinfo.ZoneInfo(tz_name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC
