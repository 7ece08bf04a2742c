"""The frame every sandbox endpoint runs in: method check, envelope, auth, parameters.

An endpoint is one small function taking a `Call` and returning the envelope's `data`;
raising ApiError turns into TikTok's error answer (HTTP 200, `code != 0`, `data: {}`)
and rolls back whatever the call wrote.
"""

import functools
import json
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseNotFound, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from sandbox.models import OperationStatus, SbAdvertiser, SbToken

from .errors import PERMISSION_ERROR, TOKEN_INVALID, TOKEN_MISSING, ApiError, bad
from .params import Params

MAX_PAGE_SIZE = 1000
MAX_FILTER_IDS = 100
MAX_STATUS_IDS = 20


def log_id() -> str:
    """TikTok's `request_id`: a log id made of a timestamp and hex digits."""
    return timezone.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(6).upper()


def envelope(code: int, message: str, data: Any) -> JsonResponse:
    request_id = log_id()
    response = JsonResponse({"code": code, "message": message, "request_id": request_id, "data": data})
    response["X-Tt-Logid"] = request_id
    return response


@dataclass
class Call:
    request: HttpRequest
    params: Params
    token: SbToken | None = None
    advertiser: SbAdvertiser | None = None


def endpoint(method: str, *, auth: bool = True, advertiser: bool = True, multipart: bool = False):
    """Wrap an endpoint: `auth` checks the Access-Token header, `advertiser` resolves the
    request's advertiser_id against the token, `multipart` takes a form body instead of JSON."""

    def decorate(func: Callable[[Call], Any]):
        @login_not_required
        @csrf_exempt
        @functools.wraps(func)
        def view(request: HttpRequest):
            # A wrong method never reaches API logic: a plain HTTP error, not an envelope.
            if request.method != method:
                return HttpResponseNotAllowed([method])
            try:
                with transaction.atomic():
                    token = _token(request) if auth else None
                    call = Call(request=request, params=_params(request, multipart=multipart), token=token)
                    if advertiser:
                        call.advertiser = advertiser_of(call, call.params.ident("advertiser_id", required=True))
                    data = func(call)
            except ApiError as exc:
                return envelope(exc.code, exc.message, {})
            return envelope(0, "OK", data)

        return view

    return decorate


@login_not_required
@csrf_exempt
def not_found(request: HttpRequest, *args, **kwargs):
    """Any other path under the API prefix, a missing trailing slash included: TikTok's
    plain-text 404 (this route also keeps APPEND_SLASH from redirecting)."""
    return HttpResponseNotFound("404 page not found", content_type="text/plain; charset=utf-8")


def _token(request: HttpRequest) -> SbToken:
    raw = request.headers.get("Access-Token", "").strip()
    if not raw:
        raise ApiError(TOKEN_MISSING, "Access token is null, you should set it in http header with key Access-Token.")
    token = SbToken.objects.filter(token=raw, revoked=False).select_related("app").first()
    if token is None:
        raise ApiError(TOKEN_INVALID, "Access token is incorrect or has been revoked.")
    return token


def _params(request: HttpRequest, *, multipart: bool) -> Params:
    if request.method == "GET":
        return Params(request.GET, encoded=True)
    if multipart:
        if not request.content_type.startswith("multipart/form-data"):
            raise bad("Content-Type must be multipart/form-data")
        return Params(request.POST, encoded=True)
    if request.content_type != "application/json":
        raise bad("Content-Type must be application/json")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise bad("The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad("The request body must be a JSON object")
    return Params(body, encoded=False)


def advertiser_of(call: Call, advertiser_id: str) -> SbAdvertiser:
    """The token's advertiser; an unknown one answers like a foreign one, so a token
    cannot probe which advertiser ids exist."""
    found = call.token.advertisers.filter(advertiser_id=advertiser_id).first()
    if found is None:
        raise ApiError(PERMISSION_ERROR, f"Permission error: the access token has no access to advertiser {advertiser_id}.")
    return found


def paginate(call: Call, queryset: QuerySet | list, serialize: Callable[[Any], dict], *, list_key: str = "list") -> dict:
    page = call.params.integer("page", default=1, low=1)
    page_size = call.params.integer("page_size", default=10, low=1, high=MAX_PAGE_SIZE)
    total = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
    start = (page - 1) * page_size
    items = [serialize(item) for item in queryset[start : start + page_size]]
    return {list_key: items, "page_info": page_info(page, page_size, total)}


def page_info(page: int, page_size: int, total: int) -> dict:
    return {"page": page, "page_size": page_size, "total_number": total, "total_page": math.ceil(total / page_size)}


def filter_ids(filtering: Params, key: str) -> list[str] | None:
    """An id filter (1–100 ids); None when absent."""
    if not filtering.has(key):
        return None
    return filtering.id_list(key, required=True, max_items=MAX_FILTER_IDS)


def status_ids(params: Params, key: str) -> list[str]:
    """The ids of a status change: 1–20 per call."""
    ids = params.id_list(key, required=True, max_items=MAX_STATUS_IDS)
    return list(dict.fromkeys(ids))


_PRIMARY_STATUS = {
    "STATUS_ALL": None,
    "STATUS_NOT_DELETE": ("exclude", OperationStatus.DELETE),
    "STATUS_DELETE": ("filter", OperationStatus.DELETE),
    "STATUS_DISABLE": ("filter", OperationStatus.DISABLE),
    "STATUS_DELIVERY_OK": ("filter", OperationStatus.ENABLE),
}


def by_status(queryset: QuerySet, filtering: Params) -> QuerySet:
    """TikTok's default status filter hides deleted objects; STATUS_ALL (or a
    *_STATUS_ALL secondary status) shows them."""
    primary = filtering.choice("primary_status", _PRIMARY_STATUS, default="STATUS_NOT_DELETE")
    secondary = filtering.text("secondary_status")
    if secondary:
        suffix = secondary.rsplit("_STATUS_", 1)[-1] if "_STATUS_" in secondary else ""
        if suffix not in ("ALL", "DELETE", "DISABLE"):
            raise bad(f"filtering.secondary_status: {secondary} is not supported by this sandbox")
        primary = f"STATUS_{suffix}"
    rule = _PRIMARY_STATUS[primary]
    if rule is None:
        return queryset
    how, status = rule
    return queryset.exclude(operation_status=status) if how == "exclude" else queryset.filter(operation_status=status)


def pick_fields(item: dict, fields: list[str]) -> dict:
    """`fields` narrows each item to the requested keys."""
    return {key: value for key, value in item.items() if key in fields} if fields else item
