"""Attribution delay: a day's conversions are reported partly that day and partly over the
next `attribution_delay_days`, each late part added to the original day's SbDailyStat row,
so pulling the last days again shows restated numbers, as TikTok's reports do."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from sandbox.models import SbDailyStat, SbLateConversion

from .bulk import bulk_save, chunks
from .rng import split_counts

SAME_DAY_SHARE = 0.6  # the rest arrives over the delay, halving each day
CENT = Decimal("0.01")


def lag_weights(delay_days: int) -> list[float]:
    if delay_days <= 0:
        return [1.0]
    tail = [0.5**lag for lag in range(1, delay_days + 1)]
    return [SAME_DAY_SHARE] + [(1 - SAME_DAY_SHARE) * part / sum(tail) for part in tail]


def cents(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def split_by_lag(r: random.Random, conversions: int, value: Decimal, delay_days: int) -> list[tuple[int, Decimal]]:
    """[(conversions, value) reported on the day itself, one day later, …]; the parts sum
    exactly to the totals."""
    counts = split_counts(r, conversions, lag_weights(delay_days))
    parts, counted, reported = [], 0, Decimal(0)
    for count in counts:
        counted += count
        cumulative = cents(value * counted / conversions) if conversions else Decimal(0)
        parts.append((count, cumulative - reported))
        reported = cumulative
    return parts


def late_conversions_apply(day: dt.date) -> tuple[int, int]:
    """Add every late part due by `day` to its row; (rows restated, conversions added)."""
    due = SbLateConversion.objects.filter(arrives_on__lte=day)
    additions: dict[tuple[int, dt.date], list] = defaultdict(lambda: [0, Decimal(0)])
    for ad_id, stat_date, conversions, value in due.values_list("ad_id", "stat_date", "conversions", "conversion_value"):
        additions[(ad_id, stat_date)][0] += conversions
        additions[(ad_id, stat_date)][1] += value
    if not additions:
        return 0, 0
    ad_ids = sorted({ad_id for ad_id, _ in additions})
    dates = {stat_date for _, stat_date in additions}
    rows, added = [], 0
    for chunk in chunks(ad_ids):
        for row in SbDailyStat.objects.filter(ad_id__in=chunk, date__in=dates):
            extra = additions.get((row.ad_id, row.date))
            if extra:
                row.conversions += extra[0]
                row.conversion_value += extra[1]
                rows.append(row)
                added += extra[0]
    bulk_save(SbDailyStat, rows, ["conversions", "conversion_value"])
    due.delete()
    return len(rows), added
