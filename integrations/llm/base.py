"""The provider contract and its typed errors.

    LLMError            base: message, status (HTTP, if any), request_id, retryable
      LLMUnavailable    network failure or HTTP 5xx — retryable
        LLMTimeout      the server did not answer within the timeout — retryable
      LLMRateLimited    HTTP 429 (rate or quota) — retryable
      LLMAuthError      HTTP 401/403: bad key, or no access to the model
      LLMInvalidOutput  the answer did not parse or validate, even after one corrective retry;
                        `field` names the bad field ("" when the answer was not JSON at all)
Anything else (a refusal, HTTP 400/404/422) is a plain, non-retryable LLMError.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from creatives.script import Script

from .schemas import Breakdown, ProductAnalysis, ProductBrief, ScriptRequest, VariantRequest


class LLMError(Exception):
    retryable = False

    def __init__(self, message: str, *, status: int | None = None, request_id: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id or ""

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.request_id:
            parts.append(f"request_id {self.request_id}")
        return " · ".join(parts)


class LLMUnavailable(LLMError):
    retryable = True


class LLMTimeout(LLMUnavailable):
    retryable = True


class LLMRateLimited(LLMError):
    retryable = True


class LLMAuthError(LLMError):
    pass


class LLMInvalidOutput(LLMError):
    def __init__(self, message: str, *, field: str = "", status: int | None = None, request_id: str = ""):
        super().__init__(message, status=status, request_id=request_id)
        self.field = field


@runtime_checkable
class LLMProvider(Protocol):
    def analyze_product(self, brief: ProductBrief) -> ProductAnalysis: ...

    def write_script(self, request: ScriptRequest) -> Script: ...

    def break_down(self, script: Script, brief: ProductBrief) -> Breakdown: ...

    def write_variants(self, request: VariantRequest) -> list[Script]: ...
