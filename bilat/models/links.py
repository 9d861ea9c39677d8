"""Links: a coded event proposed, accepted or rejected as a report of a curated record.

``bilat link EVENTS CURATED`` writes them into the ``links`` resource of an events
package (one that ``bilat import`` wrote); the resource's descriptor names the
curated package (``"x-bilat-curated": "india-russia@1.2.0"`` or a path), in which
``bilat validate`` looks each ``record`` up. A curator accepts or rejects a proposal
(``bilat link … --accept ID``, or by editing the CSV); re-running ``bilat link`` never
changes a decision.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from bilat.models.base import Record, RecordRule, rule
from bilat.models.dates import PartialDate
from bilat.models.types import Name, RecordId, RefTo

#: The kinds of curated record a coded event can be linked to.
LINKABLE_KINDS = ("engagement", "statement", "vote")


class Link(Record):
    """A coded event linked to the curated record it may report.

    >>> Link(id="icews-1-2018-06-01.visit-2018", event="icews-1-2018-06-01",
    ...      record="visit-2018", status="proposed", score=0.81,
    ...      reasons=["actors: ind and rus"]).status
    'proposed'
    """

    KIND: ClassVar[str] = "link"

    event: Annotated[RecordId, RefTo("coded_event")]
    """Id of the coded event, in this package."""
    record: RecordId
    """Id of the engagement, statement or vote in the curated package the resource names."""
    status: Literal["proposed", "accepted", "rejected"]
    """Proposed by ``bilat link``; accepted or rejected by a curator."""
    score: Annotated[float, Field(ge=0, le=1)]
    """How well the event fits the record, 0 to 1: the product of the actor, date,
    class and place scores given in ``reasons``."""
    reasons: Annotated[list[Name], Field(min_length=1)]
    """Why the link was proposed: one reason per criterion, with its score."""
    decided_by: Name | None = None
    """Who accepted or rejected it."""
    decided_on: PartialDate | None = None
    """When it was accepted or rejected."""

    RULES: ClassVar[tuple[RecordRule, ...]] = (
        rule(
            ("status", "decided_by"),
            lambda status, who: status != "proposed" and who is None,
            "an accepted or rejected link names who decided (decided_by)",
            "decided_by",
            name="decision-names-who",
        ),
        rule(
            ("status", "decided_on"),
            lambda status, when: status != "proposed" and when is None,
            "an accepted or rejected link gives when it was decided (decided_on)",
            "decided_on",
            name="decision-gives-when",
        ),
    )


__all__ = ["LINKABLE_KINDS", "Link"]
