"""Schema versions: which Table Schemas a package was written for.

A package declares the bilat schema version it was written for in its descriptor::

    "bilat": {"schemaVersion": "3"}

and is validated against that version's Table Schemas, so a package written for an
older bilat keeps validating when new record types and fields arrive. A package that
declares nothing was written before declarations existed: version ``"1"``.

Each released version's Table Schemas ship frozen in ``bilat/tableschemas/N.json``;
the current version's are generated from the models. A newer version may add record
types and optional fields, and change how constraints are written, never remove a
field: rows of an older package are read by the current models, the fields the older
version lacks taking their defaults. When the current version is released and a new
one begins, freeze it first (``tests/test_versions.py`` fails until it is)::

    python -c "import bilat.versions as v; v.freeze(v.CURRENT)"
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

#: The version of the Table Schemas this bilat generates.
CURRENT = "3"
#: Every version this bilat validates, oldest first.
VERSIONS = ("1", "2", "3")
#: Packages that declare no version were written for this one.
UNDECLARED = "1"
#: The descriptor property that holds the declaration.
KEY = "bilat"
FIELD = "schemaVersion"


def declaration(version: str) -> dict[str, str]:
    """The descriptor property that declares *version*: ``{"schemaVersion": "3"}``."""
    return {FIELD: version}


def declared(descriptor: dict[str, Any]) -> tuple[str | None, str | None]:
    """The version *descriptor* declares, and a problem with the declaration if any.

    Returns ``(version, None)`` for a known version (``UNDECLARED`` when there is no
    declaration) and ``(None, why)`` when the declaration is malformed or names a
    version this bilat does not know.
    """
    if KEY not in descriptor:
        return UNDECLARED, None
    value = descriptor[KEY]
    if not isinstance(value, dict) or not isinstance(value.get(FIELD), str):
        return None, f'"{KEY}" must be an object like {{"{FIELD}": "{CURRENT}"}}'
    version = value[FIELD]
    if version not in VERSIONS:
        return None, (
            f"schema version {version!r} is not one this bilat knows "
            f"({', '.join(VERSIONS)}): upgrade bilat"
        )
    return version, None


@cache
def _frozen(version: str) -> dict[str, dict[str, Any]]:
    text = resources.files("bilat.tableschemas").joinpath(f"{version}.json").read_text("utf-8")
    data: dict[str, dict[str, Any]] = json.loads(text)
    return data


def kinds(version: str) -> tuple[str, ...]:
    """The record kinds *version* knows, in package order."""
    from bilat.models import RECORD_TYPES

    if version == CURRENT:
        return tuple(RECORD_TYPES)
    frozen = _frozen(version)
    return tuple(k for k in RECORD_TYPES if k in frozen)


def table_schema(
    kind: str, version: str = CURRENT, present: frozenset[str] | None = None
) -> dict[str, Any] | None:
    """The Table Schema of record *kind* in *version* (None when the version has no such
    kind), with foreign keys only to the resources in *present* (all when None)."""
    from bilat import tables

    if version == CURRENT:
        return tables.table_schema(kind, present)
    frozen = _frozen(version).get(kind)
    if frozen is None:
        return None
    schema = copy.deepcopy(frozen)
    if present is not None and "foreignKeys" in schema:
        keys = [
            fk
            for fk in schema["foreignKeys"]
            if not fk["reference"]["resource"] or fk["reference"]["resource"] in present
        ]
        if keys:
            schema["foreignKeys"] = keys
        else:
            del schema["foreignKeys"]
    return schema


@cache
def field_names(kind: str, version: str = CURRENT) -> tuple[str, ...]:
    """The columns of record *kind* in *version*, in order."""
    schema = table_schema(kind, version)
    if schema is None:
        raise KeyError(f"schema version {version} has no record kind {kind!r}")
    return tuple(f["name"] for f in schema["fields"])


def freeze(version: str) -> None:  # pragma: no cover - run by hand at a version bump
    """Write the generated Table Schemas as ``bilat/tableschemas/<version>.json``."""
    from pathlib import Path

    from bilat import tables

    out = {kind: tables.table_schema(kind) for kind in kinds(CURRENT)}
    path = Path(__file__).parent / "tableschemas" / f"{version}.json"
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")


__all__ = [
    "CURRENT",
    "FIELD",
    "KEY",
    "UNDECLARED",
    "VERSIONS",
    "declaration",
    "declared",
    "field_names",
    "kinds",
    "table_schema",
]
