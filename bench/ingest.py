"""Benchmark report ingestion: N ads × D days pulled over HTTP from the sandbox into PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/adloop_bench \\
        python bench/ingest.py --ads 10000 --days 30 [--compare-ads 1000] [--json]

It creates a throwaway database (Django's test database for DATABASE_URL, dropped at the end),
seeds the ads and the sandbox's SbDailyStat rows in bulk, serves the project's WSGI app on a
background thread, points TIKTOK_ADS_BASE_URL at it and runs `performance_ingest` once per
account: first --ads, then --compare-ads, so the growth (or not) of SQL queries is visible.
Then it pulls the large account again as the daily beat would (the lookback window only).

Target: 10,000 ads × 30 days in under 60 s wall, with SQL queries independent of the number
of ads (constant + one INSERT per 2,000 rows). HTTP calls are windows × 1000-row pages
(windows are shortened for big accounts: see analytics/services/ingest.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import QueryCounter, bench_main, sandbox_server  # noqa: E402

SEED_BATCH = 5000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ads", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--compare-ads", type=int, default=1_000, help="a second, smaller account (0: skip)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser.parse_args()


def seed(*, index: int, ads: int, days: int, today: dt.date):
    """One advertiser with `ads` ads, known to adloop and to the sandbox, and `days` days of delivery each."""
    from django.conf import settings
    from django.utils import timezone

    from campaigns.models import Ad, AdGroup, AdvertiserAccount, Campaign, OperationStatus
    from creatives.models import Product, VideoJob
    from sandbox import services as sandbox
    from sandbox.models import SbAd, SbAdGroup, SbCampaign, SbDailyStat, SbVideo

    app = sandbox.sandbox_app_ensure(app_id=settings.TIKTOK_APP_ID, secret=settings.TIKTOK_APP_SECRET)
    remote = sandbox.sandbox_advertiser_create(app=app, name=f"Bench shop {index}")
    token = sandbox.sandbox_token_issue(app=app, advertisers=[remote])
    advertiser = AdvertiserAccount.objects.create(
        advertiser_id=remote.advertiser_id, name=remote.name, timezone=remote.timezone, access_token=token,
    )
    sb_campaign = SbCampaign.objects.create(
        campaign_id=f"18{index}{0:016d}", advertiser=remote, campaign_name="bench", objective_type="VIDEO_VIEWS",
        budget_mode="BUDGET_MODE_INFINITE",
    )
    sb_adgroup = SbAdGroup.objects.create(
        adgroup_id=f"18{index}{1:016d}", advertiser=remote, campaign=sb_campaign, adgroup_name="bench",
        budget_mode="BUDGET_MODE_DAY", budget=Decimal("50"), placement_type="PLACEMENT_TYPE_NORMAL", billing_event="CPV",
        optimization_goal="ENGAGED_VIEW", schedule_type="SCHEDULE_FROM_NOW", schedule_start_time=timezone.now(),
    )
    video = SbVideo.objects.create(
        video_id=f"v-bench-{index}", material_id="1", advertiser=remote, file_name=f"bench-{index}.mp4",
        signature="0" * 32, size=1, width=720, height=1280, duration=15.0, file="sandbox/videos/bench.mp4",
    )
    product = Product.objects.create(name=f"Bench product {index}")
    job = VideoJob.objects.create(product=product, status=VideoJob.Status.DONE, progress=100)
    campaign = Campaign.objects.create(
        campaign_id=sb_campaign.campaign_id, request_id=f"9{index}{0:016d}", advertiser=advertiser, name="bench",
        objective="VIDEO_VIEWS", status=OperationStatus.ENABLE,
    )
    adgroup = AdGroup.objects.create(
        adgroup_id=sb_adgroup.adgroup_id, request_id=f"9{index}{1:016d}", campaign=campaign, name="bench",
        status=OperationStatus.ENABLE, billing_event="CPV", optimization_goal="ENGAGED_VIEW", bid_type="BID_TYPE_CUSTOM",
        budget=Decimal("50"),
    )
    ad_ids = [f"17{index}{n:016d}" for n in range(ads)]
    SbAd.objects.bulk_create(
        [SbAd(ad_id=ad_id, advertiser=remote, campaign=sb_campaign, adgroup=sb_adgroup, ad_name=f"ad {ad_id}", video=video,
              ad_text="bench") for ad_id in ad_ids],
        batch_size=SEED_BATCH,
    )
    Ad.objects.bulk_create(
        [Ad(ad_id=ad_id, adgroup=adgroup, job=job, name=f"ad {ad_id}", status=OperationStatus.ENABLE, ad_text="bench")
         for ad_id in ad_ids],
        batch_size=SEED_BATCH,
    )
    remote_pks = list(SbAd.objects.filter(advertiser=remote).values_list("pk", flat=True))
    for day in range(days):
        date = today - dt.timedelta(days=day)
        SbDailyStat.objects.bulk_create(
            [SbDailyStat(advertiser=remote, ad_id=pk, date=date, impressions=1000 + n % 977, clicks=10 + n % 31,
                         spend=Decimal(f"{5 + n % 20}.{n % 100:02d}"), conversions=n % 4, conversion_value=Decimal(f"{(n % 4) * 29}.99"),
                         video_views=300 + n % 211)
             for n, pk in enumerate(remote_pks)],
            batch_size=SEED_BATCH,
        )
    return advertiser


def measure(advertiser, **kwargs) -> dict:
    from analytics.services import performance_ingest

    started = time.perf_counter()
    with QueryCounter().installed() as counter:
        result = performance_ingest(advertiser=advertiser, **kwargs)
    wall = time.perf_counter() - started
    return {
        "wall_s": round(wall, 2), "rows": result.rows, "created": result.created, "updated": result.updated,
        "skipped": result.skipped, "days": result.days, "sql_queries": counter.count, "http_calls": result.requests,
        "rows_per_s": round(result.rows / wall) if wall else None,
    }


def run(args: argparse.Namespace) -> dict:
    from adloop import clock

    # Django's plain live server thread, Nagle's algorithm on (see bench/_common.py live_server_thread).
    with sandbox_server(nodelay=False):
        runs = []
        for index, ads in enumerate([args.ads, args.compare_ads]):
            if not ads:
                continue
            today = clock.today("UTC")
            started = time.perf_counter()
            advertiser = seed(index=index, ads=ads, days=args.days, today=today)
            seed_s = round(time.perf_counter() - started, 2)
            stats = measure(advertiser, start=today - dt.timedelta(days=args.days - 1), end=today)
            runs.append({"ads": ads, "days": args.days, "seed_s": seed_s, **stats})
            if index == 0:
                repull = measure(advertiser)  # the daily run: the lookback days only, all updates
                runs[-1]["daily_repull"] = repull
    return {"database": "postgresql", "runs": runs, "target": "10k ads x 30 days < 60 s; sql_queries independent of ads"}


def pretty(report: dict) -> None:
    for item in report["runs"]:
        print(f"{item['ads']:>6} ads × {item['days']} days: {item['rows']} rows in {item['wall_s']} s, "
              f"{item['sql_queries']} SQL queries, {item['http_calls']} HTTP calls (seeded in {item['seed_s']} s)")
        if "daily_repull" in item:
            repull = item["daily_repull"]
            print(f"        daily re-pull: {repull['rows']} rows in {repull['wall_s']} s, "
                  f"{repull['sql_queries']} SQL queries, {repull['http_calls']} HTTP calls")


def main() -> int:
    return bench_main(script="bench/ingest.py", args=parse_args(), run=run, pretty=pretty, migrate=False)


if __name__ == "__main__":
    sys.exit(main())
