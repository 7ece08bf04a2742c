"""The HTTP seam to open.tiktokapis.com v2: one session with a default timeout, the Bearer user
token, the `error:{code,message,log_id}` envelope unwrapped and classified, and bounded retries
for the calls that are safe to repeat (reads, creator_info, status/fetch — never video/init)."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

import requests

from integrations.http import session_with_timeout
from integrations.publishing import ProtocolMismatch, PublishingError, Transient

from .errors import error_for

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (3.05, 30)


def retry_after(response: requests.Response, default: float = 60.0) -> float:
    try:
        return max(float(response.headers.get("Retry-After", default)), 0.0)
    except ValueError:
        return default


def unwrap(path: str, response: requests.Response) -> dict:
    """The `data` of a v2 answer, or the typed error it stands for."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("code"), str):
        if status >= 500:
            raise Transient(f"HTTP {status} from {path}")
        if status == 429 or status in (401, 403):
            raise error_for("", f"HTTP {status} from {path}", http_status=status, retry_after_s=retry_after(response))
        raise ProtocolMismatch(f"{path} answered HTTP {status} without TikTok's v2 envelope: {response.text[:200]!r}")
    code, log_id = error["code"], str(error.get("log_id") or "")
    if code != "ok":
        raise error_for(code, str(error.get("message") or ""), http_status=status, log_id=log_id, retry_after_s=retry_after(response))
    if status >= 300:
        raise ProtocolMismatch(f"{path} answered HTTP {status} with code ok")
    data = body.get("data")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ProtocolMismatch(f"{path} answered a `data` that is not an object: {str(data)[:200]}")
    return data


class ContentApiClient:
    """Calls v2 paths (`/v2/...`) under `base_url` with a user access token."""

    def __init__(
        self, base_url: str, access_token: str, *, timeout: tuple[float, float] = DEFAULT_TIMEOUT, max_retries: int = 2,
        backoff_base: float = 0.5, sleep: Callable[[float], None] = time.sleep, session: requests.Session | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.access_token = access_token
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.sleep = sleep
        self.session = session_with_timeout(timeout, session)
        self.last_log_id = ""

    def url(self, path: str) -> str:
        return f"{self.base_url}/v2/{path.strip('/')}/"

    def call(self, method: str, path: str, *, params: dict | None = None, body: dict | None = None, retry: bool) -> dict:
        attempts = 1 + (self.max_retries if retry else 0)
        for attempt in range(1, attempts + 1):
            try:
                return self._once(method, path, params=params, body=body)
            except PublishingError as exc:
                if not isinstance(exc, Transient) or attempt == attempts:
                    raise
                delay = self.backoff_base * (2 ** (attempt - 1)) * (1 + random.random() / 4)
                log.warning("TikTok v2 %s %s failed (%s); retry %d/%d in %.2fs", method, path, exc, attempt, attempts - 1, delay)
                self.sleep(delay)
        raise AssertionError("unreachable")

    def _once(self, method: str, path: str, *, params: dict | None, body: dict | None) -> dict:
        headers = {"Authorization": f"Bearer {self.access_token}"}
        if method != "GET":
            headers["Content-Type"] = "application/json; charset=UTF-8"
        try:
            response = self.session.request(
                method, self.url(path), params=params, json=body if method != "GET" else None, headers=headers, timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise Transient(f"timeout calling {path}: {exc}") from exc
        except requests.ConnectionError as exc:
            raise Transient(f"network error calling {path}: {exc}") from exc
        data = unwrap(path, response)
        self.last_log_id = str((response.json().get("error") or {}).get("log_id") or "")
        return data

    def put_chunk(self, upload_url: str, chunk: bytes, *, first: int, total: int) -> int:
        """PUT one chunk of a FILE_UPLOAD; returns the HTTP status (206 for more, 201 when complete; any 2xx is taken)."""
        last = first + len(chunk) - 1
        headers = {"Content-Type": "video/mp4", "Content-Length": str(len(chunk)), "Content-Range": f"bytes {first}-{last}/{total}"}
        try:
            response = self.session.put(upload_url, data=chunk, headers=headers, timeout=self.timeout)
        except requests.Timeout as exc:
            raise Transient(f"timeout uploading bytes {first}-{last}: {exc}") from exc
        except requests.ConnectionError as exc:
            raise Transient(f"network error uploading bytes {first}-{last}: {exc}") from exc
        if 200 <= response.status_code < 300:
            return response.status_code
        unwrap("upload", response)  # raises the typed error of an error envelope
        raise ProtocolMismatch(f"upload of bytes {first}-{last} answered HTTP {response.status_code}")
