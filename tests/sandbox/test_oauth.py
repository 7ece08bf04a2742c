"""The consent page, the auth_code → token exchange, and the authorized-accounts list."""

import datetime as dt
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from sandbox import services
from sandbox.models import SbApp, SbAuthCode

from .conftest import PREFIX, Api

pytestmark = pytest.mark.django_db

PORTAL = "/sandbox/tiktok/portal/auth"


def portal_url(app_id: str, redirect_uri: str = "https://adloop.example.com/oauth/callback?next=home", state: str = "s-123") -> str:
    return f"{PORTAL}?{urlencode({'app_id': app_id, 'state': state, 'redirect_uri': redirect_uri})}"


def authorize(client, app_id: str, advertiser_ids: list[str]) -> dict:
    response = client.post(portal_url(app_id), {"advertiser_ids": advertiser_ids})
    assert response.status_code == 302
    return parse_qs(urlsplit(response["Location"]).query)


def exchange(client, app: SbApp, auth_code: str, secret: str | None = None) -> dict:
    body = {"app_id": app.app_id, "secret": secret if secret is not None else app.secret, "auth_code": auth_code}
    return client.post(PREFIX + "oauth2/access_token/", body, content_type="application/json").json()


def test_the_consent_page_lists_the_apps_advertisers_checked(client, sb_app, sb_advertiser):
    response = client.get(portal_url(sb_app.app_id))

    page = response.content.decode()
    assert response.status_code == 200
    assert f"Authorize {sb_app.name} to manage your ad accounts" in page
    assert "Test Shop" in page
    assert f'value="{sb_advertiser.advertiser_id}" checked' in page
    assert "csrfmiddlewaretoken" in page


def test_a_fresh_install_gets_a_demo_advertiser_to_authorize(client, settings):
    response = client.get(portal_url(settings.TIKTOK_APP_ID))

    assert response.status_code == 200 and "adloop Demo Shop" in response.content.decode()


def test_the_consent_page_refuses_an_unknown_app_with_400(client, sb_app):
    response = client.get(portal_url("123"))

    assert response.status_code == 400 and "does not exist" in response.content.decode()


def test_the_consent_page_refuses_a_relative_redirect_uri(client, sb_app):
    assert client.get(portal_url(sb_app.app_id, redirect_uri="/callback")).status_code == 400


def test_authorizing_redirects_with_auth_code_and_state_keeping_the_query(client, sb_app, sb_advertiser):
    response = client.post(portal_url(sb_app.app_id), {"advertiser_ids": [sb_advertiser.advertiser_id]})

    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert response.status_code == 302
    assert (location.scheme, location.netloc, location.path) == ("https", "adloop.example.com", "/oauth/callback")
    assert query["state"] == ["s-123"] and query["next"] == ["home"]
    code = SbAuthCode.objects.get(code=query["auth_code"][0])
    assert list(code.advertisers.all()) == [sb_advertiser]
    assert dt.timedelta(minutes=59) < code.expires_at - timezone.now() <= dt.timedelta(hours=1)


def test_authorizing_nothing_shows_the_page_again(client, sb_app, sb_advertiser):
    response = client.post(portal_url(sb_app.app_id), {})

    assert response.status_code == 200 and "Select at least one ad account" in response.content.decode()
    assert not SbAuthCode.objects.exists()


def test_the_consent_form_is_csrf_protected(sb_app, sb_advertiser):
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(portal_url(sb_app.app_id), {"advertiser_ids": [sb_advertiser.advertiser_id]})

    assert response.status_code == 403


def test_an_auth_code_buys_a_token_once_then_40110(client, sb_app, sb_advertiser):
    code = authorize(client, sb_app.app_id, [sb_advertiser.advertiser_id])["auth_code"][0]

    first = exchange(client, sb_app, code)
    second = exchange(client, sb_app, code)

    assert first["code"] == 0
    assert first["data"]["advertiser_ids"] == [sb_advertiser.advertiser_id]
    assert all(isinstance(scope, int) for scope in first["data"]["scope"])
    assert second["code"] == 40110 and second["data"] == {}
    token = first["data"]["access_token"]
    assert Api(client, token).get("campaign/get/", advertiser_id=sb_advertiser.advertiser_id)["code"] == 0


def test_an_expired_auth_code_is_40110(client, sb_app, sb_advertiser):
    code = services.sandbox_auth_code_issue(app=sb_app, advertisers=[sb_advertiser])
    SbAuthCode.objects.filter(pk=code.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert exchange(client, sb_app, code.code)["code"] == 40110


def test_a_wrong_secret_is_40101_and_leaves_the_code_usable(client, sb_app, sb_advertiser):
    code = services.sandbox_auth_code_issue(app=sb_app, advertisers=[sb_advertiser])

    assert exchange(client, sb_app, code.code, secret="wrong")["code"] == 40101
    assert exchange(client, sb_app, code.code)["code"] == 0


def test_the_exchange_requires_its_fields(client, sb_app):
    body = client.post(PREFIX + "oauth2/access_token/", {"app_id": sb_app.app_id}, content_type="application/json").json()

    assert body["code"] == 40002


def test_a_token_covers_only_the_advertisers_authorized(client, sb_app, sb_advertiser):
    other = services.sandbox_advertiser_create(app=sb_app, name="Not chosen")
    code = authorize(client, sb_app.app_id, [sb_advertiser.advertiser_id])["auth_code"][0]
    token = exchange(client, sb_app, code)["data"]["access_token"]

    assert Api(client, token).get("campaign/get/", advertiser_id=other.advertiser_id)["code"] == 40001


def test_the_authorized_accounts_list_needs_the_apps_secret(api, sb_app, sb_advertiser):
    ok = api.get("oauth2/advertiser/get/", app_id=sb_app.app_id, secret=sb_app.secret)
    wrong = api.get("oauth2/advertiser/get/", app_id=sb_app.app_id, secret="nope")

    assert ok["data"] == {"list": [{"advertiser_id": sb_advertiser.advertiser_id, "advertiser_name": "Test Shop"}]}
    assert wrong["code"] == 40101
