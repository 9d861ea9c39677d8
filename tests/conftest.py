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


def git(folder: Path, *args: str) -> None:
    """Run git in *folder* (with an identity, for commits)."""
    import subprocess

    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


def new_repo(path: Path) -> Path:
    """A new, empty git repository at *path*."""
    path.mkdir(parents=True)
    git(path, "init", "-q")
    return path


def borrowing_venv(folder: Path) -> Path:
    """A fresh virtual environment at *folder* whose site-packages borrows the test
    environment's packages through a .pth file (so bilat's dependencies need no
    download); bilat itself must be installed into it. Returns its python."""
    import site
    import subprocess
    import sysconfig
    import venv

    venv.create(folder, with_pip=True)
    py = folder / "bin" / "python"
    purelib = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    deps = [
        p for p in {sysconfig.get_paths()["purelib"], *site.getsitepackages()} if Path(p).is_dir()
    ]
    (Path(purelib) / "_deps.pth").write_text("\n".join(deps) + "\n")
    return py


#: The test files that take longest, longest first: their CPU time (with the processes
#: they start: Spark's JVM, subprocesses), measured one file at a time with ``-n 0`` on
#: a clean clone (no ``.pytest_cache``). pytest-xdist (``--dist loadfile
#: --no-loadscope-reorder``, pyproject.toml) hands whole files to its workers in
#: collection order: the long ones start first, and the many short ones even out the
#: end, so that no worker is left running one long file while the other has finished.
#: (Its default order, most tests first, ran the one-test files such as the fuzz test
#: last; test_spark.py, not listed, ran last and alone for a minute.)
LONGEST_FIRST = (
    "test_spark.py",  # 60 s of CPU, most in its JVM, over 65 s of wall time
    "test_columnar.py",  # 57 s
    "test_writes.py",  # 47 s, most of it in subprocesses
    "test_parts.py",  # 24 s, 6 of them a process that reads a Parquet bomb
    "test_schema_laws.py",  # 23 s
    "test_frictionless_law.py",  # 20 s, 8 s with Frictionless's verdicts cached
    "test_precommit_hook.py",  # 12 s, and half a minute installing the hook
    "test_fuzz.py",  # 17 s
    "test_hostile.py",  # 16 s
    "test_releases.py",  # 28 s, most of it sleeps (dripping servers, deadlines, kills)
    "test_fmt.py",  # 15 s
    "test_package.py",  # 14 s
    "test_frictionless_cells.py",  # 12 s
    "test_engines.py",  # 11 s
    "test_export_guards.py",  # 10 s, a Ctrl-C amid 390,000 votes
    "test_build_members.py",  # 9 s
    "test_card.py",  # 8 s
    "test_bulk_load.py",  # 8 s
    "test_frictionless_parity.py",
    "test_frictionless_gaps.py",
    "test_wheel.py",
    "test_export.py",
    "test_github_action.py",
    "test_architecture.py",
    "test_startup.py",
    "test_foreign_packages.py",
    "test_link.py",
    "test_no_masking.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the files as :data:`LONGEST_FIRST` says, then the others by their number of
    tests, most first; the tests of a file keep their order."""
    from collections import Counter

    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    count = Counter(item.nodeid.split("::")[0] for item in items)

    def key(item: pytest.Item) -> tuple[int, int, str]:
        file = item.nodeid.split("::")[0]
        return rank.get(Path(file).name, len(rank)), -count[file], file

    items.sort(key=key)
