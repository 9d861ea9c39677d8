"""The base every record type shares: frozen, strict, an id, sources and notes."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from bilat.models.dates import PartialDate
from bilat.models.types import RecordId, RefTo, Text


class Record(BaseModel):
    """A bilat record. Subclasses set ``KIND``, the name references use for them.

    Models are frozen (records are facts, not state), strict (``"1"`` is not ``1``,
    matching the JSON Schema), refuse unknown fields, and refuse NaN and infinity.
    """

    model_config = ConfigDict(
        frozen=True,
        strict=True,
        extra="forbid",
        allow_inf_nan=False,
        validate_default=True,
        use_attribute_docstrings=True,
    )

    KIND: ClassVar[str] = ""

    id: RecordId
    """Unique across the whole data package."""
    notes: Text | None = None
    """Curators' notes: caveats, how a value was derived."""


SourceRefs = Annotated[
    list[RecordId],
    RefTo("source"),
    Field(min_length=1, description="Ids of the Sources this record rests on."),
]


class SourcedRecord(Record):
    """A record that rests on at least one Source."""

    sources: SourceRefs
    """Ids of the Sources this record rests on (at least one)."""


def check_period(
    start: PartialDate | None,
    end: PartialDate | None,
    what: str,
    field: str = "end",
) -> None:
    """Raise an ``end_before_start`` error when *end* lies entirely before *start*.

    The error's context names *field*, so validation can point at the column.
    """
    if start is not None and end is not None and end.before(start):
        raise PydanticCustomError(
            "end_before_start",
            "{what} end {end} is before its start {start}",
            {"what": what, "end": str(end), "start": str(start), "field": field},
        )


def rule_error(message: str, field: str) -> PydanticCustomError:
    """An error for a rule spanning several fields, naming the *field* to fix."""
    return PydanticCustomError("record_rule", message, {"field": field})
