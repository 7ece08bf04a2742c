"""Answers validated at the boundary: callers get typed objects, never raw dicts.

Ids are strings in v1.3 but some answers carry numbers, so ids are coerced to str.
Unknown fields are kept (TikTok adds fields often); the ones we rely on are typed.
"""

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .errors import InvalidResponse


def _to_str(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Id = Annotated[str, BeforeValidator(_to_str)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class AccessToken(_Model):
    access_token: str
    advertiser_ids: list[Id] = []
    scope: list[int] = []


class AuthorizedAdvertiser(_Model):
    advertiser_id: Id
    advertiser_name: str = ""


class AdvertiserInfo(_Model):
    advertiser_id: Id
    name: str = ""
    currency: str = "USD"
    timezone: str = "UTC"
    status: str = ""


class Video(_Model):
    video_id: Id
    file_name: str = ""
    signature: str = ""
    duration: float | None = None
    width: int | None = None
    height: int | None = None


class Identity(_Model):
    identity_id: Id
    identity_type: str = "CUSTOMIZED_USER"
    display_name: str = ""


class Campaign(_Model):
    campaign_id: Id
    campaign_name: str = ""
    objective_type: str = ""
    operation_status: str = ""
    budget: Decimal | None = None
    budget_mode: str = ""


class AdGroup(_Model):
    adgroup_id: Id
    campaign_id: Id = ""
    adgroup_name: str = ""
    operation_status: str = ""
    budget: Decimal | None = None
    bid_price: Decimal | None = None


class Ad(_Model):
    ad_id: Id
    adgroup_id: Id = ""
    campaign_id: Id = ""
    ad_name: str = ""
    operation_status: str = ""
    video_id: Id | None = None


class PageInfo(_Model):
    page: int = 1
    page_size: int = 10
    total_number: int = 0
    total_page: int = 0


class ReportRow(_Model):
    """One report row; metric strings stay strings here ("-" → None), callers convert."""

    dimensions: dict[str, Any]
    metrics: dict[str, str | None] = Field(default_factory=dict)

    @classmethod
    def from_api(cls, row: Any) -> "ReportRow":
        if not isinstance(row, dict):
            raise InvalidResponse(f"report row is not an object: {row!r}")
        metrics = {k: None if v in ("-", "", None) else str(v) for k, v in (row.get("metrics") or {}).items()}
        return parse(cls, {"dimensions": row.get("dimensions") or {}, "metrics": metrics})


def parse(model: type[BaseModel], data: Any):
    """Validate one object of the answer or raise InvalidResponse naming what is wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidResponse(f"unexpected {model.__name__} in TikTok's answer: {exc.errors()[0]}") from exc


def parse_list(model: type[BaseModel], items: Any) -> list:
    if not isinstance(items, list):
        raise InvalidResponse(f"expected a list of {model.__name__}, got {type(items).__name__}")
    return [parse(model, item) for item in items]
