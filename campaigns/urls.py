from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.ad_new, name="ad_new"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/action/", views.campaign_action, name="campaign_action"),
    path("ads/<int:pk>/action/", views.ad_action, name="ad_action"),
    path("oauth/start/", views.oauth_start, name="oauth_start"),
    path("oauth/callback/", views.oauth_callback, name="oauth_callback"),
    path("tiktok-accounts/connect/", views.tiktok_connect_start, name="tiktok_connect_start"),
    path("tiktok-accounts/callback/", views.tiktok_connect_callback, name="tiktok_connect_callback"),
]
