"""The finding codes of layer 4, ids and references, in catalogue order (emitted by
bilat/validation/references.py, linked.py (a links table against its curated package)).

:data:`bilat.findings.CATALOGUE` is these codes after those of the layers above.
"""

from __future__ import annotations

from bilat.codes import Code, entry

CODES: tuple[Code, ...] = (
    entry(
        "duplicate-id",
        "references",
        "error",
        "id {value!r} is also used by {detail}",
        "Ids are unique across the whole package: rename one of them.",
    ),
    entry(
        "dangling-reference",
        "references",
        "error",
        "{field} names {value!r}, which no record has as id",
        "Add the record, or correct the id.",
        ("foreign-key",),
    ),
    entry(
        "wrong-reference-kind",
        "references",
        "error",
        "{field} names {value!r}, {detail}",
        "Point the field at a record of an allowed kind.",
    ),
    entry(
        "reference-past-first-part",
        "references",
        "error",
        "{field} names {value!r}, which only {detail} holds: Frictionless reads only the "
        "first part of a multi-file Parquet resource, so it finds no such id there",
        "The package is not portable as it is: write a table that records refer to as one "
        "Parquet file, or as CSV parts (Frictionless reads every CSV part).",
    ),
    entry(
        "linked-package-missing",
        "references",
        "warning",
        "the links name the curated package {value!r}, which cannot be found or read ({detail}); "
        "their records are not checked",
        "Install or download the curated package (bilat download NAME@VERSION), or "
        "correct x-bilat-curated in the links resource's descriptor.",
    ),
    entry(
        "linked-record-missing",
        "references",
        "error",
        "{field} names {value!r}, which the curated package {detail} does not hold",
        "Correct the id, or reject the link: an accepted link must point at a record.",
    ),
    entry(
        "linked-record-kind",
        "references",
        "error",
        "{field} names {value!r}, {detail}",
        "Link events to engagements, statements or votes only.",
    ),
)
