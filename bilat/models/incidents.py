"""Incidents: clashes, stand-offs and incursions between the forces of two actors.

An :class:`~bilat.models.engagements.Engagement` is a meeting of representatives and an
:class:`~bilat.models.agreements.Agreement` something signed; a clash between soldiers
is neither. An :class:`Incident` is a confrontation between the forces (armed forces,
border guards) of two or more actors: a clash that lasts a night, or a stand-off that
lasts weeks or years, with its start and, once it is over, its end. One incident may
take place within another (a clash during a stand-off).

The dead and wounded of each side are a :class:`Casualty` record of their own, so that
when sources disagree on one side's losses, as they often do, each figure is kept as a
:class:`~bilat.models.claims.Claim` on that record's ``killed`` or ``wounded``.

>>> Incident(id="clash", type="clash", title="Clash in the Galwan valley",
...          start="2020-06-15", parties=["ind", "chn"], sources=["s1"]).end is None
True
>>> Casualty(id="c", incident="clash", party="ind", killed=20, sources=["s1"]).wounded is None
True
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from bilat.models.base import RecordRule, SourcedRecord, period, rule
from bilat.models.dates import PartialDate
from bilat.models.engagements import Topics
from bilat.models.types import ACTOR_KINDS, Name, RecordId, RefTo
from bilat.vocab import Vocab

#: A number of people: a whole number, not negative.
People = Annotated[int | None, Field(ge=0, le=10_000_000)]


class Incident(SourcedRecord):
    """A clash, stand-off or incursion between the forces of two or more actors."""

    KIND: ClassVar[str] = "incident"

    type: Annotated[str, Vocab("incident_types")]
    """What kind of incident (vocabulary ``incident_types``)."""
    title: Name
    start: PartialDate
    """First day, at the precision known (at least the year)."""
    end: PartialDate | None = None
    """Last day, at the precision known; empty while it was not over when the sources
    were read, or when the sources do not say."""
    parties: Annotated[list[RecordId], RefTo(*ACTOR_KINDS), Field(min_length=1)]
    """Ids of the actors whose forces took part: usually States."""
    location: Name | None = None
    """Place, as precise as known: a valley, a pass, a plateau."""
    country: Annotated[RecordId | None, RefTo("state")] = None
    """Id of the State where it took place; empty where the parties dispute the ground."""
    part_of: Annotated[RecordId | None, RefTo("incident")] = None
    """Id of the Incident this one took place within (a clash during a stand-off)."""
    topics: Topics = Field(default_factory=list)

    RULES: ClassVar[tuple[RecordRule, ...]] = (period("start", "end", "incident"),)


class Casualty(SourcedRecord):
    """The dead and wounded of one side in an incident, as a source gives them."""

    KIND: ClassVar[str] = "casualty"

    incident: Annotated[RecordId, RefTo("incident")]
    """Id of the Incident."""
    party: Annotated[RecordId, RefTo(*ACTOR_KINDS)]
    """Id of the actor whose personnel they were."""
    killed: People = None
    """People killed, dead of their wounds included."""
    wounded: People = None
    """People wounded."""
    reported: PartialDate | None = None
    """When the figure was made public (a side may acknowledge its losses months later)."""

    RULES: ClassVar[tuple[RecordRule, ...]] = (
        rule(
            ("killed", "wounded"),
            lambda killed, wounded: killed is None and wounded is None,
            "a casualty record needs killed or wounded",
            "killed",
            name="killed-or-wounded",
        ),
    )


__all__ = ["Casualty", "Incident"]
