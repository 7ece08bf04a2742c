"""The market's knobs: one frozen MarketParams, stored on the clock row."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


class MarketParamsError(ValueError):
    """A parameter outside its range; the message names it."""


# name → (type, lowest, highest)
_RANGES: dict[str, tuple[type, float, float]] = {
    "seed": (int, 0, 2**63 - 1),
    "cpm_level": (float, 0.05, 20.0),
    "fatigue_rate": (float, 0.0, 50.0),
    "quality_spread": (float, 0.0, 5.0),
    "attribution_delay_days": (int, 0, 28),
    "audience_size": (int, 1_000, 10**10),
    "learning_days": (int, 0, 30),
    "noise": (float, 0.0, 1.0),
}


@dataclass(frozen=True)
class MarketParams:
    seed: int = 42
    cpm_level: float = 1.0  # multiplies every CPM
    fatigue_rate: float = 1.0  # CTR × exp(−rate × impressions served / audience_size)
    quality_spread: float = 1.0  # scales the sigma of the creatives' hidden random quality
    attribution_delay_days: int = 3  # conversions keep arriving for this many days after the day
    audience_size: int = 2_000_000  # people one product can reach
    learning_days: int = 3  # an ad group's first days: noisier and less efficient
    noise: float = 0.15  # sigma of the daily lognormal noise on CTR and CVR

    def __post_init__(self):
        for name, (kind, low, high) in _RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise MarketParamsError(f"{name}: must be a number, got {value!r}")
            if kind is int and value != int(value):
                raise MarketParamsError(f"{name}: must be a whole number, got {value!r}")
            if not low <= value <= high:
                raise MarketParamsError(f"{name}: must be between {low:g} and {high:g}, got {value!r}")
            object.__setattr__(self, name, kind(value))

    def stored(self) -> dict:
        """What the clock row keeps in `params` (the seed has a column of its own)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if k != "seed"}

    @classmethod
    def names(cls) -> list[str]:
        return [field.name for field in dataclasses.fields(cls)]


def market_params() -> MarketParams:
    from .clock import market_clock

    row = market_clock()
    known = {k: v for k, v in row.params.items() if k in MarketParams.names()}
    return MarketParams(**{**known, "seed": row.seed})


def market_configure(**params) -> MarketParams:
    """Change some parameters and keep the rest; the next simulated day uses them."""
    from .clock import market_clock

    unknown = set(params) - set(MarketParams.names())
    if unknown:
        raise MarketParamsError(f"unknown market parameters: {', '.join(sorted(unknown))}")
    new = dataclasses.replace(market_params(), **params)
    row = market_clock()
    row.seed, row.params = new.seed, new.stored()
    row.full_clean()
    row.save(update_fields=["seed", "params", "updated_at"])
    return new
