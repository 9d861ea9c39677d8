"""Packages that are not bilat packages (issue 18): no schema-version findings and
`bilat fmt` leaves them alone; every error of a foreign table is counted; YAML
descriptors are refused by name; broken files are findings in any table.

Each package here is written at test time and given to both tools: Frictionless's
verdict is asserted next to bilat's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import frictionless
import pytest
from test_frictionless_law import frictionless_verdict
from typer.testing import CliRunner

from bilat import tables, versions
from bilat.cli import app
from bilat.tables import RESOURCE_NAMES
from bilat.validation import validate

runner = CliRunner()

#: A package somebody else wrote: a table named like a bilat record type ("sources")
#: with columns of its own, and a table of countries.
FOREIGN: dict[str, Any] = {
    "name": "world-bits",
    "resources": [
        {
            "name": "sources",
            "path": "sources.csv",
            "schema": {
                "fields": [
                    {"name": "id", "type": "integer"},
                    {"name": "url", "type": "string"},
                ]
            },
        },
        {
            "name": "countries",
            "path": "countries.csv",
            "schema": {
                "fields": [
                    {"name": "code", "type": "string"},
                    {"name": "name", "type": "string"},
                    {"name": "population", "type": "integer"},
                ]
            },
        },
    ],
}


def write_package(folder: Path, descriptor: dict[str, Any], files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n")
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def foreign_package(folder: Path) -> Path:
    return write_package(
        folder,
        FOREIGN,
        {
            "sources.csv": b"id,url\n1,https://example.org/a\n2,https://example.org/b\n",
            "countries.csv": b"code,name,population\nin,India,1428627663\nru,Russia,143826130\n",
        },
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# -- 1. a package that is not bilat's gets no bilat schema-version findings -------------


def test_a_valid_foreign_package_passes_strict_and_fmt_leaves_it_alone(tmp_path: Path) -> None:
    from bilat.validation.descriptor import is_bilat_package

    pkg = foreign_package(tmp_path / "world-bits")
    assert frictionless_verdict(pkg)[0]
    report = validate(pkg)
    codes = {f.code for f in report.findings}
    assert not codes & {"schema-outdated", "schema-version-unknown", "schema-stale"}, codes
    assert report.valid and not report.warnings, [f.message for f in report.findings]
    # the table named "sources" is not a bilat sources table: its own schema applies
    assert {f.resource for f in report.filter(code="unknown-resource")} == {
        "sources",
        "countries",
    }
    result = runner.invoke(app, ["validate", "--strict", str(pkg)])
    assert result.exit_code == 0, result.output

    before = snapshot(pkg)
    for args in (["fmt"], ["fmt", "--upgrade"], ["fmt", "--check"]):
        result = runner.invoke(app, [*args, str(pkg)])
        assert result.exit_code == 0, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "not a bilat package" in lines[0], result.stderr
        assert "--adopt" in lines[0]
        assert snapshot(pkg) == before, args
    # the flag that says to: the package gets a bilat declaration
    result = runner.invoke(app, ["fmt", "--adopt", str(pkg)])
    written = json.loads((pkg / "datapackage.json").read_text())
    # of the current version, so that the next validate does not ask for an upgrade
    assert written[versions.KEY] == versions.declaration(versions.CURRENT), result.output
    after = validate(pkg)
    assert not after.filter(code="schema-outdated"), after.findings
    # its table named "sources" lacks the columns of bilat's: its rows cannot be read as
    # sources, so it is left as it was and said so (it was written empty, exit 0)
    assert result.exit_code == 1 and "sources: not formatted: missing-header" in result.output
    assert (pkg / "sources.csv").read_bytes() == before["sources.csv"]
    assert not is_bilat_package(FOREIGN)


def test_an_undeclared_package_with_a_record_table_of_an_old_version_is_bilat(
    tmp_path: Path,
) -> None:
    """Recognised by a table with a record type's name and exactly that type's fields
    in one schema version: such a package was written before declarations existed."""
    from bilat.validation.descriptor import is_bilat_package

    old = versions.VERSIONS[0]
    schema = tables.table_schema("person", old)
    assert schema is not None
    name = RESOURCE_NAMES["person"]
    descriptor = {
        "name": "old-bilat",
        "resources": [
            {
                "name": name,
                "path": f"{name}.csv",
                "format": "csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        ],
    }
    assert is_bilat_package(descriptor)
    header = ",".join(f["name"] for f in schema["fields"]) + "\n"
    pkg = write_package(tmp_path / "old", descriptor, {f"{name}.csv": header.encode()})
    report = validate(pkg)
    if versions.CURRENT != old:
        assert [f.value for f in report.filter(code="schema-outdated")] == [old]
    # the same table with one column of its own is foreign, and so is the package
    schema["fields"].append({"name": "shoe_size", "type": "integer"})
    assert not is_bilat_package(descriptor)
    # a declaration makes any package a bilat package
    assert is_bilat_package({**descriptor, versions.KEY: {"schemaVersion": "99"}})


# -- 2. every error of a foreign table is counted ------------------------------------------

#: rows of the big foreign table, each with four cells that are not integers
BAD_ROWS = 2_600
BAD_FIELDS = ("a", "b", "c", "d")


def _many_errors(folder: Path) -> Path:
    descriptor = {
        "name": "readings",
        "resources": [
            {
                "name": "readings",
                "path": "readings.csv",
                "schema": {
                    "fields": [
                        {"name": "station", "type": "string"},
                        *({"name": name, "type": "integer"} for name in BAD_FIELDS),
                    ]
                },
            }
        ],
    }
    body = "station,a,b,c,d\n" + "".join(f"s{i},a{i},b{i},c{i},d{i}\n" for i in range(BAD_ROWS))
    return write_package(folder, descriptor, {"readings.csv": body.encode()})


def test_a_foreign_table_with_more_than_10000_errors_is_reported_exactly(tmp_path: Path) -> None:
    pkg = _many_errors(tmp_path / "readings")
    total = len(BAD_FIELDS) * BAD_ROWS
    assert total > 10_000
    fr = frictionless.validate(str(pkg / "datapackage.json"), limit_errors=10 * total)
    fr_errors = [e for task in fr.tasks for e in task.errors]
    assert not fr.valid and len(fr_errors) == total

    everything = validate(pkg, max_per_code=None)
    errors = everything.filter(code="type-error", resource="readings")
    assert len(errors) == total and not everything.truncated
    assert {(f.row, f.field) for f in errors} == {
        (row, field) for row in range(2, BAD_ROWS + 2) for field in BAD_FIELDS
    }

    capped = validate(pkg)  # the default cap: 1,000 per resource and code
    kept = capped.filter(code="type-error", resource="readings")
    assert len(kept) == 1000
    assert capped.omitted == {("readings", "type-error"): total - 1000}
    assert kept == errors[:1000]  # the first ones, in canonical order
    assert capped.counts()["type-error"] == total

    # and so says the CLI's JSON report under --all-findings
    result = runner.invoke(app, ["validate", "--all-findings", "--format", "json", str(pkg)])
    assert result.exit_code == 1
    (doc,) = json.loads(result.stdout)["packages"]
    assert doc["truncated"] is False and doc["omitted"] == []
    assert sum(f["code"] == "type-error" for f in doc["findings"]) == total


# -- 3. YAML descriptors are refused by name ---------------------------------------------

YAML = """\
name: codes
resources:
  - name: codes
    path: codes.csv
    schema:
      fields:
        - name: code
          type: string
        - name: label
          type: string
"""


@pytest.mark.parametrize("name", ["datapackage.yaml", "datapackage.yml"])
def test_a_yaml_descriptor_is_refused_with_a_message_naming_it(name: str, tmp_path: Path) -> None:
    pkg = tmp_path / "codes"
    pkg.mkdir()
    (pkg / name).write_text(YAML)
    (pkg / "codes.csv").write_text("code,label\nab,Alpha\n")
    if name.endswith(".yaml"):  # Frictionless reads YAML from .yaml files only
        assert frictionless.validate(str(pkg / name)).valid
    for target in (pkg, pkg / name):
        report = validate(target)
        assert report.counts() == {"descriptor-unreadable": 1}, report.counts()
        finding = report.findings[0]
        assert finding.path == name
        assert name in finding.message and "convert it to datapackage.json" in finding.message
        result = runner.invoke(app, ["validate", str(target)])
        assert result.exit_code == 1 and name in result.stdout


def test_a_yaml_file_beside_datapackage_json_changes_nothing(tmp_path: Path) -> None:
    pkg = foreign_package(tmp_path / "both")
    (pkg / "datapackage.yaml").write_text(YAML)
    assert validate(pkg).valid


# -- 4. broken files are findings in any table -------------------------------------------


def test_broken_files_in_a_foreign_package_are_findings(tmp_path: Path) -> None:
    descriptor = {
        "name": "broken",
        "resources": [
            {"name": "notes", "path": "notes.json", "format": "json"},
            {
                "name": "readings",
                "path": "readings.csv",
                "schema": {
                    "fields": [
                        {"name": "id", "type": "integer"},
                        {"name": "text", "type": "string"},
                    ]
                },
            },
        ],
    }
    pkg = write_package(
        tmp_path / "broken",
        descriptor,
        {
            "notes.json": b'[{"id": "a",\n  "name": ',
            "readings.csv": b'id,text\n1,"abc\n2,def\n',
        },
    )
    assert frictionless_verdict(pkg)[0]
    report = validate(pkg)
    assert not report.valid
    assert {(f.code, f.resource) for f in report.errors} == {
        ("json-invalid", "notes"),
        ("unterminated-quote", "readings"),
    }
    (json_error,) = report.filter(code="json-invalid")
    assert "line 2, column 11" in json_error.message
    (quote,) = report.filter(code="unterminated-quote")
    assert quote.row == 2

    # whole files pass
    (pkg / "notes.json").write_bytes(b'[{"id": "a",\n  "name": "b"}]\n')
    (pkg / "readings.csv").write_bytes(b'id,text\n1,"abc"\n2,def\n')
    assert frictionless_verdict(pkg)[0]
    assert validate(pkg).valid


@pytest.mark.parametrize(
    ("dialect", "body", "row"),
    [
        ({"delimiter": ";"}, b'id;text\n1;x\n2;"abc\n3;def\n', 3),
        ({"quoteChar": "'"}, b"id,text\n1,'abc\n", 2),
        ({"delimiter": ","}, b'id,text\n1,ab"c\n2,d"ef\n', None),  # quotes inside cells
        (None, b'id,text\n1,"a ""quoted"" word"\n', None),
    ],
)
def test_an_unclosed_quote_is_found_with_the_table_dialect(
    dialect: Any, body: bytes, row: int | None, tmp_path: Path
) -> None:
    res: dict[str, Any] = {
        "name": "readings",
        "path": "readings.csv",
        "schema": {"fields": [{"name": "id", "type": "integer"}, {"name": "text"}]},
    }
    if dialect is not None:
        res["dialect"] = dialect
    pkg = write_package(tmp_path / "pkg", {"name": "q", "resources": [res]}, {"readings.csv": body})
    found = validate(pkg).filter(code="unterminated-quote")
    assert [f.row for f in found] == ([] if row is None else [row])
