"""Every URL pattern needs a login, except the sandbox's TikTok API (which checks TikTok's
Access-Token header, as TikTok does) and the sandbox's stand-in for TikTok's consent page."""

import re

import pytest
from django.contrib.admindocs.views import extract_views_from_urlpatterns, simplify_regex
from django.urls import get_resolver

pytestmark = pytest.mark.django_db

# The Ark stand-in checks its Bearer key as Ark does; its file URLs stand for signed storage URLs.
# The stand-ins' APIs check their own tokens and keys, as the real services do; their consent
# pages (/sandbox/tiktok-open/v2/auth/) stay behind the login.
PUBLIC_PREFIXES = (
    "/sandbox/tiktok/open_api/", "/sandbox/tiktok/portal/", "/sandbox/ark/", "/i18n/", "/sandbox/chuhaijiang/mcp",
)
PUBLIC_API_PREFIXES = ("/sandbox/tiktok-open/v2/",)


def all_paths():
    paths = set()
    for _func, regex, _namespace, _name in extract_views_from_urlpatterns(get_resolver().url_patterns):
        path = simplify_regex(regex)
        paths.add(re.sub(r"<[^>]+>", "1", path))
    return sorted(paths)


@pytest.mark.parametrize("path", all_paths())
def test_every_page_requires_login(client, path):
    response = client.get(path)

    if path.startswith(PUBLIC_API_PREFIXES) and not path.startswith("/sandbox/tiktok-open/v2/auth/"):
        assert response.status_code != 302 or "/login/" not in response.get("Location", "")
    elif path.startswith(PUBLIC_PREFIXES):
        assert response.status_code != 302 or "/login/" not in response.get("Location", "")
    elif path.startswith("/api/"):
        assert response.status_code in (302, 401, 404, 405), path
        if response.status_code == 302:
            assert "/login/" in response["Location"]
    elif path == "/admin/login/" or path.startswith("/admin/password_reset") or path == "/admin/logout/":
        assert response.status_code in (200, 302, 405)
    else:
        assert response.status_code == 302, f"{path} answered {response.status_code} to an anonymous visitor"
        assert "/login/" in response["Location"], path


def test_the_sandbox_api_answers_without_a_login_but_checks_the_access_token(client):
    response = client.get("/sandbox/tiktok/open_api/v1.3/campaign/get/", {"advertiser_id": "1"})

    assert response.status_code == 200
    assert response.json()["code"] == 40104
