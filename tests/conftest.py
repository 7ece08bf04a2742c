import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes its videos under its own temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
