"""Engagements: meetings, visits, summits, calls and joint appearances."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from bilat.models.base import RecordRule, SourcedRecord, period, rule
from bilat.models.dates import PartialDate
from bilat.models.types import ACTOR_KINDS, INT64_MAX, Name, RecordId, RefTo
from bilat.vocab import Vocab

Topics = Annotated[list[Annotated[str, Vocab("topics")]], Field(description="Topic codes.")]


class Engagement(SourcedRecord):
    """A meeting, visit, summit, call or joint press appearance.

    An engagement may be part of another (a meeting inside a visit), may be one of a
    numbered series (the 21st annual summit), and has a status: held, planned,
    proposed or cancelled. Dates are partial: a summit expected "next year" has the
    year only.
    """

    KIND: ClassVar[str] = "engagement"

    type: Annotated[str, Vocab("engagement_types")]
    """What kind of engagement (vocabulary ``engagement_types``)."""
    status: Annotated[str, Vocab("statuses")]
    """Whether it took place (vocabulary ``statuses``)."""
    title: Name
    start: PartialDate | None = None
    """First day, at the precision known."""
    end: PartialDate | None = None
    """Last day, for engagements longer than a day."""
    participants: Annotated[list[RecordId], RefTo(*ACTOR_KINDS), Field(min_length=1)]
    """Ids of the actors taking part: states, persons, organizations."""
    host: Annotated[RecordId | None, RefTo("state", "organization")] = None
    """Id of the hosting State or Organization."""
    location: Name | None = None
    """Place, as precise as known: a building, a city."""
    country: Annotated[RecordId | None, RefTo("state")] = None
    """Id of the State where it took place."""
    part_of: Annotated[RecordId | None, RefTo("engagement")] = None
    """Id of the Engagement this one took place within (a meeting during a visit)."""
    series: Name | None = None
    """Name of a series it belongs to, e.g. 'India–Russia Annual Summit'."""
    series_number: Annotated[int | None, Field(ge=1, le=INT64_MAX)] = None
    """Its number in the series (1 for the first)."""
    capacities: Annotated[list[RecordId], RefTo("tenure")] = Field(default_factory=list)
    """Ids of Tenures: the offices in which participants took part."""
    topics: Topics = Field(default_factory=list)

    RULES: ClassVar[tuple[RecordRule, ...]] = (
        period("start", "end", "engagement"),
        rule(
            ("series_number", "series"),
            lambda number, series: number is not None and series is None,
            "series_number is given but series is not",
            "series",
            name="series-number-needs-series",
        ),
        rule(
            ("status", "start"),
            lambda status, start: status == "held" and start is None,
            "a held engagement needs a start date, at least the year",
            "start",
            name="held-needs-start",
        ),
    )
