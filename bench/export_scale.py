"""Benchmark: bilat export and bilat.load against bilat validate on a large package.

    python bench/export_scale.py                  # 400,000 engagements
    python bench/export_scale.py --rows 100000
    python bench/export_scale.py --formats graphml --no-load --repeat 1

Generates a valid package with bench/validate_scale.py's generator (N engagements,
5,000 actors, no injected defect), then runs each step in its own process: ``bilat
validate``, ``bilat export --to sqlite|duckdb|parquet|graphml`` (``--formats``), and
``bilat.load`` (which
validates and keeps the valid rows' cells; a large table's records are built on first
use), then ``bilat.load`` with every record built. It prints wall and CPU seconds, peak
RSS, each step's ratio to validate, the files' sizes and the memory per record.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate_scale import generate

LOAD = """
import json, resource, sys, time
t, cpu = time.perf_counter(), time.process_time()
import bilat
pkg = bilat.load(sys.argv[1])
if sys.argv[2] == "build":
    built = sum(len(records) for records in pkg.by_kind.values())
else:
    built = 0
print(json.dumps({"records": len(pkg), "built": built}))
"""

BASELINE = "import bilat.package, bilat.export, pyarrow"


def run(args: list[str]) -> dict[str, float]:
    """Run *args* in a child process: its wall and CPU seconds, peak RSS (MB), stdout."""
    import os

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, text=True)
        _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own resource use
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{out.read()}\n{err.read()}")
        return {
            "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime,
            "rss": usage.ru_maxrss / 1024,
            "out": out.read(),  # type: ignore[dict-item]
        }


def best(args: list[str], repeat: int) -> dict[str, float]:
    """The fastest of *repeat* runs (wall time; a shared machine only ever slows one)."""
    return min((run(args) for _ in range(repeat)), key=lambda r: r["wall"])


def size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=400_000, help="engagements")
    parser.add_argument("--actors", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each step; the fastest is shown"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument(
        "--formats",
        default="sqlite,duckdb,parquet,graphml",
        help="the exports to run, comma-separated (default: all four)",
    )
    parser.add_argument(
        "--no-load", action="store_true", help="skip the two bilat.load steps (the slowest)"
    )
    args = parser.parse_args()
    names = {"sqlite": "x.db", "duckdb": "x.duckdb", "parquet": "pq", "graphml": "x.graphml"}
    formats = args.formats.split(",")
    for fmt in formats:
        if fmt not in names:
            parser.error(f"--formats: {fmt!r} is not one of {', '.join(names)}")
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bench"
        generate(folder, args.rows, args.actors, 0.0, args.seed)
        mb = size(folder / "engagements.csv") / 1e6
        print(f"{args.rows:,} engagements ({mb:.0f} MB of CSV), {args.actors:,} actors")
        steps: dict[str, dict[str, float]] = {}
        # each measured in a fresh process
        n = args.repeat
        steps["python + imports"] = best([py, "-c", BASELINE], n)
        steps["bilat validate"] = best([py, "-m", "bilat", "validate", str(folder)], n)
        files = {}
        for fmt in formats:
            out = Path(tmp) / names[fmt]
            steps[f"bilat export --to {fmt}"] = best(
                [py, "-m", "bilat", "export", str(folder), "--to", fmt, str(out), "--force"], n
            )
            files[fmt] = size(out)
            if out.is_dir():
                shutil.rmtree(out)
            else:
                out.unlink()
        if not args.no_load:
            steps["bilat.load"] = best([py, "-c", LOAD, str(folder), "lazy"], n)
            steps["bilat.load, every record built"] = best(
                [py, "-c", LOAD, str(folder), "build"], n
            )
    base = steps["bilat validate"]
    print(f"best of {n} runs each")
    print(
        f"{'step':<34}{'seconds':>9}{'CPU s':>8}{'peak RSS MB':>13}{'x validate':>12}{'x CPU':>7}"
    )
    for name, r in steps.items():
        ratio = cpu = ""
        if name != "python + imports":
            ratio, cpu = f"{r['wall'] / base['wall']:.1f}x", f"{r['cpu'] / base['cpu']:.1f}x"
        print(f"{name:<34}{r['wall']:>9.2f}{r['cpu']:>8.2f}{r['rss']:>13.0f}{ratio:>12}{cpu:>7}")
    records = None
    if not args.no_load:
        records = json.loads(steps["bilat.load"]["out"])["records"]
        built = steps["bilat.load, every record built"]
        per = (built["rss"] - steps["python + imports"]["rss"]) * 2**20 / records
        memory = f"{per / 1024:.2f} KiB" if per > 0 else "below the baseline at this size"
        print(f"records: {records:,}; memory per record, every record built: {memory}")
    print("files: " + ", ".join(f"{fmt} {n / 2**20:.1f} MiB" for fmt, n in files.items()))
    if "duckdb" in files and "sqlite" in files:
        print(f"duckdb / sqlite: {files['duckdb'] / files['sqlite']:.2f}")
    if args.json:
        print(json.dumps({"steps": steps, "files": files, "records": records}, default=str))


if __name__ == "__main__":
    main()
