"""Partial dates: EDTF level 0 calendar dates at year, month or day precision."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache
from typing import Any, Literal

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

Precision = Literal["year", "month", "day"]

_SHAPE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")

#: The JSON Schema pattern: right shape, months 01-12, days within the month's
#: longest length. It cannot tell leap years, so ``2023-02-29`` passes the schema
#: and is refused by :class:`PartialDate`.
JSON_PATTERN = (
    r"^[0-9]{4}(?:-(?:(?:0[13578]|1[02])(?:-(?:0[1-9]|[12][0-9]|3[01]))?"
    r"|(?:0[469]|11)(?:-(?:0[1-9]|[12][0-9]|30))?"
    r"|02(?:-(?:0[1-9]|1[0-9]|2[0-9]))?))?$"
)


class PartialDate:
    """A calendar date known to year, month or day: ``2024``, ``2023-12``, ``2023-12-27``.

    A partial date stands for the interval of days it covers. Comparisons follow
    that: ``a < b`` means *a* ends before *b* starts (certainly earlier), and two
    overlapping intervals are neither smaller nor greater than each other. Equality
    is equality of the written value.

    >>> d = PartialDate("2023-12")
    >>> d.precision, d.earliest, d.latest
    ('month', datetime.date(2023, 12, 1), datetime.date(2023, 12, 31))
    >>> PartialDate("2023") < PartialDate("2024-01-05")
    True
    >>> PartialDate("2023") < PartialDate("2023-12-27")
    False
    >>> PartialDate("2023").contains(PartialDate("2023-12-27"))
    True
    """

    __slots__ = ("earliest", "latest", "precision", "text")

    text: str
    precision: Precision
    earliest: dt.date
    latest: dt.date

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"a partial date is written as a string, not {type(value).__name__}")
        m = _SHAPE.fullmatch(value)
        if m is None:
            raise ValueError(f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
        year = int(m.group(1))
        if year == 0:
            raise ValueError(f"{value!r}: year 0000 is not supported; years run from 0001")
        month_s, day_s = m.group(2), m.group(3)
        if month_s is None:
            precision: Precision = "year"
            earliest, latest = dt.date(year, 1, 1), dt.date(year, 12, 31)
        else:
            month = int(month_s)
            if not 1 <= month <= 12:
                raise ValueError(f"{value!r}: month {month_s} does not exist (months are 01-12)")
            last = calendar.monthrange(year, month)[1]
            if day_s is None:
                precision = "month"
                earliest, latest = dt.date(year, month, 1), dt.date(year, month, last)
            else:
                day = int(day_s)
                if not 1 <= day <= last:
                    raise ValueError(
                        f"{value!r}: day {day_s} does not exist in "
                        f"{calendar.month_name[month]} {year}, which has {last} days"
                    )
                precision = "day"
                earliest = latest = dt.date(year, month, day)
        object.__setattr__(self, "text", value)
        object.__setattr__(self, "precision", precision)
        object.__setattr__(self, "earliest", earliest)
        object.__setattr__(self, "latest", latest)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("PartialDate is immutable")

    @classmethod
    def from_date(cls, day: dt.date) -> PartialDate:
        """The day-precision partial date of a :class:`datetime.date`."""
        return cls(day.isoformat())

    # -- interval relations ---------------------------------------------------------
    # Each takes a PartialDate, its text (``"2024-07"``), a date or datetime, or a year.

    def before(self, other: DateLike) -> bool:
        """True when this interval ends before *other* starts."""
        return self.latest < coerce(other).earliest

    def after(self, other: DateLike) -> bool:
        """True when this interval starts after *other* ends."""
        return self.earliest > coerce(other).latest

    def overlaps(self, other: DateLike) -> bool:
        """True when the two intervals share at least one day.

        >>> PartialDate("2024").overlaps("2024-07")
        True
        """
        other = coerce(other)
        return not (self.before(other) or self.after(other))

    def contains(self, other: DateLike) -> bool:
        """True when every day of *other* lies within this interval.

        >>> PartialDate("2024").contains("2024-07"), PartialDate("2024-07").contains("2024")
        (True, False)
        """
        other = coerce(other)
        return self.earliest <= other.earliest and other.latest <= self.latest

    @property
    def sort_key(self) -> tuple[dt.date, dt.date]:
        """A total order for sorting: by earliest day, then latest day."""
        return (self.earliest, self.latest)

    # -- comparison: as the interval it covers -------------------------------------
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self.before(other)

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self.after(other)

    def __le__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return not self.after(other)

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return not self.before(other)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self.text == other.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __str__(self) -> str:
        return self.text

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (_parse, (self.text,))

    def __repr__(self) -> str:
        return f"PartialDate({self.text!r})"

    # -- pydantic integration -------------------------------------------------------
    @classmethod
    def _validate(cls, value: Any) -> PartialDate:
        if isinstance(value, PartialDate):
            return value
        if not isinstance(value, str):
            raise PydanticCustomError(
                "partial_date_type",
                "a partial date must be a string YYYY, YYYY-MM or YYYY-MM-DD",
            )
        try:
            return _parse(value)
        except ValueError as exc:
            raise PydanticCustomError("partial_date", "{reason}", {"reason": str(exc)}) from None

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(str, when_used="always"),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": JSON_PATTERN,
            "description": (
                "EDTF level 0 date at year, month or day precision: YYYY, YYYY-MM or YYYY-MM-DD."
            ),
            "examples": ["2024", "2023-12", "2023-12-27"],
        }


@lru_cache(maxsize=65536)
def _parse(value: str) -> PartialDate:
    """Parse with a cache: partial dates are immutable, and data sets repeat them."""
    return PartialDate(value)


#: What a date argument may be: a partial date or its text, a ``datetime.date`` or
#: ``datetime.datetime`` (a pandas ``Timestamp`` is one), or an int year.
DateLike = PartialDate | str | dt.date | int


def coerce(value: DateLike) -> PartialDate:
    """*value* as a PartialDate: itself, its text parsed, a date's (or datetime's) day,
    or an int year.

    >>> coerce(dt.datetime(2024, 7, 9, 15, 30)), coerce(2024)
    (PartialDate('2024-07-09'), PartialDate('2024'))
    """
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, str):
        return _parse(value)
    if isinstance(value, dt.datetime):  # pandas Timestamp too; NaT is refused below
        day = value.date()
        if not isinstance(day, dt.date):
            raise ValueError(f"{value!r} is not a date")
        return PartialDate.from_date(day)
    if isinstance(value, dt.date):
        return PartialDate.from_date(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= 9999:
            raise ValueError(f"year {value} is out of range (years run from 1 to 9999)")
        return _parse(f"{value:04d}")
    index = getattr(value, "__index__", None)  # numpy integers
    if index is not None and not isinstance(value, bool):
        return coerce(int(index()))
    raise TypeError(
        "a date is a PartialDate, its text (YYYY, YYYY-MM or YYYY-MM-DD), a "
        f"datetime.date or datetime.datetime, or an int year; not {value!r}"
    )
