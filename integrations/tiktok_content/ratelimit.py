"""The per-user-token posting limits, honoured by the client itself: a burst waits.

TikTok counts `video/init` (6), `creator_info/query` (20) and `status/fetch` (30) per minute per
user token in a 1-minute sliding window. The window here lives in one provider instance (one
process); an HTTP 429 from TikTok still surfaces as RateLimited for whatever it does not see.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

from integrations.publishing import RateLimited

POSTING_LIMITS = {"creator_info": 20, "video_init": 6, "status_fetch": 30}
WINDOW_S = 60.0


class SlidingWindow:
    def __init__(
        self, limits: dict[str, int] | None = None, *, window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
    ):
        self.limits = dict(POSTING_LIMITS if limits is None else limits)
        self.window_s = window_s
        self.clock = clock
        self.sleep = sleep
        self.calls: dict[str, deque[float]] = defaultdict(deque)

    def acquire(self, key: str, *, wait: bool = True) -> float:
        """Take a slot for `key`; sleep until one frees (wait) or raise RateLimited. Returns the seconds waited."""
        limit = self.limits.get(key)
        if limit is None:
            return 0.0
        calls, waited = self.calls[key], 0.0
        while True:
            now = self.clock()
            while calls and calls[0] <= now - self.window_s:
                calls.popleft()
            if len(calls) < limit:
                calls.append(now)
                return waited
            delay = max(calls[0] + self.window_s - now, 0.001)
            if not wait:
                raise RateLimited(f"{key}: {limit} calls per minute reached", code="rate_limit_exceeded", retry_after_s=delay)
            self.sleep(delay)
            waited += delay
