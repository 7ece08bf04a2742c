"""Run the loop over simulated days against the sandbox market: one line per day, or --json."""

import json
import logging
from decimal import Decimal, InvalidOperation

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from analytics.models import PerformanceDaily
from campaigns.models import AdvertiserAccount
from creatives.models import VideoJob
from sandbox.simulation import DEFAULT_LAUNCH_BUDGET, SimulationError, sandbox_server, simulate, uses_builtin_sandbox


def _money(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise CommandError(f"--launch-budget: {value!r} is not an amount") from None


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

    def handle(
        self, *args, days: int, seed: int, json: bool, launch_budget: Decimal, no_seed_demo: bool, unless_run: bool, no_approve: bool,
        **options,
    ):
        if days < 1:
            raise CommandError("--days must be at least 1")
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

    @staticmethod
    def _nothing_to_run() -> bool:
        connected = AdvertiserAccount.objects.filter(status=AdvertiserAccount.Status.CONNECTED).exists()
        return not connected or not VideoJob.objects.filter(status=VideoJob.Status.DONE).exists()


def _json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
