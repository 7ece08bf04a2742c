"""Smoke test of bench/cycle.py: one full cycle (report pull and alerts, budget rule, hit scaling,
stage check, winner selection) over a tiny account of 30 ads and one of 60, in the test database,
against the sandbox served by the live server over real HTTP.

On SQLite a bulk write is split at 999 parameters, so the statements that write grow with the
rows even where PostgreSQL takes them in one; what must not grow is the reads (SELECT) and the
HTTP calls, which these tests compare. The two cycles run once and are shared by the tests."""

import pytest

from bench import cycle

pytestmark = pytest.mark.django_db(transaction=True)

SMALL, LARGE = 30, 60
STEPS = {
    "ingest": ["performance_ingest", "alerts_evaluate"],
    "evaluate": ["budgets_evaluate", "hit_scale", "stages_check"],
    "optimize": ["winners_select"],
}
# Steps whose changes are per item (alert pauses, cap and bid raises): checked on their own below.
PER_ITEM = ("alerts_evaluate", "hit_scale")
_reports: dict[int, dict] = {}


def _report(ads: int) -> dict:
    """The cycle over `ads` ads (each size seeded as its own advertiser, so both can share a database)."""
    if ads not in _reports:
        _reports[ads] = cycle.bench(ads=ads, index=ads)
    return _reports[ads]


def _steps(report: dict) -> dict[str, dict]:
    return {name: step for phase in report["phases"].values() for name, step in phase["steps"].items()}


def test_the_cycle_reports_every_phase_and_does_the_seeded_work(sandbox_http):
    report = _report(SMALL)

    assert report["ads"] == SMALL
    assert {phase: list(data["steps"]) for phase, data in report["phases"].items()} == STEPS
    for data in [*report["phases"].values(), report["total"]]:
        assert set(data) >= {"wall_s", "cpu_s", "sql_queries", "http_calls", "http_min"}
    assert report["total"]["sql_queries"] == sum(data["sql_queries"] for data in report["phases"].values())
    assert report["total"]["http_calls"] == sum(step["http_calls"] for step in _steps(report).values())
    assert report["peak_rss_mb"] > 0
    # What the seeded account asks of one cycle is what the sandbox and the services say was done.
    assert report["checks"]["ok"], report["checks"]
    assert all("error" not in step for step in _steps(report).values())


def test_reads_and_http_calls_do_not_grow_with_the_account(sandbox_http):
    small, large = _steps(_report(SMALL)), _steps(_report(LARGE))

    for name in small:
        if name in PER_ITEM:
            continue
        assert small[name]["sql_by_statement"].get("SELECT") == large[name]["sql_by_statement"].get("SELECT"), name
        assert (small[name]["http_calls"], large[name]["http_calls"]) == (small[name]["http_min"], large[name]["http_min"]), name
    # The report pull at 1,000 rows a page: 120 and 240 rows.
    assert (small["performance_ingest"]["http_calls"], large["performance_ingest"]["http_calls"]) == (1, 1)


def test_alerts_and_hit_scaling_do_not_grow_with_the_account(sandbox_http):
    small, large = _steps(_report(SMALL)), _steps(_report(LARGE))

    for name in PER_ITEM:
        assert small[name]["sql_by_statement"].get("SELECT") == large[name]["sql_by_statement"].get("SELECT"), name
    assert large["hit_scale"]["http_calls"] == large["hit_scale"]["http_min"]
