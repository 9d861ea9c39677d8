"""Indicators: a measured or reported quantity or trend between two parties."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, model_validator

from bilat.models.base import SourcedRecord, check_period, rule_error
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

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        check_period(self.start, self.end, "indicator period")
        if self.value is None and self.direction is None:
            raise rule_error("an indicator needs a value, a direction, or both", "direction")
        if self.value is not None and self.unit is None:
            raise rule_error("a value needs a unit", "unit")
        if self.subject == self.counterpart:
            raise rule_error("subject and counterpart must be different actors", "counterpart")
        return self
