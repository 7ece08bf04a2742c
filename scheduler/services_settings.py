"""The effective strategy: the global StrategySettings row, overlaid by a campaign's own values.

A campaign row overrides only the fields it sets; NULL means "inherit the global value". A
NULL on the global row itself falls back to the model's default, so every field of a
`Strategy` always holds a value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import TYPE_CHECKING

from .models import StrategySettings

if TYPE_CHECKING:
    from campaigns.models import Campaign


@dataclass(frozen=True)
class Strategy:
    target_roas: Decimal
    scale_up_at: Decimal
    scale_up_factor: Decimal
    keep_at: Decimal
    scale_down_at: Decimal
    scale_down_factor: Decimal
    roas_window_days: int
    min_spend: Decimal
    min_conversions: int
    heat_min_impressions: int
    heat_ctr_days: int
    heat_ctr_max_cv: Decimal
    hit_roas_days: int
    hit_bid_raise_pct: Decimal
    hit_cap_raise_step: Decimal
    adgroup_budget_cap: Decimal
    account_daily_cap: Decimal
    max_raise_per_day: Decimal
    optimization_mode: str
    dry_run: bool
    kill_switch: bool
    alert_roas_floor: Decimal
    alert_enabled: bool


SETTING_FIELDS = tuple(field.name for field in fields(Strategy))


def strategy_global_ensure() -> StrategySettings:
    """The global row, created with the model's defaults if it is missing."""
    row, _ = StrategySettings.objects.get_or_create(campaign=None)
    return row


def strategy_for(campaign: Campaign | int | None = None) -> Strategy:
    """The settings in force for `campaign` (a Campaign or its pk), or the global ones."""
    if campaign is None:
        return _overlay(strategy_global_ensure(), None)
    return strategies_for(campaigns=[campaign])[campaign if isinstance(campaign, int) else campaign.pk]


def strategies_for(*, campaigns: Iterable[Campaign | int]) -> dict[int, Strategy]:
    """`strategy_for` of many campaigns in a constant number of queries, keyed by campaign pk."""
    pks = {campaign if isinstance(campaign, int) else campaign.pk for campaign in campaigns}
    base = strategy_global_ensure()
    overrides = {row.campaign_id: row for row in StrategySettings.objects.filter(campaign__in=pks)} if pks else {}
    return {pk: _overlay(base, overrides.get(pk)) for pk in pks}


def _overlay(base: StrategySettings, override: StrategySettings | None) -> Strategy:
    values = {}
    for name in SETTING_FIELDS:
        value = getattr(override, name) if override is not None else None
        if value is None:
            value = getattr(base, name)
        if value is None:
            value = StrategySettings._meta.get_field(name).get_default()
        values[name] = value
    return Strategy(**values)
