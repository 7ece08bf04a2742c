"""Display API: /v2/user/info/ and /v2/video/list/, counted by the organic simulator
(the account's followers, each post's cumulative views, likes, comments and shares)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from sandbox.models import SbOpenPublish, SbOrganicAccount, SbOrganicPost

from .api import Call, endpoint, fields_param, integer

USER_FIELDS = {
    "open_id": "user.info.basic", "union_id": "user.info.basic", "avatar_url": "user.info.basic", "display_name": "user.info.basic",
    "username": "user.info.profile", "bio_description": "user.info.profile", "is_verified": "user.info.profile",
    "profile_deep_link": "user.info.profile", "follower_count": "user.info.stats", "following_count": "user.info.stats",
    "likes_count": "user.info.stats", "video_count": "user.info.stats",
}
VIDEO_FIELDS = {name: "video.list" for name in (
    "id", "create_time", "cover_image_url", "share_url", "video_description", "duration", "height", "width", "title",
    "embed_html", "embed_link", "like_count", "comment_count", "share_count", "view_count",
)}
MAX_COUNT = 20


@endpoint("GET")
def user_info(call: Call) -> dict:
    fields = fields_param(call.request, USER_FIELDS, call.token)
    user = call.user
    account = SbOrganicAccount.objects.filter(account_key=user.account_key).first()
    posts = SbOrganicPost.objects.filter(account=account)
    values = {
        "open_id": user.open_id, "union_id": f"union-{user.open_id}",
        "avatar_url": f"https://p16-sign.tiktokcdn.com/sandbox/{user.open_id}.jpeg",
        "display_name": user.display_name, "username": user.username, "bio_description": "", "is_verified": False,
        "profile_deep_link": f"https://vm.tiktok.com/sandbox/@{user.username}", "follower_count": account.followers if account else 0,
        "following_count": 0, "likes_count": posts.aggregate(n=Sum("likes"))["n"] or 0,
        "video_count": user.publishes.filter(status=SbOpenPublish.Status.PUBLISH_COMPLETE).count(),
    }
    return {"user": {name: values[name] for name in fields}}


@endpoint("POST", scopes=("video.list",))
def video_list(call: Call) -> dict:
    fields = fields_param(call.request, VIDEO_FIELDS, call.token)
    max_count = integer(call.body.get("max_count"), "max_count", low=1, high=MAX_COUNT, default=10)
    cursor = call.body.get("cursor")
    published = call.user.publishes.filter(status=SbOpenPublish.Status.PUBLISH_COMPLETE).order_by("-completed_at", "-pk")
    if cursor is not None:
        published = published.filter(completed_at__lt=_from_ms(integer(cursor, "cursor", low=0)))
    page = list(published[: max_count + 1])
    has_more, page = len(page) > max_count, page[:max_count]
    posts = SbOrganicPost.objects.filter(account__account_key=call.user.account_key, post_key__in=[v.post_id for v in page])
    stats = {post.post_key: post for post in posts}
    videos = [{name: value for name, value in _video(publish, stats.get(publish.post_id)).items() if name in fields} for publish in page]
    next_cursor = _ms(page[-1].completed_at) if page else (cursor or 0)
    return {"videos": videos, "cursor": next_cursor, "has_more": has_more}


def _ms(moment) -> int:
    return int(moment.timestamp() * 1000)


def _from_ms(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def _video(publish: SbOpenPublish, post: SbOrganicPost | None) -> dict:
    share = f"https://www.tiktok.com/@{publish.user.username}/video/{publish.post_id}"
    return {
        "id": publish.post_id, "create_time": int(publish.completed_at.timestamp()), "cover_image_url": f"{share}/cover.jpeg",
        "share_url": share, "video_description": publish.title, "duration": round(publish.duration_s or 0), "height": 1280, "width": 720,
        "title": publish.title, "embed_html": f'<blockquote class="tiktok-embed" cite="{share}"></blockquote>', "embed_link": share,
        "like_count": post.likes if post else 0, "comment_count": post.comments if post else 0,
        "share_count": post.shares if post else 0, "view_count": post.video_views if post else 0,
    }
