"""Property tests: damage one cell of a valid package; a finding points at that row."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bilat.validation import validate

VALID = Path(__file__).parent / "data" / "valid"

# (resource file, column, damaged value, codes that may report it)
MUTATIONS = {
    "drop_required": ("title", lambda v: "", {"required-error"}),
    "impossible_date": ("start", lambda v: "2023-02-30", {"constraint-error"}),
    "month_13": ("start", lambda v: "2023-13", {"constraint-error"}),
    "break_reference": ("participants", lambda v: '["nobody-here"]', {"dangling-reference"}),
    "wrong_kind": ("participants", lambda v: '["src-article"]', {"wrong-reference-kind"}),
    "unknown_status": ("status", lambda v: "rumoured", {"constraint-error"}),
    "bad_id": ("id", lambda v: v.upper() + " X", {"constraint-error"}),
}


def damaged_copy(root: Path, row: int, column: str, value: str, quote_all: bool) -> Path:
    pkg = root / "pkg"
    shutil.copytree(VALID, pkg)
    path = pkg / "engagements.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[row - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(
        out, lineterminator="\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    ).writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return pkg


@settings(max_examples=40, deadline=None)
@given(
    mutation=st.sampled_from(sorted(MUTATIONS)),
    row=st.integers(min_value=2, max_value=4),
    quote_all=st.booleans(),
)
def test_damaged_cell_is_reported_at_its_row(mutation: str, row: int, quote_all: bool) -> None:
    column, damage, codes = MUTATIONS[mutation]
    with tempfile.TemporaryDirectory() as tmp:
        original = list(csv.reader(io.StringIO((VALID / "engagements.csv").read_text())))
        value = damage(original[row - 1][original[0].index(column)])
        pkg = damaged_copy(Path(tmp), row, column, value, quote_all)
        report = validate(pkg)
    hits = [
        f
        for f in report.findings
        if f.resource == "engagements" and f.row == row and f.field == column and f.code in codes
    ]
    assert hits, [(f.code, f.resource, f.row, f.field) for f in report.findings]
    assert not report.valid


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_any_cell_text_gives_findings_or_passes_never_raises(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pkg = damaged_copy(Path(tmp), 3, "title", text, quote_all=True)
        report = validate(pkg)
    assert all(f.code and f.message for f in report.findings)
