"""Actors: states, persons and organizations, one union discriminated on ``kind``."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Union

from pydantic import Field

from bilat.models.base import SourcedRecord
from bilat.models.countries import CountryCode
from bilat.models.types import QID, Name, RecordId, RefTo
from bilat.vocab import Vocab


class _Actor(SourcedRecord):
    name: Name
    """The common English name."""
    aliases: list[Name] = Field(default_factory=list)
    """Other names and spellings, e.g. transliterations."""
    wikidata: QID | None = None
    """Wikidata item, where one exists."""


class State(_Actor):
    """A sovereign state, current or former, identified by its ISO 3166 alpha-3 code."""

    KIND: ClassVar[str] = "state"
    kind: Literal["state"] = "state"
    iso3: CountryCode
    """ISO 3166-1 alpha-3 code (ISO 3166-3 for former states, XKX for Kosovo)."""


class Person(_Actor):
    """A natural person: a leader, minister, diplomat."""

    KIND: ClassVar[str] = "person"
    kind: Literal["person"] = "person"
    nationality: Annotated[RecordId | None, RefTo("state")] = None
    """Id of the State the person is a national of (or represents)."""


class Organization(_Actor):
    """A government body, international organization, company or group of states."""

    KIND: ClassVar[str] = "organization"
    kind: Literal["organization"] = "organization"
    type: Annotated[str, Vocab("organization_types")]
    """What kind of organization (vocabulary ``organization_types``)."""
    state: Annotated[RecordId | None, RefTo("state")] = None
    """Id of the State it belongs to, for government bodies and state companies."""
    parent: Annotated[RecordId | None, RefTo("organization")] = None
    """Id of the Organization it is part of."""
    members: Annotated[list[RecordId], RefTo("state", "organization")] = Field(default_factory=list)
    """Ids of member states or organizations, where they are known."""


Actor = Annotated[Union[State, Person, Organization], Field(discriminator="kind")]
"""Any actor; the ``kind`` field says which."""
