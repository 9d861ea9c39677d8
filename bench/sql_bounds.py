"""What the sql engine's targets ask of DuckDB: what each check costs, beside the floor.

    python bench/sql_bounds.py --rows 1000000 --shape short long --format csv parquet
    python bench/sql_bounds.py --rows 20000000 100000000 --queries id-pattern patterns ids
    python bench/sql_bounds.py --rows 1000000 --shape long --format csv --queries profile

The targets of the sql engine (docs/scale.md) are ratios to a floor: DuckDB reading
every column of the same files (the sum of each column's length). This benchmark times
bare DuckDB queries of the checks over the engagements (one CSV file or the Parquet
parts) and the actor tables of the cached package of ``bench/scale_data.py``, each in a
process of its own with the engine's settings (2 GiB, a spill folder, every core):

* ``floor``: every column read (``sum(length(c))``);
* ``id-pattern``: every id held to its pattern (RE2). Ids are unique, so no design can
  judge them a distinct value at a time: a lower bound on the checks of cells;
* ``patterns``: the sql engine's own per-cell flags, compiled by sqlglot from the
  models: the regular expressions of its 11 patterned columns (the other columns it
  judges a distinct value at a time);
* ``ids``: the ids held more than once in the package: the engagements' held twice
  (``GROUP BY id HAVING count(*) > 1``), and those an actor holds too (a semi-join);
* ``references``: every id the participants name, out of its JSON list, that no actor
  holds (an anti-join);
* ``fused``: ``patterns``, ``ids`` and ``references`` over one read of the file, kept in
  a temporary table;
* ``whole``: the sql engine's whole flagging query (``patterns``, the distinct values of
  the other columns and the record rules' combinations judged by its Python) over one
  read of the file, then ``ids`` and ``references``;
* ``compiled``: every check as SQL on every cell, with no Python in the loop: the
  engine's patterns, the vocabularies as lists, partial dates as the JSON Schema's
  pattern and a cast for the leap day, topics as a pattern of its terms, the record
  rules as comparisons (all over-flagging, never under-flagging), then ``ids`` and
  ``references``, over one read;
* ``ids-hash``: ``ids`` grouping a 64-bit hash of each id rather than the id;
* ``distinct``: the least a design that judges repeating values once must do, in one
  read: per-cell patterns only on the columns whose values do not repeat (id, title,
  notes), the ids' hashes counted distinct, and the distinct values of every other
  column gathered (for the model to judge, once each). Locating the rows that hold a
  refused value, numbering rows and the structure checks come on top;
* ``profile``: the columns read once into memory, then each check of ``compiled``
  alone over them: what each costs without the read;
* ``polars-floor`` and ``polars``: another design, on polars (Rust) rather than DuckDB,
  still timed against DuckDB's floor. ``polars-floor`` reads every column as ``floor``
  does. ``polars`` is one query over one read (every column, empty cells as ""): every
  check of ``compiled`` as a polars expression over every cell (the same patterns,
  vocabularies, dates, topics and rules), each row numbered, and the ids, the
  participants and each row's flag kept in memory; then the flagged rows located (their
  numbers), the ids held twice (by a 64-bit hash, then a semi-join with the actors) and
  the references (the JSON lists decoded, an anti-join). Its profile gives the CPU of
  each stage. ``polars-ids`` and ``polars-references`` are those two alone, on polars'
  streaming engine (for sizes that do not fit in memory).
* ``arrow-ids`` and ``dict-ids``: ``ids`` without DuckDB, on the id column read in the
  columnar engine's blocks: pyarrow's hash over the whole column (``value_counts``, and
  ``is_in`` against the actors), or the Python dict the columnar engine keeps, block by
  block. Their profile gives the CPU of the read and of the hashing apart.
* ``native``: ``ids`` and ``references`` in native code (``bench/native_ids.c``, one
  thread, compiled by ``cc`` before the clock): each id hashed to 64 bits as pyarrow
  reads it and put in one of 1,024 partitions by its hash, each partition's hashes
  then counted in a table that fits in cache; each id a participants list names
  hashed and probed against the actors' hashes. Its profile gives the CPU of the
  read (pyarrow, the two columns), the ids and the references.
* ``dictionary-cells`` (Parquet): every cell checked as the columnar engine checks it,
  each column the file holds dictionary-encoded read as its dictionary and indices and
  checked a distinct value at a time, the record rules once per combination of the
  indices, the other columns cell by cell; one thread. Its profile gives the CPU of
  the read, the repeating columns, the rules and the plain columns.

It prints each query's wall time, CPU, peak RSS and result, and its ratio to the floor,
and fails unless each result is the count of the defects ``scale_data`` planted that
the query can see. What it leaves out (structure checks, row numbers, layer 5, the row
engine on flagged rows) only adds to a design's cost.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile

import scale_data

from bilat.validation.engines.columnar.columns import checks

#: One query, timed, in a process of its own: argv = query name, spill folder; the files
#: in $BILAT_BOUNDS_FILES. A benchmark of DuckDB: its few SQL texts are written here,
#: bilat's own come from its compiler.
QUERY = r"""
import json, os, sys, time
import duckdb
from sqlglot import exp
from bilat.validation.engines.columnar.columns import checks
from bilat.models import RECORD_TYPES
from bilat.models.dates import JSON_PATTERN
from bilat.validation.engines.sql.compile import compiled, judge, pattern_flag, query_sql, refused_table

name, spill = sys.argv[1:]
parts, actors = json.loads(os.environ["BILAT_BOUNDS_FILES"])
con = duckdb.connect(config={"memory_limit": "2GiB", "temp_directory": spill,
                             "threads": os.cpu_count() or 1, "preserve_insertion_order": True})
con.execute("SET enable_progress_bar = false")
quoted = lambda paths: "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"
read = (
    f"read_parquet({quoted(parts)})"
    if parts[0].endswith(".parquet")
    else f"read_csv({quoted(parts)}, all_varchar=true, header=true)"
)
check_of = {c.name: c for c in checks("engagement")}
# the cells as the engine's blocks hold them: an empty one is '' (DuckDB reads NULL)
cells = ", ".join("coalesce({0}, '') AS {0}".format('"' + n + '"') for n in check_of)
con.execute(f"CREATE VIEW raw AS SELECT * FROM {read}")  # what the floor reads
con.execute(f"CREATE VIEW e AS SELECT {cells} FROM raw")
con.execute(  # the actors (5,000 rows) in a table, read before the clock starts
    f"CREATE TABLE a AS SELECT id FROM read_csv({quoted(actors)}, all_varchar=true,"
    " header=true, union_by_name=true)"
)
done = compiled("engagement")
PATTERNS = exp.or_(*done.patterned).sql("duckdb")  # the engine's per-cell flags
SLUG = "^[a-z0-9]+(?:[-_.][a-z0-9]+)*$"
IDS = (
    "(SELECT count(*) FROM (SELECT id FROM {t} GROUP BY id HAVING count(*) > 1))"
    " + (SELECT count(*) FROM {t} SEMI JOIN a ON {t}.id = a.id)"
)
REFERENCES = (
    "(SELECT count(*) FROM (SELECT unnest(CAST(json(participants) AS VARCHAR[])) AS target"
    " FROM {t} WHERE participants <> '') AS r ANTI JOIN a ON r.target = a.id)"
)


ENGAGEMENT = RECORD_TYPES["engagement"]


def vocabulary(field):  # the terms a field (or a list field's items) takes
    info = ENGAGEMENT.model_fields[field]
    marks = info.metadata or info.annotation.__args__[0].__metadata__
    return marks[0].ordered()


listed = lambda terms: "(" + ", ".join("'" + t + "'" for t in terms) + ")"
either = "(?:" + "|".join(vocabulary("topics")) + ")"
TOPICS = r'^\["' + either + r'"(?:,"' + either + r'")*\]$'
END = chr(34) + "end" + chr(34)  # a keyword, quoted


def date(c):  # over-flags: the shape and month lengths, a cast for the leap day, year 0
    return (
        f"({c} <> '' AND (NOT regexp_full_match({c}, '{JSON_PATTERN}')"
        f" OR starts_with({c}, '0000') OR (length({c}) = 10 AND try_cast({c} AS DATE) IS NULL)))"
    )


CHECKS = {  # each check of "compiled": the engine's patterns, then the rest as SQL
    **{c.name: pattern_flag(c).sql("duckdb") for c in checks("engagement") if c.mode != "exact"},
    "type": f"type NOT IN {listed(vocabulary('type'))}",
    "status": f"status NOT IN {listed(vocabulary('status'))}",
    "start": date("start"),
    "end": date(END),
    "series_number": "(series_number <> '' AND NOT regexp_full_match(series_number, '[1-9][0-9]{0,17}'))",
    "topics": f"(topics <> '' AND NOT regexp_full_match(topics, '{TOPICS}'))",
    # the rules: an end before the start (ISO prefixes compare as strings: over-flags
    # overlapping partial dates), a series number without a series, held without start
    "rules": (
        "({e} <> '' AND start <> '' AND {e} < start) OR (series_number <> '' AND series = '')"
        " OR (status = 'held' AND start = '')"
    ).format(e=END),
}
COMPILED = " OR ".join(f"({flag})" for flag in CHECKS.values())
UNIQUE = ("id", "title", "notes")  # values that do not repeat here (notes: long rows)
QUERIES = {
    "floor": "SELECT " + ", ".join(f'sum(length("{n}"))' for n in check_of) + " FROM raw",
    # the bare checks read the files as the floor does (no cell needs '' for NULL)
    "id-pattern": f"SELECT count(*) FILTER (WHERE NOT regexp_full_match(id, '{SLUG}')) FROM raw",
    "patterns": f"SELECT count(*) FILTER (WHERE {PATTERNS}) FROM e",
    "ids": "SELECT " + IDS.format(t="raw"),
    "references": "SELECT " + REFERENCES.format(t="raw"),
    "fused": [
        f"CREATE TEMP TABLE t AS SELECT id, participants, {PATTERNS} AS flag FROM e",
        "SELECT (SELECT count(*) FILTER (WHERE flag) FROM t), "
        + IDS.format(t="t") + ", " + REFERENCES.format(t="t"),
    ],
    "compiled": [
        f"CREATE TEMP TABLE t AS SELECT id, participants, {COMPILED} AS flag FROM e",
        "SELECT (SELECT count(*) FILTER (WHERE flag) FROM t), "
        + IDS.format(t="t") + ", " + REFERENCES.format(t="t"),
    ],
    "ids-hash": "SELECT (SELECT count(*) FROM (SELECT hash(id) AS h FROM raw GROUP BY h"
    " HAVING count(*) > 1)) + (SELECT count(*) FROM raw SEMI JOIN a ON raw.id = a.id)",
    # one read: per-cell patterns only where values do not repeat, the ids' hashes
    # counted distinct, the distinct values of every other column gathered (to judge)
    "distinct": "SELECT count(*) FILTER (WHERE "
    + " OR ".join(f"({CHECKS[n]})" for n in UNIQUE)
    + "), count(*) - count(DISTINCT hash(id)), "
    + ", ".join(f'list(DISTINCT "{n}")' for n in check_of if n not in UNIQUE)
    + " FROM e",
}


def profile():
    # each check alone over the columns in memory (read before the clock): CPU seconds
    con.execute("CREATE TEMP TABLE m AS SELECT * FROM e")
    counts = []
    for name, flag in CHECKS.items():
        cpu = time.process_time()
        counts.append(con.execute(f"SELECT count(*) FILTER (WHERE {flag}) FROM m").fetchone()[0])
        each[name] = time.process_time() - cpu
    return [counts]


def whole():
    # the engine's flagging query over the file read once into a table: the distinct
    # values of the exact columns and the rules' combinations taken by DuckDB and
    # judged by the engine's Python (compile.judge), the query run with the refused ones
    con.execute("CREATE TEMP TABLE blk AS SELECT * FROM e")
    distinct = con.execute(done.distinct.sql("duckdb")).fetchone()

    def combinations(names):
        columns = ", ".join(f'"{n}"' for n in names)
        return con.execute(f"SELECT DISTINCT {columns} FROM blk").fetchall()

    found = judge(done, check_of, distinct, combinations)
    for i, (names, rows) in found.items():
        columns = ", ".join(f'"{n}" VARCHAR' for n in names)
        con.execute(f"CREATE TEMP TABLE {refused_table(i)} ({columns})")
        marks = ", ".join("?" for _ in names)
        con.executemany(f"INSERT INTO {refused_table(i)} VALUES ({marks})", rows)
    flagged = query_sql("engagement", frozenset(found))
    return con.execute(
        f"SELECT (SELECT count(*) FROM ({flagged}) WHERE flagged), "
        + IDS.format(t="blk") + ", " + REFERENCES.format(t="blk")
    ).fetchall()


each = {}  # profile: the CPU seconds of each check
gathered = None  # distinct: how many distinct values were gathered
t, cpu = time.perf_counter(), time.process_time()
if name == "whole":
    found = whole()
elif name == "profile":
    found = profile()
else:
    *before, last = [QUERIES[name]] if isinstance(QUERIES[name], str) else QUERIES[name]
    for statement in before:
        con.execute(statement)
    found = con.execute(last).fetchall()
    if name == "distinct":  # the counts; the values gathered, counted, for the record
        gathered = sum(len(values) for values in found[0][2:])
        found = [found[0][:2]]
"""

#: The end of both scripts: the time, CPU and peak of the query, and what it found
#: (the first row of its result), each check's CPU (``profile``), the values gathered.
REPORT = r"""
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
peak = 0
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        peak = int(line.split()[1]) // 1024
print(json.dumps(
    {"seconds": elapsed, "cpu": cpu, "rss_mb": peak, "found": list(found[0]), "each": each,
     "gathered": gathered}
))
"""

#: The design on polars (``polars-floor``, ``polars``), timed as QUERY is; argv = query
#: name. Its checks are those of CHECKS in QUERY, as polars expressions (Rust's regex
#: crate takes the engine's RE2 patterns as they are).
POLARS = r"""
import json, os, sys, time
import polars as pl
from bilat.models import RECORD_TYPES
from bilat.models.dates import JSON_PATTERN
from bilat.validation.engines.columnar.columns import checks

name = sys.argv[1]
parts, actors = json.loads(os.environ["BILAT_BOUNDS_FILES"])
ENGAGEMENT = RECORD_TYPES["engagement"]


def vocabulary(field):  # the terms a field (or a list field's items) takes
    info = ENGAGEMENT.model_fields[field]
    marks = info.metadata or info.annotation.__args__[0].__metadata__
    return marks[0].ordered()


def pattern(check):  # the sql engine's pattern_flag
    col = pl.col(check.name)
    chars = col.str.len_chars()
    good = col.str.contains(check.pattern)
    if not check.ascii_only:  # ASCII only: one byte per character
        good = good & (col.str.len_bytes() == chars)
    if check.min_length > 1:
        good = good & (chars >= check.min_length)
    if check.max_length is not None:
        good = good & (chars <= check.max_length)
    flag = ~((col == "") | good)
    return flag | (col == "") if check.required else flag


def date(c):  # over-flags: the shape and month lengths, a parse for the leap day, year 0
    col = pl.col(c)
    leap = (col.str.len_bytes() == 10) & col.str.to_date("%Y-%m-%d", strict=False).is_null()
    return (col != "") & (~col.str.contains(JSON_PATTERN) | col.str.starts_with("0000") | leap)


either = "(?:" + "|".join(vocabulary("topics")) + ")"
topics = r'^\["' + either + r'"(?:,"' + either + r'")*\]$'
start, end, number, series = (pl.col(n) for n in ("start", "end", "series_number", "series"))
CHECKS = [pattern(c) for c in checks("engagement") if c.mode != "exact"] + [
    ~pl.col("type").is_in(vocabulary("type")),
    ~pl.col("status").is_in(vocabulary("status")),
    date("start"),
    date("end"),
    (number != "") & ~number.str.contains("^[1-9][0-9]{0,17}$"),
    (pl.col("topics") != "") & ~pl.col("topics").str.contains(topics),
    ((end != "") & (start != "") & (end < start)) | ((number != "") & (series == ""))
    | ((pl.col("status") == "held") & (start == "")),
]
names = [c.name for c in checks("engagement")]
if parts[0].endswith(".csv"):
    frame = pl.scan_csv(parts[0], schema={n: pl.String for n in pl.scan_csv(parts[0]).collect_schema()})
else:
    frame = pl.scan_parquet(parts)
held = pl.concat([pl.read_csv(p, infer_schema=False).select("id") for p in actors])  # before the clock
each = {}
gathered = None
t, cpu = time.perf_counter(), time.process_time()
if name == "polars-floor":
    frame.select([pl.col(n).str.len_chars().sum() for n in names]).collect()  # as length()
    found = [[]]
elif name == "polars-ids":  # streaming: the ids' hashes grouped, then the actors' ids
    hashes = frame.select(pl.col("id").hash().alias("h")).group_by("h").len()
    twice = hashes.filter(pl.col("len") > 1).collect(engine="streaming").height
    clash = frame.select("id").join(held.lazy(), on="id", how="semi").select(pl.len())
    found = [[twice + clash.collect(engine="streaming").item()]]
elif name == "polars-references":  # streaming: the lists decoded, an anti-join
    listed = frame.select(pl.col("participants").str.json_decode(pl.List(pl.String)).alias("t"))
    named = listed.explode("t").filter(pl.col("t").is_not_null())
    named = named.join(held.lazy(), left_on="t", right_on="id", how="anti").select(pl.len())
    found = [[named.collect(engine="streaming").item()]]
else:
    stage = time.process_time()

    def lap(what):
        global stage
        each[what] = time.process_time() - stage
        stage = time.process_time()

    # one query: every column read, every check, and the columns the rest needs kept
    kept = frame.select([pl.col(n).fill_null("") for n in names]).with_row_index("row")
    kept = kept.select("row", "id", "participants", pl.any_horizontal(CHECKS).alias("flag"))
    cells = kept.collect()
    flagged = cells.filter("flag").get_column("row")  # located
    lap("read and checks")
    hashed = cells.select(pl.col("id").hash().alias("h"))  # ids held twice, by a 64-bit hash
    twice = hashed.filter(pl.col("h").is_duplicated()).get_column("h").n_unique()
    twice += cells.join(held, on="id", how="semi").height
    lap("ids")
    listed = cells.filter(pl.col("participants") != "").select(
        pl.col("participants").str.json_decode(pl.List(pl.String)).alias("target")
    )
    named = listed.explode("target").join(held, left_on="target", right_on="id", how="anti")
    lap("references")
    found = [[len(flagged), twice, named.height]]
"""

#: ``ids`` without DuckDB (``arrow-ids``, ``dict-ids``), timed as QUERY is; argv = query
#: name. The id column is read in the columnar engine's blocks (4 MiB of CSV, or
#: Parquet batches); then, as one column, pyarrow's hash (``value_counts``, and
#: ``is_in`` against the actors' ids), or, block by block, the Python dict the columnar
#: engine keeps (each block's ids to Python, the ids an earlier block holds picked out,
#: the block's ids added). Its profile gives the CPU of the read and of the rest.
ARROW = r"""
import json, os, sys, time
import pyarrow as pa, pyarrow.compute as pc, pyarrow.csv as pacsv, pyarrow.parquet as pq

name = sys.argv[1]
parts, actors = json.loads(os.environ["BILAT_BOUNDS_FILES"])
only_id = pacsv.ConvertOptions(include_columns=["id"], column_types={"id": pa.string()})
held = pa.chunked_array(  # the actors' ids, read before the clock
    [pacsv.read_csv(p, convert_options=only_id).column("id") for p in actors], pa.string()
).combine_chunks()
each = {}
gathered = None
t, cpu = time.perf_counter(), time.process_time()
stage = cpu

def lap(what):
    global stage
    each[what] = time.process_time() - stage
    stage = time.process_time()

blocks = []
for path in parts:
    if path.endswith(".parquet"):
        for batch in pq.ParquetFile(path).iter_batches(columns=["id"]):
            blocks.append(batch.column(0).cast(pa.string()))
    else:
        options = pacsv.ReadOptions(block_size=1 << 22)
        for batch in pacsv.open_csv(path, read_options=options, convert_options=only_id):
            blocks.append(batch.column(0))
lap("read")
if name == "arrow-ids":
    ids = pa.chunked_array(blocks, pa.string())
    counts = pc.value_counts(ids)
    twice = len(counts.filter(pc.greater(counts.field("counts"), 1)))
    twice += pc.sum(pc.is_in(ids, value_set=held)).as_py() or 0
else:
    seen = dict(zip(held.to_pylist(), range(len(held))))
    taken = set()
    for block in blocks:
        listed = block.to_pylist()
        keyed = dict(zip(listed, range(len(listed))))
        twice = seen.keys() & keyed.keys()
        if len(keyed) != len(listed):  # an id on more than one row of the block
            counts = pc.value_counts(block)
            twice.update(counts.field("values").filter(pc.greater(counts.field("counts"), 1)).to_pylist())
        for record_id in twice:  # their rows go to the row engine, as in the engine
            keyed.pop(record_id, None)
        seen.update(keyed)
        taken |= twice
    twice = len(taken)
lap("hash")
found = [[twice]]
"""

#: ``native``: ``ids`` and ``references`` in native code (``bench/native_ids.c``, compiled
#: into the spill folder before the clock), timed as QUERY is; argv = query name, spill
#: folder. pyarrow reads the id and participants columns in batches (Parquet) or 4 MiB
#: blocks (CSV); each batch's Arrow buffers go to the C functions as they are.
NATIVE = r"""
import ctypes, json, os, sys, time
import pyarrow as pa, pyarrow.csv as pacsv, pyarrow.parquet as pq

name, spill = sys.argv[1:]
parts, actors = json.loads(os.environ["BILAT_BOUNDS_FILES"])
lib = ctypes.CDLL(os.path.join(spill, "native_ids.so"))
for function, arity in (("set_actors", 3), ("add_ids", 3), ("held_twice", 0), ("unheld", 3)):
    getattr(lib, function).restype = ctypes.c_int64
    getattr(lib, function).argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64][:arity]
only_id = pacsv.ConvertOptions(include_columns=["id"], column_types={"id": pa.string()})
held = pa.chunked_array(  # the actors' ids, read before the clock
    [pacsv.read_csv(p, convert_options=only_id).column("id") for p in actors], pa.string()
).combine_chunks()
columns = ["id", "participants"]
both = pacsv.ConvertOptions(include_columns=columns, column_types=dict.fromkeys(columns, pa.string()))


EMPTY = pa.py_buffer(b"\0")  # the bytes of a column with none: never a null pointer
kept = []  # the arrays whose buffers C reads, alive until it has read them


def buffers(array):  # the offsets (from the array's first), the bytes, the length
    array = array.cast(pa.string())
    kept[:] = [array]
    _valid, offsets, data = array.buffers()
    return offsets.address + 4 * array.offset, (data or EMPTY).address, len(array)


def checked(result):  # a negative result: C ran out of memory
    if result < 0:
        raise SystemExit("native_ids.c: out of memory")
    return result


each = {"read": 0.0, "ids": 0.0, "references": 0.0}
gathered = None
t, cpu = time.perf_counter(), time.process_time()
checked(lib.set_actors(*buffers(held)))
clash = missing = 0
for path in parts:
    if path.endswith(".parquet"):
        batches = pq.ParquetFile(path).iter_batches(columns=columns, batch_size=1 << 16)
    else:
        options = pacsv.ReadOptions(block_size=1 << 22)
        batches = pacsv.open_csv(path, read_options=options, convert_options=both)
    lap = time.process_time()
    for batch in batches:
        now = time.process_time()
        each["read"] += now - lap
        clash += checked(lib.add_ids(*buffers(batch.column(0))))
        lap = time.process_time()
        each["ids"] += lap - now
        missing += checked(lib.unheld(*buffers(batch.column(1))))
        now, lap = lap, time.process_time()
        each["references"] += lap - now
lap = time.process_time()
twice = checked(lib.held_twice())
each["ids"] += time.process_time() - lap
found = [[twice + clash, missing]]
"""

#: ``dictionary-cells``: every cell checked as the columnar engine checks it, but each
#: column that the Parquet file holds dictionary-encoded read as its dictionary and
#: indices (pyarrow's ``read_dictionary``), its distinct values checked by the engine's
#: own column check and its rows flagged by their indices; the columns held plain (the
#: ids, titles, notes) checked cell by cell as the engine does (RE2); the record rules
#: judged once per distinct combination of the indices. One thread, Parquet only;
#: argv = query name, spill folder.
DICTIONARY = r"""
import json, os, sys, time
import pyarrow as pa, pyarrow.compute as pc, pyarrow.parquet as pq
from bilat.models import RECORD_TYPES
from bilat.validation.engines.columnar.columns import checks, rule_holds

name, spill = sys.argv[1:]
parts, actors = json.loads(os.environ["BILAT_BOUNDS_FILES"])
check_of = {c.name: c for c in checks("engagement")}
rules = RECORD_TYPES["engagement"].RULES
each = {"read": 0.0, "dictionary columns": 0.0, "plain columns": 0.0, "rules": 0.0}
gathered = None


def dictionary_flags(check, col):
    # the engine's check on the distinct values, then the rows holding a refused one
    words = pc.fill_null(col.dictionary.cast(pa.string()), "")
    refused = check.flag(words)
    out = None
    if refused is not None and pc.any(refused).as_py():
        out = pc.is_in(col.indices, value_set=pc.indices_nonzero(refused).cast(col.indices.type))
        out = pc.fill_null(out, False)
    if check.required and col.null_count:
        empty = pc.is_null(col)
        out = empty if out is None else pc.or_(out, empty)
    return out


def rule_flags(rule, cols):
    # each distinct combination of the indices of the columns the rule reads, judged once
    key, size, words = None, 1, []
    for name in rule.reads:
        col = cols[name]
        if not pa.types.is_dictionary(col.type):
            col = pc.dictionary_encode(col)
        word = [w or "" for w in col.dictionary.to_pylist()] + [""]  # the last: null
        index = pc.fill_null(pc.cast(col.indices, pa.int64()), len(word) - 1)
        key = index if key is None else pc.add(pc.multiply(key, len(word)), index)
        size *= len(word)
        words.append(word)
    bad = []
    for combined in pc.unique(key).to_pylist():
        raws, rest = [], combined
        for word in reversed(words):
            raws.append(word[rest % len(word)])
            rest //= len(word)
        if not rule_holds(rule, tuple(reversed(raws)), check_of):
            bad.append(combined)
    return pc.is_in(key, value_set=pa.array(bad, pa.int64())) if bad else None


t, cpu = time.perf_counter(), time.process_time()
flagged = 0
for path in parts:
    schema = pq.ParquetFile(path).metadata.row_group(0)
    encoded = [
        schema.column(i).path_in_schema
        for i in range(schema.num_columns)
        if "PLAIN_DICTIONARY" in schema.column(i).encodings
        or "RLE_DICTIONARY" in schema.column(i).encodings
    ]
    lap = time.process_time()
    for batch in pq.ParquetFile(path, read_dictionary=encoded).iter_batches(batch_size=65536):
        now = time.process_time()
        each["read"] += now - lap
        cols = dict(zip(batch.schema.names, batch.columns))
        flags = None
        for column, col in cols.items():
            check = check_of[column]
            lap = time.process_time()
            if pa.types.is_dictionary(col.type):
                flag = dictionary_flags(check, col)
                each["dictionary columns"] += time.process_time() - lap
            else:
                flag = check.flag(pc.fill_null(col, ""))
                each["plain columns"] += time.process_time() - lap
            if flag is not None:
                flags = flag if flags is None else pc.or_(flags, flag)
        lap = time.process_time()
        for rule in rules:
            flag = rule_flags(rule, cols)
            if flag is not None:
                flags = flag if flags is None else pc.or_(flags, flag)
        each["rules"] += time.process_time() - lap
        flagged += 0 if flags is None else pc.sum(flags).as_py() or 0
        lap = time.process_time()
found = [[flagged]]
"""

#: the checks of ``compiled`` and ``profile``: the patterned columns, the other columns,
#: the record rules (the last)
CHECK_NAMES = [c.name for c in checks("engagement") if c.mode != "exact"] + [
    "type",
    "status",
    "start",
    "end",
    "series_number",
    "topics",
]

NAMES = (
    "floor",
    "id-pattern",
    "patterns",
    "ids",
    "references",
    "fused",
    "whole",
    "compiled",
    "ids-hash",
    "distinct",
    "profile",
    "polars-floor",
    "polars",
    "polars-ids",
    "polars-references",
    "arrow-ids",
    "dict-ids",
    "native",
    "dictionary-cells",
)


def expected(rows: int, fmt: str) -> dict[str, list[int]]:
    """What each query must find: the defects ``scale_data`` planted that it can see."""
    planted = scale_data.expected(rows, fmt)
    host = planted.get(("constraint-error", "host"), 0)  # the one patterned column planted
    held_twice = int(any(field == "id" for _, field in planted))  # one id, e-0
    named = sum(
        planted.get((code, "participants"), 0)
        for code in ("dangling-reference", "wrong-reference-kind")
    )
    # a row with a defect of a cell or a record rule (each kind planted on its own rows)
    cells = sum(
        n
        for (code, _), n in planted.items()
        if code in ("constraint-error", "type-error", "end-before-start")
    )
    # each check of "profile", in the order of CHECKS: the cells planted in its field
    bad_cell: dict[str, int] = {}
    for (code, field), n in planted.items():
        if code in ("constraint-error", "type-error"):
            bad_cell[field] = bad_cell.get(field, 0) + n
    rules = planted.get(("end-before-start", "end"), 0)
    profile = [bad_cell.get(name, 0) for name in CHECK_NAMES] + [rules]
    return {
        "id-pattern": [0],
        "patterns": [host],
        "ids": [held_twice],
        "references": [named],
        "fused": [host, held_twice, named],
        "whole": [cells, held_twice, named],
        "compiled": [cells, held_twice, named],
        # every row holding an id an earlier row holds (a unique-error within a part, a
        # duplicate-id across parts)
        "distinct": [0, sum(n for (_, field), n in planted.items() if field == "id")],
        "ids-hash": [held_twice],
        "profile": profile,
        "polars-floor": [],
        "polars": [cells, held_twice, named],
        "polars-ids": [held_twice],
        "polars-references": [named],
        "arrow-ids": [held_twice],
        "dict-ids": [held_twice],
        "native": [held_twice, named],
        "dictionary-cells": [cells],
    }


#: the queries that read Parquet files only (a CSV file has no dictionaries)
PARQUET_ONLY = ("dictionary-cells",)


def _script(name: str) -> str:
    if name.startswith("polars"):
        return POLARS
    if name == "native":
        return NATIVE
    if name == "dictionary-cells":
        return DICTIONARY
    return ARROW if name in ("arrow-ids", "dict-ids") else QUERY


def measure(name: str, parts: list[str], actors: list[str]) -> dict[str, object]:
    env = {**os.environ, "BILAT_BOUNDS_FILES": json.dumps([parts, actors])}
    with tempfile.TemporaryDirectory() as spill:
        if name == "native":  # compiled before the clock
            source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "native_ids.c")
            library = os.path.join(spill, "native_ids.so")
            subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", library, source], check=True)
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                _script(name) + REPORT,
                name,
                spill,
            ],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
    if done.returncode != 0:
        raise SystemExit(f"{name}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--shape", nargs="+", choices=["short", "long"], default=["short"])
    parser.add_argument("--format", nargs="+", choices=["csv", "parquet"], default=["parquet"])
    parser.add_argument("--queries", nargs="+", choices=NAMES, default=list(NAMES))
    args = parser.parse_args()
    print("| rows | shape | format | query | wall s | CPU s | peak RSS MB | ÷ floor | found |")
    print("|---|---|---|---|---|---|---|---|---|")
    wrong = []
    for rows, shape, fmt in itertools.product(args.rows, args.shape, args.format):
        folder = scale_data.package(rows, shape, fmt)
        parts = sorted(str(p) for p in folder.glob("engagements*") if p.is_file())
        actors = [str(folder / "states.csv"), str(folder / "persons.csv")]
        want = expected(rows, fmt)
        floor: float | None = None
        for name in ["floor", *(q for q in args.queries if q != "floor")]:
            if name in PARQUET_ONLY and fmt != "parquet":
                continue
            got = measure(name, parts, actors)
            seconds = float(got["seconds"])  # type: ignore[arg-type]
            if floor is None:
                floor = seconds
            found = "" if name == "floor" else got["found"]
            if got.get("gathered") is not None:
                found = f"{found}, {got['gathered']:,} distinct values gathered"
            if name != "floor" and got["found"] != want[name]:
                wrong.append(f"{rows} {shape} {fmt} {name}: found {found}, planted {want[name]}")
            print(
                f"| {rows:,} | {shape} | {fmt} | {name} | {seconds:.2f} | {got['cpu']:.2f} |"
                f" {got['rss_mb']} | {seconds / floor:.1f}x | {found} |",
                flush=True,
            )
            if name == "floor":
                floor_cpu = float(got["cpu"])  # type: ignore[arg-type]
            for check, cpu in got["each"].items():  # type: ignore[union-attr]
                print(
                    f"| {rows:,} | {shape} | {fmt} | {name}: {check} | | {cpu:.3f} | |"
                    f" CPU {cpu / max(floor_cpu, 1e-6):.2f}x | |"
                )
    if wrong:
        raise SystemExit("not what was planted:\n" + "\n".join(wrong))


if __name__ == "__main__":
    main()
