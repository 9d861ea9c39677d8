"""Finding the data packages under a folder, for ``bilat validate`` with no target.

Every ``datapackage.json`` under the folder counts, except in hidden folders (``.git``
among them), virtual environments and dependency folders, paths git ignores, and
paths matching an exclude pattern (``--exclude``, or ``exclude`` under ``[tool.bilat]``
in the nearest pyproject.toml). Bundled datasets are never found this way.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
from pathlib import Path

#: Folder names never searched (besides hidden ones and virtual environments).
SKIPPED = frozenset({"node_modules", "__pycache__", "site-packages", "venv"})
#: Most folders visited before giving up (a safety net for huge trees).
MAX_FOLDERS = 200_000


class DiscoveryError(Exception):
    """The configuration cannot be read."""


def pyproject_excludes(start: Path) -> list[str]:
    """``[tool.bilat] exclude`` from the nearest pyproject.toml at or above *start*."""
    for folder in (start, *start.parents):
        path = folder / "pyproject.toml"
        if path.is_file():
            if sys.version_info >= (3, 11):
                import tomllib
            else:  # pragma: no cover - Python 3.10
                import tomli as tomllib
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise DiscoveryError(f"{path}: cannot read it ({exc})") from None
            value = data.get("tool", {}).get("bilat", {}).get("exclude", [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise DiscoveryError(f"{path}: [tool.bilat] exclude must be a list of strings")
            return value
    return []


def _excluded(rel: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern + "/*"):
            return True
        if "/" not in pattern and any(fnmatch.fnmatch(p, pattern) for p in rel.split("/")):
            return True
    return False


def _git_ignored(root: Path, paths: list[str]) -> set[str]:
    """Which of *paths* (relative to *root*) git ignores; none when git is not there."""
    if not paths:
        return set()
    try:
        done = subprocess.run(
            ["git", "check-ignore", "--stdin", "-z"],
            cwd=root,
            input="\0".join(paths) + "\0",
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    if done.returncode not in (0, 1):
        return set()  # not a git work tree
    return {p for p in done.stdout.split("\0") if p}


def discover(root: Path, exclude: list[str] | None = None) -> list[Path]:
    """The folders under *root* that hold a datapackage.json, sorted."""
    root = root.resolve()
    patterns = [*(exclude or []), *pyproject_excludes(root)]
    found: list[str] = []
    stack = [root]
    visited = 0
    while stack and visited < MAX_FOLDERS:
        folder = stack.pop()
        visited += 1
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            rel = Path(entry.path).relative_to(root).as_posix()
            if entry.name == "datapackage.json" and entry.is_file():
                if not _excluded(rel, patterns) and not _excluded(
                    Path(rel).parent.as_posix(), patterns
                ):
                    found.append(rel)
                continue
            if not entry.is_dir(follow_symlinks=False):
                continue
            if entry.name.startswith(".") or entry.name in SKIPPED:
                continue
            if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                continue
            if _excluded(rel, patterns):
                continue
            stack.append(Path(entry.path))
    ignored = _git_ignored(root, found)
    return sorted(root / Path(rel).parent for rel in found if rel not in ignored)
