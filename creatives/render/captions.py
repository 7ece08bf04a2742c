"""The burned-in text as one ASS subtitle file: hook (top, first scene), one caption per scene
(lower third) and the CTA (a red box above the last caption).

We wrap lines ourselves: libass only breaks at spaces, so a Chinese caption would run off the
frame. Text comes from an LLM and is escaped so nothing in it acts as an ASS override.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .fonts import Font

# Closing punctuation never starts a line, opening punctuation never ends one (kinsoku).
NO_LINE_START = set("，。！？、；：）」』》】〉…—,.!?;:)]}%\"'”’·～~")
NO_LINE_END = set("（「『《【〈([{“‘")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
WORD_JOINER = "\u2060"
HOOK_RGB = "FFE14D"
CTA_RGB = "FE2C55"  # TikTok red


@dataclass(frozen=True)
class Timing:
    start_s: float
    end_s: float


def ass_escape(text: str) -> str:
    r"""Text safe inside an ASS Dialogue: ``{``/``}`` would open override blocks and ``\N``,
    ``\n``, ``\h`` are breaks, so braces become libass's ``\{``/``\}`` escapes and a backslash
    is followed by an invisible word joiner. Commas are fine: Text is the last field."""
    text = text.replace("\\", "\\" + WORD_JOINER)
    return text.replace("{", "\\{").replace("}", "\\}")


def _char_em(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch == " ":
        return 0.3
    if ch in "il.,:;'|!()[]{}`":
        return 0.34
    if ch.isupper() or ch in "mwMW@%&#":
        return 0.74
    return 0.6


def text_em(text: str) -> float:
    return sum(_char_em(ch) for ch in text)


def _tokens(line: str) -> list[str]:
    """Break opportunities: between CJK characters and at spaces; Latin words stay whole."""
    tokens: list[str] = []
    for ch in line:
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        if tokens and ch in NO_LINE_START and tokens[-1] != " ":
            tokens[-1] += ch
        elif tokens and tokens[-1][-1] in NO_LINE_END and ch != " ":
            tokens[-1] += ch
        elif ch == " ":
            if tokens and tokens[-1] != " ":
                tokens.append(" ")
        elif not wide and tokens and tokens[-1] != " " and not _is_wide(tokens[-1][-1]):
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _greedy(tokens: list[str], limit: float) -> list[str]:
    lines, current = [], ""
    for token in tokens:
        if token == " ":
            current += " " if current else ""
            continue
        if current and text_em(current.rstrip() + token) > limit:
            lines.append(current.rstrip())
            current = ""
        current += token
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _split_long(tokens: list[str], limit: float) -> list[str]:
    """A single word wider than the frame is cut by characters rather than run off the edge."""
    out = []
    for token in tokens:
        if text_em(token) <= limit:
            out.append(token)
            continue
        piece = ""
        for ch in token:
            if piece and text_em(piece + ch) > limit:
                out.append(piece)
                piece = ""
            piece += ch
        out.append(piece)
    return out


def wrap(text: str, max_em: float) -> list[str]:
    """Lines no wider than ``max_em`` ems, balanced (a two-line caption splits near the middle)."""
    lines: list[str] = []
    for raw in text.split("\n"):
        tokens = _split_long(_tokens(raw.strip()), max_em)
        if not tokens:
            continue
        count = len(_greedy(tokens, max_em))
        low, high = text_em("".join(tokens)) / count, max_em
        # Smallest width that still needs no more lines than the greedy fill at full width.
        for _ in range(12):
            mid = (low + high) / 2
            if len(_greedy(tokens, mid)) <= count:
                high = mid
            else:
                low = mid
        lines += _greedy(tokens, high)
    return lines


def clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL_RE.sub("", text).strip()


def _fit(text: str, *, size: float, width: float, font: Font, max_lines: int) -> tuple[list[str], int]:
    """Wrap at ``size``; shrink (down to 60 %) while it needs more than ``max_lines`` lines."""
    for step in range(6):
        current = size * (0.9**step)
        lines = wrap(text, width / (current * font.em))
        if len(lines) <= max_lines:
            break
    return lines, round(current)


def _ts(seconds: float) -> str:
    cs = max(0, round(seconds * 100))
    return f"{cs // 360000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def _colour(rgb: str, alpha: int = 0) -> str:
    """ASS colours are &HAABBGGRR."""
    return f"&H{alpha:02X}{rgb[4:6]}{rgb[2:4]}{rgb[0:2]}".upper()


def _tag_colour(rgb: str) -> str:
    return f"&H{rgb[4:6]}{rgb[2:4]}{rgb[0:2]}&".upper()


def _bold(layer: int, start: float, end: float, style: str, tags: str, text: str, *, embolden: int, colour: str) -> list[str]:
    """Two identical events: a bold-less face (libass picks the monospace face of the wqy
    collection for any bold request) emboldened by an outline in the text's own colour,
    drawn over the same text with the style's black outline."""
    base = f"Dialogue: {layer},{_ts(start)},{_ts(end)},{style},,0,0,0,,{{{tags}}}{text}"
    top = f"Dialogue: {layer + 1},{_ts(start)},{_ts(end)},{style},,0,0,0,,{{{tags}\\bord{embolden}\\3c{colour}\\shad0}}{text}"
    return [base, top]


def build_ass(*, hook: str, captions: list[str], cta: str, timings: list[Timing], size: tuple[int, int], font: Font) -> str:
    width, height = size
    margin = round(width * 0.08)
    text_width = width - 2 * margin
    cap_size, hook_size, cta_size = width * 0.072, width * 0.092, width * 0.066
    cap_bottom = round(height * 0.2)  # above TikTok's description/music bar
    embolden = max(1, round(width / 720))
    cap_outline = max(2, round(cap_size * 0.08)) + embolden
    hook_outline = max(3, round(hook_size * 0.09)) + embolden
    header = f"""[Script Info]
ScriptType: v4.00+
PlayResX: {width}
PlayResY: {height}
WrapStyle: 0
ScaledBorderAndShadow: yes
YCbCr Matrix: TV.709

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Caption,{font.family},{round(cap_size)},{_colour("FFFFFF")},{_colour("FFFFFF")},{_colour("000000")},{_colour("000000", 0x60)},0,0,0,0,100,100,0,0,1,{cap_outline},{max(1, round(cap_size * 0.05))},2,{margin},{margin},{cap_bottom},1
Style: Hook,{font.family},{round(hook_size)},{_colour(HOOK_RGB)},{_colour("FFFFFF")},{_colour("000000")},{_colour("000000", 0x40)},0,0,0,0,100,100,0,0,1,{hook_outline},{max(1, round(hook_size * 0.05))},8,{margin},{margin},{round(height * 0.11)},1
Style: Cta,{font.family},{round(cta_size)},{_colour("FFFFFF")},{_colour("FFFFFF")},{_colour(CTA_RGB)},{_colour("000000", 0x80)},0,0,0,0,100,100,0,0,3,{max(6, round(cta_size * 0.35))},0,2,{margin},{margin},0,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
"""
    events: list[str] = []
    hook_lines, hook_fs = _fit(clean(hook), size=hook_size, width=text_width, font=font, max_lines=3)
    if hook_lines:
        text = "\\N".join(ass_escape(line) for line in hook_lines)
        tags = f"\\fad(150,200)\\fscx85\\fscy85\\t(0,220,\\fscx100\\fscy100)\\fs{hook_fs}"
        events += _bold(4, 0, timings[0].end_s, "Hook", tags, text, embolden=embolden, colour=_tag_colour(HOOK_RGB))
    cap_height = 0.0
    for caption, timing in zip(captions, timings, strict=True):
        lines, fs = _fit(clean(caption), size=cap_size, width=text_width, font=font, max_lines=3)
        cap_height = len(lines) * fs * 1.2
        if lines:
            text = "\\N".join(ass_escape(line) for line in lines)
            tags = f"\\fad(100,0)\\fs{fs}"
            events += _bold(1, timing.start_s, timing.end_s, "Caption", tags, text, embolden=embolden, colour=_tag_colour("FFFFFF"))
    cta_lines, cta_fs = _fit(clean(cta), size=cta_size, width=text_width * 0.9, font=font, max_lines=2)
    if cta_lines:
        # Sits just above the last scene's caption, whose height we know from its wrap.
        y = round(height - cap_bottom - cap_height - cta_size * 1.4)
        pulse = "\\t(0,350,\\fscx108\\fscy108)\\t(350,700,\\fscx100\\fscy100)"
        text = "\\N".join(ass_escape(line) for line in cta_lines)
        start, end = timings[-1].start_s, timings[-1].end_s + 1
        events.append(f"Dialogue: 6,{_ts(start)},{_ts(end)},Cta,,0,0,0,,{{\\an2\\pos({width // 2},{y}){pulse}\\fs{cta_fs}}}{text}")
    return header + "\n".join(events) + "\n"
