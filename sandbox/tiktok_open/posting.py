"""Content Posting API, Direct Post: creator_info/query, video/init (FILE_UPLOAD), the chunked
PUT upload and status/fetch. A publish completes when its last chunk arrives (sandbox.services)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from sandbox.models import SbOpenPublish, SbOpenUser

from .api import Call, OpenError, endpoint, envelope, error_response, integer, invalid
from .services import publish_complete

MB = 1024 * 1024
MIN_CHUNK, MAX_CHUNK, MAX_LAST_CHUNK, MAX_CHUNKS = 5 * MB, 64 * MB, 128 * MB, 1000
MAX_VIDEO_SIZE = 4 * 1024 * MB
MAX_TITLE = 2200
POSTS_PER_DAY = 15  # third-party figure for spam_risk_too_many_posts
CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


def privacy_options(user: SbOpenUser) -> list[str]:
    first = "FOLLOWER_OF_CREATOR" if user.is_private else "PUBLIC_TO_EVERYONE"
    return [first, "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]


@endpoint("POST", scopes=("video.publish",), limit="creator_info", json_body=False)
def creator_info(call: Call) -> dict:
    user = call.user
    return {
        "creator_avatar_url": f"https://p16-sign.tiktokcdn.com/sandbox/{user.open_id}.jpeg", "creator_username": user.username,
        "creator_nickname": user.display_name, "privacy_level_options": privacy_options(user), "comment_disabled": False,
        "duet_disabled": False, "stitch_disabled": False, "max_video_post_duration_sec": user.max_video_post_duration_sec,
    }


def _check_chunks(size: int, chunk: int, count: int) -> None:
    """The media transfer guide: < 5 MB whole; else 5–64 MB chunks, count = floor(size / chunk), last ≤ 128 MB."""
    if size < MIN_CHUNK:
        if chunk != size or count != 1:
            raise invalid("A video under 5 MB is uploaded whole: chunk_size = video_size and total_chunk_count = 1.")
        return
    if chunk == size and count == 1 and size <= MAX_CHUNK:
        return
    if not MIN_CHUNK <= chunk <= MAX_CHUNK:
        raise invalid("chunk_size must be between 5 MB and 64 MB.")
    if count != size // chunk or not 1 <= count <= MAX_CHUNKS:
        raise invalid(f"total_chunk_count must be floor(video_size / chunk_size) = {size // chunk}, at most {MAX_CHUNKS}.")
    if size - (count - 1) * chunk > MAX_LAST_CHUNK:
        raise invalid("The last chunk may not exceed 128 MB.")


@endpoint("POST", scopes=("video.publish",), limit="video_init")
def video_init(call: Call) -> dict:
    post_info, source_info = call.body.get("post_info"), call.body.get("source_info")
    if not isinstance(post_info, dict) or not isinstance(source_info, dict):
        raise invalid("post_info and source_info are required objects.")
    title = post_info.get("title", "")
    if not isinstance(title, str) or len(title) > MAX_TITLE:
        raise invalid(f"title must be a string of at most {MAX_TITLE} characters.")
    privacy = post_info.get("privacy_level")
    options = privacy_options(call.user)
    if privacy not in options:
        raise OpenError("privacy_level_option_mismatch", f"privacy_level must be one of {', '.join(options)}.")
    source = source_info.get("source")
    if source == "PULL_FROM_URL":
        raise OpenError("url_ownership_unverified", "The video_url's domain is not verified for this app.")
    if source != "FILE_UPLOAD":
        raise invalid("source must be FILE_UPLOAD or PULL_FROM_URL.")
    size = integer(source_info.get("video_size"), "video_size", low=1, high=MAX_VIDEO_SIZE)
    chunk = integer(source_info.get("chunk_size"), "chunk_size", low=1, high=MAX_VIDEO_SIZE)
    count = integer(source_info.get("total_chunk_count"), "total_chunk_count", low=1)
    _check_chunks(size, chunk, count)
    today = timezone.now() - dt.timedelta(days=1)
    if call.user.publishes.filter(created_at__gt=today).exclude(status=SbOpenPublish.Status.FAILED).count() >= POSTS_PER_DAY:
        raise OpenError("spam_risk_too_many_posts", f"The creator has reached {POSTS_PER_DAY} posts in 24 hours.")
    publish = SbOpenPublish.objects.create(
        publish_id=f"v_pub_file~v2-1.{secrets.randbelow(10**18):018d}", user=call.user, title=title, privacy_level=privacy,
        post_info=post_info, video_size=size, chunk_size=chunk, total_chunk_count=count, upload_token=secrets.token_hex(20),
    )
    url = call.request.build_absolute_uri(reverse("sandbox:tiktok-open-upload"))
    return {"publish_id": publish.publish_id, "upload_url": f"{url}?upload_id={publish.publish_id}&upload_token={publish.upload_token}"}


@login_not_required
@csrf_exempt
def upload(request: HttpRequest) -> HttpResponse:
    """PUT one chunk: Content-Range must continue where the last chunk ended, with the chunk's
    planned size; 206 while chunks are missing, 201 when the file is complete."""
    if request.method != "PUT":
        return HttpResponseNotAllowed(["PUT"])
    try:
        with transaction.atomic():
            publish = SbOpenPublish.objects.select_for_update().filter(
                publish_id=request.GET.get("upload_id", ""), upload_token=request.GET.get("upload_token", ""),
            ).select_related("user").first()
            if publish is None:
                raise OpenError("invalid_params", "The upload URL is invalid or has expired.", status=404)
            return _receive(request, publish)
    except OpenError as exc:
        return error_response(exc)


def _receive(request: HttpRequest, publish: SbOpenPublish) -> HttpResponse:
    if publish.status != SbOpenPublish.Status.PROCESSING_UPLOAD or publish.bytes_received >= publish.video_size:
        raise OpenError("invalid_params", "This upload is already complete.", status=409)
    if not request.content_type.startswith("video/"):
        raise invalid("Content-Type must be video/mp4 (or another video type).")
    match = CONTENT_RANGE.match(request.headers.get("Content-Range", ""))
    if match is None:
        raise OpenError("invalid_params", "Content-Range must be 'bytes first-last/total'.", status=416)
    first, last, total = (int(n) for n in match.groups())
    index = publish.chunks_received
    is_last = index == publish.total_chunk_count - 1
    expected_first = index * publish.chunk_size
    expected_last = publish.video_size - 1 if is_last else expected_first + publish.chunk_size - 1
    if total != publish.video_size:
        raise OpenError("invalid_params", f"Content-Range total must be the video_size {publish.video_size}.", status=416)
    if (first, last) != (expected_first, expected_last):
        raise OpenError("invalid_params", f"Expected chunk {index + 1}: bytes {expected_first}-{expected_last}.", status=416)
    body = request.body
    if len(body) != last - first + 1:
        raise invalid(f"The body has {len(body)} bytes; Content-Range says {last - first + 1}.")
    name = f"sandbox/tiktok_open/{publish.publish_id.replace('~', '_')}.mp4"
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "r+b" if index else "wb") as handle:
        handle.seek(first)
        handle.write(body)
        handle.truncate()
    publish.video.name = name
    publish.chunks_received, publish.bytes_received = index + 1, last + 1
    publish.save(update_fields=["video", "chunks_received", "bytes_received"])
    if not is_last:
        response = envelope({"uploaded_bytes": publish.bytes_received}, status=206)
        response["Range"] = f"bytes=0-{last}"
        return response
    publish_complete(publish)
    return envelope({"uploaded_bytes": publish.bytes_received}, status=201)


@endpoint("POST", scopes=("video.publish", "video.upload"), limit="status_fetch")
def status_fetch(call: Call) -> dict:
    publish_id = call.body.get("publish_id")
    if not isinstance(publish_id, str) or not publish_id:
        raise invalid("publish_id is required.")
    publish = call.user.publishes.filter(publish_id=publish_id).first()
    if publish is None:
        raise invalid(f"publish_id {publish_id} does not exist for this user.")
    data = {"status": publish.status, "uploaded_bytes": publish.bytes_received, "downloaded_bytes": 0}
    if publish.status == SbOpenPublish.Status.FAILED:
        data["fail_reason"] = publish.fail_reason
    if publish.post_id:
        data["publicaly_available_post_id"] = [int(publish.post_id)]
    return data
