"""TikTokContentProvider: integrations.publishing.PublishingProvider over TikTok's v2 APIs.

One instance speaks for one connected account (one user access token). Direct Post has no
schedule time (`can_schedule = False`): our scheduler holds a post until it is due. TikTok has
no idempotency key either: the caller records the publish_id we return and never publishes the
same job twice; publish() itself never retries video/init, and once the last chunk is in it
never raises (a failed status/fetch answers PROCESSING, the caller polls publish_status).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

import requests

from integrations.publishing import (
    AccountDay,
    AccountError,
    PostRequest,
    ProtocolMismatch,
    PublishingError,
    PublishResult,
    PublishStatus,
    Rejected,
    RemoteAccount,
    Transient,
    caption,
)

from .client import DEFAULT_TIMEOUT, ContentApiClient
from .media import mp4_duration_s
from .ratelimit import SlidingWindow
from .stats import StatsSnapshot, VideoTotals, day_from_snapshots

log = logging.getLogger(__name__)

MB = 1024 * 1024
MIN_CHUNK = 5 * MB
MAX_CHUNK = 64 * MB
DEFAULT_CHUNK = 10 * MB
MAX_CHUNKS = 1000
PRIVACY_DEFAULT = "PUBLIC_TO_EVERYONE"
USER_FIELDS = "open_id,display_name,username,follower_count"
VIDEO_FIELDS = "id,title,create_time,view_count,like_count,comment_count,share_count"
VIDEO_PAGE = 20
MAX_VIDEO_PAGES = 500

STATUS_MAP = {
    "PROCESSING_UPLOAD": PublishStatus.PROCESSING,
    "PROCESSING_DOWNLOAD": PublishStatus.PROCESSING,
    "SEND_TO_USER_INBOX": PublishStatus.PROCESSING,  # a draft waiting in the app: not public yet
    "PUBLISH_COMPLETE": PublishStatus.PUBLISHED,
    "FAILED": PublishStatus.FAILED,
}


def chunk_plan(video_size: int, chunk_size: int = DEFAULT_CHUNK) -> tuple[int, int]:
    """(chunk_size, total_chunk_count) per the media transfer guide: a file under 5 MB (or under
    one chunk) goes whole; otherwise floor(size / chunk) chunks, the last one taking the rest."""
    if video_size <= 0:
        raise Rejected("the video file is empty", code="invalid_file_upload")
    if not MIN_CHUNK <= chunk_size <= MAX_CHUNK:
        raise ValueError(f"chunk_size must be 5–64 MB, not {chunk_size}")
    if video_size < max(MIN_CHUNK, chunk_size):
        return video_size, 1
    count = video_size // chunk_size
    if count > MAX_CHUNKS:
        raise Rejected(f"the video needs {count} chunks of {chunk_size} bytes (at most {MAX_CHUNKS})", code="invalid_file_upload")
    return chunk_size, count


def chunk_ranges(video_size: int, chunk_size: int, count: int) -> list[tuple[int, int]]:
    """(first, last) byte of each chunk, inclusive; the last chunk ends at the file's end."""
    return [(i * chunk_size, (video_size - 1) if i == count - 1 else (i + 1) * chunk_size - 1) for i in range(count)]


def choose_privacy(wanted: str, options: list[str]) -> str:
    if not options:
        raise ProtocolMismatch("creator_info/query offered no privacy_level_options")
    if wanted and wanted in options:
        return wanted
    return PRIVACY_DEFAULT if PRIVACY_DEFAULT in options else options[0]


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class TikTokContentProvider:
    name = "tiktok"
    can_schedule = False

    def __init__(
        self, base_url: str, access_token: str, open_id: str = "", *, timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        on_rate_limit: str = "wait", max_retries: int = 2, backoff_base: float = 0.5, chunk_size: int = DEFAULT_CHUNK,
        clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None, limiter: SlidingWindow | None = None,
    ):
        if on_rate_limit not in ("wait", "raise"):
            raise ValueError("on_rate_limit is 'wait' or 'raise'")
        self.open_id = open_id
        self.on_rate_limit = on_rate_limit
        self.chunk_size = chunk_size
        self.api = ContentApiClient(base_url, access_token, timeout=timeout, max_retries=max_retries, backoff_base=backoff_base,
                                    sleep=sleep, session=session)
        self.limiter = limiter or SlidingWindow(clock=clock, sleep=sleep)
        self.last_snapshot: StatsSnapshot | None = None

    # -- the calls ------------------------------------------------------------------------------
    def _limited(self, key: str) -> None:
        waited = self.limiter.acquire(key, wait=self.on_rate_limit == "wait")
        if waited:
            log.info("TikTok %s: waited %.1fs for the per-minute limit", key, waited)

    def _check_account(self, account_id: str) -> None:
        if self.open_id and account_id and account_id != self.open_id:
            raise AccountError(f"this token belongs to open_id {self.open_id}, not {account_id}")

    def user_info(self, fields: str = USER_FIELDS) -> dict:
        data = self.api.call("GET", "user/info", params={"fields": fields}, retry=True)
        user = data.get("user")
        if not isinstance(user, dict):
            raise ProtocolMismatch(f"user/info answered without data.user: {str(data)[:200]}")
        return user

    def creator_info(self) -> dict:
        self._limited("creator_info")
        data = self.api.call("POST", "post/publish/creator_info/query", body={}, retry=True)
        if not isinstance(data.get("privacy_level_options"), list):
            raise ProtocolMismatch(f"creator_info/query answered without privacy_level_options: {str(data)[:200]}")
        return data

    def fetch_status(self, publish_id: str) -> PublishResult:
        self._limited("status_fetch")
        data = self.api.call("POST", "post/publish/status/fetch", body={"publish_id": publish_id}, retry=True)
        raw = data.get("status")
        if raw not in STATUS_MAP:
            raise ProtocolMismatch(f"status/fetch answered an unknown status {raw!r}")
        post_ids = data.get("publicaly_available_post_id") or []
        post_id = str(post_ids[0]) if isinstance(post_ids, list) and post_ids else ""
        return PublishResult(remote_id=publish_id, status=STATUS_MAP[raw], post_id=post_id, fail_reason=str(data.get("fail_reason") or ""))

    def video_list(self) -> list[dict]:
        """Every video of the account, newest first (pages of 20 by cursor)."""
        videos: list[dict] = []
        cursor: int | None = None
        for _ in range(MAX_VIDEO_PAGES):
            body = {"max_count": VIDEO_PAGE} | ({"cursor": cursor} if cursor is not None else {})
            data = self.api.call("POST", "video/list", params={"fields": VIDEO_FIELDS}, body=body, retry=True)
            page = data.get("videos")
            if not isinstance(page, list):
                raise ProtocolMismatch(f"video/list answered without data.videos: {str(data)[:200]}")
            videos.extend(page)
            if not data.get("has_more") or not page:
                return videos
            cursor = _int(data.get("cursor"), -1)
            if cursor < 0:
                raise ProtocolMismatch("video/list has_more without a cursor")
        raise ProtocolMismatch(f"video/list still has_more after {MAX_VIDEO_PAGES} pages")

    # -- PublishingProvider -----------------------------------------------------------------------
    def accounts(self) -> list[RemoteAccount]:
        user = self.user_info()
        open_id = str(user.get("open_id") or self.open_id)
        if not open_id:
            raise ProtocolMismatch("user/info answered without open_id")
        followers = user.get("follower_count")
        return [RemoteAccount(account_id=open_id, handle=str(user.get("username") or ""), display_name=str(user.get("display_name") or ""),
                              followers=_int(followers) if followers is not None else None)]

    def publish(self, request: PostRequest) -> PublishResult:
        self._check_account(request.account_id)
        path = request.video_path
        try:
            video_size = path.stat().st_size
        except OSError as exc:
            raise Rejected(f"cannot read the video {path}: {exc}", code="invalid_file_upload") from exc
        chunk_size, count = chunk_plan(video_size, self.chunk_size)
        info = self.creator_info()
        privacy = choose_privacy(request.privacy_level, [str(o) for o in info["privacy_level_options"]])
        max_duration = _int(info.get("max_video_post_duration_sec"), 0)
        duration = mp4_duration_s(path)
        if max_duration and duration is not None and duration > max_duration:
            raise Rejected(f"the video lasts {duration:.0f}s; this creator may post at most {max_duration}s", code="duration_too_long")
        body = {
            "post_info": {
                "title": caption(request.title, request.hashtags), "privacy_level": privacy,
                "disable_comment": bool(info.get("comment_disabled")), "disable_duet": bool(info.get("duet_disabled")),
                "disable_stitch": bool(info.get("stitch_disabled")),
            },
            "source_info": {"source": "FILE_UPLOAD", "video_size": video_size, "chunk_size": chunk_size, "total_chunk_count": count},
        }
        self._limited("video_init")
        data = self.api.call("POST", "post/publish/video/init", body=body, retry=False)  # not idempotent: never retried
        publish_id, upload_url = str(data.get("publish_id") or ""), str(data.get("upload_url") or "")
        if not publish_id or not upload_url:
            raise ProtocolMismatch(f"video/init answered without publish_id/upload_url: {str(data)[:200]}")
        self._upload(path, publish_id, upload_url, video_size, chunk_ranges(video_size, chunk_size, count))
        try:
            return self.fetch_status(publish_id)
        except PublishingError as exc:  # the video is up: never let a caller publish it again
            log.warning("TikTok publish %s uploaded; status/fetch failed (%s): reporting processing", publish_id, exc)
            return PublishResult(remote_id=publish_id, status=PublishStatus.PROCESSING)

    def _upload(self, path, publish_id: str, upload_url: str, video_size: int, ranges: list[tuple[int, int]]) -> None:
        with open(path, "rb") as handle:
            for index, (first, last) in enumerate(ranges):
                handle.seek(first)
                chunk = handle.read(last - first + 1)
                try:
                    self.api.put_chunk(upload_url, chunk, first=first, total=video_size)
                except Transient:
                    if index < len(ranges) - 1 or not self._upload_arrived(publish_id):
                        raise
                    log.warning("TikTok publish %s: the last chunk's answer was lost but TikTok has every byte", publish_id)

    def _upload_arrived(self, publish_id: str) -> bool:
        """After a lost answer to the last chunk: did TikTok get the whole file?"""
        try:
            self._limited("status_fetch")
            data = self.api.call("POST", "post/publish/status/fetch", body={"publish_id": publish_id}, retry=True)
        except PublishingError:
            return False
        return data.get("status") not in (None, "PROCESSING_UPLOAD")

    def publish_status(self, *, account_id: str, remote_id: str) -> PublishResult:
        self._check_account(account_id)
        return self.fetch_status(remote_id)

    def stats_snapshot(self, *, account_id: str = "") -> StatsSnapshot:
        """Totals now: follower_count from user/info, per-video counts from video/list."""
        self._check_account(account_id)
        user = self.user_info(fields="open_id,follower_count")
        videos = {}
        for video in self.video_list():
            if not video.get("id"):
                raise ProtocolMismatch(f"video/list answered a video without id: {str(video)[:200]}")
            videos[str(video["id"])] = VideoTotals(
                views=_int(video.get("view_count")), likes=_int(video.get("like_count")),
                comments=_int(video.get("comment_count")), shares=_int(video.get("share_count")),
            )
        followers = user.get("follower_count")
        return StatsSnapshot(followers=_int(followers) if followers is not None else None, videos=videos,
                             taken_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    def account_stats(
        self, *, account_id: str, start: dt.date, end: dt.date, previous: StatsSnapshot | dict | None = None,
    ) -> list[AccountDay]:
        """ONE AccountDay, dated `end`: what the account gained since `previous` (the snapshot the
        caller kept from its last call; a dict from `StatsSnapshot.to_dict()` works too). TikTok
        keeps no daily history, so `start` only bounds nothing; call once a day and keep
        `self.last_snapshot` (set by this call) for tomorrow. Without `previous` the day is zeros
        with the follower total: the first call sets the baseline."""
        if isinstance(previous, dict):
            previous = StatsSnapshot.from_dict(previous)
        current = self.stats_snapshot(account_id=account_id)
        self.last_snapshot = current
        return [day_from_snapshots(previous, current, end)]
