"""Width, height and duration of an uploaded MP4/MOV, read from its `moov` box.

Pure Python and cheap (no ffprobe): the boxes are walked by seeking, only `moov` is read.
A file this cannot parse gets portrait HD defaults instead of a rejection, so tests may
upload a few placeholder bytes.
"""

import struct
from dataclasses import dataclass
from typing import BinaryIO

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts"}
_MAX_MOOV = 64 * 1024 * 1024


@dataclass(frozen=True)
class VideoInfo:
    width: int = 720
    height: int = 1280
    duration: float = 15.0


def probe(handle: BinaryIO) -> VideoInfo:
    handle.seek(0)
    moov = _top_level_box(handle, b"moov")
    handle.seek(0)
    if moov is None:
        return VideoInfo()
    duration, size = None, None
    for kind, payload in _boxes(moov):
        if kind == b"mvhd" and duration is None:
            duration = _mvhd_duration(payload)
        elif kind == b"tkhd" and size is None:
            size = _tkhd_size(payload)
    default = VideoInfo()
    width, height = size or (default.width, default.height)
    return VideoInfo(width=width, height=height, duration=duration if duration else default.duration)


def _top_level_box(handle: BinaryIO, wanted: bytes) -> bytes | None:
    while True:
        header = handle.read(8)
        if len(header) < 8:
            return None
        size, kind = struct.unpack(">I4s", header)
        header_len = 8
        if size == 1:
            size = struct.unpack(">Q", handle.read(8))[0]
            header_len = 16
        if kind == wanted:
            length = size - header_len if size else _MAX_MOOV
            return handle.read(min(length, _MAX_MOOV))
        if size == 0 or size < header_len:
            return None
        handle.seek(size - header_len, 1)


def _boxes(data: bytes, offset: int = 0, end: int | None = None):
    """Every box inside `data`, depth first, descending into the container boxes."""
    end = len(data) if end is None else end
    while offset + 8 <= end:
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        header_len = 8
        if size == 1 and offset + 16 <= end:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
            header_len = 16
        if size < header_len or offset + size > end:
            return
        if kind in _CONTAINERS:
            yield from _boxes(data, offset + header_len, offset + size)
        else:
            yield kind, data[offset + header_len : offset + size]
        offset += size


def _mvhd_duration(payload: bytes) -> float | None:
    if payload[:1] == b"\x01" and len(payload) >= 32:
        timescale, duration = struct.unpack(">IQ", payload[20:32])
    elif len(payload) >= 20:
        timescale, duration = struct.unpack(">II", payload[12:20])
    else:
        return None
    return round(duration / timescale, 3) if timescale else None


def _tkhd_size(payload: bytes) -> tuple[int, int] | None:
    """Audio tracks carry a 0×0 size; the first track with an area is the video."""
    offset = 88 if payload[:1] == b"\x01" else 76
    if len(payload) < offset + 8:
        return None
    width, height = struct.unpack(">II", payload[offset : offset + 8])
    width, height = width >> 16, height >> 16
    return (width, height) if width and height else None
