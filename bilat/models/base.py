"""The base every record type shares: frozen, strict, an id, sources and notes."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from bilat.models.dates import PartialDate
from bilat.models.types import RecordId, RefTo, Text


@dataclass(frozen=True)
class RecordRule:
    """A rule across fields of one record: the fields it *reads*, a *check* called
    with their values (in that order) that returns an error, or None when the rule holds,
    and its *name*, which the findings it makes carry (``rule`` in the JSON report).

    Rules are data so that validation can run each one on its own, as soon as the
    fields it reads are valid, and report every broken rule of a record at once.
    """

    reads: tuple[str, ...]
    check: Callable[..., PydanticCustomError | None]
    name: str

    def values(self, record: object) -> tuple[Any, ...]:
        """The values of the fields the rule reads, from *record*."""
        return self._get(record)  # type: ignore[attr-defined,no-any-return]

    def __post_init__(self) -> None:
        get = operator.attrgetter(*self.reads)
        if len(self.reads) == 1:
            object.__setattr__(self, "_get", lambda r: (get(r),))
        else:
            object.__setattr__(self, "_get", get)


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
    #: Rules across fields of one record, each run once the fields it reads are valid.
    RULES: ClassVar[tuple[RecordRule, ...]] = ()

    id: RecordId
    """Unique across the whole data package."""
    notes: Text | None = None
    """Curators' notes: caveats, how a value was derived."""

    @model_validator(mode="after")
    def _rules(self) -> Record:
        for rule in type(self).RULES:
            error = rule.check(*rule.values(self))
            if error is not None:
                raise error
        return self


SourceRefs = Annotated[
    list[RecordId],
    RefTo("source"),
    Field(min_length=1, description="Ids of the Sources this record rests on."),
]


class SourcedRecord(Record):
    """A record that rests on at least one Source."""

    sources: SourceRefs
    """Ids of the Sources this record rests on (at least one)."""


def period(start: str, end: str, what: str, name: str = "period") -> RecordRule:
    """The rule that *end* does not lie entirely before *start*."""

    def check(first: PartialDate | None, last: PartialDate | None) -> PydanticCustomError | None:
        if first is not None and last is not None and last.before(first):
            return PydanticCustomError(
                "end_before_start",
                "{what} end {end} is before its start {start}",
                {"what": what, "end": str(last), "start": str(first), "field": end},
            )
        return None

    return RecordRule((start, end), check, name)


def rule(
    reads: tuple[str, ...], broken: Callable[..., Any], message: str, field: str, *, name: str
) -> RecordRule:
    """A rule that fails with *message*, naming *field*, when ``broken(*values)`` is true."""

    def check(*values: Any) -> PydanticCustomError | None:
        return rule_error(message, field) if broken(*values) else None

    return RecordRule(reads, check, name)


def rule_error(message: str, field: str) -> PydanticCustomError:
    """An error for a rule spanning several fields, naming the *field* to fix."""
    return PydanticCustomError("record_rule", message, {"field": field})
