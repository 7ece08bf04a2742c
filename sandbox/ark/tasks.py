"""Create, get and cancel/delete tasks. Each GET moves a pending task one step
(queued → running → succeeded), so a client's polling loop runs for real."""

import datetime as dt
import secrets
import string
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.urls import reverse

from adloop import clock
from creatives.media import MediaError
from sandbox.models import SbArkTask

from .api import endpoint, json_body, not_found
from .params import parse_spec
from .render import FPS, frame_size, render_clip

Status = SbArkTask.Status
PENDING = (Status.QUEUED, Status.RUNNING)
POLLS_UNTIL_DONE = 2  # the first GET answers running, the second succeeded (or failed)
VIDEO_URL_LIFETIME = dt.timedelta(hours=24)
FAIL_MARKER = "[fail]"  # a prompt carrying it ends failed, so callers can test that path
_ID_ALPHABET = string.ascii_lowercase + string.digits


def new_task_id(now: dt.datetime) -> str:
    return f"cgt-{now:%Y%m%d%H%M%S}-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(5))


@endpoint("POST")
def tasks(request: HttpRequest) -> dict:
    spec = parse_spec(json_body(request))
    now = clock.now()
    task = SbArkTask(
        task_id=new_task_id(now), model=spec.model, prompt=spec.prompt, params=spec.as_params(),
        download_token=secrets.token_hex(16), created_at=now, updated_at=now,
    )
    task.full_clean()
    if spec.first_frame is not None:
        data, ext = spec.first_frame
        task.first_frame.save(f"{task.task_id}-first-frame.{ext}", ContentFile(data), save=False)
    task.save()
    return {"id": task.task_id}


@endpoint("GET", "DELETE")
def task_detail(request: HttpRequest, task_id: str) -> dict:
    found = SbArkTask.objects.filter(task_id=task_id).first()
    if found is None:
        raise not_found(task_id)
    if request.method == "DELETE":
        return _delete(found)
    return task_json(_advance(found), request)


def _advance(task: SbArkTask) -> SbArkTask:
    if task.status not in PENDING:
        return task
    now = clock.now()
    changes = {"status": Status.RUNNING, "polls": task.polls + 1, "updated_at": now}
    rendered = ""
    if changes["polls"] >= POLLS_UNTIL_DONE:
        if FAIL_MARKER in task.prompt:
            changes.update(
                status=Status.FAILED, error_code="OutputVideoSensitiveContentDetected",
                error_message="The request failed because the output video may contain sensitive information.",
            )
        else:
            try:
                rendered, (width, height) = _render(task)
            except MediaError as exc:
                changes.update(status=Status.FAILED, error_code="InternalServiceError", error_message=str(exc)[:500])
            else:
                # The sandbox's estimate of video tokens: pixels × frames / 1024.
                tokens = width * height * FPS * task.params["duration"] // 1024
                changes.update(status=Status.SUCCEEDED, video=rendered, expires_at=now + VIDEO_URL_LIFETIME, completion_tokens=tokens)
    # Rendering takes seconds: the step counts only if no other poll or a DELETE moved the task meanwhile.
    claimed = SbArkTask.objects.filter(pk=task.pk, status=task.status, polls=task.polls).update(**changes)
    if not claimed and rendered:
        default_storage.delete(rendered)
    fresh = SbArkTask.objects.filter(pk=task.pk).first()
    if fresh is None:
        raise not_found(task.task_id)
    return fresh


def _render(task: SbArkTask) -> tuple[str, tuple[int, int]]:
    params = task.params
    image_size = tuple(params["first_frame_size"]) if params.get("first_frame_size") else None
    size = frame_size(params["ratio"], params["resolution"], image_size)
    name = f"sandbox/ark/{task.task_id}-{secrets.token_hex(4)}.mp4"
    first_frame = Path(task.first_frame.path) if task.first_frame else None
    render_clip(
        path=Path(default_storage.path(name)), size=size, duration=params["duration"], prompt=task.prompt,
        first_frame=first_frame, zoom=not params["camera_fixed"],
    )
    return name, size


def _delete(task: SbArkTask) -> dict:
    """A pending task is cancelled; a finished one is deleted, with its files."""
    if SbArkTask.objects.filter(pk=task.pk, status__in=PENDING).update(status=Status.CANCELLED, updated_at=clock.now()):
        return {}
    task.refresh_from_db()
    for file in (task.video, task.first_frame):
        if file:
            file.delete(save=False)
    task.delete()
    return {}


def task_json(task: SbArkTask, request: HttpRequest) -> dict:
    body = {
        "id": task.task_id, "model": task.model, "status": task.status,
        "created_at": int(task.created_at.timestamp()), "updated_at": int(task.updated_at.timestamp()),
    }
    if task.status == Status.SUCCEEDED:
        url = request.build_absolute_uri(reverse("sandbox:ark-file", args=[task.download_token]))
        body["content"] = {"video_url": url}
        body["usage"] = {"completion_tokens": task.completion_tokens, "total_tokens": task.completion_tokens}
    if task.error_code:
        body["error"] = {"code": task.error_code, "message": task.error_message}
    return body
