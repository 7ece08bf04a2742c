"""Reads of the optimization loop: winners (PRD 14.1), the queue, and a creative's lineage with
the ROAS of every ancestor and descendant. Each runs a fixed number of queries, whatever the
number of ads: aggregates are grouped in SQL, lineages are walked a generation at a time."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum

from adloop import clock
from analytics.metrics import roas
from analytics.models import PerformanceDaily
from campaigns.models import Ad, AdvertiserAccount, OperationStatus, Stage
from creatives.models import VideoJob
from scheduler.services_settings import Strategy, strategies_for

from .models import OptimizationQueue, OptimizationSettings

Status = OptimizationQueue.Status
# While a source has items in these states, it is not cloned again.
ACTIVE = (Status.GENERATING, Status.PENDING, Status.APPROVED, Status.LAUNCHING)
DECIDED = (Status.APPROVED, Status.LAUNCHING, Status.LAUNCHED, Status.REJECTED, Status.FAILED)
# The launch stage buys views (CPV), so its ROAS is incidental; winners are judged where ROAS is the goal.
WINNER_STAGES = (Stage.HEAT, Stage.HIT)
# An uploaded video has no script to break down (the field's default {}; it is never NULL).
NO_SCRIPT = Q(ad__job__script={})
MAX_GENERATIONS = 25  # a lineage deeper than this is cut (a guard against a parent cycle made by hand)


@dataclass(frozen=True)
class Winner:
    ad: Ad
    roas: float
    spend: Decimal
    value: Decimal
    conversions: int
    days: int
    strategy: Strategy
    multiple: Decimal

    @property
    def threshold(self) -> Decimal:
        return self.multiple * self.strategy.target_roas

    def trigger(self) -> dict:
        return {
            "roas": round(self.roas, 4), "spend": self.spend, "conversion_value": self.value, "conversions": self.conversions,
            "days": self.days, "target_roas": self.strategy.target_roas, "multiple": self.multiple, "threshold": self.threshold,
        }


def winners_select(*, advertiser: AdvertiserAccount, config: OptimizationSettings, day: dt.date | None = None) -> list[Winner]:
    """Running ads in heat or hit campaigns whose lifetime ROAS is ≥ multiple × their target ROAS,
    with ≥ N days of delivery and the strategy's minimum spend and conversions; at most one ad per
    creative, none whose creative has no script or has variants still in the queue; best ROAS
    first, capped. Only the ads kept are loaded as objects."""
    day = day or clock.today(advertiser.timezone)
    rows = list(
        PerformanceDaily.objects.filter(
            ad__adgroup__campaign__advertiser=advertiser, ad__status=OperationStatus.ENABLE,
            ad__adgroup__status=OperationStatus.ENABLE, ad__adgroup__campaign__status=OperationStatus.ENABLE,
            ad__adgroup__campaign__stage__in=WINNER_STAGES, date__lte=day,
        )
        .exclude(NO_SCRIPT)
        .values("ad_id", "ad__job_id", "ad__adgroup__campaign_id")
        .annotate(
            days=Count("pk", filter=Q(spend__gt=0)),
            total_spend=Sum("spend"), total_value=Sum("conversion_value"), total_conversions=Sum("conversions"),
        )
        .filter(days__gte=config.min_running_days)
        .order_by()
    )
    if not rows:
        return []
    busy = set(OptimizationQueue.objects.filter(status__in=ACTIVE).values_list("source_ad__job_id", flat=True))
    strategies = strategies_for(campaigns={row["ad__adgroup__campaign_id"] for row in rows})
    best: dict[int, dict] = {}
    for row in rows:
        row.update(spend=row.pop("total_spend"), value=row.pop("total_value"), conversions=row.pop("total_conversions"))
        strategy = strategies[row["ad__adgroup__campaign_id"]]
        value = roas(row["value"], row["spend"])
        if value is None or row["ad__job_id"] in busy:
            continue
        if Decimal(str(value)) < config.winner_roas_multiple * strategy.target_roas:
            continue
        if row["spend"] < strategy.min_spend or row["conversions"] < strategy.min_conversions:
            continue
        row = {**row, "roas": value, "strategy": strategy}
        # Two running ads of one creative (during a stage switch): the better one speaks for it.
        kept = best.get(row["ad__job_id"])
        if kept is None or (row["roas"], row["spend"]) > (kept["roas"], kept["spend"]):
            best[row["ad__job_id"]] = row
    # Ranked on the light rows: only the ads kept are loaded.
    chosen = sorted(best.values(), key=lambda r: (-r["roas"], -r["spend"], r["ad_id"]))[: config.max_winners_per_run]
    ads = Ad.objects.select_related("job__product", "adgroup__campaign__advertiser").in_bulk([r["ad_id"] for r in chosen])
    return [
        Winner(
            ad=ads[r["ad_id"]], roas=r["roas"], spend=r["spend"], value=r["value"], conversions=r["conversions"], days=r["days"],
            strategy=r["strategy"], multiple=config.winner_roas_multiple,
        )
        for r in chosen
    ]


@dataclass(frozen=True)
class Performance:
    spend: Decimal = Decimal("0")
    value: Decimal = Decimal("0")
    conversions: int = 0
    ads: int = 0

    @property
    def roas(self) -> float | None:
        return roas(self.value, self.spend)


def performance_by_ad(ad_ids: Iterable[int]) -> dict[int, Performance]:
    """Each ad's lifetime totals, in one query."""
    rows = (
        PerformanceDaily.objects.filter(ad_id__in=set(ad_ids))
        .values("ad_id")
        .annotate(spend=Sum("spend"), value=Sum("conversion_value"), conversions=Sum("conversions"))
        .order_by()
    )
    return {r["ad_id"]: Performance(r["spend"], r["value"], r["conversions"], 1) for r in rows}


def performance_by_job(job_ids: Iterable[int]) -> dict[int, Performance]:
    """Each creative's lifetime totals over all its ads (every stage it ran in), in one query."""
    rows = (
        PerformanceDaily.objects.filter(ad__job_id__in=set(job_ids))
        .values("ad__job_id")
        .annotate(
            spend=Sum("spend"), value=Sum("conversion_value"), conversions=Sum("conversions"), ads=Count("ad_id", distinct=True)
        )
        .order_by()
    )
    return {r["ad__job_id"]: Performance(r["spend"], r["value"], r["conversions"], r["ads"]) for r in rows}


@dataclass(frozen=True)
class LineageNode:
    job: VideoJob
    generation: int  # relative to the job asked about: -1 its parent, 1 its variants
    depth: int  # from the oldest ancestor shown, for indentation
    performance: Performance

    @property
    def roas(self) -> float | None:
        return self.performance.roas


@dataclass
class Lineage:
    job: VideoJob
    nodes: list[LineageNode] = field(default_factory=list)  # oldest ancestor first, then depth-first

    @property
    def ancestors(self) -> list[LineageNode]:
        return [node for node in self.nodes if node.generation < 0]

    @property
    def descendants(self) -> list[LineageNode]:
        return [node for node in self.nodes if node.generation > 0]


def lineage(job: VideoJob) -> Lineage:
    return lineages([job])[job.pk]


def lineages(jobs: Iterable[VideoJob]) -> dict[int, Lineage]:
    """Ancestors and descendants of many jobs, each with its ROAS over all its ads: one query per
    generation up and down, plus one for the performance, however many jobs are asked about."""
    jobs = list(jobs)
    known: dict[int, VideoJob] = {job.pk: job for job in jobs}
    fields = ["pk", "job_id", "parent_id", "product_id", "status", "hook_type", "batch_id", "created_at", "video"]
    frontier = {job.parent_id for job in jobs if job.parent_id and job.parent_id not in known}
    for _ in range(MAX_GENERATIONS):
        if not frontier:
            break
        found = list(VideoJob.objects.filter(pk__in=frontier).only(*fields))
        known.update((job.pk, job) for job in found)
        frontier = {job.parent_id for job in found if job.parent_id and job.parent_id not in known}
    children: dict[int, list[VideoJob]] = defaultdict(list)
    frontier = {job.pk for job in jobs}
    seen = set(frontier)
    for _ in range(MAX_GENERATIONS):
        if not frontier:
            break
        found = list(VideoJob.objects.filter(parent_id__in=frontier).only(*fields).order_by("created_at", "pk"))
        for child in found:
            known.setdefault(child.pk, child)
            children[child.parent_id].append(child)
        frontier = {child.pk for child in found} - seen
        seen |= frontier
    performance = performance_by_job(known)
    return {job.pk: _walk(job, known, children, performance) for job in jobs}


def _walk(job: VideoJob, known: dict[int, VideoJob], children: dict[int, list[VideoJob]], performance) -> Lineage:
    chain = []
    current = job
    while current.parent_id and current.parent_id in known and len(chain) < MAX_GENERATIONS:
        current = known[current.parent_id]
        if current.pk == job.pk or current in chain:
            break
        chain.append(current)
    chain.reverse()
    result = Lineage(job=job)
    for depth, ancestor in enumerate(chain):
        result.nodes.append(LineageNode(ancestor, depth - len(chain), depth, performance.get(ancestor.pk, Performance())))
    stack = [(job, 0)]
    visited = set()
    while stack:
        node, generation = stack.pop()
        if node.pk in visited or generation > MAX_GENERATIONS:
            continue
        visited.add(node.pk)
        result.nodes.append(LineageNode(node, generation, len(chain) + generation, performance.get(node.pk, Performance())))
        stack.extend((child, generation + 1) for child in reversed(children.get(node.pk, [])))
    return result


def queue_pending() -> QuerySet[OptimizationQueue]:
    return (
        OptimizationQueue.objects.filter(status=Status.PENDING)
        .select_related(
            "job", "breakdown", "source_ad__job", "source_ad__adgroup__campaign__advertiser", "source_ad__adgroup__campaign__product"
        )
        .order_by("created_at", "pk")
    )


def queue_generating() -> QuerySet[OptimizationQueue]:
    return OptimizationQueue.objects.filter(status=Status.GENERATING).select_related("job", "source_ad").order_by("created_at", "pk")


def queue_recent(*, limit: int = 30) -> list[OptimizationQueue]:
    return list(
        OptimizationQueue.objects.filter(status__in=DECIDED)
        .select_related("job", "source_ad", "launched_ad", "decided_by", "source_ad__adgroup__campaign__advertiser")
        .order_by(F("decided_at").desc(nulls_last=True), "-created_at", "-pk")[:limit]
    )
