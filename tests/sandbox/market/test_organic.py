"""Track A: organic accounts' posts earn views, likes and followers day by day."""

import datetime as dt

import pytest

from sandbox.market.clock import market_reset
from sandbox.market.organic import organic_account_ensure, organic_daily, organic_post_register
from sandbox.models import SbOrganicAccount, SbOrganicDaily, SbOrganicPost

from .conftest import NOV_1, advance

pytestmark = pytest.mark.django_db

HOOKED = {"hook_type": "pain_point", "cta_type": "shop_now", "scene_durations": [1.0, 2.0, 2.0], "price": 25}


def test_an_account_without_posts_gets_nothing():
    organic_account_ensure(account_key="acc-1", followers=1000)

    advance(2)

    assert not organic_daily(account_key="acc-1").exists()


def test_organic_stats_grow_with_posts():
    organic_account_ensure(account_key="one-post", followers=1000)
    organic_account_ensure(account_key="five-posts", followers=1000)
    organic_post_register(account_key="one-post", post_key="p0", features=HOOKED)
    for n in range(5):
        organic_post_register(account_key="five-posts", post_key=f"p{n}", features=HOOKED)

    advance(3)

    def views(key):
        return sum(day.video_views for day in organic_daily(account_key=key))

    assert views("five-posts") > views("one-post") * 3
    days = list(organic_daily(account_key="five-posts"))
    assert [day.date for day in days] == [NOV_1 + dt.timedelta(days=n) for n in range(3)]
    assert all(day.likes > 0 and day.followers_gained > 0 for day in days)
    assert all(day.likes < day.video_views and day.shares < day.likes for day in days)


def test_a_posts_daily_views_decay_with_its_age():
    organic_account_ensure(account_key="acc", followers=0)
    organic_post_register(account_key="acc", post_key="p", features=HOOKED)

    advance(6)

    views = [day.video_views for day in organic_daily(account_key="acc")]
    assert views[0] > views[2] > views[5]
    assert SbOrganicPost.objects.get().video_views == sum(views)


def test_followers_gained_are_added_to_the_account():
    account = organic_account_ensure(account_key="acc", followers=500)
    organic_post_register(account_key="acc", post_key="p", features=HOOKED)

    advance(2)

    account.refresh_from_db()
    gained = sum(day.followers_gained for day in organic_daily(account_key="acc"))
    assert account.followers == 500 + gained > 500


def test_a_post_counts_from_the_day_it_is_posted():
    organic_post_register(account_key="acc", post_key="later", posted_on=NOV_1 + dt.timedelta(days=2))

    advance(3)

    assert [day.date for day in organic_daily(account_key="acc")] == [NOV_1 + dt.timedelta(days=2)]


def test_registering_a_post_twice_keeps_one():
    organic_post_register(account_key="acc", post_key="p")
    organic_post_register(account_key="acc", post_key="p", features=HOOKED)

    assert SbOrganicPost.objects.count() == 1


def test_reset_forgets_organic_stats_and_restores_followers():
    organic_account_ensure(account_key="acc", followers=500)
    organic_post_register(account_key="acc", post_key="p")
    advance(2)

    market_reset(start=NOV_1)

    assert not SbOrganicDaily.objects.exists() and not SbOrganicPost.objects.exists()
    assert SbOrganicAccount.objects.get().followers == 500
