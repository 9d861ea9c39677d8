"""Claims: what a source says a field of a record is, kept beside what others say.

Sources disagree (how many documents were signed, which summit was the first). A
record keeps one value; each :class:`Claim` keeps one source's value for one field,
with its evidence, so conflicting values stand side by side. ``bilat validate``
checks that every claimed value is valid for the field, and that the record's value
of a ``resolved`` field is one of its claims; ``open`` claims are reported as
warnings until a curator settles them.
"""

from __future__ import annotations

import json
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field, StringConstraints

from bilat.models.base import SourcedRecord
from bilat.models.types import RecordId, RefTo, Text

#: Every kind a claim may be about.
CLAIMABLE_KINDS = (
    "state",
    "person",
    "organization",
    "tenure",
    "engagement",
    "agreement",
    "motion",
    "vote",
    "position",
    "statement",
    "indicator",
    "incident",
    "casualty",
)


def _reject(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def json_text(value: str) -> str:
    """*value*, checked to be JSON text (no NaN or Infinity), not nested too deeply."""
    try:
        json.loads(value, parse_constant=_reject)
    except ValueError as exc:
        raise ValueError(f"is not JSON text ({str(exc).split(':')[0]})") from None
    except RecursionError:
        raise ValueError("is JSON nested too deeply") from None
    return value


class Claim(SourcedRecord):
    """One source's value for one field of a record.

    >>> Claim(id="c1", record="summit-1", field="start", value='"2000-10-02"',
    ...       status="resolved", sources=["s1"]).value
    '"2000-10-02"'
    """

    KIND: ClassVar[str] = "claim"

    record: Annotated[RecordId, RefTo(*CLAIMABLE_KINDS)]
    """Id of the record the claim is about."""
    field: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
    """The field of that record the claim gives a value for: 'start', 'title'."""
    value: Annotated[
        str, StringConstraints(min_length=1, max_length=20000), AfterValidator(json_text)
    ]
    """The value the sources give, as JSON text: ``"2000-10-02"`` (with the quotes), ``17``."""
    evidence: Annotated[list[RecordId], RefTo("evidence"), Field(default_factory=list)]
    """Ids of the Evidence quotes that give this value."""
    status: Literal["open", "resolved"]
    """``resolved`` when the curator has settled the field (its value is one of the
    claims); ``open`` while the conflict stands."""
    rationale: Text | None = None
    """Why the curator chose the record's value, or what would settle the conflict."""


__all__ = ["CLAIMABLE_KINDS", "Claim"]
