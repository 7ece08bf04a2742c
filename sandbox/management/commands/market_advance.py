"""Advance the sandbox's ad market by N simulated days, optionally changing its parameters
first; one line per delivered day."""

from django.core.management.base import BaseCommand, CommandError

from sandbox.market.engine import market_advance_day
from sandbox.market.params import MarketParamsError, market_configure

# option → MarketParams field
PARAM_OPTIONS = {
    "seed": ("seed", int), "cpm_level": ("cpm_level", float), "fatigue_rate": ("fatigue_rate", float),
    "quality_spread": ("quality_spread", float), "attribution_delay": ("attribution_delay_days", int),
    "audience_size": ("audience_size", int), "learning_days": ("learning_days", int), "noise": ("noise", float),
}


class Command(BaseCommand):
    help = "Deliver the sandbox ad market's current day and move its clock on, N times."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=1)
        for option, (field, kind) in PARAM_OPTIONS.items():
            parser.add_argument(f"--{option.replace('_', '-')}", dest=option, type=kind, help=f"set MarketParams.{field} first")

    def handle(self, *args, days: int, **options):
        if days < 1:
            raise CommandError("--days must be at least 1")
        changes = {field: options[option] for option, (field, _) in PARAM_OPTIONS.items() if options.get(option) is not None}
        if changes:
            try:
                params = market_configure(**changes)
            except MarketParamsError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"market parameters: {params}")
        for _ in range(days):
            self.stdout.write(market_advance_day().line())
