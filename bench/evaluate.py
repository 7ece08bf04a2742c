"""Benchmark one budget evaluation cycle over N heat-stage ad groups, against the sandbox over HTTP.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/adloop_bench \\
        python bench/evaluate.py --adgroups 10000 [--hit-adgroups 0] [--db NAME] [--json]

It creates a throwaway database (Django's test database for DATABASE_URL, or --db NAME; dropped
at the end), bulk-inserts N running heat-stage ad groups of one ad each on both sides (adloop's
rows and the sandbox's Sb* rows) with three days of PerformanceDaily spread over the budget
rule's bands (a fifth each: scale up, keep, scale down, pause, hold for lack of evidence), runs
ANALYZE, serves the project's WSGI app on a background thread and points TIKTOK_ADS_BASE_URL at
it. Then it times ONE evaluation cycle, the body of the "evaluate budgets" task:
`budgets_evaluate` + `hit_scale` (scheduler/services_hit.py; budgets_evaluate alone if that
module is absent), and a second cycle on the same day, which must change nothing. Setup is not
timed.

Counted: wall time; this process's CPU time (adloop and the sandbox's server threads, not
PostgreSQL); SQL queries of this thread, by statement (adloop's side: the sandbox's queries
run on the server threads); HTTP calls to TikTok (every attempt); the most ids one status call
and one budget call carried. The sandbox's state is then checked against what the cycle said.

Target: 10,000 ad groups in under 30 s, every status call ≤ 20 ids, and SQL that does not grow
with N (compare --adgroups 1000): a constant number of reads, and writes in statements of up
to 1,000 rows (claims, budgets, statuses, ActionLog rows), so 10× the ad groups adds a few
INSERT / UPDATE statements, never one per ad group or per call. --hit-adgroups M adds M
hit-stage ad groups that spent their whole budget yesterday, for hit scaling to raise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import CallCounter, QueryCounter, bench_main, sandbox_server  # noqa: E402
from bench._common import chunks as _chunks  # noqa: E402

SEED_BATCH = 2000
ADGROUPS_PER_CAMPAIGN = 500
BUDGET = Decimal("100.00")
# ROAS per band against the default target of 2.0 (× 1.5 → up, × 1 → keep, × 0.7 → down, else pause);
# None: too little spend to judge (hold).
BANDS = (("scale_up", 3.5), ("keep", 2.2), ("scale_down", 1.6), ("pause", 0.5), ("hold", None))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--adgroups", type=int, default=10_000, help="heat-stage ad groups (one ad each)")
    parser.add_argument("--hit-adgroups", type=int, default=0, help="hit-stage ad groups at their cap, for hit scaling")
    parser.add_argument("--db", default="", help="the throwaway database's name (default: Django's test_<name>)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser.parse_args()


def seed(*, heat: int, hit: int, today: dt.date):
    """One advertiser known to adloop and to the sandbox, `heat` heat-stage and `hit` hit-stage
    running ad groups of one ad each, with the last three days of delivery."""
    from django.conf import settings
    from django.utils import timezone

    from analytics.models import PerformanceDaily
    from campaigns.models import Ad, AdGroup, AdvertiserAccount, Campaign, OperationStatus, Stage
    from creatives.models import Product, VideoJob
    from sandbox import services as sandbox
    from sandbox.models import SbAd, SbAdGroup, SbCampaign, SbVideo
    from scheduler.models import StrategySettings

    # The account cap must not be what limits raises here: 10,000 ad groups × 100 a day.
    # The raw ROAS (evidence weight 0), so the seeded bands are the decisions `verify` expects.
    StrategySettings.objects.update_or_create(
        campaign=None, defaults={"account_daily_cap": Decimal("1000000000"), "roas_prior_spend": Decimal("0"), "roas_settle_days": 0}
    )
    app = sandbox.sandbox_app_ensure(app_id=settings.TIKTOK_APP_ID, secret=settings.TIKTOK_APP_SECRET)
    remote = sandbox.sandbox_advertiser_create(app=app, name="Bench shop")
    token = sandbox.sandbox_token_issue(app=app, advertisers=[remote])
    advertiser = AdvertiserAccount.objects.create(
        advertiser_id=remote.advertiser_id, name=remote.name, timezone=remote.timezone, access_token=token,
    )
    video = SbVideo.objects.create(
        video_id="v-bench-evaluate", material_id="1", advertiser=remote, file_name="bench-evaluate.mp4",
        signature="0" * 32, size=1, width=720, height=1280, duration=15.0, file="sandbox/videos/bench.mp4",
    )
    job = VideoJob.objects.create(product=Product.objects.create(name="Bench product"), status=VideoJob.Status.DONE, progress=100)
    now = timezone.now()
    plan = [(Stage.HEAT, n) for n in range(heat)] + [(Stage.HIT, n) for n in range(hit)]
    for number, group in enumerate(_chunks(plan, ADGROUPS_PER_CAMPAIGN)):
        stage = group[0][0]
        sb_campaign = SbCampaign.objects.create(
            campaign_id=f"18{number:017d}", advertiser=remote, campaign_name=f"bench {number}", objective_type="WEB_CONVERSIONS",
            budget_mode="BUDGET_MODE_INFINITE",
        )
        campaign = Campaign.objects.create(
            campaign_id=sb_campaign.campaign_id, request_id=f"9{number:017d}", advertiser=advertiser, product=job.product,
            name=f"bench {number}", objective="WEB_CONVERSIONS", stage=stage, status=OperationStatus.ENABLE,
        )
        for batch in _chunks(group, SEED_BATCH):
            prefix, ad_prefix = ("17", "15") if stage == Stage.HEAT else ("16", "14")
            ids = [f"{prefix}{n:017d}" for _, n in batch]
            sb_adgroups = SbAdGroup.objects.bulk_create([
                SbAdGroup(
                    adgroup_id=gid, advertiser=remote, campaign=sb_campaign, adgroup_name=f"bench {gid}", budget_mode="BUDGET_MODE_DAY",
                    budget=BUDGET, placement_type="PLACEMENT_TYPE_NORMAL", billing_event="OCPM", optimization_goal="VALUE",
                    schedule_type="SCHEDULE_FROM_NOW", schedule_start_time=now,
                ) for gid in ids
            ])
            SbAd.objects.bulk_create([
                SbAd(ad_id=f"{ad_prefix}{gid[2:]}", advertiser=remote, campaign=sb_campaign, adgroup=sb_adgroup, ad_name=f"ad {gid}",
                     video=video, ad_text="bench")
                for gid, sb_adgroup in zip(ids, sb_adgroups, strict=True)
            ])
            adgroups = AdGroup.objects.bulk_create([
                AdGroup(
                    adgroup_id=gid, request_id=f"8{gid[1:]}", campaign=campaign, name=f"bench {gid}", status=OperationStatus.ENABLE,
                    billing_event="OCPM", optimization_goal="VALUE", bid_type="BID_TYPE_NO_BID", budget=BUDGET,
                ) for gid in ids
            ])
            ads = Ad.objects.bulk_create([
                Ad(ad_id=f"{ad_prefix}{gid[2:]}", adgroup=adgroup, job=job, name=f"ad {gid}", status=OperationStatus.ENABLE,
                   ad_text="bench")
                for gid, adgroup in zip(ids, adgroups, strict=True)
            ])
            rows = []
            for (_, n), ad in zip(batch, ads, strict=True):
                if stage == Stage.HIT:
                    spend, roas = BUDGET, 3.0  # the whole budget spent: hit scaling raises the cap
                else:
                    roas = BANDS[n % len(BANDS)][1]
                    spend = Decimal("2.00") if roas is None else Decimal(20 + n % 7)
                    roas = 1.0 if roas is None else roas + (n % 3) / 100
                for offset in range(1, 4):
                    rows.append(PerformanceDaily(
                        ad=ad, date=today - dt.timedelta(days=offset), impressions=10_000 + n % 977, clicks=100 + n % 31,
                        spend=spend, conversions=3, conversion_value=(spend * Decimal(str(roas))).quantize(Decimal("0.01")),
                        video_views=3000,
                    ))
            PerformanceDaily.objects.bulk_create(rows, batch_size=SEED_BATCH)
    return advertiser


def cycle(advertiser, day: dt.date, calls: CallCounter) -> dict:
    """One "evaluate budgets" run, timed and counted."""
    from django.db import connection

    from scheduler.services_budget import budgets_evaluate

    hit_scale = _hit_scale()
    calls.reset()
    counter = QueryCounter()
    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(counter):
        outcomes = budgets_evaluate(advertiser=advertiser, day=day)
        hit = hit_scale(advertiser=advertiser, day=day) if hit_scale else []
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    changes = Counter(_label(outcome.decision.verdict.value, outcome.applied, outcome.note) for outcome in outcomes)
    for outcome in hit:
        changes[f"hit_{outcome.action}" if outcome.applied else "hit_not_applied"] += 1
    return {
        "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "sql_queries": counter.count,
        "sql_by_statement": dict(sorted(counter.kinds.items())), "http_calls": sum(calls.paths.values()),
        "calls_by_path": dict(calls.paths), "ids_per_status_call_max": calls.ids_max["status"],
        "ids_per_budget_call_max": calls.ids_max["budget"], "changes": dict(sorted(changes.items())),
    }


def _label(verdict: str, applied: bool, note: str) -> str:
    if applied or verdict in ("keep", "hold"):
        return verdict
    if note in ("already changed today", "dry run"):
        return f"{verdict} ({note})"
    if note.startswith("hit stage"):
        return f"{verdict} (left to hit scaling)"
    return f"{verdict} (failed)" if note else f"{verdict} (nothing left to change)"


def _hit_scale():
    try:
        from scheduler.services_hit import hit_scale
    except ImportError:
        return None
    return hit_scale


def verify(advertiser, first: dict, heat: int) -> dict:
    """What the sandbox holds after the first cycle, against what the cycle reported."""
    from campaigns.models import Stage
    from sandbox.models import SbAd, SbAdGroup
    from scheduler.models import ActionLog

    mine = {"advertiser__advertiser_id": advertiser.advertiser_id}
    raised = SbAdGroup.objects.filter(**mine, adgroup_id__startswith="17", budget__gt=BUDGET).count()
    lowered = SbAdGroup.objects.filter(**mine, budget__lt=BUDGET).count()
    paused = SbAd.objects.filter(**mine, operation_status="DISABLE").count()
    expected = {band: sum(1 for n in range(heat) if BANDS[n % len(BANDS)][0] == band) for band in ("scale_up", "scale_down", "pause")}
    changes = first["changes"]
    return {
        "sandbox": {"raised": raised, "lowered": lowered, "paused_ads": paused},
        "log_rows": ActionLog.objects.filter(campaign__stage__in=[Stage.HEAT, Stage.HIT]).count(),
        "ok": (raised, lowered, paused) == (expected["scale_up"], expected["scale_down"], expected["pause"])
        == (changes.get("scale_up", 0), changes.get("scale_down", 0), changes.get("pause", 0)),
    }


def run(args: argparse.Namespace) -> dict:
    from django.db import connection

    from adloop import clock

    calls = CallCounter()
    with sandbox_server(), calls.installed():
        today = clock.today("UTC")
        started = time.perf_counter()
        advertiser = seed(heat=args.adgroups, hit=args.hit_adgroups, today=today)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        seed_s = round(time.perf_counter() - started, 1)
        first = cycle(advertiser, today, calls)
        check = verify(advertiser, first, args.adgroups)
        second = cycle(advertiser, today, calls)
    return {
        "database": connection.vendor, "adgroups": args.adgroups, "hit_adgroups": args.hit_adgroups,
        "cycle": "budgets_evaluate + hit_scale" if _hit_scale() else "budgets_evaluate (scheduler.services_hit.hit_scale absent)",
        **first, "seed_s": seed_s, "verified": check, "second_cycle_same_day": second,
        "target": "10k ad groups < 30 s; sql_queries independent of N; <= 20 ids per status call",
    }


def pretty(report: dict) -> None:
    second = report["second_cycle_same_day"]
    print(f"{report['adgroups']} ad groups ({report['cycle']}): {report['wall_s']} s, {report['sql_queries']} SQL queries, "
          f"{report['http_calls']} HTTP calls (≤ {report['ids_per_status_call_max']} ids per status call, "
          f"≤ {report['ids_per_budget_call_max']} per budget call); changes {report['changes']}; "
          f"verified {report['verified']['ok']} (seeded in {report['seed_s']} s)")
    print(f"        same day again: {second['wall_s']} s, {second['sql_queries']} SQL queries, {second['http_calls']} HTTP calls, "
          f"changes {second['changes']}")


def main() -> int:
    args = parse_args()
    return bench_main(
        script="bench/evaluate.py", args=args, run=run, pretty=pretty, db_name=args.db, migrate=False,
        needs="(a throwaway test_<name> database, or --db NAME, is created and dropped)",
    )


if __name__ == "__main__":
    sys.exit(main())
