"""creatives.media: real ffmpeg renders, probed with `ffmpeg -i` (there is no ffprobe binary)."""

import hashlib

import pytest

from creatives import media


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The default demo video (3 s, 720x1280), rendered once for this module."""
    return media.render_demo_video(path=tmp_path_factory.mktemp("media") / "demo.mp4")


def test_ffmpeg_exe_exists():
    from pathlib import Path

    assert Path(media.ffmpeg_exe()).is_file()


def test_demo_video_is_h264_aac_9x16(rendered):
    info = media.probe(rendered)
    assert info["video_codec"] == "h264"
    assert (info["width"], info["height"]) == (720, 1280)
    assert info["pix_fmt"] == "yuv420p"
    assert info["audio_codec"] == "aac"
    assert info["duration_s"] == pytest.approx(3.0, abs=0.15)
    assert "mp4" in info["format"]


def test_demo_video_is_faststart(rendered):
    # +faststart moves the moov atom before mdat so players can start before the download ends.
    head = rendered.read_bytes()[:4096]
    assert head.find(b"moov") != -1
    assert head.find(b"moov") < rendered.read_bytes().find(b"mdat")


def test_demo_video_has_moving_content(rendered, tmp_path):
    first = media.render_cover(video=rendered, path=tmp_path / "t0.png")
    later = media.render_cover(video=rendered, path=tmp_path / "t2.png", at_s=2.0)
    assert first.read_bytes() != later.read_bytes()


def test_custom_size_color_and_duration(tmp_path):
    path = media.render_demo_video(path=tmp_path / "sub" / "v.mp4", duration_s=1.0, size=(360, 640), color="#cc3366", tone_hz=880)
    info = media.probe(path)
    assert (info["width"], info["height"], info["video_codec"], info["audio_codec"]) == (360, 640, "h264", "aac")
    assert info["duration_s"] == pytest.approx(1.0, abs=0.15)


@pytest.mark.parametrize("name", ["cover.jpg", "cover.png"])
def test_cover_is_an_image(rendered, tmp_path, name):
    cover = media.render_cover(video=rendered, path=tmp_path / name)
    data = cover.read_bytes()
    if name.endswith(".jpg"):
        assert data[:3] == b"\xff\xd8\xff"
    else:
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    info = media.probe(cover)
    assert (info["width"], info["height"]) == (720, 1280)
    assert info["audio_codec"] is None


def test_probe_text_file_raises(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n" * 50)
    with pytest.raises(media.MediaError, match="not a media file"):
        media.probe(text)


def test_probe_missing_file_raises(tmp_path):
    with pytest.raises(media.MediaError):
        media.probe(tmp_path / "missing.mp4")


def test_render_rejects_bad_arguments(tmp_path):
    with pytest.raises(media.MediaError):
        media.render_demo_video(path=tmp_path / "odd.mp4", size=(721, 1280))
    with pytest.raises(media.MediaError):
        media.render_demo_video(path=tmp_path / "inject.mp4", color="red:s=1x1[x];")
    assert list(tmp_path.iterdir()) == []


def test_failed_render_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(media, "ffmpeg_exe", lambda: "/bin/false")
    target = tmp_path / "v.mp4"
    with pytest.raises(media.MediaError, match="could not render"):
        media.render_demo_video(path=target, duration_s=1.0)
    assert list(tmp_path.iterdir()) == []


def test_md5_matches_hashlib(rendered):
    assert media.md5_file(rendered) == hashlib.md5(rendered.read_bytes()).hexdigest()  # noqa: S324
    assert media.md5_file(rendered, chunk_size=1000) == hashlib.md5(rendered.read_bytes()).hexdigest()  # noqa: S324
