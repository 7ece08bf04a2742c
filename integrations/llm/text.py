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


def shorten(text: str, limit: int) -> str:
    """Cut to `limit` characters; Latin text at a word boundary, CJK text anywhere."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if not CJK.search(cut) and " " in cut and text[limit] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(_TRAILING) or text[:limit]


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]
