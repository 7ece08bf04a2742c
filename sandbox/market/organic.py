"""Track A: posts on the seller's own TikTok accounts, and what they earn each day.

A post's views on day `age` = (300 + 0.25 × followers) × quality × e^(−age / 2), for 30
days; likes, shares, comments and new followers are rates of the views, a little higher
for better posts. Quality is the post's creative CTR relative to the average (quality.py).
"""

from __future__ import annotations

import datetime as dt
import math

from django.db import transaction
from django.db.models import QuerySet

from sandbox.models import SbOrganicAccount, SbOrganicDaily, SbOrganicPost

from .bulk import bulk_save
from .params import MarketParams, market_params
from .rng import binomial, noise_factor, poisson, rng, stable_unit

BASE_REACH, FOLLOWER_REACH, DECAY_DAYS, MAX_AGE_DAYS = 300, 0.25, 2.0, 30
LIKE_RATE, SHARE_RATE, COMMENT_RATE, FOLLOW_RATE = 0.06, 0.004, 0.008, 0.003


def organic_account_ensure(*, account_key: str, handle: str = "", followers: int | None = None) -> SbOrganicAccount:
    account = SbOrganicAccount.objects.filter(account_key=account_key).first()
    if account is not None:
        return account
    if followers is None:
        followers = int(200 + 5000 * stable_unit("followers", account_key))
    account = SbOrganicAccount(account_key=account_key, handle=handle or account_key, followers=followers, initial_followers=followers)
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def organic_post_register(
    *, account_key: str, post_key: str, features: dict | None = None, posted_on: dt.date | None = None, handle: str = "",
) -> SbOrganicPost:
    """A video posted on an organic account: from the day it is posted (the market's today
    by default) every advanced day gives it views. Registering it again changes nothing."""
    from .clock import market_today
    from .quality import BASE_CTR, compute_truth, features_from_key, normalize_features

    account = organic_account_ensure(account_key=account_key, handle=handle)
    existing = account.posts.filter(post_key=post_key).first()
    if existing is not None:
        return existing
    clean = normalize_features(features) if features else features_from_key(post_key)
    quality = compute_truth(clean, [post_key], market_params()).ctr / BASE_CTR
    post = SbOrganicPost(account=account, post_key=post_key, posted_on=posted_on or market_today(), features=clean, quality=quality)
    post.full_clean()
    post.save()
    return post


def organic_daily(*, account_key: str, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[SbOrganicDaily]:
    rows = SbOrganicDaily.objects.filter(account__account_key=account_key)
    if start:
        rows = rows.filter(date__gte=start)
    if end:
        rows = rows.filter(date__lte=end)
    return rows.order_by("date")


def organic_advance_day(day: dt.date, params: MarketParams) -> int:
    """Deliver `day` to every live post; returns the day's organic views."""
    first_day = day - dt.timedelta(days=MAX_AGE_DAYS - 1)
    posts = list(SbOrganicPost.objects.filter(posted_on__range=(first_day, day)).select_related("account").order_by("pk"))
    days: dict[int, SbOrganicDaily] = {}
    accounts: dict[int, SbOrganicAccount] = {}
    for post in posts:
        account = accounts.setdefault(post.account_id, post.account)
        stat = days.setdefault(account.pk, SbOrganicDaily(account=account, date=day))
        r = rng(params.seed, "organic", account.account_key, post.post_key, day)
        age = (day - post.posted_on).days
        # Followers grow after the loop, so reach uses the start of the day's count whatever the order.
        expected = BASE_REACH + FOLLOWER_REACH * account.followers
        views = poisson(r, expected * post.quality * math.exp(-age / DECAY_DAYS) * noise_factor(r, params.noise))
        lift = math.sqrt(post.quality)
        likes, shares = binomial(r, views, LIKE_RATE * lift), binomial(r, views, SHARE_RATE * lift)
        comments, followers = binomial(r, views, COMMENT_RATE * lift), binomial(r, views, FOLLOW_RATE * lift)
        post.video_views += views
        post.likes += likes
        post.shares += shares
        post.comments += comments
        stat.video_views += views
        stat.likes += likes
        stat.shares += shares
        stat.comments += comments
        stat.followers_gained += followers
    for account_pk, stat in days.items():
        accounts[account_pk].followers += stat.followers_gained
    bulk_save(SbOrganicPost, posts, ["video_views", "likes", "shares", "comments"])
    bulk_save(SbOrganicAccount, accounts.values(), ["followers"])
    SbOrganicDaily.objects.bulk_create(
        days.values(), update_conflicts=True, unique_fields=["account", "date"],
        update_fields=["video_views", "likes", "shares", "comments", "followers_gained"],
    )
    return sum(stat.video_views for stat in days.values())
