from decimal import Decimal

from optimization.models import OptimizationSettings


def optimization_settings_ensure() -> OptimizationSettings:
    """The one settings row, created with the model's defaults if it is missing."""
    row, _ = OptimizationSettings.objects.get_or_create(pk=1)
    return row


def estimated_cost(config: OptimizationSettings) -> Decimal:
    """What one variant may spend before it can be judged itself: its launch budget for the
    winner's minimum running days (budget × days; the budget rule may change it later)."""
    return (config.variant_daily_budget * config.min_running_days).quantize(Decimal("0.01"))
