"""Typed reads of request parameters; every failure is a 40002 naming the parameter.

GET query strings carry arrays and objects as JSON strings (`advertiser_ids=["1"]`), so a
Params built from a query string decodes them; a JSON body already holds real lists.
"""

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .errors import ApiError, bad

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_INT64 = re.compile(r"^-?\d{1,19}$")
# Larger amounts would overflow the money columns; no real budget or bid comes near.
MAX_AMOUNT = Decimal(10) ** 10
_url = URLValidator(schemes=["http", "https"])


class Params:
    def __init__(self, data: Mapping[str, Any], *, encoded: bool, prefix: str = ""):
        self.data = data
        self.encoded = encoded
        self.prefix = prefix

    def nested(self, data: Mapping[str, Any], prefix: str) -> "Params":
        return Params(data, encoded=False, prefix=f"{self.prefix}{prefix}")

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def has(self, key: str) -> bool:
        return self.data.get(key) not in (None, "")

    def raw(self, key: str, *, required: bool = False) -> Any:
        value = self.data.get(key)
        if value in (None, ""):
            if required:
                raise bad(f"{self.name(key)}: required")
            return None
        return value

    def rest(self, known: Iterable[str]) -> dict[str, Any]:
        """The body's other keys, kept so `get` echoes them."""
        skip = set(known)
        return {key: value for key, value in self.data.items() if key not in skip}

    def text(self, key: str, *, required: bool = False, max_len: int | None = None, default: str = "") -> str:
        value = self.raw(key, required=required)
        if value is None:
            return default
        if not isinstance(value, str):
            raise bad(f"{self.name(key)}: must be a string")
        if max_len is not None and len(value) > max_len:
            raise bad(f"{self.name(key)}: must be at most {max_len} characters")
        return value

    def ident(self, key: str, *, required: bool = False) -> str | None:
        value = self.raw(key, required=required)
        if value is None:
            return None
        # v1.3 ids are strings, but numbers are common enough in the wild to accept.
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise bad(f"{self.name(key)}: must be a string id")
        return str(value)

    def choice(self, key: str, choices: Iterable[str], *, required: bool = False, default: str = "") -> str:
        value = self.text(key, required=required, default=default)
        options = list(choices)
        if value and value not in options:
            raise bad(f"{self.name(key)}: must be one of {', '.join(options)}")
        return value

    def integer(self, key: str, *, default: int, low: int, high: int | None = None) -> int:
        value = self.raw(key)
        if value is None:
            return default
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise bad(f"{self.name(key)}: must be an integer {bound}")
        return value

    def decimal(self, key: str, *, required: bool = False) -> Decimal | None:
        value = self.raw(key, required=required)
        if value is None:
            return None
        if isinstance(value, str) and self.encoded:
            value = value.strip()
        elif isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise bad(f"{self.name(key)}: must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise bad(f"{self.name(key)}: must be a number") from None
        if not number.is_finite():
            raise bad(f"{self.name(key)}: must be a number")
        if abs(number) >= MAX_AMOUNT:
            raise bad(f"{self.name(key)}: must be less than {MAX_AMOUNT:f}")
        return number

    def boolean(self, key: str, *, default: bool = False) -> bool:
        value = self.raw(key)
        if value is None:
            return default
        if self.encoded and value in ("true", "false"):
            return value == "true"
        if not isinstance(value, bool):
            raise bad(f"{self.name(key)}: must be true or false")
        return value

    def json(self, key: str, *, required: bool = False) -> Any:
        value = self.raw(key, required=required)
        if value is None or not self.encoded or not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad(f"{self.name(key)}: invalid JSON, expected a JSON-encoded value") from None

    def obj(self, key: str) -> dict[str, Any]:
        value = self.json(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise bad(f"{self.name(key)}: must be a JSON object")
        return value

    def items(self, key: str, *, required: bool = False, max_items: int | None = None, limit_code: int = 40002) -> list[Any]:
        value = self.json(key, required=required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise bad(f"{self.name(key)}: must be a JSON array")
        if required and not value:
            raise bad(f"{self.name(key)}: must not be empty")
        if max_items is not None and len(value) > max_items:
            raise ApiError(limit_code, f"{self.name(key)}: at most {max_items} items are allowed, got {len(value)}")
        return value

    def id_list(self, key: str, *, required: bool = False, max_items: int | None = None) -> list[str]:
        """A list of ids; too many of them is TikTok's 40011, not a 40002."""
        values = self.items(key, required=required, max_items=max_items, limit_code=40011)
        if any(isinstance(v, bool) or not isinstance(v, str | int) for v in values):
            raise bad(f"{self.name(key)}: must be a list of string ids")
        return [str(v) for v in values]

    def strings(self, key: str, *, required: bool = False, choices: Iterable[str] | None = None) -> list[str]:
        values = self.items(key, required=required)
        if any(not isinstance(v, str) for v in values):
            raise bad(f"{self.name(key)}: must be a list of strings")
        options = list(choices) if choices is not None else None
        unknown = [v for v in values if options is not None and v not in options]
        if unknown:
            raise bad(f"{self.name(key)}: unknown value {unknown[0]}; allowed: {', '.join(options)}")
        return values

    def time(self, key: str, *, required: bool = False) -> dt.datetime | None:
        """A "YYYY-MM-DD HH:MM:SS" time in UTC+0."""
        value = self.text(key, required=required)
        if not value:
            return None
        try:
            return dt.datetime.strptime(value, TIME_FORMAT).replace(tzinfo=dt.UTC)
        except ValueError:
            raise bad(f"{self.name(key)}: time format should be YYYY-MM-DD HH:MM:SS, got {value!r}") from None

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self.text(key, required=required)
        if not value:
            return None
        try:
            return dt.datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            raise bad(f"{self.name(key)}: date format should be YYYY-MM-DD, got {value!r}") from None

    def url(self, key: str, *, required: bool = False) -> str:
        value = self.text(key, required=required, max_len=2000)
        if value:
            try:
                _url(value)
            except ValidationError:
                raise bad(f"{self.name(key)}: must be an http or https URL") from None
        return value

    def request_id(self) -> str:
        """The idempotency key of campaign and ad group creation: a string holding an int64."""
        value = self.raw("request_id")
        if value is None:
            return ""
        if not isinstance(value, str) or not _INT64.match(value) or not -(2**63) <= int(value) < 2**63:
            raise bad(f"{self.name('request_id')}: must be a string holding a 64-bit integer")
        return value
