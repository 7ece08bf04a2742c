"""Admin: the queue with status filters and its lineage, the read-only breakdowns, the one settings row."""

from decimal import Decimal

import pytest
from django.urls import reverse

from optimization.models import OptimizationQueue, OptimizationSettings, ScriptBreakdown

from .conftest import perform

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(local_ad, winner_job):
    source = perform(local_ad(), roas=3.0)
    breakdown = ScriptBreakdown.objects.create(
        source_job=source.job, source_ad=source, hook_type="number", hook_reason="“3 reasons”", selling_point_logic="numbers first",
        cta_style="direct", pacing=[0.6, 0.8, 0.8, 0.8], pacing_style="fast hook",
        template={"slots": [{"role": "hook", "duration_s": 0.6, "purpose": "Promise a number"}]},
    )
    variant = winner_job(parent=source.job)
    return OptimizationQueue.objects.create(
        source_ad=source, job=variant, breakdown=breakdown, new_batch_id="opt-1", status=OptimizationQueue.Status.PENDING,
        estimated_cost=Decimal("150.00"),
    )


def test_the_queue_lists_and_filters_by_status(admin_client, item):
    url = reverse("admin:optimization_optimizationqueue_changelist")

    pending = admin_client.get(url, {"status__exact": "pending"}).content.decode()
    launched = admin_client.get(url, {"status__exact": "launched"}).content.decode()

    assert f'value="{item.pk}"' in pending and f'value="{item.pk}"' not in launched
    assert "Approve and launch selected variants" in pending and "Retry selected failed items" in pending


def test_an_items_page_shows_its_video_breakdown_parent_roas_and_lineage(admin_client, item):
    html = admin_client.get(reverse("admin:optimization_optimizationqueue_change", args=[item.pk])).content.decode()

    assert "<video" in html and item.job.video.url in html
    assert "numbers first" in html and "fast hook" in html
    assert str(item.job.job_id)[:8] in html and str(item.source_ad.job.job_id)[:8] in html  # the variant under its parent
    assert "3.00" in html  # the parent's ROAS


def test_breakdowns_are_read_only(admin_client, item):
    breakdown = item.breakdown
    html = admin_client.get(reverse("admin:optimization_scriptbreakdown_change", args=[breakdown.pk])).content.decode()

    assert "Promise a number" in html and 'name="_save"' not in html
    assert admin_client.get(reverse("admin:optimization_scriptbreakdown_add")).status_code == 403


def test_settings_are_one_row_edited_with_validation(admin_client):
    listing = admin_client.get(reverse("admin:optimization_optimizationsettings_changelist")).content.decode()
    change = reverse("admin:optimization_optimizationsettings_change", args=[1])
    assert f'href="{change}"' in listing  # the one row, with the defaults

    data = {"winner_roas_multiple": "1.30", "min_running_days": "4", "variants_per_winner": "6", "variant_daily_budget": "50.00",
            "max_winners_per_run": "5"}
    refused = admin_client.post(change, data)
    assert refused.status_code == 200 and OptimizationSettings.objects.get().variants_per_winner == 3

    admin_client.post(change, {**data, "variants_per_winner": "5"})
    row = OptimizationSettings.objects.get()
    assert (row.winner_roas_multiple, row.min_running_days, row.variants_per_winner) == (Decimal("1.30"), 4, 5)
    assert admin_client.get(reverse("admin:optimization_optimizationsettings_add")).status_code == 403
