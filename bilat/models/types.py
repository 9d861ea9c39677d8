"""Constrained field types shared by every record: ids, names, free text, references."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, GetJsonSchemaHandler, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

#: Pattern every record id matches: a lowercase slug of letters, digits and single
#: ``-``, ``_`` or ``.`` separators, e.g. ``putin``, ``ind``, ``visit-2023-12-moscow``.
#: An id is unique across a whole data package, not only within its table.
ID_PATTERN = r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$"

#: The largest integer any field holds: a signed 64-bit integer, the widest SQLite,
#: DuckDB and Parquet store, so whatever validates also exports.
INT64_MAX = 2**63 - 1

#: Control characters other than tab and newline are never valid in text.
_NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"

RecordId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=ID_PATTERN),
]

#: A one-line name or title: no leading or trailing whitespace, no line breaks.
Name = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=500,
        pattern=r"^[^\s\x00-\x1f\x7f-\x9f](?:[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f])?$",
    ),
]

#: Free text (notes, quotes): may span lines, must not be empty or hold control characters.
Text = Annotated[str, StringConstraints(min_length=1, max_length=20000, pattern=_NO_CONTROL)]

#: An http(s) address in RFC 3986 syntax (IRIs must be percent-encoded): host, optional
#: port, path, query and fragment. Kept as written, with no normalisation, so it
#: round-trips exactly.
_PCHAR = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})"
URL_PATTERN = (
    rf"^https?://[A-Za-z0-9.-]+(?::[0-9]{{1,5}})?(?:/{_PCHAR}*)*"
    rf"(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?$"
)
Url = Annotated[
    str,
    StringConstraints(max_length=2000, pattern=URL_PATTERN),
    Field(json_schema_extra={"format": "uri"}),
]

#: Wikidata item identifier.
QID = Annotated[
    str,
    StringConstraints(pattern=r"^Q[1-9][0-9]*$", max_length=20),
    Field(description="Wikidata item identifier, e.g. Q668 for India."),
]

#: ISO 639-1 language code (two lowercase letters).
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]


@dataclass(frozen=True)
class RefTo:
    """Marks a field as holding ids of other records of the given kinds.

    The generic reference check reads this declaration; the JSON Schema carries it as
    ``x-refers-to`` so tools in other languages can follow references too.

    >>> RefTo("person").kinds
    ('person',)
    """

    kinds: tuple[str, ...]

    def __init__(self, *kinds: str) -> None:
        object.__setattr__(self, "kinds", tuple(kinds))

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema: dict[str, Any] = handler(core_schema)
        schema["x-refers-to"] = list(self.kinds)
        return schema


ACTOR_KINDS = ("state", "person", "organization")
#: Kinds an Evidence quote may support: every record kind that rests on sources.
SUPPORTABLE_KINDS = (
    *ACTOR_KINDS,
    "tenure",
    "engagement",
    "agreement",
    "position",
    "statement",
    "indicator",
    "incident",
    "casualty",
    "motion",
    "vote",
    "claim",
)
