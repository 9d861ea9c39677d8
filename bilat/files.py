"""Opening and writing files safely: reads open regular files only, never a FIFO,
device or socket, and are capped in bytes, so no input can hang bilat or exhaust its
memory; writes go through :func:`guard_out`, so no command replaces what is not its
own (a link, a device, a FIFO, someone's file without ``--force``), and through a
temporary file that is removed on every error, Ctrl-C included.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
>>> _ = p.write_bytes(b"hello")
>>> read_capped(p, 10)
b'hello'
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from collections.abc import Iterator

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


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
    """The bytes of the regular file *path*; :class:`TooLarge` past *cap* bytes. Read a
    MiB at a time: a read of *cap* bytes at once would allocate them all, whatever the
    file's size."""
    chunks: list[bytes] = []
    total = 0
    with open_regular(path) as f:
        while total <= cap:
            block = f.read(min(1 << 20, cap + 1 - total))
            if not block:
                break
            chunks.append(block)
            total += len(block)
    data = b"".join(chunks)
    if len(data) > cap:
        raise TooLarge(f"it is larger than {cap} bytes, the cap for this file")
    return data


#: Largest Parquet footer (the file's metadata: schema, row groups, statistics) bilat
#: reads. pyarrow reads a footer whole, at the length the file's last bytes claim, and
#: decodes it into objects that take more memory than its bytes: about 15 times more
#: for footers pyarrow writes (a 12 MB footer of 200,000 column chunks took 184 MB);
#: a footer written to do harm may take more. A package's parts have footers of kilobytes;
#: a 1 GB file of 100 columns in 1,000 row groups, a few MB.
MAX_PARQUET_FOOTER = 16 << 20


class FooterTooLarge(FileProblem):
    """A Parquet file whose footer claims more bytes than bilat reads."""


def check_parquet_footer(path: str | os.PathLike[str], cap: int = MAX_PARQUET_FOOTER) -> None:
    """Raise :class:`FooterTooLarge` when the regular file *path* ends as a Parquet
    file does and its footer claims more than *cap* bytes (and :class:`FileProblem`
    when *path* is not a regular file): what to check before pyarrow opens a Parquet
    file, since it reads and decodes the claimed length at once. A file that does not
    end as a Parquet file does is left to pyarrow, whose error says so."""
    with open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        if size < 8:
            return
        f.seek(size - 8)
        tail = f.read(8)
    claimed = int.from_bytes(tail[:4], "little")
    if tail[4:] in (b"PAR1", b"PARE") and claimed > cap:
        raise FooterTooLarge(
            f"its Parquet footer claims {claimed:,} bytes, more than the {cap:,} bilat reads"
        )


def open_parquet(path: str | os.PathLike[str]) -> Any:
    """The ``pyarrow.parquet.ParquetFile`` at *path*, its footer checked first by
    :func:`check_parquet_footer` (:class:`FooterTooLarge` past the cap); pyarrow's own
    errors for what is not a Parquet file pass through."""
    import pyarrow.parquet as pq

    check_parquet_footer(path)
    return pq.ParquetFile(path)


#: Bytes of a batch of a Parquet file once read (its cells' text, their offsets and
#: nulls): what bounds the memory a batch takes, since a file may store a long value
#: once, in a dictionary, for any number of rows (a 0.4 MB part of 60,000 notes of
#: 19,000 characters decodes to 1.1 GB).
PARQUET_BATCH_BYTES = 32 << 20

#: Rows of a Parquet file read first, alone, to learn the size its rows take once read.
PARQUET_PROBE_ROWS = 16


def parquet_batches(
    parquet: Any, most: int, columns: list[str] | None = None, budget: int | None = None
) -> Iterator[Any]:
    """The record batches of the ``pyarrow.parquet.ParquetFile`` *parquet* (of its
    *columns*, or all), each of at most *most* rows and about *budget* bytes once read
    (:data:`PARQUET_BATCH_BYTES`). The file's first :data:`PARQUET_PROBE_ROWS` rows are
    read alone and the rest of the first batch at the size they took (the two yielded
    as one batch); each next batch holds as many rows as fit the budget at the size
    the rows of the batch before took. So a batch is about that size whatever the file
    stores, but for two cases: rows longer than the budget from the first on are read
    :data:`PARQUET_PROBE_ROWS` at first; rows that grow long after shorter ones are
    read at the size fitted to those, up to *most* times the longest row (in the
    batch where they start, and possibly the next). pyarrow's errors pass through."""
    import pyarrow as pa

    budget = budget or PARQUET_BATCH_BYTES

    def fit(batch: Any) -> int:
        rows: int = budget * batch.num_rows // max(1, batch.nbytes)
        return max(1, min(most, rows))

    read = parquet.schema_arrow.names if columns is None else columns
    # (no column, nothing to measure: pyarrow then keeps its first batch size)
    reading = max(1, min(most, PARQUET_PROBE_ROWS if read else most))
    batches = parquet.iter_batches(batch_size=reading, columns=columns)
    batch = next(batches, None)
    if batch is not None and batch.num_rows == reading < fit(batch):
        reading = fit(batch) - reading
        parquet.reader.set_batch_size(reading)  # read at each batch, not once
        rest = next(batches, None)
        if rest is not None:
            batch = pa.Table.from_batches([batch, rest]).combine_chunks().to_batches()[0]
    while batch is not None:
        yield batch
        if batch.num_rows and fit(batch) != reading:
            reading = fit(batch)
            parquet.reader.set_batch_size(reading)
        batch = next(batches, None)


def inside(root: Path, path: Path) -> bool | None:
    """Whether *path* resolves to a place inside *root*; None for a symbolic link loop."""
    try:
        path.resolve(strict=False).relative_to(root.resolve())
    except ValueError:
        return False
    except (RuntimeError, OSError):  # a loop (RuntimeError before Python 3.13)
        return None
    return True


class WriteRefused(Exception):
    """An output path bilat will not write: the message names it and says why."""


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        reason = _reason(exc) if isinstance(exc, OSError) else str(exc)
        raise WriteRefused(f"{path}: cannot be written: {reason}") from None


def guard_out(
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    folder: bool = False,
    hint: str = " (use --force to replace it)",
) -> None:
    """Refuse to write *path* unless it is safe to: the one check every command that
    writes makes before it writes.

    - *path* may not exist yet (its parent folder must);
    - a symbolic link (whatever it points to), a device, a FIFO or a socket is never
      replaced, nor is a folder where a file is written (or a file where a folder is);
    - an existing regular file is replaced only with *force* (``--force``);
    - with *folder*, *path* is a folder to write files into: an existing folder is fine.

    *hint* ends the message for an existing file (how to replace it).

    Raises :class:`WriteRefused` naming *path*; nothing has been written then.
    """
    target = Path(path)
    st = _lstat(target)
    if st is None:
        parent = target.parent
        pst = _lstat(parent)
        if pst is None:
            raise WriteRefused(f"{target}: cannot be written: the folder {parent} does not exist")
        try:
            parent_mode = os.stat(parent).st_mode
        except OSError as exc:  # a link loop, a link to nothing
            raise WriteRefused(f"{target}: cannot be written: {parent}: {_reason(exc)}") from None
        if not stat.S_ISDIR(parent_mode):
            raise WriteRefused(f"{target}: cannot be written: {parent} is not a folder")
        return
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        raise WriteRefused(
            f"{target} is a symbolic link; bilat does not write through links "
            "(remove it, or name another path)"
        )
    if folder:
        if stat.S_ISDIR(mode):
            return
        what = "a file" if stat.S_ISREG(mode) else kind_of(mode)
        raise WriteRefused(f"{target} is {what}, not a folder; nothing was written")
    if stat.S_ISREG(mode):
        if not force:
            raise WriteRefused(f"{target} already exists; nothing was written{hint}")
        return
    raise WriteRefused(
        f"{target} is {kind_of(mode)}, not a regular file; bilat will not replace it"
    )


def make_folder(path: str | os.PathLike[str]) -> Path:
    """Create the output folder *path* (and its parents) unless it exists; refuse one
    that is a link or not a folder (:class:`WriteRefused`)."""
    folder = Path(path)
    if _lstat(folder) is None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteRefused(f"{folder}: cannot be created: {_reason(exc)}") from None
    guard_out(folder, folder=True)
    return folder


def _replaceable(path: Path) -> None:
    """The last check before a rename: never over a link or a special file."""
    st = _lstat(path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(st.st_mode) else kind_of(st.st_mode)
        raise WriteRefused(f"{path} is {kind}, not a regular file; bilat will not replace it")


@contextlib.contextmanager
def temporary_beside(path: Path) -> Iterator[Path]:
    """A new, empty, uniquely named temporary file in *path*'s folder, removed unless it
    was renamed: on every error and on Ctrl-C, wherever it lands (the name is chosen
    before the file exists, so no interrupt can leave a file whose name is not known).
    Rename it with :func:`commit`."""
    import secrets

    tmp = path.parent / f".{path.name[:100]}.{secrets.token_hex(16)}.tmp"
    not_ours = False
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _CLOEXEC, 0o600)
        except OSError as exc:  # nothing was created (or 128 random bits collided)
            not_ours = True
            raise named(exc, path) from None
        os.close(fd)
        yield tmp
    finally:
        if not not_ours:
            tmp.unlink(missing_ok=True)


def commit(tmp: Path, path: Path) -> None:
    """Rename the finished temporary file *tmp* over *path* (never over a link or a
    special file) and make the rename durable. A file replaced keeps its permission
    bits (a 0600 file stays 0600, as ``open`` over it would keep them); a new one gets
    those the umask allows."""
    _replaceable(path)
    try:
        try:
            mode = os.lstat(path).st_mode & 0o777  # never set-user-ID: tmp is ours
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        raise named(exc, path) from None
    fsync_folder(path.parent)


def named(exc: OSError, path: str | os.PathLike[str]) -> OSError:
    """*exc* as raised for *path*, the file the user asked for (not a temporary name):
    the same subclass (PermissionError, ...), errno and reason."""
    return OSError(exc.errno, exc.strerror or str(exc), str(path))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: bytes) -> None:
    """Write *data* to *path* through a uniquely named temporary file in the same folder,
    flushed to disk and renamed over *path*: a reader sees the old file or the new one,
    never half of one, and two writers never share a temporary name. A new file gets
    the mode the umask allows, as ``open`` would give it; a file replaced keeps its
    permission bits (:func:`commit`). A link or special file at *path*
    is never replaced (:class:`WriteRefused`); the temporary file is removed on every
    error and on Ctrl-C; an OSError names *path*, not the temporary file."""
    with temporary_beside(path) as tmp:
        write_synced(tmp, data, path)
        commit(tmp, path)


def write_synced(tmp: Path, data: bytes, path: Path) -> None:
    """Write *data* to the temporary file *tmp*, flushed to disk; an OSError names
    *path*, the file it stands for."""
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        raise named(exc, path) from None


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
