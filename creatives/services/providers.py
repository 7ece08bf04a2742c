"""The external services the pipeline uses, built from settings in one place."""

from functools import lru_cache

from django.conf import settings

from integrations.llm import provider_from_settings
from integrations.llm.base import LLMProvider
from integrations.seedance.client import SeedanceClient


def llm_provider() -> LLMProvider:
    return _llm_provider(settings.LLM_PROVIDER, settings.LLM_API_KEY, settings.LLM_BASE_URL, settings.LLM_MODEL, settings.LLM_TIMEOUT)


# One provider (one HTTP connection pool) per configuration, not one per call.
@lru_cache(maxsize=4)
def _llm_provider(provider: str, api_key: str, base_url: str, model: str, timeout: int) -> LLMProvider:
    return provider_from_settings(provider=provider, api_key=api_key, base_url=base_url, model=model, timeout=timeout)


def seedance_client() -> SeedanceClient:
    return SeedanceClient(base_url=settings.SEEDANCE_BASE_URL, api_key=settings.SEEDANCE_API_KEY)
