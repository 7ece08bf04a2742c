"""What an ad group's objective, optimization goal and bid do to its delivery.

The goal decides whom TikTok shows the ad to, hence the price of 1,000 impressions and
how the creative's true rates look on that audience: a view-optimized audience is cheap
but does not buy, a value-optimized one is dear and buys more, and bigger baskets.
A bid is a ceiling: converted to a CPM through the creative's predicted rates, a bid
below the market CPM wins only (bid CPM / market CPM)² of the auctions, at the bid.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Strategy:
    name: str
    cpm: float  # USD per 1,000 impressions at cpm_level 1
    ctr: float = 1.0  # multipliers on the creative's true rates, for this audience
    cvr: float = 1.0
    aov: float = 1.0
    views: float = 1.0
    cap: str = ""  # what a custom bid limits: cpm, cpv, cpc, cpa, roas; "" = lowest cost
    bid: float = 0.0


REACH = Strategy("reach", cpm=3.0, ctr=0.9, cvr=0.3, views=0.9)
VIEWS = Strategy("views", cpm=2.5, ctr=0.9, cvr=0.35, views=1.5)
TRAFFIC = Strategy("traffic", cpm=6.0, ctr=1.25, cvr=0.6)
CONVERSIONS = Strategy("conversions", cpm=9.0)
MIN_ROAS = Strategy("min_roas", cpm=11.0, cvr=1.2, aov=1.1)
HIGHEST_VALUE = Strategy("highest_value", cpm=12.5, cvr=1.25, aov=1.15)
OTHER = Strategy("other", cpm=5.0, cvr=0.4)

_BY_GOAL = {
    "REACH": REACH, "SHOW": REACH,
    "VIDEO_VIEW": VIEWS, "ENGAGED_VIEW": VIEWS, "ENGAGED_VIEW_FIFTEEN": VIEWS,
    "CLICK": TRAFFIC, "TRAFFIC_LANDING_PAGE_VIEW": TRAFFIC, "PAGE_VISIT": TRAFFIC, "PAGE_VISITS": TRAFFIC,
    "DESTINATION_VISIT": TRAFFIC,
    "CONVERT": CONVERSIONS,
    "VALUE": HIGHEST_VALUE, "AUTOMATED_VALUE": HIGHEST_VALUE, "AUTOMATIC_VALUE_OPTIMIZATION": HIGHEST_VALUE,
}
_CUSTOM_CAPS = {"CPM": "cpm", "CPV": "cpv", "CPC": "cpc", "OCPM": "cpa"}
# A bid below the market wins (bid CPM / market CPM) ** this share of the auctions.
THROTTLE_POWER = 2.0


def strategy_of(
    *, goal: str, billing_event: str, bid_type: str, deep_bid_type: str,
    bid_price: float | None, conversion_bid_price: float | None, roas_bid: float | None,
) -> Strategy:
    base = _BY_GOAL.get(goal, OTHER)
    if goal == "VALUE" and deep_bid_type == "VO_MIN_ROAS":
        base = MIN_ROAS
    if deep_bid_type == "VO_MIN_ROAS" and roas_bid:
        return _with_cap(base, "roas", roas_bid)
    if bid_type == "BID_TYPE_CUSTOM":
        cap = _CUSTOM_CAPS.get(billing_event, "")
        bid = conversion_bid_price if cap == "cpa" else bid_price
        if cap and bid:
            return _with_cap(base, cap, bid)
    return base


def _with_cap(base: Strategy, cap: str, bid: float) -> Strategy:
    return Strategy(base.name, base.cpm, base.ctr, base.cvr, base.aov, base.views, cap=cap, bid=float(bid))


def auction(strategy: Strategy, *, market_cpm: float, ctr: float, cvr: float, aov: float, view_rate: float) -> tuple[float, float]:
    """(share of auctions won, CPM paid) for predicted rates (per impression / per click)."""
    affordable = {
        "": market_cpm,
        "cpm": strategy.bid,
        "cpv": strategy.bid * view_rate * 1000,
        "cpc": strategy.bid * ctr * 1000,
        "cpa": strategy.bid * ctr * cvr * 1000,
        # VO_MIN_ROAS: only impressions whose expected value/cost reaches the bid.
        "roas": ctr * cvr * aov * 1000 / strategy.bid if strategy.bid else market_cpm,
    }[strategy.cap]
    if affordable >= market_cpm:
        return 1.0, market_cpm
    if affordable <= 0:
        return 0.0, market_cpm
    return (affordable / market_cpm) ** THROTTLE_POWER, affordable


def delivery_weight(strategy: Strategy, *, ctr: float, cvr: float, aov: float, view_rate: float) -> float:
    """How TikTok ranks the ads inside one ad group: by what the goal optimizes for."""
    return {
        "reach": 1.0, "views": view_rate, "traffic": ctr, "conversions": ctr * cvr,
        "min_roas": ctr * cvr * aov, "highest_value": ctr * cvr * aov,
    }.get(strategy.name, ctr)
