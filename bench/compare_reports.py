"""Hold two checkouts of bilat to the same reports: a refactor changes no finding.

    python bench/compare_reports.py BEFORE AFTER [--fuzz 500] [--rows 100000]

BEFORE and AFTER are two source trees of bilat (a ``git worktree`` of the commit before
a change, and the tree after it). The corpus is built once, with BEFORE's own
generators: every package of ``tests/mutants.py`` (one defect each), ``--fuzz``
mutants of the bundled package from ``bench/fuzz.py`` (seeded), and the benchmark
package of ``bench/validate_scale.py`` at ``--rows`` engagements. Each tree then
validates every package under both engines, in its own process, through the CLI
(``bilat validate -f json --all-findings --engine E``), and the JSON reports and exit
codes are compared byte for byte. Fields named in ``--ignore-field`` (a finding's
``rule``, which a refactor may add) are dropped from AFTER's findings first.

Prints the counts of identical and differing reports per part of the corpus and the
first differences; exits 1 if any report differs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BUILD = r"""
import random, sys
from pathlib import Path
root = Path(sys.argv[1]); fuzz_count = int(sys.argv[2]); rows = int(sys.argv[3])
import mutants, fuzz, validate_scale
(root / "mutants").mkdir(parents=True)
for name in sorted(mutants.DEFECTS):
    mutants.build(name, root / "mutants")
rng = random.Random(20261206)
(root / "fuzz").mkdir()
for i in range(fuzz_count):
    fuzz.mutant(root / "fuzz" / f"m{i:04d}", rng)
if rows:
    (root / "scale").mkdir()
    validate_scale.generate(root / "scale" / f"rows-{rows}", rows, 5_000, 0.001, 1)
"""

VALIDATE = r"""
import json, sys
from pathlib import Path
from typer.testing import CliRunner
from bilat.cli import app
root, out, engine = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
runner = CliRunner()
for part in sorted(p for p in root.iterdir() if p.is_dir()):
    for pkg in sorted(p for p in part.iterdir()):
        args = ["validate", "-f", "json", "--all-findings", "--engine", engine, str(pkg)]
        result = runner.invoke(app, args)
        target = out / engine / part.name / (pkg.name + ".json")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps({"exit": result.exit_code, "stdout": result.stdout}))
"""


def _run(tree: Path, script: str, *args: str) -> None:
    paths = [str(tree), str(tree / "tests"), str(tree / "bench")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "NO_COLOR": "1"}
    env["BILAT_CACHE_DIR"] = tempfile.mkdtemp(prefix="bilat-compare-cache-")
    subprocess.run([sys.executable, "-c", script, *args], env=env, check=True, cwd=tree)


def _drop(doc: object, fields: set[str]) -> object:
    """*doc* with *fields* removed from every finding (a dict holding a ``code``)."""
    if isinstance(doc, dict):
        keep = {k: _drop(v, fields) for k, v in doc.items()}
        if "code" in doc and "severity" in doc:
            for name in fields:
                keep.pop(name, None)
        return keep
    if isinstance(doc, list):
        return [_drop(v, fields) for v in doc]
    return doc


def _normal(raw: str, fields: set[str]) -> str:
    saved = json.loads(raw)
    try:
        report = json.loads(saved["stdout"])
    except ValueError:
        return raw  # not JSON: compared as it is
    return json.dumps({"exit": saved["exit"], "report": _drop(report, fields)}, sort_keys=True)


def compare(before: Path, after: Path, fields: set[str]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    shown = 0
    for old in sorted(before.rglob("*.json")):
        rel = old.relative_to(before)
        part = "/".join(rel.parts[:2])  # engine/part
        new = after / rel
        tally = counts.setdefault(part, {"identical": 0, "differ": 0})
        a = _normal(old.read_text(), set())
        b = _normal(new.read_text(), fields) if new.exists() else "<missing>"
        if a == b:
            tally["identical"] += 1
            continue
        tally["differ"] += 1
        if shown < 5:
            shown += 1
            print(f"DIFFERS {rel}\n  before: {a[:400]}\n  after:  {b[:400]}")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--fuzz", type=int, default=500, help="fuzz mutants (seeded)")
    parser.add_argument(
        "--rows", type=int, default=100_000, help="benchmark package size (0: none)"
    )
    parser.add_argument("--ignore-field", action="append", default=["rule"])
    parser.add_argument("--work", type=Path, help="folder for the corpus and the reports")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bilat-compare-"))
    corpus = work / "corpus"
    if not corpus.exists():
        _run(args.before.resolve(), BUILD, str(corpus), str(args.fuzz), str(args.rows))
    for label, tree in (("before", args.before), ("after", args.after)):
        for engine in ("rows", "columnar"):
            _run(tree.resolve(), VALIDATE, str(corpus), str(work / label), engine)
    counts = compare(work / "before", work / "after", set(args.ignore_field))
    total = {"identical": 0, "differ": 0}
    for part, tally in sorted(counts.items()):
        print(f"{part:30} identical {tally['identical']:5}  differ {tally['differ']:3}")
        for key in total:
            total[key] += tally[key]
    print(f"{'all':30} identical {total['identical']:5}  differ {total['differ']:3}")
    sys.exit(1 if total["differ"] else 0)


if __name__ == "__main__":
    main()
