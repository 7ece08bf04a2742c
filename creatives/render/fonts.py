"""Pick the caption font family from a font folder.

libass finds fonts by family name, so we read each file's OpenType ``name`` table (TTF, OTF
and TTC collections) and its ``cmap`` (does it map 中?), and prefer a CJK-capable family for Chinese.
No fontTools: the two tables are a few fixed-offset reads.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
# Used when the folder holds no readable font: fontconfig resolves it to the system default.
FALLBACK_FAMILY = "Sans"
_CJK_PROBE = ord("中")


@dataclass(frozen=True)
class Font:
    family: str
    path: Path | None
    cjk: bool
    # Em width per unit of ASS font size: libass sizes a face so winAscent + winDescent = size.
    em: float = 0.85


def pick_font(font_dir: Path | None) -> Font:
    """The family captions use (a CJK-capable one when the folder has any)."""
    fonts = [font for path in font_files(font_dir) for font in _read_faces(path)]
    if not fonts:
        return Font(FALLBACK_FAMILY, None, cjk=False)
    # Stable order: CJK coverage (brand names in hanzi show up in English captions too), then
    # plain sans faces; in a Noto-style collection the SC face has the Simplified Chinese forms.
    return min(fonts, key=lambda font: (not font.cjk, "Math" in font.family, "Serif" in font.family, not font.family.endswith(" SC")))


def font_files(font_dir: Path | None) -> list[Path]:
    if font_dir is None or not Path(font_dir).is_dir():
        return []
    return sorted(p for p in Path(font_dir).iterdir() if p.is_file() and p.suffix.lower() in FONT_SUFFIXES)


def _read_faces(path: Path) -> list[Font]:
    try:
        data = path.read_bytes()
        if data[:4] == b"ttcf":
            (count,) = struct.unpack_from(">I", data, 8)
            offsets = struct.unpack_from(f">{count}I", data, 12)
        else:
            offsets = (0,)
        faces = []
        for offset in offsets:
            tables = _tables(data, offset)
            family = _family(data, tables.get(b"name"))
            if family and "Mono" not in family:
                faces.append(Font(family, path, _maps(data, tables.get(b"cmap"), _CJK_PROBE), _em(data, tables)))
        return faces
    except (OSError, struct.error, UnicodeDecodeError, ValueError):
        return []


def _tables(data: bytes, offset: int) -> dict[bytes, int]:
    (num_tables,) = struct.unpack_from(">H", data, offset + 4)
    tables = {}
    for index in range(num_tables):
        tag, _checksum, table_offset, _length = struct.unpack_from(">4sIII", data, offset + 12 + 16 * index)
        tables[tag] = table_offset
    return tables


def _family(data: bytes, offset: int | None) -> str | None:
    if offset is None:
        return None
    _format, count, strings = struct.unpack_from(">HHH", data, offset)
    names: dict[tuple[int, int], str] = {}
    for index in range(count):
        platform, _encoding, language, name_id, length, str_offset = struct.unpack_from(">6H", data, offset + 6 + 12 * index)
        if name_id != 1:
            continue
        raw = data[offset + strings + str_offset : offset + strings + str_offset + length]
        names[(platform, language)] = raw.decode("utf-16-be") if platform in (0, 3) else raw.decode("latin-1")
    # Windows/English first: that is the name fontconfig and libass match most reliably.
    for key in ((3, 0x409), (1, 0)):
        if key in names:
            return names[key]
    return next(iter(names.values()), None)


def _em(data: bytes, tables: dict[bytes, int]) -> float:
    if b"head" not in tables or b"OS/2" not in tables:
        return 0.85
    (units_per_em,) = struct.unpack_from(">H", data, tables[b"head"] + 18)
    ascent, descent = struct.unpack_from(">HH", data, tables[b"OS/2"] + 74)
    return units_per_em / (ascent + descent) if ascent + descent else 0.85


def _maps(data: bytes, offset: int | None, codepoint: int) -> bool:
    """Whether the font's Unicode cmap (format 4 or 12) has a glyph for ``codepoint``."""
    if offset is None:
        return False
    (count,) = struct.unpack_from(">H", data, offset + 2)
    for index in range(count):
        platform, encoding, sub = struct.unpack_from(">HHI", data, offset + 4 + 8 * index)
        if (platform, encoding) not in ((3, 1), (3, 10), (0, 3), (0, 4)):
            continue
        table = offset + sub
        (fmt,) = struct.unpack_from(">H", data, table)
        if fmt == 12:
            (groups,) = struct.unpack_from(">I", data, table + 12)
            for group in range(groups):
                start, end, _glyph = struct.unpack_from(">3I", data, table + 16 + 12 * group)
                if start <= codepoint <= end:
                    return True
        elif fmt == 4 and codepoint <= 0xFFFF:
            (seg_x2,) = struct.unpack_from(">H", data, table + 6)
            ends = struct.unpack_from(f">{seg_x2 // 2}H", data, table + 14)
            starts = struct.unpack_from(f">{seg_x2 // 2}H", data, table + 16 + seg_x2)
            # Segments may still map to glyph 0; good enough to tell CJK fonts from Latin ones.
            if any(start <= codepoint <= end for start, end in zip(starts, ends, strict=True)):
                return True
    return False
