"""No fixed costs: what a run does not need is not imported, and Frictionless's
verdict on a descriptor is remembered in the cache (keyed by the descriptor and the
versions), so a second run of the same package neither imports nor runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from mutants import VALID, build

PROBE = """
import json, sys
from bilat.validation import validate
report = validate(sys.argv[1])
print(json.dumps({"valid": report.valid, "codes": sorted({f.code for f in report.findings}),
                  "frictionless": "frictionless" in sys.modules,
                  "pyarrow": "pyarrow" in sys.modules}))
"""


def _probe(target: Path, cache: Path) -> dict[str, object]:
    env = {"BILAT_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(target)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def test_help_imports_no_models_and_no_validation() -> None:
    code = "import sys, bilat.cli; print(sorted(m for m in sys.modules if m.startswith(('bilat.models', 'bilat.validation', 'pydantic', 'frictionless', 'pyarrow'))))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


LIGHT = """
import json, sys
from bilat.cli import app
try:
    app(sys.argv[1:], prog_name="bilat")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = ("bilat.models", "bilat.validation", "bilat.schemas", "bilat.tables")
print(json.dumps({"code": code, "heavy": sorted(m for m in sys.modules if m.startswith(heavy))}))
"""


@pytest.mark.parametrize(
    "args",
    [["--help"], ["list"], ["cache", "--help"], ["cache", "list"], ["cache", "verify"]],
    ids=" ".join,
)
def test_listing_and_the_cache_import_no_models(args: list[str], tmp_path: Path) -> None:
    """bilat list and bilat cache read catalogs and the cache: no model is imported."""
    env = {"BILAT_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)  # this checkout's bilat
    done = subprocess.run(
        [sys.executable, "-c", LIGHT, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out == {"code": 0, "heavy": []}, done.stderr


def test_the_descriptor_verdict_is_remembered(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _probe(VALID, cache)
    assert first == {"valid": True, "codes": [], "frictionless": True, "pyarrow": False}
    second = _probe(VALID, cache)
    assert second == {"valid": True, "codes": [], "frictionless": False, "pyarrow": False}
    # a different descriptor is a different key: Frictionless runs, and says no
    bad = build("bad-profile", tmp_path, lambda f: _edit(f, {"licenses": "CC-BY-4.0"}))
    third = _probe(bad, cache)
    assert third["frictionless"] is True and "descriptor-invalid" in third["codes"]
    again = _probe(bad, cache)
    assert again["frictionless"] is False and again["codes"] == third["codes"]


def test_a_broken_cache_entry_is_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _probe(VALID, cache)
    (entry,) = (cache / ".verdicts").iterdir()
    entry.write_text('[["package-error"]]')  # not what bilat writes: not trusted
    assert _probe(VALID, cache)["frictionless"] is True
    assert json.loads(entry.read_text()) == []  # and written again


def _edit(folder: Path, changes: dict[str, object]) -> None:
    path = folder / "datapackage.json"
    desc = json.loads(path.read_text())
    desc.update(changes)
    path.write_text(json.dumps(desc))
