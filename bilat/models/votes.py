"""Votes: a motion put to a body, with its counts, and each actor's vote on it.

After the Popolo standard's motion, vote event and vote: a :class:`Motion` is the
decision put to a body (the UN General Assembly, the Security Council) with its
symbol, date, result and counts; a :class:`Vote` is one actor's option on it. Counts
and votes use one vocabulary of options (``vote_options``): the count fields are
named after its codes. ``bilat validate`` checks that the votes recorded never
exceed the counts, and equal them when the roll call recorded is complete.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from bilat.models.base import SourcedRecord
from bilat.models.dates import PartialDate
from bilat.models.engagements import Topics
from bilat.models.types import ACTOR_KINDS, Name, RecordId, RefTo
from bilat.vocab import Vocab

#: A count of votes cast one way: a whole number, not negative.
Count = Annotated[int | None, Field(ge=0, le=100_000)]


class Motion(SourcedRecord):
    """A decision put to the vote of a body: a resolution, or a draft that failed.

    >>> Motion(id="a-res-es-11-1", body="unga", symbol="A/RES/ES-11/1",
    ...        title="Aggression against Ukraine", date="2022-03-02", result="adopted",
    ...        yes=141, no=5, abstain=35, sources=["s1"]).yes
    141
    """

    KIND: ClassVar[str] = "motion"

    body: Annotated[RecordId, RefTo("organization")]
    """Id of the Organization that voted: the UN General Assembly, the Security Council."""
    symbol: Name | None = None
    """The document symbol of the resolution or draft: 'A/RES/ES-11/1', 'S/2022/155'."""
    title: Name
    """The title of the resolution or draft, as the body gives it."""
    date: PartialDate | None = None
    """When the vote was taken, at the precision known."""
    result: Annotated[str, Vocab("vote_results")] | None = None
    """The outcome (vocabulary ``vote_results``)."""
    yes: Count = None
    """Votes in favour (option ``yes``)."""
    no: Count = None
    """Votes against (option ``no``)."""
    abstain: Count = None
    """Abstentions (option ``abstain``)."""
    not_voting: Count = None
    """Members present or entitled to vote that did not vote (option ``not_voting``)."""
    roll_call: Literal["complete", "partial"] = "partial"
    """``complete`` when a Vote is recorded for every member counted, so the votes must
    add up to the counts; ``partial`` when only some are (they must not exceed them)."""
    topics: Topics = Field(default_factory=list)


class Vote(SourcedRecord):
    """One actor's vote on a motion: India abstained on A/RES/ES-11/1."""

    KIND: ClassVar[str] = "vote"

    motion: Annotated[RecordId, RefTo("motion")]
    """Id of the Motion voted on."""
    voter: Annotated[RecordId, RefTo(*ACTOR_KINDS)]
    """Id of the actor that voted (a State, for UN bodies)."""
    option: Annotated[str, Vocab("vote_options")]
    """How it voted (vocabulary ``vote_options``)."""


#: The count field of each vote option.
COUNT_FIELDS: tuple[str, ...] = ("yes", "no", "abstain", "not_voting")

__all__ = ["COUNT_FIELDS", "Motion", "Vote"]
