"""How long ``bilat import icews`` takes on a large ICEWS-shaped file, and its peak memory.

Generates an ICEWS-shaped file of N rows (the 20 columns of the ICEWS events files,
tab-separated, ``NA`` for missing values, comma-joined sectors; generated values, not
real events), imports it in a child process (``python -m bilat import icews``) and
reports the wall time and the child's peak resident memory; with ``--validate``, also
validates the result the same way (``--engine``, sql by default, which reads the
Parquet parts in batches and keeps the ids on disk).

    python bench/import_scale.py 2000000 --validate
    python bench/import_scale.py 2000000 --csv
    python bench/import_scale.py 20000000 --keep /big/disk
    python bench/import_scale.py 1000000 --append-again
    python bench/import_scale.py 1000000 --dedupe-daily

The import streams: its memory grows with the number of rows by a few bytes each
(8 bytes of key hash and 2 of file index per row are kept; the rows are sorted by id
on disk, 64 MiB of them at a time), not with the rows themselves, duplicates
included. Above 1,000,000 rows it writes Parquet parts (``--csv`` or ``--parquet``
forces either). ``--append-again`` then appends the same file to the package
(``bilat import --append``: every row a duplicate of one there, merged into it) and
reports that run's wall time and peak memory, measured alone. ``--dedupe-daily``
imports (and appends) with ``--dedupe daily``: the generated rows hold 420 distinct
days, actors and events, so every row's daily key repeats and all of them go through
the grouping (about 2,400 rows a group at 1M rows). Run by hand; never timed in the
test suite.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = (
    "Event ID\tEvent Date\tSource Name\tSource Sectors\tSource Country\tEvent Text\t"
    "CAMEO Code\tIntensity\tTarget Name\tTarget Sectors\tTarget Country\tStory ID\t"
    "Sentence Number\tPublisher\tCity\tDistrict\tProvince\tCountry\tLatitude\tLongitude\n"
)
COUNTRIES = ["India", "Russian Federation", "China", "United States", "Japan", "Germany",
             "France", "Brazil", "Ukraine", "South Korea"]  # fmt: skip
NAMES = {"Russian Federation": "Russia"}
EVENTS = [("Consult", "040", "1"), ("Make statement", "010", "0"),
          ("Express intent to meet or negotiate", "036", "4"),
          ("Criticize or denounce", "111", "-2"), ("Discuss by telephone", "041", "1")]  # fmt: skip
SECTORS = ["NA", "Government", "Executive,Government", "Military,Government", "Social"]


def generate(path: Path, n: int) -> None:
    """Write *n* ICEWS-shaped rows: ids unique, dates over 2015-2018."""
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        lines = []
        for i in range(n):
            a = COUNTRIES[i % 10]
            b = COUNTRIES[(i * 7 + 3) % 10]
            text, code, intensity = EVENTS[i % 5]
            sec_a = SECTORS[i % 5]
            name_a = NAMES.get(a, a) if sec_a == "NA" else f"Government ({a})"
            date = f"{2015 + i % 4}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            lines.append(
                f"{10_000_000 + i}\t{date}\t{name_a}\t{sec_a}\t{a}\t{text}\t{code}\t"
                f"{intensity}\t{NAMES.get(b, b)}\tNA\t{b}\t{40_000_000 + i // 3}\t{1 + i % 9}\t"
                f"Generated Publisher\tNA\tNA\tNA\t{b}\t{(i % 180) - 89.5}\t{(i % 360) - 179.5}\n"
            )
            if len(lines) == 10_000:
                f.write("".join(lines))
                lines = []
        f.write("".join(lines))


#: Runs the command it is given and prints its peak RSS (KiB) and CPU seconds: the
#: peak of that one process, where RUSAGE_CHILDREN here keeps the largest child so far.
ALONE = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], check=False)\n"
    "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(r.ru_maxrss, r.ru_utime + r.ru_stime)\n"
    "sys.exit(done.returncode)\n"
)


def child(cmd: list[str], alone: bool = False) -> tuple[float, float, int]:
    """Run *cmd*; wall seconds, peak RSS of the child in MiB, exit code. The child's CPU
    seconds go to stderr (on a shared machine wall time says little). The peak is the
    largest of the children run so far, unless *alone*: then that child's own."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = [sys.executable, "-c", ALONE, *cmd] if alone else cmd
    done = subprocess.run(run, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_kib = after.ru_maxrss
    if alone:
        peak, own_cpu = done.stdout.split()[-2:]
        peak_kib, cpu = int(peak), float(own_cpu)
    sys.stderr.write(f"{cmd[3]}: {cpu:.1f} CPU s\n")
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr)
    return wall, peak_kib / 1024, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("--validate", action="store_true", help="validate the result too")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the files")
    parser.add_argument("--engine", default="sql", help="the engine --validate uses")
    layout = parser.add_mutually_exclusive_group()
    layout.add_argument("--csv", action="store_true", help="force one CSV file")
    layout.add_argument("--parquet", action="store_true", help="force Parquet parts")
    parser.add_argument(
        "--append-again",
        action="store_true",
        help="then append the same file again (every row merged) and measure that run alone",
    )
    parser.add_argument(
        "--dedupe-daily", action="store_true", help="import (and append) with --dedupe daily"
    )
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bilat-import-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    src = work / f"icews-shaped-{args.rows}.tab"
    t = time.perf_counter()
    if not (args.keep and src.exists()):  # a kept file of that size is used again
        generate(src, args.rows)
    gen = time.perf_counter() - t
    out = work / f"imported-{args.rows}"
    if out.exists():  # an earlier run's output, in a kept folder
        shutil.rmtree(out)
    force = ["--csv"] if args.csv else ["--parquet"] if args.parquet else []
    if args.dedupe_daily:
        force += ["--dedupe", "daily"]
    wall, peak, code = child(
        [sys.executable, "-m", "bilat", "import", "icews", str(src), "--out", str(out), *force]
    )
    descriptor = json.loads((out / "datapackage.json").read_text("utf-8"))
    (events,) = [r for r in descriptor["resources"] if r["name"] == "coded_events"]
    paths = [events["path"]] if isinstance(events["path"], str) else events["path"]
    result = {
        "rows": args.rows,
        "file_bytes": src.stat().st_size,
        "generate_s": round(gen, 1),
        "import_s": round(wall, 1),
        "import_rows_per_s": round(args.rows / wall),
        "import_peak_mib": round(peak),
        "dedupe": "daily" if args.dedupe_daily else "by id",
        "import_exit": code,
        "written_as": f"{len(paths)} {events['format']} file(s)",
        "written_bytes": sum((out / p).stat().st_size for p in paths),
    }
    if args.append_again:
        awall, apeak, acode = child(
            [sys.executable, "-m", "bilat", "import", "icews", str(src), "--out", str(out),
             "--append", *force],
            alone=True,
        )  # fmt: skip
        result.update(
            {"append_s": round(awall, 1), "append_peak_mib": round(apeak), "append_exit": acode}
        )
    if args.validate:
        # RUSAGE_CHILDREN keeps the largest child so far: validate is measured after
        # import, so its figure is max(import, validate)
        vwall, vpeak, vcode = child(
            [sys.executable, "-m", "bilat", "validate", "--engine", args.engine, str(out)]
        )
        result.update(
            {
                "validate_s": round(vwall, 1),
                "peak_mib_import_or_validate": round(vpeak),
                "validate_exit": vcode,
            }
        )
    print(json.dumps(result))
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
