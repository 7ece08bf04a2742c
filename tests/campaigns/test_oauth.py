"""Connecting an advertiser: our redirect, the sandbox's consent page, the callback."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.urls import reverse

from campaigns.models import AdvertiserAccount
from sandbox import services as sandbox
from scheduler.models import ActionLog

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("marketer", password="pw", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_connecting_an_advertiser_runs_the_oauth_redirect_and_stores_an_encrypted_token(sandbox_http, staff_client, sandbox_app):
    remote = sandbox.sandbox_advertiser_create(app=sandbox_app, name="Shop A")

    start = staff_client.get(reverse("campaigns:oauth_start"))
    assert start.status_code == 302
    auth_url = urlparse(start["Location"])
    query = parse_qs(auth_url.query)
    assert auth_url.path == "/sandbox/tiktok/portal/auth"
    state = query["state"][0]

    consent = staff_client.get(f"{auth_url.path}?{auth_url.query}")
    assert consent.status_code == 200 and "Shop A" in consent.content.decode()
    granted = staff_client.post(f"{auth_url.path}?{auth_url.query}", {"advertiser_ids": [remote.advertiser_id]})
    assert granted.status_code == 302
    callback = urlparse(granted["Location"])
    assert parse_qs(callback.query)["state"] == [state]

    done = staff_client.get(f"{callback.path}?{callback.query}", follow=True)

    account = AdvertiserAccount.objects.get(advertiser_id=remote.advertiser_id)
    assert account.status == AdvertiserAccount.Status.CONNECTED and account.name == "Shop A"
    assert "Shop A" in done.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM campaigns_advertiseraccount WHERE id = %s", [account.pk])
        raw = cursor.fetchone()[0]
    assert account.access_token and account.access_token not in raw
    assert raw.startswith("gAAAA")  # a Fernet token
    entry = ActionLog.objects.get(action="advertiser_connect")
    assert entry.remote_id == remote.advertiser_id and entry.remote_request_id


def test_a_callback_with_a_foreign_state_connects_nothing(sandbox_http, staff_client, sandbox_app):
    staff_client.get(reverse("campaigns:oauth_start"))

    response = staff_client.get(reverse("campaigns:oauth_callback"), {"state": "forged", "auth_code": "x"}, follow=True)

    assert not AdvertiserAccount.objects.exists()
    assert "did not match" in response.content.decode()


def test_an_auth_code_works_once(sandbox_http, staff_client, sandbox_app):
    remote = sandbox.sandbox_advertiser_create(app=sandbox_app, name="Shop B")
    start = urlparse(staff_client.get(reverse("campaigns:oauth_start"))["Location"])
    granted = urlparse(staff_client.post(f"{start.path}?{start.query}", {"advertiser_ids": [remote.advertiser_id]})["Location"])
    staff_client.get(f"{granted.path}?{granted.query}")
    AdvertiserAccount.objects.all().delete()

    # Replaying the callback: the state is spent and the code too.
    response = staff_client.get(f"{granted.path}?{granted.query}", follow=True)

    assert not AdvertiserAccount.objects.exists()
    assert "did not match" in response.content.decode()


def test_connect_requires_staff(client):
    response = client.get(reverse("campaigns:oauth_start"))
    assert response.status_code == 302 and "/login/" in response["Location"]
