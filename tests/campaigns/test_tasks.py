import pytest

from campaigns.models import Ad
from campaigns.tasks import ad_launch_task

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_launch_task_launches_by_primary_keys(sandbox_http, advertiser, video_job):
    ad_pk = ad_launch_task.delay(video_job.pk, advertiser.pk, "launch", "45.00").get()

    ad = Ad.objects.get(pk=ad_pk)
    assert ad.ad_id and ad.adgroup.budget == 45


def test_the_launch_task_returns_quietly_when_the_job_is_gone(advertiser):
    assert ad_launch_task(10**9, advertiser.pk, "launch", "45.00") is None
