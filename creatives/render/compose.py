"""The single ffmpeg command that renders a script: inputs, filter graph and encoder options.

Pictures: each scene is one segment of exactly its frame count, concatenated with hard cuts.
An image is scaled once to 112 % of the frame (cover, cropped to 9:16) and looped; the motion
is then a per-frame bilinear scale + crop (much cheaper than ``zoompan`` on a big image).
Captions are one ASS file burned in by libass. Audio: music ducked under the voice-over with a
sidechain compressor, or silence, always AAC stereo of the video's exact length.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from creatives.media import MediaError

from .tts import Voice

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".mkv")
ZOOM = 1.12
# Limited (TV) range everywhere: JPEG sources decode as full range, and a concat of mixed
# ranges would otherwise flag the whole video as full range.
YUV = "format=pix_fmts=yuv420p:color_ranges=tv"
SAMPLE_RATE = 48000
# Calm two-colour gradients for scenes without a picture (start, end).
PALETTES = (
    ("0x1e3c72", "0x2a5298"),
    ("0xff7e5f", "0xfeb47b"),
    ("0x6a11cb", "0x2575fc"),
    ("0x11998e", "0x38ef7d"),
    ("0xee0979", "0xff6a00"),
    ("0x0f2027", "0x2c5364"),
    ("0xf7971e", "0xffd200"),
    ("0x00c6ff", "0x0072ff"),
)
MUSIC_ALONE, MUSIC_UNDER_VOICE = 0.4, 0.3
# eSpeak speaks around -22 LUFS; +6 dB puts it ~5 dB over the undercut music, and the sidechain
# takes the music down ~12 dB more while someone speaks (≈ -15 dB relative).
VOICE_GAIN = 2.0


@dataclass(frozen=True)
class Shot:
    source: Path | None  # None: a generated gradient
    frames: int
    motion: int
    palette: int


def source_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    raise MediaError(f"unsupported source {path.name}: use {', '.join(IMAGE_SUFFIXES + VIDEO_SUFFIXES)}")


def frame_counts(durations: list[float], fps: int) -> list[int]:
    """Frames per scene, rounded on the running total so the sum is exactly round(total × fps)."""
    counts, elapsed, done = [], 0.0, 0
    for duration in durations:
        elapsed += duration
        end = int(elapsed * fps + 0.5)  # half up, not to even: 37.5 frames → 38
        counts.append(end - done)
        done = end
    return counts


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def _motion(kind: int, frames: int, width: int, height: int) -> str:
    """Zoom in, pan right, zoom out, pan left: the Ken Burns moves scenes cycle through."""
    p = f"(n/{max(1, frames - 1)})"
    crop_centre = f"crop={width}:{height}:(iw-{width})/2:(ih-{height})/2"
    if kind % 2 == 0:
        zoom = f"(1+{ZOOM - 1:.3f}*{p})" if kind % 4 == 0 else f"({ZOOM:.3f}-{ZOOM - 1:.3f}*{p})"
        # Width and height round up independently (never below the frame: crop needs the room);
        # the aspect error is under a pixel.
        size = f"w='2*ceil({width}*{zoom}/2)':h='2*ceil({height}*{zoom}/2)'"
        return f"scale={size}:eval=frame:flags=bilinear,{crop_centre}"
    x = p if kind % 4 == 1 else f"(1-{p})"
    # crop's own frame counter is also n.
    return f"crop={width}:{height}:x='(iw-{width})*{x}':y='(ih-{height})/2'"


def _shot_filter(shot: Shot, index: int, input_index: int | None, size: tuple[int, int], fps: int, seed: int) -> str:
    width, height = size
    tail = f"trim=end_frame={shot.frames},settb=1/{fps},setpts=N,setsar=1[s{index}]"
    if shot.source is None:
        c0, c1 = PALETTES[shot.palette % len(PALETTES)]
        # Drawn at 1/4 size and upscaled: gradients are smooth and this costs 1/16 of the pixels.
        seconds = shot.frames / fps + 1
        small_w, small_h = _even(width / 4), _even(height / 4)
        # Corner to corner (alternating diagonals): random end points can sit close together
        # and draw a hard edge.
        x0, x1 = (0, small_w) if (seed + index) % 2 == 0 else (small_w, 0)
        return (
            f"gradients=s={small_w}x{small_h}:r={fps}:c0={c0}:c1={c1}:nb_colors=2:x0={x0}:y0=0:x1={x1}:y1={small_h}"
            f":speed=0.01:d={seconds:.3f},scale={width}:{height}:flags=bicubic,{YUV},{tail}"
        )
    if source_kind(shot.source) == "video":
        fill = f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height}"
        return f"[{input_index}:v]fps={fps},{fill},{YUV},{tail}"
    big_w, big_h = _even(width * ZOOM), _even(height * ZOOM)
    # Transparent product shots sit on white rather than on whatever RGB hides under alpha 0.
    # The white frame is the overlay's main input, so its 1/fps duration is what every looped
    # copy carries (ffmpeg's output frame-rate conversion honours frame durations).
    return (
        f"color=c=white:s={big_w}x{big_h}:r={fps},trim=end_frame=1[bg{index}];"
        f"[{input_index}:v]scale={big_w}:{big_h}:force_original_aspect_ratio=increase:flags=lanczos,crop={big_w}:{big_h},"
        f"setsar=1,format=rgba[fg{index}];"
        f"[bg{index}][fg{index}]overlay=shortest=1,{YUV},loop=loop={shot.frames - 1}:size=1,"
        f"settb=1/{fps},setpts=N,{_motion(shot.motion, shot.frames, width, height)},{tail}"
    )


def _audio_graph(*, music_input: int | None, voices: list[tuple[int, Voice]], duration_s: float) -> str:
    d = f"{duration_s:.3f}"
    norm = f"aformat=sample_fmts=fltp:sample_rates={SAMPLE_RATE}:channel_layouts=stereo"
    parts = []
    for k, (input_index, voice) in enumerate(voices):
        tempo = f"atempo={voice.tempo:.4f}," if voice.tempo > 1.001 else ""
        fade = max(0.0, voice.length_s - 0.06)
        parts.append(
            f"[{input_index}:a]{norm},volume={VOICE_GAIN},{tempo}atrim=0:{voice.length_s:.3f},afade=t=out:st={fade:.3f}:d=0.06,"
            f"adelay={round(voice.start_s * 1000)}:all=1[vo{k}]"
        )
    if voices:
        labels = "".join(f"[vo{k}]" for k in range(len(voices)))
        mix = f"amix=inputs={len(voices)}:normalize=0:duration=longest," if len(voices) > 1 else ""
        parts.append(f"{labels}{mix}apad=whole_dur={d}[voice]")
    if music_input is not None:
        fade_out = min(1.5, duration_s / 3)
        level = MUSIC_UNDER_VOICE if voices else MUSIC_ALONE
        parts.append(
            f"[{music_input}:a]{norm},atrim=0:{d},asetpts=N/SR/TB,volume={level},afade=t=in:d={min(0.6, duration_s / 4):.3f},"
            f"afade=t=out:st={duration_s - fade_out:.3f}:d={fade_out:.3f},apad=whole_dur={d}[music]"
        )
    if voices and music_input is not None:
        parts.append("[voice]asplit=2[vmix][vkey]")
        parts.append("[music][vkey]sidechaincompress=threshold=0.05:ratio=4:attack=20:release=400[ducked]")
        parts.append("[ducked][vmix]amix=inputs=2:normalize=0:duration=first[mixed]")
        last = "[mixed]"
    elif voices:
        last = "[voice]"
    elif music_input is not None:
        last = "[music]"
    else:
        parts.append(f"anullsrc=r={SAMPLE_RATE}:cl=stereo[silence]")
        last = "[silence]"
    parts.append(f"{last}alimiter=limit=0.95,apad=whole_dur={d},atrim=0:{d}[aout]")
    return ";".join(parts)


def build_args(
    *,
    shots: list[Shot],
    size: tuple[int, int],
    fps: int,
    seed: int,
    ass_file: str | None,
    fonts_dir: str,
    music: Path | None,
    voices: list[Voice],
    output: Path,
) -> list[str]:
    """ffmpeg arguments (after the binary). Paths in ``ass_file``/``fonts_dir`` are relative to
    the working directory, which keeps them out of filter-graph escaping."""
    inputs: list[str] = []
    graph: list[str] = []
    duration_s = sum(shot.frames for shot in shots) / fps
    count = 0
    for index, shot in enumerate(shots):
        input_index = None
        if shot.source is not None:
            if source_kind(shot.source) == "video":
                # Loops a clip shorter than its scene; -t bounds how much of it is decoded.
                inputs += ["-stream_loop", "-1", "-t", f"{shot.frames / fps + 0.5:.3f}"]
            inputs += ["-i", str(shot.source)]
            input_index, count = count, count + 1
        graph.append(_shot_filter(shot, index, input_index, size, fps, seed))
    labels = "".join(f"[s{index}]" for index in range(len(shots)))
    overlay = f",ass=filename={ass_file}:fontsdir={fonts_dir}" if ass_file else ""
    graph.append(f"{labels}concat=n={len(shots)}:v=1:a=0{overlay},{YUV}[vout]")

    music_input = None
    if music is not None:
        inputs += ["-stream_loop", "-1", "-i", str(music)]
        music_input, count = count, count + 1
    voice_inputs = []
    for voice in voices:
        inputs += ["-i", str(voice.path)]
        voice_inputs.append((count, voice))
        count += 1
    graph.append(_audio_graph(music_input=music_input, voices=voice_inputs, duration_s=duration_s))

    return [
        "-y",
        *inputs,
        "-filter_complex", ";".join(graph),
        "-map", "[vout]", "-map", "[aout]",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "22", "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-r", str(fps), "-g", str(fps * 2),
        "-c:a", "aac", "-b:a", "128k", "-ar", str(SAMPLE_RATE), "-ac", "2",
        "-t", f"{duration_s:.3f}",
        "-movflags", "+faststart",
        "-f", "mp4", str(output),
    ]
