"""Resolving what the user asked to validate: a folder, a datapackage.json, a .zip, a name."""

from __future__ import annotations

import os
import re
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from bilat.datasets import bundled
from bilat.files import FileProblem, kind_of, open_regular
from bilat.findings import printable

#: Cap on the total uncompressed size of a zipped package.
MAX_ZIP_BYTES = 1 << 30
#: Cap on the number of members of a zipped package.
MAX_ZIP_MEMBERS = 10_000


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


#: A release name, NAME or NAME@VERSION, looked up in the cache and the catalogs.
_SPEC = re.compile(r"^[a-z0-9][a-z0-9._-]*(?:@[0-9]+\.[0-9]+\.[0-9]+)?$")


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
    """Find the package *target* names, extracting a .zip to a temporary folder.

    Only folders and regular files are opened: a FIFO, device or socket, a symbolic
    link loop or a link to one is a :class:`TargetError`, never a read that blocks.
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
        datasets = bundled()
        if isinstance(target, str) and target in datasets:
            root = datasets[target]
            return Target(label, root, root / "datapackage.json")
        known = ", ".join(datasets) or "none"
        if isinstance(target, str) and _SPEC.match(target):
            # then the cache, then the catalogs (bilat.catalog.download)
            from bilat.catalog import CatalogError
            from bilat.catalog.download import download

            try:
                folder = download(target)
            except CatalogError as exc:
                raise TargetError(
                    f"{label}: no such file or folder, no bundled dataset of that name "
                    f"(bundled: {known}), and no release in the cache or a catalog ({exc})"
                ) from None
            return Target(label, folder, folder / "datapackage.json")
        raise TargetError(
            f"{label}: no such file or folder, and no bundled dataset of that name "
            f"(bundled: {known})"
        )
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


def safe_members(archive: zipfile.ZipFile, max_bytes: int = MAX_ZIP_BYTES) -> list[zipfile.ZipInfo]:
    """The members of *archive*, or TargetError when any is unsafe.

    Refused: absolute names, ``..`` parts, backslashes or drive letters, links and
    other non-regular files, a name given twice, more than MAX_ZIP_MEMBERS members, and a total
    uncompressed size over *max_bytes* (checked again while extracting, since the
    sizes in the directory can lie).
    """
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise TargetError(f"the archive has {len(members)} members; the cap is {MAX_ZIP_MEMBERS}")
    total = 0
    seen: dict[str, bool] = {}  # name -> is a folder
    for info in members:
        name = info.filename
        parts = PurePosixPath(name).parts
        key = "/".join(parts)
        if key in seen and not (seen[key] and info.is_dir()):
            raise TargetError(
                f"the archive holds {name!r} more than once; refusing to extract it "
                "(which copy is meant?)"
            )
        seen[key] = info.is_dir()
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


#: Compression methods Python's zipfile reads.
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}


def extract_zip(archive_path: Path, dest: Path, max_bytes: int = MAX_ZIP_BYTES) -> None:
    """Extract *archive_path* into *dest* safely, counting real bytes against *max_bytes*."""
    try:
        with open_regular(archive_path) as raw, zipfile.ZipFile(raw) as archive:
            members = safe_members(archive, max_bytes)
            written = 0
            for info in members:
                if info.flag_bits & 0x1:
                    raise TargetError(f"the archive member {info.filename!r} is encrypted")
                if info.compress_type not in _METHODS:
                    raise TargetError(
                        f"the archive member {info.filename!r} uses an unknown compression "
                        f"method ({info.compress_type})"
                    )
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
    except FileProblem as exc:
        raise TargetError(f"{archive_path}: cannot be read: {exc}") from None
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        OSError,
        RuntimeError,
        NotImplementedError,
        ValueError,
        zlib.error,
    ) as exc:
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
    return Target(label, root, descriptor_in(root), tmp)
