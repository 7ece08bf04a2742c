"""Report ingestion over real HTTP against the sandbox served by a live server."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics.models import PerformanceDaily
from analytics.services import performance_ingest
from campaigns.models import Ad, AdvertiserAccount
from integrations.tiktok_ads.errors import AuthError
from sandbox.models import OperationStatus as SbStatus
from sandbox.models import SbAd, SbToken

from .conftest import market, remote_copies

pytestmark = pytest.mark.django_db(transaction=True)

DAY = dt.timedelta(days=1)


def stored(ad, date) -> PerformanceDaily:
    return PerformanceDaily.objects.get(ad=ad, date=date)


def test_rows_land_with_the_reported_numbers(sandbox_http, advertiser, video_job, launch, today):
    ad = launch(video_job, advertiser)
    market(ad, today - DAY, impressions=5830, clicks=69, spend=Decimal("12.34"), conversions=3,
           conversion_value=Decimal("89.97"), video_views=2100)
    market(ad, today, impressions=0, clicks=0, spend=Decimal("0"), conversions=0, conversion_value=Decimal("0"), video_views=0)

    result = performance_ingest(advertiser=advertiser, start=today - DAY, end=today)

    assert (result.rows, result.created, result.updated, result.skipped, result.days, result.requests) == (2, 2, 0, 0, 2, 1)
    row = stored(ad, today - DAY)
    assert (row.impressions, row.clicks, row.spend, row.conversions, row.conversion_value, row.video_views) == (
        5830, 69, Decimal("12.34"), 3, Decimal("89.97"), 2100)
    assert row.roas == pytest.approx(89.97 / 12.34)
    assert row.ctr == pytest.approx(69 / 5830)
    assert row.cvr == pytest.approx(3 / 69)
    empty = stored(ad, today)
    assert (empty.spend, empty.roas, empty.ctr, empty.cvr) == (0, None, None, None)


def test_running_twice_keeps_one_row_per_ad_and_day(sandbox_http, advertiser, video_job, launch, today):
    ad = launch(video_job, advertiser)
    for back in range(3):
        market(ad, today - back * DAY, impressions=1000 + back, clicks=10, spend=Decimal("5.00"))

    first = performance_ingest(advertiser=advertiser, start=today - 2 * DAY)
    snapshot = list(PerformanceDaily.objects.order_by("date").values("ad", "date", "impressions", "spend"))
    second = performance_ingest(advertiser=advertiser, start=today - 2 * DAY)

    assert (first.created, first.updated) == (3, 0)
    assert (second.rows, second.created, second.updated) == (3, 0, 3)
    assert list(PerformanceDaily.objects.order_by("date").values("ad", "date", "impressions", "spend")) == snapshot


def test_a_restated_day_is_updated(sandbox_http, advertiser, video_job, launch, today):
    ad = launch(video_job, advertiser)
    market(ad, today - DAY, impressions=1000, clicks=20, spend=Decimal("10.00"), conversions=1, conversion_value=Decimal("20.00"))
    performance_ingest(advertiser=advertiser, start=today - DAY)

    # Late attribution: two more purchases land on yesterday.
    market(ad, today - DAY, impressions=1000, clicks=20, spend=Decimal("10.00"), conversions=3, conversion_value=Decimal("60.00"))
    result = performance_ingest(advertiser=advertiser)

    row = stored(ad, today - DAY)
    assert (row.conversions, row.conversion_value, row.roas, row.cvr) == (3, Decimal("60.00"), 6.0, 0.15)
    assert result.updated == 1 and PerformanceDaily.objects.count() == 1


def test_days_before_the_lookback_are_not_pulled_again(sandbox_http, advertiser, video_job, launch, today, settings):
    settings.REPORT_LOOKBACK_DAYS = 3
    ad = launch(video_job, advertiser)
    for back in range(10):
        market(ad, today - back * DAY, impressions=100, spend=Decimal("1.00"))
    performance_ingest(advertiser=advertiser, start=today - 9 * DAY)

    market(ad, today - 5 * DAY, impressions=999, spend=Decimal("9.99"))
    market(ad, today - 2 * DAY, impressions=555, spend=Decimal("5.55"))
    result = performance_ingest(advertiser=advertiser)

    assert (result.start, result.end, result.days, result.requests) == (today - 2 * DAY, today, 3, 1)
    assert result.rows == 3
    assert stored(ad, today - 5 * DAY).impressions == 100
    assert stored(ad, today - 2 * DAY).impressions == 555


def test_the_lookback_can_be_given_per_call(sandbox_http, advertiser, video_job, launch, today):
    ad = launch(video_job, advertiser)
    market(ad, today - 9 * DAY, impressions=100)
    market(ad, today - DAY, impressions=100)
    performance_ingest(advertiser=advertiser, start=today - 9 * DAY)

    result = performance_ingest(advertiser=advertiser, lookback_days=7)

    assert result.start == today - 7 * DAY  # the day after the latest (today - 1), minus 7 days


def test_the_first_pull_starts_on_the_day_the_first_ad_was_created(sandbox_http, advertiser, video_job, launch, today):
    ad = launch(video_job, advertiser)
    Ad.objects.filter(pk=ad.pk).update(created_at=ad.created_at - 6 * DAY)
    market(ad, today - 6 * DAY, impressions=10)
    market(ad, today - 7 * DAY, impressions=10)  # before the ad existed in adloop: not asked for

    result = performance_ingest(advertiser=advertiser)

    assert (result.start, result.end, result.rows) == (today - 6 * DAY, today, 1)


def test_a_first_pull_covers_the_lookback_when_the_clock_is_behind_the_ads_creation(sandbox_http, advertiser, video_job, launch, today):
    # Against the sandbox the clock is the simulator's date, which can lie before the wall-clock created_at.
    ad = launch(video_job, advertiser)
    Ad.objects.filter(pk=ad.pk).update(created_at=ad.created_at + 10 * DAY)
    market(ad, today - DAY, impressions=10)

    result = performance_ingest(advertiser=advertiser, lookback_days=3)

    assert (result.start, result.end, result.rows) == (today - 2 * DAY, today, 1)


def test_the_first_pull_reaches_back_at_most_a_year(sandbox_http, advertiser, video_job, launch, today):
    ad = launch(video_job, advertiser)
    Ad.objects.filter(pk=ad.pk).update(created_at=ad.created_at - 500 * DAY)

    result = performance_ingest(advertiser=advertiser)

    assert (result.start, result.days) == (today - 364 * DAY, 365)
    assert result.requests == 13  # ceil(365 / 30) windows, one page each


def test_an_advertiser_without_ads_makes_no_call(sandbox_http, advertiser):
    result = performance_ingest(advertiser=advertiser)

    assert (result.rows, result.requests, result.start) == (0, 0, None)


def test_ads_not_yet_created_on_tiktok_make_no_call(sandbox_http, advertiser, video_job, launch, today):
    ad = launch(video_job, advertiser)
    market(ad, today, impressions=10)
    Ad.objects.update(ad_id="")  # as if the create call had not answered yet

    result = performance_ingest(advertiser=advertiser, start=today)

    assert (result.rows, result.requests) == (0, 0)


def test_a_45_day_backfill_uses_two_windows(sandbox_http, advertiser, video_job, launch, today):
    ad = launch(video_job, advertiser)
    for back in range(45):
        market(ad, today - back * DAY, impressions=back + 1, spend=Decimal("1.00"))

    result = performance_ingest(advertiser=advertiser, start=today - 44 * DAY, end=today)

    assert (result.requests, result.rows, result.days) == (2, 45, 45)
    assert PerformanceDaily.objects.count() == 45
    assert stored(ad, today - 44 * DAY).impressions == 45


def test_rows_beyond_one_page_are_paged_at_1000(sandbox_http, advertiser, video_job, launch, today):
    ad = launch(video_job, advertiser)
    unknown = remote_copies(ad, 1000)
    for ad_id in unknown:
        market(ad_id, today, impressions=1)
    market(ad, today, impressions=7)

    result = performance_ingest(advertiser=advertiser, start=today)

    assert (result.requests, result.rows, result.skipped) == (2, 1, 1000)
    assert stored(ad, today).impressions == 7


def test_a_row_of_an_unknown_ad_is_skipped_and_counted(sandbox_http, advertiser, video_job, launch, today):
    ad = launch(video_job, advertiser)
    (stranger,) = remote_copies(ad, 1)  # made in TikTok's own UI, say
    market(ad, today, impressions=10)
    market(stranger, today, impressions=20)

    result = performance_ingest(advertiser=advertiser, start=today)

    assert (result.rows, result.skipped) == (1, 1)
    assert list(PerformanceDaily.objects.values_list("ad", flat=True)) == [ad.pk]


def test_history_of_deleted_and_paused_ads_is_included(sandbox_http, advertiser, make_job, launch, today):
    deleted, paused = launch(make_job(), advertiser), launch(make_job(), advertiser)
    SbAd.objects.filter(ad_id=deleted.ad_id).update(operation_status=SbStatus.DELETE)
    SbAd.objects.filter(ad_id=paused.ad_id).update(operation_status=SbStatus.DISABLE)
    market(deleted, today - DAY, spend=Decimal("3.00"))
    market(paused, today - DAY, spend=Decimal("4.00"))

    result = performance_ingest(advertiser=advertiser, start=today - DAY)

    assert result.rows == 2
    assert stored(deleted, today - DAY).spend == Decimal("3.00")


def test_a_revoked_token_marks_the_advertiser_and_raises(sandbox_http, advertiser, video_job, launch, today):
    ad = launch(video_job, advertiser)
    market(ad, today, impressions=10)
    SbToken.objects.update(revoked=True)

    with pytest.raises(AuthError):
        performance_ingest(advertiser=advertiser, start=today)

    advertiser.refresh_from_db()
    assert advertiser.status == AdvertiserAccount.Status.ERROR
    assert "40105" in advertiser.last_error
    assert not PerformanceDaily.objects.exists()
