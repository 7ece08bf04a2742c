"""report/integrated/get: 30-day windows for daily breakdowns, paging within each window."""

import datetime as dt

import pytest
import responses

from integrations.tiktok_ads import endpoints
from integrations.tiktok_ads.errors import InvalidResponse
from integrations.tiktok_ads.schemas import ReportRow

from .fakes import json_param, page, query

ADVERTISER = "7000000000000000001"
D = dt.date
JAN_1 = D(2024, 1, 1)
MAR_5 = D(2024, 3, 5)  # 65 days after JAN_1, inclusive (2024 is a leap year)


def row(day, spend="1.00", impressions="100", **more):
    return {
        "dimensions": {"campaign_id": "18", "stat_time_day": f"{day} 00:00:00"},
        "metrics": {"spend": spend, "impressions": impressions, **more},
    }


def report(client, *, dimensions=("campaign_id", "stat_time_day"), start=JAN_1, end=MAR_5, **kwargs):
    return list(
        endpoints.report_integrated_get(
            client,
            advertiser_id=ADVERTISER,
            data_level="AUCTION_CAMPAIGN",
            dimensions=list(dimensions),
            metrics=["spend", "impressions"],
            start_date=start,
            end_date=end,
            **kwargs,
        )
    )


# --- date_chunks -----------------------------------------------------------------------


def test_date_chunks_of_a_single_day_is_that_day():
    assert list(endpoints.date_chunks(D(2024, 5, 1), D(2024, 5, 1))) == [(D(2024, 5, 1), D(2024, 5, 1))]


def test_date_chunks_of_exactly_30_days_is_one_window():
    assert list(endpoints.date_chunks(D(2024, 1, 1), D(2024, 1, 30))) == [(D(2024, 1, 1), D(2024, 1, 30))]


def test_date_chunks_of_31_days_is_30_plus_1():
    assert list(endpoints.date_chunks(D(2024, 1, 1), D(2024, 1, 31))) == [
        (D(2024, 1, 1), D(2024, 1, 30)),
        (D(2024, 1, 31), D(2024, 1, 31)),
    ]


def test_date_chunks_of_65_days_is_30_30_5_inclusive_and_contiguous():
    windows = list(endpoints.date_chunks(D(2024, 1, 1), D(2024, 3, 5)))

    assert windows == [
        (D(2024, 1, 1), D(2024, 1, 30)),
        (D(2024, 1, 31), D(2024, 2, 29)),
        (D(2024, 3, 1), D(2024, 3, 5)),
    ]
    assert [(stop - start).days + 1 for start, stop in windows] == [30, 30, 5]


def test_date_chunks_of_an_empty_range_is_nothing():
    assert list(endpoints.date_chunks(D(2024, 1, 2), D(2024, 1, 1))) == []


@pytest.mark.parametrize(("days", "count"), [(1, 10), (7, 2), (10, 1)])
def test_date_chunks_with_a_custom_size_cover_the_range(days, count):
    windows = list(endpoints.date_chunks(D(2024, 1, 1), D(2024, 1, 10), days=days))

    assert len(windows) == count
    assert windows[0][0] == D(2024, 1, 1) and windows[-1][1] == D(2024, 1, 10)
    assert all(stop - start < dt.timedelta(days=days) for start, stop in windows)


# --- report_integrated_get -------------------------------------------------------------


def test_a_daily_report_over_65_days_makes_3_windows_and_pages_within_each(client, api, reply):
    reply(responses.GET, "report/integrated/get", page([row("2024-01-01")], page=1, total_page=2))
    reply(responses.GET, "report/integrated/get", page([row("2024-01-30")], page=2, total_page=2))
    reply(responses.GET, "report/integrated/get", page([row("2024-02-15")], page=1, total_page=1))
    reply(responses.GET, "report/integrated/get", page([row("2024-03-01")], page=1, total_page=2))
    reply(responses.GET, "report/integrated/get", page([row("2024-03-05")], page=2, total_page=2))

    rows = report(client)

    asked = [(query(c)["start_date"], query(c)["end_date"], query(c)["page"]) for c in api.calls]
    assert asked == [
        ("2024-01-01", "2024-01-30", "1"),
        ("2024-01-01", "2024-01-30", "2"),
        ("2024-01-31", "2024-02-29", "1"),
        ("2024-03-01", "2024-03-05", "1"),
        ("2024-03-01", "2024-03-05", "2"),
    ]
    assert [r.dimensions["stat_time_day"][:10] for r in rows] == [
        "2024-01-01",
        "2024-01-30",
        "2024-02-15",
        "2024-03-01",
        "2024-03-05",
    ]


def test_a_report_sends_the_documented_query(client, api, reply):
    reply(responses.GET, "report/integrated/get", page([]))
    filtering = [{"field_name": "campaign_ids", "filter_type": "IN", "filter_value": '["18"]'}]

    report(client, start=D(2024, 1, 1), end=D(2024, 1, 1), filtering=filtering)

    sent = query(api.calls[0])
    assert sent["advertiser_id"] == ADVERTISER
    assert sent["report_type"] == "BASIC"
    assert sent["data_level"] == "AUCTION_CAMPAIGN"
    assert sent["page_size"] == "1000"
    assert json_param(api.calls[0], "dimensions") == ["campaign_id", "stat_time_day"]
    assert json_param(api.calls[0], "metrics") == ["spend", "impressions"]
    assert json_param(api.calls[0], "filtering") == filtering


def test_a_report_without_filtering_sends_none(client, api, reply):
    reply(responses.GET, "report/integrated/get", page([]))

    report(client, start=D(2024, 1, 1), end=D(2024, 1, 1))

    assert "filtering" not in query(api.calls[0])


def test_a_report_without_stat_time_day_is_one_window(client, api, reply):
    reply(responses.GET, "report/integrated/get", page([{"dimensions": {"campaign_id": "18"}, "metrics": {"spend": "9.00"}}]))

    rows = report(client, dimensions=("campaign_id",), start=D(2024, 1, 1), end=D(2024, 3, 5))

    assert len(api.calls) == 1
    assert (query(api.calls[0])["start_date"], query(api.calls[0])["end_date"]) == ("2024-01-01", "2024-03-05")
    assert rows[0].metrics == {"spend": "9.00"}


def test_a_daily_report_of_exactly_30_days_is_one_call(client, api, reply):
    reply(responses.GET, "report/integrated/get", page([]))

    report(client, start=D(2024, 1, 1), end=D(2024, 1, 30))

    assert len(api.calls) == 1


def test_dash_metric_values_become_none_and_numbers_become_strings(client, reply):
    reply(
        responses.GET,
        "report/integrated/get",
        page([row("2024-01-01", spend="-", impressions=5830, ctr="", cpc=None, clicks="0", cpm=0.5)]),
    )

    [result] = report(client, start=D(2024, 1, 1), end=D(2024, 1, 1))

    assert isinstance(result, ReportRow)
    assert result.metrics == {"spend": None, "impressions": "5830", "ctr": None, "cpc": None, "clicks": "0", "cpm": "0.5"}
    assert result.dimensions == {"campaign_id": "18", "stat_time_day": "2024-01-01 00:00:00"}


def test_a_report_is_fetched_lazily_window_by_window(client, api, reply):
    reply(responses.GET, "report/integrated/get", page([row("2024-01-01")]))

    rows = endpoints.report_integrated_get(
        client,
        advertiser_id=ADVERTISER,
        data_level="AUCTION_CAMPAIGN",
        dimensions=["stat_time_day"],
        metrics=["spend"],
        start_date=D(2024, 1, 1),
        end_date=D(2024, 3, 5),
    )
    next(rows)

    assert len(api.calls) == 1


def test_a_report_row_that_is_not_an_object_is_invalid(client, reply):
    reply(responses.GET, "report/integrated/get", page(["not a row"]))

    with pytest.raises(InvalidResponse):
        report(client, start=D(2024, 1, 1), end=D(2024, 1, 1))


def test_report_row_without_metrics_has_empty_metrics():
    assert ReportRow.from_api({"dimensions": {"ad_id": "1"}}).metrics == {}
