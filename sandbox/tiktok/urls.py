"""The API's routes under /sandbox/tiktok/open_api/v1.3/; every path ends in "/" as on TikTok."""

from django.urls import path

from . import accounts, adgroups, ads, campaigns, files, oauth, reports

ROUTES = {
    "oauth2/access_token/": oauth.access_token,
    "oauth2/advertiser/get/": oauth.advertiser_get,
    "advertiser/info/": accounts.advertiser_info,
    "identity/create/": accounts.identity_create,
    "identity/get/": accounts.identity_get,
    "file/video/ad/upload/": files.video_upload,
    "file/video/ad/search/": files.video_search,
    "file/video/ad/info/": files.video_info,
    "campaign/create/": campaigns.campaign_create,
    "campaign/get/": campaigns.campaign_get,
    "campaign/update/": campaigns.campaign_update,
    "campaign/status/update/": campaigns.campaign_status_update,
    "adgroup/create/": adgroups.adgroup_create,
    "adgroup/get/": adgroups.adgroup_get,
    "adgroup/update/": adgroups.adgroup_update,
    "adgroup/status/update/": adgroups.adgroup_status_update,
    "adgroup/budget/update/": adgroups.adgroup_budget_update,
    "ad/create/": ads.ad_create,
    "ad/get/": ads.ad_get,
    "ad/update/": ads.ad_update,
    "ad/status/update/": ads.ad_status_update,
    "report/integrated/get/": reports.report_integrated_get,
}

urlpatterns = [path(route, view, name="tiktok-" + route.strip("/").replace("/", "-")) for route, view in ROUTES.items()]
