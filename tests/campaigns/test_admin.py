"""The admin path of the "done when": launch a demo video from admin, pause it, see both in ActionLog."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from campaigns.models import Ad, OperationStatus
from sandbox.models import SbAd
from scheduler.models import ActionLog

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client_(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", password="pw"))
    return client


def test_launch_as_ad_shows_a_form_then_launches(sandbox_http, admin_client_, advertiser, video_job):
    changelist = reverse("admin:creatives_videojob_changelist")
    form = admin_client_.post(changelist, {"action": "launch_as_ad", ACTION_CHECKBOX_NAME: [video_job.pk]})
    assert form.status_code == 200 and b"launch_as_ad-form" in form.content

    done = admin_client_.post(
        changelist,
        {
            "action": "launch_as_ad", ACTION_CHECKBOX_NAME: [video_job.pk], "apply": "1",
            "advertiser": advertiser.pk, "stage": "launch", "budget": "50.00", "ad_text": "", "call_to_action": "SHOP_NOW",
        },
        follow=True,
    )

    assert done.status_code == 200
    ad = Ad.objects.get()
    assert ad.status == OperationStatus.ENABLE and SbAd.objects.filter(ad_id=ad.ad_id).exists()
    user_entries = ActionLog.objects.filter(actor="user", user__username="boss")
    assert set(user_entries.values_list("action", flat=True)) == {"campaign_create", "adgroup_create", "ad_create"}


def test_pause_action_pauses_on_tiktok_and_logs_before_and_after(sandbox_http, admin_client_, advertiser, video_job):
    from campaigns.services import ad_launch
    from scheduler.services import Actor

    ad = ad_launch(job=video_job, advertiser=advertiser, stage="launch", budget=50, actor=Actor.auto())

    admin_client_.post(reverse("admin:campaigns_ad_changelist"), {"action": "pause", ACTION_CHECKBOX_NAME: [ad.pk]}, follow=True)

    assert SbAd.objects.get(ad_id=ad.ad_id).operation_status == "DISABLE"
    entry = ActionLog.objects.get(action="pause")
    assert entry.user.username == "boss"
    assert (entry.before, entry.after) == ({"status": "ENABLE"}, {"status": "DISABLE"})
    log_page = admin_client_.get(reverse("admin:scheduler_actionlog_changelist"))
    assert log_page.status_code == 200 and b"pause" in log_page.content


def test_a_refused_launch_shows_the_reason(sandbox_http, admin_client_, advertiser, product):
    from creatives.models import VideoJob

    job = VideoJob.objects.create(product=product, status=VideoJob.Status.QUEUED)
    response = admin_client_.post(
        reverse("admin:creatives_videojob_changelist"),
        {
            "action": "launch_as_ad", ACTION_CHECKBOX_NAME: [job.pk], "apply": "1",
            "advertiser": advertiser.pk, "stage": "launch", "budget": "50.00", "call_to_action": "SHOP_NOW",
        },
        follow=True,
    )
    assert "no finished video" in response.content.decode()
    assert not Ad.objects.exists()


def test_every_admin_changelist_renders(admin_client_, advertiser, video_job):
    from django.contrib import admin

    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin_client_.get(url).status_code == 200, url
