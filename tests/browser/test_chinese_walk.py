"""A marketer who reads Chinese logs in and walks through the back office: no label they
navigate by is left in English. Each page's labels are read in English in a second browser
and compared, link by link, with what the Chinese page shows and the zh-hans catalog gives."""

import pytest
from django.urls import NoReverseMatch, reverse

from .conftest import PASSWORD, log_in
from .pages import english_leftovers, nav_labels

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("campaigns", "campaigns:list"),
    ("analytics", "analytics:dashboard"),
    ("optimization", "optimization:queue"),
    ("action-log", "admin:scheduler_actionlog_changelist"),
    ("admin", "admin:index"),
]


@pytest.fixture
def language():
    return "zh-hans"


def test_a_chinese_walk_shows_no_english_navigation(page, new_context, staff_user, live_server, shot):
    reference = new_context("en").new_page()

    def english(path: str) -> dict[str, str]:
        reference.goto(path)
        labels = nav_labels(reference)
        assert labels, f"no navigation label found on {path}"
        return labels

    login = reverse("admin:login")
    english_login = english(login)
    log_in(reference.context, user=staff_user, live_server=live_server)
    page.goto(login)
    found = {"login": english_leftovers(english=english_login, chinese=nav_labels(page))}
    shot(page, "01-login")

    page.fill("#id_username", staff_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(f"{live_server.url}{reverse('admin:index')}")

    for step, (name, url_name) in enumerate(PAGES, start=2):
        try:
            path = reverse(url_name)
        except NoReverseMatch:
            found[name] = {"": f"no page named {url_name}"}
            continue
        response = page.goto(path)
        assert response.status == 200 and page.locator("html").get_attribute("lang") == "zh-hans", path
        found[name] = english_leftovers(english=english(path), chinese=nav_labels(page))
        shot(page, f"{step:02d}-{name}")

    english_left = {name: leftovers for name, leftovers in found.items() if leftovers}
    assert english_left == {}, f"labels left in English on the Chinese pages: {english_left}"
