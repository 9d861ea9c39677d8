"""Typed, frozen pydantic models for every bilat record type.

>>> from bilat.models import State
>>> State(id="ind", name="India", iso3="IND", wikidata="Q668", sources=["s1"]).kind
'state'
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from functools import cache

from bilat.models.actors import Actor, Organization, Person, State
from bilat.models.agreements import Agreement
from bilat.models.base import Record, SourcedRecord
from bilat.models.claims import Claim
from bilat.models.dates import PartialDate
from bilat.models.engagements import Engagement
from bilat.models.events import CodedEvent
from bilat.models.incidents import Casualty, Incident
from bilat.models.indicators import Indicator
from bilat.models.links import Link
from bilat.models.positions import Position
from bilat.models.sources import Evidence, Source
from bilat.models.statements import Statement
from bilat.models.tenures import Tenure
from bilat.models.types import RefTo
from bilat.models.votes import Motion, Vote

__all__ = [
    "RECORD_TYPES",
    "Actor",
    "Agreement",
    "Casualty",
    "Claim",
    "CodedEvent",
    "Engagement",
    "Evidence",
    "Incident",
    "Indicator",
    "Link",
    "Motion",
    "Organization",
    "PartialDate",
    "Person",
    "Position",
    "Record",
    "RefField",
    "Source",
    "SourcedRecord",
    "State",
    "Statement",
    "Tenure",
    "Vote",
    "reference_fields",
]

#: Every record type by kind, in the order packages list them.
RECORD_TYPES: dict[str, type[Record]] = {
    cls.KIND: cls
    for cls in (
        Source,
        State,
        Person,
        Organization,
        Tenure,
        Engagement,
        Agreement,
        Motion,
        Vote,
        Position,
        Statement,
        Indicator,
        Incident,
        Casualty,
        Evidence,
        Claim,
        CodedEvent,
        Link,
    )
}


def register(model: type[Record]) -> type[Record]:
    """Add the record type *model* to :data:`RECORD_TYPES` under its ``KIND`` (a
    plug-in's way; bilat's own types are listed above). Its resource name is
    registered with :func:`bilat.schemas.register_resource`; docs/architecture.md has
    the recipe."""
    if not model.KIND or model.KIND in RECORD_TYPES:
        raise ValueError(f"record kind {model.KIND!r} is empty or taken")
    RECORD_TYPES[model.KIND] = model
    return model


@dataclass(frozen=True)
class RefField:
    """A field that holds ids of other records: its name, the kinds it may point to,
    and whether it holds a list of ids or a single one."""

    name: str
    kinds: tuple[str, ...]
    many: bool


@cache
def reference_fields(model: type[Record]) -> tuple[RefField, ...]:
    """The reference fields of *model*, read from their :class:`RefTo` declarations.

    >>> [(f.name, f.kinds) for f in reference_fields(Tenure)][:1]
    [('sources', ('source',))]
    """
    out = []
    for name, info in model.model_fields.items():
        refs = [m for m in info.metadata if isinstance(m, RefTo)]
        if not refs:
            continue
        origin = typing.get_origin(info.annotation)
        out.append(RefField(name, refs[0].kinds, many=origin is list))
    return tuple(out)
