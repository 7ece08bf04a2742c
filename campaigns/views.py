"""The OAuth redirect for connecting TikTok advertisers (staff only)."""

import secrets

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from integrations.tiktok_ads.errors import ApiError
from scheduler.services import Actor

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
