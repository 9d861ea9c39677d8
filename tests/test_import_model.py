"""The CodedEvent record type in every layer: JSON Schema, Table Schema, records,
references, the columnar engine's compiled checks; both engines give the same
findings on broken coded events."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow as pa
import pytest
from pydantic import ValidationError

import bilat.validation.engines.columnar.blocks as columnar
from bilat import versions
from bilat.importers import run_import
from bilat.models import RECORD_TYPES, CodedEvent, reference_fields
from bilat.tables import RESOURCE_NAMES, columns
from bilat.validation import validate
from bilat.validation.cells import CellProblem, parser

pytestmark = pytest.mark.events

DATA = Path(__file__).parent / "data" / "import"


def test_coded_event_is_in_schema_version_3_only() -> None:
    assert RECORD_TYPES["coded_event"] is CodedEvent
    assert RESOURCE_NAMES["coded_event"] == "coded_events"
    assert "coded_event" in versions.kinds("3")
    assert "coded_event" not in versions.kinds("2") and "coded_event" not in versions.kinds("1")
    refs = {r.name: r.kinds for r in reference_fields(CodedEvent)}
    assert refs["actor"] == ("state", "person", "organization")
    assert refs["sources"] == ("source",)
    schema = json.loads(
        (Path(__file__).parent.parent / "schema" / "coded_event.schema.json").read_text()
    )
    assert schema["properties"]["actor"]["x-refers-to"] == ["state", "person", "organization"]


def test_model_refuses_what_it_must() -> None:
    base = {
        "id": "e1",
        "dataset": "icews",
        "native_id": "1",
        "date": "2018-06-01",
        "sources": ["s"],
    }
    CodedEvent.model_validate(base)
    for bad in (
        {"cameo": "13y"},
        {"latitude": 91.0, "longitude": 0.0},
        {"latitude": 10.0},  # without its longitude
        {"quad_class": 5},
        {"dataset": "acled"},
        {"plover_event": "consult"},
        {"actor_wikidata": "7747"},
        {"date": "2018-02-30"},
        {"place_country": "XXX"},
    ):
        with pytest.raises(ValidationError):
            CodedEvent.model_validate({**base, **bad})


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("model") / "pkg"
    run_import("icews", [DATA / "icews-2018-06-01-excerpt.tab"], out)
    return out


def _edit(folder: Path, row: int, changes: dict[str, str]) -> None:
    path = folder / "coded_events.csv"
    with path.open(encoding="utf-8", newline="") as f:
        data = list(csv.DictReader(f))
        names = list(data[0])
    data[row].update(changes)
    buf = io.StringIO()
    w = csv.DictWriter(buf, names, lineterminator="\n")
    w.writeheader()
    w.writerows(data)
    path.write_text(buf.getvalue(), encoding="utf-8")


BROKEN = {
    "cameo": {"cameo": "4x"},
    "lat_alone": {"longitude": ""},
    "actor_missing": {"actor": "nowhere"},
    "actor_wrong_kind": {"actor": next(iter([]), "")},  # replaced below by a source id
    "date": {"date": "2018-13"},
    "quad": {"quad_class": "9"},
    "dataset": {"dataset": "acled"},
    "sectors": {"actor_sectors": "[not json"},
    "plover_context": {"plover_context": '["Diplomatic"]'},
}


@pytest.mark.parametrize("defect", sorted(BROKEN))
def test_both_engines_find_the_same_defects(imported: Path, tmp_path: Path, defect: str) -> None:
    import shutil

    folder = tmp_path / defect
    shutil.copytree(imported, folder)
    change = dict(BROKEN[defect])
    if defect == "actor_wrong_kind":
        with (folder / "sources.csv").open(encoding="utf-8") as f:
            change = {"actor": next(iter(csv.DictReader(f)))["id"]}
    _edit(folder, 3, change)
    rows = validate(folder, engine="rows", max_per_code=None)
    cols = validate(folder, engine="columnar", max_per_code=None)
    assert [f.to_dict() for f in rows.findings] == [f.to_dict() for f in cols.findings]
    errors = rows.errors
    assert errors, defect
    assert all(e.resource == "coded_events" and e.row == 5 for e in errors), [
        e.message for e in errors
    ]


TRICKY = ["", " ", "a", "A", "a b", " a", "a\tb", "a\nb", "é", "1", "-1", "1.5", "1e3",
          "NaN", "999", "-91", "2018", "2018-06", "2018-02-30", "[]", '["a"]', '["A"]', "[1]",
          "Q1", "Q0", "RUS", "rus", "0", "04", "0411", "04111", "CONSULT", "consult",
          "https://a.b/c", "http://x y"]  # fmt: skip


def test_rows_the_compiled_checks_pass_are_rows_the_model_accepts(imported: Path) -> None:
    """The columnar engine's compiled checks for coded_event never pass a row the model
    refuses (they may flag more; flagged rows go to the row engine)."""
    with (imported / "coded_events.csv").open(encoding="utf-8", newline="") as f:
        base = next(csv.DictReader(f))
    cols_ = columns("coded_event")
    rows = []
    for col in cols_:
        for value in TRICKY:
            rows.append({**base, col.name: value})
    arrays = {c.name: pa.array([r[c.name] for r in rows], pa.string()) for c in cols_}
    flags = columnar.flag_rows("coded_event", arrays)
    flagged = [False] * len(rows) if flags is None else flags.to_pylist()
    passed = 0
    for row, flag in zip(rows, flagged, strict=True):
        if flag:
            continue
        passed += 1
        data = {}
        for col in cols_:
            raw = row[col.name]
            if raw == "":
                continue
            parse = parser(col)
            try:
                data[col.name] = parse(raw) if parse else raw
            except CellProblem:
                pytest.fail(f"the checks passed an unreadable {col.name}={raw!r}")
        CodedEvent.model_validate(data)  # raises if the checks passed a bad row
    assert passed > len(cols_)  # the test exercised real passes
