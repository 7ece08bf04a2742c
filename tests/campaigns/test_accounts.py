"""Track A accounts against the sandbox over HTTP: the TikTok v2 connect flow (state, consent,
code exchange), token refresh with rotation, a refused refresh, and TikTok publishing held by
our beat task (TikTok's Content Posting API cannot schedule)."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from analytics.models import AccountDaily
from analytics.services.organic import account_stats_ingest
from campaigns.models import Publication, PublishingAccount
from campaigns.services.accounts import provider_for, tiktok_account_connect
from campaigns.services.publishing import publications_schedule
from campaigns.tasks import publish_due
from integrations.publishing import AccountError
from sandbox.market.clock import market_reset
from sandbox.market.engine import market_advance_day
from sandbox.models import SbOpenCode, SbOpenPublish, SbOpenToken
from sandbox.tiktok_open.services import open_code_issue, open_user_ensure
from scheduler.models import ActionLog
from scheduler.services import Actor

pytestmark = pytest.mark.django_db(transaction=True)

START = dt.date(2026, 3, 2)
REDIRECT = "http://testserver/campaigns/tiktok-accounts/callback/"


@pytest.fixture
def open_http(live_server, settings):
    settings.TIKTOK_OPEN_BASE_URL = f"{live_server.url}/sandbox/tiktok-open"
    settings.TIKTOK_OPEN_AUTH_URL = f"{live_server.url}/sandbox/tiktok-open/v2/auth/authorize/"
    settings.ADLOOP_CLOCK = "sandbox"
    market_reset(start=START)
    return live_server


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def tiktok_account(open_http, settings):
    """A creator connected through a real code exchange with the sandbox."""
    creator = open_user_ensure(username="juice_daily")
    scope = ",".join(settings.TIKTOK_OPEN_SCOPES)
    code = open_code_issue(user=creator, client_key=settings.TIKTOK_CLIENT_KEY, redirect_uri=REDIRECT, scope=scope)
    return tiktok_account_connect(code=code.code, redirect_uri=REDIRECT, actor=Actor.auto())


def test_the_connect_flow_stores_an_active_account_with_encrypted_tokens(open_http, admin_client):
    start = admin_client.get("/campaigns/tiktok-accounts/connect/")
    assert start.status_code == 302
    consent = urlsplit(start["Location"])
    query = parse_qs(consent.query)
    assert consent.path == "/sandbox/tiktok-open/v2/auth/authorize/" and query["state"][0]
    assert query["redirect_uri"] == [REDIRECT] and "video.publish" in query["scope"][0].split(",")

    # The creator grants access on TikTok's consent page, which sends the browser back to us.
    granted = admin_client.post(f"{consent.path}?{consent.query}", {"username": "juice_daily"})
    assert granted.status_code == 302 and granted["Location"].startswith(REDIRECT)
    back = urlsplit(granted["Location"])
    done = admin_client.get(f"{back.path}?{back.query}", follow=True)

    account = PublishingAccount.objects.get(provider="tiktok")
    assert account.status == PublishingAccount.Status.ACTIVE and account.handle == "juice_daily"
    assert account.access_token.startswith("act.") and account.refresh_token.startswith("rft.")
    assert account.token_expires_at > timezone.now() + dt.timedelta(hours=1)
    assert account.refresh_expires_at > timezone.now() + dt.timedelta(days=100)
    assert "video.publish" in account.scope
    assert "Connected TikTok account" in done.content.decode()
    assert ActionLog.objects.get(action="publishing_account_connect").remote_id == account.remote_account_id
    # Encrypted at rest: the column does not hold the token itself.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM campaigns_publishingaccount WHERE id = %s", [account.pk])
        assert "act." not in cursor.fetchone()[0]


def test_a_callback_with_a_wrong_state_connects_nothing(open_http, admin_client, settings):
    admin_client.get("/campaigns/tiktok-accounts/connect/")
    creator = open_user_ensure(username="intruder")
    code = open_code_issue(user=creator, client_key=settings.TIKTOK_CLIENT_KEY, redirect_uri=REDIRECT, scope="video.publish")

    response = admin_client.get("/campaigns/tiktok-accounts/callback/", {"code": code.code, "state": "forged"}, follow=True)

    assert "did not match" in response.content.decode()
    assert not PublishingAccount.objects.exists()
    assert SbOpenCode.objects.get(pk=code.pk).used_at is None  # never even exchanged


def test_a_denied_consent_is_reported(open_http, admin_client):
    admin_client.get("/campaigns/tiktok-accounts/connect/")
    state = admin_client.session["tiktok_v2_oauth_state"]

    response = admin_client.get("/campaigns/tiktok-accounts/callback/", {"error": "access_denied", "state": state}, follow=True)

    assert "did not grant access" in response.content.decode() and not PublishingAccount.objects.exists()


def test_a_token_close_to_expiry_is_refreshed_and_the_newest_refresh_token_kept(tiktok_account):
    old_access, old_refresh = tiktok_account.access_token, tiktok_account.refresh_token
    PublishingAccount.objects.filter(pk=tiktok_account.pk).update(token_expires_at=timezone.now() + dt.timedelta(minutes=5))
    tiktok_account.refresh_from_db()

    provider = provider_for(tiktok_account)

    stored = PublishingAccount.objects.get(pk=tiktok_account.pk)
    assert stored.access_token != old_access and stored.refresh_token != old_refresh
    assert stored.token_expires_at > timezone.now() + dt.timedelta(hours=1)
    assert SbOpenToken.objects.get(refresh_token=old_refresh).refreshed_at is not None  # the old one is spent
    assert provider.accounts()[0].account_id == stored.remote_account_id  # the new token works
    assert ActionLog.objects.filter(action="token_refresh", object_pk=stored.pk).count() == 1

    provider_for(stored)  # two hours left: no refresh
    assert PublishingAccount.objects.get(pk=stored.pk).refresh_token == stored.refresh_token


def test_a_refused_refresh_marks_the_account_error(tiktok_account):
    PublishingAccount.objects.filter(pk=tiktok_account.pk).update(token_expires_at=timezone.now() - dt.timedelta(minutes=1))
    SbOpenToken.objects.update(revoked=True)
    tiktok_account.refresh_from_db()

    with pytest.raises(AccountError):
        provider_for(tiktok_account)

    stored = PublishingAccount.objects.get(pk=tiktok_account.pk)
    assert stored.status == PublishingAccount.Status.ERROR and "invalid" in stored.last_error.lower()


def test_a_tiktok_post_is_held_by_the_beat_task_until_its_time_then_finished(tiktok_account, video_job):
    when = dt.datetime.combine(START + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)
    [publication] = publications_schedule(
        job=video_job, accounts=[tiktok_account], title="Fresh juice anywhere", hashtags=["blender"], scheduled_at=when,
        rotation=None, actor=Actor.auto(),
    )

    assert publish_due()["due"] == 0 and not SbOpenPublish.objects.exists()
    market_advance_day()
    publish_due()
    publish_due()  # a post still processing is finished by the next run

    done = Publication.objects.get(pk=publication.pk)
    assert done.status == Publication.Status.PUBLISHED and done.remote_id and done.attempts == 1
    assert SbOpenPublish.objects.count() == 1
    publish_due()
    assert SbOpenPublish.objects.count() == 1


def test_tiktok_stats_are_days_from_display_api_totals(tiktok_account, video_job):
    first = account_stats_ingest(account=tiktok_account)  # the baseline
    assert first.days == 1 and AccountDaily.objects.get(account=tiktok_account).video_views == 0

    [publication] = publications_schedule(
        job=video_job, accounts=[tiktok_account], title="Fresh juice", hashtags=[], scheduled_at=None, rotation=None, actor=Actor.auto(),
    )
    publish_due()
    publish_due()
    assert Publication.objects.get(pk=publication.pk).status == Publication.Status.PUBLISHED
    market_advance_day()
    market_advance_day()
    account_stats_ingest(account=PublishingAccount.objects.get(pk=tiktok_account.pk))
    again = account_stats_ingest(account=PublishingAccount.objects.get(pk=tiktok_account.pk))  # a second pull the same day

    rows = AccountDaily.objects.filter(account=tiktok_account).order_by("date")
    assert again.updated == 1 and rows.count() == 2
    assert rows.last().video_views > 0
