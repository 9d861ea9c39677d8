"""Benchmark: bilat validate against frictionless validate on a large package.

    python bench/validate_scale.py                  # 100k, 1M and 5M engagements
    python bench/validate_scale.py --rows 100000    # one quicker size
    python bench/validate_scale.py --skip-frictionless
    python bench/validate_scale.py --rows 1000000 --shape long --skip-frictionless

Generates a package with N engagements and 5,000 actors, with about 0.1% of the
engagement rows carrying each kind of defect (bad date, unknown vocabulary term,
dangling reference, duplicate id). For each size it runs, each in its own process:
bilat's columnar and sql engines, bilat's row engine (up to 1M rows; the findings of
all must be identical), pyarrow parsing the file with no checks, DuckDB reading every
column of it (the floor: the sum of each column's length), and Frictionless (up to 1M
rows). ``--shape long`` fills every column but ``part_of`` and ``capacities`` (which
need parents and tenures) with longer text. It prints wall and CPU seconds, peak RSS, findings and
the ratios, and the start-up times of the CLI.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bilat import versions
from bilat.tables import RESOURCE_NAMES, resource_descriptor

KINDS = ("bad-date", "unknown-term", "dangling-reference", "duplicate-id")


def _line(cells: list[str]) -> str:
    out = []
    for c in cells:
        if any(ch in c for ch in ',"\n\r'):
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return ",".join(out) + "\n"


def write_actors(folder: Path, n_states: int, n_persons: int) -> None:
    """The benchmark's one source, *n_states* states and *n_persons* persons."""
    with open(folder / "sources.csv", "w", encoding="utf-8", newline="") as f:
        f.write(
            "id,notes,type,title,publisher,authors,published,accessed,url,seed,seed_sha256,citation,language\n"
        )
        f.write("src,,dataset,Synthetic benchmark data,,,,,https://example.org/bench,,,,en\n")
    with open(folder / "states.csv", "w", encoding="utf-8", newline="") as f:
        f.write("id,notes,sources,name,aliases,wikidata,kind,iso3\n")
        for i in range(n_states):
            f.write(f'state-{i},,"[""src""]",State {i},,,state,IND\n')
    with open(folder / "persons.csv", "w", encoding="utf-8", newline="") as f:
        f.write("id,notes,sources,name,aliases,wikidata,kind,nationality\n")
        for i in range(n_persons):
            f.write(f'person-{i},,"[""src""]",Person {i},,Q{i + 1},person,state-{i % n_states}\n')


def generate(
    folder: Path, rows: int, actors: int, rate: float, seed: int, shape: str = "short"
) -> dict[str, set[int]]:
    """Write the package; return the CSV line numbers of each injected defect kind."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_defects = max(1, int(rows * rate)) if rate > 0 else 0  # rate 0: a valid package
    lines = list(range(2, rows + 2))
    picked = rng.sample(lines, n_defects * len(KINDS))
    injected = {k: set(picked[i * n_defects : (i + 1) * n_defects]) for i, k in enumerate(KINDS)}
    n_states = 200
    n_persons = actors - n_states
    write_actors(folder, n_states, n_persons)
    types = ["meeting", "official_visit", "phone_call", "summit", "ministerial_talks"]
    header = [
        "id",
        "notes",
        "sources",
        "type",
        "status",
        "title",
        "start",
        "end",
        "participants",
        "host",
        "location",
        "country",
        "part_of",
        "series",
        "series_number",
        "capacities",
        "topics",
    ]
    with open(folder / "engagements.csv", "w", encoding="utf-8", newline="") as f:
        f.write(_line(header))
        for line in lines:
            i = line - 2
            day = 1 + i % 28
            month = 1 + (i // 28) % 12
            start = f"{2000 + i % 24:04d}-{month:02d}-{day:02d}"
            a, b = f"person-{rng.randrange(n_persons)}", f"state-{rng.randrange(n_states)}"
            etype = types[i % len(types)]
            rid = f"e-{i}"
            if line in injected["bad-date"]:
                start = f"{2000 + i % 24:04d}-02-30"
            elif line in injected["unknown-term"]:
                etype = "tea_party"
            elif line in injected["dangling-reference"]:
                a = f"nobody-{i}"
            elif line in injected["duplicate-id"]:
                rid = "e-0"
            long = shape == "long"
            f.write(
                _line(
                    [
                        rid,
                        f"Engagement number {i} between {a} and {b}, noted for the benchmark"
                        if long
                        else "",
                        '["src"]',
                        etype,
                        "held",
                        f"Engagement {i} of the synthetic series, a longer title"
                        if long
                        else f"Engagement {i}",
                        start,
                        start if long and line not in injected["bad-date"] else "",
                        f'["{a}","{b}"]',
                        b,
                        f"Capital city of state {b}" if long else "",
                        b,
                        "",
                        f"Series {i % 97}" if long else "",
                        str(1 + i % 50) if long else "",
                        "",
                        '["defence","energy","trade"]' if long else '["trade"]',
                    ]
                )
            )
    present = frozenset(RESOURCE_NAMES[k] for k in ("source", "state", "person", "engagement"))
    descriptor = {
        "name": "bench",
        versions.KEY: versions.declaration(versions.CURRENT),
        "resources": [
            resource_descriptor(k, "csv", present)
            for k in ("source", "state", "person", "engagement")
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    return injected


BILAT = """
import hashlib, json, resource, sys, time
from collections import Counter
from bilat.validation import validate
t, cpu = time.perf_counter(), time.process_time()
report = validate(sys.argv[1], max_per_code=None, engine=sys.argv[2])  # every finding
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
by_kind = Counter()
digest = hashlib.sha256()
for f in report.findings:
    by_kind[(f.code, f.field)] += 1
    digest.update(json.dumps(f.to_dict(), sort_keys=True).encode())
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "cpu": cpu, "rss_mb": rss / 1024, "digest": digest.hexdigest(),
                  "findings": len(report.findings), "rows": {f"{c}/{fl}": n for (c, fl), n in by_kind.items()}}))
"""

FRICTIONLESS = """
import json, resource, sys, time
from collections import Counter
import frictionless
t, cpu = time.perf_counter(), time.process_time()
report = frictionless.validate(sys.argv[1], limit_errors=10**9)
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
by_kind = Counter()
total = 0
for task in report.tasks:
    for e in task.errors:
        d = e.to_descriptor()
        field = d.get("fieldName") or (d.get("fieldNames") or [None])[0]
        by_kind[(d["type"], field)] += 1
        total += 1
print(json.dumps({"seconds": elapsed, "cpu": cpu, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "findings": total, "rows": {f"{c}/{fl}": n for (c, fl), n in by_kind.items()}}))
"""

#: The floor: pyarrow parsing the engagements file, every column as a string, no checks.
FLOOR = """
import json, resource, sys, time
import pyarrow as pa, pyarrow.csv as pacsv
path = sys.argv[1]
with open(path, "rb") as f:
    header = f.readline().decode().rstrip("\\n").split(",")
t, cpu = time.perf_counter(), time.process_time()
table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header}))
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
print(json.dumps({"seconds": elapsed, "cpu": cpu, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "findings": 0, "rows": {}, "table_rows": table.num_rows}))
"""


#: The floor: DuckDB reading every column of the engagements file (the sum of each
#: column's length; ``count(*)`` would read no cell).
DUCKDB_FLOOR = """
import json, resource, sys, time
import duckdb
path = sys.argv[1]
with open(path, "rb") as f:
    header = f.readline().decode().rstrip("\\n").split(",")
con = duckdb.connect()
t, cpu = time.perf_counter(), time.process_time()
rel = con.read_csv(path, all_varchar=True, header=True)
sums = ", ".join(f'sum(length("{h}"))' for h in header)  # a benchmark, not bilat
con.sql(f"select {sums} from rel").fetchall()
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
print(json.dumps({"seconds": elapsed, "cpu": cpu, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "findings": 0, "rows": {}}))
"""


#: The floor on Parquet parts: DuckDB reading every column of every part.
PARQUET_FLOOR = """
import json, resource, sys, time
import duckdb
con = duckdb.connect()
t, cpu = time.perf_counter(), time.process_time()
rel = con.read_parquet(sys.argv[1])
sums = ", ".join(f'sum(length("{c}"))' for c in rel.columns)  # a benchmark, not bilat
con.sql(f"select {sums} from rel").fetchall()
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
print(json.dumps({"seconds": elapsed, "cpu": cpu, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "findings": 0, "rows": {}}))
"""


def to_parquet(folder: Path, parts: int = 20) -> str:
    """Rewrite the engagements as *parts* Parquet files (strings, null for an empty
    cell), with DuckDB; return the glob of the parts."""
    import duckdb

    con = duckdb.connect()
    csv_path = str(folder / "engagements.csv")
    rel = con.read_csv(csv_path, all_varchar=True, header=True)  # noqa: F841 - read by name
    total = con.sql("select count(*) from rel").fetchall()[0][0]
    step = -(-total // parts)
    names = []
    numbered = con.sql("select *, row_number() over () - 1 as n from rel")  # noqa: F841 - by name
    for i in range(parts):
        name = f"engagements-{i + 1:02d}.parquet"
        names.append(name)
        part = con.sql(f"select * exclude (n) from numbered where n // {step} = {i} order by n")
        part.write_parquet(str(folder / name))
    (folder / "engagements.csv").unlink()
    desc = json.loads((folder / "datapackage.json").read_text())
    for res in desc["resources"]:
        if res["name"] == "engagements":
            res.update(path=names, format="parquet")
            for key in ("bytes", "hash", "dialect", "encoding", "mediatype"):
                res.pop(key, None)
    (folder / "datapackage.json").write_text(json.dumps(desc, indent=2))
    return str(folder / "engagements-*.parquet")


def run(script: str, *args: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def startup() -> dict[str, float]:
    """Wall seconds of ``bilat --help`` and of validating the bundled dataset (best of 3)."""
    out = {}
    for label, args in (
        ("bilat --help", ["--help"]),
        ("bilat validate india-russia", ["validate", "india-russia"]),
    ):
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bilat", *args], capture_output=True, check=False)
            best = min(best, time.perf_counter() - t)
        out[label] = best
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rows",
        type=int,
        nargs="+",
        default=[100_000, 1_000_000, 5_000_000],
        help="sizes to run (engagements)",
    )
    parser.add_argument("--actors", type=int, default=5_000)
    parser.add_argument("--rate", type=float, default=0.001, help="share of rows per defect kind")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-frictionless", action="store_true")
    parser.add_argument(
        "--frictionless-max", type=int, default=1_000_000, help="largest size frictionless runs on"
    )
    parser.add_argument(
        "--rows-engine-max",
        type=int,
        default=1_000_000,
        help="largest size the row engine runs on (to compare findings)",
    )
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--shape", choices=("short", "long"), default="short")
    parser.add_argument(
        "--parquet", action="store_true", help="also as 20 Parquet parts (after the CSV runs)"
    )
    args = parser.parse_args()

    import os

    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    if not args.skip_startup:
        for label, seconds in startup().items():
            print(f"start-up: {label:<30} {seconds:.2f} s wall (best of 3)")
    table = []
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "bench"
            t = time.perf_counter()
            injected = generate(folder, rows, args.actors, args.rate, args.seed, args.shape)
            size = (folder / "engagements.csv").stat().st_size
            print(
                f"\n{rows:,} {args.shape} engagements ({size / 1e6:.0f} MB), {args.actors:,} actors, generated in "
                f"{time.perf_counter() - t:.1f}s; injected per kind: {len(injected['bad-date']):,}"
            )
            target = str(folder / "datapackage.json")
            results = {"bilat": run(BILAT, target, "columnar")}
            results["bilat sql"] = run(BILAT, target, "sql")
            if rows <= args.rows_engine_max:
                results["bilat rows"] = run(BILAT, target, "rows")
            results["pyarrow parse"] = run(FLOOR, str(folder / "engagements.csv"))
            results["duckdb floor"] = run(DUCKDB_FLOOR, str(folder / "engagements.csv"))
            if args.parquet:  # the same rows as 20 Parquet parts (read by the row engine)
                parts = to_parquet(folder)
                results["parquet floor"] = run(PARQUET_FLOOR, parts)
                results["bilat parquet"] = run(BILAT, target, "rows")
            if not args.skip_frictionless and rows <= args.frictionless_max:
                results["frictionless"] = run(FRICTIONLESS, target)
        print(f"{'validator':<16}{'seconds':>9}{'CPU s':>8}{'peak RSS MB':>13}{'findings':>10}")
        for name, r in results.items():
            print(
                f"{name:<16}{r['seconds']:>9.2f}{r['cpu']:>8.2f}{r['rss_mb']:>13.0f}{r['findings']:>10,}"
            )
        bilat = results["bilat"]
        notes = [f"{rows / bilat['seconds'] / 1e6:.2f} M rows/s"]  # type: ignore[operator]
        if "frictionless" in results:
            ratio = results["frictionless"]["seconds"] / bilat["seconds"]  # type: ignore[operator]
            notes.append(f"{ratio:.1f}x faster than frictionless")
        floor = results["duckdb floor"]["seconds"]
        for name in ("bilat", "bilat sql"):
            ratio = results[name]["seconds"] / floor  # type: ignore[operator]
            notes.append(f"{name}: {ratio:.1f}x the DuckDB floor")
        parse = bilat["seconds"] / results["pyarrow parse"]["seconds"]  # type: ignore[operator]
        notes.append(f"columnar {parse:.1f}x the pyarrow parse")
        if "bilat parquet" in results:
            pq_run = results["bilat parquet"]
            ratio = pq_run["seconds"] / results["parquet floor"]["seconds"]  # type: ignore[operator]
            notes.append(f"parquet: {ratio:.1f}x its floor, {pq_run['findings']:,} findings")
        same = results["bilat sql"]["digest"] == bilat["digest"]
        notes.append("sql and columnar agree" if same else "SQL AND COLUMNAR FINDINGS DIFFER")
        if not same:
            table.append(("sql differs", rows))
        if "bilat rows" in results:
            same = results["bilat rows"]["digest"] == bilat["digest"]
            notes.append(
                "same findings as the row engine" if same else "FINDINGS DIFFER FROM THE ROW ENGINE"
            )
            if not same:
                table.append(("differ", rows))
        print("bilat (columnar): " + "; ".join(notes))
        for name in ("bilat", "frictionless"):
            if name in results:
                for key, n in sorted(results[name]["rows"].items()):  # type: ignore[union-attr]
                    print(f"  {name:<13} {key:<40} {n:>8,}")
    if table:
        raise SystemExit("the engines disagree: " + str(table))


if __name__ == "__main__":
    main()
