"""The pre-commit hook, run for real by ``pre-commit run`` in temporary git repositories
whose ``.pre-commit-config.yaml`` names this checkout as the hook repository, as a
user's ``repo:`` entry would.

``pre-commit try-repo`` would do the same with a throwaway store, installing the hook
environment (bilat and its dependencies) anew for every call; a snapshot of this
checkout committed once, at one revision, lets pre-commit install the environment
once and reuse it for every repository of the module.
"""

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


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout as it is on disk (uncommitted changes included, what git ignores
    left out), committed into a repository of its own; its path and revision."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    repo = new_repo(tmp_path_factory.mktemp("hook") / "bilat")
    for raw in filter(None, listed):
        name = os.fsdecode(raw)
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet committed is listed too
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "snapshot")
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()
    return repo, rev


def run_hook(repo: Path, home: Path, hook: tuple[Path, str]) -> subprocess.CompletedProcess[str]:
    source, rev = hook
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source}\n    rev: {rev}\n    hooks:\n      - id: bilat-validate\n",
        encoding="utf-8",
    )
    git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "bilat-validate", "--all-files", "--verbose"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_pre_commit_hook_with_no_args(
    tmp_path: Path, pre_commit_home: Path, hook_repo: tuple[Path, str]
) -> None:
    broken = new_repo(tmp_path / "broken")
    shutil.copytree(VALID, broken / "data" / "good")
    build("bad", broken / "data", lambda f: (f / "persons.csv").write_text("oops\n"))
    done = run_hook(broken, pre_commit_home, hook_repo)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "data/bad: invalid" in done.stdout and "data/good: valid" in done.stdout

    clean = new_repo(tmp_path / "clean")
    shutil.copytree(VALID, clean / "pkg")
    done = run_hook(clean, pre_commit_home, hook_repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pkg: valid" in done.stdout

    # a repository with no package at all: the hook never blocks unrelated commits
    empty = new_repo(tmp_path / "empty")
    (empty / "notes.json").write_text("{}\n")
    done = run_hook(empty, pre_commit_home, hook_repo)
    assert done.returncode == 0, done.stdout + done.stderr

    # one hook environment served all three runs
    envs = [p for p in pre_commit_home.iterdir() if p.is_dir() and p.name.startswith("repo")]
    assert len(envs) == 1, envs
