"""Small text helpers shared by the prompts and the offline writer."""

from __future__ import annotations

import re
from decimal import Decimal

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "AUD": "A$", "CAD": "C$", "SGD": "S$"}
MARKETS = {
    "US": ("the US", "美国"), "CN": ("China", "中国"), "GB": ("the UK", "英国"), "UK": ("the UK", "英国"), "DE": ("Germany", "德国"),
    "FR": ("France", "法国"), "ES": ("Spain", "西班牙"), "IT": ("Italy", "意大利"), "JP": ("Japan", "日本"),
    "CA": ("Canada", "加拿大"), "AU": ("Australia", "澳大利亚"), "MY": ("Malaysia", "马来西亚"),
    "SG": ("Singapore", "新加坡"), "TH": ("Thailand", "泰国"), "VN": ("Vietnam", "越南"),
    "PH": ("the Philippines", "菲律宾"), "ID": ("Indonesia", "印度尼西亚"), "MX": ("Mexico", "墨西哥"),
    "BR": ("Brazil", "巴西"), "SA": ("Saudi Arabia", "沙特阿拉伯"), "AE": ("the UAE", "阿联酋"),
}
CJK = re.compile(r"[\u3400-\u9fff]")
_TRAILING = " ,.;:!?-–—、，。；：！？"


def format_price(price: Decimal, currency: str) -> str:
    amount = f"{price:,.0f}" if currency.upper() == "JPY" else f"{price:,.2f}"
    symbol = SYMBOLS.get(currency.upper())
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"


def market_name(code: str, language: str) -> str:
    names = MARKETS.get(code.strip().upper())
    if names is None:
        return code.strip().upper() or ("your market" if language == "en" else "目标市场")
    return names[0] if language == "en" else names[1]


_CLAUSE_END = re.compile(r"[,，、;；。:：!！?？ ]")
_WORD = re.compile(r"[A-Za-z0-9.%$€£¥+-]")


def shorten(text: str, limit: int) -> str:
    """Cut to `limit` characters at the last clause or word boundary, never inside a number
    or a Latin word ("榨 15 杯" must not become "榨 1"); CJK text may break between characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    clause = max((m.end() for m in _CLAUSE_END.finditer(cut)), default=0)
    if clause >= limit // 2:
        cut = cut[:clause]
    elif _WORD.match(text[limit]):
        while cut and _WORD.match(cut[-1]):
            cut = cut[:-1]
    return cut.rstrip(_TRAILING) or text[:limit]


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]
