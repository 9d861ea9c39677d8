"""The pre-commit hook, run for real through ``pre-commit try-repo`` (which installs
this checkout into a hook environment, as a user's ``repo:`` entry would), in
temporary git repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git, new_repo
from mutants import VALID, build

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(ROOT),
            "bilat-validate",
            "--all-files",
            "--verbose",
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_pre_commit_hook_with_no_args(tmp_path: Path, pre_commit_home: Path) -> None:
    broken = new_repo(tmp_path / "broken")
    shutil.copytree(VALID, broken / "data" / "good")
    build("bad", broken / "data", lambda f: (f / "persons.csv").write_text("oops\n"))
    done = try_repo(broken, pre_commit_home)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "data/bad: invalid" in done.stdout and "data/good: valid" in done.stdout

    clean = new_repo(tmp_path / "clean")
    shutil.copytree(VALID, clean / "pkg")
    done = try_repo(clean, pre_commit_home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pkg: valid" in done.stdout

    # a repository with no package at all: the hook never blocks unrelated commits
    empty = new_repo(tmp_path / "empty")
    (empty / "notes.json").write_text("{}\n")
    done = try_repo(empty, pre_commit_home)
    assert done.returncode == 0, done.stdout + done.stderr
