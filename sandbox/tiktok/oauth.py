"""Authorization: the auth_code → access token exchange and the authorized-accounts list."""

from django.utils import timezone

from sandbox.models import SbApp, SbAuthCode, SbToken
from sandbox.services import TOKEN_SCOPE, new_secret

from .api import Call, endpoint
from .errors import AUTH_CODE_INVALID, INVALID_APP, TOKEN_INVALID, ApiError


def _app(call: Call) -> SbApp:
    app_id = call.params.ident("app_id", required=True)
    secret = call.params.text("secret", required=True)
    app = SbApp.objects.filter(app_id=app_id).first()
    if app is None or app.secret != secret:
        raise ApiError(INVALID_APP, "The app_id or secret is invalid.")
    return app


@endpoint("POST", auth=False, advertiser=False)
def access_token(call: Call) -> dict:
    auth_code = call.params.text("auth_code", required=True)
    app = _app(call)
    code = SbAuthCode.objects.filter(code=auth_code, app=app).first()
    now = timezone.now()
    # Claimed with a conditional UPDATE: two racing exchanges of one code cannot both win.
    claimed = code is not None and SbAuthCode.objects.filter(pk=code.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    if not claimed:
        raise ApiError(AUTH_CODE_INVALID, "The auth_code is invalid: it has expired, been used or been cancelled.")
    advertisers = list(code.advertisers.all())
    token = SbToken.objects.create(token=new_secret(), app=app, scope=TOKEN_SCOPE)
    token.advertisers.set(advertisers)
    with_ids = call.params.boolean("return_advertiser_ids", default=True)
    return {
        "access_token": token.token,
        "advertiser_ids": [a.advertiser_id for a in advertisers] if with_ids else [],
        "scope": token.scope,
    }


@endpoint("GET", advertiser=False)
def advertiser_get(call: Call) -> dict:
    app = _app(call)
    if call.token.app_id != app.pk:
        raise ApiError(TOKEN_INVALID, "Access token is incorrect or has been revoked.")
    advertisers = call.token.advertisers.order_by("pk")
    return {"list": [{"advertiser_id": a.advertiser_id, "advertiser_name": a.name} for a in advertisers]}
