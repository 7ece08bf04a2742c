"""Ark's paths under /sandbox/ark/: the API (no trailing slash, as on Ark) and the file host."""

from django.urls import path, re_path

from . import files, tasks

urlpatterns = [
    path("api/v3/contents/generations/tasks", tasks.tasks, name="ark-tasks"),
    path("api/v3/contents/generations/tasks/<str:task_id>", tasks.task_detail, name="ark-task"),
    re_path(r"^files/(?P<token>[0-9a-f]{32})\.mp4$", files.video_file, name="ark-file"),
]
