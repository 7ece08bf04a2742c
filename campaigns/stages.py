"""What each stage (PRD §三) means on TikTok: objective, optimization goal, billing, bidding.

A TikTok campaign's objective cannot change after creation, so each stage gets its own
campaign; a stage switch re-uses the proven creatives' video ids there.
"""

from dataclasses import dataclass
from decimal import Decimal

from .models import Stage

# The stages in the order a product goes through them; while two run at once (mid-switch) the
# later one is the product's stage.
ORDER = (Stage.LAUNCH, Stage.HEAT, Stage.HIT)


@dataclass(frozen=True)
class StagePlan:
    objective: str
    optimization_goal: str
    billing_event: str
    bid_type: str
    deep_bid_type: str = ""
    bid_price: Decimal | None = None
    uses_roas_bid: bool = False
    promotion_type: str = ""
    optimization_event: str = ""
    needs_landing_page: bool = False


STAGE_PLANS: dict[str, StagePlan] = {
    # Broad reach at a low cost-per-view cap: several creatives tested side by side.
    Stage.LAUNCH: StagePlan(
        objective="VIDEO_VIEWS",
        optimization_goal="ENGAGED_VIEW",
        billing_event="CPV",
        bid_type="BID_TYPE_CUSTOM",
        bid_price=Decimal("0.03"),
    ),
    # ROAS bidding: TikTok delivers where value per spend clears the target ROAS.
    Stage.HEAT: StagePlan(
        objective="WEB_CONVERSIONS",
        optimization_goal="VALUE",
        billing_event="OCPM",
        bid_type="BID_TYPE_CUSTOM",
        deep_bid_type="VO_MIN_ROAS",
        uses_roas_bid=True,
        promotion_type="WEBSITE",
        optimization_event="SHOPPING",
        needs_landing_page=True,
    ),
    # Lowest cost, maximum value: spend the (high) budget where value is highest.
    Stage.HIT: StagePlan(
        objective="WEB_CONVERSIONS",
        optimization_goal="VALUE",
        billing_event="OCPM",
        bid_type="BID_TYPE_NO_BID",
        deep_bid_type="VO_HIGHEST_VALUE",
        promotion_type="WEBSITE",
        optimization_event="SHOPPING",
        needs_landing_page=True,
    ),
}

# TikTok's smallest daily budgets (USD-equivalent); the sandbox enforces the same.
MIN_CAMPAIGN_DAILY_BUDGET = Decimal("50.00")
MIN_ADGROUP_DAILY_BUDGET = Decimal("20.00")
DEFAULT_TARGET_ROAS = Decimal("2.00")

# TikTok location ids are GeoNames ids.
MARKET_LOCATION_IDS = {
    "US": "6252001",
    "GB": "2635167",
    "DE": "2921044",
    "FR": "3017382",
    "JP": "1861060",
    "CA": "6251999",
    "AU": "2077456",
    "MY": "1733045",
    "TH": "1605651",
    "VN": "1562822",
    "ID": "1643084",
    "PH": "1694008",
    "SG": "1880251",
}
