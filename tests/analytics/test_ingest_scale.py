"""Ingestion cost does not grow with the number of ads: SQL is constant plus one statement per
batch of rows, HTTP is windows × pages."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics.models import PerformanceDaily
from analytics.services import ingest, performance_ingest
from sandbox.models import SbAd, SbDailyStat

from .conftest import copies, market, queries_of_this_thread

pytestmark = pytest.mark.django_db(transaction=True)

DAYS = 1  # 50 rows fit one INSERT even on SQLite, which caps a statement at 999 parameters


def account_with_ads(advertiser, job, launch, today, count: int) -> None:
    first = launch(job, advertiser)
    ads = [first, *copies(first, count - 1)]
    remote = SbAd.objects.in_bulk([ad.ad_id for ad in ads], field_name="ad_id")
    SbDailyStat.objects.bulk_create([
        SbDailyStat(advertiser=remote[ad.ad_id].advertiser, ad=remote[ad.ad_id], date=today - dt.timedelta(days=back),
                    impressions=1000, clicks=10, spend=Decimal("2.50"), conversions=1, conversion_value=Decimal("9.90"))
        for ad in ads for back in range(DAYS)
    ])


def pull(advertiser):
    with queries_of_this_thread() as queries:
        result = performance_ingest(advertiser=advertiser)
    return result, len(queries)


def test_sql_queries_are_the_same_for_5_and_50_ads(sandbox_http, advertiser, other_advertiser, video_job, launch, today):
    account_with_ads(advertiser, video_job, launch, today, 5)
    account_with_ads(other_advertiser, video_job, launch, today, 50)

    small, small_queries = pull(advertiser)
    large, large_queries = pull(other_advertiser)

    assert (small.rows, large.rows) == (5 * DAYS, 50 * DAYS)
    assert (small.requests, large.requests) == (1, 1)
    assert small_queries == large_queries
    assert large_queries <= 8
    assert PerformanceDaily.objects.count() == 55 * DAYS


def test_each_batch_of_rows_is_one_more_statement(sandbox_http, advertiser, video_job, launch, today, monkeypatch):
    account_with_ads(advertiser, video_job, launch, today, 30)
    pull(advertiser)

    with queries_of_this_thread() as one_batch:
        performance_ingest(advertiser=advertiser)
    monkeypatch.setattr(ingest, "BATCH_SIZE", 7)
    with queries_of_this_thread() as five_batches:
        result = performance_ingest(advertiser=advertiser)

    assert result.rows == 30
    inserts = [sum(sql.startswith("INSERT") for sql in queries) for queries in (one_batch, five_batches)]
    assert inserts == [1, 5]
    # SQLite also logs a BEGIN per batch; everything else is the same.
    others = [[sql for sql in queries if not sql.startswith(("INSERT", "BEGIN"))] for queries in (one_batch, five_batches)]
    assert others[0] == others[1]


@pytest.mark.parametrize(("ads", "days"), [(0, 30), (5, 30), (333, 30), (334, 29), (1_000, 10), (10_000, 1), (50_000, 1)])
def test_big_accounts_get_shorter_report_windows(ads, days):
    assert ingest.window_days(ads) == days


def test_a_big_account_is_pulled_in_shorter_windows(sandbox_http, advertiser, video_job, launch, today, monkeypatch):
    monkeypatch.setattr(ingest, "WINDOW_ROWS", 10)
    first = launch(video_job, advertiser)
    ads = [first, *copies(first, 4)]
    for ad in ads:
        for back in range(4):
            market(ad, today - dt.timedelta(days=back), impressions=10)

    result = performance_ingest(advertiser=advertiser, start=today - dt.timedelta(days=3))

    assert (result.rows, result.requests) == (20, 2)  # two windows of two days, ten rows each
