"""The GitHub Action, run for real: its steps run in bash with the inputs GitHub would
give them, in a fresh virtual environment where its install step installs this checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import borrowing_venv, new_repo
from mutants import VALID, build

ROOT = Path(__file__).resolve().parent.parent


def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text())
    assert data["runs"]["using"] == "composite"
    for step in data["runs"]["steps"]:
        assert step["shell"] == "bash" and "${{" not in step["run"]  # inputs only via env
    return data


def run_step(
    step: dict[str, Any], env: dict[str, str], workspace: Path, inputs: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run one step's script in bash, with the environment GitHub would give it."""
    declared = action()["inputs"]
    values = {name: inputs.get(name, spec.get("default", "")) for name, spec in declared.items()}
    step_env = {**os.environ, **env, "GITHUB_WORKSPACE": str(workspace)}
    step_env["GITHUB_STEP_SUMMARY"] = str(workspace.parent / f"{workspace.name}-summary.md")
    for key, value in (step.get("env") or {}).items():
        for name, given in values.items():
            value = value.replace("${{ inputs." + name + " }}", given)
        step_env[key] = value
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=workspace,
        env=step_env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def action_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh virtual environment first on PATH, where the Action's install step has
    installed this checkout (bilat's dependencies are borrowed from the test
    environment, bilat itself comes only from that step)."""
    folder = tmp_path_factory.mktemp("action") / "venv"
    borrowing_venv(folder)
    env = {
        "PATH": f"{folder / 'bin'}:{os.environ.get('PATH', '')}",
        "HOME": str(folder.parent),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        # the test environment's editable bilat is visible through _deps.pth: install
        # this checkout over it, and nothing else (the dependencies are there already)
        "PIP_FORCE_REINSTALL": "1",
        "PIP_NO_DEPS": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip reads this as --no-build-isolation
        "GITHUB_ACTION_PATH": str(ROOT),
    }
    install, _validate = action()["runs"]["steps"]
    done = run_step(install, env, folder.parent, {})
    assert done.returncode == 0, done.stderr
    where = subprocess.run(
        [str(folder / "bin" / "python"), "-c", "import bilat; print(bilat.__file__)"],
        cwd=folder.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(folder) in where  # the installed copy, not the checkout
    return env


def run_action(env: dict[str, str], workspace: Path, inputs: dict[str, str]) -> tuple[int, str]:
    _install, validate_step = action()["runs"]["steps"]
    done = run_step(validate_step, env, workspace, inputs)
    return done.returncode, done.stdout


def test_action_annotates_a_broken_package_and_passes_a_clean_one(
    tmp_path: Path, action_env: dict[str, str]
) -> None:
    workspace = new_repo(tmp_path / "ws")
    shutil.copytree(VALID, workspace / "good")
    build("bad", workspace, lambda f: (f / "persons.csv").write_text("oops\n"))
    code, out = run_action(action_env, workspace, {})
    assert code == 1
    assert out.startswith("::error file=bad/persons.csv,line=1,")
    assert "file=good/" not in out

    code, out = run_action(action_env, workspace, {"targets": "good"})
    assert code == 0 and out == ""

    # warnings fail only with strict
    shutil.copytree(VALID, workspace / "bom")
    data = (workspace / "bom" / "persons.csv").read_bytes()
    (workspace / "bom" / "persons.csv").write_bytes(b"\xef\xbb\xbf" + data)
    code, out = run_action(action_env, workspace, {"targets": "bom good"})
    assert code == 0 and out.startswith("::warning file=bom/persons.csv")
    code, _ = run_action(action_env, workspace, {"targets": "bom", "strict": "true"})
    assert code == 1
    code, out = run_action(action_env, workspace, {"args": "--exclude bad --exclude bom"})
    assert code == 0
