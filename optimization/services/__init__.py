"""Writes of the optimization loop: winners cloned into variants, and the queue's decisions."""

from .config import estimated_cost, optimization_settings_ensure
from .loop import RunReport, optimization_run
from .queue import (
    queue_item_advance,
    queue_item_approve,
    queue_item_launch,
    queue_item_reject,
    queue_item_retry,
    queue_items_advance,
)
from .variants import breakdown_of, variants_write, winner_clone

__all__ = [
    "RunReport",
    "breakdown_of",
    "estimated_cost",
    "optimization_run",
    "optimization_settings_ensure",
    "queue_item_advance",
    "queue_item_approve",
    "queue_item_launch",
    "queue_item_reject",
    "queue_item_retry",
    "queue_items_advance",
    "variants_write",
    "winner_clone",
]
