"""Multi-file CSV resources (``path`` a list): every part is read, with its own header
row, and a finding names the part and the physical line in it; every engine gives the
same report (docs/frictionless.md has the choice and what Frictionless does)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mutants import build

from bilat.validation import validate

ENGINES = ("rows", "columnar", "sql")


def _split(folder: Path, name: str = "engagements", extra: bytes = b"", **declare: Any) -> None:
    """Cut *name*.csv in two parts after its first record (each with the header), the
    second part followed by the lines *extra*."""
    lines = (folder / f"{name}.csv").read_bytes().splitlines(keepends=True)
    (folder / f"{name}.csv").write_bytes(b"".join(lines[:2]))
    (folder / f"{name}-2.csv").write_bytes(lines[0] + b"".join(lines[2:]) + extra)
    desc = json.loads((folder / "datapackage.json").read_text())
    for res in desc["resources"]:
        if res["name"] == name:
            res["path"] = [f"{name}.csv", f"{name}-2.csv"]
            res.pop("bytes", None)
            res.pop("hash", None)
            res.update(declare)
    (folder / "datapackage.json").write_text(json.dumps(desc))


def _errors(folder: Path, engine: str) -> list[tuple[Any, ...]]:
    report = validate(folder, engine=engine, max_per_code=None)
    return [(f.code, f.path, f.row, f.field) for f in report.findings if f.severity == "error"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_package_cut_in_parts_is_valid(tmp_path: Path, engine: str) -> None:
    folder = build("parts", tmp_path, _split)
    assert _errors(folder, engine) == []


def test_an_id_taken_in_two_parts_is_found_in_the_second(tmp_path: Path) -> None:
    folder = build("dup", tmp_path, lambda f: None)
    first = (folder / "engagements.csv").read_bytes().splitlines(keepends=True)[1]
    _split(folder, extra=first)
    found = {e: _errors(folder, e) for e in ENGINES}
    assert found["rows"] == found["columnar"] == found["sql"]
    (dup,) = [f for f in found["rows"] if f[0] == "duplicate-id"]
    lines = (folder / "engagements-2.csv").read_bytes().count(b"\n")
    assert dup == ("duplicate-id", "engagements-2.csv", lines, "id")


def test_a_missing_part_is_reported(tmp_path: Path) -> None:
    folder = build("missing", tmp_path, _split)
    (folder / "engagements-2.csv").unlink()
    assert ("resource-missing", "engagements-2.csv", None, "path") in _errors(folder, "rows")


def test_bytes_declared_for_all_parts_are_refused(tmp_path: Path) -> None:
    folder = build("bytes", tmp_path, lambda f: _split(f, bytes=10))
    assert ("unsupported-format", "datapackage.json", None, "bytes") in _errors(folder, "rows")
