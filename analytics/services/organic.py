"""Organic stats (track A): each publishing account's daily views, likes, shares, comments and
followers gained, upserted into AccountDaily on (account, date) so a re-run never duplicates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from adloop import clock
from analytics.models import AccountDaily
from campaigns.models import PublishingAccount


@dataclass(frozen=True)
class OrganicResult:
    days: int
    created: int
    updated: int


def account_stats_ingest(*, account: PublishingAccount, start: dt.date | None = None, end: dt.date | None = None) -> OrganicResult:
    """Pull `account`'s days from `start` to `end` (default: the last REPORT_LOOKBACK_DAYS days
    through today, which the platform still restates) and upsert them into AccountDaily.
    (A TikTok account yields one day, `end`, from its Display API totals: see _tiktok_days.)"""
    from campaigns.services.accounts import provider_for

    end = end or clock.today()
    start = start or end - dt.timedelta(days=max(0, settings.REPORT_LOOKBACK_DAYS))
    provider = provider_for(account)
    if account.provider == PublishingAccount.Provider.TIKTOK:
        days = _tiktok_days(provider, account, start=start, end=end)
    else:
        days = provider.account_stats(account_id=account.remote_account_id, start=start, end=end)
    created = updated = 0
    with transaction.atomic():
        for day in days:
            if not start <= day.date <= end:
                continue
            _, made = AccountDaily.objects.update_or_create(
                account=account, date=day.date,
                defaults={
                    "video_views": max(0, day.video_views), "likes": max(0, day.likes), "shares": max(0, day.shares),
                    "comments": max(0, day.comments), "followers_gained": day.followers_gained,
                },
            )
            created += made
            updated += not made
    return OrganicResult(days=created + updated, created=created, updated=updated)


def _tiktok_days(provider, account: PublishingAccount, *, start: dt.date, end: dt.date) -> list:
    """TikTok's Display API gives totals, not days: a day is what the totals gained since the
    day's baseline (the last snapshot taken before it began). Every pull of the same day
    recomputes that day from its baseline, so four pulls a day still give one full day; the
    first pull ever only sets the baseline (a day of zeros with the follower total)."""
    stored = account.stats_snapshot or {}
    if stored.get("day") == end.isoformat():
        baseline = stored.get("baseline")
    else:
        baseline = stored.get("last")  # the latest totals before `end` began
    days = provider.account_stats(account_id=account.remote_account_id, start=start, end=end, previous=baseline or None)
    current = provider.last_snapshot.to_dict() if provider.last_snapshot is not None else None
    account.stats_snapshot = {"day": end.isoformat(), "baseline": baseline or current, "last": current}
    PublishingAccount.objects.filter(pk=account.pk).update(stats_snapshot=account.stats_snapshot)
    return days
