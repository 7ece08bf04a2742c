"""The analytics dashboard (PRD §13.2): tables rendered here, charts drawn by analytics.js from
the same numbers, handed over with json_script."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from adloop import clock

from . import selectors
from .selectors import PERIODS, period_days


def _num(value):
    # json_script's encoder writes Decimals as strings; the charts want numbers.
    return float(value) if isinstance(value, Decimal) else value


def _block(block: dict) -> dict:
    return {key: _num(value) for key, value in block.items()}


@require_GET
def dashboard(request):
    days = period_days(request.GET.get("days"))
    period = selectors.period_ending(today=clock.today(), days=days)
    bands = selectors.roas_bands()
    breakdown = selectors.performance_breakdown(period=period)
    overview = selectors.performance_overview(period=period, breakdown=breakdown)
    daily = selectors.performance_by_day(period=period, breakdown=breakdown)
    ads = selectors.ads_by_roas(period=period)
    for ad in ads:
        ad.tag = bands.tag(ad.roas)
        ad.ctr_pct = None if ad.ctr is None else ad.ctr * 100
        ad.cvr_pct = None if ad.cvr is None else ad.cvr * 100
    stages = selectors.stage_distribution(period=period, breakdown=breakdown)
    ads_delivered = sum(row["ads"] for row in stages)
    accounts = selectors.organic_accounts(period=period)
    organic_daily = selectors.organic_by_day(period=period)

    data = {
        "days": days,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "overview": {"today": _block(overview["today"]), "period": _block(overview["period"])},
        "series": {
            "dates": [row["date"].isoformat() for row in daily],
            "spend": [_num(row["spend"]) for row in daily],
            "roas": [row["roas"] for row in daily],
            "impressions": [row["impressions"] for row in daily],
            "conversions": [row["conversions"] for row in daily],
        },
        "stages": [
            {"stage": row["stage"], "label": str(row["label"]), "ads": row["ads"], "spend": _num(row["spend"]), "share": row["share"]}
            for row in stages
        ],
        "organic": {
            "dates": [row["date"].isoformat() for row in organic_daily],
            "views": [row["views"] for row in organic_daily],
            "followers": [row["followers"] for row in organic_daily],
            "accounts": [{"name": row["handle"] or row["name"], "views": row["views"], "followers": row["followers"]} for row in accounts],
        },
        # Chart titles travel with the data so the script holds no user-visible text.
        "labels": {
            "roas": _("ROAS"), "spend": _("Spend"), "impressions": _("Impressions"),
            "views": _("Video views"), "followers": _("Followers gained"), "stage_spend": _("Spend by stage"),
            "target": _("Target ROAS"),
        },
        "target_roas": _num(bands.target),
    }
    context = {
        "days": days,
        "periods": PERIODS,
        "period": period,
        "bands": bands,
        "overview": overview,
        "daily": daily,
        "ads": ads,
        "ads_cap": selectors.AD_ROWS_CAP,
        "ads_delivered": ads_delivered,
        "stages": stages,
        "accounts": accounts,
        "organic_daily": organic_daily,
        "data": data,
    }
    return render(request, "analytics/analytics.html", context)
