"""Typed errors of the Seedance (Volcengine Ark) client.

Ark answers errors with HTTP 4xx/5xx and a body `{"error": {"code": "...", "message": "..."}}`;
a generation that fails later shows up as a task whose status is failed/cancelled/expired.

    SeedanceError       base: message, code (Ark's string code), http_status, retryable
      AuthError         HTTP 401/403: the API key is wrong, revoked or lacks access
      RateLimited       HTTP 429 — retryable
      Transient         HTTP 5xx, network errors, timeouts — retryable
      Permanent         other 4xx, parameters refused before sending, an expired video URL
        InvalidResponse the answer did not have the shape Ark documents
      TaskFailed        the task ended failed/cancelled/expired; code/message are the task's
      TaskTimeout       polling gave up before the task finished — retryable (the task may still finish)
"""

from __future__ import annotations


class SeedanceError(Exception):
    retryable = False

    def __init__(self, message: str, *, code: str | None = None, http_status: int | None = None, retryable: bool | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status
        if retryable is not None:
            self.retryable = retryable

    def __str__(self) -> str:
        parts = [self.message]
        if self.code:
            parts.append(f"code {self.code}")
        if self.http_status is not None:
            parts.append(f"HTTP {self.http_status}")
        return " · ".join(parts)


class AuthError(SeedanceError):
    pass


class RateLimited(SeedanceError):
    retryable = True


class Transient(SeedanceError):
    retryable = True


class Permanent(SeedanceError):
    pass


class InvalidResponse(Permanent):
    pass


class TaskFailed(SeedanceError):
    def __init__(self, message: str, *, task_id: str, status: str, code: str | None = None):
        super().__init__(message, code=code)
        self.task_id = task_id
        self.status = status


class TaskTimeout(SeedanceError):
    """`task_id` lets a caller resume waiting instead of paying for a second generation."""

    retryable = True

    def __init__(self, message: str, *, task_id: str, status: str):
        super().__init__(message)
        self.task_id = task_id
        self.status = status
