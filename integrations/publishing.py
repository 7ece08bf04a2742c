"""The one interface track A's providers share (PRD 12.1): 出海匠 (an MCP server) and TikTok's
Content Posting + Display API v2. Django-free: campaigns.services.publishing drives either.

A provider never decides *whether* to post; it posts what it is told, once per idempotency key
where the platform allows, and reports what the platform says. Every failure is a
`PublishingError` subclass, so callers branch on the type, not on message text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


class PublishingError(Exception):
    """Base of every track-A provider error. `retryable` says whether the same call may succeed later."""

    retryable = False

    def __init__(self, message: str, *, code: str = "", request_id: str = ""):
        super().__init__(message)
        self.code = code
        self.request_id = request_id

    def __str__(self) -> str:
        base = super().__str__()
        extra = ", ".join(part for part in (self.code and f"code {self.code}", self.request_id and f"log id {self.request_id}") if part)
        return f"{base} ({extra})" if extra else base


class AccountError(PublishingError):
    """The account itself needs a person: bad or expired key/token (401), no credit (402), a revoked grant, a ban."""


class RateLimited(PublishingError):
    """Over the platform's rate limit; `retry_after_s` says when the same call may go again."""

    retryable = True

    def __init__(self, message: str, *, retry_after_s: float = 60.0, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after_s = retry_after_s


class Transient(PublishingError):
    """A timeout, a connection error or a 5xx: the same call may succeed later."""

    retryable = True


class Rejected(PublishingError):
    """The platform refused this post for good (invalid parameters, a caption it won't take, too many posts today)."""


class ProtocolMismatch(PublishingError):
    """The provider's published interface lacks a tool or argument we need (MCP `tools/list`),
    or an answer does not have the documented shape."""


@dataclass(frozen=True)
class RemoteAccount:
    account_id: str  # the provider's id: 出海匠's social account id, TikTok's open_id
    handle: str = ""
    display_name: str = ""
    followers: int | None = None


@dataclass(frozen=True)
class PublishResult:
    remote_id: str  # 出海匠's post/task id, TikTok's publish_id
    status: str  # one of PublishStatus
    post_id: str = ""  # the public post id once the platform has one
    fail_reason: str = ""
    scheduled_by_provider: bool = False  # the provider holds it until `scheduled_at`


class PublishStatus:
    PROCESSING = "processing"
    PUBLISHED = "published"
    FAILED = "failed"
    SCHEDULED = "scheduled"


@dataclass(frozen=True)
class AccountDay:
    date: dt.date
    video_views: int = 0
    likes: int = 0
    shares: int = 0
    comments: int = 0
    followers_gained: int = 0
    followers: int | None = None  # the total, when the platform says it


@dataclass(frozen=True)
class PostRequest:
    account_id: str
    video_path: Path
    title: str
    hashtags: list[str] = field(default_factory=list)
    idempotency_key: str = ""
    scheduled_at: dt.datetime | None = None  # only for providers that can schedule (`can_schedule`)
    privacy_level: str = ""  # TikTok: one of creator_info's options; empty = the most public allowed


class PublishingProvider(Protocol):
    name: str
    can_schedule: bool  # False: our scheduler holds the post until its time

    def accounts(self) -> list[RemoteAccount]: ...

    def publish(self, request: PostRequest) -> PublishResult: ...

    def publish_status(self, *, account_id: str, remote_id: str) -> PublishResult: ...

    def account_stats(self, *, account_id: str, start: dt.date, end: dt.date) -> list[AccountDay]: ...


def caption(title: str, hashtags: list[str], *, limit: int = 2200) -> str:
    """The post text: the title, then each hashtag once with a leading '#', cut to the platform's limit."""
    tags = []
    for tag in hashtags:
        tag = "#" + tag.strip().lstrip("#").replace(" ", "")
        if len(tag) > 1 and tag.lower() not in {t.lower() for t in tags}:
            tags.append(tag)
    text = " ".join(part for part in (title.strip(), " ".join(tags)) if part)
    return text[:limit]
