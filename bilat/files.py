"""Opening files safely: regular files only, never a FIFO, device or socket, and reads
capped in bytes, so no input can hang bilat or exhaust its memory.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
>>> _ = p.write_bytes(b"hello")
>>> read_capped(p, 10)
b'hello'
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class FileProblem(Exception):
    """A path that cannot be read as a regular file, with the reason in words."""


class TooLarge(FileProblem):
    """A file larger than the cap it was read under."""


def kind_of(mode: int) -> str:
    """A file type in words: 'a folder', 'a FIFO', ..."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def why_not_regular(path: str | os.PathLike[str]) -> str | None:
    """Why *path* (links followed) is not a readable regular file, or None when it is."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return _reason(exc)
    if stat.S_ISREG(mode):
        return None
    return f"it is {kind_of(mode)}"


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "it is a symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "it does not exist"
    if exc.errno == errno.ENOTDIR:
        return "a part of its path is not a folder"
    return exc.strerror or str(exc)


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open *path* for reading only if it is a regular file (never blocks on a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileProblem(_reason(exc)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise FileProblem(f"it is {kind_of(mode)}")
        if _NONBLOCK:
            flags = fcntl.fcntl(fd, fcntl.F_GETFL)
            fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~_NONBLOCK)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(path: str | os.PathLike[str], cap: int) -> bytes:
    """The bytes of the regular file *path*; :class:`TooLarge` past *cap* bytes."""
    with open_regular(path) as f:
        data = f.read(cap + 1)
    if len(data) > cap:
        raise TooLarge(f"it is larger than {cap} bytes, the cap for this file")
    return data


def inside(root: Path, path: Path) -> bool | None:
    """Whether *path* resolves to a place inside *root*; None for a symbolic link loop."""
    try:
        path.resolve(strict=False).relative_to(root.resolve())
    except ValueError:
        return False
    except (RuntimeError, OSError):  # a loop (RuntimeError before Python 3.13)
        return None
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: bytes) -> None:
    """Write *data* to *path* through a uniquely named temporary file in the same folder,
    flushed to disk and renamed over *path*: a reader sees the old file or the new one,
    never half of one, and two writers never share a temporary name. The file gets the
    mode the umask allows, as ``open`` would give it."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename in *folder* durable (where the platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def path_problem(value: str) -> str | None:
    """Why a resource path is unsafe, or None when it is a plain relative path."""
    if value == "":
        return "it is empty"
    if "\x00" in value:
        return "it contains a NUL character"
    if "\\" in value:
        return "it contains a backslash; use forward slashes"
    if value.startswith("/") or re.match(r"^[A-Za-z]:", value):
        return "it is absolute"
    if value.startswith("~") or "$" in value or "%" in value:
        return "it names a home folder or variable"
    parts = value.split("/")
    if ".." in parts:
        return "it climbs out of the package with '..'"
    if any(p.startswith(".") for p in parts):
        return "it names a hidden file or folder"
    if any(p == "" for p in parts):
        return "it has an empty part ('//' or a trailing '/')"
    return None
