"""Agreements: treaties, agreements, MoUs, protocols, contracts, joint statements."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from bilat.models.base import RecordRule, SourcedRecord, period
from bilat.models.dates import PartialDate
from bilat.models.engagements import Topics
from bilat.models.types import INT64_MAX, Name, RecordId, RefTo
from bilat.vocab import Vocab


class Agreement(SourcedRecord):
    """Something signed or adopted by two or more parties."""

    KIND: ClassVar[str] = "agreement"

    type: Annotated[str, Vocab("agreement_types")]
    """What kind of instrument (vocabulary ``agreement_types``)."""
    title: Name
    """The title, or a description where the title is not published."""
    parties: Annotated[list[RecordId], RefTo("state", "organization"), Field(min_length=1)]
    """Ids of the States or Organizations bound by it."""
    signatories: Annotated[list[RecordId], RefTo("person")] = Field(default_factory=list)
    """Ids of the Persons who signed it."""
    signed: PartialDate | None = None
    """Date of signature, at the precision known."""
    signed_at: Name | None = None
    """Place of signature."""
    engagement: Annotated[RecordId | None, RefTo("engagement")] = None
    """Id of the Engagement during which it was signed."""
    in_force: PartialDate | None = None
    """Date of entry into force."""
    count: Annotated[int | None, Field(ge=1, le=INT64_MAX)] = None
    """Number of documents, where one record stands for several signed together."""
    capacities: Annotated[list[RecordId], RefTo("tenure")] = Field(default_factory=list)
    """Ids of Tenures: the offices in which the signatories signed."""
    topics: Topics = Field(default_factory=list)

    RULES: ClassVar[tuple[RecordRule, ...]] = (
        period("signed", "in_force", "agreement: entry into force", "in-force-after-signing"),
    )
