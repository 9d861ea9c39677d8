"""bilat and Frictionless agree: what bilat passes, Frictionless passes; structural
defects are flagged at the same rows and fields by both."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import frictionless
import pytest

from bilat.validation import validate

DATA = Path(__file__).parent / "data"
Defect = Callable[[str], Path]

#: Fixtures with one structural defect each, and the Frictionless error type for it.
STRUCTURAL = {
    "bad_integer": "type-error",
    "nan_number": None,  # Frictionless accepts NaN; bilat refuses it (stricter)
    "bad_array": "type-error",
    # an optional field: its Table Schema carries no pattern (SQL tools evaluate a
    # pattern on NULL and fail), so only bilat checks it
    "bad_date": None,
    "unknown_vocabulary_term": "constraint-error",
    "bad_iso_code": "constraint-error",
    "required_empty": "constraint-error",
    "duplicate_id_in_table": "primary-key",
    "dangling_single": "foreign-key",
}


def frictionless_errors(folder: Path) -> list[dict[str, object]]:
    report = frictionless.validate(str(folder / "datapackage.json"))
    out = []
    for task in report.tasks:
        for error in task.errors:
            d = error.to_descriptor()
            d["resource"] = task.name
            out.append(d)
    for error in report.errors:
        out.append(error.to_descriptor())
    return out


def bilat_cells(folder: Path) -> set[tuple[str | None, int | None, str | None]]:
    return {(f.resource, f.row, f.field) for f in validate(folder).findings}


def frictionless_cells(errors: list[dict[str, object]]) -> set[tuple[object, object, object]]:
    cells = set()
    for e in errors:
        field = e.get("fieldName")
        if field is None and e.get("fieldNames"):
            field = e["fieldNames"][0]  # type: ignore[index]
        if field is None and e.get("type") == "primary-key":
            field = "id"
        cells.add((e.get("resource"), e.get("rowNumber"), field))
    return cells


def test_valid_fixture_passes_frictionless() -> None:
    assert frictionless_errors(DATA / "valid") == []


@pytest.mark.parametrize("name", sorted(STRUCTURAL))
def test_structural_defects_flagged_at_the_same_cells(name: str, defect: Defect) -> None:
    folder = defect(name)
    errors = frictionless_errors(folder)
    expected_type = STRUCTURAL[name]
    if expected_type is None:
        assert errors == []
        assert not validate(folder).valid
        return
    assert {e["type"] for e in errors} == {expected_type}
    assert frictionless_cells(errors) == bilat_cells(folder)


def test_frictionless_counts_logical_rows_bilat_physical_lines(defect: Defect) -> None:
    folder = defect("multiline_cell")
    errors = frictionless_errors(folder)
    assert frictionless_cells(errors) == {("persons", 4, "name")}
    assert bilat_cells(folder) == {("persons", 5, "name")}


def test_bundled_datasets_pass_frictionless() -> None:
    from bilat.datasets import bundled

    for name, folder in bundled().items():
        assert validate(folder).valid, name
        assert frictionless_errors(folder) == [], name


def test_descriptor_errors_only_frictionless_knows_are_reported_too(defect: Defect) -> None:
    folder = defect("descriptor_bad_created")
    assert frictionless_errors(folder) != []
    (finding,) = validate(folder).findings
    assert finding.code == "descriptor-invalid" and "created" in finding.message
