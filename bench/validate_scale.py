"""Benchmark: bilat validate against frictionless validate on a large package.

    python bench/validate_scale.py                 # 1,000,000 engagements
    python bench/validate_scale.py --rows 100000   # a quicker run
    python bench/validate_scale.py --skip-frictionless

Generates a package with N engagements and 5,000 actors, with about 0.1% of the
engagement rows carrying each kind of defect (bad date, unknown vocabulary term,
dangling reference, duplicate id), then runs both validators, each in its own
process, and prints wall time, peak RSS and findings per kind.
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

from bilat.tables import RESOURCE_NAMES, resource_descriptor

KINDS = ("bad-date", "unknown-term", "dangling-reference", "duplicate-id")


def _line(cells: list[str]) -> str:
    out = []
    for c in cells:
        if any(ch in c for ch in ',"\n\r'):
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return ",".join(out) + "\n"


def generate(folder: Path, rows: int, actors: int, rate: float, seed: int) -> dict[str, set[int]]:
    """Write the package; return the CSV line numbers of each injected defect kind."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_defects = max(1, int(rows * rate))
    lines = list(range(2, rows + 2))
    picked = rng.sample(lines, n_defects * len(KINDS))
    injected = {k: set(picked[i * n_defects : (i + 1) * n_defects]) for i, k in enumerate(KINDS)}
    with open(folder / "sources.csv", "w", encoding="utf-8", newline="") as f:
        f.write(
            "id,notes,type,title,publisher,authors,published,accessed,url,seed,seed_sha256,citation,language\n"
        )
        f.write("src,,dataset,Synthetic benchmark data,,,,,https://example.org/bench,,,,en\n")
    n_states = 200
    with open(folder / "states.csv", "w", encoding="utf-8", newline="") as f:
        f.write("id,notes,sources,name,aliases,wikidata,kind,iso3\n")
        for i in range(n_states):
            f.write(f'state-{i},,"[""src""]",State {i},,,state,IND\n')
    n_persons = actors - n_states
    with open(folder / "persons.csv", "w", encoding="utf-8", newline="") as f:
        f.write("id,notes,sources,name,aliases,wikidata,kind,nationality\n")
        for i in range(n_persons):
            f.write(f'person-{i},,"[""src""]",Person {i},,Q{i + 1},person,state-{i % n_states}\n')
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
            f.write(
                _line(
                    [
                        rid,
                        "",
                        '["src"]',
                        etype,
                        "held",
                        f"Engagement {i}",
                        start,
                        "",
                        f'["{a}","{b}"]',
                        b,
                        "",
                        b,
                        "",
                        "",
                        "",
                        "",
                        '["trade"]',
                    ]
                )
            )
    present = frozenset(RESOURCE_NAMES[k] for k in ("source", "state", "person", "engagement"))
    descriptor = {
        "name": "bench",
        "resources": [
            resource_descriptor(k, "csv", present)
            for k in ("source", "state", "person", "engagement")
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    return injected


BILAT = """
import json, resource, sys, time
from collections import Counter
from bilat.validation import validate
t = time.perf_counter()
report = validate(sys.argv[1], max_per_code=None)  # every finding, as frictionless below
elapsed = time.perf_counter() - t
by_kind = Counter()
for f in report.findings:
    by_kind[(f.code, f.field)] += 1
# peak RSS of this process and of the worker process it may fork, the larger of the two
rss = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"seconds": elapsed, "rss_mb": rss / 1024,
                  "findings": len(report.findings), "rows": {f"{c}/{fl}": n for (c, fl), n in by_kind.items()}}))
"""

FRICTIONLESS = """
import json, resource, sys, time
from collections import Counter
import frictionless
t = time.perf_counter()
report = frictionless.validate(sys.argv[1], limit_errors=10**9)
elapsed = time.perf_counter() - t
by_kind = Counter()
total = 0
for task in report.tasks:
    for e in task.errors:
        d = e.to_descriptor()
        field = d.get("fieldName") or (d.get("fieldNames") or [None])[0]
        by_kind[(d["type"], field)] += 1
        total += 1
print(json.dumps({"seconds": elapsed, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "findings": total, "rows": {f"{c}/{fl}": n for (c, fl), n in by_kind.items()}}))
"""


def run(script: str, target: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", script, str(target)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--actors", type=int, default=5_000)
    parser.add_argument("--rate", type=float, default=0.001, help="share of rows per defect kind")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-frictionless", action="store_true")
    parser.add_argument("--keep", type=Path, help="write the package here and keep it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp) / "bench"
        t = time.perf_counter()
        injected = generate(folder, args.rows, args.actors, args.rate, args.seed)
        size = (folder / "engagements.csv").stat().st_size
        print(
            f"generated {args.rows:,} engagements ({size / 1e6:.0f} MB) and {args.actors:,} actors "
            f"in {time.perf_counter() - t:.1f}s; injected per kind: {len(injected['bad-date']):,}"
        )
        results = {"bilat": run(BILAT, folder / "datapackage.json")}
        if not args.skip_frictionless:
            results["frictionless"] = run(FRICTIONLESS, folder / "datapackage.json")
    print()
    print(f"{'validator':<14}{'seconds':>10}{'peak RSS MB':>14}{'findings':>10}")
    for name, r in results.items():
        print(f"{name:<14}{r['seconds']:>10.1f}{r['rss_mb']:>14.0f}{r['findings']:>10,}")
    if "frictionless" in results:
        ratio = results["frictionless"]["seconds"] / results["bilat"]["seconds"]  # type: ignore[operator]
        print(f"\nbilat is {ratio:.1f}x faster than frictionless")
    print("\nfindings per kind (code/field: count)")
    for name, r in results.items():
        for key, n in sorted(r["rows"].items()):  # type: ignore[union-attr]
            print(f"  {name:<13} {key:<40} {n:>8,}")


if __name__ == "__main__":
    main()
