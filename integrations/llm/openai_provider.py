"""Product analysis and scripts from OpenAI or any OpenAI-compatible server (Ollama, vLLM),
through the official SDK with strict JSON-schema structured output."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import openai

from creatives.script import Script

from . import prompts
from .base import LLMAuthError, LLMError, LLMInvalidOutput, LLMRateLimited, LLMTimeout, LLMUnavailable
from .output import (
    AnalysisOut,
    OutputProblem,
    analysis_from_answer,
    breakdown_from_answer,
    breakdown_schema,
    script_from_answer,
    script_schema,
    strict_schema,
    variants_from_answer,
    variants_schema,
)
from .schemas import Breakdown, ProductAnalysis, ProductBrief, ScriptRequest, VariantRequest

if TYPE_CHECKING:
    import httpx2

T = TypeVar("T")
DEFAULT_MODEL = "gpt-4o"
CONNECT_TIMEOUT_S = 5.0  # an unreachable server fails fast; a long generation still gets the full read timeout
ANALYSIS_TEMPERATURE = 0.3  # ranking selling points should be stable
SCRIPT_TEMPERATURE = 0.9  # scripts are meant to vary; `seed` keeps each variation reproducible where supported
BREAKDOWN_TEMPERATURE = 0.2  # a breakdown describes what is there: the same script should read the same way
# Ollama requires an Authorization header but ignores its value.
LOCAL_PLACEHOLDER_KEY = "not-needed"


def classify(exc: openai.APIError) -> LLMError:
    """Map an SDK error onto our tree (see base.py):
    APITimeoutError → LLMTimeout; other APIConnectionError → LLMUnavailable; 429 → LLMRateLimited;
    401/403 → LLMAuthError; 5xx → LLMUnavailable; any other status → LLMError (not retryable)."""
    if isinstance(exc, openai.APITimeoutError):
        return LLMTimeout(f"The LLM server did not answer in time: {exc}")
    if isinstance(exc, openai.APIConnectionError):
        return LLMUnavailable(f"Could not reach the LLM server: {exc}")
    if isinstance(exc, openai.APIStatusError):
        status, request_id = exc.status_code, exc.request_id or ""
        if isinstance(exc, openai.RateLimitError):
            cls: type[LLMError] = LLMRateLimited
        elif isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            cls = LLMAuthError
        elif status >= 500:
            cls = LLMUnavailable
        else:
            cls = LLMError
        return cls(exc.message, status=status, request_id=request_id)
    return LLMError(f"LLM request failed: {exc}")


class OpenAIProvider:
    def __init__(
        self,
        api_key: str,
        base_url: str | None = None,
        model: str = DEFAULT_MODEL,
        timeout: float = 60,
        max_retries: int = 2,
        http_client: httpx2.Client | None = None,
    ):
        if not api_key and not base_url:
            raise ValueError("An API key is required for api.openai.com (set LLM_API_KEY), or set LLM_BASE_URL for a local server")
        self.model = model or DEFAULT_MODEL
        # The SDK retries connection errors, 408, 409, 429 and 5xx itself, with backoff.
        self._client = openai.OpenAI(
            api_key=api_key or LOCAL_PLACEHOLDER_KEY,
            base_url=base_url or None,
            timeout=openai.Timeout(timeout, connect=min(CONNECT_TIMEOUT_S, timeout)),
            max_retries=max_retries,
            http_client=http_client,
        )

    @property
    def base_url(self) -> str:
        return str(self._client.base_url)

    def close(self) -> None:
        self._client.close()

    def analyze_product(self, brief: ProductBrief) -> ProductAnalysis:
        return self._structured(
            prompts.analysis_messages(brief),
            name="product_analysis",
            schema=strict_schema(AnalysisOut),
            convert=lambda content: analysis_from_answer(content, language=brief.language),
            language=brief.language,
            temperature=ANALYSIS_TEMPERATURE,
        )

    def write_script(self, request: ScriptRequest) -> Script:
        return self._structured(
            prompts.script_messages(request),
            name="script",
            schema=script_schema(request),
            convert=lambda content: script_from_answer(content, request),
            language=request.language or "en",
            temperature=SCRIPT_TEMPERATURE,
            seed=request.variation_seed,
        )

    def break_down(self, script: Script, brief: ProductBrief) -> Breakdown:
        return self._structured(
            prompts.breakdown_messages(script, brief),
            name="script_breakdown",
            schema=breakdown_schema(script),
            convert=lambda content: breakdown_from_answer(content, script),
            language=script.language,
            temperature=BREAKDOWN_TEMPERATURE,
        )

    def write_variants(self, request: VariantRequest) -> list[Script]:
        return self._structured(
            prompts.variants_messages(request),
            name="script_variants",
            schema=variants_schema(request),
            convert=lambda content: variants_from_answer(content, request),
            language=request.script.language,
            temperature=SCRIPT_TEMPERATURE,
            seed=request.seed,
        )

    def _structured(
        self, messages: list[dict], *, name: str, schema: dict, convert: Callable[[str], T], language: str, **options: Any
    ) -> T:
        """Ask, validate, and on a bad answer ask once more, telling the model what was wrong."""
        content = self._complete(messages, name=name, schema=schema, **options)
        try:
            return convert(content)
        except OutputProblem as problem:
            retry = [*messages, {"role": "assistant", "content": content}, prompts.correction(str(problem), language)]
        content = self._complete(retry, name=name, schema=schema, **options)
        try:
            return convert(content)
        except OutputProblem as problem:
            raise LLMInvalidOutput(
                f"The model's {name} was invalid twice; last problem: {problem}", field=problem.field
            ) from problem

    def _complete(self, messages: list[dict], *, name: str, schema: dict, **options: Any) -> str:
        try:
            completion = self._client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                response_format={"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}},
                **options,
            )
        except openai.APIError as exc:
            raise classify(exc) from exc
        if not completion.choices:
            raise LLMError("The LLM server answered without a choice", request_id=completion._request_id or "")
        choice = completion.choices[0]
        if choice.message.refusal:
            raise LLMError(f"The model refused: {choice.message.refusal}", request_id=completion._request_id or "")
        if choice.finish_reason == "content_filter":
            raise LLMError("The answer was blocked by the content filter", request_id=completion._request_id or "")
        # Empty or truncated ("length") content fails validation below and gets the one corrective retry.
        return choice.message.content or ""
