"""`simulate --compare`: adloop against two yardsticks on the same market seed (issue 9).

Every strategy runs in a world of its own that starts identical: one base world is built once
(a fresh database: migrate, the demo shop with its rendered videos, the market's clock set to
a fixed start date), then each strategy gets a copy of it (a file copy on SQLite, `CREATE
DATABASE … TEMPLATE` on PostgreSQL) and runs in a child process, `manage.py simulate
--strategy NAME`, against its copy. The copies are dropped afterwards; one base serves any
number of seeds, since a creative's hidden quality is drawn from (seed, script), not from the
database.

All three spend under the same daily budget ceiling: the advertiser's daily spend cap, which
adloop's guardrails keep; static launches each creative with adloop's launch budget; the oracle
hands the whole ceiling out each morning. The figures of every strategy are the market's own (the sandbox's daily stats).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.db.models import Sum

from campaigns.models import Ad, AdvertiserAccount, Campaign
from creatives.models import VideoJob
from scheduler.models import ActionLog

from .market.clock import market_today
from .market.params import market_configure
from .models import SbDailyStat
from .strategies import StrategyError, market_figures, oracle_run, static_run

STRATEGIES = ("static", "adloop", "oracle")
DEFAULT_CEILING = Decimal("400.00")
# The market's first day in every compared world: its draws depend on the date, so a fixed
# start makes a comparison reproducible on any day it is run.
COMPARE_START = dt.date(2026, 3, 2)
CENT = Decimal("0.01")


class CompareError(Exception):
    """A world could not be built or a strategy's run failed; the message says which and why."""


# --- one strategy, in this process's (copied) world ----------------------------------------------

def strategy_result(
    name: str, *, days: int, seed: int, ceiling: Decimal, launch_budget: Decimal, on_day: Callable[[int], None] | None = None,
) -> dict:
    """Run `name` for `days` on market seed `seed` in the current database and describe it."""
    from .simulation import SimulationError, _inline_tasks, simulate

    if name not in STRATEGIES:
        raise CompareError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")
    advertiser = AdvertiserAccount.objects.filter(status=AdvertiserAccount.Status.CONNECTED).order_by("pk").first()
    if advertiser is None:
        raise CompareError("no connected advertiser: run `manage.py seed_demo` first")
    # The ceiling is the account's daily cap, a setting of the world (not a change of what runs).
    AdvertiserAccount.objects.filter(pk=advertiser.pk).update(daily_spend_cap=ceiling)
    advertiser.refresh_from_db()
    market_configure(seed=seed)
    start = market_today()
    extra: dict = {}
    try:
        if name == "adloop":
            result = simulate(days=days, seed=seed, launch_budget=launch_budget, on_day=(lambda f: on_day(f.day)) if on_day else None)
            extra = {"actions": result.actions, "stage_changes": result.stage_changes}
        else:
            with _inline_tasks():
                run = static_run if name == "static" else oracle_run
                run(advertiser=advertiser, days=days, ceiling=ceiling, launch_budget=launch_budget, on_day=on_day)
            extra = {"actions": _action_counts()}
    except (SimulationError, StrategyError) as exc:
        raise CompareError(f"{name}: {exc}") from exc
    per_day = market_figures(start=start, days=days)
    by_stage = _spend_by_stage(start=start, days=days)
    for figures in per_day:
        figures["spend_by_stage"] = by_stage.get(figures["date"], {})
    spend = sum(Decimal(str(d["spend"])) for d in per_day)
    revenue = sum(Decimal(str(d["revenue"])) for d in per_day)
    return {
        "strategy": name, "seed": seed, "days": days, "start": start.isoformat(), "ceiling": float(ceiling),
        "spend": float(spend), "revenue": float(revenue), "roas": round(float(revenue / spend), 4) if spend else None,
        "profit": float(revenue - spend), "max_daily_spend": max((d["spend"] for d in per_day), default=0.0),
        "creatives": _lineage(), "per_day": per_day, **extra,
    }


def _action_counts() -> dict[str, int]:
    counts = Counter()
    for action, outcome in ActionLog.objects.values_list("action", "outcome"):
        counts[action if outcome == ActionLog.Outcome.DONE else f"{action}_{outcome}"] += 1
    return dict(sorted(counts.items()))


def _spend_by_stage(*, start: dt.date, days: int) -> dict[str, dict[str, float]]:
    """date → adloop stage → the market's spend, through each ad's adloop campaign."""
    stage_of = dict(Campaign.objects.exclude(campaign_id="").values_list("campaign_id", "stage"))
    rows = (
        SbDailyStat.objects.filter(date__gte=start, date__lt=start + dt.timedelta(days=days))
        .values("date", "ad__campaign__campaign_id")
        .annotate(spend=Sum("spend"))
    )
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in rows:
        stage = stage_of.get(row["ad__campaign__campaign_id"], "other")
        out[row["date"].isoformat()][stage] += float(row["spend"] or 0)
    return {day: {stage: round(value, 2) for stage, value in stages.items()} for day, stages in out.items()}


def _lineage() -> list[dict]:
    """Every creative that ran: its parent, and the market's spend and revenue over its ads."""
    job_of = dict(Ad.objects.exclude(ad_id="").values_list("ad_id", "job_id"))
    money: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for ad_id, spend, revenue in SbDailyStat.objects.values_list("ad__ad_id").annotate(Sum("spend"), Sum("conversion_value")):
        if ad_id in job_of:
            money[job_of[ad_id]][0] += float(spend or 0)
            money[job_of[ad_id]][1] += float(revenue or 0)
    jobs = VideoJob.objects.filter(pk__in=list(money)).select_related("product").order_by("pk")
    return [
        {
            "job": str(job.job_id), "parent": str(job.parent.job_id) if job.parent_id else None, "product": job.product.name,
            "hook": job.hook_type, "spend": round(money[job.pk][0], 2), "revenue": round(money[job.pk][1], 2),
            "roas": round(money[job.pk][1] / money[job.pk][0], 4) if money[job.pk][0] else None,
        }
        for job in jobs.select_related("parent")
    ]


# --- the comparison: worlds, child processes, the verdict ---------------------------------------

def ratios(strategies: dict[str, dict]) -> dict:
    """adloop's profit over static's and as a share of the oracle's (None when the divisor is
    not a profit: a ratio to a loss says nothing)."""
    def ratio(a: str, b: str):
        if a not in strategies or b not in strategies or strategies[b]["profit"] <= 0:
            return None
        return round(strategies[a]["profit"] / strategies[b]["profit"], 4)

    return {"adloop_vs_static": ratio("adloop", "static"), "adloop_vs_oracle": ratio("adloop", "oracle")}


def summary_of(runs: list[dict]) -> dict:
    """Medians over seeds of each strategy's figures and of the two ratios."""
    out: dict = {"seeds": [run["seed"] for run in runs], "strategies": {}}
    for name in STRATEGIES:
        values = [run["strategies"][name] for run in runs if name in run["strategies"]]
        if values:
            out["strategies"][name] = {
                key: round(statistics.median(v[key] for v in values if v[key] is not None), 4)
                for key in ("spend", "revenue", "roas", "profit")
                if any(v[key] is not None for v in values)
            }
    for key in ("adloop_vs_static", "adloop_vs_oracle"):
        values = [run[key] for run in runs if run.get(key) is not None]
        out[key] = round(statistics.median(values), 4) if values else None
        out[f"{key}_per_seed"] = [run.get(key) for run in runs]
    return out


class Worlds:
    """The base world and its copies, in databases of their own beside the configured one."""

    def __init__(self, *, workdir: Path):
        self.workdir = workdir
        self.media = workdir / "media"
        self.vendor = connection.vendor
        self.tag = f"adloop_cmp_{uuid.uuid4().hex[:8]}"
        self.base = self._name("base")
        self.made: list[str] = []
        # PostgreSQL refuses to copy a template another session is copying or connected to.
        self._lock = threading.Lock()

    def _name(self, suffix: str) -> str:
        return str(self.workdir / f"{suffix}.sqlite3") if self.vendor == "sqlite" else f"{self.tag}_{suffix}"

    def env(self, name: str) -> dict[str, str]:
        env = {
            **os.environ, "MEDIA_ROOT": str(self.media), "CELERY_TASK_ALWAYS_EAGER": "True", "EMBEDDED_WORKER_THREADS": "0",
            "PYTHONUNBUFFERED": "1",
        }
        if self.vendor == "sqlite":
            env.pop("DATABASE_URL", None)
            env["SQLITE_PATH"] = name
        else:
            env["DATABASE_URL"] = _database_url(name)
        return env

    def build(self, *, log: Callable[[str], None]) -> None:
        self._create(self.base, template=None)
        for args in (["migrate", "--noinput"], ["seed_demo"], ["market_reset", "--start", COMPARE_START.isoformat()]):
            log(f"base world: manage.py {' '.join(args)}")
            _manage(args, env=self.env(self.base))

    def copy(self, label: str) -> str:
        name = self._name(label)
        with self._lock:
            self._create(name, template=self.base)
        return name

    def drop(self, name: str) -> None:
        with self._lock:
            if self.vendor == "sqlite":
                Path(name).unlink(missing_ok=True)
            else:
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            if name in self.made:
                self.made.remove(name)

    def close(self) -> None:
        for name in list(self.made):
            self.drop(name)

    def _create(self, name: str, *, template: str | None) -> None:
        if self.vendor == "sqlite":
            if template:
                shutil.copyfile(template, name)
        elif self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        else:
            raise CompareError(f"--compare supports SQLite and PostgreSQL, not {self.vendor}")
        self.made.append(name)


def _database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def _manage(args: list[str], *, env: dict[str, str]) -> str:
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=settings.BASE_DIR, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise CompareError(f"manage.py {' '.join(args)} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


def compare(
    *, days: int, seeds: list[int], ceiling: Decimal = DEFAULT_CEILING, launch_budget: Decimal, jobs: int = 2,
    log: Callable[[str], None] = lambda line: None,
) -> dict:
    """Run the three strategies on each seed, each in a copy of one base world. Returns one
    seed's comparison, or with several seeds `runs` and their `summary` (medians)."""
    with tempfile.TemporaryDirectory(prefix="adloop-compare-") as tmp:
        worlds = Worlds(workdir=Path(tmp))
        connection.ensure_connection()
        try:
            worlds.build(log=log)

            def one(task: tuple[int, str]) -> tuple[int, str, dict]:
                seed, name = task
                copy = worlds.copy(f"{name}_{seed}")
                try:
                    args = [
                        "simulate", "--strategy", name, "--days", str(days), "--seed", str(seed), "--json", "--no-seed-demo",
                        "--ceiling", str(ceiling), "--launch-budget", str(launch_budget),
                    ]
                    result = json.loads(_manage(args, env=worlds.env(copy)))
                finally:
                    worlds.drop(copy)
                    connections.close_all()  # this pool thread's own connection
                log(f"seed {seed} {name}: spend {result['spend']:,.2f}, revenue {result['revenue']:,.2f}, profit {result['profit']:,.2f}")
                return seed, name, result

            tasks = [(seed, name) for seed in seeds for name in STRATEGIES]
            # The adloop runs take longest: start them first so the pool's tail is short.
            tasks.sort(key=lambda task: task[1] != "adloop")
            with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                results = list(pool.map(one, tasks))
        finally:
            worlds.close()
    by_seed: dict[int, dict] = defaultdict(dict)
    for seed, name, result in results:
        by_seed[seed][name] = result
    runs = [
        {"seed": seed, "days": days, "ceiling": float(ceiling), "strategies": {n: by_seed[seed][n] for n in STRATEGIES},
         **ratios(by_seed[seed])}
        for seed in seeds
    ]
    if len(runs) == 1:
        return runs[0]
    return {"days": days, "ceiling": float(ceiling), "runs": runs, "summary": summary_of(runs)}
