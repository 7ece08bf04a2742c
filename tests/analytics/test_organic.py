"""Organic stats (track A): 出海匠's social_analytics over MCP into AccountDaily, re-runs never
duplicate, the beat task fans out per active account, and the analytics page shows them."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from analytics.models import AccountDaily
from analytics.services.organic import account_stats_ingest
from analytics.tasks import pull_account_stats
from campaigns.models import PublishingAccount
from campaigns.services.accounts import chuhaijiang_accounts_sync
from campaigns.services.publishing import publication_run, publications_schedule
from sandbox.market.clock import market_reset
from sandbox.market.engine import market_advance_day
from sandbox.models import SbOrganicDaily
from scheduler.services import Actor

pytestmark = pytest.mark.django_db(transaction=True)

START = dt.date(2026, 3, 2)


@pytest.fixture
def accounts(live_server, settings):
    settings.CHUHAIJIANG_MCP_URL = f"{live_server.url}/sandbox/chuhaijiang/mcp"
    settings.CHUHAIJIANG_TIMEOUT = 10
    settings.ADLOOP_CLOCK = "sandbox"
    market_reset(start=START)
    return sorted(chuhaijiang_accounts_sync(actor=Actor.auto()), key=lambda a: a.pk)


@pytest.fixture
def posted(accounts, video_job):
    """The video posted on the first account, then three market days delivered."""
    [publication] = publications_schedule(
        job=video_job, accounts=accounts[:1], title="Fresh juice", hashtags=["blender"], scheduled_at=None, rotation=None,
        actor=Actor.auto(),
    )
    publication_run(publication=publication)
    for _ in range(3):
        market_advance_day()
    return accounts[0]


def test_stats_are_upserted_per_account_and_day(posted):
    result = account_stats_ingest(account=posted, start=START, end=START + dt.timedelta(days=2))

    rows = {row.date: row for row in AccountDaily.objects.filter(account=posted)}
    market = {row.date: row for row in SbOrganicDaily.objects.filter(account__account_key=posted.remote_account_id)}
    assert result.created == len(market) == 3 and set(rows) == set(market)
    for day, row in rows.items():
        assert (row.video_views, row.likes, row.shares, row.comments, row.followers_gained) == (
            market[day].video_views, market[day].likes, market[day].shares, market[day].comments, market[day].followers_gained
        )
    assert sum(row.video_views for row in rows.values()) > 0

    again = account_stats_ingest(account=posted, start=START, end=START + dt.timedelta(days=2))
    assert (again.created, again.updated) == (0, 3)
    assert AccountDaily.objects.filter(account=posted).count() == 3


def test_the_beat_task_pulls_every_active_account(posted, accounts):
    PublishingAccount.objects.filter(pk=accounts[2].pk).update(status=PublishingAccount.Status.DISABLED)

    assert pull_account_stats() == 2
    assert AccountDaily.objects.filter(account=posted).exists()
    assert not AccountDaily.objects.filter(account=accounts[2]).exists()


def test_the_task_is_seeded_beside_the_report_pull():
    call_command("setup_periodic_tasks")

    stats = PeriodicTask.objects.get(name="Pull organic account stats")
    assert stats.task == "analytics.pull_account_stats"
    assert (stats.interval.every, stats.interval.period) == (6, IntervalSchedule.HOURS) and 0 < stats.expire_seconds < 6 * 3600
    publish = PeriodicTask.objects.get(name="Publish due posts")
    assert publish.task == "campaigns.publish_due"
    assert (publish.interval.every, publish.interval.period) == (5, IntervalSchedule.MINUTES) and 0 < publish.expire_seconds < 300


def test_the_analytics_page_shows_the_organic_stats(posted, client):
    account_stats_ingest(account=posted, start=START, end=START + dt.timedelta(days=2))
    rows = AccountDaily.objects.filter(account=posted)
    views = sum(rows.values_list("video_views", flat=True))
    client.force_login(get_user_model().objects.create_user("ana", password="x", is_staff=True))

    response = client.get(reverse("analytics:dashboard"), {"days": 7})

    html = response.content.decode()
    section = html[html.index('id="organic"'):]
    row = section[section.index(f'data-account="{posted.pk}"'):]
    assert posted.handle in row[:300]
    shown = {
        # Followers gained can be negative (unfollows): keep the sign.
        col: int(re.sub(r"[^\d-]", "", re.search(rf'data-col="{col}">(-?[\d,.\s]+)<', row).group(1)))
        for col in ("views", "likes", "shares", "comments", "followers")
    }
    assert shown == {
        "views": views, "likes": sum(r.likes for r in rows), "shares": sum(r.shares for r in rows),
        "comments": sum(r.comments for r in rows), "followers": sum(r.followers_gained for r in rows),
    }
    assert views > 0 and shown["shares"] + shown["comments"] > 0
    organic = response.context["data"]["organic"]
    assert sum(organic["views"]) == views
