"""Background music: a track from the music folder, or a generated default.

The default is a soft I–V–vi–IV progression (C, G, Am, F; 2 s per chord) synthesised with
``aevalsrc``: a sine pad, a bass pulse on the beat and a bell-like arpeggio in eighth notes.
It is rendered once into the folder and reused, so renders stay fast and deterministic.
"""

from __future__ import annotations

from pathlib import Path

from creatives import media

AUDIO_SUFFIXES = (".mp3", ".m4a", ".aac", ".wav", ".ogg", ".oga", ".opus", ".flac")
DEFAULT_TRACK = "adloop-default.m4a"
DEFAULT_SECONDS = 32  # four loops of the 8 s progression; longer videos loop the file seamlessly

# (pad tones, bass) per chord, Hz.
_CHORDS = (
    ((261.63, 329.63, 392.00), 130.81),  # C
    ((246.94, 293.66, 392.00), 98.00),  # G
    ((261.63, 329.63, 440.00), 110.00),  # Am
    ((261.63, 349.23, 440.00), 87.31),  # F
)


def music_pick(music_dir: Path | None, *, seed: int, timeout_s: float = 120) -> Path | None:
    """The track for this render: one of the folder's own files chosen by ``seed``, else the
    generated default (created on first use); None when there is no music folder."""
    if music_dir is None:
        return None
    music_dir = Path(music_dir)
    music_dir.mkdir(parents=True, exist_ok=True)
    tracks = sorted(
        path
        for path in music_dir.iterdir()
        if path.is_file() and path.suffix.lower() in AUDIO_SUFFIXES and not path.name.startswith(".") and path.name != DEFAULT_TRACK
    )
    if tracks:
        return tracks[seed % len(tracks)]
    default = music_dir / DEFAULT_TRACK
    if not default.is_file() or default.stat().st_size == 0:
        # Two renders may race here; each writes atomically, so the loser just replaces an equal file.
        default_track_render(path=default, timeout_s=timeout_s)
    return default


def _pick(index: str, values: list[float]) -> str:
    """An expression choosing ``values[index]`` (index an expression in 0..len-1)."""
    expr = f"{values[-1]}"
    for position in range(len(values) - 2, -1, -1):
        expr = f"if(eq({index},{position}),{values[position]},{expr})"
    return expr


def default_track_expr() -> str:
    tones = [[chord[0][j] for chord in _CHORDS] for j in range(3)]
    bass = [chord[1] for chord in _CHORDS]
    # ld(0): chord index; ld(1..3): pad tones; ld(4): bass; ld(5): arpeggio note (octave up).
    setup = (
        "st(0,mod(floor(t/2),4));"
        + "".join(f"st({j + 1},{_pick('ld(0)', tones[j])});" for j in range(3))
        + f"st(4,{_pick('ld(0)', bass)});"
        + "st(5,2*if(eq(mod(floor(t*4),4),0),ld(1),if(eq(mod(floor(t*4),4),1),ld(2),if(eq(mod(floor(t*4),4),2),ld(3),ld(2)))));"
    )
    # Chord envelope fades in/out over 0.25 s at chord changes so frequency switches never click.
    chord_env = "min(1,mod(t,2)*4)*min(1,(2-mod(t,2))*4)"
    pad = f"0.05*(sin(2*PI*ld(1)*t)+sin(2*PI*ld(2)*t)+sin(2*PI*ld(3)*t))*{chord_env}"
    bass_line = f"0.16*sin(2*PI*ld(4)*t)*exp(-3*mod(t,0.5))*min(1,mod(t,0.5)*80)*{chord_env}"
    arp = "0.09*(sin(2*PI*ld(5)*t)+0.25*sin(4*PI*ld(5)*t))*exp(-12*mod(t,0.25))*min(1,mod(t,0.25)*300)"
    return f"{setup}{pad}+{bass_line}+{arp}"


def default_track_render(*, path: Path, timeout_s: float = 120) -> Path:
    source = f"aevalsrc=exprs='{default_track_expr()}':s=44100:d={DEFAULT_SECONDS}"
    # A short echo gives the dry sines some room, the lowpass softens the arpeggio; the gain
    # brings it to a mastered track's loudness (~ -11 LUFS) so one mix level suits both.
    chain = "lowpass=f=3500,aecho=0.8:0.6:90|180:0.22|0.12,aformat=sample_rates=44100:channel_layouts=stereo,volume=7.5,alimiter=limit=0.9"
    args = ["-f", "lavfi", "-i", source, "-af", chain, "-c:a", "aac", "-b:a", "160k", "-t", str(DEFAULT_SECONDS), "-f", "mp4"]
    return media.ffmpeg_write(path=path, args=args, what="render the default music track", timeout_s=timeout_s)
