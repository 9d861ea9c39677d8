"""The mutation fuzzer (bench/fuzz.py) in CI: a few hundred mutants of the bundled
package under a fixed seed, every one ending in a report with the same verdict from
the CLI and the API, no traceback, no internal error, JSON that parses."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import fuzz


def test_mutants_of_the_bundled_package() -> None:
    lines: list[str] = []
    result = fuzz.run(mutants=250, seed=20261126, cli_every=25, out=lines.append)
    assert result["failures"] == {}, result["examples"]
    assert result["cli_runs"] == 10
    kinds = {k.split(":")[0] for k in result["mutations"]}  # type: ignore[union-attr]
    assert {"byte", "line", "file", "descriptor"} <= kinds
    assert 0 < result["valid"] < result["mutants"]  # type: ignore[operator]
