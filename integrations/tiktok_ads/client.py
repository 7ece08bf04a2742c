"""The HTTP seam to TikTok's Marketing API v1.3: one session, a default timeout, the
envelope unwrapped, failures classified, retryable ones retried with backoff."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import requests

from integrations.http import session_with_timeout

from .errors import ApiError, InvalidResponse, Permanent, RateLimited, Transient, error_for_code

log = logging.getLogger(__name__)

API_PREFIX = "/open_api/v1.3"
DEFAULT_TIMEOUT = (3.05, 30)




def _encode_query(params: dict[str, Any]) -> dict[str, str]:
    # TikTok's GET endpoints take arrays and objects as JSON strings: advertiser_ids=["1"].
    encoded = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | dict):
            encoded[key] = json.dumps(value, separators=(",", ":"))
        elif isinstance(value, bool):
            encoded[key] = "true" if value else "false"
        else:
            encoded[key] = str(value)
    return encoded


class TikTokAdsClient:
    """A small client configured by the caller (base URL, token, timeout, retries).

    `last_request_id` holds TikTok's log id of the latest answer, so services can record
    it in ActionLog beside the change it made.
    """

    def __init__(
        self,
        *,
        base_url: str,
        access_token: str = "",
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        backoff_base: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.access_token = access_token
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.sleep = sleep
        self.session = session_with_timeout(timeout, session)
        self.last_request_id = ""

    def url(self, path: str) -> str:
        # Every TikTok path ends in "/": without it the API answers "404 page not found".
        return f"{self.base_url}{API_PREFIX}/{path.strip('/')}/"

    def get(self, path: str, params: dict[str, Any], *, retry: bool = True) -> Any:
        return self.request("GET", path, params=params, retry=retry)

    def post(self, path: str, body: dict[str, Any], *, retry: bool = True, auth: bool = True) -> Any:
        return self.request("POST", path, json_body=body, retry=retry, auth=auth)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
        auth: bool = True,
        retry: bool = True,
    ) -> Any:
        """Send one call and return the envelope's `data`; retry only retryable failures."""
        attempts = 1 + (self.max_retries if retry else 0)
        for attempt in range(1, attempts + 1):
            try:
                return self._send_once(method, path, params=params, json_body=json_body, data=data, files=files, auth=auth)
            except ApiError as exc:
                if not exc.retryable or attempt == attempts:
                    raise
                delay = self.backoff_base * (2 ** (attempt - 1)) * (1 + random.random() / 4)
                log.warning("TikTok %s %s failed (%s); retry %d/%d in %.2fs", method, path, exc, attempt, attempts - 1, delay)
                self.sleep(delay)
                if files:
                    for handle in files.values():
                        if hasattr(handle, "seek"):
                            handle.seek(0)
                        elif isinstance(handle, tuple) and hasattr(handle[1], "seek"):
                            handle[1].seek(0)
        raise AssertionError("unreachable")

    def _send_once(self, method, path, *, params, json_body, data, files, auth) -> Any:
        headers = {}
        if auth:
            headers["Access-Token"] = self.access_token
        try:
            response = self.session.request(
                method,
                self.url(path),
                params=_encode_query(params or {}),
                json=json_body,
                data=data,
                files=files,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise Transient(f"timeout calling {path}: {exc}") from exc
        except requests.ConnectionError as exc:
            raise Transient(f"network error calling {path}: {exc}") from exc
        return self._unwrap(path, response)

    def _unwrap(self, path: str, response: requests.Response) -> Any:
        """Classify the answer. HTTP 5xx → Transient; HTTP 429 → RateLimited; other HTTP
        errors → Permanent (the call never reached API logic: wrong path or method);
        HTTP 200 with `code != 0` → the class error_for_code gives; a body that is not
        the documented envelope → InvalidResponse."""
        status = response.status_code
        if status >= 500:
            raise Transient(f"HTTP {status} from {path}", http_status=status)
        if status == 429:
            raise RateLimited(f"HTTP 429 from {path}", http_status=status)
        if status != 200:
            raise Permanent(f"HTTP {status} from {path}: {response.text[:200]}", http_status=status)
        try:
            envelope = response.json()
        except ValueError as exc:
            raise InvalidResponse(f"{path} answered with non-JSON: {response.text[:200]!r}") from exc
        if not isinstance(envelope, dict) or not isinstance(envelope.get("code"), int):
            raise InvalidResponse(f"{path} answered without a TikTok envelope: {str(envelope)[:200]}")
        request_id = str(envelope.get("request_id") or "")
        if envelope["code"] != 0:
            raise error_for_code(envelope["code"], str(envelope.get("message") or ""), request_id)
        self.last_request_id = request_id
        return envelope.get("data") if envelope.get("data") is not None else {}
