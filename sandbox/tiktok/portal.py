"""The stand-in for TikTok's advertiser consent page (`/portal/auth`).

It keeps Django's CSRF check although it plays TikTok's own site: the POST hands out a
credential, and the form is rendered by this same origin, so the check costs nothing and
stops another site from making a visitor's browser mint auth codes.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sandbox.models import SbApp
from sandbox.services import sandbox_auth_code_issue, sandbox_default_setup


def _with_query(url: str, **params: str) -> str:
    """`url` with params appended, keeping the query it already has."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode(query + list(params.items()))))


def _error(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "sandbox/portal_auth.html", {"fatal": message}, status=400)


@login_not_required
@require_http_methods(["GET", "POST"])
def portal_auth(request: HttpRequest) -> HttpResponse:
    sandbox_default_setup()
    app_id, state = request.GET.get("app_id", ""), request.GET.get("state", "")
    redirect_uri = request.GET.get("redirect_uri", "")
    app = SbApp.objects.filter(app_id=app_id).first()
    if app is None:
        return _error(request, _("The app %(app)s does not exist.") % {"app": app_id or _("(none)")})
    if urlsplit(redirect_uri).scheme not in ("http", "https") or not urlsplit(redirect_uri).netloc:
        return _error(request, _("redirect_uri must be an absolute http or https URL."))
    advertisers = list(app.advertisers.order_by("pk"))
    error = ""
    if request.method == "POST":
        chosen_ids = set(request.POST.getlist("advertiser_ids"))
        chosen = [a for a in advertisers if a.advertiser_id in chosen_ids]
        if chosen:
            code = sandbox_auth_code_issue(app=app, advertisers=chosen, redirect_uri=redirect_uri)
            return redirect(_with_query(redirect_uri, auth_code=code.code, state=state))
        error = _("Select at least one ad account.")
    context = {"app": app, "advertisers": advertisers, "redirect_host": urlsplit(redirect_uri).netloc, "error": error}
    return render(request, "sandbox/portal_auth.html", context)
