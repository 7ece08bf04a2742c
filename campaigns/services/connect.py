from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from campaigns.models import AdvertiserAccount
from integrations.tiktok_ads import endpoints
from integrations.tiktok_ads.client import TikTokAdsClient
from integrations.tiktok_ads.errors import ApiError, AuthError
from scheduler.services import Actor, action_log_record


def client_for(advertiser: AdvertiserAccount | None = None) -> TikTokAdsClient:
    """A client on the configured base URL (the sandbox by default) with the advertiser's token."""
    return TikTokAdsClient(
        base_url=settings.TIKTOK_ADS_BASE_URL,
        access_token=advertiser.access_token if advertiser is not None else "",
        timeout=settings.TIKTOK_HTTP_TIMEOUT,
        max_retries=settings.TIKTOK_MAX_RETRIES,
    )


def oauth_authorization_url(*, redirect_uri: str, state: str) -> str:
    return endpoints.authorization_url(
        auth_url=settings.TIKTOK_ADS_AUTH_URL, app_id=settings.TIKTOK_APP_ID, redirect_uri=redirect_uri, state=state
    )


def advertiser_connect(*, auth_code: str, actor: Actor) -> list[AdvertiserAccount]:
    """Exchange an auth_code for a token and store every advertiser it grants."""
    client = client_for()
    token = endpoints.access_token_get(
        client, app_id=settings.TIKTOK_APP_ID, secret=settings.TIKTOK_APP_SECRET, auth_code=auth_code
    )
    client.access_token = token.access_token
    infos = endpoints.advertiser_info(client, advertiser_ids=token.advertiser_ids) if token.advertiser_ids else []
    accounts = []
    with transaction.atomic():
        for info in infos:
            account = AdvertiserAccount.objects.filter(advertiser_id=info.advertiser_id).first()
            before = {"status": account.status} if account else {}
            account = account or AdvertiserAccount(advertiser_id=info.advertiser_id)
            account.name = info.name
            account.currency = info.currency
            account.timezone = info.timezone
            account.access_token = token.access_token
            account.scope = token.scope
            account.status = AdvertiserAccount.Status.CONNECTED
            account.last_error = ""
            account.full_clean()
            account.save()
            action_log_record(
                actor=actor, action="advertiser_connect", obj=account, before=before,
                after={"status": account.status, "name": account.name, "currency": account.currency},
                remote_id=account.advertiser_id, remote_request_id=client.last_request_id,
                reason=_("OAuth authorization granted"),
            )
            accounts.append(account)
    return accounts


def advertiser_mark_failed(advertiser: AdvertiserAccount, exc: ApiError) -> None:
    """Show a token problem on the account row, where admin shows it."""
    if isinstance(exc, AuthError):
        AdvertiserAccount.objects.filter(pk=advertiser.pk).update(status=AdvertiserAccount.Status.ERROR, last_error=str(exc))
