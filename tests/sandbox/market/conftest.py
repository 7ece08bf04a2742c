"""The market starts on 1 Nov 2026 with seed 42; ads are made straight in the sandbox's
tables (fast, with stable ids) unless a test drives the TikTok API."""

import datetime as dt
from decimal import Decimal

import pytest

from sandbox.market.clock import market_reset
from sandbox.market.engine import market_advance_day
from sandbox.models import SbAd, SbAdGroup, SbCampaign, SbDailyStat, SbVideo

NOV_1 = dt.date(2026, 11, 1)
START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
LANDING = "https://shop.example.com/blender"
# optimization goal → (objective, billing event, bid fields)
GOALS = {
    "ENGAGED_VIEW": ("VIDEO_VIEWS", "CPV", {"bid_type": "BID_TYPE_CUSTOM", "bid_price": Decimal("0.03")}),
    "REACH": ("REACH", "CPM", {"bid_type": "BID_TYPE_NO_BID"}),
    "CLICK": ("TRAFFIC", "CPC", {"bid_type": "BID_TYPE_NO_BID"}),
    "CONVERT": ("WEB_CONVERSIONS", "OCPM", {"bid_type": "BID_TYPE_NO_BID"}),
    "VALUE": ("WEB_CONVERSIONS", "OCPM", {"bid_type": "BID_TYPE_NO_BID", "deep_bid_type": "VO_HIGHEST_VALUE"}),
}


@pytest.fixture(autouse=True)
def market(db):
    return market_reset(start=NOV_1, seed=42)


class World:
    """Builds campaigns → ad groups → ads for one advertiser with stable ids."""

    def __init__(self, advertiser):
        self.advertiser = advertiser
        self.count = 0

    def _id(self) -> str:
        self.count += 1
        return f"17{self.advertiser.pk:05d}{self.count:012d}"

    def campaign(self, *, goal: str = "CONVERT", budget_mode: str = "BUDGET_MODE_INFINITE", budget=None, cbo: bool = False,
                 status: str = "ENABLE") -> SbCampaign:
        return SbCampaign.objects.create(
            campaign_id=self._id(), advertiser=self.advertiser, campaign_name="c", objective_type=GOALS[goal][0],
            budget_mode=budget_mode, budget=budget, budget_optimize_on=cbo, operation_status=status,
        )

    def adgroup(self, campaign: SbCampaign, *, goal: str = "CONVERT", budget=Decimal("50"), start=START, status: str = "ENABLE",
                **bids) -> SbAdGroup:
        _, billing, default_bids = GOALS[goal]
        return SbAdGroup.objects.create(
            adgroup_id=self._id(), advertiser=self.advertiser, campaign=campaign, adgroup_name="g", operation_status=status,
            budget_mode="BUDGET_MODE_INFINITE" if budget is None else "BUDGET_MODE_DAY", budget=budget,
            placement_type="PLACEMENT_TYPE_NORMAL", billing_event=billing, optimization_goal=goal, schedule_type="SCHEDULE_FROM_NOW",
            schedule_start_time=start, schedule_end_time=start + dt.timedelta(days=3650), create_time=start,
            **{**default_bids, **bids},
        )

    def video(self, file_name: str | None = None) -> SbVideo:
        video_id = f"v-{self._id()}"
        return SbVideo.objects.create(
            video_id=video_id, material_id=self._id(), advertiser=self.advertiser, file_name=file_name or f"{video_id}.mp4",
            signature="0" * 32, size=1, width=720, height=1280, duration=15.0, file=f"sandbox/videos/{video_id}.mp4",
        )

    def ad(self, adgroup: SbAdGroup, *, video: SbVideo | None = None, landing: str = LANDING, status: str = "ENABLE") -> SbAd:
        return SbAd.objects.create(
            ad_id=self._id(), advertiser=self.advertiser, campaign=adgroup.campaign, adgroup=adgroup, ad_name="a",
            video=video or self.video(), ad_text="t", landing_page_url=landing, operation_status=status,
        )

    def one(self, *, goal: str = "CONVERT", budget=Decimal("50"), landing: str = LANDING, video: SbVideo | None = None,
            **bids) -> SbAd:
        """An ad alone in its ad group and campaign."""
        adgroup = self.adgroup(self.campaign(goal=goal), goal=goal, budget=budget, **bids)
        return self.ad(adgroup, video=video, landing=landing)


@pytest.fixture
def world(sb_advertiser) -> World:
    return World(sb_advertiser)


def advance(days: int = 1) -> list:
    return [market_advance_day() for _ in range(days)]


def stats_of(ad: SbAd) -> list[SbDailyStat]:
    return list(SbDailyStat.objects.filter(ad=ad).order_by("date"))


def totals(ad: SbAd) -> dict:
    rows = stats_of(ad)
    return {field: sum(getattr(row, field) for row in rows) for field in
            ("impressions", "clicks", "spend", "conversions", "conversion_value", "video_views")}
