"""Helpers to fake TikTok's Marketing API v1.3 at the HTTP seam with `responses`."""

from __future__ import annotations

import json
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs, urlsplit

BASE_URL = "https://ads.example.test"
TOKEN = "test-access-token"


def endpoint(path: str) -> str:
    return f"{BASE_URL}/open_api/v1.3/{path}/"


def envelope(data: Any = None, *, code: int = 0, message: str = "OK", request_id: str = "req-ok") -> dict:
    return {"code": code, "message": message, "request_id": request_id, "data": {} if data is None else data}


def page(items: list, *, page: int = 1, total_page: int = 1, page_size: int = 1000) -> dict:
    return {
        "list": items,
        "page_info": {"page": page, "page_size": page_size, "total_number": len(items), "total_page": total_page},
    }


def path_of(call) -> str:
    return urlsplit(call.request.url).path


def query(call) -> dict[str, str]:
    """The call's query string as {name: value}; every name must appear once."""
    parsed = parse_qs(urlsplit(call.request.url).query, keep_blank_values=True)
    assert all(len(values) == 1 for values in parsed.values()), parsed
    return {name: values[0] for name, values in parsed.items()}


def json_param(call, name: str) -> Any:
    return json.loads(query(call)[name])


def body(call) -> Any:
    return json.loads(call.request.body)


def multipart(call) -> dict[str, tuple[str | None, bytes]]:
    """The call's multipart/form-data body as {field: (filename, bytes)}."""
    content_type = call.request.headers["Content-Type"]
    raw = call.request.body if isinstance(call.request.body, bytes) else call.request.body.encode()
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
    return {
        part.get_param("name", header="content-disposition"): (part.get_filename(), part.get_payload(decode=True))
        for part in message.iter_parts()
    }


def calls_to(api, path: str) -> list:
    return [call for call in api.calls if path_of(call) == f"/open_api/v1.3/{path}/"]
