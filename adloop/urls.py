from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import set_language
from django.views.static import serve

from .api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # The language switch works on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("analytics/", include("analytics.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("optimization/", include("optimization.urls")),
    path("sandbox/", include("sandbox.urls")),
]
# Videos and covers are served to logged-in users only (the login middleware covers this
# view), in production too; a reverse proxy may take this over for speed.
urlpatterns += [
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]
