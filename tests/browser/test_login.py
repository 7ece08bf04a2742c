"""Logging in through the admin's login form lands on the back office, with the user's session
in the database; a wrong password does not log in."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from playwright.sync_api import expect

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sessions_of(user) -> list[Session]:
    return [session for session in Session.objects.all() if session.get_decoded().get("_auth_user_id") == str(user.pk)]


def test_logging_in_through_the_form_lands_on_the_back_office(page, staff_user, shot, live_server, settings):
    page.goto("/")

    # Every page needs a login: the visitor is sent to the login form, which keeps where they were going.
    expect(page).to_have_url(f"{live_server.url}{reverse('admin:login')}?next=/")
    expect(page.locator("#login-form")).to_be_visible()
    shot(page, "01-login-form")

    page.fill("#id_username", staff_user.username)
    page.fill("#id_password", "not the password")
    page.click("#login-form [type=submit]")

    expect(page.locator(".errornote")).to_be_visible()
    assert page.url.startswith(f"{live_server.url}{reverse('admin:login')}") and sessions_of(staff_user) == []
    shot(page, "02-wrong-password")

    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")

    expect(page).to_have_url(f"{live_server.url}{reverse('admin:index')}")  # the root leads to the back office
    expect(page.locator("#user-tools")).to_contain_text(staff_user.username)
    expect(page.locator("#content-main .app-campaigns")).to_be_visible()
    shot(page, "03-back-office")
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    [session] = sessions_of(staff_user)
    staff_user.refresh_from_db()
    assert session.session_key == cookie["value"] and staff_user.last_login is not None
