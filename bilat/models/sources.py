"""Sources that facts come from, and Evidence: verbatim quotes from them."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints

from bilat.models.base import Record, RecordRule, rule
from bilat.models.dates import PartialDate
from bilat.models.types import SUPPORTABLE_KINDS, Language, Name, RecordId, RefTo, Text, Url
from bilat.vocab import Vocab

#: A path to a document under the package's seeds folder: relative, forward slashes,
#: no ``..``, no hidden parts.
SeedPath = Annotated[
    str,
    StringConstraints(
        max_length=300, pattern=r"^(?:[A-Za-z0-9_][A-Za-z0-9_.-]*/)*[A-Za-z0-9_][A-Za-z0-9_.-]*$"
    ),
]

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Source(Record):
    """A document facts come from: a news article, a government release, a treaty text,
    a data set. It is identified by a URL, a seed document shipped with the data, or a
    bibliographic citation (at least one)."""

    KIND: ClassVar[str] = "source"

    type: Annotated[str, Vocab("source_types")]
    """What kind of document it is (vocabulary ``source_types``)."""
    title: Name
    publisher: Name | None = None
    """Who published it: an outlet, a ministry, the UN."""
    authors: list[Name] = Field(default_factory=list)
    published: PartialDate | None = None
    """Publication date, at the precision known."""
    accessed: PartialDate | None = None
    """When the curators read it (for web pages)."""
    url: Url | None = None
    """Where it can be read, written exactly as found."""
    seed: SeedPath | None = None
    """Path, relative to the package folder, of a copy shipped with the package (``seeds/...``)."""
    seed_sha256: Sha256 | None = None
    """SHA-256 of the seed file's bytes, so a changed copy is noticed."""
    citation: Text | None = None
    """A bibliographic citation, for documents with neither URL nor seed."""
    language: Language | None = None
    """ISO 639-1 code of the document's language."""

    RULES: ClassVar[tuple[RecordRule, ...]] = (
        rule(
            ("url", "seed", "citation"),
            lambda url, seed, citation: url is None and seed is None and citation is None,
            "a source needs at least one of url, seed or citation",
            "url",
            name="url-seed-or-citation",
        ),
        rule(
            ("seed_sha256", "seed"),
            lambda sha, seed: sha is not None and seed is None,
            "seed_sha256 is given but seed is not",
            "seed",
            name="hash-needs-seed",
        ),
    )


class Evidence(Record):
    """A verbatim quote from a Source that supports one or more records.

    When the Source is a seed document, the quote must be found in it (after
    normalising whitespace, quote marks and escaped quotes); ``bilat validate``
    checks this.
    """

    KIND: ClassVar[str] = "evidence"

    source: Annotated[RecordId, RefTo("source")]
    """Id of the Source the quote is taken from."""
    quote: Text
    """The words exactly as they stand in the source."""
    supports: Annotated[
        list[RecordId],
        RefTo(*SUPPORTABLE_KINDS),
        Field(min_length=1),
    ]
    """Ids of the records this quote supports."""
    locator: Name | None = None
    """Where in the source: page, paragraph, section."""
