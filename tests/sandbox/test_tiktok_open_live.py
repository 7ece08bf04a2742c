"""The production client (integrations.tiktok_content) against the v2 stand-in over real HTTP."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from integrations.publishing import AccountError, PostRequest, PublishStatus
from integrations.tiktok_content import TikTokContentProvider, authorization_url, token_exchange, token_refresh
from sandbox.market.clock import market_today
from sandbox.market.engine import market_advance_day
from sandbox.models import SbOpenPublish, SbOrganicPost

pytestmark = pytest.mark.django_db(transaction=True)

CALLBACK = "https://adloop.example.com/accounts/tiktok/callback"


@pytest.fixture
def open_base(live_server) -> str:
    return f"{live_server.url}/sandbox/tiktok-open"


@pytest.fixture
def tokens(open_base, admin_client, settings):
    """Connect a creator as adloop does: the consent page (logged in), then the code exchange."""
    link = authorization_url(f"{open_base}/v2/auth/authorize/", settings.TIKTOK_CLIENT_KEY, CALLBACK, "st-1", settings.TIKTOK_OPEN_SCOPES)
    parts = urlsplit(link)
    response = admin_client.post(f"{parts.path}?{parts.query}", {"username": "live_creator"})
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["state"] == ["st-1"]
    return token_exchange(open_base, settings.TIKTOK_CLIENT_KEY, settings.TIKTOK_CLIENT_SECRET, query["code"][0], CALLBACK)


def test_connect_then_refresh_rotates_and_the_old_refresh_token_is_refused(open_base, tokens, settings):
    assert tokens.expires_in == 7200 and "video.publish" in tokens.scopes
    fresh = token_refresh(open_base, settings.TIKTOK_CLIENT_KEY, settings.TIKTOK_CLIENT_SECRET, tokens.refresh_token)
    assert fresh.refresh_token != tokens.refresh_token and fresh.open_id == tokens.open_id
    with pytest.raises(AccountError) as caught:
        token_refresh(open_base, settings.TIKTOK_CLIENT_KEY, settings.TIKTOK_CLIENT_SECRET, tokens.refresh_token)
    assert caught.value.code == "invalid_grant"
    provider = TikTokContentProvider(open_base, fresh.access_token, fresh.open_id)
    [account] = provider.accounts()
    assert (account.account_id, account.handle) == (tokens.open_id, "live_creator") and account.followers > 0


def test_publish_a_real_mp4_end_to_end_then_stats_show_views(open_base, tokens, demo_mp4):
    provider = TikTokContentProvider(open_base, tokens.access_token, tokens.open_id)
    baseline = provider.account_stats(account_id=tokens.open_id, start=market_today(), end=market_today())
    assert baseline[0].video_views == 0
    previous = provider.last_snapshot.to_dict()

    result = provider.publish(PostRequest(account_id=tokens.open_id, video_path=demo_mp4, title="Fresh juice", hashtags=["blender"]))

    assert result.status == PublishStatus.PUBLISHED and result.post_id
    publish = SbOpenPublish.objects.get(publish_id=result.remote_id)
    assert publish.title == "Fresh juice #blender" and publish.privacy_level == "PUBLIC_TO_EVERYONE"
    assert open(publish.video.path, "rb").read() == demo_mp4.read_bytes()
    assert provider.publish_status(account_id=tokens.open_id, remote_id=result.remote_id).post_id == result.post_id
    assert SbOrganicPost.objects.filter(post_key=result.post_id).exists()

    day = market_advance_day().date
    [stats] = provider.account_stats(account_id=tokens.open_id, start=day, end=day, previous=previous)
    post = SbOrganicPost.objects.get(post_key=result.post_id)
    assert stats.date == day and stats.video_views == post.video_views > 0
    assert (stats.likes, stats.shares, stats.comments) == (post.likes, post.shares, post.comments)
    assert stats.followers == post.account.followers and stats.followers_gained == post.account.followers - post.account.initial_followers


def test_a_burst_of_seven_publishes_waits_instead_of_failing(open_base, tokens, demo_mp4):
    """The sandbox's 6 inits per minute meet the client's own window: the 7th waits (fake clock
    for the client; the sandbox's window is moved back in the database to stand for that wait)."""
    from django.utils import timezone

    from sandbox.models import SbOpenCall

    now = [0.0]

    def sleep(seconds):
        now[0] += seconds
        SbOpenCall.objects.update(at=timezone.now() - dt.timedelta(seconds=61))  # the minute has passed

    provider = TikTokContentProvider(open_base, tokens.access_token, tokens.open_id, clock=lambda: now[0], sleep=sleep)
    results = [provider.publish(PostRequest(account_id=tokens.open_id, video_path=demo_mp4, title=f"take {i}")) for i in range(7)]
    assert [r.status for r in results] == [PublishStatus.PUBLISHED] * 7
    assert now[0] == pytest.approx(60.0)
