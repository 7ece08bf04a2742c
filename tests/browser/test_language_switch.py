"""The language switch in the page header: from the zh-hans default to English and back, the
page's language, its labels and the remembered choice (the django_language cookie) follow."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .pages import translated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def language():
    return None  # no cookie, and a browser asking for a language adloop lacks: the default decides


def switch_to(page, code: str) -> None:
    page.select_option("#language-select", code)
    page.locator("form:has(#language-select) [type=submit]").click()


def cookie(page, settings) -> str | None:
    return next((c["value"] for c in page.context.cookies() if c["name"] == settings.LANGUAGE_COOKIE_NAME), None)


def test_switching_to_english_and_back_changes_the_page_and_is_remembered(logged_in_page, settings, shot, live_server):
    settings.LANGUAGE_CODE = "zh-hans"
    page = logged_in_page
    dashboard = reverse("analytics:dashboard")
    nav_label = page.locator(f'nav.mainnav a[href="{dashboard}"]')
    chinese = translated("Analytics", "zh-hans")
    if (Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.mo").exists():
        assert chinese != "Analytics", "the zh-hans catalog does not translate the nav label"

    page.goto(dashboard)

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#language-select")).to_have_value("zh-hans")
    expect(nav_label).to_have_text(chinese)
    assert cookie(page, settings) is None
    shot(page, "01-default-chinese")

    switch_to(page, "en")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}{dashboard}")  # back on the page it was switched from
    expect(nav_label).to_have_text(translated("Analytics", "en"))
    expect(page.locator("#language-select")).to_have_value("en")
    assert cookie(page, settings) == "en"
    shot(page, "02-english")

    page.reload()  # the choice is remembered

    expect(page.locator("html")).to_have_attribute("lang", "en")

    switch_to(page, "zh-hans")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(nav_label).to_have_text(chinese)
    assert cookie(page, settings) == "zh-hans"
    shot(page, "03-back-to-chinese")
