"""Run the loop over simulated days against the sandbox market: one line per day, or --json."""

import json
import logging
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from analytics.models import PerformanceDaily
from campaigns.models import AdvertiserAccount
from creatives.models import VideoJob
from sandbox.compare import DEFAULT_CEILING, STRATEGIES, CompareError, compare, strategy_result
from sandbox.simulation import DEFAULT_LAUNCH_BUDGET, SimulationError, sandbox_server, simulate, uses_builtin_sandbox


def _money(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise CommandError(f"{value!r} is not an amount") from None


def _seeds(value: str) -> list[int]:
    """"1-10" or "1,4,7" → the seeds."""
    try:
        if "-" in value:
            low, high = (int(part) for part in value.split("-", 1))
            seeds = list(range(low, high + 1))
        else:
            seeds = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"--seeds: expected a range like 1-10 or a list like 1,4,7, got {value!r}") from None
    if not seeds:
        raise CommandError("--seeds: no seed given")
    return seeds


class Command(BaseCommand):
    help = (
        "Run the same tasks beat runs (report pull and alerts, budget rules and hit scaling, stage check, "
        "the optimization loop every 3 days) day by day against the sandbox's simulated market."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="simulated days to run (default 30)")
        parser.add_argument("--seed", type=int, default=42, help="the market's seed (default 42)")
        parser.add_argument("--json", action="store_true", help="print one JSON object at the end instead of a line per day")
        parser.add_argument(
            "--launch-budget", type=_money, default=DEFAULT_LAUNCH_BUDGET,
            help=f"daily budget of each first launch-stage ad group (default {DEFAULT_LAUNCH_BUDGET})",
        )
        parser.add_argument(
            "--no-approve", action="store_true",
            help="leave variants waiting in the queue (manual mode) instead of approving them at the end of each day",
        )
        parser.add_argument("--no-seed-demo", action="store_true", help="do not create the demo shop when nothing can run")
        parser.add_argument(
            "--unless-run", action="store_true", help="do nothing if adloop already holds report data (make demo run twice)"
        )
        compare_group = parser.add_argument_group("strategy comparison (issue 9)")
        compare_group.add_argument(
            "--compare", action="store_true",
            help="run static, adloop and oracle on the same seed, each in a fresh copy of one demo world, and compare their profit",
        )
        compare_group.add_argument("--seeds", type=_seeds, help="with --compare: several seeds (1-10 or 1,4,7); medians in `summary`")
        compare_group.add_argument(
            "--ceiling", type=_money, default=DEFAULT_CEILING,
            help=f"the daily budget ceiling every strategy spends under (the account's daily cap; default {DEFAULT_CEILING})",
        )
        compare_group.add_argument("--out", default="var/compare", help="with --compare: where compare.json and the plots go")
        compare_group.add_argument("--jobs", type=int, default=2, help="with --compare: strategies run at once (default 2)")
        compare_group.add_argument(
            "--strategy", choices=STRATEGIES,
            help="run one strategy in the current world and print its JSON (what --compare runs in each copy)",
        )

    def handle(
        self, *args, days: int, seed: int, json: bool, launch_budget: Decimal, no_seed_demo: bool, unless_run: bool, no_approve: bool,
        **options,
    ):
        if days < 1:
            raise CommandError("--days must be at least 1")
        if options["compare"] or options["seeds"]:
            self._quiet(options["verbosity"])
            return self._compare(
                days=days, seeds=options["seeds"] or [seed], launch_budget=launch_budget, json=json,
                ceiling=options["ceiling"], out=options["out"], jobs=options["jobs"],
            )
        if options["strategy"]:
            return self._strategy(options["strategy"], days=days, seed=seed, ceiling=options["ceiling"], launch_budget=launch_budget)
        if unless_run and PerformanceDaily.objects.exists():
            self.stdout.write("Report data exists already: not simulating again (drop --unless-run to go on).")
            return
        if options["verbosity"] < 2:
            # A line per task and per pull would bury the line per day.
            for name in ("celery", "analytics", "campaigns", "scheduler", "optimization", "creatives"):
                logging.getLogger(name).setLevel(logging.WARNING)
        if not uses_builtin_sandbox():
            raise CommandError("simulate runs against the built-in sandbox only; TIKTOK_ADS_BASE_URL points elsewhere")
        if not no_seed_demo and self._nothing_to_run():
            self.stderr.write("No connected advertiser or finished video yet: creating the demo shop first (seed_demo).")
            call_command("seed_demo", stdout=self.stderr)
        on_day = None if json else (lambda figures: self.stdout.write(figures.line()))
        try:
            with sandbox_server():
                result = simulate(days=days, seed=seed, launch_budget=launch_budget, approve=not no_approve, on_day=on_day)
        except SimulationError as exc:
            raise CommandError(str(exc)) from exc
        summary = result.as_json()
        if json:
            self.stdout.write(_json_dumps(summary))
            return
        roas = f"{summary['roas']:.2f}" if summary["roas"] is not None else "-"
        self.stdout.write(
            f"{summary['days']} days, seed {seed}: spend {summary['spend']:,.2f}, revenue {summary['revenue']:,.2f}, "
            f"ROAS {roas}, profit {summary['profit']:,.2f}; {len(summary['stage_changes'])} stage change(s); "
            f"actions {summary['actions']}"
        )

    def _quiet(self, verbosity: int) -> None:
        if verbosity < 2:
            for name in ("celery", "analytics", "campaigns", "scheduler", "optimization", "creatives"):
                logging.getLogger(name).setLevel(logging.WARNING)

    def _strategy(self, name: str, *, days: int, seed: int, ceiling: Decimal, launch_budget: Decimal) -> None:
        self._quiet(1)
        if not uses_builtin_sandbox():
            raise CommandError("simulate runs against the built-in sandbox only; TIKTOK_ADS_BASE_URL points elsewhere")
        try:
            with sandbox_server():
                result = strategy_result(name, days=days, seed=seed, ceiling=ceiling, launch_budget=launch_budget)
        except CompareError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_json_dumps(result))

    def _compare(self, *, days: int, seeds: list[int], launch_budget: Decimal, json: bool, ceiling: Decimal, out: str, jobs: int):
        from sandbox.plots import plots_write

        log = (lambda line: self.stderr.write(line)) if json else (lambda line: self.stdout.write(line))
        try:
            result = compare(days=days, seeds=seeds, ceiling=ceiling, launch_budget=launch_budget, jobs=jobs, log=log)
        except CompareError as exc:
            raise CommandError(str(exc)) from exc
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "compare.json").write_text(_json_dumps(result), encoding="utf-8")
        pictures = plots_write(result, folder)
        if json:
            self.stdout.write(_json_dumps(result))
            return
        for run in result.get("runs") or [result]:
            figures = ", ".join(f"{name} profit {run['strategies'][name]['profit']:,.2f}" for name in STRATEGIES)
            self.stdout.write(f"seed {run['seed']}: {figures}; adloop/static {run['adloop_vs_static']}, adloop/oracle {run['adloop_vs_oracle']}")
        if "summary" in result:
            summary = result["summary"]
            self.stdout.write(f"median over {len(seeds)} seeds: adloop/static {summary['adloop_vs_static']}, adloop/oracle {summary['adloop_vs_oracle']}")
        self.stdout.write(f"written: {folder / 'compare.json'}, " + ", ".join(str(p) for p in pictures))

    @staticmethod
    def _nothing_to_run() -> bool:
        connected = AdvertiserAccount.objects.filter(status=AdvertiserAccount.Status.CONNECTED).exists()
        return not connected or not VideoJob.objects.filter(status=VideoJob.Status.DONE).exists()


def _json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
