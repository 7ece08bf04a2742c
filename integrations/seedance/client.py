"""The HTTP seam to Volcengine Ark's video generation API (Doubao Seedance): one session,
a default timeout, failures classified, retryable ones retried with backoff, and one
method per API call (the docs are at https://www.volcengine.com/docs/82379)."""

from __future__ import annotations

import logging
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from integrations.http import session_with_timeout

from .errors import AuthError, InvalidResponse, Permanent, RateLimited, SeedanceError, TaskFailed, TaskTimeout, Transient
from .params import build_content
from .schemas import FAILED, Created, Task, parse

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (3.05, 60)
TASKS_PATH = "contents/generations/tasks"
DOWNLOAD_CHUNK = 1024 * 1024




def classify(response=None, *, exc: Exception | None = None, what: str, download: bool = False) -> SeedanceError:
    """The error for a failed call: either a non-2xx `response` or a requests `exc`.

        network error, timeout      Transient     retryable
        HTTP 5xx                    Transient     retryable
        HTTP 429                    RateLimited   retryable
        HTTP 401, 403               AuthError     (on a download: Permanent, see below)
        other HTTP 4xx              Permanent     bad parameters, unknown task or model
        download HTTP 403, 404      Permanent     the signed video URL has expired (24 h)

    Code and message come from Ark's `{"error": {"code", "message"}}` body when it has one.
    """
    if exc is not None:
        kind = "timeout" if isinstance(exc, requests.Timeout) else "network error"
        return Transient(f"{kind} calling {what}: {exc}")
    status = response.status_code
    code, message = _error_body(response)
    text = f"{what}: {message}" if message else f"HTTP {status} from {what}"
    if download and status in (403, 404):
        return Permanent(f"cannot download {what} (HTTP {status}): the video URL may have expired (valid 24 h)", http_status=status)
    if status >= 500:
        return Transient(text, code=code, http_status=status)
    if status == 429:
        return RateLimited(text, code=code, http_status=status)
    if status in (401, 403):
        return AuthError(text, code=code, http_status=status)
    return Permanent(text, code=code, http_status=status)


def _error_body(response: requests.Response) -> tuple[str | None, str]:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None, response.text[:200]
    if not isinstance(error, dict):
        return None, response.text[:200]
    return (str(error["code"]) if error.get("code") else None), str(error.get("message") or "")


class SeedanceClient:
    """A small client configured by the caller (base URL, API key, timeout, retries)."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        backoff_base: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.sleep = sleep
        self.session = session_with_timeout(timeout, session)

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.strip('/')}"

    # --- Transport ---------------------------------------------------------------------

    def _retrying(self, what: str, once: Callable[[], Any], *, idempotent: bool = True) -> Any:
        attempts = 1 + self.max_retries
        for attempt in range(1, attempts + 1):
            try:
                return once()
            except SeedanceError as exc:
                # A create whose answer timed out may have made a task, which Ark bills:
                # resending could pay twice, so the caller decides.
                maybe_done = not idempotent and isinstance(exc.__cause__, requests.ReadTimeout)
                if not exc.retryable or maybe_done or attempt == attempts:
                    raise
                delay = self.backoff_base * (2 ** (attempt - 1)) * (1 + random.random() / 4)
                log.warning("Seedance %s failed (%s); retry %d/%d in %.2fs", what, exc, attempt, attempts - 1, delay)
                self.sleep(delay)
        raise AssertionError("unreachable")

    def request(self, method: str, path: str, *, json_body: dict | None = None) -> Any:
        """Send one Ark call and return its JSON body; retry only retryable failures."""
        what = f"{method} {path}"

        def once() -> Any:
            # The key goes on each Ark call, not on the session: downloads go to another
            # host (object storage) that must never see it.
            headers = {"Authorization": f"Bearer {self.api_key}"}
            try:
                response = self.session.request(method, self.url(path), json=json_body, headers=headers, timeout=self.timeout)
            except requests.RequestException as exc:
                raise classify(exc=exc, what=what) from exc
            if not 200 <= response.status_code < 300:
                raise classify(response, what=what)
            if not response.content:
                return {}
            try:
                return response.json()
            except ValueError as exc:
                raise InvalidResponse(f"{what} answered with non-JSON: {response.text[:200]!r}") from exc

        return self._retrying(what, once, idempotent=method != "POST")

    # --- Endpoints ---------------------------------------------------------------------

    # Ark API reference › Video generation › "Create a video generation task" (创建视频生成任务):
    # POST /contents/generations/tasks → {"id"}.
    def task_create(
        self,
        *,
        model: str,
        prompt: str,
        image: bytes | None = None,
        image_mime: str = "image/png",
        ratio: str = "9:16",
        resolution: str = "720p",
        duration: int = 5,
        seed: int | None = None,
        camera_fixed: bool = False,
        watermark: bool = False,
    ) -> str:
        content = build_content(
            model=model, prompt=prompt, image=image, image_mime=image_mime, ratio=ratio, resolution=resolution,
            duration=duration, seed=seed, camera_fixed=camera_fixed, watermark=watermark,
        )
        return parse(Created, self.request("POST", TASKS_PATH, json_body={"model": model, "content": content})).id

    # Ark API reference › Video generation › "Query a video generation task" (查询视频生成任务): GET …/tasks/{id}.
    def task_get(self, task_id: str) -> Task:
        return parse(Task, self.request("GET", f"{TASKS_PATH}/{task_id}"))

    # Ark API reference › Video generation › "Cancel or delete a video generation task" (取消或删除视频生成任务):
    # DELETE …/tasks/{id} cancels a queued task and deletes a finished one's record.
    def task_delete(self, task_id: str) -> None:
        self.request("DELETE", f"{TASKS_PATH}/{task_id}")

    def task_wait(self, task_id: str, *, poll_seconds: float, max_wait_seconds: float) -> Task:
        """Poll until the task succeeds. Raises TaskFailed when it ends otherwise and
        TaskTimeout after `max_wait_seconds` of waiting (counted in sleeps and wall time)."""
        waited, deadline = 0.0, time.monotonic() + max_wait_seconds
        while True:
            task = self.task_get(task_id)
            if task.status == "succeeded":
                if not task.video_url:
                    raise InvalidResponse(f"task {task_id} succeeded without content.video_url")
                return task
            if task.status in FAILED:
                error = task.error
                message = f"task {task_id} ended {task.status}" + (f": {error.message}" if error and error.message else "")
                raise TaskFailed(message, task_id=task_id, status=task.status, code=(error.code or None) if error else None)
            if waited >= max_wait_seconds or time.monotonic() >= deadline:
                raise TaskTimeout(f"task {task_id} still {task.status} after {max_wait_seconds:g}s", task_id=task_id, status=task.status)
            pause = min(poll_seconds, max_wait_seconds - waited)
            self.sleep(pause)
            waited += pause

    # Download the generated video: content.video_url is a signed object-storage URL, valid 24 h.
    def video_download(self, url: str, dest: Path) -> Path:
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)

        def once() -> Path:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.stem}-", suffix=".part", dir=dest.parent)
            tmp = Path(tmp_name)
            try:
                with os.fdopen(fd, "wb") as out:
                    try:
                        with self.session.get(url, stream=True, timeout=self.timeout) as response:
                            if response.status_code != 200:
                                raise classify(response, what="the generated video", download=True)
                            for chunk in response.iter_content(DOWNLOAD_CHUNK):
                                out.write(chunk)
                    except requests.RequestException as exc:
                        raise classify(exc=exc, what="the generated video") from exc
                if tmp.stat().st_size == 0:
                    raise InvalidResponse("the generated video is empty")
                os.replace(tmp, dest)
            finally:
                tmp.unlink(missing_ok=True)
            return dest

        return self._retrying("video download", once)

    def generate_clip(
        self, *, model: str, prompt: str, image: bytes | None, duration: int, dest: Path,
        poll_seconds: float, max_wait_seconds: float, ratio: str = "9:16", resolution: str = "720p",
    ) -> Path:
        """Create a task, wait for it and download its video to `dest`."""
        task_id = self.task_create(model=model, prompt=prompt, image=image, ratio=ratio, resolution=resolution, duration=duration)
        try:
            task = self.task_wait(task_id, poll_seconds=poll_seconds, max_wait_seconds=max_wait_seconds)
        except TaskTimeout as exc:
            if exc.status == "queued":
                # Nobody will download it: cancel it so it is not generated and billed later.
                try:
                    self.task_delete(task_id)
                except SeedanceError as cancel_error:
                    log.warning("could not cancel timed-out Seedance task %s: %s", task_id, cancel_error)
            raise
        return self.video_download(task.video_url, dest)

