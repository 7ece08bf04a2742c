"""What the rest of adloop may do to the pretend TikTok: set up apps, advertisers and tokens.

Everything else happens over HTTP, through the same endpoints the production client calls.
"""

import datetime as dt
import secrets
import string
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone as django_timezone

from .models import SbAdvertiser, SbApp, SbAuthCode, SbToken

AUTH_CODE_LIFETIME = dt.timedelta(hours=1)
# Numeric permission-scope ids, as the real access_token answer carries them.
TOKEN_SCOPE = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
DEFAULT_ADVERTISER_NAME = "adloop Demo Shop"
_VIDEO_ID_ALPHABET = string.ascii_lowercase + string.digits


def _digits(count: int) -> str:
    return "".join(secrets.choice(string.digits) for _ in range(count))


def new_object_id() -> str:
    """A 19-digit campaign / ad group / ad id, shaped like TikTok's ("17…")."""
    return "17" + _digits(17)


def new_advertiser_id() -> str:
    return "7" + _digits(18)


def new_video_id() -> str:
    return "v10033g50000" + "".join(secrets.choice(_VIDEO_ID_ALPHABET) for _ in range(20))


def new_secret(length: int = 20) -> str:
    """An opaque credential (auth code, access token): 2 × length hex characters."""
    return secrets.token_hex(length)


def sandbox_app_ensure(*, app_id: str, secret: str) -> SbApp:
    app, _ = SbApp.objects.get_or_create(app_id=app_id, defaults={"secret": secret})
    if app.secret != secret:
        app.secret = secret
        app.full_clean()
        app.save(update_fields=["secret"])
    return app


def sandbox_advertiser_create(*, app: SbApp, name: str, currency: str = "USD", timezone: str = "UTC") -> SbAdvertiser:
    if timezone not in zoneinfo.available_timezones():
        raise ValueError(f"unknown IANA timezone {timezone!r}")
    advertiser = SbAdvertiser(
        advertiser_id=new_advertiser_id(), app=app, name=name, company=name, currency=currency, timezone=timezone,
        pixel_id="7" + _digits(18),
    )
    advertiser.full_clean()
    advertiser.save()
    return advertiser


@transaction.atomic
def sandbox_token_issue(*, app: SbApp, advertisers: list[SbAdvertiser]) -> str:
    foreign = [a.advertiser_id for a in advertisers if a.app_id != app.pk]
    if foreign:
        raise ValueError(f"advertisers {foreign} belong to another app")
    token = SbToken(token=new_secret(), app=app, scope=TOKEN_SCOPE)
    token.full_clean()
    token.save()
    token.advertisers.set(advertisers)
    return token.token


@transaction.atomic
def sandbox_auth_code_issue(*, app: SbApp, advertisers: list[SbAdvertiser], redirect_uri: str = "") -> SbAuthCode:
    code = SbAuthCode(code=new_secret(), app=app, redirect_uri=redirect_uri, expires_at=django_timezone.now() + AUTH_CODE_LIFETIME)
    code.full_clean()
    code.save()
    code.advertisers.set(advertisers)
    return code


@transaction.atomic
def sandbox_default_setup() -> SbApp:
    """The app adloop is configured with, holding at least one advertiser, so a fresh
    install has an ad account to authorize on the consent page."""
    app = sandbox_app_ensure(app_id=settings.TIKTOK_APP_ID, secret=settings.TIKTOK_APP_SECRET)
    if not app.advertisers.exists():
        sandbox_advertiser_create(app=app, name=DEFAULT_ADVERTISER_NAME, currency="USD", timezone="UTC")
    return app
