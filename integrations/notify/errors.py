"""The one error of the webhook notifier.

    NotifyError   message, platform, http_status, code (the platform's own error code),
                  retryable: network errors, timeouts, HTTP 429/5xx and the platforms'
                  "sending too fast" codes; everything else (bad URL or key, signature,
                  keyword, payload refused) is permanent.

Messages never include the webhook URL: its path or query is the bot's credential.
"""

from __future__ import annotations


class NotifyError(Exception):
    def __init__(
        self,
        message: str,
        *,
        platform: str,
        http_status: int | None = None,
        code: int | str | None = None,
        retryable: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.platform = platform
        self.http_status = http_status
        self.code = code
        self.retryable = retryable

    def __str__(self) -> str:
        parts = [f"{self.platform}: {self.message}"]
        if self.code is not None:
            parts.append(f"code {self.code}")
        if self.http_status is not None:
            parts.append(f"HTTP {self.http_status}")
        return " · ".join(parts)
