"""Zipped packages, opened safely: no member outside the folder, no links, capped sizes.

A leaf module (it imports only :mod:`bilat.files`): validation opens a .zip with it and
the catalog installs downloaded releases with it.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from bilat.files import FileProblem, open_regular

#: Cap on the total uncompressed size of a zipped package.
MAX_ZIP_BYTES = 1 << 30
#: Cap on the number of members of a zipped package.
MAX_ZIP_MEMBERS = 10_000


class ArchiveError(Exception):
    """The archive is unsafe or unreadable; the message says why."""


def safe_members(archive: zipfile.ZipFile, max_bytes: int = MAX_ZIP_BYTES) -> list[zipfile.ZipInfo]:
    """The members of *archive*, or ArchiveError when any is unsafe.

    Refused: absolute names, ``..`` parts, backslashes or drive letters, links and
    other non-regular files, a name given twice, more than MAX_ZIP_MEMBERS members, and a total
    uncompressed size over *max_bytes* (checked again while extracting, since the
    sizes in the directory can lie).
    """
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise ArchiveError(f"the archive has {len(members)} members; the cap is {MAX_ZIP_MEMBERS}")
    total = 0
    seen: dict[str, bool] = {}  # name -> is a folder
    for info in members:
        name = info.filename
        parts = PurePosixPath(name).parts
        key = "/".join(parts)
        if key in seen and not (seen[key] and info.is_dir()):
            raise ArchiveError(
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
            raise ArchiveError(f"the archive member {name!r} would be written outside the package")
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
            raise ArchiveError(f"the archive member {name!r} is a link or special file")
        total += info.file_size
        if total > max_bytes:
            raise ArchiveError(
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
                    raise ArchiveError(f"the archive member {info.filename!r} is encrypted")
                if info.compress_type not in _METHODS:
                    raise ArchiveError(
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
                            raise ArchiveError(
                                f"the archive expands to more than {max_bytes} bytes; "
                                "refusing to extract it"
                            )
                        out.write(chunk)
    except FileProblem as exc:
        raise ArchiveError(f"{archive_path}: cannot be read: {exc}") from None
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
        raise ArchiveError(f"{archive_path}: not a readable zip archive ({exc})") from None
