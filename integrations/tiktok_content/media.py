"""The one thing the client reads from a video file before posting: its duration (MP4 `mvhd`)."""

from __future__ import annotations

import struct
from pathlib import Path

CONTAINERS = {b"moov"}


def mp4_duration_s(path: Path | str) -> float | None:
    """The movie duration from the `moov/mvhd` box, or None when the file is not a readable MP4."""
    try:
        with open(path, "rb") as handle:
            return _find_mvhd(handle, Path(path).stat().st_size)
    except (OSError, struct.error, ValueError):
        return None


def _find_mvhd(handle, end: int, start: int = 0) -> float | None:
    offset = start
    while offset + 8 <= end:
        handle.seek(offset)
        size, kind = struct.unpack(">I4s", handle.read(8))
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", handle.read(8))[0], 16
        elif size == 0:
            size = end - offset
        if size < header:
            return None
        if kind in CONTAINERS:
            return _find_mvhd(handle, offset + size, offset + header)
        if kind == b"mvhd":
            version = handle.read(1)[0]
            handle.read(3)
            if version == 1:
                _created, _modified, timescale, duration = struct.unpack(">QQIQ", handle.read(28))
            else:
                _created, _modified, timescale, duration = struct.unpack(">IIII", handle.read(16))
            return duration / timescale if timescale else None
        offset += size
    return None
