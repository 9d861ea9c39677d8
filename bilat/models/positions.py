"""Positions: an actor's stance on an issue over a period."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from bilat.models.base import RecordRule, SourcedRecord, period
from bilat.models.dates import PartialDate
from bilat.models.engagements import Topics
from bilat.models.types import ACTOR_KINDS, Name, RecordId, RefTo
from bilat.vocab import Vocab


class Position(SourcedRecord):
    """An actor's stance on an issue, e.g. India refrains from condemning Russia's
    invasion of Ukraine (holder India, stance refrains_from_condemning, target Russia).
    """

    KIND: ClassVar[str] = "position"

    holder: Annotated[RecordId, RefTo(*ACTOR_KINDS)]
    """Id of the actor holding the position."""
    stance: Annotated[str, Vocab("stances")]
    """The stance (vocabulary ``stances``)."""
    issue: Name
    """What the stance is about, in words: 'Russia's invasion of Ukraine'."""
    target: Annotated[RecordId | None, RefTo(*ACTOR_KINDS)] = None
    """Id of the actor the stance is directed at, where there is one."""
    since: PartialDate | None = None
    """When the position is first attested, at the precision known."""
    until: PartialDate | None = None
    """When it ended; empty while it holds."""
    basis: Annotated[str, Vocab("position_bases")]
    """What the position rests on (vocabulary ``position_bases``)."""
    expressed_by: Annotated[
        list[RecordId], RefTo("statement", "engagement", "agreement", "indicator", "vote")
    ] = Field(default_factory=list)
    """Ids of the records that express it: statements, engagements, agreements, votes
    (a position whose basis is ``voting_record`` lists its votes here)."""
    topics: Topics = Field(default_factory=list)

    RULES: ClassVar[tuple[RecordRule, ...]] = (period("since", "until", "position"),)
