import json

import pytest
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

pytestmark = pytest.mark.django_db

# PRD §15.1 defaults: name → (task, every N hours)
EXPECTED = {
    "Pull TikTok reports": ("analytics.pull_reports", 6),
    "Evaluate budgets": ("scheduler.evaluate_budgets", 24),
    "Check stages": ("scheduler.check_stages", 24),
    "Run the optimization loop": ("optimization.run_loop", 72),
}


def test_it_seeds_the_report_pull_every_6_hours():
    call_command("setup_periodic_tasks")

    task = PeriodicTask.objects.get(name="Pull TikTok reports")
    assert task.task == "analytics.pull_reports"
    assert (task.interval.every, task.interval.period) == (6, IntervalSchedule.HOURS)


@pytest.mark.parametrize(("name", "task_name", "hours"), [(name, *spec) for name, spec in EXPECTED.items()])
def test_it_seeds_each_beat_task_with_the_prd_cadence_and_an_expiry_inside_it(name, task_name, hours):
    call_command("setup_periodic_tasks")

    task = PeriodicTask.objects.get(name=name)
    assert task.task == task_name and task.enabled
    assert (task.interval.every, task.interval.period) == (hours, IntervalSchedule.HOURS)
    assert 0 < task.expire_seconds < hours * 3600  # a run never lingers into the next one
    assert json.loads(task.kwargs) == {} and json.loads(task.args) == []


def test_the_tasks_it_names_are_found_by_the_worker():
    from adloop.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscover every app's tasks.py
    for task_name in ("scheduler.evaluate_budgets", "scheduler.check_stages", "analytics.pull_reports"):
        assert task_name in app.tasks


def test_running_it_again_keeps_a_managers_edit_and_adds_no_duplicate():
    call_command("setup_periodic_tasks")
    task = PeriodicTask.objects.get(name="Pull TikTok reports")
    task.interval = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.HOURS)
    task.save()

    call_command("setup_periodic_tasks")

    assert PeriodicTask.objects.filter(name="Pull TikTok reports").count() == 1
    assert PeriodicTask.objects.get(name="Pull TikTok reports").interval.every == 2


def test_running_it_again_keeps_every_row_and_edit_and_touches_no_other_task():
    call_command("setup_periodic_tasks")
    budgets = PeriodicTask.objects.get(name="Evaluate budgets")
    budgets.interval = IntervalSchedule.objects.create(every=12, period=IntervalSchedule.HOURS)
    budgets.enabled = False
    budgets.expire_seconds = 600
    budgets.save()
    own = PeriodicTask.objects.create(
        name="A manager's own task", task="analytics.pull_reports", interval=IntervalSchedule.objects.get(every=6, period="hours")
    )

    call_command("setup_periodic_tasks")

    assert sorted(PeriodicTask.objects.filter(name__in=EXPECTED).values_list("name", flat=True)) == sorted(EXPECTED)
    budgets.refresh_from_db()
    assert (budgets.interval.every, budgets.enabled, budgets.expire_seconds) == (12, False, 600)
    assert PeriodicTask.objects.filter(pk=own.pk).exists()


def test_a_row_pointing_at_an_old_task_path_is_brought_to_the_current_one():
    call_command("setup_periodic_tasks")
    PeriodicTask.objects.filter(name="Check stages").update(task="scheduler.old_name")

    call_command("setup_periodic_tasks")

    assert PeriodicTask.objects.get(name="Check stages").task == "scheduler.check_stages"
