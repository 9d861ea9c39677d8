"""Coded events: one row of a machine-coded event data set, kept as the data set gave it.

ICEWS, GDELT 1.0 and 2.0, POLECAT and PLOVER code news stories into events: who did
what to whom, when and where. A :class:`CodedEvent` keeps one such row with its
native key, the raw actor text, the CAMEO code and, where the CAMEO-to-PLOVER
crosswalk gives them, the PLOVER event, mode and context. Actors are resolved to
bilat actors only where that is certain (an ISO 3166 code or name, a Correlates of
War code by date, a Wikidata id, an exact name in a curated package); the raw name,
country and sectors are kept in every case. ``bilat import`` writes them.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from bilat.models.base import RecordRule, SourcedRecord, rule
from bilat.models.countries import CountryCode
from bilat.models.dates import PartialDate
from bilat.models.types import ACTOR_KINDS, QID, Name, RecordId, RefTo, Text, Url

#: The data sets ``bilat import`` reads coded events from.
DATASETS = ("icews", "gdelt1", "gdelt2", "polecat", "plover")

#: A CAMEO event code: two to four digits ("04", "040", "0411").
CameoCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2,4}$")]
#: A PLOVER event type, upper case as PLOVER writes it ("CONSULT").
PloverEvent = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z_]*$", max_length=40)]
#: A PLOVER mode or context, lower case as PLOVER writes it ("phone", "rights_freedoms").
PloverCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=60)]
#: A score on the Goldstein scale or a data set's intensity scale, -10 to 10.
Score = Annotated[float | None, Field(ge=-10, le=10)]


class CodedEvent(SourcedRecord):
    """One event of a coded event data set: ICEWS 2018-06-01, India, "express intent to
    meet or negotiate" (036), Russia.

    >>> e = CodedEvent(id="icews-1-2018-06-01", dataset="icews", native_id="1",
    ...                date="2018-06-01", actor="ind", actor_name="India", cameo="036",
    ...                plover_event="AGREE", sources=["s1"])
    >>> e.plover_event, str(e.date)
    ('AGREE', '2018-06-01')
    """

    KIND: ClassVar[str] = "coded_event"

    dataset: Literal["icews", "gdelt1", "gdelt2", "polecat", "plover"]
    """The data set the row comes from."""
    native_id: Name
    """The row's id in its data set (ICEWS Event ID, GDELT GLOBALEVENTID, POLECAT Event
    ID, PLOVER id). With ``date`` it is the native key: ICEWS ids repeat across dates."""
    merged_ids: list[Name] = Field(default_factory=list)
    """Native ids of the rows merged into this one: exact duplicates of its key, or
    rows of the same day, actors and event under ``bilat import --dedupe daily``."""
    date: PartialDate
    """When the event happened, at the precision the data set gives."""
    event_text: Name | None = None
    """The data set's label for the event, as written ('Express intent to meet or
    negotiate')."""
    actor: Annotated[RecordId | None, RefTo(*ACTOR_KINDS)] = None
    """Id of the bilat actor the source actor was resolved to, where that is certain."""
    actor_name: Name | None = None
    """The source actor's name as the data set wrote it."""
    actor_country: Name | None = None
    """The source actor's country as the data set wrote it (a name or a code)."""
    actor_sectors: list[Name] = Field(default_factory=list)
    """The source actor's sectors as the data set listed them."""
    actor_wikidata: QID | None = None
    """The source actor's Wikidata item, where the data set gives one (POLECAT)."""
    recipient: Annotated[RecordId | None, RefTo(*ACTOR_KINDS)] = None
    """Id of the bilat actor the target was resolved to, where that is certain."""
    recipient_name: Name | None = None
    """The target's name as the data set wrote it."""
    recipient_country: Name | None = None
    """The target's country as the data set wrote it (a name or a code)."""
    recipient_sectors: list[Name] = Field(default_factory=list)
    """The target's sectors as the data set listed them."""
    recipient_wikidata: QID | None = None
    """The target's Wikidata item, where the data set gives one (POLECAT)."""
    cameo: CameoCode | None = None
    """The CAMEO event code."""
    plover_event: PloverEvent | None = None
    """The PLOVER event type: given by the data set (POLECAT, PLOVER) or by the
    CAMEO-to-PLOVER crosswalk. CAMEO 01 and 02 have none."""
    plover_mode: PloverCode | None = None
    """The PLOVER mode, as given or by the crosswalk."""
    plover_context: list[PloverCode] = Field(default_factory=list)
    """The PLOVER contexts, as given or by the crosswalk."""
    intensity: Score = None
    """The data set's intensity score (ICEWS, POLECAT), -10 to 10."""
    goldstein: Score = None
    """The Goldstein score the data set gives (GDELT), -10 to 10."""
    quad_class: Annotated[int | None, Field(ge=0, le=4)] = None
    """The quad class: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict,
    4 material conflict (0 where the data set codes a neutral event)."""
    place_country: CountryCode | None = None
    """Where the event happened: the ISO 3166 alpha-3 code, where resolved."""
    place_name: Name | None = None
    """Where the event happened, as the data set named it."""
    latitude: Annotated[float | None, Field(ge=-90, le=90)] = None
    longitude: Annotated[float | None, Field(ge=-180, le=180)] = None
    story: Name | None = None
    """The id of the story the event was coded from."""
    sentence: Annotated[int | None, Field(ge=0, le=100_000)] = None
    """The number of the sentence in the story."""
    text: Text | None = None
    """The sentence or passage coded, where the data set gives it (PLOVER)."""
    publisher: Name | None = None
    """Who published the story."""
    url: Url | None = None
    """Where the story can be read."""

    RULES: ClassVar[tuple[RecordRule, ...]] = (
        rule(
            ("latitude", "longitude"),
            lambda lat, lon: (lat is None) != (lon is None),
            "latitude and longitude are given together or not at all",
            "longitude",
            name="latitude-with-longitude",
        ),
    )


__all__ = ["DATASETS", "CodedEvent"]
