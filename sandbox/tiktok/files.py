"""Ad videos: upload by file, search, info."""

import hashlib
from pathlib import PurePath

from adloop import clock
from sandbox.models import SbVideo
from sandbox.services import new_object_id, new_video_id

from .api import MAX_FILTER_IDS, Call, endpoint, filter_ids, paginate
from .errors import DUPLICATED_MATERIAL_NAME, FILE_EMPTY, ID_LIMIT, SIGNATURE_ERROR, UNSUPPORTED_IN_SANDBOX, ApiError, bad
from .media import probe
from .serialize import video_json

UPLOAD_TYPES = ["UPLOAD_BY_FILE", "UPLOAD_BY_URL", "UPLOAD_BY_FILE_ID", "UPLOAD_BY_VIDEO_ID"]
VIDEO_FORMATS = {"mp4", "mov", "mpeg", "avi"}


def _md5(uploaded) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


@endpoint("POST", multipart=True)
def video_upload(call: Call) -> list[dict]:
    """Upload by file. `file_name` is unique per advertiser (40911), and every upload
    makes a new video_id even for the same bytes, as TikTok does."""
    upload_type = call.params.choice("upload_type", UPLOAD_TYPES, default="UPLOAD_BY_FILE")
    if upload_type != "UPLOAD_BY_FILE":
        raise ApiError(UNSUPPORTED_IN_SANDBOX, f"upload_type {upload_type} is not supported in this sandbox")
    uploaded = call.request.FILES.get("video_file")
    if uploaded is None:
        raise bad("video_file: required for UPLOAD_BY_FILE")
    signature = call.params.text("video_signature", required=True).lower()
    if uploaded.size == 0:
        raise ApiError(FILE_EMPTY, "The uploaded file is empty.")
    if _md5(uploaded) != signature:
        raise ApiError(SIGNATURE_ERROR, "video_signature does not match the MD5 of video_file.")
    file_name = call.params.text("file_name", max_len=100, default=uploaded.name or "")
    if not file_name:
        raise bad("file_name: required")
    if call.advertiser.videos.filter(file_name=file_name).exists():
        raise ApiError(DUPLICATED_MATERIAL_NAME, f"Duplicated material name: a video named {file_name!r} already exists.")
    suffix = PurePath(uploaded.name or file_name).suffix.lower().lstrip(".")
    info = probe(uploaded)
    now = clock.now()
    video = SbVideo(
        video_id=new_video_id(), material_id=new_object_id(), advertiser=call.advertiser, file_name=file_name,
        signature=signature, size=uploaded.size, format=suffix if suffix in VIDEO_FORMATS else "mp4",
        width=info.width, height=info.height, duration=info.duration, create_time=now, modify_time=now,
    )
    video.file.save(f"{video.video_id}.{video.format}", uploaded, save=False)
    video.save()
    return [video_json(video, call.request)]


@endpoint("GET")
def video_search(call: Call) -> dict:
    filtering = call.params.nested(call.params.obj("filtering"), "filtering.")
    videos = call.advertiser.videos.order_by("pk")
    file_names = filtering.strings("file_names")
    if len(file_names) > MAX_FILTER_IDS:
        raise ApiError(ID_LIMIT, f"filtering.file_names: at most {MAX_FILTER_IDS} items are allowed")
    if file_names:
        videos = videos.filter(file_name__in=file_names)
    for key, column in (("video_ids", "video_id"), ("material_ids", "material_id")):
        ids = filter_ids(filtering, key)
        if ids is not None:
            videos = videos.filter(**{f"{column}__in": ids})
    return paginate(call, videos, lambda video: video_json(video, call.request))


@endpoint("GET")
def video_info(call: Call) -> dict:
    ids = call.params.id_list("video_ids", required=True, max_items=MAX_FILTER_IDS)
    videos = call.advertiser.videos.filter(video_id__in=ids).order_by("pk")
    return {"list": [video_json(video, call.request) for video in videos]}
