import pytest

from integrations.llm.text import shorten


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("USB-C 充电，一次充电榨 15 杯", 14, "USB-C 充电"),
        ("Golden-hour light for every room in the house", 20, "Golden-hour light"),
        ("一二三四五六七八九十一二三四五", 10, "一二三四五六七八九十"),
        ("short", 10, "short"),
        ("一次充电榨 150 杯果汁", 8, "一次充电榨"),
    ],
)
def test_shorten_cuts_at_a_boundary_never_inside_a_number(text, limit, expected):
    assert shorten(text, limit) == expected
