import pytest
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

pytestmark = pytest.mark.django_db


def test_it_seeds_the_report_pull_every_6_hours():
    call_command("setup_periodic_tasks")

    task = PeriodicTask.objects.get(name="Pull TikTok reports")
    assert task.task == "analytics.pull_reports"
    assert (task.interval.every, task.interval.period) == (6, IntervalSchedule.HOURS)


def test_running_it_again_keeps_a_managers_edit_and_adds_no_duplicate():
    call_command("setup_periodic_tasks")
    task = PeriodicTask.objects.get(name="Pull TikTok reports")
    task.interval = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.HOURS)
    task.save()

    call_command("setup_periodic_tasks")

    assert PeriodicTask.objects.filter(name="Pull TikTok reports").count() == 1
    assert PeriodicTask.objects.get(name="Pull TikTok reports").interval.every == 2
