"""Resolving what the user asked to validate: a folder, a datapackage.json, a .zip, a name."""

from __future__ import annotations

import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from bilat.datasets import bundled

#: Cap on the total uncompressed size of a zipped package.
MAX_ZIP_BYTES = 1 << 30
#: Cap on the number of members of a zipped package.
MAX_ZIP_MEMBERS = 10_000


class TargetError(Exception):
    """The target cannot be opened at all (exit code 2 in the CLI)."""


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


def resolve(target: str | Path) -> Target:
    """Find the package *target* names, extracting a .zip to a temporary folder."""
    label = str(target)
    path = Path(target)
    if not path.exists():
        datasets = bundled()
        if isinstance(target, str) and target in datasets:
            root = datasets[target]
            return Target(label, root, root / "datapackage.json")
        known = ", ".join(datasets) or "none"
        raise TargetError(
            f"{label}: no such file or folder, and no bundled dataset of that name "
            f"(bundled: {known})"
        )
    if path.is_dir():
        return Target(label, path, path / "datapackage.json")
    if path.suffix.lower() == ".zip":
        return _extract(label, path)
    if path.suffix.lower() == ".json":
        return Target(label, path.parent, path)
    raise TargetError(f"{label}: not a package folder, a datapackage.json or a .zip")


def safe_members(archive: zipfile.ZipFile, max_bytes: int = MAX_ZIP_BYTES) -> list[zipfile.ZipInfo]:
    """The members of *archive*, or TargetError when any is unsafe.

    Refused: absolute names, ``..`` parts, backslashes or drive letters, links and
    other non-regular files, more than MAX_ZIP_MEMBERS members, and a total
    uncompressed size over *max_bytes* (checked again while extracting, since the
    sizes in the directory can lie).
    """
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise TargetError(f"the archive has {len(members)} members; the cap is {MAX_ZIP_MEMBERS}")
    total = 0
    for info in members:
        name = info.filename
        parts = PurePosixPath(name).parts
        if (
            name.startswith(("/", "\\"))
            or "\\" in name
            or (len(name) > 1 and name[1] == ":")
            or ".." in parts
            or "\x00" in name
        ):
            raise TargetError(f"the archive member {name!r} would be written outside the package")
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
            raise TargetError(f"the archive member {name!r} is a link or special file")
        total += info.file_size
        if total > max_bytes:
            raise TargetError(
                f"the archive expands to more than {max_bytes} bytes; refusing to extract it"
            )
    return members


def extract_zip(archive_path: Path, dest: Path, max_bytes: int = MAX_ZIP_BYTES) -> None:
    """Extract *archive_path* into *dest* safely, counting real bytes against *max_bytes*."""
    try:
        with zipfile.ZipFile(archive_path) as archive:
            members = safe_members(archive, max_bytes)
            written = 0
            for info in members:
                target = dest.joinpath(*PurePosixPath(info.filename).parts)
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as src, open(target, "xb") as out:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > max_bytes:
                            raise TargetError(
                                f"the archive expands to more than {max_bytes} bytes; "
                                "refusing to extract it"
                            )
                        out.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise TargetError(f"{archive_path}: not a readable zip archive ({exc})") from None


def _extract(label: str, path: Path) -> Target:
    tmp = tempfile.TemporaryDirectory(prefix="bilat-zip-")
    try:
        extract_zip(path, Path(tmp.name))
    except TargetError as exc:
        tmp.cleanup()
        raise TargetError(f"{label}: {exc}") from None
    root = Path(tmp.name)
    if not (root / "datapackage.json").is_file():
        subdirs = [p for p in root.iterdir() if p.is_dir()]
        if len(subdirs) == 1 and (subdirs[0] / "datapackage.json").is_file():
            root = subdirs[0]
    return Target(label, root, root / "datapackage.json", tmp)
