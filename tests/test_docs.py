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
