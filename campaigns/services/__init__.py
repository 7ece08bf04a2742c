"""Writes of the campaigns app: connecting advertisers, launching ads, and the controls
(pause, resume, budget, bid) — each remote change logged in ActionLog with its local change —
and track A: publishing accounts and publications."""

from .accounts import chuhaijiang_accounts_sync, provider_for, tiktok_account_connect, tiktok_authorization_url
from .bidding import BidChange, BidError, adgroup_bid_set, adgroups_bid_set
from .connect import advertiser_connect, client_for
from .controls import adgroup_budget_set, campaign_budget_set, object_status_set, objects_status_set
from .launching import ad_launch
from .publishing import (
    PublishScheduleError,
    publication_retry,
    publication_run,
    publication_status_refresh,
    publications_due,
    publications_enqueue,
    publications_schedule,
)

__all__ = [
    "BidChange",
    "BidError",
    "PublishScheduleError",
    "chuhaijiang_accounts_sync",
    "provider_for",
    "publication_retry",
    "publication_run",
    "publication_status_refresh",
    "publications_due",
    "publications_enqueue",
    "publications_schedule",
    "tiktok_account_connect",
    "tiktok_authorization_url",
    "ad_launch",
    "adgroup_bid_set",
    "adgroups_bid_set",
    "adgroup_budget_set",
    "campaign_budget_set",
    "advertiser_connect",
    "client_for",
    "object_status_set",
    "objects_status_set",
]
