"""A mutation fuzzer over the bundled package: every mutant must end in a report
(exit 0, 1 or 2), render as JSON, carry only catalogue codes, hold no internal error,
and get the same verdict from the CLI as from the API.

    python bench/fuzz.py                      # 3,000 mutants, seed 1
    python bench/fuzz.py --mutants 200 --seed 7 --cli-every 20

Mutations: byte edits (flip, insert, delete, truncate), line edits (drop, duplicate,
swap, insert quotes, commas, blank lines), file replacements (empty, binary, a
folder, a FIFO, a link to a device, a link loop, a link outside), and descriptor
edits (a random key set to a random JSON value, removed, or a dialect or schema
property changed). Every JSON report is also checked against its published shape
(docs/report.schema.json). ``tests/test_fuzz.py`` runs a few hundred of them in CI.
"""

from __future__ import annotations

import argparse
import collections
import functools
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "datasets" / "india-russia"

Mutation = Callable[[Path, random.Random], str]

_VALUES: list[object] = [
    None,
    0,
    -1,
    10**30,
    1.5,
    True,
    "",
    "x",
    "../etc/passwd",
    "/etc/passwd",
    "http://127.0.0.1:9/x",
    "\ud800",
    [],
    [1, "a", None],
    {},
    {"a": {"b": [1]}},
    "nosuch",
    ";",
    '"',
    "utf-16",
]


def _files(pkg: Path) -> list[Path]:
    return sorted(p for p in pkg.rglob("*") if p.is_file() and not p.is_symlink())


def _data_files(pkg: Path) -> list[Path]:
    return [p for p in _files(pkg) if p.suffix in (".csv", ".json") or p.name.endswith(".gz")]


def byte_edit(pkg: Path, rng: random.Random) -> str:
    path = rng.choice(_data_files(pkg))
    data = bytearray(path.read_bytes())
    if not data:
        return "byte:empty"
    how = rng.choice(["flip", "insert", "delete", "truncate", "nul", "high"])
    at = rng.randrange(len(data))
    if how == "flip":
        data[at] ^= 1 << rng.randrange(8)
    elif how == "insert":
        data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    elif how == "delete":
        del data[at : at + rng.randint(1, 16)]
    elif how == "truncate":
        del data[at:]
    elif how == "nul":
        data[at:at] = b"\x00"
    else:
        data[at:at] = rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf"])
    path.write_bytes(bytes(data))
    return f"byte:{how}"


def line_edit(pkg: Path, rng: random.Random) -> str:
    path = rng.choice([p for p in _data_files(pkg) if p.suffix == ".csv"])
    lines = path.read_bytes().split(b"\n")
    how = rng.choice(["drop", "duplicate", "swap", "quote", "comma", "blank", "header", "long"])
    i = rng.randrange(len(lines))
    j = rng.randrange(len(lines))
    if how == "drop":
        del lines[i]
    elif how == "duplicate":
        lines.insert(i, lines[i])
    elif how == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif how == "quote":
        lines[i] = lines[i] + b'"'
    elif how == "comma":
        lines[i] = lines[i].replace(b",", b",,", 1)
    elif how == "blank":
        lines.insert(i, b"")
    elif how == "header":
        cells = lines[0].split(b",")
        rng.shuffle(cells)
        lines[0] = b",".join(cells[: rng.randint(0, len(cells) + 1)])
    else:
        lines[i] = lines[i] + b"x" * rng.choice([10, 1000, 100_000])
    path.write_bytes(b"\n".join(lines))
    return f"line:{how}"


def replace_file(pkg: Path, rng: random.Random) -> str:
    path = rng.choice([*_data_files(pkg), pkg / "datapackage.json"])
    how = rng.choice(["empty", "binary", "folder", "fifo", "device", "loop", "outside", "missing"])
    path.unlink()
    if how == "empty":
        path.write_bytes(b"")
    elif how == "binary":
        path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randint(1, 512))))
    elif how == "folder":
        path.mkdir()
    elif how == "fifo":
        os.mkfifo(path)
    elif how == "device":
        path.symlink_to("/dev/zero")
    elif how == "loop":
        path.symlink_to(path)
    elif how == "outside":
        path.symlink_to("/etc/hostname")
    return f"file:{how}"


def descriptor_edit(pkg: Path, rng: random.Random) -> str:
    path = pkg / "datapackage.json"
    if path.is_symlink() or not path.is_file():
        return "skipped"  # an earlier mutation replaced it (never read a FIFO or /dev/zero)
    data = json.loads(path.read_text(encoding="utf-8"))
    resources = data["resources"]
    res = rng.choice(resources)
    how = rng.choice(["package-key", "resource-key", "drop-key", "dialect", "field", "fields"])
    value = json.loads(json.dumps(rng.choice(_VALUES)))
    if how == "package-key":
        data[rng.choice(["name", "profile", "$schema", "resources", "version", "created"])] = value
    elif how == "resource-key":
        key = rng.choice(
            [
                "name",
                "path",
                "format",
                "encoding",
                "schema",
                "dialect",
                "bytes",
                "hash",
                "compression",
            ]
        )
        res[key] = value
    elif how == "drop-key":
        keys = [k for k in res if k != "name"]
        if keys:
            del res[rng.choice(keys)]
    elif how == "dialect" and isinstance(res.get("dialect"), dict):
        key = rng.choice(
            [
                "delimiter",
                "quoteChar",
                "escapeChar",
                "doubleQuote",
                "skipInitialSpace",
                "header",
                "headerRows",
                "commentChar",
                "nullSequence",
                "csv",
            ]
        )
        res["dialect"][key] = value
    elif how == "field" and isinstance(res.get("schema"), dict):
        field = rng.choice(res["schema"]["fields"])
        field[rng.choice(["type", "name", "constraints", "format"])] = value
    elif how == "fields" and isinstance(res.get("schema"), dict):
        res["schema"]["fields"] = value
    text = json.dumps(data, indent=1, ensure_ascii=False)
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    return f"descriptor:{how}"


MUTATIONS: list[Mutation] = [byte_edit, line_edit, replace_file, descriptor_edit]


def mutant(folder: Path, rng: random.Random) -> str:
    """Copy the base package to *folder* and apply one to three mutations."""
    shutil.copytree(BASE, folder, symlinks=True)
    kinds = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        try:
            kinds.append(rng.choice(MUTATIONS)(folder, rng))
        except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
            kinds.append(
                "skipped"
            )  # the mutation itself did not apply (an earlier one removed a file)
    return "+".join(kinds)


@functools.cache
def _report_schema() -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def _shape_problems(doc: Any) -> list[str]:
    """Ways *doc* differs from the published shape of a JSON report."""
    return [f"JSON report shape: {e.message}" for e in _report_schema().iter_errors(doc)][:3]


def check_api(folder: Path) -> tuple[bool, list[str]]:
    """Validate in-process; return the verdict and what is wrong with the run."""
    from bilat.findings import CATALOGUE
    from bilat.render import write_json
    from bilat.validation import validate

    problems = []
    try:
        report = validate(folder)
    except BaseException as exc:  # the law: never raises
        return False, [f"raised {type(exc).__name__}: {exc}"]
    for f in report.findings:
        if f.code not in CATALOGUE:
            problems.append(f"unknown code {f.code}")
        if f.code == "internal-error":
            problems.append(f"internal error: {f.message}")
    buffer = io.StringIO()
    try:
        write_json([report], buffer)
        problems += _shape_problems(json.loads(buffer.getvalue()))
    except (ValueError, UnicodeError) as exc:
        problems.append(f"JSON output broken: {exc}")
    return report.valid, problems


def check_cli(folder: Path) -> tuple[int, bool | None, list[str]]:
    """Run the real CLI; return its exit code, its verdict, and what is wrong."""
    done = subprocess.run(
        [sys.executable, "-m", "bilat", "validate", "-f", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    problems = []
    if done.returncode not in (0, 1, 2):
        problems.append(f"exit {done.returncode}")
    if "Traceback" in done.stderr or "Traceback" in done.stdout:
        problems.append("traceback: " + done.stderr[-300:])
    try:
        doc = json.loads(done.stdout)
        verdict = bool(doc["valid"])
        problems += _shape_problems(doc)
    except (ValueError, KeyError):
        problems.append("output is not the JSON report")
        verdict = None
    return done.returncode, verdict, problems


def run(mutants: int, seed: int, cli_every: int, out: Callable[[str], None]) -> dict[str, object]:
    rng = random.Random(seed)
    kinds: collections.Counter[str] = collections.Counter()
    failures: collections.Counter[str] = collections.Counter()
    examples: dict[str, str] = {}
    valid = cli_runs = 0
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bilat-fuzz-") as tmp:
        for i in range(mutants):
            folder = Path(tmp) / f"m{i}"
            kind = mutant(folder, rng)
            for part in kind.split("+"):
                kinds[part] += 1
            api_valid, problems = check_api(folder)
            valid += api_valid
            if cli_every and i % cli_every == 0:
                cli_runs += 1
                code, cli_valid, cli_problems = check_cli(folder)
                problems += cli_problems
                if cli_valid is not None and cli_valid != api_valid:
                    problems.append(f"CLI says valid={cli_valid}, API valid={api_valid}")
                if code == 0 and not api_valid:
                    problems.append("exit 0 for an invalid package")
            for p in problems:
                key = p.split(":")[0]
                failures[key] += 1
                examples.setdefault(key, f"{kind}: {p}")
            shutil.rmtree(folder, ignore_errors=True)
    result = {
        "mutants": mutants,
        "seed": seed,
        "valid": valid,
        "invalid": mutants - valid,
        "cli_runs": cli_runs,
        "failures": dict(failures),
        "examples": examples,
        "mutations": dict(sorted(kinds.items())),
        "seconds": round(time.monotonic() - start, 1),
    }
    out(json.dumps(result, indent=2))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutants", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cli-every", type=int, default=50, help="run the CLI on every Nth mutant")
    args = parser.parse_args()
    result = run(args.mutants, args.seed, args.cli_every, print)
    sys.exit(1 if result["failures"] else 0)


if __name__ == "__main__":
    main()
