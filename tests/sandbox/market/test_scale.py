"""A sanity check that a day is delivered in bulk (timings live in bench/, not in asserts)."""

import datetime as dt
from decimal import Decimal

import pytest

from sandbox.models import SbAd, SbAdGroup, SbCampaign, SbDailyStat, SbVideo

from .conftest import START, advance

pytestmark = pytest.mark.django_db

ADS = 2_000


def many_ads(advertiser, count: int) -> None:
    campaign = SbCampaign.objects.create(
        campaign_id="1700000000000000001", advertiser=advertiser, campaign_name="c", objective_type="WEB_CONVERSIONS",
        budget_mode="BUDGET_MODE_INFINITE",
    )
    groups = SbAdGroup.objects.bulk_create(SbAdGroup(
        adgroup_id=f"18{n:017d}", advertiser=advertiser, campaign=campaign, adgroup_name="g", budget_mode="BUDGET_MODE_DAY",
        budget=Decimal(50), placement_type="PLACEMENT_TYPE_NORMAL", billing_event="OCPM", optimization_goal="CONVERT",
        schedule_type="SCHEDULE_FROM_NOW", schedule_start_time=START, schedule_end_time=START + dt.timedelta(days=3650),
        create_time=START,
    ) for n in range(count))
    videos = SbVideo.objects.bulk_create(SbVideo(
        video_id=f"v{n}", material_id=str(n), advertiser=advertiser, file_name=f"adloop-{n:032x}-0000abcd.mp4",
        signature="0" * 32, size=1, width=720, height=1280, duration=15, file=f"sandbox/videos/v{n}.mp4",
    ) for n in range(count))
    SbAd.objects.bulk_create(SbAd(
        ad_id=f"19{n:017d}", advertiser=advertiser, campaign=campaign, adgroup=group, ad_name="a", video=video, ad_text="t",
        landing_page_url=f"https://shop.example.com/p{n % 40}",
    ) for n, (group, video) in enumerate(zip(groups, videos, strict=True)))


def test_two_thousand_ads_are_delivered_for_two_days_with_a_bounded_number_of_queries(sb_advertiser, django_assert_max_num_queries):
    many_ads(sb_advertiser, ADS)

    # Bulk writes go in batches bounded by the database's parameter limit; a query per ad would be thousands.
    with django_assert_max_num_queries(ADS // 10):
        results = advance(2)

    assert [result.ads for result in results] == [ADS, ADS]
    assert SbDailyStat.objects.count() == 2 * ADS
    assert results[1].late_conversions > 0
