from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("oauth/start/", views.oauth_start, name="oauth_start"),
    path("oauth/callback/", views.oauth_callback, name="oauth_callback"),
    path("tiktok-accounts/connect/", views.tiktok_connect_start, name="tiktok_connect_start"),
    path("tiktok-accounts/callback/", views.tiktok_connect_callback, name="tiktok_connect_callback"),
]
