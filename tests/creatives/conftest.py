import subprocess
from pathlib import Path

import pytest
from django.core.files import File

from creatives import media
from creatives.services import product_create


@pytest.fixture(autouse=True)
def _short_videos(settings, tmp_path):
    # Short scripts keep renders fast; the pipeline is the same at any length.
    settings.VIDEO_TARGET_SECONDS = 3
    settings.MUSIC_DIR = tmp_path / "music"


@pytest.fixture(scope="session")
def product_png(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("img") / "shot.png"
    subprocess.run(
        [media.ffmpeg_exe(), "-y", "-v", "error", "-f", "lavfi", "-i", "gradients=s=800x800:c0=0x2e86de:c1=0x10ac84:d=1",
         "-frames:v", "1", str(path)],
        check=True, timeout=60,
    )
    return path


@pytest.fixture
def shop_product(product_png):
    def make(language="zh", images=1):
        handles = [open(product_png, "rb") for _ in range(images)]
        try:
            return product_create(
                name="便携榨汁杯" if language == "zh" else "Portable Blender",
                title="30 秒鲜榨" if language == "zh" else "Fresh juice in 30 s",
                selling_points=["USB-C 充电", "6 叶刀头", "380 ml"] if language == "zh" else ["USB-C", "6 blades", "380 ml"],
                price="29.99", landing_url="https://shop.example.com/blender", language=language,
                images=[File(h, name=f"shot-{i}.png") for i, h in enumerate(handles)],
            )
        finally:
            for handle in handles:
                handle.close()

    return make
