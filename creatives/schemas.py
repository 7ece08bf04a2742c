from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Schema


class ProductIn(Schema):
    name: str
    title: str = ""
    description: str = ""
    selling_points: list[str] = []
    price: Decimal = Decimal("0")
    currency: str = "USD"
    landing_url: str = ""
    target_market: str = "US"
    language: Literal["zh", "en"] = "en"


class ProductOut(Schema):
    id: int
    name: str
    title: str
    selling_points: list[str]
    price: Decimal
    currency: str
    landing_url: str
    target_market: str
    language: str
    images: list[str]
    analysis: dict

    @staticmethod
    def resolve_images(obj):
        return [item.image.url for item in obj.images.all()]


class BatchIn(Schema):
    count: int = 3
    backend: Literal["ffmpeg", "seedance"] | None = None
    language: Literal["zh", "en"] | None = None
    size: Literal["720x1280", "1080x1920"] | None = None


class JobOut(Schema):
    job_id: UUID
    product_id: int
    batch_id: str
    parent_job_id: UUID | None
    status: str
    progress: int
    error: str
    backend: str
    hook_type: str
    duration_s: float | None
    video_url: str | None
    cover_url: str | None
    script: dict
    created_at: datetime

    @staticmethod
    def resolve_parent_job_id(obj):
        return obj.parent.job_id if obj.parent_id else None

    @staticmethod
    def resolve_video_url(obj):
        return obj.video.url if obj.video else None

    @staticmethod
    def resolve_cover_url(obj):
        return obj.cover.url if obj.cover else None


class BatchOut(Schema):
    batch_id: str
    jobs: list[JobOut]
