from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator

sys.path.insert(0, str(Path(__file__).parent))

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("default")

ROOT = Path(__file__).resolve().parent.parent


@cache
def schema_validator(kind: str) -> Draft202012Validator:
    """A validator for the committed schema of *kind*, with format checking on."""
    from bilat.schemas import load_schema

    schema = load_schema(kind)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def report_validator() -> Draft202012Validator:
    """The published schema of ``bilat validate -f json`` output (docs/report.schema.json)."""
    schema = json.loads((ROOT / "docs" / "report.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def check_report(text: str) -> dict:  # type: ignore[type-arg]
    """Parse a ``-f json`` report and check it against its published schema."""
    doc = json.loads(text)
    report_validator().validate(doc)
    return doc  # type: ignore[no-any-return]


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def defects_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding ``defects/NAME`` packages, built on first use."""
    return tmp_path_factory.mktemp("built")


@pytest.fixture
def defect(defects_root: Path):  # type: ignore[no-untyped-def]
    """``defect(name)``: the valid base package with defect *name*, built once per session."""
    from mutants import build

    def get(name: str) -> Path:
        root = defects_root / "defects"
        root.mkdir(exist_ok=True)
        folder = root / name
        return folder if folder.exists() else build(name, root)

    return get
