"""The frame every Ark endpoint runs in: method check, Bearer auth, Ark's error body.

Ark answers errors with an HTTP 4xx/5xx status and `{"error": {"code", "message"}}`; an
endpoint raises ArkError and the frame turns it into that answer.
"""

import functools
import hmac
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt


class ArkError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def bad(field: str, why: str) -> ArkError:
    return ArkError(400, "InvalidParameter", f"The parameter `{field}` specified in the request is not valid: {why}")


def not_found(task_id: str) -> ArkError:
    return ArkError(404, "ResourceNotFound", f"The specified task {task_id} is not found.")


def error_response(exc: ArkError) -> JsonResponse:
    return JsonResponse({"error": {"code": exc.code, "message": exc.message}}, status=exc.status)


def _check_key(request: HttpRequest) -> None:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    expected = settings.SEEDANCE_API_KEY
    if scheme.lower() != "bearer" or not key or not hmac.compare_digest(key.strip().encode(), expected.encode()):
        raise ArkError(401, "AuthenticationError", "The API key in the request is missing or invalid.")


def json_body(request: HttpRequest) -> dict:
    if request.content_type != "application/json":
        raise bad("Content-Type", "must be application/json")
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        raise bad("body", "is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad("body", "must be a JSON object")
    return body


def endpoint(*methods: str):
    """Wrap an Ark endpoint: a view `func(request, **kwargs)` returning the answer's body."""

    def decorate(func: Callable[..., Any]):
        @login_not_required
        @csrf_exempt
        @functools.wraps(func)
        def view(request: HttpRequest, **kwargs) -> HttpResponse:
            if request.method not in methods:
                return HttpResponseNotAllowed(list(methods))
            try:
                _check_key(request)
                return JsonResponse(func(request, **kwargs))
            except ArkError as exc:
                return error_response(exc)

        return view

    return decorate
