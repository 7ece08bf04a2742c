from http import HTTPStatus

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from creatives.models import Product, VideoJob

# on_commit enqueues the renders, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("maker", password="pw"))
    return client


def test_a_product_is_created_given_an_image_and_a_batch_through_the_api(staff, product_png):
    created = staff.post(
        reverse("api:product_new"),
        {"name": "Sunset Lamp", "selling_points": ["16 colours", "remote"], "price": "19.90", "language": "en"},
        content_type="application/json",
    )
    assert created.status_code == HTTPStatus.CREATED, created.content
    pk = created.json()["id"]
    upload = staff.post(
        reverse("api:product_image_upload", args=[pk]),
        {"image": SimpleUploadedFile("lamp.png", product_png.read_bytes(), content_type="image/png")},
    )
    assert upload.status_code == HTTPStatus.CREATED and len(upload.json()["images"]) == 1

    batch = staff.post(reverse("api:batch_new", args=[pk]), {"count": 2}, content_type="application/json")

    assert batch.status_code == HTTPStatus.CREATED, batch.content
    batch_id = batch.json()["batch_id"]
    # Celery runs eagerly in tests: by the time the answer arrives the batch has rendered.
    jobs = staff.get(reverse("api:jobs"), {"batch_id": batch_id}).json()
    assert [(job["status"], job["progress"]) for job in jobs] == [("done", 100), ("done", 100)]
    assert all(job["video_url"].endswith(".mp4") for job in jobs)


def test_a_bad_batch_request_is_a_422(staff):
    product = Product.objects.create(name="x")
    response = staff.post(reverse("api:batch_new", args=[product.pk]), {"count": 99}, content_type="application/json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY and "1 to 20" in response.json()["detail"]


def test_retrying_a_failed_job_through_the_api(staff, shop_product):
    job = VideoJob.objects.create(product=shop_product("en"), status=VideoJob.Status.FAILED, error="boom", hook_type="number")

    response = staff.post(reverse("api:job_retry", args=[job.job_id]))

    assert response.status_code == HTTPStatus.OK
    job.refresh_from_db()
    assert job.status == "done" and job.error == ""


def test_generate_videos_from_admin_shows_a_form_then_renders(staff, shop_product):
    product = shop_product("zh")
    changelist = reverse("admin:creatives_product_changelist")
    form = staff.post(changelist, {"action": "generate_videos", ACTION_CHECKBOX_NAME: [product.pk]})
    assert form.status_code == 200 and b"generate_videos-form" in form.content

    staff.post(
        changelist,
        {"action": "generate_videos", ACTION_CHECKBOX_NAME: [product.pk], "apply": "1", "count": "2",
         "backend": "ffmpeg", "language": "", "size": "720x1280"},
    )

    assert list(product.jobs.values_list("status", flat=True)) == ["done", "done"]
    page = staff.get(reverse("admin:creatives_videojob_change", args=[product.jobs.first().pk]))
    assert b"<video" in page.content and b"<progress" not in page.content
    listing = staff.get(reverse("admin:creatives_videojob_changelist"))
    assert b"<progress" in listing.content and b'http-equiv="refresh"' not in listing.content


def test_the_job_list_refreshes_itself_while_jobs_run(staff, shop_product):
    VideoJob.objects.create(product=shop_product("en"), status=VideoJob.Status.RUNNING, progress=40)
    listing = staff.get(reverse("admin:creatives_videojob_changelist"))
    assert b'http-equiv="refresh"' in listing.content and b'value="40"' in listing.content


def test_retry_action_requeues_only_failed_jobs(staff, shop_product):
    product = shop_product("en")
    failed = VideoJob.objects.create(product=product, status=VideoJob.Status.FAILED, error="x", hook_type="suspense")
    running = VideoJob.objects.create(product=product, status=VideoJob.Status.RUNNING)

    staff.post(reverse("admin:creatives_videojob_changelist"), {"action": "retry", ACTION_CHECKBOX_NAME: [failed.pk, running.pk]})

    failed.refresh_from_db()
    running.refresh_from_db()
    assert failed.status == "done" and running.status == "running"
