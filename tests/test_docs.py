"""The examples in README.md and in the modules' docstrings run, and print what they say."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import bilat.export
import bilat.models.dates
import bilat.names
import bilat.package
import bilat.query
import bilat.tables
import bilat.vocab

ROOT = Path(__file__).resolve().parent.parent
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_readme_examples_run() -> None:
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False, optionflags=FLAGS)
    assert result.attempted >= 10 and result.failed == 0


@pytest.mark.parametrize(
    "module",
    [
        bilat.query,
        bilat.models.dates,
        bilat.package,
        bilat.tables,
        bilat.names,
        bilat.vocab,
        bilat.export,
    ],
    ids=lambda m: m.__name__,
)
def test_module_examples_run(module: object) -> None:
    result = doctest.testmod(module, optionflags=FLAGS)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0


def test_the_readme_and_ci_run_the_tests_with_one_script() -> None:
    """README.md's test command is scripts/test, and .ci/run calls that same script."""
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line for line in first_block.splitlines() if line and not line.startswith("#")]
    assert commands[-1] == "scripts/test"
    ci = (root / ".ci" / "run").read_text(encoding="utf-8")
    assert "\nscripts/test\n" in ci and "python -m pytest -q\n" not in ci.split("scripts/test")[0]
    script = root / "scripts" / "test"
    assert script.stat().st_mode & 0o111, "scripts/test must be executable"
    text = script.read_text(encoding="utf-8")
    assert "python -m pytest -q" in text and '"$status" -eq 5' in text
