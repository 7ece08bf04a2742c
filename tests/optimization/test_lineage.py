"""A creative's lineage: ancestors back to the first creative, descendants forward, each with
its ROAS over all its ads (PRD 14.3)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from optimization.selectors import lineage, lineages

from .conftest import perform

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(winner_job, local_ad):
    """grandparent → parent → (child a → grandchild, child b)"""
    grandparent = winner_job()
    parent = winner_job(parent=grandparent)
    child_a, child_b = winner_job(parent=parent), winner_job(parent=parent)
    grandchild = winner_job(parent=child_a)
    perform(local_ad(job=grandparent), roas=2.0)
    perform(local_ad(job=parent), roas=3.0)
    perform(local_ad(job=parent), roas=5.0)  # the same creative as a second ad: ROAS over both
    perform(local_ad(job=child_a), roas=4.5)
    return grandparent, parent, child_a, child_b, grandchild


def test_it_walks_back_to_the_ancestors_and_forward_to_the_descendants_with_their_roas(family):
    grandparent, parent, child_a, child_b, grandchild = family

    result = lineage(child_a)

    assert [(n.job, n.generation, n.depth) for n in result.nodes] == [
        (grandparent, -2, 0), (parent, -1, 1), (child_a, 0, 2), (grandchild, 1, 3),
    ]
    roas = {node.job: node.roas for node in result.nodes}
    assert roas[grandparent] == pytest.approx(2.0) and roas[parent] == pytest.approx(4.0) and roas[child_a] == pytest.approx(4.5)
    assert roas[grandchild] is None  # not launched yet: no evidence, not zero
    assert [n.job for n in result.ancestors] == [grandparent, parent] and [n.job for n in result.descendants] == [grandchild]
    assert {n.job: n.performance.ads for n in result.nodes}[parent] == 2


def test_descendants_come_depth_first_under_their_parent(family):
    grandparent, parent, child_a, child_b, grandchild = family

    result = lineage(grandparent)

    assert [(n.job, n.generation) for n in result.nodes] == [
        (grandparent, 0), (parent, 1), (child_a, 2), (grandchild, 3), (child_b, 2),
    ]


def test_many_lineages_cost_one_query_per_generation_not_per_job(family, winner_job):
    grandparent, parent, child_a, child_b, grandchild = family
    with CaptureQueriesContext(connection) as two:
        lineages([child_a, child_b])
    with CaptureQueriesContext(connection) as five:
        found = lineages([grandparent, parent, child_a, child_b, grandchild])

    assert len(found) == 5 and [n.job for n in found[child_b.pk].nodes] == [grandparent, parent, child_b]
    # up: 2 generations; down: 2 with children and 1 empty; and the performance
    assert len(five.captured_queries) <= 6 and len(two.captured_queries) <= 6
