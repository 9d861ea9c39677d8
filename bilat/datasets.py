"""The curated datasets bundled with bilat, found inside the wheel or the source tree."""

from __future__ import annotations

from pathlib import Path


def datasets_dir() -> Path:
    """The folder holding the bundled datasets.

    In an installed wheel it is ``bilat/_datasets``; in a source checkout, the
    repository's ``datasets/`` folder.
    """
    here = Path(__file__).resolve().parent
    shipped = here / "_datasets"
    return shipped if shipped.is_dir() else here.parent / "datasets"


def bundled() -> dict[str, Path]:
    """Name and folder of every bundled dataset (a folder with a datapackage.json)."""
    root = datasets_dir()
    if not root.is_dir():
        return {}
    return {
        p.name: p
        for p in sorted(root.iterdir())
        if p.is_dir() and (p / "datapackage.json").is_file()
    }
