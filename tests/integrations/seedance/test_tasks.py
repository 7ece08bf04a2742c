"""One method per Ark call: the create body, polling, deleting, downloading."""

import base64
import json

import pytest
import requests
import responses

from integrations.seedance.errors import InvalidResponse, Permanent, TaskFailed, TaskTimeout, Transient

from .conftest import MODEL, TASKS, VIDEO_URL, task_body, task_url

PNG = b"\x89PNG\r\n\x1a\n fake image bytes"


def sent(call) -> dict:
    return json.loads(call.request.body)


# --- Create ------------------------------------------------------------------------------


def test_create_sends_the_prompt_with_its_commands_in_one_text_part(seedance, ark):
    ark.add(responses.POST, TASKS, json={"id": "cgt-20261129101010-abcde"})

    task_id = seedance.task_create(model=MODEL, prompt="  A blender on a desk ", duration=10, seed=42, camera_fixed=True)

    assert task_id == "cgt-20261129101010-abcde"
    body = sent(ark.calls[0])
    assert ark.calls[0].request.headers["Content-Type"] == "application/json"
    assert body == {
        "model": MODEL,
        "content": [{
            "type": "text",
            "text": "A blender on a desk --ratio 9:16 --resolution 720p --duration 10 --camerafixed true --watermark false --seed 42",
        }],
    }


def test_create_with_an_image_adds_a_first_frame_data_url(seedance, ark):
    ark.add(responses.POST, TASKS, json={"id": "cgt-1"})

    seedance.task_create(model=MODEL, prompt="zoom in", image=PNG, ratio="adaptive", resolution="1080p")

    text, image = sent(ark.calls[0])["content"]
    assert text["type"] == "text"
    assert "--ratio adaptive --resolution 1080p --duration 5" in text["text"] and "--seed" not in text["text"]
    assert image["type"] == "image_url" and image["role"] == "first_frame"
    prefix = "data:image/png;base64,"
    assert image["image_url"]["url"].startswith(prefix)
    assert base64.b64decode(image["image_url"]["url"][len(prefix):]) == PNG


def test_create_sends_the_image_mime_it_is_given(seedance, ark):
    ark.add(responses.POST, TASKS, json={"id": "cgt-1"})

    seedance.task_create(model=MODEL, prompt="p", image=b"\xff\xd8jpeg", image_mime="image/jpeg")

    assert sent(ark.calls[0])["content"][1]["image_url"]["url"].startswith("data:image/jpeg;base64,")


@pytest.mark.parametrize(
    ("model", "duration"),
    [(MODEL, 7), (MODEL, 0), ("doubao-seedance-1-0-lite-t2v-250428", 12), ("doubao-seedance-1-5-pro-251215", 13),
     ("doubao-seedance-1-5-pro-251215", 1), (MODEL, True)],
)
def test_an_invalid_duration_is_refused_before_any_http_call(seedance, ark, model, duration):
    with pytest.raises(Permanent) as caught:
        seedance.task_create(model=model, prompt="p", duration=duration)

    assert "duration" in caught.value.message
    assert len(ark.calls) == 0


@pytest.mark.parametrize("duration", [2, 7, 12])
def test_newer_models_take_2_to_12_seconds(seedance, ark, duration):
    ark.add(responses.POST, TASKS, json={"id": "cgt-1"})

    seedance.task_create(model="doubao-seedance-1-5-pro-251215", prompt="p", duration=duration)

    assert f"--duration {duration} " in sent(ark.calls[0])["content"][0]["text"]


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"ratio": "2:1"}, "ratio"),
        ({"ratio": "adaptive"}, "adaptive"),
        ({"resolution": "4k"}, "resolution"),
        ({"prompt": "  "}, "prompt"),
        ({"image": PNG, "image_mime": "image/svg+xml"}, "image_mime"),
    ],
)
def test_other_invalid_values_are_refused_before_any_http_call(seedance, ark, kwargs, word):
    with pytest.raises(Permanent) as caught:
        seedance.task_create(**{"model": MODEL, "prompt": "p", **kwargs})

    assert word in caught.value.message
    assert len(ark.calls) == 0


# --- Get, delete ------------------------------------------------------------------------------


def test_get_returns_a_typed_task_and_keeps_unknown_fields(seedance, ark):
    ark.add(responses.GET, task_url(), json=task_body("succeeded", seed=11, resolution="720p"))

    task = seedance.task_get("cgt-1")

    assert (task.id, task.model, task.status, task.video_url) == ("cgt-1", MODEL, "succeeded", VIDEO_URL)
    assert (task.created_at, task.updated_at, task.usage.total_tokens) == (1764300000, 1764300060, 108900)
    assert task.model_extra == {"seed": 11, "resolution": "720p"}


def test_delete_calls_delete_on_the_task(seedance, ark):
    ark.add(responses.DELETE, task_url(), body="")

    assert seedance.task_delete("cgt-1") is None
    assert ark.calls[0].request.method == "DELETE"


# --- Wait -------------------------------------------------------------------------------------


def test_wait_polls_until_the_task_succeeds(seedance, ark, sleeps):
    for status in ("queued", "running", "running", "succeeded"):
        ark.add(responses.GET, task_url(), json=task_body(status))

    task = seedance.task_wait("cgt-1", poll_seconds=15, max_wait_seconds=600)

    assert task.status == "succeeded" and task.video_url == VIDEO_URL
    assert sleeps == [15, 15, 15]


@pytest.mark.parametrize("status", ["failed", "cancelled", "expired"])
def test_a_task_that_ends_without_a_video_raises_task_failed(seedance, ark, sleeps, status):
    error = {"code": "OutputVideoSensitiveContentDetected", "message": "sensitive output"} if status == "failed" else None
    ark.add(responses.GET, task_url(), json=task_body("running"))
    ark.add(responses.GET, task_url(), json=task_body(status, error=error))

    with pytest.raises(TaskFailed) as caught:
        seedance.task_wait("cgt-1", poll_seconds=10, max_wait_seconds=600)

    assert (caught.value.task_id, caught.value.status) == ("cgt-1", status)
    assert not caught.value.retryable
    if error:
        assert caught.value.code == "OutputVideoSensitiveContentDetected" and "sensitive output" in caught.value.message


def test_waiting_too_long_raises_task_timeout(seedance, ark, sleeps):
    for _ in range(4):
        ark.add(responses.GET, task_url(), json=task_body("running"))

    with pytest.raises(TaskTimeout) as caught:
        seedance.task_wait("cgt-1", poll_seconds=10, max_wait_seconds=25)

    assert sleeps == [10, 10, 5]
    assert caught.value.retryable and (caught.value.task_id, caught.value.status) == ("cgt-1", "running")


def test_a_success_without_video_url_is_an_invalid_response(seedance, ark):
    ark.add(responses.GET, task_url(), json={"id": "cgt-1", "status": "succeeded", "content": {}})

    with pytest.raises(InvalidResponse):
        seedance.task_wait("cgt-1", poll_seconds=1, max_wait_seconds=5)


# --- Download ---------------------------------------------------------------------------------


def test_download_streams_the_video_to_dest_without_the_api_key(seedance, ark, tmp_path):
    payload = b"\x00\x00\x00\x18ftypmp42" + bytes(3 * 1024 * 1024)
    ark.add(responses.GET, VIDEO_URL, body=payload, content_type="video/mp4")
    dest = tmp_path / "clips" / "clip.mp4"

    assert seedance.video_download(VIDEO_URL, dest) == dest

    assert dest.read_bytes() == payload
    assert list(dest.parent.iterdir()) == [dest]  # the temporary file was renamed, nothing left over
    request = ark.calls[0].request
    assert "Authorization" not in request.headers
    assert request.req_kwargs["stream"] is True and request.req_kwargs["timeout"] == (3.05, 60)


@pytest.mark.parametrize("status", [403, 404])
def test_an_expired_video_url_is_permanent_and_says_so(seedance, ark, tmp_path, status):
    ark.add(responses.GET, VIDEO_URL, status=status, body="<Error><Code>AccessDenied</Code></Error>")
    dest = tmp_path / "clip.mp4"
    dest.write_bytes(b"previous")

    with pytest.raises(Permanent) as caught:
        seedance.video_download(VIDEO_URL, dest)

    assert "expired" in caught.value.message and caught.value.http_status == status
    assert dest.read_bytes() == b"previous" and list(tmp_path.iterdir()) == [dest]
    assert len(ark.calls) == 1


def test_a_download_cut_by_the_network_is_retried(seedance, ark, tmp_path):
    ark.add(responses.GET, VIDEO_URL, body=requests.ConnectionError("reset"))
    ark.add(responses.GET, VIDEO_URL, status=503, body="busy")
    ark.add(responses.GET, VIDEO_URL, body=b"video")

    seedance.video_download(VIDEO_URL, tmp_path / "clip.mp4")

    assert (tmp_path / "clip.mp4").read_bytes() == b"video"


def test_a_download_that_keeps_failing_raises_transient_and_leaves_no_file(seedance, ark, tmp_path):
    for _ in range(4):
        ark.add(responses.GET, VIDEO_URL, status=500, body="down")

    with pytest.raises(Transient):
        seedance.video_download(VIDEO_URL, tmp_path / "clip.mp4")

    assert list(tmp_path.iterdir()) == []


# --- generate_clip --------------------------------------------------------------------------


def test_generate_clip_creates_waits_and_downloads(seedance, ark, sleeps, tmp_path):
    ark.add(responses.POST, TASKS, json={"id": "cgt-1"})
    ark.add(responses.GET, task_url(), json=task_body("running"))
    ark.add(responses.GET, task_url(), json=task_body("succeeded"))
    ark.add(responses.GET, VIDEO_URL, body=b"video")

    path = seedance.generate_clip(
        model=MODEL, prompt="p", image=PNG, duration=5, dest=tmp_path / "c.mp4", poll_seconds=10, max_wait_seconds=60,
    )

    assert path.read_bytes() == b"video"
    assert sleeps == [10]
    assert sent(ark.calls[0])["content"][1]["role"] == "first_frame"


def test_generate_clip_cancels_a_task_still_queued_when_it_gives_up(seedance, ark, tmp_path):
    ark.add(responses.POST, TASKS, json={"id": "cgt-1"})
    for _ in range(2):
        ark.add(responses.GET, task_url(), json=task_body("queued"))
    ark.add(responses.DELETE, task_url(), json={})

    with pytest.raises(TaskTimeout):
        seedance.generate_clip(
            model=MODEL, prompt="p", image=None, duration=5, dest=tmp_path / "c.mp4", poll_seconds=10, max_wait_seconds=10,
        )

    assert ark.calls[-1].request.method == "DELETE"
