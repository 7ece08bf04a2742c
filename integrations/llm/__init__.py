"""Product analysis and ad scripts from an LLM (Django-free; settings arrive as arguments).

    provider_from_settings(...) → LLMProvider with analyze_product(brief), write_script(request),
                                  break_down(script, brief) and write_variants(request)
    OpenAIProvider   OpenAI or any OpenAI-compatible server (Ollama, vLLM), strict structured output
    OfflineProvider  deterministic rule tables, no network: the default of a fresh checkout
"""

from __future__ import annotations

from .base import LLMAuthError, LLMError, LLMInvalidOutput, LLMProvider, LLMRateLimited, LLMTimeout, LLMUnavailable
from .offline import OfflineProvider

PROVIDERS = ("openai", "offline")

__all__ = [
    "PROVIDERS", "LLMAuthError", "LLMError", "LLMInvalidOutput", "LLMProvider", "LLMRateLimited", "LLMTimeout",
    "LLMUnavailable", "OfflineProvider", "provider_from_settings",
]


def provider_from_settings(*, provider: str, api_key: str, base_url: str, model: str, timeout: int) -> LLMProvider:
    name = (provider or "").strip().lower()
    if name == "offline":
        return OfflineProvider()
    if name == "openai":
        # Imported here so the offline default never pays for loading the SDK.
        from .openai_provider import OpenAIProvider

        return OpenAIProvider(api_key=api_key, base_url=base_url or None, model=model, timeout=timeout)
    raise ValueError(f"Unknown LLM provider {provider!r}: expected one of {', '.join(PROVIDERS)}")
