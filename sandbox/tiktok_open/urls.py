"""TikTok's v2 paths under /sandbox/tiktok-open/v2/ (the real host is open.tiktokapis.com/v2/)."""

from django.urls import path

from . import display, oauth, posting

urlpatterns = [
    path("auth/authorize/", oauth.authorize, name="tiktok-open-authorize"),
    path("oauth/token/", oauth.token, name="tiktok-open-token"),
    path("user/info/", display.user_info, name="tiktok-open-user-info"),
    path("video/list/", display.video_list, name="tiktok-open-video-list"),
    path("post/publish/creator_info/query/", posting.creator_info, name="tiktok-open-creator-info"),
    path("post/publish/video/init/", posting.video_init, name="tiktok-open-video-init"),
    path("post/publish/status/fetch/", posting.status_fetch, name="tiktok-open-status-fetch"),
    # Real upload URLs point at open-upload.tiktokapis.com/video/?upload_id=…&upload_token=…
    path("upload/video/", posting.upload, name="tiktok-open-upload"),
]
