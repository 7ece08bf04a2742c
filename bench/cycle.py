"""Benchmark one full cycle of adloop's automation over an account of N ads, against the sandbox over HTTP.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        python bench/cycle.py --ads 10000 [--json] [--db adloop_bench_cycle] [--no-alert-band] [--tracemalloc]
        [--profile alerts_evaluate]  # cProfile one step: /tmp/cycle-STEP.pstats, /tmp/cycle-STEP.server.pstats
    python bench/cycle.py --compare 1000,10000,50000 [--no-alert-band] [--json]  # a child process per N (same
                                                                                  # DATABASE_URL), then the table
    python bench/cycle.py --table 1k.json 10k.json 50k.json   # the same table from saved --json outputs

It creates a throwaway PostgreSQL database (--db, default adloop_bench_cycle; dropped at the end),
bulk-inserts one connected advertiser of N ads on both sides (adloop's rows and the sandbox's Sb*
rows; one ad per ad group, 500 ad groups per campaign, one product per campaign, one creative per
ad), runs ANALYZE, serves the project's WSGI app on a background thread and points
TIKTOK_ADS_BASE_URL at it. The account, by ad (N × share):

    launch 10 %   too few impressions for the stage check to move it
    heat   80 %   by sixths: ROAS 3.5 (budget × 1.3), 2.2 (keep), 1.6 (budget × 0.8), 1.2 (pause),
                  0.5 (the low-ROAS alert pauses the ad; with --no-alert-band seeded as 1.2 instead),
                  too little spend (hold); its products' ROAS stays under the target, so none moves to hit
    hit    10 %   by quarters: spent its whole budget yesterday (cap raise), below it with a target CPA
                  (bid raise), below it at lowest cost (nothing to raise) × 2

adloop holds the four days before today (PerformanceDaily); the sandbox holds those and today, so
the pull is the daily one: REPORT_LOOKBACK_DAYS from the last stored day, i.e. 4 × N report rows.
Setup is not timed. Then ONE cycle, each step a service of the automation, called directly (no
Celery, no advertiser lock):

    ingest    performance_ingest + alerts_evaluate      the 6-hourly report pull (analytics/tasks.py)
    evaluate  budgets_evaluate + hit_scale, stages_check  scheduler/tasks.py's two advertiser tasks
    optimize  winners_select                             selection only: no LLM, no render

Counted per step, per phase and in total: wall time; CPU time of this process (the sandbox's
server threads included, not PostgreSQL); SQL statements of this thread (adloop's side: the
sandbox's run on its server threads; an outermost transaction's BEGIN / COMMIT is not a statement
Django executes), by keyword and by the project function that ran them; HTTP calls to TikTok,
every attempt; and `http_min`, the fewest calls that could do the same work: report rows / 1,000
per page, and for the changes the step made (its ActionLog rows) 20 ids per status or budget
call, one call per bid change (adgroup/update takes one ad group). Also each step's ActionLog
rows and the size of their triggers. A step that TikTok refuses (ApiError) is recorded with its
error and the cycle goes on with what is stored. `checks` compares what the services and the
sandbox say was done with what the seeded account asks for. Memory: `peak_rss_mb` is the
process's ru_maxrss (seeding included); `cycle_peak_rss_mb` the resident peak during the cycle
(VmHWM, reset through /proc/self/clear_refs before it; null where Linux does not allow it);
`tracemalloc_peak_mb`, with --tracemalloc, the peak of Python allocations during the cycle
(tracemalloc makes this cycle ~4× slower: its wall times are not comparable).

Targets: cost linear or better in N (wall per ad flat or falling), SQL statements independent of
N (reads constant, writes in statements of up to 1,000 rows: "writes grow" in the table is that),
HTTP calls at http_min. --compare / --table print the growth against the smallest N, each step's
numbers per N, and the SQL call sites whose counts grow with N.

Found by this benchmark and fixed since: the report pull refused accounts over 10,000 ads (it
now splits by campaign_ids / adgroup_ids filters, analytics/services/ingest.py), the alert pauses
wrote each batch's metrics into every ActionLog row of the batch (now each row its own), alerts
were written one by one (now in bulk), and hit scaling raised caps one ad group per call (now 20
per call, writes in bulk). --no-alert-band remains for comparing with the earlier figures.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import math
import pstats
import resource
import subprocess
import sys
import threading
import time
import tracemalloc
from collections import Counter
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import CallCounter, QueryCounter, bench_main, report_print, sandbox_server  # noqa: E402

DB_NAME = "adloop_bench_cycle"
ADS_PER_CAMPAIGN = 500
LAUNCH_SHARE = HIT_SHARE = Decimal("0.10")
HISTORY_DAYS = 4  # stored by earlier pulls: today-4 … today-1
BUDGET = Decimal("100.00")
TARGET_CPA = Decimal("10.00")
HEAT_BANDS = (("scale_up", "3.5"), ("keep", "2.2"), ("scale_down", "1.6"), ("pause", "1.2"), ("alert", "0.5"), ("hold", None))
HIT_KINDS = ("at_cap", "bid", "no_bid", "no_bid")
PAGE_ROWS = 1000  # report page size
IDS_PER_CALL = 20  # status and budget calls
CENT = Decimal("0.01")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ads", type=int, default=10_000, help="ads in the account (one per ad group)")
    parser.add_argument("--db", default=DB_NAME, help=f"the throwaway database's name (default {DB_NAME})")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations during the cycle (slower)")
    parser.add_argument(
        "--alert-band", action=argparse.BooleanOptionalAction, default=True,
        help="seed the heat sixth the low-ROAS alert pauses (default); without it, that sixth is the budget rule's to pause",
    )
    parser.add_argument(
        "--profile", default="", metavar="STEP",
        help="cProfile one step (e.g. alerts_evaluate): writes /tmp/cycle-STEP.pstats (this thread) and "
        "/tmp/cycle-STEP.server.pstats (the sandbox's request threads)",
    )
    parser.add_argument("--compare", default="", help="comma-separated N: run each in a child process, print the growth table")
    parser.add_argument("--table", nargs="+", metavar="JSON", help="print the growth table of saved --json outputs")
    return parser.parse_args(argv)


# --- the account -------------------------------------------------------------------------------


def plan(ads: int) -> dict[str, int]:
    launch = int(ads * LAUNCH_SHARE)
    hit = int(ads * HIT_SHARE)
    return {"launch": launch, "heat": ads - launch - hit, "hit": hit}


def band(k: int, alert_band: bool = True) -> str:
    """The band (HEAT_BANDS) the k-th heat ad is seeded in."""
    name = HEAT_BANDS[k % len(HEAT_BANDS)][0]
    return "pause" if name == "alert" and not alert_band else name


def delivery(stage: str, k: int, days_ago: int, alert_band: bool = True) -> dict:
    """The k-th ad of `stage` on the day `days_ago` before today (0: today, half a day so far)."""
    if stage == "launch":
        impressions, clicks, spend, roas, conversions = 5, (k + days_ago) % 2, Decimal("0.50"), Decimal(0), 0
    elif stage == "heat":
        roas = dict(HEAT_BANDS)[band(k, alert_band)]
        spend = Decimal("2.00") if roas is None else Decimal(20 + k % 7)
        roas = Decimal("1.0") if roas is None else Decimal(roas) + Decimal(k % 3) / 100
        impressions, clicks, conversions = 10_000 + k % 977, 100 + k % 31, 3
    else:
        at_cap = HIT_KINDS[k % len(HIT_KINDS)] == "at_cap"
        spend, roas = (BUDGET, Decimal("3.0")) if at_cap else (Decimal("60.00"), Decimal("2.5"))
        impressions, clicks, conversions = 20_000 + k % 977, 200 + k % 31, 5
    if days_ago == 0:
        spend = (spend / 2).quantize(CENT)
    return {
        "impressions": impressions, "clicks": clicks, "spend": spend, "conversions": conversions,
        "conversion_value": (spend * roas).quantize(CENT), "video_views": impressions // 3,
    }


def seed(*, ads: int, today: dt.date, index: int = 0, alert_band: bool = True):
    """One advertiser known to adloop and to the sandbox, with `ads` running ads (see the module
    docstring). Memory stays bounded: one campaign (≤ ADS_PER_CAMPAIGN ads) at a time."""
    from django.conf import settings

    from campaigns.models import AdvertiserAccount
    from sandbox import services as sandbox
    from sandbox.models import SbVideo
    from scheduler.models import StrategySettings

    # Raw ROAS (no evidence weight) of the latest days (no settle days, no learning days: the
    # four days of history are all the ads have), so each band is the decision it is seeded for;
    # an account cap that no raise reaches.
    StrategySettings.objects.update_or_create(
        campaign=None, defaults={
            "account_daily_cap": Decimal("1000000000"), "roas_prior_spend": Decimal("0"), "roas_settle_days": 0, "learning_days": 0,
        },
    )
    app = sandbox.sandbox_app_ensure(app_id=settings.TIKTOK_APP_ID, secret=settings.TIKTOK_APP_SECRET)
    remote = sandbox.sandbox_advertiser_create(app=app, name=f"Bench cycle {index}")
    advertiser = AdvertiserAccount.objects.create(
        advertiser_id=remote.advertiser_id, name=remote.name, timezone=remote.timezone, pixel_id=remote.pixel_id,
        access_token=sandbox.sandbox_token_issue(app=app, advertisers=[remote]),
    )
    video = SbVideo.objects.create(
        video_id=f"v-bench-cycle-{index}", material_id="1", advertiser=remote, file_name=f"bench-cycle-{index}.mp4",
        signature="0" * 32, size=1, width=720, height=1280, duration=15.0, file="sandbox/videos/bench.mp4",
    )
    serial = campaign = 0
    for stage, count in plan(ads).items():
        for start in range(0, count, ADS_PER_CAMPAIGN):
            ks = range(start, min(start + ADS_PER_CAMPAIGN, count))
            _seed_campaign(
                remote, advertiser, video, stage, ks, first=serial, number=campaign, index=index, today=today,
                alert_band=alert_band,
            )
            serial += len(ks)
            campaign += 1
    return advertiser


def _seed_campaign(
    remote, advertiser, video, stage: str, ks: range, *, first: int, number: int, index: int, today: dt.date, alert_band: bool,
):
    from django.utils import timezone

    from analytics.models import PerformanceDaily
    from campaigns.models import Ad, AdGroup, Campaign, OperationStatus
    from creatives.models import Product, VideoJob
    from sandbox.models import SbAd, SbAdGroup, SbCampaign, SbDailyStat

    now = timezone.now()
    product = Product.objects.create(name=f"Bench product {index}-{number}")
    sb_campaign = SbCampaign.objects.create(
        campaign_id=f"18{index:02d}{number:015d}", advertiser=remote, campaign_name=f"bench {stage} {number}",
        objective_type="WEB_CONVERSIONS", budget_mode="BUDGET_MODE_INFINITE",
    )
    campaign = Campaign.objects.create(
        campaign_id=sb_campaign.campaign_id, request_id=f"9{index:02d}{number:016d}", advertiser=advertiser, product=product,
        name=sb_campaign.campaign_name, objective="WEB_CONVERSIONS", stage=stage, status=OperationStatus.ENABLE,
    )
    serials = [first + n for n in range(len(ks))]
    jobs = VideoJob.objects.bulk_create([
        VideoJob(
            product=product, status=VideoJob.Status.DONE, progress=100, script={"hook": {"type": "number", "text": f"ad {s}"}},
        )
        for s in serials
    ])
    bids = [stage == "hit" and HIT_KINDS[k % len(HIT_KINDS)] == "bid" for k in ks]
    common = {"billing_event": "OCPM", "optimization_goal": "CONVERT", "budget": BUDGET}
    sb_adgroups = SbAdGroup.objects.bulk_create([
        SbAdGroup(
            adgroup_id=f"17{index:02d}{s:015d}", advertiser=remote, campaign=sb_campaign, adgroup_name=f"bench {s}",
            budget_mode="BUDGET_MODE_DAY", promotion_type="WEBSITE", placement_type="PLACEMENT_TYPE_AUTOMATIC",
            optimization_event="SHOPPING", pixel_id=remote.pixel_id, location_ids=["6252001"], schedule_type="SCHEDULE_FROM_NOW",
            schedule_start_time=now, schedule_end_time=now + dt.timedelta(days=3650),
            bid_type="BID_TYPE_CUSTOM" if bid else "BID_TYPE_NO_BID", conversion_bid_price=TARGET_CPA if bid else None, **common,
        )
        for s, bid in zip(serials, bids, strict=True)
    ])
    sb_ads = SbAd.objects.bulk_create([
        SbAd(
            ad_id=f"16{index:02d}{s:015d}", advertiser=remote, campaign=sb_campaign, adgroup=group, ad_name=f"ad {s}",
            video=video, ad_text="bench",
        )
        for s, group in zip(serials, sb_adgroups, strict=True)
    ])
    adgroups = AdGroup.objects.bulk_create([
        AdGroup(
            adgroup_id=group.adgroup_id, request_id=f"8{index:02d}{s:016d}", campaign=campaign, job=job, name=group.adgroup_name,
            status=OperationStatus.ENABLE, bid_type=group.bid_type, conversion_bid_price=group.conversion_bid_price, **common,
        )
        for s, group, job in zip(serials, sb_adgroups, jobs, strict=True)
    ])
    ads = Ad.objects.bulk_create([
        Ad(ad_id=sb_ad.ad_id, adgroup=group, job=job, name=sb_ad.ad_name, status=OperationStatus.ENABLE, ad_text="bench")
        for sb_ad, group, job in zip(sb_ads, adgroups, jobs, strict=True)
    ])
    days = [(today - dt.timedelta(days=ago), ago) for ago in range(HISTORY_DAYS + 1)]
    PerformanceDaily.objects.bulk_create(
        [PerformanceDaily(ad=ad, date=date, **delivery(stage, k, ago, alert_band)) for date, ago in days if ago
         for k, ad in zip(ks, ads, strict=True)],
        batch_size=2000,
    )
    SbDailyStat.objects.bulk_create(
        [SbDailyStat(advertiser=remote, ad=sb_ad, date=date, **delivery(stage, k, ago, alert_band)) for date, ago in days
         for k, sb_ad in zip(ks, sb_ads, strict=True)],
        batch_size=2000,
    )


def expected(ads: int, alert_band: bool = True) -> dict:
    """What one cycle over the seeded account must do."""
    counts = plan(ads)
    bands = Counter(band(k, alert_band) for k in range(counts["heat"]))
    kinds = Counter(HIT_KINDS[k % len(HIT_KINDS)] for k in range(counts["hit"]))
    campaigns = {stage: math.ceil(count / ADS_PER_CAMPAIGN) for stage, count in counts.items()}
    return {
        "report_rows": ads * HISTORY_DAYS, "alerts": bands["alert"], "raised": bands["scale_up"], "lowered": bands["scale_down"],
        "paused_by_budget_rule": bands["pause"], "cap_raises": kinds["at_cap"], "bid_raises": kinds["bid"],
        "products_judged": campaigns["launch"] + campaigns["heat"], "stage_switches": 0,
        "winners": min(5, bands["scale_up"] + counts["hit"]),
    }


# --- the cycle ---------------------------------------------------------------------------------


def _ingest(advertiser, day):
    from analytics.services import performance_ingest

    result = performance_ingest(advertiser=advertiser, end=day)
    return {"rows": result.rows, "created": result.created, "updated": result.updated, "start": result.start, "end": result.end}


def _alerts(advertiser, day):
    from analytics.services.alerts import alerts_evaluate

    return {"alerts": len(alerts_evaluate(advertiser=advertiser, day=day))}


def _budgets(advertiser, day):
    from scheduler.services_budget import budgets_evaluate

    outcomes = budgets_evaluate(advertiser=advertiser, day=day)
    return {"judged": len(outcomes), "applied": dict(Counter(o.decision.verdict.value for o in outcomes if o.applied))}


def _hit(advertiser, day):
    from scheduler.services_hit import hit_scale

    outcomes = hit_scale(advertiser=advertiser, day=day)
    return {"judged": len(outcomes), "applied": dict(Counter(o.action for o in outcomes if o.applied))}


def _stages(advertiser, day):
    from scheduler.services_stages import stages_check

    changes = stages_check(advertiser=advertiser, day=day)
    return {"judged": len(changes), "applied": sum(c.applied for c in changes)}


def _winners(advertiser, day):
    from optimization.selectors import winners_select
    from optimization.services import optimization_settings_ensure

    return {"winners": len(winners_select(advertiser=advertiser, config=optimization_settings_ensure(), day=day))}


PROFILE = {"step": ""}  # set by run() from --profile


@contextmanager
def _profiled(name: str):
    """cProfile the block when `name` is the --profile step: this thread into
    /tmp/cycle-NAME.pstats, and each sandbox request (WSGIHandler.__call__ on the server's
    threads) into /tmp/cycle-NAME.server.pstats."""
    if name != PROFILE["step"]:
        yield
        return
    from django.core.handlers.wsgi import WSGIHandler

    original, lock, server = WSGIHandler.__call__, threading.Lock(), []

    def call(self, environ, start_response):
        profile = cProfile.Profile()
        try:
            return profile.runcall(original, self, environ, start_response)
        finally:
            with lock:
                server.append(profile)

    profile = cProfile.Profile()
    WSGIHandler.__call__ = call
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        WSGIHandler.__call__ = original
        profile.dump_stats(f"/tmp/cycle-{name}.pstats")
        if server:
            stats = pstats.Stats(server[0])
            for more in server[1:]:
                stats.add(more)
            stats.dump_stats(f"/tmp/cycle-{name}.server.pstats")


PHASES = {
    "ingest": {"performance_ingest": _ingest, "alerts_evaluate": _alerts},
    "evaluate": {"budgets_evaluate": _budgets, "hit_scale": _hit, "stages_check": _stages},
    "optimize": {"winners_select": _winners},
}


def cycle(advertiser, day: dt.date, *, trace: bool = False) -> dict:
    """One cycle over `advertiser`, each step timed and counted (TIKTOK_ADS_BASE_URL must point at
    a running sandbox). Returns the phases, the totals and the memory figures."""
    calls = CallCounter()
    hwm = _hwm_reset()
    if trace:
        tracemalloc.start()
    phases = {}
    with calls.installed():
        for phase, steps in PHASES.items():
            phases[phase] = {"steps": {name: _step(step, advertiser, day, calls) for name, step in steps.items()}}
    traced = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    for phase in phases.values():
        phase.update(_summed(phase["steps"].values()))
    return {
        "phases": phases, "total": _summed(phases.values()),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cycle_peak_rss_mb": _mb(_hwm()) if hwm else None, "rss_before_cycle_mb": _mb(hwm),
        "tracemalloc_peak_mb": _mb(traced),
    }


def _step(step, advertiser, day, calls: CallCounter) -> dict:
    from integrations.tiktok_ads.errors import ApiError
    from scheduler.models import ActionLog

    logged = ActionLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    report_rows = _report_rows(advertiser, day) if step is _ingest else None
    calls.reset()
    error = None
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    with QueryCounter(sites=True).installed() as queries:
        try:
            with _profiled(_name_of(step)):
                result = step(advertiser, day)
        except ApiError as exc:  # recorded, and the cycle goes on: the next steps read what is stored
            result, error = {}, f"{type(exc).__name__}: {exc}"
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    minimum, how = _report_minimum(report_rows) if report_rows is not None else _changes_minimum(logged)
    return {
        "wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "sql_queries": queries.count,
        "sql_by_statement": dict(sorted(queries.kinds.items())),
        "sql_sites": dict(queries.sites.most_common()), "http_calls": calls.total, "http_min": minimum, "http_min_of": how,
        "calls_by_path": dict(calls.paths), "ids_per_call_max": dict(calls.ids_max), "action_log": _logged(logged),
        **({"error": error} if error else {}), "result": result,
    }


def _name_of(step) -> str:
    return next(name for phase in PHASES.values() for name, fn in phase.items() if fn is step)


def _logged(logged: int) -> dict:
    """The ActionLog rows a step wrote after pk `logged`, and the size of their triggers as text."""
    from django.db.models import Count, Sum, TextField
    from django.db.models.functions import Cast, Length

    from scheduler.models import ActionLog

    totals = ActionLog.objects.filter(pk__gt=logged).aggregate(rows=Count("pk"), size=Sum(Length(Cast("trigger", TextField()))))
    return {"rows": totals["rows"], "trigger_kb": round((totals["size"] or 0) / 1024, 1)}


def _report_rows(advertiser, day: dt.date) -> list[tuple[dt.date, dt.date, int]]:
    """The sandbox's report rows in each window the coming pull will ask for."""
    from analytics.services.ingest import performance_pull_start, window_days
    from campaigns.models import Ad
    from integrations.tiktok_ads.endpoints import date_chunks
    from sandbox.models import SbDailyStat

    start = performance_pull_start(advertiser=advertiser, end=day)
    stats = SbDailyStat.objects.filter(advertiser__advertiser_id=advertiser.advertiser_id)
    ads = Ad.objects.filter(adgroup__campaign__advertiser=advertiser).exclude(ad_id="").count()
    windows = date_chunks(start, day, window_days(ads))
    return [(first, last, stats.filter(date__range=(first, last)).count()) for first, last in windows]


def _report_minimum(windows: list[tuple[dt.date, dt.date, int]]) -> tuple[int, dict]:
    """The fewest calls for the report: its rows at 1,000 a page (and with adloop's windows, each
    window's rows at 1,000 a page)."""
    rows = sum(count for _, _, count in windows)
    return math.ceil(rows / PAGE_ROWS), {
        "report_rows": rows, "windows": len(windows),
        "min_with_windows": sum(math.ceil(count / PAGE_ROWS) for _, _, count in windows),
    }


def _changes_minimum(logged: int) -> tuple[int, dict]:
    """The fewest calls for the changes a step logged after ActionLog pk `logged` (done, not dry
    run): 20 ids a status or ad group budget call, one call a bid or campaign budget change."""
    from scheduler.models import ActionLog

    changes = Counter()
    done = ActionLog.objects.filter(pk__gt=logged, outcome=ActionLog.Outcome.DONE, dry_run=False)
    rows = done.values_list("object_type", "after")
    for object_type, after in rows:
        if "status" in after:
            changes[f"{object_type} status"] += 1
        elif "budget" in after:
            changes[f"{object_type} budget"] += 1
        elif after:
            changes[f"{object_type} bid"] += 1
    per_call = {key: (1 if key.endswith("bid") or key == "campaign budget" else IDS_PER_CALL) for key in changes}
    return sum(math.ceil(n / per_call[key]) for key, n in changes.items()), dict(changes)


def _summed(parts) -> dict:
    parts = list(parts)
    return {
        "wall_s": round(sum(p["wall_s"] for p in parts), 3), "cpu_s": round(sum(p["cpu_s"] for p in parts), 3),
        "sql_queries": sum(p["sql_queries"] for p in parts), "http_calls": sum(p["http_calls"] for p in parts),
        "http_min": sum(p["http_min"] for p in parts),
    }


def _hwm_reset() -> int | None:
    """Reset the resident-set peak (Linux ≥ 4.0); the resident size then, or None if not allowed."""
    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return _hwm()


def _hwm() -> int | None:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


def _mb(size: int | None) -> float | None:
    return None if size is None else round(size / 2**20, 1)


def checks(advertiser, report: dict, ads: int, alert_band: bool = True) -> dict:
    """What the cycle did, read back from its results and the sandbox, against `expected`."""
    from sandbox.models import SbAd, SbAdGroup

    steps = _steps_of(report)
    mine = {"advertiser__advertiser_id": advertiser.advertiser_id}
    got = {
        "report_rows": steps["performance_ingest"]["result"].get("rows"),
        "alerts": steps["alerts_evaluate"]["result"].get("alerts"),
        "raised": SbAdGroup.objects.filter(**mine, budget__gt=BUDGET, campaign__campaign_name__startswith="bench heat").count(),
        "lowered": SbAdGroup.objects.filter(**mine, budget__lt=BUDGET).count(),
        "paused_by_budget_rule": steps["budgets_evaluate"]["result"].get("applied", {}).get("pause", 0),
        "cap_raises": steps["hit_scale"]["result"].get("applied", {}).get("cap_raise", 0),
        "bid_raises": SbAdGroup.objects.filter(**mine, conversion_bid_price__gt=TARGET_CPA).count(),
        "products_judged": steps["stages_check"]["result"].get("judged"),
        "stage_switches": steps["stages_check"]["result"].get("applied"),
        "winners": steps["winners_select"]["result"].get("winners"),
    }
    want = expected(ads, alert_band)
    paused = SbAd.objects.filter(**mine, operation_status="DISABLE").count()
    return {
        "expected": want, "got": got, "sandbox_paused_ads": paused,
        "ok": got == want and paused == want["alerts"] + want["paused_by_budget_rule"],
    }


def bench(*, ads: int, trace: bool = False, index: int = 0, alert_band: bool = True) -> dict:
    """Seed N ads, then one measured cycle; the sandbox must already be served (TIKTOK_ADS_BASE_URL)."""
    from django.db import connection

    from adloop import clock

    today = clock.today("UTC")
    started = time.perf_counter()
    advertiser = seed(ads=ads, today=today, index=index, alert_band=alert_band)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seed_s = round(time.perf_counter() - started, 1)
    report = {
        "database": connection.vendor, "ads": ads, "accounts": plan(ads), "alert_band": alert_band, "seed_s": seed_s,
        "day": today,
        **cycle(advertiser, today, trace=trace),
    }
    report["checks"] = checks(advertiser, report, ads, alert_band)
    report["target"] = "wall per ad flat or falling in N; sql_queries independent of N; http_calls == http_min"
    return report


def run(args: argparse.Namespace) -> dict:
    PROFILE["step"] = args.profile
    with sandbox_server():
        return bench(ads=args.ads, trace=args.tracemalloc, alert_band=args.alert_band)


# --- output ------------------------------------------------------------------------------------


def pretty(report: dict) -> None:
    print(f"{report['ads']} ads {report['accounts']} on {report['database']} (seeded in {report['seed_s']} s); "
          f"checks ok: {report['checks']['ok']}")
    print(f"{'step':<22}{'wall s':>9}{'cpu s':>8}{'SQL':>7}{'HTTP':>7}{'min':>7}  notes")
    for phase, data in report["phases"].items():
        for name, step in data["steps"].items():
            note = step.get("error") or json.dumps(step["result"], default=str)
            print(f"  {name:<20}{step['wall_s']:>9.2f}{step['cpu_s']:>8.2f}{step['sql_queries']:>7}{step['http_calls']:>7}"
                  f"{step['http_min']:>7}  {note[:70]}")
        print(f"{phase:<22}{data['wall_s']:>9.2f}{data['cpu_s']:>8.2f}{data['sql_queries']:>7}{data['http_calls']:>7}{data['http_min']:>7}")
    total = report["total"]
    print(f"{'total':<22}{total['wall_s']:>9.2f}{total['cpu_s']:>8.2f}{total['sql_queries']:>7}{total['http_calls']:>7}{total['http_min']:>7}")
    print(f"peak RSS {report['peak_rss_mb']} MB (process), {report['cycle_peak_rss_mb']} MB during the cycle "
          f"(from {report['rss_before_cycle_mb']} MB); tracemalloc peak {report['tracemalloc_peak_mb']} MB")
    if not report["checks"]["ok"]:
        print(f"checks: expected {report['checks']['expected']}, got {report['checks']['got']}")


def growth(reports: list[dict]) -> dict:
    """Each run against the smallest: N ×, wall ×, wall per ad ×; each step's wall, SQL and HTTP
    (against its minimum) per N; the SQL sites whose count grows from the smallest N to the largest."""
    reports = sorted(reports, key=lambda r: r["ads"])
    base = reports[0]
    runs, steps, growing = [], {}, {}
    for report in reports:
        total = report["total"]
        runs.append({
            "ads": report["ads"], "alert_band": report.get("alert_band", True), "wall_s": total["wall_s"],
            "ms_per_ad": round(1000 * total["wall_s"] / report["ads"], 3), "n_ratio": round(report["ads"] / base["ads"], 2),
            "wall_ratio": round(total["wall_s"] / base["total"]["wall_s"], 2),
            "per_ad_ratio": _per_ad_ratio(report, base, total, base["total"]),
            "phases_wall_s": {phase: data["wall_s"] for phase, data in report["phases"].items()},
            "sql_queries": total["sql_queries"],
            "phases_sql": {phase: data["sql_queries"] for phase, data in report["phases"].items()},
            "http_calls": total["http_calls"], "http_min": total["http_min"], "cycle_peak_rss_mb": report["cycle_peak_rss_mb"],
            "peak_rss_mb": report["peak_rss_mb"], "checks_ok": report["checks"]["ok"],
            "errors": {name: step["error"] for name, step in _steps_of(report).items() if "error" in step},
        })
    for phase, data in base["phases"].items():
        for name in data["steps"]:
            runs_of = [r["phases"][phase]["steps"][name] for r in reports]
            steps[name] = {
                "wall_s": [step["wall_s"] for step in runs_of], "sql_queries": [step["sql_queries"] for step in runs_of],
                "sql_reads": [step["sql_by_statement"].get("SELECT", 0) for step in runs_of],
                "http_calls": [step["http_calls"] for step in runs_of], "http_min": [step["http_min"] for step in runs_of],
                "per_ad_ratio": _per_ad_ratio(reports[-1], base, runs_of[-1], runs_of[0]),
                "failed_at": [r["ads"] for r, step in zip(reports, runs_of, strict=True) if "error" in step],
            }
            for site in set().union(*(step["sql_sites"] for step in runs_of)):
                counts = [step["sql_sites"].get(site, 0) for step in runs_of]
                if counts[-1] > counts[0]:
                    growing[f"{name}: {site}"] = counts
    return {"runs": runs, "steps": steps, "sql_sites_growing": dict(sorted(growing.items(), key=lambda item: -item[1][-1]))}


def _steps_of(report: dict) -> dict[str, dict]:
    return {name: step for phase in report["phases"].values() for name, step in phase["steps"].items()}


def _per_ad_ratio(report: dict, base: dict, part: dict, base_part: dict) -> float | None:
    if not base_part["wall_s"]:
        return None
    return round((part["wall_s"] / report["ads"]) / (base_part["wall_s"] / base["ads"]), 2)


def growth_print(table: dict) -> None:
    runs = table["runs"]
    if len({row["alert_band"] for row in runs}) > 1:
        print("WARNING: runs with and without --alert-band are not comparable")
    print(f"{'ads':>7}{'wall s':>9}{'ms/ad':>8}{'N ×':>7}{'wall ×':>8}{'per-ad ×':>9}  {'wall s ingest/evaluate/optimize':<32}"
          f"{'SQL':>7}  {'SQL by phase':<18}{'HTTP':>7}{'min':>7}{'RSS MB':>8}")
    for row in runs:
        walls = "/".join(f"{v:.1f}" for v in row["phases_wall_s"].values())
        sqls = "/".join(str(v) for v in row["phases_sql"].values())
        print(f"{row['ads']:>7}{row['wall_s']:>9.1f}{row['ms_per_ad']:>8.2f}{row['n_ratio']:>7}{row['wall_ratio']:>8}"
              f"{row['per_ad_ratio']:>9}  {walls:<32}{row['sql_queries']:>7}  {sqls:<18}{row['http_calls']:>7}"
              f"{row['http_min']:>7}{row['cycle_peak_rss_mb'] or '-':>8}")
        for step, error in row["errors"].items():
            print(f"        {step} failed: {error[:110]}")
        if not row["checks_ok"]:
            print("        checks failed: see the run's JSON (checks.expected / checks.got)")
    print(f"\n{'step':<20}{'wall s':<26}{'per-ad ×':>9}  {'SQL':<22}{'HTTP / min':<34}")
    for name, step in table["steps"].items():
        walls = " / ".join(f"{v:.2f}" for v in step["wall_s"])
        sqls = " / ".join(str(v) for v in step["sql_queries"])
        http = " / ".join(f"{c}:{m}" for c, m in zip(step["http_calls"], step["http_min"], strict=True))
        flat = "  reads grow" if len(set(step["sql_reads"])) > 1 else "  writes grow" if len(set(step["sql_queries"])) > 1 else ""
        above = "" if step["http_calls"] == step["http_min"] else "  HTTP above min"
        if step["failed_at"]:
            flat, above = f"  failed at N = {', '.join(map(str, step['failed_at']))}", ""
        ratio = "-" if step["per_ad_ratio"] is None else step["per_ad_ratio"]
        print(f"{name:<20}{walls:<26}{ratio:>9}  {sqls:<22}{http:<34}{flat}{above}")
    if table["sql_sites_growing"]:
        print("\nSQL statements whose count grows with N (smallest … largest N):")
        for site, counts in table["sql_sites_growing"].items():
            print(f"  {counts}  {site}")


def compare(args: argparse.Namespace) -> int:
    reports = []
    for ads in (int(n) for n in args.compare.split(",")):
        command = [
            sys.executable, __file__, "--ads", str(ads), "--db", args.db, "--json",
            "--alert-band" if args.alert_band else "--no-alert-band", *(["--tracemalloc"] if args.tracemalloc else []),
        ]
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
        if done.returncode:
            print(f"--ads {ads} failed with status {done.returncode}", file=sys.stderr)
            return done.returncode
        reports.append(json.loads(done.stdout))
    report_print(growth(reports), as_json=args.json, pretty=growth_print)
    return 0


def main() -> int:
    args = parse_args()
    if args.table:
        reports = [json.loads(Path(name).read_text()) for name in args.table]
        report_print(growth(reports), as_json=args.json, pretty=growth_print)
        return 0
    if args.compare:
        return compare(args)
    return bench_main(
        script="bench/cycle.py", args=args, run=run, pretty=pretty, db_name=args.db, migrate=False,
        needs=f"(a throwaway database, {args.db}, is created and dropped)",
    )


if __name__ == "__main__":
    sys.exit(main())
