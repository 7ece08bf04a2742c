"""What the v2 stand-in does besides answering: creators, codes, tokens, finishing a publish."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from django.db import transaction
from django.utils import timezone

from sandbox.market.organic import organic_account_ensure, organic_post_register
from sandbox.models import SbOpenCode, SbOpenPublish, SbOpenToken, SbOpenUser

ACCESS_TTL_S = 7200  # 2 h (the Nov 2026 docs)
REFRESH_TTL_S = 180 * 86400  # 180 days
CODE_TTL = dt.timedelta(minutes=10)
SCOPES = ("user.info.basic", "user.info.profile", "user.info.stats", "video.list", "video.upload", "video.publish")


def open_user_ensure(*, username: str, display_name: str = "", is_private: bool = False, followers: int | None = None) -> SbOpenUser:
    """The creator @username (created with an organic-simulator account on first use)."""
    user = SbOpenUser.objects.filter(username=username).first()
    if user is None:
        open_id = str(uuid.uuid4())
        user = SbOpenUser.objects.create(
            open_id=open_id, username=username, display_name=display_name or username, is_private=is_private,
            account_key=f"tiktok-open:{open_id}",
        )
    organic_account_ensure(account_key=user.account_key, handle=user.username, followers=followers)
    return user


def open_code_issue(*, user: SbOpenUser, client_key: str, redirect_uri: str, scope: str) -> SbOpenCode:
    return SbOpenCode.objects.create(
        code=secrets.token_urlsafe(30), user=user, client_key=client_key, redirect_uri=redirect_uri, scope=scope,
        expires_at=timezone.now() + CODE_TTL,
    )


def open_token_issue(*, user: SbOpenUser, client_key: str, scope: str) -> SbOpenToken:
    now = timezone.now()
    return SbOpenToken.objects.create(
        user=user, client_key=client_key, scope=scope, access_token="act." + secrets.token_hex(24),
        refresh_token="rft." + secrets.token_hex(24), expires_at=now + dt.timedelta(seconds=ACCESS_TTL_S),
        refresh_expires_at=now + dt.timedelta(seconds=REFRESH_TTL_S),
    )


def token_json(token: SbOpenToken) -> dict:
    now = timezone.now()
    return {
        "access_token": token.access_token, "expires_in": max(round((token.expires_at - now).total_seconds()), 0),
        "open_id": token.user.open_id, "refresh_token": token.refresh_token,
        "refresh_expires_in": max(round((token.refresh_expires_at - now).total_seconds()), 0), "scope": token.scope,
        "token_type": "Bearer",
    }


def new_post_id() -> str:
    return "7" + "".join(secrets.choice("0123456789") for _ in range(18))


@transaction.atomic
def publish_complete(publish: SbOpenPublish) -> SbOpenPublish:
    """All bytes are in: check the file is an MP4, then publish it and tell the organic simulator."""
    from integrations.tiktok_content.media import mp4_duration_s

    publish.duration_s = mp4_duration_s(publish.video.path) if publish.video else None
    if publish.duration_s is None:
        publish.status, publish.fail_reason = SbOpenPublish.Status.FAILED, "file_format_check_failed"
    elif publish.duration_s > publish.user.max_video_post_duration_sec:
        publish.status, publish.fail_reason = SbOpenPublish.Status.FAILED, "duration_check_failed"
    else:
        now = timezone.now()
        # create_time (ms) is video/list's cursor: keep it unique per creator.
        latest = publish.user.publishes.exclude(pk=publish.pk).exclude(completed_at=None).order_by("-completed_at").first()
        if latest and latest.completed_at >= now:
            now = latest.completed_at + dt.timedelta(milliseconds=1)
        publish.status, publish.post_id, publish.completed_at = SbOpenPublish.Status.PUBLISH_COMPLETE, new_post_id(), now
        organic_post_register(account_key=publish.user.account_key, post_key=publish.post_id, handle=publish.user.username)
    publish.save()
    return publish
