import subprocess
import sys
from pathlib import Path

import pytest

from integrations.llm import OfflineProvider, provider_from_settings
from integrations.llm.base import LLMProvider
from integrations.llm.openai_provider import OpenAIProvider

SETTINGS = {"api_key": "", "base_url": "", "model": "gpt-4o", "timeout": 60}


def test_offline_setting_gives_the_offline_provider():
    provider = provider_from_settings(provider="offline", **SETTINGS)

    assert isinstance(provider, OfflineProvider) and isinstance(provider, LLMProvider)


def test_openai_setting_gives_an_openai_provider_on_the_configured_server():
    provider = provider_from_settings(
        provider="OpenAI", **{**SETTINGS, "base_url": "http://localhost:11434/v1", "model": "qwen2.5vl"}
    )

    assert isinstance(provider, OpenAIProvider) and isinstance(provider, LLMProvider)
    assert provider.model == "qwen2.5vl"
    assert provider.base_url.rstrip("/") == "http://localhost:11434/v1"


def test_an_unknown_provider_name_raises_value_error():
    with pytest.raises(ValueError, match="claude"):
        provider_from_settings(provider="claude", **SETTINGS)


def test_the_package_never_imports_django():
    code = "import sys, integrations.llm, integrations.llm.openai_provider; print('django' in sys.modules)"
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60, check=True)

    assert result.stdout.strip() == "False"
