"""The one clock every part of adloop asks for "now" and "today".

Against the sandbox, the simulated market holds its own date; later issues make this clock
follow it. Until then it is wall-clock time, optionally pinned with `ADLOOP_TODAY` in tests.
"""

import datetime as dt
import zoneinfo

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today(tz_name: str = "UTC") -> dt.date:
    """Today's date in the given (advertiser's) IANA timezone."""
    return now().astimezone(_zone(tz_name)).date()


def _zone(tz_name: str) -> dt.tzinfo:
    # TikTok reports advertiser timezones like "Etc/GMT+8"; both forms are IANA names.
    try:
        return zoneinfo.ZoneInfo(tz_name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC
