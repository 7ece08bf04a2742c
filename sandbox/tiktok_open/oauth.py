"""Login Kit v2: the consent page (`/v2/auth/authorize/`, behind the adloop login: it is where a
person grants access) and the form-encoded token endpoint (`/v2/oauth/token/`).

The sandbox knows one app: settings.TIKTOK_CLIENT_KEY / TIKTOK_CLIENT_SECRET. Token errors use the
OAuth shape `{error, error_description, log_id}` with HTTP 400 (TikTok's own shape is unconfirmed).
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from sandbox.models import SbOpenCode, SbOpenToken, SbOpenUser

from .api import log_id
from .services import SCOPES, open_code_issue, open_token_issue, open_user_ensure, token_json


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode(query + list(params.items()), safe=",")))


def _page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    return render(request, "sandbox/open_authorize.html", context, status=status)


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    client_key, state = request.GET.get("client_key", ""), request.GET.get("state", "")
    redirect_uri, response_type = request.GET.get("redirect_uri", ""), request.GET.get("response_type", "")
    scopes = [s.strip() for s in request.GET.get("scope", "").split(",") if s.strip()]
    parts = urlsplit(redirect_uri)
    fatal = ""
    if client_key != settings.TIKTOK_CLIENT_KEY:
        fatal = _("client_key %(key)s is not a registered app.") % {"key": client_key or _("(none)")}
    elif response_type != "code":
        fatal = _("response_type must be code.")
    elif parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment or len(redirect_uri) >= 512:
        fatal = _("redirect_uri must be an absolute http(s) URL without a fragment, shorter than 512 characters.")
    elif not scopes or set(scopes) - set(SCOPES):
        fatal = _("scope must be a comma-separated list of %(scopes)s.") % {"scopes": ", ".join(SCOPES)}
    if fatal:
        return _page(request, {"fatal": fatal}, status=400)
    username, error = request.user.get_username() or "adloop_creator", ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip().lstrip("@")
        if username and len(username) <= 100:
            user = open_user_ensure(username=username, is_private=bool(request.POST.get("is_private")))
            code = open_code_issue(user=user, client_key=client_key, redirect_uri=redirect_uri, scope=",".join(scopes))
            return redirect(_with_query(redirect_uri, code=code.code, scopes=code.scope, state=state))
        error = _("Enter a username.")
    context = {"client_key": client_key, "scopes": scopes, "redirect_host": parts.netloc, "username": username, "error": error,
               "creators": SbOpenUser.objects.order_by("username")[:20]}
    return _page(request, context)


def _oauth_error(error: str, description: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description, "log_id": log_id()}, status=status)


@login_not_required
@csrf_exempt
def token(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.content_type.startswith("application/x-www-form-urlencoded"):
        return _oauth_error("invalid_request", "Content-Type must be application/x-www-form-urlencoded.")
    form = request.POST
    if form.get("client_key") != settings.TIKTOK_CLIENT_KEY or form.get("client_secret") != settings.TIKTOK_CLIENT_SECRET:
        return _oauth_error("invalid_client", "Client key or secret is incorrect.", status=401)
    grant_type, now = form.get("grant_type", ""), timezone.now()
    if grant_type == "authorization_code":
        code = SbOpenCode.objects.filter(code=form.get("code", ""), client_key=form["client_key"]).select_related("user").first()
        if code is None or code.redirect_uri != form.get("redirect_uri", ""):
            return _oauth_error("invalid_grant", "Authorization code is invalid or the redirect_uri does not match.")
        # A conditional UPDATE: two racing exchanges of one code cannot both win.
        if not SbOpenCode.objects.filter(pk=code.pk, used_at=None, expires_at__gt=now).update(used_at=now):
            return _oauth_error("invalid_grant", "Authorization code is expired or has been used.")
        issued = open_token_issue(user=code.user, client_key=code.client_key, scope=code.scope)
    elif grant_type == "refresh_token":
        old = SbOpenToken.objects.filter(refresh_token=form.get("refresh_token", ""), client_key=form["client_key"]).first()
        # Rotation: a refresh token works once; the pair it made replaces it.
        spent = old is None or not SbOpenToken.objects.filter(
            pk=old.pk, refreshed_at=None, revoked=False, refresh_expires_at__gt=now,
        ).update(refreshed_at=now)
        if spent:
            return _oauth_error("invalid_grant", "Refresh token is invalid, expired or has already been used.")
        issued = open_token_issue(user=old.user, client_key=old.client_key, scope=old.scope)
    else:
        return _oauth_error("unsupported_grant_type", "grant_type must be authorization_code or refresh_token.")
    return JsonResponse(token_json(issued))
