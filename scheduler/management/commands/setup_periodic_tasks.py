"""Seed the beat schedule. Idempotent: rows are matched by their stable names and created or
brought to the task path they must run; a schedule a manager edited in admin is kept."""

import json

from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

# name → (task, every N hours or (N, period), expires after seconds, why this cadence). Each run expires
# before the next is due, so a backlog after an outage never runs a step twice in a row.
SCHEDULE = {
    "Pull TikTok reports": (
        "analytics.pull_reports",
        6,
        5 * 3600,
        # PRD §15.1 default; four pulls a day keep alerts fresh while late conversions settle.
    ),
    "Evaluate budgets": (
        "scheduler.evaluate_budgets",
        24,
        20 * 3600,
        # PRD §15.1 default: budgets once a day, the most TikTok's delivery can react to (a
        # budget change restarts pacing) and the guardrail of one change per ad group per day.
        # Hit-stage scaling (§15.3, "every 24 h") runs in the same task, after the rule.
    ),
    "Check stages": (
        "scheduler.check_stages",
        24,
        20 * 3600,
        # PRD §15.1 default: the thresholds count whole days (impressions, CTR stability, ROAS
        # for N consecutive days), so judging more often than daily sees nothing new.
    ),
    "Pull organic account stats": (
        "analytics.pull_account_stats",
        6,
        5 * 3600,
        # Track A beside the paid reports, at their cadence: the platforms restate the last days'
        # views, so four pulls a day keep the organic section as fresh as the ads one.
    ),
    "Publish due posts": (
        "campaigns.publish_due",
        (5, IntervalSchedule.MINUTES),
        4 * 60,
        # Track A: posts for a provider that cannot schedule are held by us and go out within
        # 5 minutes of their time; the same run finishes the posts still processing.
    ),
    "Run the optimization loop": (
        "optimization.run_loop",
        72,
        60 * 3600,
        # PRD §15.1 default: every 3 days, long enough for new variants to gather the evidence
        # winner selection needs before the next round of breakdowns and variants.
    ),
}


class Command(BaseCommand):
    help = "Create the periodic tasks (beat) with the PRD's default cadences; never deletes or resets edits."

    @transaction.atomic
    def handle(self, *args, **options):
        for name, (task, every, expires) in SCHEDULE.items():
            # `every`: N hours, or (N, IntervalSchedule period) for anything else.
            every, period = every if isinstance(every, tuple) else (every, IntervalSchedule.HOURS)
            interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
            periodic, created = PeriodicTask.objects.get_or_create(
                name=name, defaults={"task": task, "interval": interval, "expire_seconds": expires, "kwargs": json.dumps({})}
            )
            if not created and periodic.task != task:
                # The code renamed the task: follow it, but keep the manager's schedule.
                periodic.task = task
                periodic.save(update_fields=["task"])
            self.stdout.write(f"{'created' if created else 'kept'}: {name} → {periodic.task} every {periodic.interval}")
        PeriodicTasks.update_changed()
