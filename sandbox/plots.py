"""The comparison's pictures (matplotlib, PNG, no display): ROAS and spend per day per
strategy, adloop's spend by stage over time, and adloop's creative lineage tree."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on a server

import matplotlib.pyplot as plt  # noqa: E402
from django.conf import settings  # noqa: E402
from matplotlib import font_manager  # noqa: E402

# Product names are often Chinese: the CJK font the video renderer ships, as a fallback.
_CJK_FONT = Path(settings.BASE_DIR) / "assets" / "fonts" / "wqy-microhei.ttc"
if _CJK_FONT.exists():
    font_manager.fontManager.addfont(str(_CJK_FONT))
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", font_manager.FontProperties(fname=str(_CJK_FONT)).get_name()]

COLORS = {"static": "#9e9e9e", "adloop": "#1f77b4", "oracle": "#2ca02c"}
STAGE_COLORS = {"launch": "#ffbb78", "heat": "#ff7f0e", "hit": "#d62728", "other": "#c7c7c7"}
STAGES = ("launch", "heat", "hit", "other")


def plots_write(comparison: dict, out: Path) -> list[Path]:
    """Write the plots of one seed's comparison (or of the first seed of several, with the
    per-seed profits) into `out`; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    runs = comparison.get("runs") or [comparison]
    first = runs[0]
    written = [
        _daily(first, out / "roas_spend_per_day.png"),
        _by_stage(first["strategies"]["adloop"], out / "adloop_spend_by_stage.png"),
        _lineage(first["strategies"]["adloop"], out / "adloop_lineage.png"),
    ]
    if len(runs) > 1:
        written.append(_profits(runs, out / "profit_per_seed.png"))
    return written


def _daily(run: dict, path: Path) -> Path:
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True)
    for name, result in run["strategies"].items():
        days = [d["day"] for d in result["per_day"]]
        top.plot(days, [d["roas"] if d["roas"] is not None else float("nan") for d in result["per_day"]],
                 label=name, color=COLORS.get(name), marker="o", markersize=3)
        bottom.plot(days, [d["spend"] for d in result["per_day"]], label=name, color=COLORS.get(name), marker="o", markersize=3)
    top.axhline(1.0, color="black", linewidth=0.6, linestyle=":")
    top.set_ylabel("ROAS (revenue / spend)")
    top.set_title(f"Seed {run['seed']}: ROAS and spend per day, daily ceiling {run['ceiling']:,.0f}")
    top.legend()
    bottom.axhline(run["ceiling"], color="black", linewidth=0.6, linestyle="--", label="ceiling")
    bottom.set_ylabel("spend per day")
    bottom.set_xlabel("simulated day")
    bottom.legend()
    return _save(fig, path)


def _by_stage(result: dict, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(9, 4))
    days = [d["day"] for d in result["per_day"]]
    bottom = [0.0] * len(days)
    for stage in STAGES:
        values = [d.get("spend_by_stage", {}).get(stage, 0.0) for d in result["per_day"]]
        if any(values):
            ax.bar(days, values, bottom=bottom, label=stage, color=STAGE_COLORS[stage])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_title("adloop: spend by stage per day")
    ax.set_xlabel("simulated day")
    ax.set_ylabel("spend")
    ax.legend()
    return _save(fig, path)


def _lineage(result: dict, path: Path) -> Path:
    """Originals in a column on the left, each generation of variants to the right, an edge
    from parent to child; each node labelled with its ROAS over the run."""
    creatives = {c["job"]: c for c in result.get("creatives", [])}
    depth: dict[str, int] = {}

    def depth_of(job: str) -> int:
        if job not in depth:
            parent = creatives[job]["parent"]
            depth[job] = 0 if parent not in creatives else depth_of(parent) + 1
        return depth[job]

    columns: dict[int, list[str]] = {}
    for job in creatives:
        columns.setdefault(depth_of(job), []).append(job)
    rows = max((len(jobs) for jobs in columns.values()), default=1)
    fig, ax = plt.subplots(figsize=(3 + 3 * max(len(columns), 1), 1 + 0.6 * rows))
    position = {}
    for column, jobs in columns.items():
        jobs.sort(key=lambda j: (creatives[j]["product"], creatives[j]["parent"] or "", j))
        for row, job in enumerate(jobs):
            position[job] = (column, rows - row)
    for job, (x, y) in position.items():
        parent = creatives[job]["parent"]
        if parent in position:
            px, py = position[parent]
            ax.plot([px, x], [py, y], color="#bbbbbb", linewidth=1, zorder=1)
    for job, (x, y) in position.items():
        creative = creatives[job]
        roas = creative["roas"]
        color = "#2ca02c" if roas is not None and roas >= 2 else ("#ff7f0e" if roas is not None and roas >= 1 else "#d62728")
        ax.scatter([x], [y], s=120, color=color, zorder=2)
        label = f"{creative['product'][:14]} · {creative['hook'] or '-'}\nROAS {roas:.2f}" if roas is not None else creative["product"][:14]
        ax.annotate(label, (x, y), textcoords="offset points", xytext=(8, -4), fontsize=7)
    ax.set_xticks(range(len(columns)), ["originals", *[f"variants g{n}" for n in range(1, len(columns))]])
    ax.set_yticks([])
    ax.set_xlim(-0.3, max(len(columns) - 1, 0) + 0.9)
    ax.set_title("adloop: creatives and their variants (ROAS over the run; green ≥ 2, orange ≥ 1, red < 1)")
    return _save(fig, path)


def _profits(runs: list[dict], path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(9, 4))
    seeds = [run["seed"] for run in runs]
    width = 0.27
    for offset, name in enumerate(("static", "adloop", "oracle")):
        ax.bar([i + (offset - 1) * width for i in range(len(seeds))], [run["strategies"][name]["profit"] for run in runs],
               width=width, label=name, color=COLORS[name])
    ax.set_xticks(range(len(seeds)), [str(seed) for seed in seeds])
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlabel("market seed")
    ax.set_ylabel("profit over the run")
    ax.set_title("Profit per seed and strategy")
    ax.legend()
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
