"""`simulate --compare`: static and oracle yardsticks beside adloop, each in a copy of one world."""

import datetime as dt
import io
import json
import tempfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from campaigns.models import AdGroup, OperationStatus
from sandbox.compare import ratios, summary_of
from sandbox.market.clock import market_reset
from sandbox.models import SbAdGroup
from sandbox.simulation import _inline_tasks
from sandbox.strategies import Expected, expected_of, oracle_plan, oracle_run, static_run
from scheduler.models import ActionLog

CEILING = Decimal("200.00")


def _expected(pk: int, roas: float, *, product: int = 1, win: float = 1.0, cpm: float = 10.0, cap=None) -> Expected:
    return Expected(adgroup=AdGroup(pk=pk, budget_cap=cap), roas=roas, win=win, cpm=cpm, product=product)


def test_the_oracle_funds_the_best_creatives_first_within_the_ceiling_and_the_audience():
    # Product 1's audience buys 200,000 impressions a day: 2,000 at a CPM of 10.
    plan = oracle_plan(
        [_expected(1, 1.5), _expected(2, 2.5, product=2), _expected(3, 0.9), _expected(4, 1.8, product=2, cpm=0.5)],
        Decimal("1000"), audience_size=2_000_000,
    )

    assert plan[2] == Decimal("1000.00")  # the best takes all it can: the ceiling
    assert plan[4] == plan[1] == Decimal("0")  # nothing left
    assert plan[3] == Decimal("0")  # below a dollar back per dollar: never funded


def test_the_oracle_moves_on_when_a_products_audience_is_used_up():
    # At a CPM of 0.5 product 1's audience (200,000 impressions) costs 100 a day.
    plan = oracle_plan(
        [_expected(1, 3.0, cpm=0.5), _expected(2, 2.0, cpm=0.5), _expected(3, 1.2, product=2)],
        Decimal("300"), audience_size=2_000_000,
    )

    assert plan[1] == Decimal("100.00")
    assert plan[2] == Decimal("0")  # same product: its audience is spent
    assert plan[3] == Decimal("200.00")
    assert sum(plan.values()) <= Decimal("300")


def test_the_oracle_keeps_the_ad_group_cap_and_tiktoks_minimum():
    plan = oracle_plan([_expected(1, 2.0, cap=Decimal("150")), _expected(2, 1.5, product=2)], Decimal("165"), audience_size=2_000_000)

    assert plan[1] == Decimal("150.00")
    assert plan[2] == Decimal("0")  # 15 left is under TikTok's minimum of 20


def test_ratios_are_none_against_a_loss():
    strategies = {"static": {"profit": -10.0}, "adloop": {"profit": 50.0}, "oracle": {"profit": 100.0}}

    assert ratios(strategies) == {"adloop_vs_static": None, "adloop_vs_oracle": 0.5}


def test_the_summary_takes_medians_over_seeds():
    def run(seed, static, adloop, oracle):
        strategies = {
            name: {"spend": 100.0, "revenue": 100.0 + profit, "roas": (100.0 + profit) / 100, "profit": profit}
            for name, profit in (("static", static), ("adloop", adloop), ("oracle", oracle))
        }
        return {"seed": seed, "strategies": strategies, **ratios(strategies)}

    summary = summary_of([run(1, 10, 20, 40), run(2, 10, 30, 40), run(3, 20, 20, 20)])

    assert summary["strategies"]["adloop"]["profit"] == 20
    assert summary["adloop_vs_static"] == 2.0  # median of 2, 3, 1
    assert summary["adloop_vs_oracle_per_seed"] == [0.5, 0.75, 1.0]


@pytest.mark.django_db(transaction=True)
class TestYardsticks:
    @pytest.fixture
    def world(self, product, scripted, advertiser, settings):
        market_reset(start=dt.date(2026, 3, 2), seed=11)
        settings.VOICEOVER = "off"
        advertiser.daily_spend_cap = CEILING
        advertiser.save()
        return scripted(product)

    def test_static_launches_every_creative_with_an_even_share_and_never_touches_them(self, sandbox_http, advertiser, world):
        with _inline_tasks():
            adgroups = static_run(advertiser=advertiser, days=3, ceiling=CEILING, launch_budget=Decimal("30.00"))

        assert len(adgroups) == len(world)
        share = min(Decimal("30.00"), (CEILING / len(world)).quantize(Decimal("0.01")))
        remote = {g.adgroup_id: g for g in SbAdGroup.objects.filter(adgroup_id__in=[a.adgroup_id for a in adgroups])}
        assert {remote[a.adgroup_id].budget for a in adgroups} == {share}
        assert {remote[a.adgroup_id].operation_status for a in adgroups} == {"ENABLE"}
        # Only the launch wrote to the log: no budget change, no pause, ever.
        assert set(ActionLog.objects.values_list("action", flat=True)) <= {"campaign_create", "adgroup_create", "ad_create"}

    def test_the_oracle_funds_by_true_expected_roas_and_pauses_the_rest(self, sandbox_http, advertiser, world):
        with _inline_tasks():
            adgroups = oracle_run(advertiser=advertiser, days=2, ceiling=CEILING)

        fresh = list(AdGroup.objects.filter(pk__in=[a.pk for a in adgroups]).select_related("campaign").prefetch_related("ads"))
        expected = {a.pk: expected_of(a, a.ads.all()[0]).roas for a in fresh}
        funded = [a for a in fresh if a.status == OperationStatus.ENABLE]
        paused = [a for a in fresh if a.status == OperationStatus.DISABLE]
        assert funded, "the oracle funds at least its best creative"
        assert sum(a.budget for a in funded) <= CEILING
        assert min(expected[a.pk] for a in funded) >= max((expected[a.pk] for a in paused), default=0)
        # Its changes went through TikTok and the log like adloop's own.
        remote = {g.adgroup_id: g for g in SbAdGroup.objects.all()}
        assert all(remote[a.adgroup_id].operation_status == "DISABLE" for a in paused)
        assert ActionLog.objects.filter(reason__startswith="oracle").exists()


@pytest.mark.django_db(transaction=True)
def test_compare_runs_three_strategies_in_copies_of_one_world_and_draws_the_plots(tmp_path, monkeypatch):
    # The child processes render the demo shop's videos: short and silent, still real MP4s.
    monkeypatch.setenv("VOICEOVER", "off")
    monkeypatch.setenv("VIDEO_TARGET_SECONDS", "4")
    out = tmp_path / "compare"
    # Its own temporary folder: another compare on the machine (a long docs/compare run) makes
    # adloop-compare-* folders of its own in the shared one.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    stdout, stderr = io.StringIO(), io.StringIO()

    call_command(
        "simulate", "--compare", "--days", "4", "--seed", "3", "--ceiling", "200", "--json", "--out", str(out),
        stdout=stdout, stderr=stderr,
    )

    result = json.loads(stdout.getvalue())
    assert set(result["strategies"]) == {"static", "adloop", "oracle"}
    for name, figures in result["strategies"].items():
        assert figures["days"] == 4 and len(figures["per_day"]) == 4, name
        assert figures["spend"] > 0, name
        assert figures["profit"] == pytest.approx(figures["revenue"] - figures["spend"], abs=0.01)
        # The same ceiling holds every strategy.
        assert figures["max_daily_spend"] <= 200.0 + 0.01, name
        assert figures["start"] == "2026-03-02"
    static, adloop, oracle = (result["strategies"][n]["profit"] for n in ("static", "adloop", "oracle"))
    if static > 0:
        assert result["adloop_vs_static"] == pytest.approx(adloop / static, rel=1e-3)
    if oracle > 0:
        assert result["adloop_vs_oracle"] == pytest.approx(adloop / oracle, rel=1e-3)
    # The static world only launched; the oracle acted; adloop ran its stage machine.
    assert set(result["strategies"]["static"]["actions"]) <= {"campaign_create", "adgroup_create", "ad_create"}
    assert json.loads((out / "compare.json").read_text()) == result
    for picture in ("roas_spend_per_day.png", "adloop_spend_by_stage.png", "adloop_lineage.png"):
        data = (out / picture).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000, picture
    # The base world was built once, and it and every copy are gone afterwards.
    assert stderr.getvalue().count("base world: manage.py seed_demo") == 1
    assert not list(scratch.glob("adloop-compare-*"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE 'adloop_cmp_%%'")
            assert cursor.fetchone()[0] == 0
