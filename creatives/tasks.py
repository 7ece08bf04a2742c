from celery import shared_task

from .models import VideoJob
from .services import video_job_run


# Rendering is slow CPU work: its own queue keeps it from delaying reports and budget rules.
@shared_task(name="creatives.video_job_run", queue="render", acks_late=True)
def video_job_run_task(job_pk: int) -> str | None:
    job = VideoJob.objects.select_related("product").filter(pk=job_pk).first()
    if job is None:
        return None
    return video_job_run(job=job).status
