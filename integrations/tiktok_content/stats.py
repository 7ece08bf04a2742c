"""Account stats from the Display API, which only knows *totals*: per video (view/like/comment/
share counts) and per account (follower_count). A day's numbers are the difference between two
snapshots, so the caller keeps yesterday's snapshot (`to_dict()` is JSON) and passes it back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from integrations.publishing import AccountDay


@dataclass(frozen=True)
class VideoTotals:
    views: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0


@dataclass(frozen=True)
class StatsSnapshot:
    followers: int | None
    videos: dict[str, VideoTotals] = field(default_factory=dict)
    taken_at: str = ""  # ISO 8601, informative

    def to_dict(self) -> dict:
        return {
            "followers": self.followers, "taken_at": self.taken_at,
            "videos": {vid: [v.views, v.likes, v.comments, v.shares] for vid, v in self.videos.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> StatsSnapshot:
        videos = {str(vid): VideoTotals(*(int(n) for n in counts)) for vid, counts in (data.get("videos") or {}).items()}
        return cls(followers=data.get("followers"), videos=videos, taken_at=str(data.get("taken_at") or ""))


def day_from_snapshots(previous: StatsSnapshot | None, current: StatsSnapshot, date: dt.date) -> AccountDay:
    """The AccountDay for `date`: what `current` adds to `previous`.

    Without a previous snapshot there is no baseline: the day is all zeros with the follower
    total (the first call only sets the baseline). A video missing from `previous` counts in
    full (posted since); a count that went down (TikTok recounts) adds nothing, nor does a
    deleted video; followers lost count as 0 gained."""
    if previous is None:
        return AccountDay(date=date, followers=current.followers)
    views = likes = comments = shares = 0
    for vid, now in current.videos.items():
        before = previous.videos.get(vid, VideoTotals())
        views += max(now.views - before.views, 0)
        likes += max(now.likes - before.likes, 0)
        comments += max(now.comments - before.comments, 0)
        shares += max(now.shares - before.shares, 0)
    gained = 0
    if current.followers is not None and previous.followers is not None:
        gained = max(current.followers - previous.followers, 0)
    return AccountDay(
        date=date, video_views=views, likes=likes, shares=shares, comments=comments, followers_gained=gained, followers=current.followers,
    )
