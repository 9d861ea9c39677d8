"""The sql engine's flagging query on Spark (local[2]) against the same query on DuckDB.

* Differential: the rows Spark flags are the rows DuckDB flags
  (:func:`bilat.validation.engines.sql.compile.flag_rows`), for every record type, on
  the CSV files of the valid base package, of every defect of ``tests/mutants.py`` and
  of a file of tricky cells in every field, read by Spark with their physical line
  numbers (:mod:`bilat.validation.engines.spark.rows`).
* Over-flag, never under-flag: Unicode spaces, digits and letters, and the line
  terminators Java's ``$`` stops before, in every patterned field: no row the model
  refuses is left unflagged.
* Row numbers: lines of CSV split over many tasks, and rows of Parquet files, are
  numbered as the DuckDB engine numbers them.
* Spark Connect: through a local Connect server the query flags the same rows, and
  ``bilat validate --spark sc://...`` gives the row engine's report.

One SparkSession serves the module, and its JVM serves the Connect clients too (one
JVM start, not two). Without pyspark or Java these tests fail: they do not skip.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from mutants import DEFECTS, VALID, build
from test_columnar import NOT_IN_VALID, TRICKY, UNICODE, model_accepts, valid_rows

from bilat.models import RECORD_TYPES
from bilat.tables import RESOURCE_NAMES, columns
from bilat.validation.engines.columnar.columns import checks
from bilat.validation.engines.spark.flags import (
    flagged_rows,
    flagging,
    java_pattern,
    spark_sql,
)
from bilat.validation.engines.spark.rows import csv_cells, numbered_lines, parquet_cells
from bilat.validation.engines.sql.compile import compiled
from bilat.validation.engines.sql.compile import flag_rows as duckdb_flags

pytestmark = [pytest.mark.scale, pytest.mark.spark]

#: The record types the differential tests run on Spark: a smaller set than DuckDB's,
#: since each costs two Spark jobs (seconds each). Together they hold every kind of
#: column check (patterns, lists of ids, vocabularies, code lists, partial dates,
#: numbers, URLs, free text) and record rules of one to four fields.
KINDS = ["coded_event", "engagement", "indicator", "link", "source", "tenure"]

#: Line terminators: Java's ``$`` matches before one that ends the text.
JAVA_LINE_ENDS = ["\n", "\r", "\r\n", "\u0085", "\u2028", "\u2029"]


#: The test JVM's options: the quick JIT compiler only and the serial collector (it
#: runs for a minute on small data, where optimising compilation costs more than it
#: saves), and the code cache the JVM has with both compilers: with the quick one only
#: it reserves 48 MB, which the Spark jobs and the Connect server together can fill
#: ("Out of space in CodeCache", and the JVM exits mid-module)
JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ReservedCodeCacheSize=240m"


#: The token the module's Spark Connect server asks of its clients.
TOKEN = "bilat-tests-token"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """The module's session, local[2]. Its JVM also serves Spark Connect, on 127.0.0.1
    and a port the system picks (:func:`connect_server`): the Connect tests' clients
    run in processes of their own (a Python process holds either a classic session or
    a Connect one, not both), and one JVM for both saves starting a second."""
    from bilat.validation.engines.spark import masters

    masters.without_pandas_warning()  # as the engine does before its first session
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("bilat-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        # small test data: compiling each query to Java costs more than it saves
        .config("spark.sql.codegen.wholeStage", "false")
        # a short-lived JVM: the quick compiler only, and the serial collector
        .config("spark.driver.extraJavaOptions", JVM_OPTIONS)
        .config("spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin")
        # port 0: no port chosen here can be taken by another process before the bind
        .config("spark.connect.grpc.binding.address", "127.0.0.1")
        .config("spark.connect.grpc.binding.port", "0")
        .config("spark.connect.authenticate.token", TOKEN)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _fields(kind: str) -> list[str]:
    return [c.name for c in columns(kind)]


def _read_regular(path: Path, fields: list[str]) -> list[tuple[int, dict[str, str]]] | None:
    """The records of the CSV file *path* with their physical lines, or None if the
    file is not one the flags are asked about (a header other than *fields*, a record
    of the wrong width or over several lines: the structure layer's findings)."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            if next(reader, None) != fields:
                return None
            out = []
            for cells in reader:
                if len(cells) != len(fields) or reader.line_num != len(out) + 2:
                    return None
                out.append((reader.line_num, dict(zip(fields, cells, strict=True))))
    except (UnicodeDecodeError, csv.Error):
        return None
    return out


def _tricky_rows(kind: str) -> list[dict[str, str]]:
    """A valid row with each field set to each tricky value that fits on a line."""
    base = valid_rows(kind)[0]
    rows = [base]
    for name in _fields(kind):
        for value in TRICKY + [v + "\u00a0" for v in TRICKY] + ["\u2028" + v for v in TRICKY]:
            if "\n" not in value and "\r" not in value:
                rows.append({**base, name: value})
    return rows


def _write_csv(path: Path, fields: list[str], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")  # CRLF, as bilat writes CSV
        writer.writerow(fields)
        writer.writerows([r[n] for n in fields] for r in rows)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """By record type: its distinct regular CSV files among the valid package, every
    defect's package, and a file of tricky cells (and, for links, a file of the
    valid links the base package cannot hold)."""
    root = tmp_path_factory.mktemp("spark")
    packages = [VALID, *(build(name, root / "defects") for name in sorted(DEFECTS))]
    seen: set[bytes] = set()
    out: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    for kind in KINDS:
        fields = _fields(kind)
        candidates = [p / f"{RESOURCE_NAMES[kind]}.csv" for p in packages]
        if kind in NOT_IN_VALID:
            candidates.append(_write_csv(root / f"{kind}-valid.csv", fields, NOT_IN_VALID[kind]))
        candidates.append(_write_csv(root / f"{kind}-tricky.csv", fields, _tricky_rows(kind)))
        for path in candidates:
            if not path.is_file() or _read_regular(path, fields) is None:
                continue
            digest = hashlib.sha256(kind.encode() + path.read_bytes()).digest()
            if digest not in seen:
                seen.add(digest)
                out[kind].append(path)
    return out


def _duckdb_flagged(kind: str, rows: list[tuple[Any, dict[str, str]]]) -> set[Any]:
    fields = _fields(kind)
    cols = {n: pa.array([r[n] for _, r in rows], pa.string()) for n in fields}
    flags = duckdb_flags(kind, cols).to_pylist()
    return {key for (key, _), flag in zip(rows, flags, strict=True) if flag}


def _unicode_rows(kind: str) -> list[dict[str, str]]:
    """tests/test_columnar.py's Unicode rows, with Java's line terminators besides, in
    every patterned field (the exact ones are judged by the same Python as on DuckDB,
    and the tricky file puts Unicode in them too)."""
    base = valid_rows(kind)[0]
    rows = [base]
    for name in (c.name for c in checks(kind) if c.mode != "exact"):
        seeds = [base[name], "a", "ab-c", '["a"]', "2024", *TRICKY[:12]]
        for seed in seeds:
            for u in UNICODE + JAVA_LINE_ENDS:
                for value in (seed + u, u + seed, seed[:1] + u + seed[1:], u):
                    rows.append({**base, name: value})
    return rows


@pytest.fixture(scope="module")
def outcome(spark: Any, files: dict[str, list[Path]]) -> Iterator[dict[str, Any]]:
    """By record type, computed once: the rows Spark and DuckDB flag among the
    regular files (keyed by file and line) and the Unicode rows (keyed by index)."""
    cache: dict[str, Any] = {}

    def get(kind: str) -> Any:
        if kind in cache:
            return cache[kind]
        fields = _fields(kind)
        expected: set[tuple[str, int]] = set()
        read: list[tuple[tuple[str, int], dict[str, str]]] = []
        for path in files[kind]:
            rows = [((path.as_uri(), line), row) for line, row in _read_regular(path, fields) or []]
            read += rows
            expected |= _duckdb_flagged(kind, rows)
        unicode = _unicode_rows(kind)
        keyed = [(("memory:unicode", i), row) for i, row in enumerate(unicode)]
        expected |= _duckdb_flagged(kind, keyed)
        memory = spark.createDataFrame(
            pa.table(
                {
                    **{n: pa.array([r[n] for r in unicode], pa.string()) for n in fields},
                    "file": pa.array(["memory:unicode"] * len(unicode), pa.string()),
                    "row": pa.array(range(len(unicode)), pa.int64()),
                }
            )
        )
        # read once: the flags (two jobs) and the check of the cells read the same rows
        frame = csv_cells(spark, [str(p) for p in files[kind]], fields).unionByName(memory)
        frame = frame.cache()
        try:
            with flagging(spark, kind, frame, ("file", "row")) as flagged:
                got = {(_uri(f), r) for f, r in flagged.collect()}
            # the cells Spark read from the files, to check its line numbers
            cells = {
                (_uri(r["file"]), r["row"]): {n: r[n] for n in fields}
                for r in frame.where(frame.file != "memory:unicode").collect()
            }
        finally:
            frame.unpersist()
        cache[kind] = (got, expected, dict(read), cells, unicode)
        return cache[kind]

    yield get


def _uri(spark_path: str) -> str:
    """Spark's ``file:/x`` as Python's ``file:///x``."""
    return (
        Path(spark_path.removeprefix("file:")).as_uri()
        if spark_path.startswith("file:")
        else spark_path
    )


def test_the_kinds_tried_on_spark_are_record_types_with_rules() -> None:
    assert set(KINDS) <= set(RECORD_TYPES)
    assert all(RECORD_TYPES[kind].RULES for kind in KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_spark_flags_the_rows_duckdb_flags(kind: str, outcome: Any, files: Any) -> None:
    got, expected, read, cells, _ = outcome(kind)
    assert files[kind], "no regular file of this kind to compare on"
    assert cells == read  # the same cells at the same physical lines
    assert sorted(got) == sorted(expected)
    in_files = {k for k in got if not k[0].startswith("memory:")}
    assert in_files and len(in_files) < len(read)  # some flagged, some not


@pytest.mark.parametrize("kind", KINDS)
def test_a_row_spark_leaves_unflagged_is_a_row_the_model_accepts(kind: str, outcome: Any) -> None:
    got, *_, unicode = outcome(kind)
    flagged = {i for f, i in got if f == "memory:unicode"}
    wrong = [r for i, r in enumerate(unicode) if i not in flagged and not model_accepts(kind, r)]
    assert wrong == []
    assert 0 not in flagged  # the valid row is not flagged
    assert len(flagged) > len(unicode) // 2


def test_java_dollar_needs_the_end_of_text_anchor(spark: Any) -> None:
    """Why closing ``$`` becomes ``\\z``: Java's ``$`` matches before a final newline."""
    pattern = "^[a-z]+$"
    rows = spark.sql(
        "SELECT 'abc\\n' RLIKE :p AS raw, 'abc\\n' RLIKE :j AS java, 'abc' RLIKE :j AS plain",
        args={"p": pattern, "j": java_pattern(pattern)},
    ).collect()
    assert tuple(rows[0]) == (True, False, True)


def test_the_query_is_compiled_by_sqlglot_for_spark() -> None:
    sql = spark_sql(compiled("engagement").query({0: "refused_0"}), {"blk": "view_1"})
    assert "STRLEN" not in sql and "OCTET_LENGTH(`title`) = LENGTH(`title`)" in sql
    assert "FROM view_1 AS blk" in sql and "RLIKE '^[a-z0-9]+(?:[-_.][a-z0-9]+)*\\\\z'" in sql


def test_a_pattern_java_reads_otherwise_is_refused() -> None:
    assert java_pattern(r"^a\$") == r"^a\$"  # an escaped dollar is a character
    assert java_pattern("^a$") == r"^a\z"
    for pattern in ("^[a&&b]$", "^[a[b]]$"):
        with pytest.raises(ValueError, match="Java"):
            java_pattern(pattern)
    assert java_pattern(r"^\[[a]\]$") == r"^\[[a]\]\z"


def test_lines_over_many_splits_are_numbered_in_order(spark: Any, tmp_path: Path) -> None:
    lf = tmp_path / "lf.txt"
    lf.write_bytes(b"".join(b"line %d\n" % i for i in range(1, 20001)))
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(b"".join(b"line %d\r\n" % i for i in range(1, 5001)))
    spark.conf.set("spark.sql.files.maxPartitionBytes", "16384")
    try:
        frame = numbered_lines(spark, [str(lf), str(crlf)])
        assert frame.rdd.getNumPartitions() > 10
        rows = frame.collect()
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    got = sorted((_uri(r["file"]), r["row"], r["value"]) for r in rows)
    want = sorted(
        [(lf.as_uri(), i, f"line {i}") for i in range(1, 20001)]
        + [(crlf.as_uri(), i, f"line {i}") for i in range(1, 5001)]
    )
    assert got == want


def test_parquet_rows_are_their_index_in_the_file(spark: Any, tmp_path: Path) -> None:
    fields = _fields("engagement")
    base = valid_rows("engagement")
    parts = []
    want: set[tuple[str, int]] = set()
    for part, bad_at in enumerate((7, 1234)):
        rows = [base[i % len(base)] for i in range(1500)]
        rows[bad_at] = {**rows[bad_at], "start": "2023-02-30"}
        path = tmp_path / f"part-{part}.parquet"
        table = pa.table({n: pa.array([r[n] for r in rows], pa.string()) for n in fields})
        pq.write_table(table, path, row_group_size=100)
        parts.append(path)
        keyed = [((path.as_uri(), i), r) for i, r in enumerate(rows)]
        want |= _duckdb_flagged("engagement", keyed)
    assert {(p.as_uri(), i) for p, i in zip(parts, (7, 1234), strict=True)} <= want
    frame = parquet_cells(spark, [str(p) for p in parts], fields)
    got = {(_uri(f), r) for f, r in flagged_rows(spark, "engagement", frame, ("file", "row"))}
    assert got == want


@pytest.fixture(scope="module")
def connect_server(spark: Any) -> str:
    """The URL of the module's Spark Connect server: the session's JVM, through the
    Connect plugin, once it listens (on the port it was given, which its conf keeps
    as 0)."""
    import socket
    import time

    jvm = spark.sparkContext._jvm
    service = getattr(jvm.org.apache.spark.sql.connect.service, "SparkConnectService$")
    deadline = time.monotonic() + 120
    while True:  # the plugin listens once the context is up; wait for it all the same
        port = int(service.__getattr__("MODULE$").localPort())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "the Connect server does not listen"
            time.sleep(0.5)
    # localhost: with a token, the client speaks TLS to any other host name
    return f"sc://localhost:{port}"


CONNECT = """
import json, sys
from pyspark.sql import SparkSession
from bilat.validation.engines.spark.flags import flagged_rows
from bilat.validation.engines.spark.rows import csv_cells
url, (kind, fields, paths) = sys.argv[1], json.loads(sys.argv[2])
spark = SparkSession.builder.remote(url).create()
assert type(spark).__module__ == "pyspark.sql.connect.session", type(spark)
frame = csv_cells(spark, paths, fields)
print(json.dumps(flagged_rows(spark, kind, frame, ("file", "row"))))
spark.stop()
"""


def test_spark_connect_flags_the_same_rows(
    connect_server: str, files: dict[str, list[Path]]
) -> None:
    """Through a local Spark Connect server, started from pyspark's own jars, the
    flagging query flags the rows DuckDB flags."""
    kind = "engagement"
    fields = _fields(kind)
    paths = files[kind]
    expected: set[tuple[str, int]] = set()
    for path in paths:
        rows = [((path.as_uri(), line), row) for line, row in _read_regular(path, fields) or []]
        expected |= _duckdb_flagged(kind, rows)
    argument = json.dumps([kind, fields, [str(p) for p in paths]])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    env["SPARK_CONNECT_AUTHENTICATE_TOKEN"] = TOKEN
    done = subprocess.run(
        [sys.executable, "-c", CONNECT, connect_server, argument],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    got = {(_uri(f), r) for f, r in json.loads(done.stdout.strip().splitlines()[-1])}
    assert expected and got == expected


# -- the spark engine: whole packages --------------------------------------------------

#: Defects of tests/mutants.py put together in one package for the engine tests (each
#: package costs a couple of Spark jobs per table): layer 3 cells, ids taken twice in
#: a table and across tables, references dangling or to the wrong kind, and the rules
#: across records that read ids (a parent engagement, a claim, a tenure).
TOGETHER = [
    "bad_date",
    "bad_iso_code",
    "dangling_reference",
    "dangling_single",
    "wrong_reference_kind",
    "duplicate_id_across",
    "sub_engagement_outside_parent",
    "claim_unmatched",
    "outside_tenure",
]


def _together(folder: Path) -> None:
    for name in TOGETHER:
        DEFECTS[name](folder)
    # one id taken four more times in its table: three findings over a cap of one
    persons = folder / "persons.csv"
    lines = persons.read_bytes().splitlines(keepends=True)
    persons.write_bytes(b"".join(lines) + lines[1] * 4)


def _as_parquet(folder: Path, parts: int = 1, only: tuple[str, ...] = ()) -> Path:
    """Every CSV record table of *folder* (or those named in *only*) as *parts* Parquet
    files (the engine flags the parts of a resource on Spark in one job, a CSV file on
    DuckDB)."""
    from test_parts import parquet_parts

    desc = json.loads((folder / "datapackage.json").read_text())
    for res in desc["resources"]:
        if only and res["name"] not in only:
            continue
        if isinstance(res.get("path"), str) and res["path"].endswith(".csv"):
            parquet_parts(folder, res["name"], parts=parts)
    return folder


def _report(folder: Path, engine: str, cap: int | None) -> tuple[list[Any], dict[str, Any]]:
    from bilat.validation import validate

    report = validate(folder, engine=engine, max_per_code=cap)
    return [f.to_dict() for f in report.findings], report.omitted


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_the_spark_engine_gives_the_row_engines_report(
    spark: Any, tmp_path: Path, fmt: str
) -> None:
    """Every finding, field for field, and with a cap of one finding per resource
    and code, the same counts of the findings left out (computed on Spark for layer
    4): Parquet tables flagged by Spark, CSV ones by DuckDB, layer 4 on Spark."""
    folder = build("together", tmp_path, _together)
    if fmt == "parquet":
        _as_parquet(folder, parts=2)
    rows, rows_omitted = _report(folder, "rows", 1)
    got, omitted = _report(folder, "spark", 1)
    assert got == rows
    assert omitted == rows_omitted
    codes = {f["code"] for f in rows}
    assert {"dangling-reference", "wrong-reference-kind", "unique-error", "duplicate-id"} <= codes
    assert max(rows_omitted.values()) >= 2  # left out, counted on Spark for layer 4


def test_the_spark_engine_over_flags_unicode_in_parquet(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An engagements table of Unicode spaces, digits, letters and Java's line
    terminators in every patterned field, as Parquet: the report is the row engine's
    (a row Spark left unflagged would be missing from it). The part is read in three
    batches, each flagged from Spark's stream in order: none is checked ahead on
    DuckDB, as the other engines check the batches of a large part."""
    from test_parts import count_ahead, parquet_parts

    from bilat.validation import structure, validate
    from bilat.validation.engines.columnar import blocks

    monkeypatch.setattr(structure, "PARQUET_BATCH", 700)
    ahead = count_ahead(monkeypatch, blocks)

    def tricky(folder: Path) -> None:
        fields = _fields("engagement")
        rows = _unicode_rows("engagement")[:2000]
        for i, row in enumerate(rows[1:], 1):  # ids of their own, so layer 4 stays quiet
            row["id"] = f"u-{i}" if row["id"] == rows[0]["id"] else row["id"]
        _write_csv(folder / "engagements.csv", fields, rows)
        parquet_parts(folder, "engagements", parts=1)

    folder = build("unicode", tmp_path, tricky)
    assert pq.ParquetFile(folder / "engagements-1.parquet").metadata.num_rows > 1000
    rows = validate(folder, engine="rows", max_per_code=None)
    tracker = spark.sparkContext.statusTracker()
    jobs = len(tracker.getJobIdsForGroup(None))
    got = validate(folder, engine="spark", max_per_code=None)
    assert [f.to_dict() for f in got.findings] == [f.to_dict() for f in rows.findings]
    assert len(rows.findings) > 1000
    assert len(tracker.getJobIdsForGroup(None)) > jobs  # flagged on Spark
    assert ahead["started"] == 0
    assert validate(folder, engine="sql", max_per_code=None).findings == got.findings
    assert ahead["started"] == 1  # the sql engine reads the part's batches ahead


def _cli(*args: str, env: dict[str, str] | None = None, code: str = "", timeout: int = 600) -> Any:
    """``bilat`` in a process of its own (with *code* run first)."""
    run = f"{code}\nimport sys\nfrom bilat.cli import main\nsys.argv = ['bilat', *sys.argv[1:]]\nmain()"
    return subprocess.run(
        [sys.executable, "-c", run, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), **(env or {})},
        timeout=timeout,
        check=False,
    )


def test_validate_with_spark_on_the_command_line(spark: Any, tmp_path: Path) -> None:
    """``--spark MASTER``: exit 1 and the row engine's JSON report (in this process,
    on the module's session: a second JVM would cost a minute; the Connect test below
    runs the command in a process of its own). One defect, in a table of Parquet
    parts flagged on Spark: the engine tests above hold its findings against the row
    engine's on every defect together; this one holds the command's wiring."""
    from typer.testing import CliRunner

    from bilat.cli import app
    from bilat.validation.engines.spark import masters as on_spark

    folder = build("cli", tmp_path, DEFECTS["bad_date"])  # an engagement's date
    _as_parquet(folder, parts=2, only=("engagements",))
    runner = CliRunner()
    tracker = spark.sparkContext.statusTracker()
    want = runner.invoke(app, ["validate", "--engine", "rows", "--format", "json", str(folder)])
    assert want.exit_code == 1, want.output[-2000:]
    jobs = len(tracker.getJobIdsForGroup(None))
    got = runner.invoke(app, ["validate", "--spark", "local[2]", "--format", "json", str(folder)])
    assert got.exit_code == 1, got.output[-2000:]
    assert json.loads(got.stdout) == json.loads(want.stdout)
    assert len(tracker.getJobIdsForGroup(None)) > jobs  # it ran on Spark
    assert on_spark.chosen() is None  # the option is not left set
    # one SparkContext a process: another master is a usage error, not a silent switch
    other = runner.invoke(app, ["validate", "--spark", "local[1]", str(folder)])
    assert other.exit_code == 2
    assert "already runs Spark on local[2], and cannot start local[1]" in other.stderr


def test_an_unreachable_connect_server_is_a_usage_error_not_a_hang() -> None:
    from typer.testing import CliRunner

    from bilat.cli import app

    done = CliRunner().invoke(app, ["validate", "--spark", "sc://127.0.0.1:1", str(VALID)])
    assert done.exit_code == 2
    assert "no Spark Connect server answers at 127.0.0.1:1" in done.stderr


#: Run before the command: counts the engine's streams of flags from Spark, and those
#: that failed (whose batches DuckDB flagged instead), and prints both at exit.
WATCH = """
import atexit, sys
from bilat.validation.engines.spark import engine
streams = []
opened = engine.Flagged.__init__
def watched(self, *args, **kwargs):
    opened(self, *args, **kwargs)
    streams.append(self)
engine.Flagged.__init__ = watched
atexit.register(lambda: print(
    f"streams={len(streams)} failed={sum(s.failed for s in streams)}", file=sys.stderr
))
"""


def test_validate_through_spark_connect_on_the_command_line(
    connect_server: str, tmp_path: Path
) -> None:
    """``bilat validate --spark sc://...`` in a process of its own, through the test's
    Connect server: exit 1 and the row engine's JSON report, its Parquet flagged on
    the server, and the process exits. Without the server's token, or with a wrong
    one, or with a token and the server named by its address (the client then speaks
    TLS), exit 2 within seconds with what to do, and the token given is not shown."""
    import re

    from typer.testing import CliRunner

    from bilat.cli import app

    # three tables of Parquet parts, flagged on the server (the others on DuckDB); the
    # engine tests above hold every table's Parquet against the row engine
    only = ("persons", "engagements", "claims")
    folder = _as_parquet(build("connect", tmp_path, _together), parts=2, only=only)
    # the row engine's report, in this process
    want = CliRunner().invoke(
        app, ["validate", "--engine", "rows", "--format", "json", str(folder)]
    )
    assert want.exit_code == 1, want.output[-3000:]
    token = {"SPARK_CONNECT_AUTHENTICATE_TOKEN": TOKEN}
    args = ("validate", "--spark", connect_server, "--format", "json", str(folder))
    got = _cli(*args, env=token, code=WATCH, timeout=300)  # fails if it does not exit
    assert got.returncode == 1, got.stderr[-3000:]
    assert json.loads(got.stdout) == json.loads(want.stdout)
    assert "Warning" not in got.stderr, got.stderr[-3000:]  # pyspark's on pandas 3 too
    watched = re.search(r"streams=(\d+) failed=(\d+)", got.stderr)
    assert watched is not None, got.stderr[-3000:]
    assert int(watched[1]) >= len(only) and watched[2] == "0"  # each table's flags from Spark

    env = {k: v for k, v in os.environ.items() if k != "SPARK_CONNECT_AUTHENTICATE_TOKEN"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    tls = connect_server.replace("localhost", "127.0.0.1")
    cases = [
        (connect_server, None, "give the server's token in $SPARK_CONNECT_AUTHENTICATE_TOKEN"),
        (f"{connect_server}/;token=not-the-token", None, "Invalid authentication token"),
        (tls, TOKEN, "name the server sc://localhost:PORT, or give it TLS"),
        # the client cannot parse it, and quotes it whole in its error
        (f"{connect_server}/;token=padded==", None, "give it in $SPARK_CONNECT_AUTHENTICATE"),
    ]
    running = [  # side by side: each is a process of its own that waits on the server
        subprocess.Popen(
            [sys.executable, "-m", "bilat", "validate", "--spark", url, str(folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**env, **({"SPARK_CONNECT_AUTHENTICATE_TOKEN": token} if token else {})},
        )
        for url, token, _ in cases
    ]
    try:
        errors = [p.communicate(timeout=120)[1] for p in running]  # not ten minutes
    finally:
        for p in running:
            p.kill()
    for refused, stderr, (_, _, said) in zip(running, errors, cases, strict=True):
        assert refused.returncode == 2, stderr[-3000:]
        assert "cannot open a session on the Spark Connect server" in stderr
        assert said in stderr
        assert "not-the-token" not in stderr and "padded" not in stderr


def test_from_python_an_engine_that_cannot_run_says_why() -> None:
    """``validate(path, engine="spark")`` on a master it cannot use raises
    EngineUnavailable with the reason, as the command line gives it."""
    from bilat.validation import EngineUnavailable, validate
    from bilat.validation.engines.spark import use

    use("sc://127.0.0.1:1")
    try:
        with pytest.raises(EngineUnavailable) as raised:
            validate(VALID, engine="spark")
    finally:
        use(None)
    assert "the spark engine cannot run here: no Spark Connect server answers at 127.0.0.1:1" in (
        str(raised.value)
    )


def test_a_master_checked_once_is_not_asked_again_until_the_next_choice() -> None:
    """``bilat validate --spark`` checks its master before the first target and tells
    :func:`use` so; the engine then does not ask again for each target (a Spark Connect
    server is asked twice over the network). Any other master, or the next ``use``
    without ``checked``, is asked again."""
    from bilat.validation.engines.spark import problem, use

    dead = "sc://127.0.0.1:1"
    use(dead, checked=True)
    try:
        assert problem() is None
        assert problem(dead) is None
        assert "no Spark Connect server answers" in (problem("sc://127.0.0.1:2") or "")
        use(dead)
        assert "no Spark Connect server answers at 127.0.0.1:1" in (problem() or "")
    finally:
        use(None)


def test_parts_spark_would_not_read_as_named_are_flagged_on_duckdb(
    spark: Any, tmp_path: Path
) -> None:
    """Spark skips a file whose name starts with ``_`` even when named, and cannot read
    brotli: a bad row in such a part is still found (DuckDB flags it)."""
    import pyarrow.parquet as pq

    from bilat.validation import validate

    def awkward(folder: Path) -> None:
        DEFECTS["bad_date"](folder)  # an engagement's date
        DEFECTS["bad_iso_code"](folder)  # a state's code
        _as_parquet(folder, parts=2, only=("engagements", "states"))
        desc = json.loads((folder / "datapackage.json").read_text())
        for res in desc["resources"]:
            paths = res.get("path")
            if res["name"] == "engagements":
                (folder / paths[0]).rename(folder / f"_{paths[0]}")
                res["path"] = [f"_{paths[0]}", *paths[1:]]
            elif isinstance(paths, list):  # the others in brotli
                for part in paths:
                    table = pq.read_table(folder / part)
                    pq.write_table(table, folder / part, compression="brotli")
        (folder / "datapackage.json").write_text(json.dumps(desc))

    folder = build("awkward", tmp_path, awkward)
    rows = validate(folder, engine="rows")
    got = validate(folder, engine="spark")
    assert [f.to_dict() for f in got.findings] == [f.to_dict() for f in rows.findings]
    assert {f.code for f in rows.findings} >= {"constraint-error"}
    # the date in the part Spark skips, the code in the parts Spark cannot read
    assert {(f.resource, f.field) for f in rows.findings} >= {
        ("engagements", "start"),
        ("states", "iso3"),
    }


def test_spark_with_another_engine_is_a_usage_error(tmp_path: Path) -> None:
    """``--spark`` runs the sql engine only; $BILAT_SPARK_MASTER gives way to an
    ``--engine`` that names another engine."""
    done = _cli("validate", "--spark", "local[1]", "--engine", "rows", str(VALID))
    assert done.returncode == 2
    assert "--spark runs the sql engine, not --engine rows" in done.stderr
    done = _cli(
        "validate", "--engine", "columnar", str(VALID), env={"BILAT_SPARK_MASTER": "local[1]"}
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_spark_without_pyspark_is_exit_2_with_the_install_line() -> None:
    """By ``--spark``, or by $BILAT_SPARK_MASTER alone."""
    block = "import sys\nsys.modules['pyspark'] = None  # as if not installed"
    for args, env in ((["--spark", "local[1]"], {}), ([], {"BILAT_SPARK_MASTER": "local[1]"})):
        done = _cli("validate", *args, str(VALID), code=block, env=env)
        assert done.returncode == 2, done.stderr[-2000:]
        assert "pyspark does not import (pip install 'bilat[spark]')" in done.stderr
        assert "Traceback" not in done.stderr
