"""Benchmark the analytics dashboard: N ads × D days of PerformanceDaily in PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/adloop_bench \\
        python bench/analytics_page.py --ads 10000 --days 30 [--runs 5] [--json]

It creates a throwaway database (Django's test database for DATABASE_URL, dropped at the end),
bulk-inserts the ads over the three stages, their daily rows and some publishing accounts,
runs ANALYZE (as autovacuum would after a real ingest), then renders `/analytics/?days=N` with
the test client --runs times after one warm-up, in this process: the time is the server-side
render, queries included, without a network or a browser.

Target: median under 500 ms with at most 20 SQL queries, whatever the number of ads (an empty
database needs two fewer: with no ad to rank, the top ads' sums and rows are not fetched).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import bench_main  # noqa: E402

SEED_BATCH = 5000
ACCOUNTS = 20


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ads", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser.parse_args()


def seed(*, ads: int, days: int, today: dt.date) -> None:
    from analytics.models import AccountDaily, PerformanceDaily
    from campaigns.models import Ad, AdGroup, AdvertiserAccount, Campaign, OperationStatus, PublishingAccount, Stage
    from creatives.models import Product, VideoJob

    advertiser = AdvertiserAccount.objects.create(advertiser_id="7000000000000000001", name="Bench shop")
    product = Product.objects.create(name="Bench product")
    job = VideoJob.objects.create(product=product, status=VideoJob.Status.DONE, progress=100)
    adgroups = []
    for index, stage in enumerate(Stage):
        campaign = Campaign.objects.create(
            campaign_id=f"18{index:016d}", request_id=f"9{index:016d}", advertiser=advertiser, name=f"bench {stage}",
            objective="VIDEO_VIEWS", stage=stage, status=OperationStatus.ENABLE,
        )
        adgroups.append(AdGroup.objects.create(
            adgroup_id=f"17{index:016d}", request_id=f"8{index:016d}", campaign=campaign, name=f"bench {stage}",
            status=OperationStatus.ENABLE, billing_event="CPM", optimization_goal="REACH", bid_type="BID_TYPE_NO_BID",
            budget=Decimal("50"),
        ))
    statuses = (OperationStatus.ENABLE, OperationStatus.ENABLE, OperationStatus.DISABLE)
    Ad.objects.bulk_create(
        [Ad(ad_id=f"16{n:016d}", adgroup=adgroups[n % 3], job=job, name=f"ad {n}", status=statuses[n % 3], ad_text="bench")
         for n in range(ads)],
        batch_size=SEED_BATCH,
    )
    ad_pks = list(Ad.objects.order_by("pk").values_list("pk", flat=True))
    for day in range(days):
        date = today - dt.timedelta(days=day)
        PerformanceDaily.objects.bulk_create(
            [PerformanceDaily(ad_id=pk, date=date, impressions=1000 + n % 977, clicks=10 + n % 31,
                              spend=Decimal(f"{5 + n % 20}.{n % 100:02d}"), conversions=n % 4,
                              conversion_value=Decimal(f"{(n % 4) * 29 + day % 5}.99"), video_views=300 + n % 211)
             for n, pk in enumerate(ad_pks)],
            batch_size=SEED_BATCH,
        )
    accounts = PublishingAccount.objects.bulk_create(
        [PublishingAccount(name=f"account {n}", handle=f"@bench{n}", provider=PublishingAccount.Provider.TIKTOK) for n in range(ACCOUNTS)]
    )
    AccountDaily.objects.bulk_create(
        [AccountDaily(account=account, date=today - dt.timedelta(days=day), video_views=1000 + n * 37 + day, followers_gained=n % 9 - 2)
         for n, account in enumerate(accounts) for day in range(days)],
        batch_size=SEED_BATCH,
    )


def render(client, path: str) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed, len(queries.captured_queries), len(response.content)


def run(args: argparse.Namespace) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from adloop import clock

    client = Client()
    client.force_login(get_user_model().objects.create_user("bench", is_staff=True))
    path = f"/analytics/?days={args.days if args.days in (7, 30) else 30}"
    today = clock.today()  # against the sandbox clock, the first call creates its row
    _, empty_queries, _ = render(client, path)

    started = time.perf_counter()
    seed(ads=args.ads, days=args.days, today=today)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seed_s = round(time.perf_counter() - started, 1)

    render(client, path)  # warm-up: template compilation, first plans
    timings, queries, size = [], 0, 0
    for _ in range(args.runs):
        elapsed, queries, size = render(client, path)
        timings.append(elapsed)
    return {
        "database": "postgresql", "path": path, "ads": args.ads, "days": args.days, "rows": args.ads * args.days,
        "seed_s": seed_s, "runs_ms": [round(t, 1) for t in timings], "median_ms": round(statistics.median(timings), 1),
        "sql_queries": queries, "sql_queries_empty_db": empty_queries, "html_kb": round(size / 1024, 1),
        "target": "median < 500 ms, <= 20 SQL queries whatever the number of ads",
    }


def main() -> int:
    args = parse_args()

    def pretty(report: dict) -> None:
        print(f"{report['ads']} ads × {report['days']} days ({report['rows']} rows): median {report['median_ms']} ms "
              f"over {args.runs} renders {report['runs_ms']}, {report['sql_queries']} SQL queries "
              f"({report['sql_queries_empty_db']} on an empty database), {report['html_kb']} KiB (seeded in {report['seed_s']} s)")

    # Migrated tables (unlike the other benchmarks): the page reads what the migrations build.
    return bench_main(script="bench/analytics_page.py", args=args, run=run, pretty=pretty, migrate=True)


if __name__ == "__main__":
    sys.exit(main())
