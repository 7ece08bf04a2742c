"""The Ark stand-in, driven over real HTTP by the production SeedanceClient."""

import base64
import datetime as dt
import subprocess

import pytest

from adloop import clock
from creatives.media import ffmpeg_exe, probe
from integrations.seedance.client import TASKS_PATH, SeedanceClient
from integrations.seedance.errors import AuthError, Permanent, TaskFailed
from sandbox.ark import tasks
from sandbox.ark.render import frame_size
from sandbox.models import SbArkTask

pytestmark = pytest.mark.django_db(transaction=True)

MODEL = "doubao-seedance-1-0-pro-250528"
FAST_MODEL = "doubao-seedance-1-5-pro-251215"  # takes 2-second clips, which render quickly
API = "/sandbox/ark/api/v3/contents/generations/tasks"


@pytest.fixture
def seedance(live_server, settings):
    settings.SEEDANCE_BASE_URL = live_server.url + "/sandbox/ark/api/v3"
    return SeedanceClient(base_url=settings.SEEDANCE_BASE_URL, api_key=settings.SEEDANCE_API_KEY, sleep=lambda s: None)


@pytest.fixture
def png(tmp_path):
    """A real 720x1280 PNG, rendered with ffmpeg."""
    path = tmp_path / "first-frame.png"
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-f", "lavfi", "-i", "testsrc2=s=720x1280", "-frames:v", "1", str(path)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    return path.read_bytes()


def assert_clip(path, *, width, height, seconds):
    info = probe(path)
    assert info["video_codec"] == "h264"
    assert (info["width"], info["height"]) == (width, height)
    assert abs(info["duration_s"] - seconds) <= 0.2


def test_a_prompt_becomes_a_real_clip_after_two_polls(seedance, live_server, tmp_path):
    task_id = seedance.task_create(model=MODEL, prompt="A portable blender on a kitchen desk", duration=5)

    assert task_id.startswith("cgt-") and len(task_id) == len("cgt-20261129101010-abcde")
    assert seedance.task_get(task_id).status == "running"
    task = seedance.task_wait(task_id, poll_seconds=0, max_wait_seconds=60)
    assert task.status == "succeeded" and task.model == MODEL
    assert task.video_url.startswith(f"{live_server.url}/sandbox/ark/files/") and task.video_url.endswith(".mp4")
    assert task.usage.total_tokens > 0 and task.created_at <= task.updated_at

    path = seedance.video_download(task.video_url, tmp_path / "clip.mp4")

    assert_clip(path, width=720, height=1280, seconds=5)
    assert seedance.task_get(task_id).status == "succeeded"  # a finished task stays put


def test_a_first_frame_is_animated_into_the_clip(seedance, png, tmp_path):
    path = seedance.generate_clip(
        model=MODEL, prompt="Slow push in", image=png, duration=5, dest=tmp_path / "i2v.mp4",
        poll_seconds=0, max_wait_seconds=60, ratio="adaptive", resolution="480p",
    )

    assert_clip(path, width=480, height=854, seconds=5)
    assert SbArkTask.objects.get().first_frame.read() == png


@pytest.mark.parametrize(
    ("ratio", "resolution", "image", "size"),
    [("9:16", "720p", None, (720, 1280)), ("9:16", "1080p", None, (1080, 1920)), ("9:16", "480p", None, (480, 854)),
     ("16:9", "720p", None, (1280, 720)), ("1:1", "1080p", None, (1080, 1080)), ("adaptive", "720p", (1000, 500), (1440, 720))],
)
def test_the_frame_size_follows_ratio_and_resolution(ratio, resolution, image, size):
    assert frame_size(ratio, resolution, image) == size


def test_a_wrong_key_is_refused_with_401(seedance, settings):
    wrong = SeedanceClient(base_url=settings.SEEDANCE_BASE_URL, api_key="not-the-key", sleep=lambda s: None)

    with pytest.raises(AuthError) as caught:
        wrong.task_create(model=MODEL, prompt="p")

    assert (caught.value.http_status, caught.value.code) == (401, "AuthenticationError")
    assert not SbArkTask.objects.exists()


def test_a_bad_duration_sent_raw_is_a_400_naming_the_field(seedance, settings):
    body = {"model": MODEL, "content": [{"type": "text", "text": "p --ratio 9:16 --duration 7"}]}

    response = seedance.session.post(
        seedance.url(TASKS_PATH), json=body, headers={"Authorization": f"Bearer {settings.SEEDANCE_API_KEY}"},
    )
    with pytest.raises(Permanent) as caught:
        seedance.request("POST", TASKS_PATH, json_body=body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidParameter" and "--duration" in response.json()["error"]["message"]
    assert caught.value.code == "InvalidParameter" and "--duration" in caught.value.message


def test_a_prompt_with_the_fail_marker_ends_failed(seedance):
    task_id = seedance.task_create(model=MODEL, prompt="a blender [fail]")

    with pytest.raises(TaskFailed) as caught:
        seedance.task_wait(task_id, poll_seconds=0, max_wait_seconds=60)

    assert (caught.value.status, caught.value.code) == ("failed", "OutputVideoSensitiveContentDetected")


def test_the_video_url_expires_after_24_hours(seedance, monkeypatch, tmp_path):
    task = seedance.task_wait(seedance.task_create(model=FAST_MODEL, prompt="p", duration=2, resolution="480p"), poll_seconds=0, max_wait_seconds=60)
    later = clock.now() + dt.timedelta(hours=25)
    monkeypatch.setattr(clock, "now", lambda: later)

    with pytest.raises(Permanent) as caught:
        seedance.video_download(task.video_url, tmp_path / "late.mp4")

    assert caught.value.http_status == 403 and "expired" in caught.value.message
    assert not (tmp_path / "late.mp4").exists()


def test_deleting_a_queued_task_cancels_it(seedance):
    task_id = seedance.task_create(model=MODEL, prompt="p")

    seedance.task_delete(task_id)

    assert seedance.task_get(task_id).status == "cancelled"
    with pytest.raises(TaskFailed) as caught:
        seedance.task_wait(task_id, poll_seconds=0, max_wait_seconds=60)
    assert caught.value.status == "cancelled"


def test_deleting_a_finished_task_removes_it(seedance):
    task_id = seedance.task_create(model=MODEL, prompt="p")
    seedance.task_delete(task_id)  # cancelled: finished

    seedance.task_delete(task_id)

    with pytest.raises(Permanent) as caught:
        seedance.task_get(task_id)
    assert (caught.value.http_status, caught.value.code) == (404, "ResourceNotFound")
    assert not SbArkTask.objects.exists()


# --- Validation, through Django's test client ------------------------------------------------


def post(client, settings, body, *, key=None):
    headers = {"Authorization": f"Bearer {key or settings.SEEDANCE_API_KEY}"}
    return client.post(API, body, content_type="application/json", headers=headers)


IMAGE = {"type": "image_url", "image_url": {"url": "https://cdn.example.com/a.png"}, "role": "first_frame"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"model": "gpt-4o", "content": [{"type": "text", "text": "p"}]}, "model"),
        ({"model": MODEL, "content": []}, "content"),
        ({"model": MODEL, "content": [IMAGE]}, "content"),
        ({"model": MODEL, "content": [{"type": "text", "text": "p --ratio 2:1"}]}, "content.text --ratio"),
        ({"model": MODEL, "content": [{"type": "text", "text": "p --resolution 4k"}]}, "content.text --resolution"),
        ({"model": FAST_MODEL, "content": [{"type": "text", "text": "p --dur 13"}]}, "content.text --dur"),
        ({"model": MODEL, "content": [{"type": "text", "text": "p --ratio adaptive"}]}, "ratio"),
        ({"model": MODEL, "content": [{"type": "text", "text": "--duration 5"}]}, "content.text"),
        ({"model": MODEL, "content": [{"type": "text", "text": "p"}, {**IMAGE, "role": "hero"}]}, "content[1].role"),
        ({"model": MODEL, "content": [{"type": "text", "text": "p"}, {**IMAGE, "image_url": {"url": "ftp://x"}}]}, "content[1].image_url.url"),
        ({"model": MODEL, "content": [{"type": "text", "text": "p"}, {**IMAGE, "image_url": {"url": "data:image/png;base64,@@"}}]},
         "content[1].image_url.url"),
    ],
)
def test_an_invalid_body_is_a_400_naming_the_field(client, settings, body, field):
    response = post(client, settings, body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidParameter"
    assert f"`{field}`" in response.json()["error"]["message"]
    assert not SbArkTask.objects.exists()


def test_a_too_small_first_frame_is_refused(client, settings, tmp_path):
    path = tmp_path / "tiny.png"
    subprocess.run([ffmpeg_exe(), "-nostdin", "-y", "-f", "lavfi", "-i", "color=s=64x64", "-frames:v", "1", str(path)], check=True, capture_output=True)
    image = {**IMAGE, "image_url": {"url": "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()}}
    response = post(client, settings, {"model": MODEL, "content": [{"type": "text", "text": "p"}, image]})

    assert response.status_code == 400 and "64x64" in response.json()["error"]["message"]


def test_an_image_url_is_accepted_and_commands_are_stored(client, settings):
    text = "A blender --ratio 16:9 --resolution 1080p --duration 10 --camerafixed true --watermark false --seed 7 --style vivid"
    response = post(client, settings, {"model": "ep-20250101-abc", "content": [{"type": "text", "text": text}, IMAGE]})

    assert response.status_code == 200, response.content
    task = SbArkTask.objects.get(task_id=response.json()["id"])
    assert task.prompt == "A blender --style vivid"
    assert task.params == {
        "ratio": "16:9", "resolution": "1080p", "duration": 10, "seed": 7, "camera_fixed": True, "watermark": False,
        "images": [{"role": "first_frame", "source": "url"}], "first_frame_size": None,
    }


def test_a_missing_key_is_a_401_and_an_unknown_task_a_404(client, settings):
    response = client.get(f"{API}/cgt-1")
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "AuthenticationError", "message": "The API key in the request is missing or invalid."},
    }
    response = client.delete(f"{API}/cgt-nope", headers={"Authorization": f"Bearer {settings.SEEDANCE_API_KEY}"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "ResourceNotFound"
    assert client.put(API).status_code == 405


def test_two_polls_racing_to_finish_leave_one_video(client, settings):
    answer = post(client, settings, {"model": FAST_MODEL, "content": [{"type": "text", "text": "p --duration 2 --resolution 480p"}]})
    first_poll = SbArkTask.objects.get(task_id=answer.json()["id"])
    first_poll.polls, first_poll.status = 1, SbArkTask.Status.RUNNING
    first_poll.save()
    stale = SbArkTask.objects.get(pk=first_poll.pk)

    winner = tasks._advance(first_poll)
    loser = tasks._advance(stale)  # rendered too, but the task had already moved on

    assert winner.status == loser.status == "succeeded" and loser.video.name == winner.video.name
    assert [p.name for p in (settings.MEDIA_ROOT / "sandbox" / "ark").iterdir()] == [winner.video.name.rsplit("/", 1)[1]]
