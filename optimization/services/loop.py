"""One run of the optimization loop for one advertiser (the every-3-days beat task, PRD 15.1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from campaigns.models import AdvertiserAccount
from optimization.models import OptimizationQueue
from optimization.selectors import winners_select

from .config import optimization_settings_ensure
from .queue import queue_items_advance
from .variants import winner_clone


@dataclass
class RunReport:
    advanced: int = 0
    winners: list[int] = field(default_factory=list)  # source ad pks
    items: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        statuses = list(OptimizationQueue.objects.filter(pk__in=self.items).values_list("status", flat=True))
        return {"advanced": self.advanced, "winners": len(self.winners), "variants": len(self.items),
                **{status: statuses.count(status) for status in sorted(set(statuses))}}


def optimization_run(*, advertiser: AdvertiserAccount, day: dt.date | None = None) -> RunReport:
    """Clone the day's winners: breakdown → variants → one rendered batch each → queue (or launch,
    in auto mode); and advance what earlier runs left (finished renders, held auto launches).
    Winners are chosen before that sweep, so variants it launches now keep their source from
    being cloned again in the same run: they get a cycle to show what they do."""
    config = optimization_settings_ensure()
    winners = winners_select(advertiser=advertiser, config=config, day=day)
    report = RunReport(advanced=queue_items_advance(advertiser=advertiser))
    for winner in winners:
        report.winners.append(winner.ad.pk)
        report.items += [item.pk for item in winner_clone(winner=winner, config=config)]
    return report
