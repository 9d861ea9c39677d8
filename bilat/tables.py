"""How record types map to Frictionless resources, and their generated Table Schemas.

Each record type is one resource named after it in the plural (``engagements``),
stored as CSV (``engagements.csv``) or as JSON (``engagements.json``, an array of
objects). In CSV, list fields hold a JSON array literal (``["ind","rus"]``), which
stays hand-editable and which Frictionless checks item by item; an empty cell is
an empty list or an absent value.

Table Schemas are derived from the JSON Schemas, which are derived from the models:
types, required, pattern, enum, length and range constraints, the primary key, and
foreign keys where Frictionless can express them (a single id pointing at one kind).
"""

from __future__ import annotations

import copy
import json
import pickle
from dataclasses import dataclass
from functools import cache
from typing import Any

from bilat.models import RECORD_TYPES, reference_fields

# the resource names are declared with the schemas; re-exported here, where the tables are
from bilat.schemas import KIND_OF_RESOURCE as KIND_OF_RESOURCE
from bilat.schemas import RESOURCE_NAMES as RESOURCE_NAMES
from bilat.schemas import load_schema, record_schema
from bilat.versions import CURRENT, frozen, kinds

#: CSV dialect every bilat CSV resource declares: every property Frictionless would
#: otherwise guess from the file is pinned, so every tool reads it the same way.
DIALECT: dict[str, Any] = {
    "delimiter": ",",
    "quoteChar": '"',
    "doubleQuote": True,
    "skipInitialSpace": False,
    "header": True,
}


@dataclass(frozen=True)
class Column:
    """One field of a record type as a table column."""

    name: str
    type: str  # "string", "integer", "number", "array"
    required: bool
    constraints: dict[str, Any]
    item_constraints: dict[str, Any] | None  # for arrays: constraints on each item
    description: str | None
    vocabulary: str | None = None  # the vocabulary a code field (or its items) draws on


def _unwrap(prop: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Strip ``anyOf: [X, null]``; return X and whether null was allowed."""
    if "anyOf" in prop:
        options = [p for p in prop["anyOf"] if p.get("type") != "null"]
        if len(options) == 1:
            merged = {**{k: v for k, v in prop.items() if k != "anyOf"}, **options[0]}
            return merged, True
    return prop, False


def _string_constraints(prop: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("pattern", "enum", "minLength", "maxLength"):
        if key in prop:
            out[key] = prop[key]
    return out


@cache
def columns(kind: str, version: str | None = None) -> tuple[Column, ...]:
    """The columns of record *kind*, in model field order; with *version*, those of
    that schema version (see :mod:`bilat.versions`), in its order.

    Read from the JSON Schema shipped with bilat, which ``bilat schema check`` (in CI)
    holds equal to the one the model generates; generating it costs a validation run
    most of 0.1 s at start-up. A schema that cannot be read is generated.
    """
    if version is not None and version != CURRENT:
        by_name = {c.name: c for c in columns(kind)}
        return tuple(by_name[name] for name in field_names(kind, version))

    try:
        schema = load_schema(kind)
    except (OSError, ValueError):
        schema = record_schema(kind)
    required = set(schema.get("required", []))
    out = []
    for name, raw in schema["properties"].items():
        prop, _nullable = _unwrap(raw)
        ptype = prop.get("type")
        if "const" in prop:  # the actor discriminator
            ptype, prop = "string", {**prop, "enum": [prop["const"]]}
        item = None
        if ptype == "array":
            item = _string_constraints(prop.get("items", {}))
            constraints = {k: prop[k] for k in ("minItems",) if k in prop}
            constraints = {"minLength": constraints["minItems"]} if constraints else {}
        elif ptype == "string":
            constraints = _string_constraints(prop)
        elif ptype in ("integer", "number"):
            constraints = {k: prop[k] for k in ("minimum", "maximum") if k in prop}
        else:  # pragma: no cover - the models hold no other types
            raise TypeError(f"{kind}.{name}: no table type for {prop!r}")
        is_required = name in required and name != "kind"
        out.append(
            Column(
                name=name,
                type=str(ptype),
                required=is_required,
                constraints=constraints,
                item_constraints=item,
                description=raw.get("description"),
                vocabulary=prop.get("x-vocabulary") or prop.get("items", {}).get("x-vocabulary"),
            )
        )
    return tuple(out)


def sql_safe(pattern: str) -> str:
    r"""*pattern* written so that SQL tools that copy it into a CHECK clause survive it,
    with the same meaning: no ``(?:`` (SQLAlchemy reads ``:0`` as a bind parameter),
    no ``'`` (it ends the SQL string).

    >>> sql_safe("^(?:[a-z']+)$")
    '^([a-z\\x27]+)$'
    """
    return pattern.replace("(?:", "(").replace("'", "\\x27")


def _field_descriptor(col: Column) -> dict[str, Any]:
    field: dict[str, Any] = {"name": col.name, "type": col.type}
    if col.description:
        field["description"] = col.description
    constraints = dict(col.constraints)
    if "pattern" in constraints:
        if col.required:
            constraints["pattern"] = sql_safe(constraints["pattern"])
        else:
            # SQL tools check a pattern on NULL too, and fail on it (Frictionless's
            # SQL export, datapackage-to-datasette): optional fields are checked by
            # bilat validate alone (docs/frictionless.md)
            del constraints["pattern"]
    if col.required:
        constraints = {"required": True, **constraints}
    if constraints:
        field["constraints"] = constraints
    if col.type == "array":
        field["arrayItem"] = {"type": "string"}
        if col.item_constraints:
            items = dict(col.item_constraints)
            if "pattern" in items:
                items["pattern"] = sql_safe(items["pattern"])
            field["arrayItem"]["constraints"] = items
    return field


def generated_schema(kind: str, present: frozenset[str] | None = None) -> dict[str, Any]:
    """The Frictionless Table Schema of record *kind* in the current version.

    Foreign keys are declared for single-id fields that point at exactly one kind
    whose resource is in *present* (all kinds when None); references in lists or to
    several kinds are checked by ``bilat validate`` alone.
    """
    # a copy of the one built for (kind, present): validation asks for every resource
    # of every package, and unpickling costs a tenth of building it and a deep copy
    return pickle.loads(_generated_pickle(kind, present))  # type: ignore[no-any-return]


@cache
def foreign_key_fields() -> frozenset[tuple[str, str]]:
    """(kind, field) of every reference a Table Schema declares as a foreign key: one
    id (not a list) of one kind. A list field, or a field taking several kinds, has no
    foreign key, so Frictionless checks none of its ids."""
    return frozenset(
        (kind, ref.name)
        for kind, model in RECORD_TYPES.items()
        for ref in reference_fields(model)
        if not ref.many and len(ref.kinds) == 1
    )


@cache
def _generated_pickle(kind: str, present: frozenset[str] | None) -> bytes:
    """:func:`generated_schema`, pickled (as :func:`columns`, kept for the process)."""
    cols = columns(kind)
    schema: dict[str, Any] = {
        "fields": [_field_descriptor(c) for c in cols],
        "missingValues": [""],
        "primaryKey": ["id"],
    }
    fks = []
    for ref in reference_fields(RECORD_TYPES[kind]):
        if (kind, ref.name) not in foreign_key_fields():
            continue
        target = RESOURCE_NAMES[ref.kinds[0]]
        if present is not None and target not in present:
            continue
        fks.append(
            {
                "fields": [ref.name],
                "reference": {
                    "resource": "" if target == RESOURCE_NAMES[kind] else target,
                    "fields": ["id"],
                },
            }
        )
    if fks:
        schema["foreignKeys"] = fks
    return pickle.dumps(schema, protocol=pickle.HIGHEST_PROTOCOL)


def resource_descriptor(
    kind: str,
    fmt: str = "csv",
    present: frozenset[str] | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """A complete resource descriptor for record *kind* stored as *fmt* (csv or json),
    with the Table Schema of schema *version* (the current one when None)."""
    name = RESOURCE_NAMES[kind]
    if fmt == "json":
        return {
            "name": name,
            "type": "json",
            "path": f"{name}.json",
            "format": "json",
            "mediatype": "application/json",
            "encoding": "utf-8",
        }
    return {
        "name": name,
        "type": "table",
        "path": f"{name}.csv",
        "scheme": "file",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": dict(DIALECT),
        "schema": table_schema(kind, version or CURRENT, present),
    }


# -- the Table Schemas of each schema version (see bilat.versions) ----------------------


def table_schema(
    kind: str, version: str = CURRENT, present: frozenset[str] | None = None
) -> dict[str, Any] | None:
    """The Table Schema of record *kind* in *version* (None when the version has no such
    kind), with foreign keys only to the resources in *present* (all when None)."""
    if version == CURRENT:
        return generated_schema(kind, present)
    shipped = frozen(version).get(kind)
    if shipped is None:
        return None
    schema = copy.deepcopy(shipped)
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

    out = {kind: generated_schema(kind) for kind in kinds(CURRENT)}
    path = Path(__file__).parent / "tableschemas" / f"{version}.json"
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
