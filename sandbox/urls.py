from django.urls import include, path, re_path

from .tiktok import urls as tiktok_urls
from .tiktok.api import not_found
from .tiktok.portal import portal_auth

app_name = "sandbox"
urlpatterns = [
    # TikTok's consent page lives outside /open_api/ and has no trailing slash.
    path("tiktok/portal/auth", portal_auth, name="tiktok-portal-auth"),
    path("tiktok/open_api/v1.3/", include(tiktok_urls.urlpatterns)),
    re_path(r"^tiktok/open_api/", not_found, name="tiktok-not-found"),
    path("ark/", include("sandbox.ark.urls")),
    path("tiktok-open/v2/", include("sandbox.tiktok_open.urls")),
    path("chuhaijiang/", include("sandbox.chuhaijiang.urls")),
]
