"""Offline voice-over with eSpeak NG (or classic eSpeak) when it is on PATH.

Robotic, but free, offline and deterministic; a missing binary or a failed synthesis means a
video without voice-over, never a failed render.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

TTS_BINARIES = ("espeak-ng", "espeak")
# eSpeak NG names Mandarin "cmn"; classic eSpeak only knows "zh".
VOICES = {"zh": ("cmn", "zh"), "en": ("en-us", "en")}
WORDS_PER_MINUTE = {"zh": 190, "en": 175}
MAX_TEMPO = 1.5  # faster than this is hard to follow; the rest is trimmed


@dataclass(frozen=True)
class Voice:
    path: Path
    start_s: float
    length_s: float  # after the tempo change, capped to the scene
    tempo: float


def tts_binary() -> str | None:
    for name in TTS_BINARIES:
        found = shutil.which(name)
        if found:
            return found
    return None


def synthesize(*, text: str, language: str, path: Path, timeout_s: float = 30) -> float | None:
    """Speak ``text`` into a WAV at ``path``; its duration in seconds, or None when unavailable."""
    binary = tts_binary()
    if binary is None or not text.strip():
        return None
    for voice in VOICES.get(language, VOICES["en"]):
        cmd = [binary, "-v", voice, "-s", str(WORDS_PER_MINUTE.get(language, 175)), "-w", str(path), "--stdin"]
        try:
            proc = subprocess.run(cmd, input=text, capture_output=True, text=True, timeout=timeout_s, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            logger.warning("voice-over skipped: %s failed: %s", binary, exc)
            return None
        duration = _wav_seconds(path) if proc.returncode == 0 else None
        if duration:
            return duration
    logger.warning("voice-over skipped: %s could not speak %s: %s", binary, language, proc.stderr.strip()[-200:])
    return None


def _wav_seconds(path: Path) -> float | None:
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / wav.getframerate() or None
    except (OSError, EOFError, wave.Error):
        return None


def place(*, path: Path, spoken_s: float, scene_start_s: float, scene_s: float) -> Voice:
    """Start just after the cut and end before the next one: speed up (≤ 1.5×), then trim."""
    lead, tail = min(0.15, scene_s * 0.1), min(0.1, scene_s * 0.05)
    room = scene_s - lead - tail
    tempo = min(MAX_TEMPO, max(1.0, spoken_s / room))
    return Voice(path=path, start_s=scene_start_s + lead, length_s=min(room, spoken_s / tempo), tempo=tempo)
