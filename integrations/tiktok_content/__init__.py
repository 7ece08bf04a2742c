"""TikTok's Content Posting API (Direct Post) and Display API, v2 — track A's official provider.

Django-free. `oauth` connects an account (the refresh token ROTATES: always store the newest),
`provider.TikTokContentProvider` implements integrations.publishing.PublishingProvider, `stats`
turns two Display API snapshots into one AccountDay.
"""

from .oauth import Tokens, authorization_url, token_exchange, token_refresh
from .provider import TikTokContentProvider
from .stats import StatsSnapshot, VideoTotals, day_from_snapshots

__all__ = [
    "StatsSnapshot", "TikTokContentProvider", "Tokens", "VideoTotals", "authorization_url", "day_from_snapshots",
    "token_exchange", "token_refresh",
]
