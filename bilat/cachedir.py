"""Where bilat keeps what it downloads and what it remembers between runs."""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
from pathlib import Path

ENV_CACHE = "BILAT_CACHE_DIR"


class CacheDirError(ValueError):
    """``BILAT_CACHE_DIR`` is set but names no folder."""


def cache_root() -> Path:
    """``BILAT_CACHE_DIR``, else the user cache folder for bilat.

    Set but empty, it is an error (:class:`CacheDirError`), not a silent fall back to
    the user cache: unset it to mean the user cache.
    """
    env = os.environ.get(ENV_CACHE)
    if env is not None:
        if not env.strip():
            raise CacheDirError(
                f"{ENV_CACHE} is set but empty: name a folder, or unset it to use the user cache"
            )
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("bilat", appauthor=False))


def host_name() -> str:
    """This machine's name, as a folder name may hold it."""
    import re
    import socket

    return re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname())[:64] or "host"


class ClaimedFolder:
    """A folder of this process's own in a folder that processes share (*parent*),
    for what it writes while it runs (the sql engine's spill and layer-4 files).

    Each is claimed by a lock file beside it (``<name>.lock``, an ``flock`` held while
    the process lives and let go by the system when it dies, however it dies). Making
    one first removes the folders whose lock can be taken: their process was killed,
    or ran out of memory, before it could remove them, and they may hold gigabytes.
    The lock is taken before the folder is made, so a folder that exists is never
    another live process's. :meth:`remove` removes the folder and its lock.

    Locks may hold only on the machine that takes them (a shared file system mounted
    without them): give *prefix* this machine's name (:func:`host_name`), so that
    only its own processes' folders are swept.
    """

    def __init__(self, parent: Path, prefix: str) -> None:
        import fcntl
        import uuid

        parent.mkdir(parents=True, exist_ok=True)
        sweep(parent, prefix)
        name = f"{prefix}{uuid.uuid4().hex[:12]}"
        self._owner = os.getpid()  # a forked child that exits removes nothing
        self._lock_path = parent / f"{name}.lock"
        self._fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)  # waits out a sweep that opened it first
        except OSError:  # a file system without locks: no claim, so no sweep either
            with contextlib.suppress(OSError):
                self._lock_path.unlink()
            os.close(self._fd)
            self._fd = -1
        self.path = parent / name
        try:
            self.path.mkdir()
        except OSError:
            self.remove()  # the lock too: no lock file is left for nothing
            raise

    @property
    def mine(self) -> bool:
        """Whether this process made the folder and has not removed it (a forked child
        did not)."""
        return os.getpid() == self._owner

    def remove(self) -> None:
        """Remove the folder, then let go of its lock (by the process that made it)."""
        import shutil

        if os.getpid() != self._owner:
            return
        self._owner = -1  # once
        shutil.rmtree(self.path, ignore_errors=True)
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                self._lock_path.unlink()
            os.close(self._fd)
            self._fd = -1


_OWN_LOCK = threading.Lock()
#: the folders :func:`own_folder` made, by (parent, prefix)
_OWN: dict[tuple[Path, str], ClaimedFolder] = {}
#: whether the exit handler is registered (a forked child inherits it)
_OWN_EXIT: list[bool] = []


def own_folder(parent: Path, prefix: str) -> Path:
    """This process's :class:`ClaimedFolder` in *parent* named *prefix* (give it this
    machine's name, :func:`host_name`): made at the first call (which sweeps those of
    processes that were killed), made again when it was removed (or by a forked
    child, which does not share its parent's), and removed at exit. For what a
    command writes while it runs, in files it removes itself when it can."""
    with _OWN_LOCK:
        key = (parent, prefix)
        claimed = _OWN.get(key)
        if claimed is not None and (not claimed.mine or not claimed.path.is_dir()):
            claimed.remove()  # nothing, in a forked child
            claimed = None
        if claimed is None:
            claimed = _OWN[key] = ClaimedFolder(parent, prefix)
            if not _OWN_EXIT:
                atexit.register(_remove_own)
                _OWN_EXIT.append(True)
        return claimed.path


def _remove_own() -> None:
    with _OWN_LOCK:
        for claimed in _OWN.values():
            claimed.remove()  # a folder this process did not make is left


def sweep(parent: Path, prefix: str) -> list[Path]:
    """Remove the folders ``<prefix>*`` in *parent* whose lock no live process holds;
    the folders removed. Only regular lock files of this user's are read."""
    import fcntl
    import shutil
    import stat
    import time

    gone = []
    for lock_path in sorted(parent.glob(f"{prefix}*.lock")):
        folder = lock_path.with_suffix("")
        try:  # not blocking on a FIFO, not following a link
            fd = os.open(lock_path, os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue  # removed meanwhile, or not a file of ours
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its process lives
            if folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder, ignore_errors=True)
                gone.append(folder)
            elif time.time() - info.st_mtime < _YOUNG:
                # no folder: its process is making it now (the file is made, then
                # locked, then the folder made), or died in between: leave it a while
                continue
            with contextlib.suppress(OSError):
                lock_path.unlink()
        finally:
            os.close(fd)
    return gone


#: Seconds for which a lock file with no folder may be one being made.
_YOUNG = 60
