"""Splitting a large CSV resource between two processes changes nothing in the report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bilat.validation import Limits, parallel, structure, validate
from bilat.validation.descriptor import ResourcePlan

VALID = Path(__file__).parent / "data" / "valid"
SEQUENTIAL = Limits(parallel_min_bytes=0)
SPLIT = Limits(parallel_min_bytes=1)


def big_package(tmp_path: Path, rows: int = 3000, notes_every: int = 7) -> Path:
    """The valid fixture with many more engagements, multi-line notes and defects."""
    pkg = tmp_path / "pkg"
    shutil.copytree(VALID, pkg)
    lines = (pkg / "engagements.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    header, template = lines[0], lines[2]  # the summit-22 row, which nothing refers to
    out = [header, *lines[1:]]
    for i in range(rows):
        row = template.replace("summit-22", f"e-{i}", 1)
        if i % notes_every == 0:  # a quoted cell spanning lines, anywhere, also across the middle
            row = row.replace(f"e-{i},,", f'e-{i},"first line\nsecond ""quoted"" line",', 1)
        if i == rows // 4:
            row = row.replace(",2024,", ",2024-02-30,", 1)  # bad date in the first half
        if i == 3 * rows // 4:
            row = row.replace(
                ',"[""ind"",""rus""]",', ',"[""ind"",""nobody""]",', 1
            )  # dangling, second half
        if i == rows - 3:
            row = row.replace(f"e-{i},", "e-1,", 1)  # duplicate of a first-half id
        if i == rows - 2:
            row = row.replace(",summit,", ",tea_party,", 1)
        out.append(row)
    (pkg / "engagements.csv").write_text("".join(out), encoding="utf-8")
    return pkg


def located(report: object) -> list[tuple[str, str | None, int | None, str | None]]:
    return sorted((f.code, f.resource, f.row, f.field) for f in report.findings)  # type: ignore[attr-defined]


def test_split_report_equals_sequential_report(tmp_path: Path) -> None:
    pkg = big_package(tmp_path)
    sequential = validate(pkg, limits=SEQUENTIAL)
    split = validate(pkg, limits=SPLIT)
    assert located(split) == located(sequential)
    codes = {f.code for f in sequential.findings}
    assert codes == {"constraint-error", "dangling-reference", "unique-error"}
    assert len(sequential.findings) == 4


def test_the_worker_really_does_the_second_half(tmp_path: Path) -> None:
    pkg = big_package(tmp_path)
    plan = ResourcePlan(
        "engagements", "engagement", "csv", "engagements.csv", pkg / "engagements.csv", None
    )
    parts = parallel.split(plan)
    assert parts is not None
    head, tail_part = parts
    tail = parallel.Tail(plan, tail_part, SPLIT)
    try:
        rows = [row for _, batch in tail.results() for row in batch]
    finally:
        tail.close()
    assert tail.used_worker
    whole = [r.row for r in structure.check_csv(plan, lambda f: None)]
    head_rows = [r.row for r in structure.check_csv(plan, lambda f: None, part=head)]
    assert head_rows + [number for number, _, _ in rows] == whole


@pytest.mark.parametrize("notes_every", [1, 2, 5])
def test_split_point_never_cuts_a_quoted_cell(tmp_path: Path, notes_every: int) -> None:
    pkg = big_package(tmp_path, rows=500, notes_every=notes_every)
    plan = ResourcePlan(
        "engagements", "engagement", "csv", "engagements.csv", pkg / "engagements.csv", None
    )
    parts = parallel.split(plan)
    assert parts is not None
    _head, tail = parts
    data = (pkg / "engagements.csv").read_bytes()
    assert data[: tail.start].count(b'"') % 2 == 0 and data[tail.start - 1 : tail.start] == b"\n"
    assert tail.first_line == data[: tail.start].count(b"\n") + 1
    # the same findings, message for message; only their order may differ
    split = sorted(validate(pkg, limits=SPLIT).findings, key=repr)
    assert split == sorted(validate(pkg, limits=SEQUENTIAL).findings, key=repr)


def test_encoding_error_in_second_half_names_its_line(tmp_path: Path) -> None:
    pkg = big_package(tmp_path, rows=400)
    path = pkg / "engagements.csv"
    data = path.read_bytes()
    at = data.index(b"e-350,")
    path.write_bytes(data[:at] + b"e-350\xff" + data[at + 5 :])
    line = data[:at].count(b"\n") + 1
    for limits in (SEQUENTIAL, SPLIT):
        errors = [f for f in validate(pkg, limits=limits).findings if f.code == "encoding-error"]
        assert [(f.resource, f.row) for f in errors] == [("engagements", line)]
