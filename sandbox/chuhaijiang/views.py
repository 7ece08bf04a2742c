"""/sandbox/chuhaijiang/mcp: 出海匠's MCP endpoint (streamable HTTP), served by this WSGI project.

The SDK's StreamableHTTPSessionManager is an ASGI app. In stateless JSON-response mode every POST
is self-contained (no session id, no SSE stream, a GET answers 405), so a view can run it to the end
per request (any other method answers 405): build the ASGI scope from the Django request, run a fresh manager on a short event loop
(anyio.run) and copy the answer back. That keeps `manage.py runserver` (WSGI, one process) serving it
with no ASGI server and no extra dependency; a2wsgi would do the same with a long-lived loop thread.

Auth happens here, before MCP: `X-API-Key` (or `?api_key=`; the header wins) must be a known key
(401 otherwise), and the key must have credits left (402 otherwise). Both answer a JSON-RPC error
body, as a gateway in front of an MCP server does.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

from .server import build_server, key_lookup

UNAUTHORIZED, PAYMENT_REQUIRED = -32001, -32002
MAX_SECONDS = 120
# upload_file carries the video base64 in the JSON-RPC body: allow ~48 MB videos (the SDK's default is 4 MiB, and
# Django's DATA_UPLOAD_MAX_MEMORY_SIZE would stop request.body at 2.5 MB, so the view reads the stream itself).
MAX_BODY_BYTES = 64 * 1024 * 1024


def _jsonrpc_error(status: int, code: int, message: str) -> HttpResponse:
    body = {"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": message}}
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    if status == 401:
        response["WWW-Authenticate"] = 'ApiKey realm="chuhaijiang", header="X-API-Key"'
    return response


def _scope(request: HttpRequest) -> dict[str, Any]:
    headers = [(b"content-type", request.META["CONTENT_TYPE"].encode("latin-1"))] if request.META.get("CONTENT_TYPE") else []
    headers += [
        (name[5:].replace("_", "-").lower().encode("latin-1"), str(value).encode("latin-1"))
        for name, value in request.META.items() if name.startswith("HTTP_")
    ]
    server_port = request.get_port()
    return {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": request.method, "scheme": request.scheme, "path": request.path, "raw_path": request.path.encode(),
        "root_path": "", "query_string": request.META.get("QUERY_STRING", "").encode("latin-1"), "headers": headers,
        "server": (request.get_host().split(":")[0], int(server_port) if server_port else 80),
        "client": (request.META.get("REMOTE_ADDR", ""), 0), "state": {},
    }


def _run_asgi(key_pk: int, scope: dict, body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    answer: dict[str, Any] = {"status": 500, "headers": [], "body": []}

    async def receive() -> dict:
        nonlocal body
        chunk, body = body, b""
        return {"type": "http.request", "body": chunk, "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            answer["body"].append(message.get("body", b""))

    async def main() -> None:
        manager = StreamableHTTPSessionManager(
            build_server(key_pk), json_response=True, stateless=True, max_request_body_size=MAX_BODY_BYTES,
        )
        with anyio.fail_after(MAX_SECONDS):  # never hold a server thread for ever
            async with manager.run():
                await manager.handle_request(scope, receive, send)

    anyio.run(main)
    return answer["status"], answer["headers"], b"".join(answer["body"])


@login_not_required
@csrf_exempt
def mcp_endpoint(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":  # stateless JSON mode: no GET event stream, no session to DELETE
        return HttpResponseNotAllowed(["POST"])
    raw_key = request.headers.get("X-API-Key") or request.GET.get("api_key", "")
    key = key_lookup(raw_key.strip())
    if key is None:
        return _jsonrpc_error(401, UNAUTHORIZED, "Unauthorized: missing or invalid API key (X-API-Key: sk_live_…)")
    if key.credits <= 0:
        return _jsonrpc_error(402, PAYMENT_REQUIRED, "Payment required: insufficient balance, top up your API credits")
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        return _jsonrpc_error(413, -32600, f"Request body larger than {MAX_BODY_BYTES} bytes")
    status, headers, body = _run_asgi(key.pk, _scope(request), request.read(MAX_BODY_BYTES + 1))
    response = HttpResponse(body, status=status)
    for name, value in headers:
        response[name.decode("latin-1")] = value.decode("latin-1")
    return response
