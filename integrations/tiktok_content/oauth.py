"""Login Kit v2: the consent URL and the form-encoded token endpoint.

The refresh token ROTATES: every refresh answers a new one and the old one stops working, so a
caller must persist the newest `Tokens.refresh_token` at once. Neither the code exchange (a code
is single-use) nor a refresh (it burns the old refresh token) is idempotent: they are never
retried here; a Transient error means "unknown outcome" and, for a refresh, possibly a reconnect.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from integrations.http import session_with_timeout
from integrations.publishing import AccountError, ProtocolMismatch, RateLimited, Rejected, Transient

from .client import DEFAULT_TIMEOUT, retry_after

TOKEN_PATH = "/v2/oauth/token/"
# OAuth-style `error` values that mean the grant or the app credentials are not good.
ACCOUNT_ERRORS = frozenset({"invalid_grant", "invalid_client", "unauthorized_client", "access_denied", "invalid_scope"})


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    open_id: str
    scope: str
    expires_in: int
    refresh_expires_in: int

    @property
    def scopes(self) -> list[str]:
        return [s for s in self.scope.split(",") if s]


def authorization_url(auth_url: str, client_key: str, redirect_uri: str, state: str, scopes: Iterable[str] | str) -> str:
    """TikTok's consent page URL (scopes comma-separated), keeping any query `auth_url` has."""
    scope = scopes if isinstance(scopes, str) else ",".join(scopes)
    params = {"client_key": client_key, "scope": scope, "response_type": "code", "redirect_uri": redirect_uri, "state": state}
    parts = urlsplit(auth_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params] + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query, safe=",")))


def token_exchange(
    base_url: str, client_key: str, client_secret: str, code: str, redirect_uri: str, *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT, session: requests.Session | None = None,
) -> Tokens:
    form = {"client_key": client_key, "client_secret": client_secret, "code": code, "grant_type": "authorization_code",
            "redirect_uri": redirect_uri}
    return _token_call(base_url, form, timeout=timeout, session=session)


def token_refresh(
    base_url: str, client_key: str, client_secret: str, refresh_token: str, *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT, session: requests.Session | None = None,
) -> Tokens:
    form = {"client_key": client_key, "client_secret": client_secret, "grant_type": "refresh_token", "refresh_token": refresh_token}
    return _token_call(base_url, form, timeout=timeout, session=session)


def _token_call(base_url: str, form: dict, *, timeout, session) -> Tokens:
    http = session_with_timeout(timeout, session)
    url = base_url.rstrip("/") + TOKEN_PATH
    try:
        response = http.post(url, data=form, headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=timeout)
    except requests.Timeout as exc:
        raise Transient(f"timeout calling the token endpoint: {exc}") from exc
    except requests.ConnectionError as exc:
        raise Transient(f"network error calling the token endpoint: {exc}") from exc
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 500:
        raise Transient(f"HTTP {response.status_code} from the token endpoint")
    if not isinstance(body, dict):
        raise ProtocolMismatch(f"the token endpoint answered HTTP {response.status_code} with non-JSON: {response.text[:200]!r}")
    if isinstance(body.get("error"), dict):  # the v2 envelope shape, should the token endpoint use it
        inner = body["error"]
        error, description, log_id = str(inner.get("code") or ""), str(inner.get("message") or ""), str(inner.get("log_id") or "")
        if error == "ok":
            error = ""
        body = body.get("data") if isinstance(body.get("data"), dict) and body["data"].get("access_token") else body
    else:
        error, description, log_id = str(body.get("error") or ""), str(body.get("error_description") or ""), str(body.get("log_id") or "")
    if response.status_code == 429 or error == "rate_limit_exceeded":
        raise RateLimited(description or "token endpoint rate limit", code=error, request_id=log_id, retry_after_s=retry_after(response))
    if error or response.status_code >= 400:
        message = f"token endpoint refused: {description or error or f'HTTP {response.status_code}'}"
        if error in ACCOUNT_ERRORS or response.status_code in (400, 401, 403) and error != "invalid_request":
            raise AccountError(message, code=error, request_id=log_id)
        raise Rejected(message, code=error, request_id=log_id)
    try:
        return Tokens(
            access_token=str(body["access_token"]), refresh_token=str(body["refresh_token"]), open_id=str(body["open_id"]),
            scope=str(body.get("scope") or ""), expires_in=int(body["expires_in"]), refresh_expires_in=int(body["refresh_expires_in"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolMismatch(f"the token endpoint's answer lacks {exc}: {str(body)[:200]}") from exc
