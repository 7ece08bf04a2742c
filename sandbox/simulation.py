"""`manage.py simulate`: the whole loop, day by day, against the sandbox's simulated market.

Each simulated day runs exactly what beat runs in production, in the same order a day of
beat would: the market delivers the day (the clock moves on), then the report pull (with
its alerts), the budget evaluation (with hit-stage scaling), the stage check and, every
third day, the optimization loop — the very Celery tasks, run eagerly in this process.

Before the first day the world is made ready, idempotently: every product's finished
videos that never ran are launched in the launch stage, and each launched creative's
script is registered with the market (hook type, CTA, pacing, selling-point order, price,
and its parent for a variant), so the market judges the script rather than a hash of the
video id. A creative made during the run (a variant) is registered the day it appears.

The figures: spend and revenue per day are adloop's own PerformanceDaily after one last
pull at the end, so late conversions the market attributed afterwards are counted; the
actions per day are the ActionLog entries the day's tasks wrote.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connections
from django.db.models import Max, Sum

from analytics.models import PerformanceDaily
from campaigns.errors import CampaignError
from campaigns.models import Ad, AdvertiserAccount, Campaign, OperationStatus, Stage, UploadedVideo
from campaigns.services import ad_launch
from creatives.models import VideoJob
from scheduler.models import ActionLog
from scheduler.services import Actor

from .market.clock import market_today
from .market.engine import market_advance_day
from .market.params import market_configure
from .market.quality import features_from_script, register_creative
from .models import SbCreativeProfile

CENT = Decimal("0.01")
DEFAULT_LAUNCH_BUDGET = Decimal("50.00")
OPTIMIZE_EVERY_DAYS = 3  # the beat default of the optimization loop (PRD §15.1)


class SimulationError(Exception):
    """The world cannot be simulated as it is (no connected advertiser, nothing to launch)."""


@dataclass
class DayFigures:
    day: int
    date: str
    spend: Decimal = Decimal("0.00")
    revenue: Decimal = Decimal("0.00")
    impressions: int = 0
    conversions: int = 0
    actions: dict[str, int] = field(default_factory=dict)
    stage_changes: list[dict] = field(default_factory=list)

    @property
    def roas(self) -> float | None:
        return round(float(self.revenue / self.spend), 4) if self.spend else None

    @property
    def profit(self) -> Decimal:
        return self.revenue - self.spend

    def line(self) -> str:
        roas = f"{self.roas:.2f}" if self.roas is not None else "-"
        actions = ", ".join(f"{name} {count}" for name, count in sorted(self.actions.items())) or "no actions"
        stages = "; ".join(f"{c['product']}: {c['from']} → {c['to']}" for c in self.stage_changes)
        return (
            f"day {self.day:>2} {self.date}: spend {self.spend:,.2f}, revenue {self.revenue:,.2f}, ROAS {roas}, "
            f"{self.impressions:,} impressions, {self.conversions} conversions; {actions}" + (f"; stage: {stages}" if stages else "")
        )

    def as_json(self) -> dict:
        return {
            "day": self.day, "date": self.date, "spend": float(self.spend), "revenue": float(self.revenue), "roas": self.roas,
            "profit": float(self.profit), "impressions": self.impressions, "conversions": self.conversions,
            "actions": dict(sorted(self.actions.items())), "stage_changes": self.stage_changes,
        }


@dataclass
class SimulationResult:
    seed: int
    start: dt.date
    launched: int
    per_day: list[DayFigures]

    @property
    def spend(self) -> Decimal:
        return sum((d.spend for d in self.per_day), Decimal("0.00"))

    @property
    def revenue(self) -> Decimal:
        return sum((d.revenue for d in self.per_day), Decimal("0.00"))

    @property
    def actions(self) -> dict[str, int]:
        total = Counter()
        for day in self.per_day:
            total.update(day.actions)
        return dict(sorted(total.items()))

    @property
    def stage_changes(self) -> list[dict]:
        return [change for day in self.per_day for change in day.stage_changes]

    def as_json(self) -> dict:
        spend, revenue = self.spend, self.revenue
        return {
            "days": len(self.per_day),
            "seed": self.seed,
            "start": self.start.isoformat(),
            "launched": self.launched,
            "spend": float(spend),
            "revenue": float(revenue),
            "roas": round(float(revenue / spend), 4) if spend else None,
            "profit": float(revenue - spend),
            "actions": self.actions,
            "stage_changes": self.stage_changes,
            "per_day": [day.as_json() for day in self.per_day],
        }


def simulate(
    *,
    days: int,
    seed: int,
    launch_budget: Decimal = DEFAULT_LAUNCH_BUDGET,
    optimize_every: int = OPTIMIZE_EVERY_DAYS,
    approve: bool = True,
    on_day: Callable[[DayFigures], None] | None = None,
) -> SimulationResult:
    """Run `days` simulated days of the loop on market seed `seed`. The sandbox's TikTok API
    must be reachable at settings.TIKTOK_ADS_BASE_URL (see `sandbox_server`). With `approve`,
    a simulated marketer approves every variant waiting in the queue at the end of each day
    (manual mode); in auto mode the loop launches them itself."""
    if days < 1:
        raise SimulationError("days must be at least 1")
    advertisers = list(AdvertiserAccount.objects.filter(status=AdvertiserAccount.Status.CONNECTED).order_by("pk"))
    if not advertisers:
        raise SimulationError("no connected advertiser: run `manage.py seed_demo` or connect one in admin")
    market_configure(seed=seed)
    start = market_today()
    with _inline_tasks():
        launched = sum(launch_pending(advertiser=advertiser, budget=launch_budget) for advertiser in advertisers)
        if not Campaign.objects.filter(status=OperationStatus.ENABLE).exists():
            raise SimulationError("nothing runs: no finished video to launch (render some, or run `manage.py seed_demo`)")
        per_day = []
        for index in range(1, days + 1):
            creatives_register()
            delivered = market_advance_day()
            since = ActionLog.objects.aggregate(last=Max("pk"))["last"] or 0
            _run_day(index, optimize_every)
            if approve:
                _approve_pending()
            figures = DayFigures(day=index, date=delivered.date.isoformat())
            _actions_of(figures, since)
            _figures_of([figures], start)  # as reported so far; restated below after the last pull
            per_day.append(figures)
            if on_day is not None:
                on_day(figures)
        _task("analytics.pull_reports")  # late conversions of the last days
        _figures_of(per_day, start)
    return SimulationResult(seed=seed, start=start, launched=launched, per_day=per_day)


def launch_pending(*, advertiser: AdvertiserAccount, budget: Decimal) -> int:
    """Launch, in the launch stage, every finished video of a product that has none running
    for this advertiser yet. Idempotent: a creative that ever had an ad is left alone."""
    ever_launched = set(Ad.objects.filter(adgroup__campaign__advertiser=advertiser).values_list("job_id", flat=True))
    running = set(
        Campaign.objects.filter(advertiser=advertiser, status=OperationStatus.ENABLE).values_list("product_id", flat=True)
    )
    jobs = (
        VideoJob.objects.filter(status=VideoJob.Status.DONE, parent__isnull=True)
        .exclude(pk__in=ever_launched)
        .exclude(product_id__in=running)
        .exclude(video="")
        .select_related("product")
        .order_by("product_id", "created_at", "pk")
    )
    count = 0
    for job in jobs:
        try:
            ad_launch(job=job, advertiser=advertiser, stage=Stage.LAUNCH, budget=budget, actor=Actor.auto(), reason="simulate: first test")
        except CampaignError:
            continue  # logged by the service (ActionLog, failed); the rest still launch
        count += 1
    return count


def creatives_register() -> int:
    """Tell the market the script features of every uploaded creative it does not know yet."""
    known = set(SbCreativeProfile.objects.filter(registered=True).values_list("video_id", flat=True))
    uploads = (
        UploadedVideo.objects.exclude(video_id="").select_related("job__product", "job__parent").order_by("pk")
    )
    count = 0
    for upload in uploads:
        job = upload.job
        if job.job_id.hex in known:
            continue
        product = job.product
        features = features_from_script(
            job.script or {}, price=float(product.price) if product.price else None,
            selling_points=list(product.selling_points or []), product=product.name,
        )
        # The same script is the same creative in every run of a seed, whatever its random job id.
        script = json.dumps(job.script or {}, sort_keys=True, ensure_ascii=False).encode()
        features["identity"] = f"{product.name}:{hashlib.sha1(script).hexdigest()[:16]}"
        register_creative(video_id=job.job_id.hex, features=features, parent_video_id=job.parent.job_id.hex if job.parent else None)
        known.add(job.job_id.hex)
        count += 1
    return count


def _run_day(index: int, optimize_every: int) -> None:
    _task("analytics.pull_reports")
    _task("scheduler.evaluate_budgets")
    _task("scheduler.check_stages")
    if optimize_every and index % optimize_every == 0:
        _task("optimization.run_loop", required=False)


def _approve_pending() -> int:
    """The simulated marketer: approve what waits in the optimization queue, as on /optimization/."""
    from optimization.selectors import queue_pending
    from optimization.services.queue import queue_item_approve

    marketer = Actor.of(None)  # a person, not the automation; no login behind it
    items = list(queue_pending())
    for item in items:
        queue_item_approve(item=item, actor=marketer)
    return len(items)


def _task(name: str, *, required: bool = True) -> None:
    from adloop.celery import app

    app.loader.import_default_modules()  # autodiscovery: every installed app's tasks.py
    task = app.tasks.get(name)
    if task is None:
        if required:
            raise SimulationError(f"task {name} is not registered")
        return
    task.apply(throw=True)


def _actions_of(figures: DayFigures, since: int) -> None:
    entries = ActionLog.objects.filter(pk__gt=since)
    counts = Counter()
    for action, outcome in entries.values_list("action", "outcome"):
        if outcome == ActionLog.Outcome.DONE:
            counts[action] += 1
        elif outcome == ActionLog.Outcome.WOULD_DO:
            counts[f"would_{action}"] += 1
        else:
            counts[f"{action}_failed"] += 1
    figures.actions = dict(counts)
    changes = entries.filter(action="stage_change", outcome=ActionLog.Outcome.DONE).select_related("campaign__product")
    figures.stage_changes = [
        {
            "day": figures.day, "date": figures.date,
            "product": entry.campaign.product.name if entry.campaign and entry.campaign.product else "",
            "from": entry.before.get("stage"), "to": entry.after.get("stage"), "actor": entry.actor,
        }
        for entry in changes.order_by("pk")
    ]


def _figures_of(per_day: list[DayFigures], start: dt.date) -> None:
    dates = {dt.date.fromisoformat(d.date): d for d in per_day}
    rows = (
        PerformanceDaily.objects.filter(date__in=list(dates))
        .values("date")
        .annotate(spend=Sum("spend"), revenue=Sum("conversion_value"), impressions=Sum("impressions"), conversions=Sum("conversions"))
    )
    for row in rows:
        figures = dates[row["date"]]
        figures.spend = Decimal(row["spend"] or 0).quantize(CENT)
        figures.revenue = Decimal(row["revenue"] or 0).quantize(CENT)
        figures.impressions = int(row["impressions"] or 0)
        figures.conversions = int(row["conversions"] or 0)


@contextlib.contextmanager
def _inline_tasks() -> Iterator[None]:
    """Run every task in this process, in order, whatever broker the settings name."""
    from adloop.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates, settings.EMBEDDED_WORKER_THREADS)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    settings.EMBEDDED_WORKER_THREADS = 0
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates, settings.EMBEDDED_WORKER_THREADS = saved


@contextlib.contextmanager
def sandbox_server() -> Iterator[str]:
    """Serve this project (hence the sandbox's TikTok and Ark APIs) on a free local port for the
    duration, with the clients pointed at it; yields the base URL."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        # Headers and body go out in two writes: without this, each answer waits ~40 ms for the
        # client's delayed ACK (Nagle), which would dominate a simulated day.
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, name="simulate-sandbox", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    names = ("TIKTOK_ADS_BASE_URL", "TIKTOK_ADS_AUTH_URL", "SEEDANCE_BASE_URL")
    saved = {name: getattr(settings, name) for name in names}
    for name, value in saved.items():
        setattr(settings, name, url + value[len(settings.SITE_URL):] if value.startswith(settings.SITE_URL) else value)
    try:
        yield url
    finally:
        for name, value in saved.items():
            setattr(settings, name, value)
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        connections.close_all()


def uses_builtin_sandbox() -> bool:
    return settings.TIKTOK_ADS_BASE_URL.startswith(settings.SITE_URL)

