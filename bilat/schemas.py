"""JSON Schema export: one Draft 2020-12 schema per record type and a bundle.

The schemas are generated from the models and committed under ``schema/``;
:func:`check` tells whether a folder holds exactly what :func:`render` produces.
Installed copies ship inside the wheel and are read with :func:`load_schema`.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue

from bilat.models import RECORD_TYPES
from bilat.versions import CURRENT

if TYPE_CHECKING:
    from importlib.abc import Traversable

#: The schema version (see :mod:`bilat.versions`); part of every ``$id``.
#: Resource name of each record kind.
RESOURCE_NAMES: dict[str, str] = {
    "source": "sources",
    "evidence": "evidence",
    "state": "states",
    "person": "persons",
    "organization": "organizations",
    "tenure": "tenures",
    "engagement": "engagements",
    "agreement": "agreements",
    "motion": "motions",
    "vote": "votes",
    "position": "positions",
    "statement": "statements",
    "indicator": "indicators",
    "incident": "incidents",
    "casualty": "casualties",
    "claim": "claims",
    "coded_event": "coded_events",
    "link": "links",
}
#: Record kind held by each resource name.
KIND_OF_RESOURCE: dict[str, str] = {v: k for k, v in RESOURCE_NAMES.items()}


def register_resource(kind: str, name: str) -> None:
    """Name the resource that holds records of the registered kind *kind*."""
    if kind in RESOURCE_NAMES or name in KIND_OF_RESOURCE:
        raise ValueError(f"record kind {kind!r} or resource {name!r} is taken")
    RESOURCE_NAMES[kind] = name
    KIND_OF_RESOURCE[name] = kind


SCHEMA_VERSION = CURRENT
DRAFT = "https://json-schema.org/draft/2020-12/schema"
BUNDLE_NAME = "bilat.schema.json"


def schema_id(kind: str | None = None) -> str:
    """The stable ``$id`` of a record type's schema, or of the bundle.

    >>> schema_id("engagement")
    'urn:bilat:schema:2:engagement'
    """
    return f"urn:bilat:schema:{SCHEMA_VERSION}" + (f":{kind}" if kind else "")


def file_name(kind: str) -> str:
    """The schema file name for a record kind: ``engagement.schema.json``."""
    return f"{kind}.schema.json"


def _portable_patterns(node: Any) -> Any:
    """Make ``$`` at the end of patterns mean end of string for every consumer.

    In Python's ``re`` (used by the jsonschema package) ``$`` also matches before a
    trailing newline, so ``"IND\\n"`` would pass ``^[A-Z]{3}$`` while pydantic refuses it.
    ``(?!\\n)$`` means end of string in Python and ECMA-262 alike.
    """
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str) and value.endswith("$"):
                if not value.endswith("(?!\\n)$"):
                    value = value[:-1] + "(?!\\n)$"
                out[key] = value
            else:
                out[key] = _portable_patterns(value)
        return out
    if isinstance(node, list):
        return [_portable_patterns(v) for v in node]
    return node


class _Generator(GenerateJsonSchema):
    def generate(self, schema: Any, mode: Any = "validation") -> JsonSchemaValue:
        result = super().generate(schema, mode=mode)
        return {"$schema": DRAFT, **_portable_patterns(result)}


def record_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one record type, with ``$schema`` and ``$id``."""
    model = RECORD_TYPES[kind]
    schema = model.model_json_schema(schema_generator=_Generator)
    return {"$schema": schema.pop("$schema"), "$id": schema_id(kind), **schema}


def bundle_schema() -> dict[str, Any]:
    """One document that validates a whole package written as JSON: an object keyed by
    resource name (``engagements``, ``persons``, ...), each an array of that type's
    records.

    The bundle stands alone: every record schema is embedded under ``$defs`` (by
    kind) *without* its ``$id``, and referred to as ``#/$defs/engagement``. So the
    bundle and the per-type files can be loaded into one validator together: no
    ``$id`` ever names two different schemas.
    """
    defs = {}
    for kind in RECORD_TYPES:
        embedded = record_schema(kind)
        del embedded["$schema"], embedded["$id"]
        defs[kind] = embedded
    return {
        "$schema": DRAFT,
        "$id": schema_id(),
        "title": "bilat package",
        "description": (
            "A whole bilat data package as one JSON document: an object keyed by resource "
            "name, each an array of records of that type. Reference integrity across "
            "records (ids exist, are unique, are of the right kind) is checked by "
            "`bilat validate`, not by this schema."
        ),
        "type": "object",
        "additionalProperties": False,
        "properties": {
            RESOURCE_NAMES[kind]: {"type": "array", "items": {"$ref": f"#/$defs/{kind}"}}
            for kind in RECORD_TYPES
        },
        "$defs": defs,
    }


def dumps(schema: dict[str, Any]) -> str:
    """Serialise deterministically: two-space indent, UTF-8 text, final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def render() -> dict[str, str]:
    """Every schema file's name and text, as :func:`export` writes them."""
    files = {file_name(kind): dumps(record_schema(kind)) for kind in RECORD_TYPES}
    files[BUNDLE_NAME] = dumps(bundle_schema())
    return files


def export(directory: Path, *, force: bool = False) -> list[Path]:
    """Write every schema into *directory* (created if missing); return the paths written.

    A schema file that exists is replaced only with *force*; a link, device or FIFO,
    never (:class:`bilat.files.WriteRefused`, before anything is written). Each file
    is written to a temporary name and renamed, so a reader never sees half a file.
    """
    from bilat.files import atomic_write, guard_out, make_folder

    files = render()
    make_folder(directory)
    for name in files:
        guard_out(directory / name, force=force)
    written = []
    for name, text in files.items():
        target = directory / name
        atomic_write(target, text.encode("utf-8"))
        written.append(target)
    return written


def check(directory: Path) -> list[str]:
    """Problems that make *directory* differ from a fresh export; empty when current."""
    problems = []
    expected = render()
    for name, text in expected.items():
        path = directory / name
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path}: stale (differs from the models)")
    if directory.is_dir():
        for path in sorted(directory.glob("*.schema.json")):
            if path.name not in expected:
                problems.append(f"{path}: not generated by bilat (remove it)")
    return problems


def schema_files() -> Traversable:
    """The folder of schemas shipped with bilat.

    In an installed wheel it is ``bilat/_schema``; in a source checkout, the
    repository's ``schema/`` folder.
    """
    shipped = resources.files("bilat").joinpath("_schema")
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parent.parent / "schema"


def load_schema(kind: str | None = None) -> dict[str, Any]:
    """A shipped schema: a record kind's, or the bundle when *kind* is None."""
    name = BUNDLE_NAME if kind is None else file_name(kind)
    data: dict[str, Any] = json.loads(schema_files().joinpath(name).read_text("utf-8"))
    return data


def _type_words(prop: dict[str, Any]) -> str:
    if "anyOf" in prop:
        return " or ".join(_type_words(p) for p in prop["anyOf"] if p.get("type") != "null")
    if "const" in prop:
        return f"`{prop['const']}`"
    kind = prop.get("type", "any")
    if kind == "array":
        return f"list of {_type_words(prop.get('items', {}))}"
    if prop.get("x-vocabulary"):
        name = prop["x-vocabulary"]
        return f"code ([{name}](vocabularies.md#{name}))"
    if prop.get("pattern", "").startswith("^[0-9]{4}(?:-(?:"):
        return "partial date"
    return str(kind)


def fields_markdown() -> str:
    """A Markdown page with one table of fields per record type (``docs/records.md``)."""
    out = [
        "# Record types",
        "",
        "Generated from the models by `bilat schema docs`; do not edit by hand.",
        "",
    ]
    for kind in RECORD_TYPES:
        schema = record_schema(kind)
        required = set(schema.get("required", []))
        doc = " ".join(schema.get("description", "").split())
        out += [f"## {schema.get('title', kind)} (`{kind}`)", "", doc, ""]
        out += ["| field | type | required | refers to | description |", "|---|---|---|---|---|"]
        for name, prop in schema["properties"].items():
            inner = next((p for p in prop.get("anyOf", []) if p.get("type") != "null"), prop)
            refs = prop.get("x-refers-to") or inner.get("x-refers-to") or []
            text = " ".join(str(prop.get("description", "")).split()).replace("|", "\\|")
            out.append(
                f"| `{name}` | {_type_words(prop)} | {'yes' if name in required else ''} | "
                f"{', '.join(refs)} | {text} |"
            )
        out.append("")
    return "\n".join(out)
