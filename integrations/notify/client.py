"""The HTTP seam to chat-group webhooks: one session, a default (connect, read) timeout, no
retries (an alert is re-raised by the next evaluation, and a robot limited to 20 messages a
minute must not be hammered)."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from integrations.http import session_with_timeout

from .errors import NotifyError
from .platforms import PLATFORMS

DEFAULT_TIMEOUT = (3.05, 10)


class WebhookNotifier:
    def __init__(
        self,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ):
        self.timeout = timeout
        self.clock = clock
        self.session = session_with_timeout(timeout, session)

    def send(self, platform: str, url: str, *, title: str, text: str, secret: str = "") -> None:
        """Post one message to `url` in `platform`'s format; raise NotifyError unless the
        platform confirmed it."""
        spec = PLATFORMS.get(platform)
        if spec is None:
            raise NotifyError(f"unknown platform (one of {', '.join(PLATFORMS)})", platform=platform)
        params, body = spec.build(title, text, secret, self.clock())
        try:
            response = self.session.post(url, params=params or None, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            # The exception text may hold the URL, which is the bot's credential: name the host only.
            raise NotifyError(f"{type(exc).__name__} calling {urlsplit(url).netloc}", platform=platform, retryable=True) from None
        spec.accept(response)

    def feishu(self, url: str, *, title: str, text: str, secret: str = "") -> None:
        self.send("feishu", url, title=title, text=text, secret=secret)

    def dingtalk(self, url: str, *, title: str, text: str, secret: str = "") -> None:
        self.send("dingtalk", url, title=title, text=text, secret=secret)

    def wecom(self, url: str, *, title: str, text: str) -> None:
        self.send("wecom", url, title=title, text=text)

    def slack(self, url: str, *, title: str, text: str) -> None:
        self.send("slack", url, title=title, text=text)
