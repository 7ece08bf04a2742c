"""Real-browser fixtures: one Chromium per xdist worker while browser tests run, a context per
test that can reach only the live server, a logged-in page, launched ads to look at, and
screenshots kept as artifacts under artifacts/screenshots/<test>/<step>.png."""

import datetime as dt
import os
import shutil
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client

from adloop import clock
from analytics.models import PerformanceDaily
from campaigns.models import Stage
from campaigns.services import ad_launch
from scheduler.services import Actor

CHROMIUM = "/usr/bin/chromium"  # Debian's Chromium: never a browser downloaded by `playwright install`
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CHARTJS_FILE = Path(__file__).parent / "static" / "chart.umd.min.js"  # Chart.js 4.4.1 from npm, MIT (LICENSE beside it)
# Pages load Chart.js from this made-up host, and the context's route answers with the vendored copy.
CHARTJS_URL = "https://chartjs.invalid/npm/chart.js@4.4.1/dist/chart.umd.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
# Accept-Language of the browser; LocaleMiddleware reads it when no language cookie is set.
BROWSER_LOCALES = {"en": "en-US", "zh-hans": "zh-CN", None: "fr-FR"}
PASSWORD = "browser-test-password"
_failed = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_failed] = report.failed
    return report


@pytest.fixture(scope="package")
def playwright():
    """Playwright's sync API, for as long as this package's tests run (per xdist worker).

    Its event loop stays registered as the running loop of the main thread while it is
    started, so Django's ORM in the test (and in fixtures) raises SynchronousOnlyOperation
    although nothing runs concurrently: DJANGO_ALLOW_ASYNC_UNSAFE turns that check off for
    exactly that time. Package scope rather than session scope for the same reason: a loop
    left running would also break later tests in the worker that call asyncio.run()."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as driver:
            yield driver
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _only_local(route):
    """Requests to the live server pass, Chart.js is answered from the vendored file, and
    everything else is refused: nothing a page does reaches the internet."""
    url = route.request.url
    if url == CHARTJS_URL:
        route.fulfill(path=CHARTJS_FILE, content_type="application/javascript")
    elif url.startswith(("data:", "blob:")) or urlsplit(url).hostname in LOCAL_HOSTS:
        route.continue_()
    else:
        route.abort("blockedbyclient")


@pytest.fixture
def language():
    """The language cookie each test's browser starts with (None: no cookie, and a browser
    asking for French, which adloop does not speak, so LANGUAGE_CODE decides)."""
    return "en"


@pytest.fixture
def new_context(browser, live_server, settings):
    """Open a browser context on the live server with a language cookie (or none)."""
    settings.CHARTJS_URL = CHARTJS_URL
    opened = []

    def new(language):
        context = browser.new_context(
            base_url=live_server.url, locale=BROWSER_LOCALES[language], viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(10_000)
        context.route("**/*", _only_local)
        if language:
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        opened.append(context)
        return context

    yield new
    for context in opened:
        context.close()


@pytest.fixture
def context(new_context, language):
    return new_context(language)


@pytest.fixture
def shot(request):
    """shot(page, "01-step"): a full-page PNG of the step; the test's old screenshots go first."""
    folder = SCREENSHOTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)

    def take(page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def page(context, request, shot):
    page = context.new_page()
    yield page
    if request.node.stash.get(_failed, False):
        shot(page, "failure")


@pytest.fixture
def staff_user(django_user_model, settings):
    # PBKDF2 costs about a second per hash (creating the user, then each login): a fast hasher
    # keeps the browser tests quick, and the login form works the same with either.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return django_user_model.objects.create_superuser("marketer", "marketer@example.com", PASSWORD)


def log_in(context, *, user, live_server):
    """Give the browser a session of `user` (the login form itself is tested in test_login)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def logged_in_page(page, context, staff_user, live_server):
    log_in(context, user=staff_user, live_server=live_server)
    return page


@pytest.fixture
def launched_ad(sandbox_http, advertiser, make_job):
    """An ad launched in the sandbox over HTTP, through the launching service."""

    def launch(*, stage=Stage.LAUNCH, job=None):
        return ad_launch(job=job or make_job(), advertiser=advertiser, stage=stage, budget=Decimal("50"), actor=Actor.auto())

    return launch


def perform(ad, *, days: int, spend: str = "40.00", roas: str = "2.50") -> list[PerformanceDaily]:
    """`days` days of delivery up to today; each day back spends 1.00 more, so every point differs."""
    today = clock.today()
    rows = []
    for back in range(days):
        day_spend = Decimal(spend) + back
        rows.append(PerformanceDaily.objects.create(
            ad=ad, date=today - dt.timedelta(days=back), impressions=8_000 + 500 * back, clicks=120 + back, spend=day_spend,
            conversion_value=(day_spend * Decimal(roas)).quantize(Decimal("0.01")), conversions=3, video_views=4_000,
        ))
    return rows
