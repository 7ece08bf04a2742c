"""Benchmark the video renderer: one 15 s, 5-scene Chinese ad, then a batch in parallel.

    python bench/render.py --json [--size 720x1280] [--batch 5] [--workers 2] [--fps 30]

Target on a 2-core machine: the single 720x1280 render in under 15 s wall (faster than real
time), and a batch that keeps both cores busy (cores_used close to 2).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from creatives import media  # noqa: E402
from creatives.render import render_script  # noqa: E402
from creatives.script import Script, script_parse  # noqa: E402

SCRIPT = {
    "language": "zh",
    "hook": {"type": "number", "text": "3 个理由让你爱上这款便携榨汁杯"},
    "scenes": [
        {"duration_s": 3, "visual": "杯子特写", "image": 0, "caption": "USB-C 充电，随时随地一杯鲜榨果汁", "voiceover": "充电一次，随时随地鲜榨果汁"},
        {"duration_s": 3, "visual": "刀头", "image": 1, "caption": "6 叶刀头，冰块也能轻松打碎", "voiceover": "六叶刀头，冰块也能打碎"},
        {"duration_s": 3, "visual": "容量", "image": 2, "caption": "380 ml 大容量，一人份刚刚好", "voiceover": "三百八十毫升，一人份刚好"},
        {"duration_s": 3, "visual": "使用", "image": 0, "caption": "30 秒鲜榨，健康每一天", "voiceover": "三十秒鲜榨，健康每一天"},
        {"duration_s": 3, "visual": "下单", "image": 1, "caption": "今天下单，明天到家", "voiceover": "今天下单，明天到家"},
    ],
    "cta": {"type": "limited_offer", "text": "立即购买 限时 5 折"},
}
# Stand-ins for product photos in the usual shapes: square, landscape, portrait.
IMAGES = (
    ("gradients=s=1000x1000:c0=0x2e86de:c1=0x10ac84:seed=1", "product-0.png"),
    ("testsrc2=s=1600x1200", "product-1.jpg"),
    ("mandelbrot=s=900x1400", "product-2.png"),
)


def make_images(folder: Path) -> list[Path]:
    paths = []
    for source, name in IMAGES:
        path = folder / name
        subprocess.run(
            [media.ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", source, "-frames:v", "1", str(path)],
            check=True, timeout=60,
        )
        paths.append(path)
    return paths


def render_once(args: tuple[Script, list[Path], Path, tuple[int, int], Path, int, int]) -> float:
    script, images, out_dir, size, music_dir, fps, seed = args
    started = time.perf_counter()
    render_script(
        script=script, sources=images, out_dir=out_dir, size=size, font_dir=ROOT / "assets" / "fonts",
        music_dir=music_dir, fps=fps, seed=seed,
    )
    return time.perf_counter() - started


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--size", default="720x1280", choices=("720x1280", "1080x1920"))
    parser.add_argument("--batch", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fps", type=int, default=30)
    opts = parser.parse_args()
    size = tuple(int(part) for part in opts.size.split("x"))
    script = script_parse(SCRIPT)

    with tempfile.TemporaryDirectory(prefix="adloop-bench-") as tmp:
        folder = Path(tmp)
        images = make_images(folder)
        music_dir = folder / "music"
        # Warm-up: generates the default music track once, as the first real render would.
        render_once((script, images, folder / "warmup", size, music_dir, opts.fps, 0))

        wall_s = render_once((script, images, folder / "single", size, music_dir, opts.fps, 1))

        jobs = [(script, images, folder / f"batch-{i}", size, music_dir, opts.fps, i) for i in range(opts.batch)]
        # Workers are forked (or spawned) before the clock starts; their ffmpeg children are
        # reaped by the workers, so the workers' own rusage carries them into RUSAGE_CHILDREN
        # of this process once the pool shuts down.
        cpu_before = children_cpu()
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=opts.workers) as pool:
            per_video = list(pool.map(render_once, jobs))
        batch_wall_s = time.perf_counter() - started
        cpu_s = children_cpu() - cpu_before

    result = {
        "size": opts.size,
        "fps": opts.fps,
        "video_s": script.duration_s,
        "wall_s": round(wall_s, 2),
        "realtime_factor": round(script.duration_s / wall_s, 2),
        "batch": opts.batch,
        "workers": opts.workers,
        "batch_wall_s": round(batch_wall_s, 2),
        "batch_per_video_s": [round(value, 2) for value in per_video],
        "cpu_s": round(cpu_s, 2),
        "cores_used": round(cpu_s / batch_wall_s, 2),
        "cpu_count": os.cpu_count(),
    }
    if opts.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")


if __name__ == "__main__":
    main()
