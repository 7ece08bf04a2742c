from http import HTTPStatus

import pytest
from django.urls import reverse

from campaigns.models import Ad, OperationStatus
from sandbox.models import SbAd

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("api-user", password="pw", is_staff=True))
    return client


def test_the_api_needs_a_session(client):
    response = client.get(reverse("api:campaigns"))
    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_it_launches_and_pauses_an_ad_through_the_api(sandbox_http, api_client, advertiser, video_job):
    created = api_client.post(
        reverse("api:launch"),
        {"job_id": str(video_job.job_id), "advertiser_id": advertiser.advertiser_id, "budget": "40.00"},
        content_type="application/json",
    )
    assert created.status_code == HTTPStatus.CREATED, created.content
    ad = Ad.objects.get(pk=created.json()["id"])

    paused = api_client.post(reverse("api:ad_status", args=[ad.pk]), {"status": "DISABLE"}, content_type="application/json")

    assert paused.status_code == HTTPStatus.OK and paused.json()["status"] == OperationStatus.DISABLE
    assert SbAd.objects.get(ad_id=ad.ad_id).operation_status == "DISABLE"
    listed = api_client.get(reverse("api:ads")).json()
    assert [item["ad_id"] for item in listed] == [ad.ad_id]


def test_an_unknown_advertiser_is_a_404(api_client, video_job):
    response = api_client.post(
        reverse("api:launch"),
        {"job_id": str(video_job.job_id), "advertiser_id": "999", "budget": "40.00"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_refused_launch_is_a_422_with_the_reason(sandbox_http, api_client, advertiser, video_job):
    response = api_client.post(
        reverse("api:launch"),
        {"job_id": str(video_job.job_id), "advertiser_id": advertiser.advertiser_id, "budget": "1.00"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "at least" in response.json()["detail"]
