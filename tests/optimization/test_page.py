"""optimization.html without HTTP to the sandbox: what it shows, and a query count that does
not grow with the number of variants."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from optimization.models import OptimizationQueue
from optimization.services import optimization_settings_ensure
from scheduler.services_settings import strategy_global_ensure

from .conftest import perform

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(local_ad, winner_job):
    source = perform(local_ad(), roas=3.0)

    def make(n):
        return [
            OptimizationQueue.objects.create(
                source_ad=source, job=winner_job(parent=source.job), new_batch_id="opt-x", estimated_cost=Decimal("150.00"),
                status=OptimizationQueue.Status.PENDING,
            )
            for _ in range(n)
        ]

    return make


def test_the_page_costs_the_same_queries_for_1_or_6_variants(admin_client, pending):
    optimization_settings_ensure()
    strategy_global_ensure()
    pending(1)
    with CaptureQueriesContext(connection) as one:
        assert admin_client.get(reverse("optimization:queue")).status_code == 200
    pending(5)
    with CaptureQueriesContext(connection) as six:
        html = admin_client.get(reverse("optimization:queue")).content.decode()

    assert html.count("<video") == 6
    assert len(six.captured_queries) == len(one.captured_queries)


def test_the_page_warns_when_the_kill_switch_or_dry_run_holds_launches(admin_client, pending, strategy):
    pending(1)
    strategy(kill_switch=True)
    assert 'id="kill-switch"' in admin_client.get(reverse("optimization:queue")).content.decode()

    strategy(kill_switch=False, dry_run=True)
    html = admin_client.get(reverse("optimization:queue")).content.decode()
    assert 'id="dry-run"' in html and 'id="kill-switch"' not in html


def test_the_page_states_the_cost_formula_and_the_settings(admin_client):
    html = admin_client.get(reverse("optimization:queue")).content.decode()

    assert "50.00 × 3 test days = 150.00" in html and "1.20 × target ROAS" in html
    assert "No variant is waiting for approval." in html


def test_a_bad_post_changes_nothing(admin_client, pending):
    [item] = pending(1)

    response = admin_client.post(reverse("optimization:decide"), {"action": "launch-everything", "items": [item.pk]}, follow=True)

    assert "Choose at least one item and an action." in response.content.decode()
    assert OptimizationQueue.objects.get(pk=item.pk).status == OptimizationQueue.Status.PENDING
