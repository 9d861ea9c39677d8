"""Indicators: a measured or reported quantity or trend between two parties."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from bilat.models.base import RecordRule, SourcedRecord, period, rule
from bilat.models.dates import PartialDate
from bilat.models.types import ACTOR_KINDS, Name, RecordId, RefTo
from bilat.vocab import Vocab


class Indicator(SourcedRecord):
    """A quantity or trend between a subject and a counterpart over a period.

    ``value`` and ``unit`` where a number is known; ``direction`` where only a trend
    is reported ("imports increased"). At least one of the two is given.
    """

    KIND: ClassVar[str] = "indicator"

    subject: Annotated[RecordId, RefTo(*ACTOR_KINDS)]
    """Id of the actor the quantity is reported for (the importer, for imports)."""
    counterpart: Annotated[RecordId, RefTo(*ACTOR_KINDS)]
    """Id of the other party (the exporter, for imports)."""
    flow: Annotated[str, Vocab("trade_flows")]
    """What is measured (vocabulary ``trade_flows``)."""
    measure: Name
    """The quantity in words: 'imports of crude oil', 'trade turnover'."""
    commodity: Name | None = None
    """The goods concerned, where not all trade: 'crude oil'."""
    start: PartialDate | None = None
    """Start of the period measured."""
    end: PartialDate | None = None
    """End of the period measured."""
    value: Annotated[float | None, Field(allow_inf_nan=False)] = None
    unit: Name | None = None
    """Unit of ``value``: 'USD billion', 'tonnes', 'percent'."""
    direction: Annotated[str, Vocab("directions")] | None = None
    """Direction of change over the period (vocabulary ``directions``)."""

    RULES: ClassVar[tuple[RecordRule, ...]] = (
        period("start", "end", "indicator period"),
        rule(
            ("value", "direction"),
            lambda value, direction: value is None and direction is None,
            "an indicator needs a value, a direction, or both",
            "direction",
            name="value-or-direction",
        ),
        rule(
            ("value", "unit"),
            lambda value, unit: value is not None and unit is None,
            "a value needs a unit",
            "unit",
            name="value-needs-unit",
        ),
        rule(
            ("subject", "counterpart"),
            lambda subject, counterpart: subject == counterpart,
            "subject and counterpart must be different actors",
            "counterpart",
            name="distinct-actors",
        ),
    )
