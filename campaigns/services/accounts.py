"""Track-A accounts (PRD 12.1): the provider each publishing account posts through, the TikTok v2
OAuth connect and token refresh (rotating refresh tokens: the newest is always the one stored),
and the 出海匠 account sync. Providers are imported lazily: `integrations` stays Django-free and
an unused provider's dependencies are never loaded."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import PublishingAccount
from integrations.publishing import AccountError, PublishingError, PublishingProvider, Transient
from scheduler.locks import LockBusy, lock
from scheduler.services import Actor, action_log_record

log = logging.getLogger(__name__)

# Refresh a TikTok access token this long before it expires, so no call starts with a token
# that runs out mid-upload.
REFRESH_MARGIN = dt.timedelta(minutes=10)
REFRESH_LOCK_TTL_S = 120


def provider_for(account: PublishingAccount) -> PublishingProvider:
    """The provider `account` posts through, on the configured URLs (the sandbox by default).
    A TikTok account's token is refreshed first when it expires within REFRESH_MARGIN."""
    if account.provider == PublishingAccount.Provider.CHUHAIJIANG:
        return chuhaijiang_provider(api_key=account.access_token or "")
    if account.provider == PublishingAccount.Provider.TIKTOK:
        from integrations.tiktok_content import TikTokContentProvider

        tiktok_token_ensure(account)
        if not account.access_token:
            raise AccountError(_("%(account)s has no TikTok access token: connect it again") % {"account": account})
        return TikTokContentProvider(
            settings.TIKTOK_OPEN_BASE_URL, account.access_token, open_id=account.remote_account_id, limiter=_tiktok_limiter(account.pk)
        )
    raise AccountError(_("%(account)s: unknown provider %(provider)r") % {"account": account, "provider": account.provider})


_LIMITERS: dict[int, object] = {}
_LIMITERS_LOCK = threading.Lock()


def _tiktok_limiter(account_pk: int):
    """One posting-limit window per account for the whole process (TikTok counts per user
    token per minute): a burst of posts to one account waits instead of drawing 429s, however
    many provider objects the burst makes. Other processes still meet TikTok's 429 as RateLimited."""
    from integrations.tiktok_content.ratelimit import SlidingWindow

    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(account_pk)
        if limiter is None:
            limiter = _LIMITERS[account_pk] = SlidingWindow()
        return limiter


def chuhaijiang_provider(*, api_key: str = "") -> PublishingProvider:
    """出海匠 works with one workspace key for all its bound accounts; an account may carry its own."""
    from integrations.chuhaijiang import ChuhaijiangProvider

    return ChuhaijiangProvider(settings.CHUHAIJIANG_MCP_URL, api_key or settings.CHUHAIJIANG_API_KEY, timeout=settings.CHUHAIJIANG_TIMEOUT)


def _expires(seconds) -> dt.datetime | None:
    # Token lifetimes are wall-clock time on TikTok's side, whatever the market clock says.
    return timezone.now() + dt.timedelta(seconds=int(seconds)) if seconds else None


def _needs_refresh(account: PublishingAccount) -> bool:
    return account.token_expires_at is not None and account.token_expires_at <= timezone.now() + REFRESH_MARGIN


def _scope(raw) -> list[str]:
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return list(raw or [])


def tiktok_token_ensure(account: PublishingAccount, *, force: bool = False) -> PublishingAccount:
    """Refresh the account's access token when it expires within REFRESH_MARGIN (or `force`).

    TikTok rotates the refresh token on every refresh and the old one stops working, so two
    workers must never refresh the same account at once: the refresh runs under the account's
    lock, re-reads the row inside it (another worker may just have refreshed), and stores the
    newest access token, refresh token and both expiries in one transaction. A refused refresh
    marks the account ERROR with the reason and raises AccountError."""
    if not force and not _needs_refresh(account):
        return account
    from integrations.tiktok_content import token_refresh

    try:
        with lock(f"adloop:lock:publishing-account:{account.pk}", ttl_s=REFRESH_LOCK_TTL_S):
            account.refresh_from_db()
            if not force and not _needs_refresh(account):
                return account  # refreshed by the run that held the lock
            if not account.refresh_token:
                exc = AccountError(_("no refresh token stored: connect the account again"))
                account_mark_error(account, exc, action="token_refresh")
                raise exc
            try:
                tokens = token_refresh(
                    settings.TIKTOK_OPEN_BASE_URL, settings.TIKTOK_CLIENT_KEY, settings.TIKTOK_CLIENT_SECRET, account.refresh_token
                )
            except PublishingError as exc:
                if not exc.retryable:
                    account_mark_error(account, exc, action="token_refresh")
                raise
            before = {"token_expires_at": account.token_expires_at}
            with transaction.atomic():
                _tokens_store(account, tokens)
                account.save(update_fields=["access_token", "refresh_token", "token_expires_at", "refresh_expires_at", "scope"])
                action_log_record(
                    actor=Actor.auto(), action="token_refresh", obj=account, before=before,
                    after={"token_expires_at": account.token_expires_at, "refresh_expires_at": account.refresh_expires_at},
                    remote_id=account.remote_account_id, reason=_("access token close to expiry"),
                )
    except LockBusy as exc:
        raise Transient(_("%(account)s: another run is refreshing this account's token") % {"account": account}) from exc
    return account


def _tokens_store(account: PublishingAccount, tokens) -> None:
    account.access_token = tokens.access_token
    if tokens.refresh_token:  # rotated: the old one no longer works
        account.refresh_token = tokens.refresh_token
    account.token_expires_at = _expires(tokens.expires_in)
    account.refresh_expires_at = _expires(getattr(tokens, "refresh_expires_in", 0)) or account.refresh_expires_at
    scope = _scope(getattr(tokens, "scope", ""))
    if scope:
        account.scope = scope


def account_mark_error(account: PublishingAccount, exc: Exception, *, action: str) -> None:
    """Show an account problem where admin shows it (status ERROR, last error) and log it."""
    before = {"status": account.status}
    with transaction.atomic():
        PublishingAccount.objects.filter(pk=account.pk).update(status=PublishingAccount.Status.ERROR, last_error=str(exc)[:2000])
        account.status, account.last_error = PublishingAccount.Status.ERROR, str(exc)[:2000]
        action_log_record(
            actor=Actor.auto(), action=action, obj=account, before=before, after={"status": account.status},
            remote_id=account.remote_account_id, outcome="failed", error=str(exc)[:2000], reason=_("the provider refused the account"),
        )


# --- TikTok v2 connect (Login Kit) ------------------------------------------------------


def tiktok_authorization_url(*, redirect_uri: str, state: str) -> str:
    from integrations.tiktok_content import authorization_url

    return authorization_url(
        settings.TIKTOK_OPEN_AUTH_URL, settings.TIKTOK_CLIENT_KEY, redirect_uri, state, list(settings.TIKTOK_OPEN_SCOPES)
    )


def tiktok_account_connect(*, code: str, redirect_uri: str, actor: Actor) -> PublishingAccount:
    """Exchange an authorization code for tokens and store the account (ACTIVE, tokens encrypted).
    Connecting an account again updates its row (matched on open_id) with the new tokens."""
    from integrations.tiktok_content import TikTokContentProvider, token_exchange

    tokens = token_exchange(settings.TIKTOK_OPEN_BASE_URL, settings.TIKTOK_CLIENT_KEY, settings.TIKTOK_CLIENT_SECRET, code, redirect_uri)
    if not tokens.open_id:
        raise AccountError(_("TikTok granted a token without an open_id"))
    remote = None
    try:
        found = TikTokContentProvider(settings.TIKTOK_OPEN_BASE_URL, tokens.access_token, open_id=tokens.open_id).accounts()
        remote = next((item for item in found if item.account_id == tokens.open_id), found[0] if found else None)
    except PublishingError as exc:  # the profile is a nicety (user.info scope); the grant is what counts
        log.warning("TikTok user info for %s failed: %s", tokens.open_id, exc)
    with transaction.atomic():
        account = (
            PublishingAccount.objects.select_for_update()
            .filter(provider=PublishingAccount.Provider.TIKTOK, remote_account_id=tokens.open_id)
            .first()
        )
        before = {"status": account.status} if account else {}
        if account is None:
            account = PublishingAccount(
                provider=PublishingAccount.Provider.TIKTOK, remote_account_id=tokens.open_id,
                daily_post_cap=settings.PUBLISH_DEFAULT_DAILY_CAP,
            )
        if remote is not None:
            account.handle = (remote.handle or account.handle)[:100]
            account.name = (remote.display_name or remote.handle or account.name)[:200]
        account.name = account.name or f"TikTok {tokens.open_id[:12]}"
        _tokens_store(account, tokens)
        account.status = PublishingAccount.Status.ACTIVE
        account.last_error = ""
        account.full_clean()
        account.save()
        action_log_record(
            actor=actor, action="publishing_account_connect", obj=account, before=before,
            after={"status": account.status, "handle": account.handle, "scope": ",".join(account.scope)},
            remote_id=account.remote_account_id, reason=_("TikTok authorization granted"),
        )
    return account


# --- 出海匠 --------------------------------------------------------------------------------


def chuhaijiang_accounts_sync(*, actor: Actor | None = None) -> list[PublishingAccount]:
    """Create or update a PublishingAccount (ACTIVE) for each social account bound in 出海匠.
    An account we have that 出海匠 no longer lists is marked ERROR (it was unbound there)."""
    actor = actor or Actor.auto()
    remote_accounts = chuhaijiang_provider().accounts()
    provider = PublishingAccount.Provider.CHUHAIJIANG
    seen, synced = set(), []
    with transaction.atomic():
        for remote in remote_accounts:
            seen.add(remote.account_id)
            account = PublishingAccount.objects.select_for_update().filter(provider=provider, remote_account_id=remote.account_id).first()
            before = {"status": account.status, "handle": account.handle} if account else {}
            account = account or PublishingAccount(
                provider=provider, remote_account_id=remote.account_id, daily_post_cap=settings.PUBLISH_DEFAULT_DAILY_CAP
            )
            account.handle = (remote.handle or account.handle)[:100]
            account.name = (remote.display_name or remote.handle or account.name or remote.account_id)[:200]
            account.status = PublishingAccount.Status.ACTIVE
            account.last_error = ""
            account.full_clean()
            account.save()
            after = {"status": account.status, "handle": account.handle}
            if before != after:
                action_log_record(
                    actor=actor, action="publishing_account_sync", obj=account, before=before, after=after,
                    remote_id=account.remote_account_id, reason=_("listed by 出海匠 social_accounts"),
                )
            synced.append(account)
        gone = PublishingAccount.objects.filter(provider=provider, status=PublishingAccount.Status.ACTIVE).exclude(
            remote_account_id__in=seen
        )
        for account in gone.select_for_update():
            account.status, account.last_error = PublishingAccount.Status.ERROR, _("no longer bound in 出海匠 (social_accounts)")
            account.save(update_fields=["status", "last_error"])
            action_log_record(
                actor=actor, action="publishing_account_sync", obj=account, before={"status": "active"},
                after={"status": account.status}, remote_id=account.remote_account_id, reason=account.last_error,
            )
    return synced
