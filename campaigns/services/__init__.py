"""Writes of the campaigns app: connecting advertisers, launching ads, and the controls
(pause, resume, budget) — each remote change logged in ActionLog with its local change."""

from .connect import advertiser_connect, client_for
from .controls import adgroup_budget_set, campaign_budget_set, object_status_set, objects_status_set
from .launching import ad_launch

__all__ = [
    "ad_launch",
    "adgroup_budget_set",
    "campaign_budget_set",
    "advertiser_connect",
    "client_for",
    "object_status_set",
    "objects_status_set",
]
