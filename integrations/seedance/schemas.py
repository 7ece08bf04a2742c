"""Ark's task answer, validated at the boundary; unknown fields are kept (newer models add
seed, resolution, ratio, … to it)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import InvalidResponse

Status = Literal["queued", "running", "succeeded", "failed", "cancelled", "expired"]
PENDING = frozenset({"queued", "running"})
FAILED = frozenset({"failed", "cancelled", "expired"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class TaskContent(_Model):
    video_url: str | None = None
    last_frame_url: str | None = None


class TaskError(_Model):
    code: str = ""
    message: str = ""


class TaskUsage(_Model):
    completion_tokens: int = 0
    total_tokens: int = 0


class Task(_Model):
    id: str
    model: str = ""
    status: Status
    content: TaskContent | None = None
    error: TaskError | None = None
    usage: TaskUsage | None = None
    created_at: int | None = None
    updated_at: int | None = None

    @property
    def video_url(self) -> str | None:
        return self.content.video_url if self.content else None


class Created(_Model):
    id: str


def parse(model: type[BaseModel], data: Any):
    """Validate one answer or raise InvalidResponse naming what is wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidResponse(f"unexpected {model.__name__} in Ark's answer: {exc.errors()[0]}") from exc
