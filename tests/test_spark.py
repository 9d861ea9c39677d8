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
* Spark Connect: a local Connect server flags the same rows.

One SparkSession serves the module. Without pyspark or Java these tests fail: they
do not skip.
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
from test_columnar import _NOT_IN_VALID, TRICKY, UNICODE, _model_accepts, _valid_rows

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

#: The record types the differential tests run on Spark: a smaller set than DuckDB's,
#: since each costs two Spark jobs (seconds each). Together they hold every kind of
#: column check (patterns, lists of ids, vocabularies, code lists, partial dates,
#: numbers, URLs, free text) and record rules of one to four fields.
KINDS = ["coded_event", "engagement", "indicator", "link", "source", "tenure"]

#: Line terminators: Java's ``$`` matches before one that ends the text.
JAVA_LINE_ENDS = ["\n", "\r", "\r\n", "\u0085", "\u2028", "\u2029"]


#: The test JVMs' options: the quick JIT compiler only and the serial collector (they
#: run for a minute on small data, where optimising compilation costs more than it saves)
JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
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
    base = _valid_rows(kind)[0]
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
        if kind in _NOT_IN_VALID:
            candidates.append(_write_csv(root / f"{kind}-valid.csv", fields, _NOT_IN_VALID[kind]))
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
    base = _valid_rows(kind)[0]
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
    wrong = [r for i, r in enumerate(unicode) if i not in flagged and not _model_accepts(kind, r)]
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
    base = _valid_rows("engagement")
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


CONNECT = """
import json, sys
from pyspark.sql import SparkSession
from bilat.validation.engines.spark.flags import flagged_rows
from bilat.validation.engines.spark.rows import csv_cells
kind, fields, paths = json.loads(sys.argv[1])
spark = SparkSession.builder.remote("local[2]").config(
    "spark.driver.extraJavaOptions", sys.argv[2]
).getOrCreate()
assert type(spark).__module__ == "pyspark.sql.connect.session", type(spark)
frame = csv_cells(spark, paths, fields)
print(json.dumps(flagged_rows(spark, kind, frame, ("file", "row"))))
spark.stop()
"""


def test_spark_connect_flags_the_same_rows(files: dict[str, list[Path]]) -> None:
    """Through a local Spark Connect server, started from pyspark's own jars (in a
    process of its own: a process holds a classic session or a Connect one)."""
    kind = "engagement"
    fields = _fields(kind)
    paths = files[kind]
    expected: set[tuple[str, int]] = set()
    for path in paths:
        rows = [((path.as_uri(), line), row) for line, row in _read_regular(path, fields) or []]
        expected |= _duckdb_flagged(kind, rows)
    argument = json.dumps([kind, fields, [str(p) for p in paths]])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run(
        [sys.executable, "-c", CONNECT, argument, JVM_OPTIONS],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    got = {(_uri(f), r) for f, r in json.loads(done.stdout.strip().splitlines()[-1])}
    assert expected and got == expected
