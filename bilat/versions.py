"""Schema versions: which Table Schemas a package was written for.

A package declares the bilat schema version it was written for in its descriptor::

    "bilat": {"schemaVersion": "3"}

and is validated against that version's Table Schemas, so a package written for an
older bilat keeps validating when new record types and fields arrive. A package that
declares nothing was written before declarations existed: version ``"1"``.

Each released version's Table Schemas ship frozen in ``bilat/tableschemas/N.json``;
the current version's are generated from the models (:func:`bilat.tables.table_schema`
gives a version's Table Schema). A newer version may add record
types and optional fields, and change how constraints are written, never remove a
field: rows of an older package are read by the current models, the fields the older
version lacks taking their defaults. When the current version is released and a new
one begins, freeze it first (``tests/test_versions.py`` fails until it is)::

    python -c "import bilat.tables as t; t.freeze(t.CURRENT)"
"""

from __future__ import annotations

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
def frozen(version: str) -> dict[str, dict[str, Any]]:
    """The Table Schemas of the released *version*, by record kind, as shipped."""
    text = resources.files("bilat.tableschemas").joinpath(f"{version}.json").read_text("utf-8")
    data: dict[str, dict[str, Any]] = json.loads(text)
    return data


def kinds(version: str) -> tuple[str, ...]:
    """The record kinds *version* knows, in package order."""
    from bilat.models import RECORD_TYPES

    if version == CURRENT:
        return tuple(RECORD_TYPES)
    known = frozen(version)
    return tuple(k for k in RECORD_TYPES if k in known)


__all__ = [
    "CURRENT",
    "FIELD",
    "KEY",
    "UNDECLARED",
    "VERSIONS",
    "declaration",
    "declared",
    "frozen",
    "kinds",
]
