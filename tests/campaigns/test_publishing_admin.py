"""Track A in admin (as a superuser): "Publish to accounts…" on video jobs with its form, the
publications list with its filters and Retry, and the accounts page (sync, connect, pull stats)."""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.urls import reverse

from analytics.models import AccountDaily
from campaigns.models import Publication, PublishingAccount
from campaigns.services.accounts import chuhaijiang_accounts_sync
from sandbox.chuhaijiang.models import SbChjPost
from sandbox.market.clock import market_reset
from sandbox.market.engine import market_advance_day
from scheduler.services import Actor

pytestmark = pytest.mark.django_db(transaction=True)

START = dt.date(2026, 3, 2)
JOBS = reverse("admin:creatives_videojob_changelist")
PUBLICATIONS = reverse("admin:campaigns_publication_changelist")
ACCOUNTS = reverse("admin:campaigns_publishingaccount_changelist")


@pytest.fixture
def chj_http(live_server, settings):
    settings.CHUHAIJIANG_MCP_URL = f"{live_server.url}/sandbox/chuhaijiang/mcp"
    settings.CHUHAIJIANG_TIMEOUT = 10
    settings.ADLOOP_CLOCK = "sandbox"
    market_reset(start=START)
    return live_server


@pytest.fixture
def accounts(chj_http):
    return sorted(chuhaijiang_accounts_sync(actor=Actor.auto()), key=lambda a: a.pk)


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("boss", "boss@example.com", "pw"))
    return client


@pytest.fixture
def job(video_job):
    video_job.script = {"ad_text": "Juice in 30 seconds", "scenes": []}
    video_job.save()
    return video_job


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_action_shows_a_form_with_the_scripts_ad_text(accounts, job, admin_client):
    assert "publish_to_accounts" in admin_client.get(JOBS).content.decode()

    response = admin_client.post(JOBS, {"action": "publish_to_accounts", ACTION_CHECKBOX_NAME: [job.pk]})

    html = response.content.decode()
    assert response.status_code == 200 and 'id="publish_to_accounts-form"' in html
    assert 'value="Juice in 30 seconds"' in html
    for account in accounts:
        assert f'value="{account.pk}"' in html
    assert 'name="rotation"' in html and 'name="hashtags"' in html and 'name="scheduled_at"' in html


def test_confirming_schedules_and_posts_on_the_chosen_accounts(accounts, job, admin_client):
    response = admin_client.post(JOBS, {
        "action": "publish_to_accounts", ACTION_CHECKBOX_NAME: [job.pk], "apply": "1",
        "accounts": [accounts[0].pk, accounts[1].pk], "rotation": "", "scheduled_at": "", "title": "", "hashtags": "blender, #kitchen",
    }, follow=True)

    assert any("scheduled on" in m for m in messages_of(response))
    publications = Publication.objects.filter(job=job).order_by("account_id")
    assert [p.account_id for p in publications] == [accounts[0].pk, accounts[1].pk]
    assert all(p.title == "Juice in 30 seconds" and p.hashtags == ["blender", "kitchen"] for p in publications)
    # Eager mode: the runs were queued after commit and posted at once, each exactly once.
    assert {p.status for p in publications} == {Publication.Status.PUBLISHED}
    assert SbChjPost.objects.count() == 2

    admin_client.post(JOBS, {  # a double submit
        "action": "publish_to_accounts", ACTION_CHECKBOX_NAME: [job.pk], "apply": "1",
        "accounts": [accounts[0].pk, accounts[1].pk], "rotation": "", "scheduled_at": "", "title": "", "hashtags": "",
    })
    assert Publication.objects.count() == 2 and SbChjPost.objects.count() == 2


def test_rotation_and_a_refusal_are_reported(accounts, job, admin_client):
    PublishingAccount.objects.filter(pk=accounts[0].pk).update(daily_post_cap=0)

    response = admin_client.post(JOBS, {
        "action": "publish_to_accounts", ACTION_CHECKBOX_NAME: [job.pk], "apply": "1",
        "accounts": [a.pk for a in accounts], "rotation": "1", "scheduled_at": "2026-03-05 09:00", "title": "Hi", "hashtags": "",
    }, follow=True)

    notes = messages_of(response)
    assert any("daily cap" in m for m in notes) and any("rotation of 1" in m for m in notes)
    [publication] = Publication.objects.all()
    assert publication.account_id == accounts[1].pk and publication.scheduled_at == dt.datetime(2026, 3, 5, 9, tzinfo=dt.UTC)
    # 出海匠 can schedule: it already holds the post for its time.
    assert publication.remote_id and SbChjPost.objects.get(post_id=publication.remote_id).scheduled_time is not None

    PublishingAccount.objects.filter(pk=accounts[1].pk).update(daily_post_cap=0)
    refused = admin_client.post(JOBS, {
        "action": "publish_to_accounts", ACTION_CHECKBOX_NAME: [job.pk], "apply": "1",
        "accounts": [accounts[0].pk], "rotation": "", "scheduled_at": "", "title": "Hi", "hashtags": "",
    }, follow=True)
    assert any("No account can take this post" in m for m in messages_of(refused))


def test_the_publications_list_filters_and_retries(accounts, job, admin_client):
    admin_client.post(JOBS, {
        "action": "publish_to_accounts", ACTION_CHECKBOX_NAME: [job.pk], "apply": "1",
        "accounts": [accounts[0].pk], "rotation": "", "scheduled_at": "", "title": "", "hashtags": "",
    })
    publication = Publication.objects.get()
    failed = Publication.objects.create(
        job=job, account=accounts[1], title="t", scheduled_at=publication.scheduled_at, status=Publication.Status.FAILED,
        idempotency_key=f"{job.job_id.hex}:{accounts[1].pk}", attempts=5, error="boom",
    )

    for query in ({}, {"status__exact": "failed"}, {"account__provider__exact": "chuhaijiang"}, {"account__id__exact": accounts[0].pk},
                  {"scheduled_at__year": "2026", "scheduled_at__month": "3"}):
        assert admin_client.get(PUBLICATIONS, query).status_code == 200
    listed = admin_client.get(PUBLICATIONS, {"status__exact": "failed"}).content.decode()
    assert f"/{failed.pk}/change/" in listed and f"/{publication.pk}/change/" not in listed

    response = admin_client.post(
        PUBLICATIONS, {"action": "retry", ACTION_CHECKBOX_NAME: [failed.pk, publication.pk]}, follow=True
    )
    assert any("scheduled again" in m for m in messages_of(response))
    failed.refresh_from_db()
    assert failed.status == Publication.Status.PUBLISHED and failed.attempts == 1
    assert SbChjPost.objects.count() == 2


def test_the_accounts_page_syncs_connects_and_pulls_stats(chj_http, job, admin_client):
    page = admin_client.get(ACCOUNTS).content.decode()
    assert reverse("campaigns:tiktok_connect_start") in page and 'id="sync-chuhaijiang"' in page

    synced = admin_client.post(reverse("admin:campaigns_publishingaccount_sync"), follow=True)
    assert any("3 出海匠 account(s) synced" in m for m in messages_of(synced))
    account = PublishingAccount.objects.order_by("pk").first()
    listed = admin_client.get(ACCOUNTS).content.decode()
    assert account.handle in listed and "active" in listed.lower()

    admin_client.post(JOBS, {
        "action": "publish_to_accounts", ACTION_CHECKBOX_NAME: [job.pk], "apply": "1",
        "accounts": [account.pk], "rotation": "", "scheduled_at": "", "title": "", "hashtags": "",
    })
    market_advance_day()
    pulled = admin_client.post(ACCOUNTS, {"action": "pull_stats_now", ACTION_CHECKBOX_NAME: [account.pk]}, follow=True)
    assert any("day(s) of stats" in m for m in messages_of(pulled))
    assert AccountDaily.objects.filter(account=account, video_views__gt=0).exists()


def test_an_account_error_shows_on_the_accounts_page(accounts, job, admin_client):
    account = accounts[0]
    account.access_token = "sk_live_wrong"
    account.save()
    admin_client.post(JOBS, {
        "action": "publish_to_accounts", ACTION_CHECKBOX_NAME: [job.pk], "apply": "1",
        "accounts": [account.pk], "rotation": "", "scheduled_at": "", "title": "", "hashtags": "",
    })

    page = admin_client.get(ACCOUNTS, {"status__exact": "error"}).content.decode()
    account.refresh_from_db()
    assert account.status == PublishingAccount.Status.ERROR and account.last_error[:30] in page
    assert Publication.objects.get().status == Publication.Status.FAILED
