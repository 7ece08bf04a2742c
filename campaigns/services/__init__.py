"""Writes of the campaigns app: connecting advertisers, launching ads, and the controls
(pause, resume, budget, bid) — each remote change logged in ActionLog with its local change."""

from .bidding import BidError, adgroup_bid_set
from .connect import advertiser_connect, client_for
from .controls import adgroup_budget_set, campaign_budget_set, object_status_set, objects_status_set
from .launching import ad_launch

__all__ = [
    "BidError",
    "ad_launch",
    "adgroup_bid_set",
    "adgroup_budget_set",
    "campaign_budget_set",
    "advertiser_connect",
    "client_for",
    "object_status_set",
    "objects_status_set",
]
