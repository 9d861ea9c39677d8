"""What the sql engine's targets ask of DuckDB: what each check costs, beside the floor.

    python bench/sql_bounds.py --rows 1000000 --shape short long --format csv parquet
    python bench/sql_bounds.py --rows 20000000 100000000 --queries id-pattern patterns ids

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
  read of the file, then ``ids`` and ``references``.

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

#: One query, timed, in a process of its own: argv = query name, spill folder; the files
#: in $BILAT_BOUNDS_FILES. A benchmark of DuckDB: its few SQL texts are written here,
#: bilat's own come from its compiler.
QUERY = """
import json, os, sys, time
import duckdb
from sqlglot import exp
from bilat.validation.engines.columnar.columns import checks
from bilat.validation.engines.sql.compile import compiled, judge, query_sql, refused_table

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
}


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


t, cpu = time.perf_counter(), time.process_time()
if name == "whole":
    found = whole()
else:
    *before, last = [QUERIES[name]] if isinstance(QUERIES[name], str) else QUERIES[name]
    for statement in before:
        con.execute(statement)
    found = con.execute(last).fetchall()
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
peak = 0
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        peak = int(line.split()[1]) // 1024
print(json.dumps({"seconds": elapsed, "cpu": cpu, "rss_mb": peak, "found": list(found[0])}))
"""

NAMES = ("floor", "id-pattern", "patterns", "ids", "references", "fused", "whole")


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
    return {
        "id-pattern": [0],
        "patterns": [host],
        "ids": [held_twice],
        "references": [named],
        "fused": [host, held_twice, named],
        "whole": [cells, held_twice, named],
    }


def measure(name: str, parts: list[str], actors: list[str]) -> dict[str, object]:
    env = {**os.environ, "BILAT_BOUNDS_FILES": json.dumps([parts, actors])}
    with tempfile.TemporaryDirectory() as spill:
        done = subprocess.run(
            [sys.executable, "-c", QUERY, name, spill],
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
            got = measure(name, parts, actors)
            seconds = float(got["seconds"])  # type: ignore[arg-type]
            if floor is None:
                floor = seconds
            found = "" if name == "floor" else got["found"]
            if name != "floor" and found != want[name]:
                wrong.append(f"{rows} {shape} {fmt} {name}: found {found}, planted {want[name]}")
            print(
                f"| {rows:,} | {shape} | {fmt} | {name} | {seconds:.2f} | {got['cpu']:.2f} |"
                f" {got['rss_mb']} | {seconds / floor:.1f}x | {found} |",
                flush=True,
            )
    if wrong:
        raise SystemExit("not what was planted:\n" + "\n".join(wrong))


if __name__ == "__main__":
    main()
