"""Loading through the columnar engine: the records built from its valid blocks, and the
export tables read straight from them, are exactly the row engine's; a package's own
other tables are exported, typed from their Table Schemas."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bilat.export import ExportError, engagement_states, export, graph, tables, to_graphml
from bilat.models import RECORD_TYPES
from bilat.package import Package, read_package

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "datasets" / "india-russia"


def _load(target: Path | str, engine: str, monkeypatch: pytest.MonkeyPatch) -> Package:
    monkeypatch.setenv("BILAT_ENGINE", engine)
    return read_package(target)


def _same(a: Any, b: Any) -> bool:
    return bool(
        a == b
        and type(a) is type(b)
        and list(a.__dict__) == list(b.__dict__)
        and a.model_fields_set == b.model_fields_set
        and all(type(a.__dict__[k]) is type(b.__dict__[k]) for k in a.__dict__)
        and all(
            a.__dict__[k] is not b.__dict__[k]
            for k in a.__dict__
            if isinstance(a.__dict__[k], list)
        )
    )


@pytest.fixture
def flagged(tmp_path: Path) -> Path:
    """The bundled package with two valid engagements whose list cells are not in the
    canonical form (a space after the comma): the column checks flag them, so the row
    engine makes their records, between the blocks' rows."""
    folder = tmp_path / "flagged"
    shutil.copytree(DATASET, folder)
    path = folder / "engagements.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    changed = 0
    for i in (3, 7):
        if '"",""' in lines[i]:
            lines[i] = lines[i].replace('"",""', '"", ""', 1)
            changed += 1
    assert changed == 2
    path.write_text("\n".join(lines), encoding="utf-8")
    return folder


@pytest.mark.parametrize("which", ["bundled", "flagged"])
def test_columnar_load_builds_exactly_the_row_engines_records(
    which: str, flagged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = DATASET if which == "bundled" else flagged
    rows = _load(target, "rows", monkeypatch)
    bulk = _load(target, "columnar", monkeypatch)
    held = bulk.pending("engagement")
    assert held is not None and held.blocks  # the bulk path is what is tested here
    if which == "flagged":
        assert len(held.numbered) >= 2  # and rows the row engine made, merged
    assert len(bulk) == len(rows) and repr(bulk) == repr(rows)
    for kind in RECORD_TYPES:
        assert bulk.count(kind) == len(rows.records(kind))
        mine, theirs = bulk.records(kind), rows.records(kind)
        assert [r.id for r in mine] == [r.id for r in theirs], kind  # file order
        bad = [a.id for a, b in zip(mine, theirs, strict=True) if not _same(a, b)]
        assert bad == [], kind
    assert bulk.pending("engagement") is None  # built once, then kept
    assert list(bulk.by_kind) == list(rows.by_kind)
    assert bulk["summit-22"] == rows["summit-22"]


@pytest.mark.parametrize("which", ["bundled", "flagged"])
def test_export_tables_read_from_the_blocks_equal_those_from_records(
    which: str, flagged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import networkx as nx

    target = DATASET if which == "bundled" else flagged
    by_rows = _load(target, "rows", monkeypatch)
    from_records = tables(by_rows)
    bulk = _load(target, "columnar", monkeypatch)
    from_blocks = tables(bulk)
    # the actor graph, read from the blocks too (the rows' own lines named)
    assert nx.utils.graphs_equal(graph(bulk), graph(by_rows))
    with pytest.raises(ExportError, match=r"^engagements\.csv, row 2, field participants: "):
        to_graphml(bulk, flagged / "x.graphml", max_participants=1)
    assert bulk.pending("engagement") is not None  # no record was built for these
    assert [t.name for t in from_blocks] == [t.name for t in from_records]
    for mine, theirs in zip(from_blocks, from_records, strict=True):
        assert mine.columns == theirs.columns, mine.name
        assert mine.primary_key == theirs.primary_key, mine.name
        assert mine.rows == theirs.rows, mine.name
        for a, b in zip(mine.rows, theirs.rows, strict=True):
            assert [type(v) for v in a] == [type(v) for v in b], mine.name


def test_verbatim_fields_are_plain_text_whose_validator_returns_each_cell() -> None:
    """The fields the export takes from the cells as they are: plain constrained text,
    never a field read by a parser, a vocabulary term (a function checks it), a
    partial date or a claim's JSON value (an after-validator); the field's validator
    gives every such text of the bundled package back unchanged, as a str."""
    from bilat.validation import bulk

    engagement = bulk.verbatim("engagement")
    assert {"id", "title", "host", "country", "notes"} <= engagement
    assert not {"type", "status", "start", "series_number", "participants"} & engagement
    assert "value" not in bulk.verbatim("claim") and "record" in bulk.verbatim("claim")
    pkg = read_package(DATASET)
    checked = 0
    for kind in RECORD_TYPES:
        for name in bulk.verbatim(kind):
            texts = [v for r in pkg.records(kind) if isinstance(v := getattr(r, name), str)]
            back = bulk.specs(kind)[name][0](texts)
            assert back == texts and all(type(v) is str for v in back), (kind, name)
            checked += len(texts)
    assert checked > 1000


_PIECES = st.sampled_from(['"', ",", "\\", "a", "\u00e9", " ", '","', "[", "]"])
_TEXT = st.lists(_PIECES, max_size=6).map("".join)
_CELLS = st.lists(
    st.one_of(
        _TEXT,
        _TEXT.map(lambda inner: f'["{inner}"]'),
        st.lists(_TEXT, max_size=4).map(lambda items: '["' + '","'.join(items) + '"]'),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(_CELLS)
def test_list_cells_the_export_splits_in_arrow_are_those_the_row_engine_splits(
    cells: list[str],
) -> None:
    """The export splits in Arrow exactly the cells parse_array splits without the JSON
    parser, into the same items."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from bilat.export import COMMON_LIST
    from bilat.validation.cells import parse_array

    words = pa.array(cells, pa.string())
    common = pc.match_substring_regex(words, COMMON_LIST).to_pylist()
    split = pc.split_pattern(pc.utf8_slice_codeunits(words, 2, -2), '","').to_pylist()
    for cell, found, items in zip(cells, common, split, strict=True):
        inner = cell[2:-2]
        direct = (
            cell[:2] == '["'
            and cell[-2:] == '"]'
            and len(cell) > 3
            and "\\" not in inner
            and '"' not in inner.replace('","', "")
        )  # parse_array's own test for the form it splits itself
        assert found == direct, cell
        if found:
            assert items == parse_array(cell), cell


def test_parquet_views_equal_the_python_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    pkg = _load(DATASET, "columnar", monkeypatch)
    export(pkg, "parquet", tmp_path / "pq")
    found = pq.read_table(tmp_path / "pq" / "engagement_states.parquet").to_pylist()
    expected = engagement_states(_load(DATASET, "rows", monkeypatch))
    assert [(r["engagement_id"], r["state_id"]) for r in found] == expected
    assert len(expected) > 40


# -- the package's other tables ---------------------------------------------------------

OTHER_SCHEMA = {
    "fields": [
        {"name": "code", "type": "string", "description": "A code."},
        {"name": "count", "type": "integer"},
        {"name": "share", "type": "number"},
        {"name": "ok", "type": "boolean"},
        {"name": "day", "type": "date"},
        {"name": "at", "type": "datetime"},
        {"name": "year", "type": "year"},
        {"name": "extra", "type": "object"},
    ],
    "primaryKey": ["code"],
}
OTHER_CSV = (
    "code,count,share,ok,day,at,year,extra\n"
    'a,1,0.5,true,2024-01-31,2024-01-31T10:00:00Z,2024,"{""k"": 1}"\n'
    "b,,2,false,,2024-02-01T08:30:00,1999,\n"
)


@pytest.fixture
def with_others(tmp_path: Path) -> Path:
    folder = tmp_path / "others"
    shutil.copytree(DATASET, folder)
    (folder / "trade.csv").write_text(OTHER_CSV, encoding="utf-8")
    (folder / "actors.csv").write_text("name\nx\n", encoding="utf-8")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] += [
        {
            "name": "trade",
            "path": "trade.csv",
            "format": "csv",
            "encoding": "utf-8",
            "description": "Trade figures.",
            "schema": OTHER_SCHEMA,
        },
        {  # a name the export's own tables use
            "name": "actors",
            "path": "actors.csv",
            "format": "csv",
            "encoding": "utf-8",
            "schema": {"fields": [{"name": "name", "type": "string"}]},
        },
    ]
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    return folder


def test_other_tables_are_loaded_and_exported_typed(with_others: Path, tmp_path: Path) -> None:
    import duckdb
    import frictionless
    import pyarrow as pa
    import pyarrow.parquet as pq

    assert frictionless.validate(str(with_others / "datapackage.json")).valid
    pkg = read_package(with_others)
    assert set(pkg.others) == {"trade", "actors"}
    trade = pkg.others["trade"]
    assert [f.type for f in trade.fields] == [f["type"] for f in OTHER_SCHEMA["fields"]]
    assert trade.primary_key == ["code"]
    built = {t.name: t for t in tables(pkg)}
    assert "resource_actors" in built and built["actors"].columns[0].name == "id"
    table = built["trade"]
    assert [c.type for c in table.columns] == [
        "text",
        "integer",
        "real",
        "boolean",
        "date",
        "datetime",
        "integer",
        "text",
    ]
    assert table.rows == [
        ("a", 1, 0.5, True, dt.date(2024, 1, 31), dt.datetime(2024, 1, 31, 10), 2024, '{"k": 1}'),
        ("b", None, 2.0, False, None, dt.datetime(2024, 2, 1, 8, 30), 1999, None),
    ]
    assert table.description == "Trade figures."

    export(pkg, "sqlite", tmp_path / "x.db")
    con = sqlite3.connect(tmp_path / "x.db")
    assert con.execute("SELECT * FROM trade ORDER BY code").fetchall() == [
        ("a", 1, 0.5, 1, "2024-01-31", "2024-01-31T10:00:00", 2024, '{"k": 1}'),
        ("b", None, 2.0, 0, None, "2024-02-01T08:30:00", 1999, None),
    ]
    assert [r[1] for r in con.execute("PRAGMA table_info(trade)") if r[5]] == ["code"]
    assert con.execute("SELECT name FROM resource_actors").fetchall() == [("x",)]
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []

    export(pkg, "duckdb", tmp_path / "x.duckdb")
    ddb = duckdb.connect(str(tmp_path / "x.duckdb"), read_only=True)
    kinds = dict(
        ddb.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = 'trade'"
        ).fetchall()
    )
    assert kinds == {
        "code": "VARCHAR",
        "count": "BIGINT",
        "share": "DOUBLE",
        "ok": "BOOLEAN",
        "day": "DATE",
        "at": "TIMESTAMP",
        "year": "BIGINT",
        "extra": "VARCHAR",
    }
    assert ddb.execute("SELECT count(*) FROM trade WHERE ok").fetchone() == (1,)

    export(pkg, "parquet", tmp_path / "pq")
    schema = pq.read_table(tmp_path / "pq" / "trade.parquet").schema
    assert schema.field("day").type == pa.date32()
    assert schema.field("ok").type == pa.bool_()
    assert schema.field("at").type == pa.timestamp("us")


def test_duckdb_file_is_at_most_four_times_the_sqlite_file(tmp_path: Path) -> None:
    pkg = read_package(DATASET)
    export(pkg, "sqlite", tmp_path / "x.db")
    export(pkg, "duckdb", tmp_path / "x.duckdb")
    ratio = (tmp_path / "x.duckdb").stat().st_size / (tmp_path / "x.db").stat().st_size
    assert ratio <= 4, ratio


def test_an_unknown_bilat_engine_is_refused_by_load_as_by_validate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bilat.validation import validate

    monkeypatch.setenv("BILAT_ENGINE", "colunmar")
    for call in (lambda: read_package(DATASET), lambda: validate(DATASET)):
        with pytest.raises(ValueError, match=r"BILAT_ENGINE must be one of auto, .*'colunmar'"):
            call()
    # and the commands that load a package say so in one line: a usage error
    from typer.testing import CliRunner

    from bilat.cli import app

    for args in (
        ["export", str(DATASET), "--to", "sqlite", "x.db"],
        ["card", str(DATASET), "--out", "c"],
        ["build", str(DATASET), "--out", "catalog"],
    ):
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 2, res.output
        assert "BILAT_ENGINE must be one of" in res.output and "Traceback" not in res.output
