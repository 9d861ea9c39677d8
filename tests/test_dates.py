"""PartialDate: EDTF level 0 dates that compare as the interval they cover."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from strategies import partial_dates

from bilat.models import PartialDate, Source


@pytest.mark.parametrize(
    ("text", "precision", "earliest", "latest"),
    [
        ("2024", "year", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        ("2023-12", "month", dt.date(2023, 12, 1), dt.date(2023, 12, 31)),
        ("2024-02", "month", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2023-02", "month", dt.date(2023, 2, 1), dt.date(2023, 2, 28)),
        ("2023-12-27", "day", dt.date(2023, 12, 27), dt.date(2023, 12, 27)),
        ("0001", "year", dt.date(1, 1, 1), dt.date(1, 12, 31)),
    ],
)
def test_precision_and_bounds(
    text: str, precision: str, earliest: dt.date, latest: dt.date
) -> None:
    d = PartialDate(text)
    assert (d.precision, d.earliest, d.latest) == (precision, earliest, latest)
    assert str(d) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023-02-30", "day 30 does not exist in February 2023, which has 28 days"),
        ("2023-02-29", "day 29 does not exist in February 2023"),
        ("2023-13", "month 13 does not exist"),
        ("2023-00", "month 00 does not exist"),
        ("2023-04-31", "April 2023, which has 30 days"),
        ("2023-12-00", "day 00 does not exist"),
        ("0000", "year 0000 is not supported"),
        ("23", "is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2023-1-5", "is not a date of the form"),
        ("2023/12/27", "is not a date of the form"),
        ("2023-12-27T10:00", "is not a date of the form"),
        ("2023\n", "is not a date of the form"),
        ("２０２３", "is not a date of the form"),
        ("", "is not a date of the form"),
    ],
)
def test_impossible_or_malformed_dates_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PartialDate(text)


def test_leap_day_is_accepted_in_leap_years() -> None:
    assert PartialDate("2024-02-29").earliest == dt.date(2024, 2, 29)


def test_comparison_is_by_interval() -> None:
    y2023, dec, day = PartialDate("2023"), PartialDate("2023-12"), PartialDate("2023-12-27")
    y2024 = PartialDate("2024")
    # certainly earlier / later
    assert y2023 < y2024 and y2024 > y2023
    assert day < y2024 and not y2024 < day
    # overlapping intervals are neither smaller nor greater
    assert not y2023 < day and not y2023 > day
    assert not dec < day and not dec > day
    # <= means "not certainly after": true both ways for overlaps
    assert y2023 <= day and day <= y2023
    assert not y2024 <= day
    assert y2024 >= day and not day >= y2024
    # equality is of the written value, not of intervals
    assert PartialDate("2023") != PartialDate("2023-01")
    assert PartialDate("2023-12") == PartialDate("2023-12")
    assert hash(PartialDate("2023-12")) == hash(PartialDate("2023-12"))


def test_interval_relations() -> None:
    y, d = PartialDate("2023"), PartialDate("2023-12-27")
    assert y.contains(d) and not d.contains(y)
    assert y.overlaps(d) and d.overlaps(y)
    assert d.before(PartialDate("2023-12-28")) and PartialDate("2024").after(y)
    assert sorted([PartialDate("2024"), d, y], key=lambda p: p.sort_key) == [
        y,
        d,
        PartialDate("2024"),
    ]


def test_partial_date_is_immutable() -> None:
    d = PartialDate("2024")
    with pytest.raises(AttributeError):
        d.text = "2025"  # type: ignore[misc]


def test_only_strings_are_dates_in_models() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="partial date must be a string"):
        Source(id="s", type="web_page", title="t", url="https://x.org", published=2023)  # type: ignore[arg-type]


def test_model_error_names_the_problem() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as info:
        Source(id="s", type="web_page", title="t", url="https://x.org", published="2023-02-30")  # type: ignore[arg-type]
    (error,) = info.value.errors()
    assert error["loc"] == ("published",)
    assert "February 2023" in error["msg"]


@given(partial_dates(), partial_dates())
def test_order_laws(a: PartialDate, b: PartialDate) -> None:
    # exactly one of: a before b, b before a, or they overlap
    assert [a < b, b < a, a.overlaps(b)].count(True) == 1
    assert (a <= b) == (not a > b)
    assert a.earliest <= a.latest
    assert PartialDate(str(a)) == a
