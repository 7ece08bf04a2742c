"""The one definition of adloop's derived metrics, in Python and as ORM expressions.

    ROAS = conversion value ÷ spend        (purchase value per unit of currency spent)
    CTR  = clicks ÷ impressions
    CVR  = conversions ÷ clicks

Ratios are plain fractions (0.0118), not TikTok's percentages ("1.18"). A ratio without a
denominator is None — "no evidence yet", which rules must not read as 0. Over a period a ratio
is taken of the sums (Σ value ÷ Σ spend), never averaged from daily ratios: a day with $1 of
spend must not weigh as much as a day with $500. `roas_expr(Sum("conversion_value"), Sum("spend"))`
computes exactly what `roas(total_value, total_spend)` does, in SQL.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Expression, F, FloatField, Value
from django.db.models.functions import Cast, Coalesce, NullIf

Number = int | float | Decimal | None


def ratio(numerator: Number, denominator: Number) -> float | None:
    if not denominator:
        return None
    return float(numerator or 0) / float(denominator)


def roas(value: Number, spend: Number) -> float | None:
    return ratio(value, spend)


def ctr(clicks: Number, impressions: Number) -> float | None:
    return ratio(clicks, impressions)


def cvr(conversions: Number, clicks: Number) -> float | None:
    return ratio(conversions, clicks)


def _float(term: str | Expression) -> Expression:
    return Cast(F(term) if isinstance(term, str) else term, output_field=FloatField())


def ratio_expr(numerator: str | Expression, denominator: str | Expression) -> Expression:
    """numerator ÷ denominator in SQL, NULL when the denominator is 0 or NULL, like `ratio`.
    Both sides are cast to float: PostgreSQL divides integers as integers (clicks / impressions = 0)."""
    return Coalesce(_float(numerator), Value(0.0)) / NullIf(_float(denominator), Value(0.0))


def roas_expr(value: str | Expression, spend: str | Expression) -> Expression:
    return ratio_expr(value, spend)


def ctr_expr(clicks: str | Expression, impressions: str | Expression) -> Expression:
    return ratio_expr(clicks, impressions)


def cvr_expr(conversions: str | Expression, clicks: str | Expression) -> Expression:
    return ratio_expr(conversions, clicks)
