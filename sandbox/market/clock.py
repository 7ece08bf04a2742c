"""The simulated market's clock. Until the simulator keeps a date of its own, it is the wall clock."""

import datetime as dt

from django.utils import timezone


def market_now() -> dt.datetime:
    return timezone.now()
