"""The stand-in for the object storage Ark's `video_url` points at: no auth (the URL is
the credential, like a signed TOS URL), and 403 once its 24 hours are over."""

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseNotFound
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from adloop import clock
from sandbox.models import SbArkTask


@login_not_required
@csrf_exempt
@require_safe
def video_file(request: HttpRequest, token: str) -> HttpResponse:
    task = SbArkTask.objects.filter(download_token=token, status=SbArkTask.Status.SUCCEEDED).exclude(video="").first()
    if task is None or not task.video.storage.exists(task.video.name):
        return HttpResponseNotFound("NoSuchKey: the object does not exist", content_type="text/plain")
    if task.expires_at is None or clock.now() >= task.expires_at:
        return HttpResponseForbidden("AccessDenied: the signed URL has expired", content_type="text/plain")
    return FileResponse(task.video.open("rb"), content_type="video/mp4")
