"""Opening what validation reads: a package folder, a datapackage.json or a .zip.

Names (bundled datasets, releases in the cache or a catalog) are looked up above
validation, in :mod:`bilat.lookup`, which opens what it finds with :func:`open_path`.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bilat.archives import ArchiveError, extract_zip
from bilat.files import kind_of
from bilat.findings import printable

#: YAML descriptors, found where datapackage.json is missing so that the report can
#: name them (bilat reads JSON descriptors only; see docs/frictionless.md).
YAML_DESCRIPTORS = ("datapackage.yaml", "datapackage.yml")


def descriptor_in(folder: Path) -> Path:
    """The descriptor of the package in *folder*: datapackage.json, or when there is
    none a YAML descriptor (which layer 1 refuses by name)."""
    path = folder / "datapackage.json"
    if not os.path.lexists(path):
        for name in YAML_DESCRIPTORS:
            if os.path.lexists(folder / name):
                return folder / name
    return path


class TargetError(Exception):
    """The target cannot be opened at all (exit code 2 in the CLI)."""


class TargetMissing(TargetError):
    """No file or folder has the target's name (:mod:`bilat.lookup` then tries it as a
    dataset or release name)."""


@dataclass
class Target:
    """A package ready to read: its root folder and descriptor path."""

    label: str
    root: Path
    descriptor: Path
    _tmp: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Target:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_path(target: str | Path) -> Target:
    """Open the package folder, datapackage.json or .zip *target*, extracting a .zip to
    a temporary folder.

    Only folders and regular files are opened: a FIFO, device or socket, a symbolic
    link loop or a link to one is a :class:`TargetError`, never a read that blocks.
    A name that is no file or folder is a :class:`TargetMissing`.
    """
    label = printable(str(target))
    path = Path(target)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise TargetError(f"{label}: cannot be opened: {exc.strerror or exc}") from None
    except ValueError as exc:  # a NUL in the name
        raise TargetError(f"{label}: not a usable path ({exc})") from None
    if mode is None:
        if os.path.lexists(path):
            raise TargetError(f"{label}: a symbolic link to nothing, or a link loop")
        raise TargetMissing(f"{label}: no such file or folder")
    if stat.S_ISDIR(mode):
        return Target(label, path, descriptor_in(path))
    if not stat.S_ISREG(mode):
        raise TargetError(
            f"{label}: it is {kind_of(mode)}; give a package folder, a datapackage.json or a .zip"
        )
    if path.suffix.lower() == ".zip":
        return _extract(label, path)
    if path.suffix.lower() in (".json", ".yaml", ".yml"):
        return Target(label, path.parent, path)
    raise TargetError(f"{label}: not a package folder, a datapackage.json or a .zip")


def _extract(label: str, path: Path) -> Target:
    tmp = tempfile.TemporaryDirectory(prefix="bilat-zip-")
    try:
        extract_zip(path, Path(tmp.name))
    except ArchiveError as exc:
        tmp.cleanup()
        raise TargetError(f"{label}: {exc}") from None
    root = Path(tmp.name)
    if not (root / "datapackage.json").is_file():
        subdirs = [p for p in root.iterdir() if p.is_dir()]
        if len(subdirs) == 1 and (subdirs[0] / "datapackage.json").is_file():
            root = subdirs[0]
    return Target(label, root, descriptor_in(root), tmp)
