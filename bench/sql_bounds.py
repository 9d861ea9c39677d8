"""What the sql engine's targets ask of DuckDB: the least each check costs, beside the floor.

    python bench/sql_bounds.py --rows 1000000 --shape short long --format csv parquet
    python bench/sql_bounds.py --rows 20000000 100000000 --queries floor patterns ids

The targets of the sql engine (docs/scale.md) are ratios to a floor: DuckDB reading
every column of the same files (the sum of each column's length). This benchmark asks
what a design that runs the checks in DuckDB cannot do without: the bare query of each
kind of check, alone, over the engagements (one CSV file or the Parquet parts) and the
actor tables of the cached package of ``bench/scale_data.py``, in a process of its own
with the engine's settings (2 GiB, a spill folder, every core):

* ``floor``: every column read (``sum(length(c))``);
* ``patterns``: the id, date, host and country cells held to their patterns (RE2), and
  the type to its vocabulary, counting the rows refused;
* ``ids``: the ids held more than once in the package: the engagements' held twice
  (``GROUP BY id HAVING count(*) > 1``), and those an actor holds too (a semi-join);
* ``references``: every id the participants name, out of its JSON list, that no actor
  holds (an anti-join);
* ``fused``: the three over one read of the file, kept in a temporary table;
* ``whole``: the sql engine's own compiled flagging query over one read of the whole
  file (its distinct values judged by the engine's Python), then ids and references.

It prints each query's wall time, CPU, peak RSS and result, and its ratio to the floor.
What it leaves out (structure checks, row numbers, layer 5, the row engine on flagged
rows) only adds to a design's cost.
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

#: One query, timed, in a process of its own: argv = query name, spill folder, files.
QUERY = """
import json, os, resource, sys, time
import duckdb
name, spill = sys.argv[1:]
parts, actors = json.loads(os.environ["BILAT_BOUNDS_FILES"])
con = duckdb.connect(config={"memory_limit": "2GiB", "temp_directory": spill,
                             "threads": os.cpu_count() or 1, "preserve_insertion_order": True})
con.execute("SET enable_progress_bar = false")
# a benchmark of DuckDB, not bilat's queries (bilat's are compiled by sqlglot)
quoted = lambda paths: "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"
read = (
    f"read_parquet({quoted(parts)})"
    if parts[0].endswith(".parquet")
    else f"read_csv({quoted(parts)}, all_varchar=true, header=true)"
)
con.execute(f"CREATE VIEW e AS SELECT * FROM {read}")
con.execute(  # the actors (200,000 rows) in a table, read before the clock starts
    f"CREATE TABLE a AS SELECT id FROM read_csv({quoted(actors)}, all_varchar=true,"
    " header=true, union_by_name=true)"
)
slug = "^[a-z0-9]+(?:[-_.][a-z0-9]+)*$"
date = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
FLAG = (
    f"NOT regexp_full_match(id, '{slug}') OR NOT regexp_full_match(start, '{date}')"
    f" OR (\\"end\\" IS NOT NULL AND NOT regexp_full_match(\\"end\\", '{date}'))"
    f" OR NOT regexp_full_match(host, '{slug}') OR NOT regexp_full_match(country, '{slug}')"
    " OR NOT list_contains($types, type)"
)
QUERIES = {
    "floor": "SELECT " + ", ".join(
        f'sum(length("{c}"))' for c in con.sql("SELECT * FROM e LIMIT 0").columns
    ) + " FROM e",
    "patterns": f"SELECT count(*) FILTER (WHERE {FLAG}) FROM e",
    # engagements' ids held twice, and those an actor holds too (DuckDB 1.x ran out of
    # memory at 100M rows on the GROUP BY of a UNION ALL of both)
    "ids": "SELECT (SELECT count(*) FROM (SELECT id FROM e GROUP BY id HAVING count(*) > 1))"
    " + (SELECT count(*) FROM e SEMI JOIN a ON e.id = a.id)",
    "references": "SELECT count(*) FROM (SELECT unnest(CAST(json(participants) AS VARCHAR[]))"
    " AS target FROM e) AS r ANTI JOIN a ON r.target = a.id",
    # the three over one read of the file: the columns they need, and the flag, kept
    "fused": f"CREATE TEMP TABLE t AS SELECT id, participants, {FLAG} AS flag FROM e;"
    " SELECT (SELECT count(*) FILTER (WHERE flag) FROM t),"
    " (SELECT count(*) FROM (SELECT id FROM t GROUP BY id HAVING count(*) > 1))"
    " + (SELECT count(*) FROM t SEMI JOIN a ON t.id = a.id),"
    " (SELECT count(*) FROM (SELECT unnest(CAST(json(participants) AS VARCHAR[])) AS target"
    " FROM t) AS r ANTI JOIN a ON r.target = a.id)",
}


# bilat's own flagging query over the whole file, read once into a table: the distinct
# values of the exact columns and the rules' combinations taken by DuckDB, judged by the
# engine's Python (compile.judge), then the query with its refused values; and the ids
# and references over the same table
def whole():
    done = compiled("engagement")
    check_of = {c.name: c for c in checks("engagement")}
    # empty cells as the engine's blocks hold them: '' (DuckDB reads them as NULL)
    quoted_names = ['"' + c.name + '"' for c in check_of.values()]
    cells = ", ".join("coalesce({0}, '') AS {0}".format(n) for n in quoted_names)
    con.execute(f"CREATE TEMP TABLE blk AS SELECT {cells} FROM e")
    distinct = con.execute(done.distinct.sql("duckdb")).fetchone()

    def combinations(names):
        columns = ", ".join(f'"{n}"' for n in names)
        return con.execute(f"SELECT DISTINCT {columns} FROM blk").fetchall()

    found = judge(done, check_of, distinct, combinations)
    for i, (names, rows) in found.items():
        columns = ", ".join(f'"{n}" VARCHAR' for n in names)
        con.execute(f"CREATE TEMP TABLE {refused_table(i)} ({columns})")
        con.executemany(f"INSERT INTO {refused_table(i)} VALUES ({', '.join('?' for _ in names)})", rows)
    flagged = query_sql("engagement", frozenset(found))
    return con.execute(
        f"SELECT (SELECT count(*) FROM ({flagged}) WHERE flagged),"
        " (SELECT count(*) FROM (SELECT id FROM blk GROUP BY id HAVING count(*) > 1))"
        " + (SELECT count(*) FROM blk SEMI JOIN a ON blk.id = a.id),"
        " (SELECT count(*) FROM (SELECT unnest(CAST(json(participants) AS VARCHAR[])) AS target"
        " FROM blk) AS r ANTI JOIN a ON r.target = a.id)"
    ).fetchall()


if name == "whole":  # imported before the clock starts (the checks compile after)
    from bilat.validation.engines.columnar.columns import checks
    from bilat.validation.engines.sql.compile import compiled, judge, query_sql, refused_table
t, cpu = time.perf_counter(), time.process_time()
types = json.loads(os.environ["BILAT_BOUNDS_TYPES"])
if name == "whole":
    found = whole()
else:
    *before, last = QUERIES[name].split(";")
    for statement in before:
        con.execute(statement, {"types": types} if "$types" in statement else None)
    found = con.execute(last, {"types": types} if "$types" in last else None).fetchall()
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
peak = 0
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        peak = int(line.split()[1]) // 1024
print(json.dumps({"seconds": elapsed, "cpu": cpu, "rss_mb": peak, "found": str(found[0])}))
"""

NAMES = ("floor", "patterns", "ids", "references", "fused", "whole")


def engagement_types() -> list[str]:
    """The codes of the vocabulary of an engagement's ``type``, from the model."""
    from bilat.models import RECORD_TYPES
    from bilat.vocab import Vocab, vocabulary

    meta = RECORD_TYPES["engagement"].model_fields["type"].metadata
    return sorted(vocabulary(next(m for m in meta if isinstance(m, Vocab)).name).codes())


def measure(name: str, parts: list[str], actors: list[str]) -> dict[str, object]:
    env = {
        **os.environ,
        "BILAT_BOUNDS_TYPES": json.dumps(engagement_types()),
        "BILAT_BOUNDS_FILES": json.dumps([parts, actors]),
    }
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
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--shape", nargs="+", choices=["short", "long"], default=["short"])
    parser.add_argument("--format", nargs="+", choices=["csv", "parquet"], default=["parquet"])
    parser.add_argument("--queries", nargs="+", choices=NAMES, default=list(NAMES))
    args = parser.parse_args()
    print("| rows | shape | format | query | wall s | CPU s | peak RSS MB | ÷ floor | result |")
    print("|---|---|---|---|---|---|---|---|---|")
    for rows, shape, fmt in itertools.product(args.rows, args.shape, args.format):
        folder = scale_data.package(rows, shape, fmt)
        parts = sorted(str(p) for p in folder.glob("engagements*") if p.is_file())
        actors = [str(folder / "states.csv"), str(folder / "persons.csv")]
        floor = None
        for name in ["floor", *(q for q in args.queries if q != "floor")]:
            got = measure(name, parts, actors)
            floor = floor or float(got["seconds"])  # type: ignore[arg-type]
            ratio = float(got["seconds"]) / floor  # type: ignore[arg-type]
            print(
                f"| {rows:,} | {shape} | {fmt} | {name} | {got['seconds']:.2f} |"
                f" {got['cpu']:.2f} | {got['rss_mb']} | {ratio:.1f}x | {got['found']} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
