"""The effective strategy: the global StrategySettings row, overlaid by a campaign's own values.

A campaign row overrides only the fields it sets; NULL means "inherit the global value". A
NULL on the global row itself falls back to the model's default, so every field of a
`Strategy` always holds a value. `strategy_validate` refuses nonsense in those effective values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from campaigns.stages import MIN_ADGROUP_DAILY_BUDGET

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
    roas_prior_spend: Decimal = Decimal("0")
    roas_settle_days: int = 0
    learning_days: int = 0
    hit_start_budget: Decimal = Decimal("0")
    hit_min_delivery: Decimal = Decimal("0")

    def judged_from(self, first_delivery: dt.date | None) -> dt.date | None:
        """The first day of an ad group that first delivered on `first_delivery` that the rules
        judge: the days before are TikTok's learning phase. None: it never delivered."""
        return first_delivery + dt.timedelta(days=self.learning_days) if first_delivery else None

    def learning_in(self, first_delivery: dt.date | None, window_start: dt.date) -> bool:
        """Whether a window from `window_start` holds learning days of an ad group that first
        delivered on `first_delivery` (never with 0 learning days or without delivery)."""
        judged_from = self.judged_from(first_delivery)
        return bool(self.learning_days) and judged_from is not None and judged_from > window_start

    def judged_until(self, day: dt.date) -> dt.date:
        """The first day after the days ROAS is judged on: today's numbers are partial, and the
        last `roas_settle_days` complete days are still gaining late conversions."""
        return day - dt.timedelta(days=self.roas_settle_days)


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


# --- validation ----------------------------------------------------------------------------

MAX_SETTLE_DAYS = 14  # beyond TikTok's longest click attribution window (7 days), and then some
MAX_LEARNING_DAYS = 14  # TikTok's learning phase ends after about 50 conversions or 7 days
MONEY_FIELDS = ("min_spend", "roas_prior_spend", "hit_start_budget", "hit_cap_raise_step", "adgroup_budget_cap", "account_daily_cap", "max_raise_per_day", "alert_roas_floor")


def strategy_validate(row: StrategySettings) -> None:
    """Refuse nonsense with a message per field (ValidationError keyed by field name).

    The row's effective values are judged: a campaign row's own values overlaid on the global
    row, so an override that breaks the order against inherited values is refused too. Saving
    the global row is also refused when it would break an existing campaign override. A
    message goes next to the field this save changed, else one the row sets itself."""
    errors: dict[str, list[str]] = {}
    changed = _changed(row)
    if row.campaign_id is None:
        _problems_add(errors, _effective(row, None), prefer=[changed, set(SETTING_FIELDS)], inherited=set())
        if not errors:
            overrides = StrategySettings.objects.filter(campaign__isnull=False).select_related("campaign").order_by("pk")
            for override in overrides.exclude(pk=row.pk) if row.pk else overrides:
                _overrides_broken_add(errors, row, override, changed)
    else:
        base = StrategySettings.objects.filter(campaign=None).first() or StrategySettings()
        own = {name for name in SETTING_FIELDS if getattr(row, name) is not None}
        _problems_add(errors, _effective(base, row), prefer=[changed & own, own], inherited=set(SETTING_FIELDS) - own)
    if errors:
        raise ValidationError(errors)


def _changed(row: StrategySettings) -> set[str]:
    """The fields whose value differs from the saved row (all of them for a new row)."""
    saved = StrategySettings.objects.filter(pk=row.pk).first() if row.pk else None
    if saved is None:
        return set(SETTING_FIELDS)
    return {name for name in SETTING_FIELDS if getattr(row, name) != getattr(saved, name)}


def _effective(base: StrategySettings, override: StrategySettings | None) -> dict:
    """`_overlay`'s values, each converted as its form field would; None if unreadable (the
    field's own validation reports that)."""
    values = {}
    for name in SETTING_FIELDS:
        value = getattr(override, name) if override is not None else None
        if value is None:
            value = getattr(base, name)
        field = StrategySettings._meta.get_field(name)
        if value is None:
            value = field.get_default()
        try:
            values[name] = field.to_python(value)
        except ValidationError:
            values[name] = None
    return values


def _problems(v: dict) -> list[tuple[tuple[str, ...], str]]:
    """Every rule the values break: (the fields involved, what is wrong)."""
    problems = []

    def label(name):
        return capfirst(StrategySettings._meta.get_field(name).verbose_name)

    def known(*names):
        return all(v[name] is not None for name in names)

    def order(high, low):
        if known(high, low) and not v[high] > v[low]:
            problems.append(((low, high), _("%(low)s (%(low_value)s) must be below “%(high)s” (%(high_value)s): the thresholds go "
                                            "scale up > keep > scale down > 0.") % {
                "low": label(low), "low_value": v[low], "high": StrategySettings._meta.get_field(high).verbose_name,
                "high_value": v[high]}))

    order("scale_up_at", "keep_at")
    order("keep_at", "scale_down_at")
    if known("scale_down_at") and v["scale_down_at"] <= 0:
        problems.append((("scale_down_at",), _("%(name)s must be greater than 0, not %(value)s.") % {
            "name": label("scale_down_at"), "value": v["scale_down_at"]}))
    if known("scale_up_factor") and v["scale_up_factor"] <= 1:
        problems.append((("scale_up_factor",), _("%(name)s must be greater than 1 (it multiplies the budget upwards), not %(value)s.") % {
            "name": label("scale_up_factor"), "value": v["scale_up_factor"]}))
    if known("scale_down_factor") and not 0 < v["scale_down_factor"] < 1:
        problems.append((("scale_down_factor",), _("%(name)s must be between 0 and 1 (it cuts the budget), not %(value)s.") % {
            "name": label("scale_down_factor"), "value": v["scale_down_factor"]}))
    if known("target_roas") and v["target_roas"] <= 0:
        problems.append((("target_roas",), _("%(name)s must be greater than 0, not %(value)s.") % {
            "name": label("target_roas"), "value": v["target_roas"]}))
    for name in MONEY_FIELDS:
        if known(name) and v[name] < 0:
            problems.append(((name,), _("%(name)s cannot be negative (%(value)s).") % {"name": label(name), "value": v[name]}))
    if known("adgroup_budget_cap") and 0 <= v["adgroup_budget_cap"] < MIN_ADGROUP_DAILY_BUDGET:
        problems.append((("adgroup_budget_cap",), _("%(name)s (%(value)s) is below TikTok's minimum daily budget of %(minimum)s.") % {
            "name": label("adgroup_budget_cap"), "value": v["adgroup_budget_cap"], "minimum": MIN_ADGROUP_DAILY_BUDGET}))
    if known("hit_min_delivery") and not 0 <= v["hit_min_delivery"] <= 1:
        problems.append((("hit_min_delivery",), _("%(name)s must be between 0 and 1 (a share of the daily budget), not %(value)s.") % {
            "name": label("hit_min_delivery"), "value": v["hit_min_delivery"]}))
    if known("hit_start_budget") and 0 < v["hit_start_budget"] < MIN_ADGROUP_DAILY_BUDGET:
        problems.append((("hit_start_budget",), _("%(name)s (%(value)s) is below TikTok's minimum daily budget of %(minimum)s (0 keeps the heat budget).") % {
            "name": label("hit_start_budget"), "value": v["hit_start_budget"], "minimum": MIN_ADGROUP_DAILY_BUDGET}))
    for name, minimum in (("roas_window_days", 1), ("hit_roas_days", 1)):
        if known(name) and v[name] < minimum:
            problems.append(((name,), _("%(name)s must be at least 1 day, not %(value)s.") % {"name": label(name), "value": v[name]}))
    if known("roas_settle_days") and not 0 <= v["roas_settle_days"] <= MAX_SETTLE_DAYS:
        problems.append((("roas_settle_days",), _("%(name)s must be between 0 and %(most)d days, not %(value)s.") % {
            "name": label("roas_settle_days"), "most": MAX_SETTLE_DAYS, "value": v["roas_settle_days"]}))
    if known("learning_days") and not 0 <= v["learning_days"] <= MAX_LEARNING_DAYS:
        problems.append((("learning_days",), _("%(name)s must be between 0 and %(most)d days, not %(value)s.") % {
            "name": label("learning_days"), "most": MAX_LEARNING_DAYS, "value": v["learning_days"]}))
    if known("heat_ctr_days") and v["heat_ctr_days"] < 2:
        problems.append((("heat_ctr_days",), _(
            "%(name)s must be at least 2 days: a coefficient of variation needs two days, not %(value)s."
        ) % {"name": label("heat_ctr_days"), "value": v["heat_ctr_days"]}))
    if known("heat_ctr_max_cv") and v["heat_ctr_max_cv"] <= 0:
        problems.append((("heat_ctr_max_cv",), _("%(name)s must be greater than 0, not %(value)s.") % {
            "name": label("heat_ctr_max_cv"), "value": v["heat_ctr_max_cv"]}))
    if known("hit_bid_raise_pct") and not 0 < v["hit_bid_raise_pct"] <= 100:
        problems.append((("hit_bid_raise_pct",), _("%(name)s must be above 0 and at most 100, not %(value)s.") % {
            "name": label("hit_bid_raise_pct"), "value": v["hit_bid_raise_pct"]}))
    if known("heat_min_impressions") and v["heat_min_impressions"] < 1:
        problems.append((("heat_min_impressions",), _("%(name)s must be at least 1, not %(value)s.") % {
            "name": label("heat_min_impressions"), "value": v["heat_min_impressions"]}))
    return problems


def _key(names: tuple[str, ...], prefer: list[set[str]]) -> str:
    for candidates in prefer:
        for name in names:
            if name in candidates:
                return name
    return names[0]


def _problems_add(errors: dict, values: dict, *, prefer: list[set[str]], inherited: set[str]) -> None:
    """Key each problem by an involved field from the first `prefer` set that has one,
    saying which values were inherited from the global defaults."""
    for names, message in _problems(values):
        key = _key(names, prefer)
        borrowed = [name for name in names if name in inherited]
        if borrowed:
            fields = ", ".join(str(StrategySettings._meta.get_field(name).verbose_name) for name in borrowed)
            message = f"{message} {_('(Inherited from the global defaults: %(fields)s.)') % {'fields': fields}}"
        errors.setdefault(key, []).append(message)


def _overrides_broken_add(errors: dict, base: StrategySettings, override: StrategySettings, changed: set[str]) -> None:
    """The global row's candidate values would break `override`: key the message by the
    global field it inherits (preferably one this save changes) and name the campaign."""
    inherited = {name for name in SETTING_FIELDS if getattr(override, name) is None}
    for names, message in _problems(_effective(base, override)):
        key = _key(names, [changed & inherited, inherited])
        errors.setdefault(key, []).append(
            _("Campaign “%(campaign)s” overrides the settings and would break: %(problem)s")
            % {"campaign": override.campaign, "problem": message}
        )
