"""The frame of every v2 endpoint: method check, Bearer token, scope, the per-user posting
limits, and TikTok's v2 envelope `{"data": …, "error": {"code", "message", "log_id"}}`.

An endpoint is a function taking a `Call` and returning `data`; raising OpenError answers
`data: {}` with the error's code and HTTP status, and rolls back whatever the call wrote.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponseNotAllowed, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from sandbox.models import SbOpenCall, SbOpenToken

# Per user, per minute (TikTok: per user token; counting per user also covers a refreshed token).
RATE_LIMITS = {"creator_info": 20, "video_init": 6, "status_fetch": 30}
WINDOW = dt.timedelta(minutes=1)

HTTP_STATUS = {
    "access_token_invalid": 401, "scope_not_authorized": 401, "invalid_params": 400, "invalid_file_upload": 400,
    "rate_limit_exceeded": 429, "internal_error": 500, "privacy_level_option_mismatch": 400, "spam_risk_too_many_posts": 403,
    "url_ownership_unverified": 403,
}


class OpenError(Exception):
    def __init__(self, code: str, message: str, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or HTTP_STATUS.get(code, 400)


def invalid(message: str) -> OpenError:
    return OpenError("invalid_params", message)


def log_id() -> str:
    return timezone.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(8).upper()


def envelope(data: Any, *, code: str = "ok", message: str = "", status: int = 200) -> JsonResponse:
    ident = log_id()
    response = JsonResponse({"data": data, "error": {"code": code, "message": message, "log_id": ident}}, status=status)
    response["X-Tt-Logid"] = ident
    return response


def error_response(exc: OpenError) -> JsonResponse:
    response = envelope({}, code=exc.code, message=exc.message, status=exc.status)
    if exc.code == "rate_limit_exceeded":
        response["Retry-After"] = "60"
    return response


@dataclass
class Call:
    request: HttpRequest
    token: SbOpenToken
    body: dict = field(default_factory=dict)

    @property
    def user(self):
        return self.token.user


def bearer_token(request: HttpRequest) -> SbOpenToken:
    header = request.headers.get("Authorization", "")
    raw = header[7:].strip() if header.lower().startswith("bearer ") else ""
    token = SbOpenToken.objects.filter(access_token=raw, revoked=False).select_related("user").first() if raw else None
    if token is None or token.expires_at <= timezone.now():
        raise OpenError("access_token_invalid", "The access token is invalid or not found in the request.")
    return token


def rate_limit(token: SbOpenToken, key: str) -> None:
    limit = RATE_LIMITS.get(key)
    if limit is None:
        return
    now = timezone.now()
    recent = SbOpenCall.objects.filter(user=token.user, endpoint=key, at__gt=now - WINDOW).count()
    if recent >= limit:
        raise OpenError("rate_limit_exceeded", f"Rate limit exceeded: at most {limit} {key} requests per minute per user.")
    SbOpenCall.objects.create(user=token.user, endpoint=key, at=now)


def endpoint(method: str, *, scopes: tuple[str, ...] = (), limit: str = "", json_body: bool = True):
    """`scopes`: any one of them grants the call; `limit`: the RATE_LIMITS key counted."""

    def decorate(func: Callable[[Call], Any]):
        @login_not_required
        @csrf_exempt
        @functools.wraps(func)
        def view(request: HttpRequest):
            if request.method != method:
                return HttpResponseNotAllowed([method])
            try:
                token = bearer_token(request)
                if scopes and not token.scopes() & set(scopes):
                    raise OpenError("scope_not_authorized", f"The user did not authorize the scope required: {','.join(scopes)}.")
                if limit:
                    # Counted in its own transaction: a refused call still counts, as at TikTok.
                    rate_limit(token, limit)
                with transaction.atomic():
                    data = func(Call(request=request, token=token, body=_body(request) if json_body and method == "POST" else {}))
            except OpenError as exc:
                return error_response(exc)
            return envelope(data)

        return view

    return decorate


def _body(request: HttpRequest) -> dict:
    if not request.body:
        return {}
    if not request.content_type.startswith("application/json"):
        raise invalid("Content-Type must be application/json")
    try:
        body = json.loads(request.body)
    except ValueError:
        raise invalid("The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object")
    return body


def integer(value: Any, name: str, *, low: int | None = None, high: int | None = None, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f"{name} must be an integer")
    if (low is not None and value < low) or (high is not None and value > high):
        raise invalid(f"{name} must be between {low} and {high}")
    return value


def fields_param(request: HttpRequest, allowed: dict[str, str], token: SbOpenToken) -> list[str]:
    """The `fields` query parameter, each field known and granted by one of the token's scopes."""
    fields = [f.strip() for f in request.GET.get("fields", "").split(",") if f.strip()]
    if not fields:
        raise invalid("fields is required")
    unknown = [f for f in fields if f not in allowed]
    if unknown:
        raise invalid(f"Unknown fields: {','.join(unknown)}")
    missing = sorted({allowed[f] for f in fields} - token.scopes())
    if missing:
        raise OpenError("scope_not_authorized", f"The user did not authorize the scope required: {','.join(missing)}.")
    return fields
