"""The OAuth redirects for connecting TikTok advertisers (Marketing API) and TikTok publishing
accounts (Login Kit v2, track A); staff only."""

import secrets

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from integrations.publishing import PublishingError
from integrations.tiktok_ads.errors import ApiError
from scheduler.services import Actor

from .services.accounts import tiktok_account_connect, tiktok_authorization_url
from .services.connect import advertiser_connect, oauth_authorization_url

SESSION_STATE = "tiktok_oauth_state"


@staff_member_required
def oauth_start(request):
    state = secrets.token_urlsafe(32)
    request.session[SESSION_STATE] = state
    redirect_uri = request.build_absolute_uri(reverse("campaigns:oauth_callback"))
    return redirect(oauth_authorization_url(redirect_uri=redirect_uri, state=state))


@staff_member_required
def oauth_callback(request):
    changelist = reverse("admin:campaigns_advertiseraccount_changelist")
    expected = request.session.pop(SESSION_STATE, None)
    state = request.GET.get("state", "")
    # The state ties this callback to the redirect we started: without it, anyone could
    # make a logged-in admin connect an advertiser of the attacker's choosing.
    if not expected or not secrets.compare_digest(expected, state):
        messages.error(request, _("The authorization answer did not match a request from this session; please connect again."))
        return redirect(changelist)
    auth_code = request.GET.get("auth_code", "")
    if not auth_code:
        messages.error(request, _("TikTok did not grant access (no auth_code in the answer)."))
        return redirect(changelist)
    try:
        accounts = advertiser_connect(auth_code=auth_code, actor=Actor.of(request.user))
    except ApiError as exc:
        messages.error(request, _("Connecting failed: %(error)s") % {"error": exc})
        return redirect(changelist)
    names = ", ".join(str(account) for account in accounts) or _("none")
    messages.success(request, _("Connected advertisers: %(names)s") % {"names": names})
    return redirect(changelist)


# --- TikTok v2 (Login Kit): connecting an organic publishing account (track A) ----------

SESSION_STATE_V2 = "tiktok_v2_oauth_state"


@staff_member_required
def tiktok_connect_start(request):
    state = secrets.token_urlsafe(32)
    request.session[SESSION_STATE_V2] = state
    redirect_uri = request.build_absolute_uri(reverse("campaigns:tiktok_connect_callback"))
    return redirect(tiktok_authorization_url(redirect_uri=redirect_uri, state=state))


@staff_member_required
def tiktok_connect_callback(request):
    changelist = reverse("admin:campaigns_publishingaccount_changelist")
    expected = request.session.pop(SESSION_STATE_V2, None)
    state = request.GET.get("state", "")
    # As for advertisers: the state ties the answer to a redirect this session started.
    if not expected or not secrets.compare_digest(expected, state):
        messages.error(request, _("The authorization answer did not match a request from this session; please connect again."))
        return redirect(changelist)
    code = request.GET.get("code", "")
    if not code:
        reason = request.GET.get("error_description") or request.GET.get("error") or _("no code in the answer")
        messages.error(request, _("TikTok did not grant access: %(reason)s") % {"reason": reason})
        return redirect(changelist)
    redirect_uri = request.build_absolute_uri(reverse("campaigns:tiktok_connect_callback"))
    try:
        account = tiktok_account_connect(code=code, redirect_uri=redirect_uri, actor=Actor.of(request.user))
    except PublishingError as exc:
        messages.error(request, _("Connecting the TikTok account failed: %(error)s") % {"error": exc})
        return redirect(changelist)
    messages.success(request, _("Connected TikTok account %(account)s.") % {"account": account})
    return redirect(changelist)
