"""Benchmark of the sql engine at scale (issue: validate at any size on one machine).

    python bench/sql_scale.py --rows 1000000 5000000 --shape short long --format csv parquet

For each size, row shape and format it takes the cached package of
``bench/scale_data.py`` (generated once by DuckDB, with ten planted defect kinds) and
runs, each in its own process: the floor (DuckDB reading every column of the same
files, as the sum of each column's length), pyarrow's parse of them, bilat's sql and
columnar engines, the spark engine when ``--engines`` names it (Spark local, every
core: ``--spark-master``), and the row engine up to ``--rows-engine-max``. It prints
wall time, CPU and peak RSS of the process tree (Spark's JVM is a child), the most disk the spill folder held (the sql engine's layer-4 files
and what DuckDB spilled), the findings, whether every planted
defect was found (exactly: the count of each (code, field) pair), whether the engines'
findings are identical, and the ratio to the floor.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import scale_data

#: Runs bilat in a process of its own; a thread samples the spill folder's size.
BILAT = """
import hashlib, json, os, resource, sys, threading, time
from collections import Counter
from pathlib import Path
spill = Path(os.environ["BILAT_CACHE_DIR"]) / "duckdb-spill"
most = [0]
def sample():
    while True:
        try:
            size = sum(p.stat().st_size for p in spill.rglob("*") if p.is_file())
        except OSError:
            size = 0
        most[0] = max(most[0], size)
        time.sleep(0.25)
threading.Thread(target=sample, daemon=True).start()
from bilat.validation import validate
t, cpu = time.perf_counter(), time.process_time()
report = validate(sys.argv[1], max_per_code=None, engine=sys.argv[2])
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
by = Counter()
digest = hashlib.sha256()
for f in report.findings:
    by[f"{f.code}/{f.field}"] += 1
    digest.update(json.dumps(f.to_dict(), sort_keys=True).encode())
# VmHWM, not ru_maxrss: Linux folds the parent's peak at fork into a child's ru_maxrss.
# The process tree: Spark's JVM (local masters) is a child, alive until exit; its peak
# and its CPU count too.
def tree(pid):
    try:
        kids = open(f"/proc/{pid}/task/{pid}/children").read().split()
    except OSError:
        return [pid]
    return [pid] + [q for k in kids for q in tree(int(k))]
hwm = jvm_cpu = 0
tick = os.sysconf("SC_CLK_TCK")
for pid in tree(os.getpid()):
    try:
        hwm += next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM"))
        if pid != os.getpid():
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            jvm_cpu += (int(fields[11]) + int(fields[12])) / tick
    except (OSError, StopIteration):
        pass
cpu += jvm_cpu
print(json.dumps({"seconds": elapsed, "cpu": cpu, "rss_mb": hwm / 1024,
                  "spill_mb": most[0] / 1e6, "findings": len(report.findings), "digest": digest.hexdigest(), "by": by}))
"""

#: DuckDB reading every column of the files (``count(*)`` would read none).
FLOOR = """
import json, resource, sys, time
import duckdb
files = sys.argv[1:]
con = duckdb.connect()
t, cpu = time.perf_counter(), time.process_time()
if files[0].endswith(".csv"):
    rel = con.read_csv(files[0], all_varchar=True, header=True)
else:
    rel = con.read_parquet(files)
sums = ", ".join(f'sum(length("{c}"))' for c in rel.columns)  # a benchmark, not bilat
con.sql(f"select {sums} from rel").fetchall()
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
print(json.dumps({"seconds": elapsed, "cpu": cpu, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

#: pyarrow reading the files, every column as a string, no checks.
PARSE = """
import json, resource, sys, time
import pyarrow as pa, pyarrow.csv as pacsv, pyarrow.parquet as pq
files = sys.argv[1:]
t, cpu = time.perf_counter(), time.process_time()
rows = 0
for path in files:
    if path.endswith(".csv"):
        with open(path, "rb") as f:
            header = f.readline().decode().rstrip("\\n").split(",")
        opts = pacsv.ConvertOptions(column_types={h: pa.string() for h in header})
        rows += pacsv.read_csv(path, convert_options=opts).num_rows
    else:
        for batch in pq.ParquetFile(path).iter_batches():
            rows += batch.num_rows
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
print(json.dumps({"seconds": elapsed, "cpu": cpu, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(script: str, *args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    import os

    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--shape", nargs="+", choices=("short", "long"), default=["short"])
    parser.add_argument("--format", nargs="+", choices=("csv", "parquet"), default=["parquet"])
    parser.add_argument("--engines", nargs="+", default=["sql", "columnar"])
    parser.add_argument("--rows-engine-max", type=int, default=1_000_000)
    parser.add_argument("--spark-master", default="local[*]")
    parser.add_argument(
        "--spark-memory", default="2g", help="the JVM's heap for Spark local (driver memory)"
    )
    args = parser.parse_args()
    failed = []
    print(
        "| rows | shape | format | MB | floor s (CPU) | parse s | engine | seconds | CPU s"
        " | peak RSS MB | spill folder MB | findings | planted found | ÷ floor | CPU ÷ floor CPU |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for rows in args.rows:
        for shape in args.shape:
            for fmt in args.format:
                # generated in a process of its own (see VmHWM above)
                subprocess.run(
                    [
                        sys.executable,
                        scale_data.__file__,
                        "--rows",
                        str(rows),
                        "--shape",
                        shape,
                        "--format",
                        fmt,
                    ],
                    check=True,
                )
                folder = scale_data.package(rows, shape, fmt)
                files = [str(p) for p in scale_data.data_files(folder)]
                size = sum(Path(p).stat().st_size for p in files) / 1e6
                floor = run(FLOOR, *files)
                parse = run(PARSE, *files)
                want = {f"{c}/{f}": n for (c, f), n in scale_data.expected(rows, fmt).items()}
                engines = list(args.engines)
                if rows <= args.rows_engine_max:
                    engines.append("rows")
                digests = set()
                for engine in engines:
                    with tempfile.TemporaryDirectory() as cache:
                        r = run(
                            BILAT,
                            str(folder / "datapackage.json"),
                            engine,
                            env={
                                "BILAT_CACHE_DIR": cache,
                                "BILAT_SPARK_MASTER": args.spark_master,
                                # Spark's shuffle files in the spill folder, measured with it
                                "PYSPARK_SUBMIT_ARGS": f"--driver-memory {args.spark_memory}"
                                f" --conf spark.local.dir={cache}/duckdb-spill/spark"
                                " --conf spark.ui.enabled=false pyspark-shell",
                            },
                        )
                    found = r["by"] == want
                    digests.add(r["digest"])
                    if not found:
                        failed.append((rows, shape, fmt, engine, r["by"], want))
                    print(
                        f"| {rows:,} | {shape} | {fmt} | {size:,.0f}"
                        f" | {floor['seconds']:.2f} ({floor['cpu']:.2f})"
                        f" | {parse['seconds']:.2f} | {engine} | {r['seconds']:.2f} | {r['cpu']:.2f}"
                        f" | {r['rss_mb']:,.0f} | {r['spill_mb']:,.0f} | {r['findings']:,}"
                        f" | {'all' if found else 'NO'} | {r['seconds'] / floor['seconds']:.1f}x"
                        f" | {r['cpu'] / floor['cpu']:.1f}x |",
                        flush=True,
                    )
                if len(digests) != 1:
                    failed.append((rows, shape, fmt, "the engines' findings differ"))
    if failed:
        raise SystemExit(f"not every planted defect was found, or engines differ: {failed}")


if __name__ == "__main__":
    main()
