"""Every independent defect of a row is reported in one run, and nothing is lost at any
size: codes planted in the first and last rows of a 200,000-row resource all come out."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from mutants import VALID, with_cell

from bilat.validation import validate

HEADER = (
    "id,notes,sources,type,status,title,start,end,participants,host,location,country,"
    "part_of,series,series_number,capacities,topics"
)


def located(report: object) -> set[tuple[str, int | None, str | None]]:
    return {(f.code, f.row, f.field) for f in report.findings}  # type: ignore[attr-defined]


def copy(tmp_path: Path) -> Path:
    pkg = tmp_path / "pkg"
    shutil.copytree(VALID, pkg)
    return pkg


def set_row(pkg: Path, row: int, **cells: str) -> None:
    for column, value in cells.items():
        with_cell("engagements.csv", row, column, value)(pkg)


def test_the_four_defects_of_one_row_come_out_in_one_run(tmp_path: Path) -> None:
    pkg = copy(tmp_path)
    set_row(  # row 3 is summit-22, which no record refers to
        pkg,
        3,
        id="Summit-2023-03",
        type="bilateral_summit",
        start="20-03-2023",
        participants="modi;kishida",
    )
    assert located(validate(pkg)) == {
        ("constraint-error", 3, "id"),
        ("constraint-error", 3, "type"),
        ("constraint-error", 3, "start"),
        ("type-error", 3, "participants"),
    }


def test_a_record_rule_runs_when_the_fields_it_reads_are_valid(tmp_path: Path) -> None:
    pkg = copy(tmp_path)
    set_row(pkg, 3, id="Bad Id", end="2023-01-01", series_number="zero")
    found = located(validate(pkg))
    assert found == {
        ("constraint-error", 3, "id"),
        ("end-before-start", 3, "end"),
        ("type-error", 3, "series_number"),
    }


def test_references_are_checked_in_a_row_with_other_defects(tmp_path: Path) -> None:
    pkg = copy(tmp_path)
    set_row(pkg, 4, type="tea_party", participants='["ind","nobody","Not An Id"]', host="ghost")
    found = located(validate(pkg))
    assert ("constraint-error", 4, "type") in found
    assert ("constraint-error", 4, "participants") in found  # the malformed item
    assert ("dangling-reference", 4, "participants") in found  # 'nobody', though the cell failed
    assert ("dangling-reference", 4, "host") in found


# -- size -------------------------------------------------------------------------------

ROWS = 200_000


def _big(pkg: Path) -> list[list[str]]:
    path = pkg / "engagements.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    template = next(r for r in rows if r[0] == "summit-22")
    body = rows[1:]
    for i in range(ROWS - len(body)):
        body.append([f"e-{i}", *template[1:]])
    return [rows[0], *body]


#: One defect per code: the change to a row (column -> value), or a whole-row edit.
PLANTS: dict[str, dict[str, str]] = {
    "type-error": {"series_number": "x"},
    "constraint-error": {"start": "2023-02-30"},
    "required-error": {"title": ""},
    "unique-error": {"id": "visit"},
    "duplicate-id": {"id": "ind"},
    "dangling-reference": {"participants": '["ind","ghost"]'},
    "wrong-reference-kind": {"participants": '["ind","src-article"]'},
    "end-before-start": {"start": "2024-05-02", "end": "2024-05-01"},
    "record-invalid": {"series": ""},
    "sub-engagement-outside-parent": {"part_of": "visit"},
    "capacity-not-acting": {"capacities": '["t-putin"]'},
    "outside-tenure": {
        "capacities": '["t-putin"]',
        "participants": '["putin"]',
        "start": "2001",
    },
}


def test_codes_planted_in_the_first_and_last_rows_are_all_reported(tmp_path: Path) -> None:
    pkg = copy(tmp_path)
    table = _big(pkg)
    header = table[0]
    n = len(table)
    expected = set()
    for k, (code, cells) in enumerate(PLANTS.items()):
        for index in (4 + k, n - 1 - k):  # near the top, and near the bottom
            row = table[index]
            for column, value in cells.items():
                row[header.index(column)] = value
            expected.add((code, index + 1))
    # whole-row defects: extra and missing cells, a blank row, a bad byte
    table[3] = [*table[3], "surplus"]
    table[n - 30] = table[n - 30][:-1]
    expected |= {("extra-cell", 4), ("missing-cell", n - 29)}
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    text = out.getvalue().encode("utf-8")
    lines = text.split(b"\n")
    lines.insert(2, b"")  # a blank row after the first data row
    expected = {(c, r + 1 if r >= 3 else r) for c, r in expected} | {("blank-row", 3)}
    last = len(lines) - 2  # index of the last data line
    lines[last] = lines[last].replace(b"e-", b"\xff-", 1)
    expected.add(("encoding-error", last + 1))
    (pkg / "engagements.csv").write_bytes(b"\n".join(lines))

    report = validate(pkg)
    found = {(f.code, f.row) for f in report.findings if f.resource == "engagements"}
    missing = {e for e in expected if e not in found}
    assert not missing, sorted(missing)
    assert not report.omitted
