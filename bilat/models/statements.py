"""Statements: words attributed to a person at a date."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from bilat.models.base import SourcedRecord
from bilat.models.dates import PartialDate
from bilat.models.engagements import Topics
from bilat.models.types import ACTOR_KINDS, Language, RecordId, RefTo, Text


class Statement(SourcedRecord):
    """Words attributed to a person, possibly within an engagement."""

    KIND: ClassVar[str] = "statement"

    speaker: Annotated[RecordId, RefTo("person")]
    """Id of the Person who spoke."""
    text: Text
    """The words as the source gives them."""
    mode: Literal["direct", "reported"] = "direct"
    """``direct`` for a quotation, ``reported`` for a paraphrase."""
    language: Language | None = None
    """ISO 639-1 code of ``text`` (a translation is in the language it is given in)."""
    rendering: Literal["original", "translation", "paraphrase"] | None = None
    """How ``text`` renders what was said: the ``original`` words, a ``translation`` of
    them, or a ``paraphrase`` (loose wording, in whatever language)."""
    original_language: Language | None = None
    """ISO 639-1 code of the language in which the words were spoken, where known."""
    date: PartialDate | None = None
    """When it was said, at the precision known."""
    engagement: Annotated[RecordId | None, RefTo("engagement")] = None
    """Id of the Engagement at which it was said."""
    addressees: Annotated[list[RecordId], RefTo(*ACTOR_KINDS), Field(default_factory=list)]
    """Ids of the actors it was addressed to."""
    capacity: Annotated[RecordId | None, RefTo("tenure")] = None
    """Id of the Tenure in which the speaker spoke."""
    topics: Topics = Field(default_factory=list)
