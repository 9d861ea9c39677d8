"""Benchmark: peak memory of validating a foreign table with many bad cells.

    python bench/foreign_errors.py                      # 1M bad cells, default cap
    python bench/foreign_errors.py --cells 200000       # a quicker size
    python bench/foreign_errors.py --all-findings --frictionless

Writes a package that is not a bilat package, with one table of integer columns
whose every cell (bar the first column) is not an integer, plus a table of the same
size whose cells are all good (the floor). Each run is its own process and reports
its wall seconds, peak RSS and counts: bilat under the default cap (1,000 findings
per resource and code kept, the rest counted in ``omitted``), and on request bilat
with ``--all-findings`` and Frictionless collecting every error
(``limit_errors=0``), both of which keep every error in memory.

Measured on 2 shared cores (Python 3.11, Frictionless 5.21; seconds vary with load):

    1M bad cells, default cap      peak  72 MB (the same table with no bad cells: 71 MB)
    200k bad cells, default cap    peak  72 MB
    200k bad cells, --all-findings peak 199 MB
    200k bad cells, Frictionless   peak 416 MB (limit_errors=0)

Most of the time goes into Frictionless building each error (about 0.1 ms each).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

COLUMNS = 4

CHILD = r"""
import json, resource, sys, time
mode, target, resource_name = sys.argv[1:4]
start = time.perf_counter()
if mode == "frictionless":
    import frictionless
    report = frictionless.validate(target + "/datapackage.json", limit_errors=0)
    errors = sum(len(task.errors) for task in report.tasks)
    out = {"errors": errors, "kept": errors, "omitted": 0}
else:
    from bilat.validation import validate
    report = validate(target, max_per_code=None if mode == "all" else 1000)
    kept = len(report.filter(code="type-error", resource=resource_name))
    omitted = report.omitted.get((resource_name, "type-error"), 0)
    out = {"errors": kept + omitted, "kept": kept, "omitted": omitted}
out["seconds"] = round(time.perf_counter() - start, 1)
out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(out))
"""


def generate(folder: Path, rows: int) -> None:
    fields = [{"name": "station", "type": "string"}]
    fields += [{"name": f"v{i}", "type": "integer"} for i in range(COLUMNS)]
    header = ",".join(f["name"] for f in fields) + "\n"
    resources = []
    for name, bad in (("clean", False), ("readings", True)):
        resources.append({"name": name, "path": f"{name}.csv", "schema": {"fields": fields}})
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as f:
            f.write(header)
            for r in range(rows):
                cells = [f"x{r}" if bad else str(r)] * COLUMNS
                f.write(f"s{r}," + ",".join(cells) + "\n")
    descriptor = {"name": "foreign-errors", "resources": resources}
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n")


def run(mode: str, folder: Path, resource_name: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(folder), resource_name],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", type=int, default=1_000_000, help="bad cells in all")
    parser.add_argument("--all-findings", action="store_true", help="also run bilat uncapped")
    parser.add_argument("--frictionless", action="store_true", help="also run Frictionless")
    args = parser.parse_args()
    rows = args.cells // COLUMNS
    with tempfile.TemporaryDirectory(prefix="bilat-bench-") as tmp:
        folder = Path(tmp)
        only_clean, only_bad = folder / "clean", folder / "bad"
        for sub, keep in ((only_clean, "clean"), (only_bad, "readings")):
            sub.mkdir()
            generate(sub, rows)
            data = json.loads((sub / "datapackage.json").read_text())
            data["resources"] = [r for r in data["resources"] if r["name"] == keep]
            (sub / "datapackage.json").write_text(json.dumps(data, indent=2) + "\n")
            (sub / ("readings.csv" if keep == "clean" else "clean.csv")).unlink()
        runs = [("bilat, no bad cells (floor)", "capped", only_clean, "clean")]
        runs.append(("bilat, default cap", "capped", only_bad, "readings"))
        if args.all_findings:
            runs.append(("bilat --all-findings", "all", only_bad, "readings"))
        if args.frictionless:
            runs.append(("frictionless, limit_errors=0", "frictionless", only_bad, "readings"))
        print(f"{rows:,} rows x {COLUMNS} integer columns = {rows * COLUMNS:,} bad cells")
        print(
            f"{'run':<32} {'seconds':>8} {'peak MB':>8} {'errors':>10} {'kept':>8} {'omitted':>10}"
        )
        for label, mode, target, name in runs:
            r = run(mode, target, name)
            print(
                f"{label:<32} {r['seconds']:>8} {r['peak_mb']:>8} {r['errors']:>10,} "
                f"{r['kept']:>8,} {r['omitted']:>10,}"
            )


if __name__ == "__main__":
    main()
