"""creatives.render: real ffmpeg renders of small scripts, checked with media.probe, raw frames
and volumedetect. No database; sizes are small (360x640) to keep the suite fast."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from creatives import media
from creatives.media import MediaError
from creatives.render import render_script
from creatives.render import tts as tts_mod
from creatives.render.captions import ass_escape, text_em, wrap
from creatives.render.compose import frame_counts
from creatives.render.fonts import pick_font
from creatives.render.music import DEFAULT_TRACK
from creatives.script import script_parse

FONT_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"
SMALL = (360, 640)
HAS_ESPEAK = tts_mod.tts_binary() is not None


def make_script(*, language="zh", captions=("便携榨汁杯，随时随地鲜榨", "6 叶刀头，冰块也能打碎", "今天下单，明天到家"),
                durations=(1.5, 1.0, 1.5), hook="3 个理由让你爱上它", cta="立即购买", voiceover="鲜榨果汁", images=None):
    scenes = [
        {"duration_s": d, "visual": "product", "caption": c, "voiceover": voiceover, "image": None if images is None else images[i]}
        for i, (d, c) in enumerate(zip(durations, captions, strict=True))
    ]
    return script_parse({"language": language, "hook": {"type": "number", "text": hook}, "scenes": scenes,
                         "cta": {"type": "shop_now", "text": cta}})


def frame_rgb(video: Path, at_s: float) -> bytes:
    proc = subprocess.run(
        [media.ffmpeg_exe(), "-v", "error", "-ss", f"{at_s:.3f}", "-i", str(video), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True, timeout=60,
    )
    return proc.stdout


def band_diff(a: bytes, b: bytes, *, width: int, top: int, bottom: int) -> float:
    """Mean absolute difference per RGB byte over rows [top, bottom)."""
    start, end = top * width * 3, bottom * width * 3
    return sum(abs(x - y) for x, y in zip(a[start:end], b[start:end], strict=True)) / (end - start)


def mean_volume(video: Path) -> float:
    proc = subprocess.run(
        [media.ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(video), "-map", "0:a:0", "-af", "volumedetect", "-f", "null", "-"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    found = re.search(r"mean_volume: (-?[\d.]+|-inf) dB", proc.stderr)
    assert found, proc.stderr[-500:]
    return float(found.group(1))


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """A square PNG and a landscape JPEG, like product photos."""
    folder = tmp_path_factory.mktemp("images")
    paths = []
    for source, name in (("gradients=s=600x600:c0=0x2e86de:c1=0x10ac84:seed=3", "square.png"), ("testsrc2=s=800x450", "wide.jpg")):
        subprocess.run([media.ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", source, "-frames:v", "1", str(folder / name)],
                       check=True, timeout=60)
        paths.append(folder / name)
    return paths


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, images):
    """The 3-scene zh script over two images, with an empty music folder; rendered once."""
    root = tmp_path_factory.mktemp("render")
    calls = []
    result = render_script(script=make_script(), sources=images, out_dir=root / "out", size=SMALL, font_dir=FONT_DIR,
                           music_dir=root / "music", seed=7, progress=calls.append)
    return result, calls, root


def quick(tmp_path, script, *, name="out", **kwargs):
    """A render without music or voice unless asked: only the picture matters."""
    options = {"sources": [], "size": SMALL, "font_dir": FONT_DIR, "music_dir": None, "voiceover": "off", "seed": 1} | kwargs
    return render_script(script=script, out_dir=tmp_path / name, **options)


def test_it_renders_h264_and_aac_at_the_exact_size_and_script_duration(rendered):
    result, _, _ = rendered
    info = media.probe(result.video)
    assert info["video_codec"] == "h264"
    assert info["pix_fmt"] == "yuv420p"
    assert (info["width"], info["height"]) == SMALL == (result.width, result.height)
    assert info["audio_codec"] == "aac"
    assert info["duration_s"] == pytest.approx(4.0, abs=0.2)
    assert result.duration_s == pytest.approx(4.0, abs=0.05)
    assert result.video.name == "video.mp4"


def test_it_writes_a_jpeg_cover_beside_the_video(rendered):
    result, _, _ = rendered
    assert result.cover.parent == result.video.parent
    assert result.cover.read_bytes()[:3] == b"\xff\xd8\xff"
    assert media.probe(result.cover)["width"] == SMALL[0]


def test_it_leaves_only_the_video_and_the_cover_in_out_dir(rendered):
    result, _, _ = rendered
    assert sorted(p.name for p in result.video.parent.iterdir()) == ["cover.jpg", "video.mp4"]


def test_progress_is_reported_in_increasing_steps_up_to_100(rendered):
    _, calls, _ = rendered
    assert calls[0] == 0 and calls[-1] == 100
    assert calls == sorted(set(calls))
    assert len(calls) >= 4


def test_it_generates_a_default_track_into_an_empty_music_folder(rendered):
    result, _, root = rendered
    assert result.has_music
    assert (root / "music" / DEFAULT_TRACK).is_file()
    assert mean_volume(result.video) > -60


def test_it_plays_a_track_from_the_music_folder(tmp_path):
    music = tmp_path / "music"
    music.mkdir()
    media.ffmpeg_write(path=music / "tone.wav", args=["-f", "lavfi", "-i", "sine=frequency=330:duration=2"], what="tone")
    result = quick(tmp_path, make_script(durations=(1.0, 1.0, 1.0)), music_dir=music)
    assert result.has_music
    assert not (music / DEFAULT_TRACK).exists()
    assert mean_volume(result.video) > -60


def test_without_a_music_folder_the_audio_track_is_silent_aac(tmp_path):
    result = quick(tmp_path, make_script(durations=(1.0, 1.0, 1.0)))
    assert not result.has_music and not result.has_voiceover
    assert media.probe(result.video)["audio_codec"] == "aac"
    assert mean_volume(result.video) < -60


def test_captions_are_burned_into_the_lower_third(tmp_path, rendered, images):
    result, _, _ = rendered
    bare = render_script(script=make_script(), sources=images, out_dir=tmp_path / "bare", size=SMALL, font_dir=FONT_DIR,
                         music_dir=None, voiceover="off", seed=7, captions=False)
    width, height = SMALL
    with_text, without = frame_rgb(result.video, 0.75), frame_rgb(bare.video, 0.75)
    assert len(with_text) == width * height * 3
    caption_band = band_diff(with_text, without, width=width, top=int(height * 0.6), bottom=int(height * 0.82))
    picture_band = band_diff(with_text, without, width=width, top=int(height * 0.4), bottom=int(height * 0.55))
    assert caption_band > 8
    assert caption_band > 4 * picture_band
    # The hook is up top during the first scene.
    assert band_diff(with_text, without, width=width, top=int(height * 0.1), bottom=int(height * 0.3)) > 8


def test_chinese_captions_are_drawn_with_the_bundled_cjk_font(tmp_path, monkeypatch):
    font = pick_font(FONT_DIR)
    assert font.family == "WenQuanYi Micro Hei" and font.cjk
    # Hide the system's fonts from ffmpeg's fontconfig: whatever Chinese is drawn now comes
    # from the font folder libass is given, not from a fallback.
    empty_config = tmp_path / "fonts.conf"
    empty_config.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig></fontconfig>\n')
    monkeypatch.setenv("FONTCONFIG_FILE", str(empty_config))
    latin_only = tmp_path / "latin-fonts"
    latin_only.mkdir()
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not dejavu.is_file():
        pytest.skip("needs DejaVu Sans (Debian's fonts-dejavu-core) as the Latin-only font")
    shutil.copy(dejavu, latin_only)
    script = make_script(captions=("鲜榨果汁随身带", "冰块也能打碎", "今天下单"), durations=(1.0, 1.0, 1.0))
    bundled = quick(tmp_path, script, name="bundled")
    no_cjk = quick(tmp_path, script, name="no-cjk", font_dir=latin_only)
    bare = quick(tmp_path, script, name="bare", captions=False)
    width, height = SMALL
    band = {"width": width, "top": int(height * 0.6), "bottom": int(height * 0.82)}
    frame = frame_rgb(bundled.video, 0.5)
    assert band_diff(frame, frame_rgb(bare.video, 0.5), **band) > 8  # glyphs were drawn
    assert band_diff(frame, frame_rgb(no_cjk.video, 0.5), **band) > 8  # ... by the bundled font


@pytest.mark.skipif(not HAS_ESPEAK, reason="espeak-ng/espeak is not installed (apt-get install espeak-ng)")
def test_voiceover_is_spoken_when_espeak_is_installed(tmp_path):
    result = quick(tmp_path, make_script(voiceover="今天下单，明天到家"), voiceover="auto")
    assert result.has_voiceover
    assert mean_volume(result.video) > -60
    assert media.probe(result.video)["duration_s"] == pytest.approx(4.0, abs=0.2)


def test_voiceover_is_skipped_without_a_tts_binary(tmp_path, monkeypatch):
    monkeypatch.setattr(tts_mod.shutil, "which", lambda name: None)
    result = quick(tmp_path, make_script(durations=(1.0, 1.0, 1.0)), voiceover="auto")
    assert not result.has_voiceover
    assert media.probe(result.video)["audio_codec"] == "aac"


def test_voiceover_off_skips_speech(tmp_path):
    result = quick(tmp_path, make_script(durations=(1.0, 1.0, 1.0)), voiceover="off")
    assert not result.has_voiceover


def test_video_clip_sources_are_looped_and_cropped_to_each_scene(tmp_path):
    clip = media.render_demo_video(path=tmp_path / "clip.mp4", duration_s=1.0, size=(320, 180))
    result = quick(tmp_path, make_script(durations=(1.5, 1.0, 1.5)), sources=[clip])
    info = media.probe(result.video)
    assert (info["width"], info["height"]) == SMALL
    assert info["duration_s"] == pytest.approx(4.0, abs=0.2)


def test_images_and_clips_mix_and_scene_image_picks_the_source(tmp_path, images):
    clip = media.render_demo_video(path=tmp_path / "clip.mp4", duration_s=1.0, size=(360, 640), color="0xcc3333")
    script = make_script(durations=(1.0, 1.0, 1.0), images=[2, 0, 99])  # 99 is out of range: falls back to i % 3
    result = quick(tmp_path, script, sources=[*images, clip], captions=False)
    assert media.probe(result.video)["duration_s"] == pytest.approx(3.0, abs=0.2)

    def is_red(at_s):
        red, green, blue = frame_rgb(result.video, at_s)[(320 * 360 + 20) * 3:][:3]
        return red > 150 and green < 100 and blue < 100

    # Scenes 0 and 2 show the red clip, scene 1 the square image, each for exactly its second.
    assert [is_red(0.5), is_red(1.5), is_red(2.5)] == [True, False, True]


def test_it_renders_720x1280(tmp_path, images):
    script = make_script(captions=("大字幕", "立即购买"), durations=(1.0, 1.0), language="zh")
    result = quick(tmp_path, script, size=(720, 1280), sources=images, music_dir=tmp_path / "music")
    info = media.probe(result.video)
    assert (info["width"], info["height"]) == (720, 1280)
    assert info["duration_s"] == pytest.approx(2.0, abs=0.2)
    assert info["audio_codec"] == "aac"


def test_captions_full_of_special_characters_render(tmp_path):
    nasty = ("50% off: it's \"great\" {\\b1} C:\\path", "line one\nline two \\N {x}", "100%: 'a' \"b\" \\ }{")
    script = make_script(language="en", captions=nasty, durations=(1.0, 1.0, 1.0), hook="Don't {miss}: 100% \\N", cta="Buy now: 50%!")
    result = quick(tmp_path, script)
    assert media.probe(result.video)["duration_s"] == pytest.approx(3.0, abs=0.2)


def test_a_corrupt_source_raises_media_error_and_leaves_no_files(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 50)
    out = tmp_path / "out"
    with pytest.raises(MediaError, match="ffmpeg"):
        quick(tmp_path, make_script(durations=(1.0, 1.0, 1.0)), sources=[bad])
    assert list(out.iterdir()) == []


def test_an_unsupported_source_is_rejected_before_rendering(tmp_path):
    odd = tmp_path / "notes.txt"
    odd.write_text("hello")
    with pytest.raises(MediaError, match="unsupported source"):
        quick(tmp_path, make_script(), sources=[odd])


def test_frame_counts_add_up_to_the_rounded_total():
    counts = frame_counts([1.5, 1.0, 1.5, 0.7, 2.3], 25)
    assert sum(counts) == round(7.0 * 25)
    assert counts[:3] == [38, 25, 37]  # 37.5 rounds once, on the running total


def test_ass_escape_neutralises_override_blocks_and_breaks():
    escaped = ass_escape("{\\b1}bold\\Nline\\h")
    assert "{\\" not in escaped.replace("\\{", "")
    assert "\\N" not in escaped and "\\h" not in escaped
    assert escaped.startswith("\\{")


def test_wrap_keeps_lines_within_width_and_punctuation_off_line_starts():
    lines = wrap("便携榨汁杯，随时随地一杯鲜榨果汁，冰块也能轻松打碎。", 8)
    assert len(lines) > 1
    assert all(text_em(line) <= 8 for line in lines)
    assert not any(line[0] in "，。" for line in lines)
    assert "".join(lines) == "便携榨汁杯，随时随地一杯鲜榨果汁，冰块也能轻松打碎。"
    english = wrap("Blends frozen fruit in thirty seconds anywhere you go", 10)
    assert all(text_em(line) <= 10 for line in english)
    assert " ".join(english) == "Blends frozen fruit in thirty seconds anywhere you go"


def test_a_render_over_its_timeout_raises_media_error_and_leaves_no_files(tmp_path):
    script = make_script(captions=("慢",), durations=(15.0,))
    with pytest.raises(MediaError, match="timed out"):
        quick(tmp_path, script, size=(1080, 1920), timeout_s=0.1)
    assert list((tmp_path / "out").iterdir()) == []


def crashing_ffmpeg(tmp_path, monkeypatch, *, crashes: int, exit_code: str = "") -> Path:
    """Point IMAGEIO_FFMPEG_EXE at a wrapper whose first ``crashes`` renders (the runs with
    ``-progress``) die of SIGSEGV (or exit with ``exit_code``); every other run is the real ffmpeg.
    Returns the file the wrapper counts render runs in."""
    real, counter = media.ffmpeg_exe(), tmp_path / "renders"
    counter.write_text("")
    die = f"exit {exit_code}" if exit_code else "kill -SEGV $$"
    wrapper = tmp_path / "ffmpeg"
    wrapper.write_text(
        "#!/bin/sh\n"
        'case " $* " in *" -progress "*)\n'
        f'  echo run >> "{counter}"\n'
        f'  if [ "$(wc -l < "{counter}")" -le {crashes} ]; then {die}; fi;;\n'
        "esac\n"
        f'exec "{real}" "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(wrapper))
    return counter


def test_a_render_ffmpeg_crashes_on_is_run_once_more_and_succeeds(tmp_path, monkeypatch):
    counter = crashing_ffmpeg(tmp_path, monkeypatch, crashes=1)
    calls = []
    result = quick(tmp_path, make_script(durations=(1.0, 1.0, 1.0)), progress=calls.append)
    assert len(counter.read_text().split()) == 2
    info = media.probe(result.video)
    assert info["video_codec"] == "h264"
    assert info["duration_s"] == pytest.approx(3.0, abs=0.2)
    assert calls == sorted(calls) and calls[-1] == 100


def test_a_render_ffmpeg_crashes_on_twice_fails_with_the_signal(tmp_path, monkeypatch):
    counter = crashing_ffmpeg(tmp_path, monkeypatch, crashes=2)
    with pytest.raises(MediaError, match=r"could not render the video \(exit -11\)"):
        quick(tmp_path, make_script(durations=(1.0, 1.0, 1.0)))
    assert len(counter.read_text().split()) == 2
    assert list((tmp_path / "out").iterdir()) == []


def test_an_ordinary_ffmpeg_error_is_not_retried(tmp_path, monkeypatch):
    counter = crashing_ffmpeg(tmp_path, monkeypatch, crashes=1, exit_code="1")
    with pytest.raises(MediaError, match=r"could not render the video \(exit 1\)"):
        quick(tmp_path, make_script(durations=(1.0, 1.0, 1.0)))
    assert len(counter.read_text().split()) == 1
