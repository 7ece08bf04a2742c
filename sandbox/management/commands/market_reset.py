"""Rewind the sandbox's ad market: set its date (and seed) and forget every delivered day
and organic stat. Ads, videos and registered creatives stay; adloop's own tables are
never touched."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sandbox.market.clock import market_reset
from sandbox.market.params import MarketParamsError, market_params


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--start: expected YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = "Reset the sandbox ad market's clock, seed and delivered stats."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, help="default: keep the current seed")
        parser.add_argument("--start", type=_date, help="the first simulated day (YYYY-MM-DD); default: today")

    def handle(self, *args, seed: int | None, start: dt.date | None, **options):
        try:
            clock = market_reset(start=start or timezone.now().date(), seed=seed)
        except MarketParamsError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"market reset to {clock.date} with {market_params()}")
