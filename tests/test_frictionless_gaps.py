"""Inputs Frictionless lets through and bilat refuses, one test each, as listed in
docs/frictionless.md (a test checks the page and this list agree)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from mutants import build, edit_desc, resource, to_json_resource, with_cell
from test_frictionless_law import bytes_edit, chain, foreign, frictionless_verdict

from bilat.validation import validate

ROOT = Path(__file__).resolve().parent.parent


def _symlink_outside(folder: Path) -> None:
    (folder / "persons.csv").unlink()
    os.symlink("../outside/persons.csv", folder / "persons.csv")


def _json_truncated(folder: Path) -> None:
    to_json_resource("statements", "statement")(folder)
    raw = (folder / "statements.json").read_bytes()
    (folder / "statements.json").write_bytes(raw[:-40])


def _json_duplicate_key(folder: Path) -> None:
    to_json_resource("statements", "statement")(folder)
    text = (folder / "statements.json").read_text()
    (folder / "statements.json").write_text(
        text.replace('"speaker": "putin",', '"speaker": "putin",\n    "speaker": "nobody",', 1)
    )


def _foreign_json_truncated(folder: Path) -> None:
    """A JSON resource that is not a bilat table (Frictionless reads it as bytes)."""
    (folder / "notes.json").write_text('[{"id": "a", "name": ')
    edit_desc(lambda d: d["resources"].append({"name": "notes", "path": "notes.json"}))(folder)


#: A table that is not a bilat record type, cut inside its last quoted cell.
_FOREIGN_CUT = foreign(
    'id,text\n1,"abc\n2,def\n',
    schema={"fields": [{"name": "id", "type": "integer"}, {"name": "text", "type": "string"}]},
)


def _sniffed_semicolons(folder: Path) -> None:
    data = json.loads((folder / "datapackage.json").read_text())
    resource(data, "persons").pop("dialect")
    (folder / "datapackage.json").write_text(json.dumps(data))
    text = (folder / "persons.csv").read_text()
    (folder / "persons.csv").write_text(text.replace(",", ";"))


#: case -> (the change, the bilat code that refuses it)
GAPS: dict[str, tuple[Callable[[Path], None], str]] = {
    "symlink-outside-the-package": (_symlink_outside, "unsafe-path"),
    "truncated-json-resource": (_json_truncated, "json-invalid"),
    "duplicate-key-in-json-resource": (_json_duplicate_key, "json-duplicate-key"),
    "undeclared-encoding-guessed": (
        chain(
            edit_desc(lambda d: resource(d, "organizations").pop("encoding")),
            bytes_edit("organizations.csv", b"Ministry", b"Min\xe9istry"),
        ),
        "encoding-error",
    ),
    "sniffed-delimiter": (_sniffed_semicolons, "dialect-ambiguous"),
    "nan-number": (
        chain(
            with_cell("indicators.csv", 2, "value", "NaN"),
            with_cell("indicators.csv", 2, "unit", "t"),
        ),
        "type-error",
    ),
    "overflowing-number": (
        chain(
            with_cell("indicators.csv", 2, "value", "1e400"),
            with_cell("indicators.csv", 2, "unit", "t"),
        ),
        "type-error",
    ),
    "dangling-id-in-a-list-cell": (
        with_cell("engagements.csv", 3, "participants", '["ind","ghost"]'),
        "dangling-reference",
    ),
    "wrong-kind-of-record": (
        with_cell("agreements.csv", 2, "signatories", '["jaishankar","ind"]'),
        "wrong-reference-kind",
    ),
    "impossible-leap-day": (
        with_cell("engagements.csv", 2, "start", "2023-02-29"),
        "constraint-error",
    ),
    "end-before-start": (with_cell("engagements.csv", 4, "end", "2023-12-01"), "end-before-start"),
    "quote-not-in-its-document": (
        with_cell("evidence.csv", 2, "quote", "India has loudly condemned the Russian invasion."),
        "quote-not-in-seed",
    ),
    "sha1-hash-ignored": (
        edit_desc(lambda d: resource(d, "organizations").update(hash="sha1:" + "0" * 40)),
        "hash-mismatch",
    ),
    # the file ends inside the last cell: '"en' is read as 'en', a valid language code
    "file-cut-inside-a-quoted-cell": (
        lambda f: (f / "sources.csv").write_bytes(
            (f / "sources.csv").read_bytes().removesuffix(b",\n") + b',"en'
        ),
        "unterminated-quote",
    ),
    "truncated-json-in-a-foreign-resource": (_foreign_json_truncated, "json-invalid"),
    "foreign-table-cut-inside-a-quoted-cell": (_FOREIGN_CUT, "unterminated-quote"),
}


@pytest.mark.parametrize("case", sorted(GAPS))
def test_frictionless_passes_and_bilat_refuses(case: str, tmp_path: Path) -> None:
    change, code = GAPS[case]
    folder = build(case, tmp_path, change)
    fr_valid, fr_types = frictionless_verdict(folder)
    assert fr_valid, fr_types
    report = validate(folder)
    assert not report.valid
    assert code in {f.code for f in report.errors}, [f.code for f in report.findings]


def test_the_docs_page_lists_exactly_these_cases() -> None:
    page = (ROOT / "docs" / "frictionless.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", page, flags=re.M))
    assert listed == set(GAPS)
