"""Exports of the bundled package, opened with the real tools: sqlite3, DuckDB, pyarrow,
networkx, a real datasette on 127.0.0.1; Frictionless's own SQL export and
datapackage-to-datasette on the package itself."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import bilat
from bilat.cli import app
from bilat.export import ExportError, export, tables
from bilat.models import RECORD_TYPES
from bilat.tables import RESOURCE_NAMES

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "datasets" / "india-russia"
runner = CliRunner()


@pytest.fixture(scope="module")
def pkg() -> Any:
    return bilat.load("india-russia")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, pkg: Any) -> Path:
    """The four exports, written once through the CLI."""
    folder = tmp_path_factory.mktemp("exports")
    for fmt, name in (
        ("sqlite", "ir.db"),
        ("duckdb", "ir.duckdb"),
        ("parquet", "pq"),
        ("graphml", "ir.graphml"),
    ):
        result = runner.invoke(app, ["export", "india-russia", "--to", fmt, str(folder / name)])
        assert result.exit_code == 0, result.output
    return folder


def counts(pkg: Any) -> dict[str, int]:
    return {RESOURCE_NAMES[k]: len(pkg.records(k)) for k in RECORD_TYPES}


def test_sqlite_holds_every_record_with_keys_types_and_nulls(out: Path, pkg: Any) -> None:
    con = sqlite3.connect(out / "ir.db")
    for table, n in counts(pkg).items():
        assert con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == n, table
    assert con.execute("SELECT count(*) FROM records").fetchone()[0] == len(pkg)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    fks = {r[2] for r in con.execute("PRAGMA foreign_key_list(engagement_participants)")}
    assert fks == {"engagements", "actors"}
    pk = [r[1] for r in con.execute("PRAGMA table_info(engagements)") if r[5]]
    assert pk == ["id"]
    row = con.execute(
        "SELECT start, start_earliest, start_latest, end, series_number, typeof(series_number)"
        " FROM engagements WHERE id = 'summit-6'"
    ).fetchone()
    assert row == ("2005-12", "2005-12-01", "2005-12-31", None, 6, "integer")
    links = con.execute("SELECT count(*) FROM engagement_participants").fetchone()[0]
    assert links == sum(len(e.participants) for e in pkg.records("engagement"))
    first = con.execute(
        "SELECT actor_id FROM engagement_participants WHERE engagement_id = 'summit-22'"
        " ORDER BY position"
    ).fetchall()
    assert [a for (a,) in first] == pkg["summit-22"].participants
    states = con.execute(
        "SELECT state_id FROM engagement_states WHERE engagement_id = 'summit-22' ORDER BY 1"
    ).fetchall()
    assert states == [("ind",), ("rus",)]  # Modi and Putin resolved to their states
    meta = json.loads((out / "ir.metadata.json").read_text())
    tables_meta = meta["databases"]["ir"]["tables"]
    assert "type" in tables_meta["engagements"]["facets"]
    assert tables_meta["engagements"]["label_column"] == "title"
    assert meta["license"] == "Creative Commons Attribution 4.0"


def _as_sqlite(value: Any) -> Any:
    """A value of a neutral table as SQLite stores it."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_sqlite_holds_exactly_the_tables_however_the_rows_are_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Value by value and type by type, the SQLite file holds the neutral tables: bound
    a few rows to a statement in chunks of 23 (columns NULL throughout a chunk left
    out, NULLs bound as a stand-in), or read straight from the columnar engine's
    blocks; the records and actors tables filled in SQLite."""
    import bilat.export as ex
    from bilat.package import read_package

    monkeypatch.setenv("BILAT_ENGINE", "rows")
    pkg = read_package(DATASET)
    built = tables(pkg)
    with monkeypatch.context() as small:
        small.setattr(ex, "_CHUNK", 23)
        small.setattr(ex, "INSERT_ROWS", 5)
        export(pkg, "sqlite", tmp_path / "rows.db")
    monkeypatch.setenv("BILAT_ENGINE", "columnar")
    bulk = read_package(DATASET)
    assert bulk.pending("engagement") is not None  # the blocks are what is exported
    export(bulk, "sqlite", tmp_path / "blocks.db")
    nulls = 0
    for name in ("rows.db", "blocks.db"):
        con = sqlite3.connect(tmp_path / name)
        for table in built:
            cols = ", ".join(f'"{c.name}"' for c in table.columns)
            found = sorted(con.execute(f'SELECT {cols} FROM "{table.name}"'), key=repr)
            expected = sorted((tuple(map(_as_sqlite, r)) for r in table.rows), key=repr)
            assert found == expected, (name, table.name)
            assert [list(map(type, r)) for r in found] == [list(map(type, r)) for r in expected]
            nulls += sum(v is None for r in found for v in r)
    assert nulls > 1000  # NULLs were written, and read back as NULL


def test_datasette_metadata_is_plain_text_with_labels_and_counts_the_sources(
    out: Path, pkg: Any
) -> None:
    meta = json.loads((out / "ir.metadata.json").read_text())
    # the sources: how many, and a link to the table listing them; not one blog post
    n = len(pkg.records("source"))
    assert n > 100
    assert meta["source"] == f"{n} sources, cited record by record"
    assert meta["source_url"] == "/ir/sources"
    tables_meta = meta["databases"]["ir"]["tables"]
    texts = [meta["title"], meta["description"]]
    for entry in tables_meta.values():
        texts += [entry["description"], *entry["columns"].values()]
    for text in texts:
        for markup in ("``", "`", ":class:", "**", "](", "\n"):
            assert markup not in text, (markup, text)
    engagement_type = tables_meta["engagements"]["columns"]["type"]
    assert engagement_type.startswith("What kind of engagement. Engagement types: ")
    assert "Official visit (official_visit)" in engagement_type
    assert "Not adopted (not_adopted)" in tables_meta["motions"]["columns"]["result"]
    stance = tables_meta["positions"]["columns"]["stance"]
    assert "Refrains from condemning (refrains_from_condemning)" in stance
    assert "vocabulary" not in stance
    assert "Topics: " in tables_meta["engagement_topics"]["columns"]["value"]
    roll_call = tables_meta["motions"]["columns"]["roll_call"]
    assert roll_call.startswith("complete when a Vote is recorded") and "\n" not in roll_call


def test_duckdb_and_parquet_agree_with_the_package(out: Path, pkg: Any) -> None:
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    con = duckdb.connect(str(out / "ir.duckdb"), read_only=True)
    for table, n in counts(pkg).items():
        assert con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == n, table
        parquet = pq.read_table(out / "pq" / f"{table}.parquet")
        assert parquet.num_rows == n, table
    kinds = {
        r[0]
        for r in con.execute(
            "SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'votes'"
        ).fetchall()
    }
    assert "PRIMARY KEY" in kinds  # foreign keys are SQLite's (see bilat.export.to_duckdb)
    assert (
        con.execute(
            "SELECT count(*) FROM engagement_states WHERE engagement_id = 'summit-22'"
        ).fetchone()[0]
        == 2
    )
    schema = pq.read_table(out / "pq" / "engagements.parquet").schema
    assert schema.field("start_earliest").type == pa.date32()
    assert schema.field("series_number").type == pa.int64()
    views = pq.read_table(out / "pq" / "engagement_states.parquet").to_pylist()
    assert {"engagement_id": "summit-22", "state_id": "rus"} in views


def test_graphml_is_the_actor_graph(out: Path, pkg: Any, tmp_path: Path) -> None:
    """The streamed file reads back as the graph networkx's own writer makes of who met
    whom: an edge between every two participants of each engagement."""
    import networkx as nx

    g = nx.read_graphml(out / "ir.graphml")
    actors = sum(len(pkg.records(k)) for k in ("state", "person", "organization"))
    assert g.number_of_nodes() == actors
    met = {d["engagement"] for a, b, d in g.edges(data=True) if {a, b} == {"modi", "putin"}}
    assert {"summit-22", "summit-23"} <= met
    reference = nx.MultiGraph(name=pkg.name)
    for kind in ("state", "person", "organization"):
        for actor in pkg.records(kind):
            reference.add_node(actor.id, kind=kind, name=actor.name)
    for e in pkg.records("engagement"):
        people = list(dict.fromkeys(e.participants))
        attrs = {"title": e.title, "type": e.type, "status": e.status}
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                start = str(e.start or "")
                reference.add_edge(a, b, key=e.id, engagement=e.id, start=start, **attrs)
    nx.write_graphml(reference, tmp_path / "nx.graphml")
    theirs = nx.read_graphml(tmp_path / "nx.graphml")
    assert type(g) is type(theirs) and g.graph == theirs.graph
    assert dict(g.nodes(data=True)) == dict(theirs.nodes(data=True))
    edges = sorted(g.edges(keys=True, data=True))
    assert edges == sorted(theirs.edges(keys=True, data=True)) and len(edges) > 40
    assert nx.utils.graphs_equal(g, theirs)
    assert nx.utils.graphs_equal(pkg.graph(), reference)


def test_graphml_refuses_what_it_cannot_write_within_bounds_or_readably(tmp_path: Path) -> None:
    """An engagement makes n(n-1)/2 edges: past MAX_PARTICIPANTS distinct participants
    it is refused, naming it, rather than written; and a text XML 1.0 cannot hold
    (U+FFFF, which a name may hold) is refused rather than written unreadable."""
    from bilat import Engagement, Person
    from bilat.export import MAX_PARTICIPANTS, graph
    from bilat.package import Package

    n = MAX_PARTICIPANTS + 1
    people = [Person(id=f"p{i}", name=f"P {i}", sources=["s"]) for i in range(n)]
    big = Engagement(
        id="big",
        type="summit",
        status="held",
        title="Big",
        start="2024",
        participants=[p.id for p in people] * 2,  # each twice: n distinct
        sources=["s"],
    )
    descriptor = {"name": "crowd", "resources": [{"name": "engagements", "path": "e.csv"}]}
    crowd = Package(descriptor, {"person": people, "engagement": [big]})
    found = (
        f"e.csv, record 'big', field participants: engagement 'big' has {n} distinct participants"
    )
    with pytest.raises(ExportError, match=f"^{found}; .* \\({n * (n - 1) // 2:,} here\\)"):
        export(crowd, "graphml", tmp_path / "x.gml")
    with pytest.raises(ExportError, match=found):
        graph(crowd)
    with pytest.raises(ExportError, match=found):
        crowd.graph()
    assert graph(crowd, max_participants=n).number_of_edges() == n * (n - 1) // 2
    assert crowd.graph(max_participants=None).number_of_edges() == n * (n - 1) // 2
    odd = Person(id="odd", name="Odd\uffff", sources=["s"])
    with pytest.raises(
        ExportError, match=r"^persons, record 'odd', field name: 'Odd\\uffff' holds U\+FFFF"
    ):
        export(Package({"name": "odd"}, {"person": [odd]}), "graphml", tmp_path / "x.gml")
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_sqlite_export_keeps_the_old_pair_when_the_metadata_cannot_be_replaced(
    tmp_path: Path, pkg: Any
) -> None:
    """The database and its metadata are renamed one after the other: when the second
    fails (a folder put where the metadata goes since the check), the old database
    is put back, beside the old metadata."""
    from bilat.export import to_sqlite
    from bilat.files import WriteRefused

    db = tmp_path / "x.db"
    db.write_bytes(b"the old database")
    (tmp_path / "x.metadata.json").mkdir()
    with pytest.raises(WriteRefused, match=r"x\.metadata\.json"):
        to_sqlite(pkg, db)
    assert db.read_bytes() == b"the old database"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db", "x.metadata.json"]
    db.unlink()
    with pytest.raises(WriteRefused, match=r"x\.metadata\.json"):
        to_sqlite(pkg, db)
    assert [p.name for p in tmp_path.iterdir()] == ["x.metadata.json"]


def test_export_refuses_what_it_cannot_write(tmp_path: Path, pkg: Any) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ExportError, match="writes a folder"):
        export(pkg, "parquet", tmp_path / "afile")
    with pytest.raises(ExportError, match="writes a file"):
        export(pkg, "sqlite", tmp_path)
    result = runner.invoke(app, ["export", "india-russia", "--to", "sqlite", "/no/such/x.db"])
    assert result.exit_code == 1 and "/no/such does not exist" in result.output
    bad = tmp_path / "bad"
    shutil.copytree(DATASET, bad)
    (bad / "states.csv").write_text("oops\n")
    result = runner.invoke(app, ["export", str(bad), "--to", "sqlite", str(tmp_path / "b.db")])
    assert result.exit_code == 1 and "invalid" in result.output
    assert not (tmp_path / "b.db").exists()


def test_every_table_has_typed_columns(pkg: Any) -> None:
    seen = {t.name for t in tables(pkg)}
    assert {"actors", "records", "engagement_participants", "vote_sources"} <= seen
    for t in tables(pkg):
        assert all(c.type in ("text", "integer", "real", "date") for c in t.columns), t.name


# -- datasette, for real ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def test_datasette_serves_the_export_with_its_metadata(out: Path, pkg: Any) -> None:
    exe = Path(sys.executable).with_name("datasette")
    assert exe.exists(), "datasette is a test extra"
    port = _free_port()
    proc = subprocess.Popen(
        [
            str(exe),
            "serve",
            str(out / "ir.db"),
            "-m",
            str(out / "ir.metadata.json"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                _get(base + "/-/versions.json")
                break
            except OSError:
                time.sleep(0.1)
        page = _get(base + "/ir/engagements").decode()
        assert "23rd India–Russia annual summit" in page
        # the source shown is the count of sources, linked to their table
        n = len(pkg.records("source"))
        link = rf'Data source:\s*<a href="/ir/sources">\s*{n} sources, cited record by record</a>'
        assert re.search(link, page), page[-3000:]
        assert "tarunias.com" not in page
        sources = json.loads(_get(base + "/ir/sources.json?_size=0"))
        assert sources["filtered_table_rows_count"] == n
        facet = json.loads(_get(base + "/ir/engagements.json?_facet=type&_size=0"))
        results = {r["value"]: r["count"] for r in facet["facet_results"]["type"]["results"]}
        assert results["summit"] == 24  # the 23 annual summits and the informal one at Sochi
        rows = json.loads(_get(base + "/ir/votes.json?_shape=array&voter=rus&option=yes"))
        assert sorted(r["motion"] for r in rows) == ["unsc-draft-2022-03-23", "unsc-res-2774"]
    finally:
        proc.terminate()
        proc.wait(10)


# -- Frictionless tools on the package itself ---------------------------------------------


def test_frictionless_sql_export_and_datapackage_to_datasette_open_the_package(
    tmp_path: Path, pkg: Any
) -> None:
    from frictionless import Package, formats

    db = tmp_path / "fl.db"
    Package(str(DATASET / "datapackage.json")).publish(
        f"sqlite:///{db}", control=formats.SqlControl()
    )
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM engagements").fetchone()[0] == len(
        pkg.records("engagement")
    )
    exe = Path(sys.executable).with_name("datapackage-to-datasette")
    assert exe.exists(), "datapackage-to-datasette is a test extra"
    done = subprocess.run(
        [str(exe), str(tmp_path / "d2d.db"), "datapackage.json", str(tmp_path / "meta.json")],
        cwd=DATASET,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    con = sqlite3.connect(tmp_path / "d2d.db")
    assert con.execute("SELECT count(*) FROM votes").fetchone()[0] == len(pkg.records("vote"))


def test_sqlite_rows_keep_empty_text_apart_from_null_in_every_arrow_type() -> None:
    """NULL is bound as a stand-in of another storage class that NULLIF turns back:
    an empty text, a zero and an empty blob stay themselves, in plain, large and
    dictionary-encoded string columns alike."""
    import sqlite3

    import pyarrow as pa

    from bilat.export import insert_rows

    con = sqlite3.connect(":memory:")
    con.execute("create table t (a text, b blob, c integer, d text, e text)")
    table = pa.table(
        {
            "a": pa.array(["", None, "x"], pa.large_string()),
            "b": pa.array([b"", None, b"q"], pa.binary()),
            "c": pa.array([0, None, 1], pa.int64()),
            "d": pa.array(["", None, "x"], pa.string()).dictionary_encode(),
            "e": pa.array(["", None, "x"], pa.string()),
        }
    )
    insert_rows(con, "t", table)
    got = con.execute("select quote(a), quote(b), quote(c), quote(d), quote(e) from t").fetchall()
    assert got == [
        ("''", "X''", "0", "''", "''"),
        ("NULL", "NULL", "NULL", "NULL", "NULL"),
        ("'x'", "X'71'", "1", "'x'", "'x'"),
    ]


class _Recording(sqlite3.Connection):
    """A real SQLite connection that notes what each ``executemany`` binds."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bound: list[tuple[str, list[tuple[Any, ...]]]] = []

    def executemany(self, sql: str, params: Any, /) -> sqlite3.Cursor:  # type: ignore[override]
        params = list(params)
        self.bound.append((sql, params))
        return super().executemany(sql, params)


def test_sqlite_rows_bind_a_repeated_value_once_and_read_back_exactly() -> None:
    """A column holding one value throughout a chunk is bound once per statement, one
    equal to a column before it takes that column's parameter: each value still reads
    back as itself, NULLs and storage classes included. Reals are bound row by row
    (Arrow holds 0.0 equal to -0.0); so is the first column, even when constant."""
    import math

    import pyarrow as pa

    from bilat.export import INSERT_ROWS, insert_rows

    n = 150  # two statements of INSERT_ROWS rows and one row at a time for the rest
    assert n > 2 * INSERT_ROWS
    ids = [f"r{i}" for i in range(n)]
    table = pa.table(
        {
            "k": pa.array(["k"] * n),  # constant, but first
            "a": pa.array(ids),
            "b": pa.array(["same"] * n),  # one value throughout
            "c": pa.array(ids, pa.string()).dictionary_encode(),  # equal to a
            "d": pa.array([7] * n, pa.int64()),  # one integer throughout
            "e": pa.array([None if i % 3 else str(i) for i in range(n)]),
            "f": pa.array([None if i % 3 else str(i) for i in range(n)]),  # equal to e
            "g": pa.array([0.0] * n),
            "h": pa.array([-0.0] * n),  # equal to g for Arrow, not for SQLite
            "i": pa.array(["same"] * n, pa.large_string()),  # b's value, another type
        }
    )
    con = sqlite3.connect(":memory:", factory=_Recording)
    assert isinstance(con, _Recording)
    con.execute(f"create table t ({', '.join(table.column_names)})")  # no affinity
    insert_rows(con, "t", table)
    got = con.execute(f"select {', '.join(table.column_names)} from t order by rowid").fetchall()
    assert got == [tuple(r.values()) for r in table.to_pylist()]
    assert [type(v) for v in got[0]] == [str, str, str, str, int, str, str, float, float, str]
    assert got[1][5] is None and got[1][6] is None
    assert all(math.copysign(1, r[8]) == -1 and math.copysign(1, r[7]) == 1 for r in got)
    # bound row by row: k, a, e, g, h (c and f take a's and e's parameters); b, d and
    # i once per statement (i is text like b, but not of b's type)
    values = sum(len(p) for _sql, params in con.bound for p in params)
    statements = sum(len(params) for _sql, params in con.bound)
    assert values == 5 * n + 3 * statements
    assert statements == 2 + (n - 2 * INSERT_ROWS)
    con.close()

    one = sqlite3.connect(":memory:")  # a single row: every column constant
    one.execute("create table t (a, b)")
    insert_rows(one, "t", pa.table({"a": ["x"], "b": [1]}))
    assert one.execute("select a, typeof(a), b, typeof(b) from t").fetchall() == [
        ("x", "text", 1, "integer")
    ]
