"""The import pipeline: files in, a validated bilat package out, every row accounted for.

Streaming, so memory grows with the number of rows by a few bytes each, never with
the rows themselves nor with the duplicates among them:

1. Each row is read, converted, checked against its model and handed to an external
   sort by id (:class:`output.SortedRows`); an 8-byte hash of its key (its record
   id, and under ``--dedupe daily`` its day, actors and event) goes into a compact
   array.
2. The hashes seen more than once are found (pyarrow counts them), and each row's
   is marked in a byte. When there are none, the sorted rows are the result.
3. The sorted rows are written; rows of one id are adjacent there, in input order,
   and are merged as they pass: the first row is kept, with the native ids of the
   rows merged into it and the sources of all. Under ``--dedupe daily`` a group
   joins rows of different ids (the same day, actors and event): the rows whose keys
   repeat are first grouped by two more sorts and a union-find over their indices
   (8 bytes a row), then brought together by group in a third sort and merged as
   they pass.

``read = imported + merged + skipped + rejected`` for every file; a rejected row is a
:class:`Rejection` with file, line and reason. The package is built in a temporary
folder beside the output and moved into place, descriptor last.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import heapq
import io
import json
import os
import re
import shutil
import stat
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bilat.files import FileProblem, open_regular, why_not_regular
from bilat.importers.actors import Curated, Resolver
from bilat.importers.formats import FORMATS, FileRejected, Reject
from bilat.importers.output import SortedRows, csv_line

#: The one id of the Source that cites ISO 3166 for the States an import writes.
ISO_SOURCE_ID = "iso-3166"
#: Record kinds an import may write besides its rows, in package order.
OTHER_KINDS = ("source", "state", "person", "organization")
#: The file listing every rejected row, beside the package's README.
REJECTED_FILE = "import-rejected.csv"
#: How many rejected rows the README lists.
README_REJECTED = 100
#: The longest reason a rejection gives (the values it shows are cut first).
MAX_REASON = 1000
#: The origin of a row the package held before the import (``--append``).
OLD = 0xFFFF


class ImportProblem(Exception):
    """The import cannot run (an output that is not ours, an unreadable file)."""


@dataclass(frozen=True)
class Rejection:
    """A row that was not imported, and why."""

    file: str
    line: int
    reason: str
    field: str | None = None

    def __str__(self) -> str:
        where = f" ({self.field})" if self.field else ""
        return f"{self.file}:{self.line}: {self.reason}{where}"


@dataclass
class Counts:
    """What became of the rows of one file."""

    read: int = 0
    imported: int = 0
    merged: int = 0
    skipped: int = 0
    rejected: int = 0

    def add(self, other: Counts) -> None:
        for k in ("read", "imported", "merged", "skipped", "rejected"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    @property
    def balanced(self) -> bool:
        return self.read == self.imported + self.merged + self.skipped + self.rejected


@dataclass
class ImportResult:
    """The outcome of one ``bilat import`` run."""

    format: str
    out: Path
    files: dict[str, Counts]
    total: Counts
    actors: Counter[str]
    rejections_shown: list[Rejection]
    rejected_file: Path | None
    skipped_reasons: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(
        cls,
        fmt: str,
        out: Path,
        counts: dict[str, Counts],
        actors: Counter[str],
        rejected: Rejected,
        skipped: Counter[str] | None = None,
    ) -> ImportResult:
        """The result of an import whose files gave *counts*: their total added up."""
        total = Counts()
        for c in counts.values():
            total.add(c)
        return cls(
            format=fmt,
            out=out,
            files=counts,
            total=total,
            actors=actors,
            rejections_shown=rejected.shown,
            rejected_file=out / REJECTED_FILE if rejected.count else None,
            skipped_reasons=skipped if skipped is not None else Counter(),
        )

    def summary_lines(self) -> list[str]:
        lines = []
        for name, c in self.files.items():
            lines.append(
                f"{name}: read {c.read}, imported {c.imported}, merged {c.merged}, "
                f"skipped {c.skipped}, rejected {c.rejected}"
            )
        t = self.total
        lines.append(
            f"total: read {t.read} = imported {t.imported} + merged {t.merged} + "
            f"skipped {t.skipped} + rejected {t.rejected}"
        )
        a = self.actors
        lines.append(
            f"actors: {a['resolved']} resolved ({a['by_country']} as states, "
            f"{a['by_wikidata']} by Wikidata id, {a['by_name']} by name in --actors), "
            f"{a['raw']} left raw"
            + (f", {a['compound']} compound left raw" if a["compound"] else "")
        )
        return lines


# -- sources ------------------------------------------------------------------------


def sha256_of(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open_regular(path) as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def file_source(path: Path, dataset: str, title: str, citation: str) -> dict[str, Any]:
    """The Source of one imported file: the data set's citation, the file's SHA-256."""
    digest, size = sha256_of(path)
    return {
        "id": f"{dataset}-file-{digest[:16]}",
        "type": "dataset",
        "title": f"{title}: {path.name}",
        "citation": citation,
        "notes": f"Imported by bilat import from the file {path.name} ({size} bytes), "
        f"SHA-256 {digest}.",
    }


ISO_SOURCE: dict[str, Any] = {
    "id": ISO_SOURCE_ID,
    "type": "reference_work",
    "title": "ISO 3166 country codes: ISO 3166-1 (current) and ISO 3166-3 (former)",
    "publisher": "International Organization for Standardization",
    "url": "https://www.iso.org/iso-3166-country-codes.html",
    "notes": "The codes and names as shipped by the pycountry package; the States an "
    "import writes are named from it.",
}


# -- cells ---------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A value as a CSV cell, as bilat writes it (``bilat.validation.cells.format_cell``)."""
    if value is None:
        return ""
    if type(value) is str:
        return value
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value else ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


@functools.cache
def _parsers(kind: str) -> tuple[tuple[str, Callable[[str], Any] | None], ...]:
    """The columns of *kind* with each one's cell parser (None for text), built once."""
    from bilat.tables import columns
    from bilat.validation.cells import parser

    return tuple((c.name, parser(c)) for c in columns(kind))


def row_fields(kind: str, cells: dict[str, str]) -> dict[str, Any]:
    """A CSV row of *kind* (as written by bilat) back into model fields."""
    out: dict[str, Any] = {}
    for name, parse in _parsers(kind):
        raw = cells.get(name, "")
        if raw == "":
            continue
        out[name] = parse(raw) if parse else raw
    return out


def checked_fields(
    kind: str, cells: dict[str, str], where: str, model: bool = True
) -> dict[str, Any]:
    """A row of *kind* of the package ``--append`` adds to (at *where*: file and row)
    as model fields, each cell checked as ``bilat validate`` checks it and the record
    by its model: a cell or record that is not is an :class:`ImportProblem` naming the
    file, row and field (the import would carry it on, or fail on it later)."""
    from pydantic import ValidationError

    from bilat.models import RECORD_TYPES
    from bilat.validation.cells import CellProblem

    out: dict[str, Any] = {}
    for name, parse in _parsers(kind):
        raw = cells.get(name, "")
        if raw == "":
            continue
        try:
            out[name] = parse(raw) if parse else raw
        except (CellProblem, ValueError, TypeError) as exc:
            raise ImportProblem(
                f"{where}, field {name}: {exc}; --append rewrites the rows it adds to, and "
                "nothing was written"
            ) from None
    try:
        if model:  # not for each coded event: their cells are what validate checks
            RECORD_TYPES[kind].model_validate(out)
    except ValidationError as exc:
        reason, _ = validation_reason(exc)
        raise ImportProblem(
            f"{where}, field {reason}; --append rewrites the rows it adds to, and nothing "
            "was written"
        ) from None
    return out


def _key_hash(text: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
    )


#: The fields of the ``--dedupe daily`` key (the actor's and recipient's raw names count
#: where no id was resolved; the PLOVER event where no CAMEO code was given).
DAILY_FIELDS = (
    "dataset",
    "date",
    "actor",
    "actor_name",
    "recipient",
    "recipient_name",
    "cameo",
    "plover_event",
)


def daily_key(f: dict[str, Any]) -> str:
    """The ``--dedupe daily`` key: day, actor, recipient and event, as the Phoenix
    pipeline keeps one event per (date, source, target, code) a day."""
    return "\x1f".join(
        str(x or "")
        for x in (
            f["dataset"],
            f["date"],
            f.get("actor") or f.get("actor_name"),
            f.get("recipient") or f.get("recipient_name"),
            f.get("cameo") or f.get("plover_event"),
        )
    )


# -- the event pipeline -------------------------------------------------------------


class Rejected:
    """Rejections: all written to a CSV file, the first kept for the README."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.file, lineterminator="\n")
        self.writer.writerow(["file", "line", "field", "reason"])
        self.shown: list[Rejection] = []
        self.count = 0

    def add(self, r: Rejection) -> None:
        if len(r.reason) > MAX_REASON:  # each value it shows is cut; this is the last net
            r = Rejection(r.file, r.line, f"{r.reason[:MAX_REASON]}…", r.field)
        self.count += 1
        self.writer.writerow([r.file, r.line, r.field or "", r.reason])
        if len(self.shown) < README_REJECTED:
            self.shown.append(r)

    def close(self) -> None:
        self.file.close()


def validation_reason(exc: Any) -> tuple[str, str | None]:
    err = exc.errors(include_url=False)[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    ctx = err.get("ctx") or {}
    field_name = loc or ctx.get("field")
    return f"{field_name or 'row'}: {err['msg']}", field_name


def import_events(
    fmt_name: str,
    files: list[Path],
    out: Path,
    *,
    append: bool = False,
    dedupe: str | None = None,
    actors: Path | None = None,
    parquet: bool | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import coded-event *files* of format *fmt_name* into the package folder *out*:
    as CSV, or as Parquet parts above :data:`output.PARQUET_ABOVE_ROWS` rows (*parquet*
    True or False chooses either)."""
    fmt = FORMATS[fmt_name]
    existing, work, finished = begin(out, append, "coded_event")
    try:
        resolver = Resolver(curated=curated_records(actors))
        file_sources = _file_sources(files, fmt)
        names = [p.name for p in files]
        origins = [str(p) if names.count(p.name) > 1 else p.name for p in files]
        rows = EventRows(work, [name for name, _ in _parsers("coded_event")], dedupe is not None)
        old = OldTable.of(existing, "coded_event", rows.columns)
        if old is not None:
            rows.hash_old(old)
        rejected = Rejected(work / REJECTED_FILE)
        try:
            counts = _read_files(
                fmt, files, origins, file_sources, resolver, rows, rejected, progress
            )
        finally:
            rejected.close()
        layout = rows.write(work, counts, origins, old, parquet)
        shutil.rmtree(rows.sorter.folder, ignore_errors=True)
        result = ImportResult.of(fmt_name, out, counts, resolver.counts, rejected)
        extra = _other_records(existing, {s["id"]: s for s in file_sources}, resolver, actors)
        finish_import(
            work,
            out,
            "coded_event",
            extra,
            result,
            existing,
            fmt.title,
            dedupe,
            rejected.count,
            layout=layout,
        )
        return result
    finally:
        finished()


def begin(out: Path, append: bool, kind: str) -> tuple[Path | None, Path, Callable[[], None]]:
    """Start an import into *out*: lock it (:func:`lock_out`), check it
    (:func:`check_out`: the package to append to, or None) and make the work folder
    (:func:`work_folder`); and what to call when the import is done (it removes the
    folder, then frees *out*). Two imports into one *out* never run at once: the second
    is refused, and one that finds a package where it meant to start one is too."""
    if not out.parent.is_dir():
        raise ImportProblem(f"{out.parent}: no such folder")
    unlock = lock_out(out)
    try:
        recover_moves(out)  # what an import killed while moving its files in left
        existing = check_out(out, append, kind)
        work, done = work_folder(out)
    except BaseException:
        unlock()
        raise

    def finished() -> None:
        try:
            done()
        finally:
            unlock()

    return existing, work, finished


def lock_out(out: Path) -> Callable[[], None]:
    """Lock *out* for one import, on ``.OUT.import.lock`` beside it, from reading the
    package it appends to until the last file is moved in; what to call to free it
    (the lock file is removed while still locked: filelock 4 retries a file unlinked
    under it, so nothing is left beside *out*; filelock 3.x did not, and let two
    imports hold it at once, hence bilat's floor of filelock 4.0). Another import holding it is an
    :class:`ImportProblem` (nothing waits: an import may take hours)."""
    from filelock import FileLock, Timeout

    path = out.parent / f".{out.name}.import.lock"
    guard_target(path)  # never through a link planted there
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ImportProblem(
            f"{out}: another bilat import into it is running (it holds {path}); try again "
            "when it is done; nothing was written"
        ) from None
    except OSError as exc:
        raise ImportProblem(
            f"{path}: cannot lock it ({exc.strerror or exc}); nothing was written"
        ) from None

    def unlock() -> None:
        try:
            path.unlink(missing_ok=True)
        finally:
            lock.release()

    return unlock


def work_folder(out: Path) -> tuple[Path, Callable[[], None]]:
    """A new work folder beside *out* (``.OUT.import-XXXX``) and what to call when the
    import is done (it removes the folder). The folder is marked in use by a lock on
    ``.OUT.import-XXXX.lock``, taken before the folder exists and held until it is
    gone; the lock dies with its process, however it ends (SIGTERM, SIGKILL), so the
    work folders of imports into *out* whose lock can be taken are removed first, as
    ``bilat download`` sweeps its own (:func:`sweep_work`)."""
    from filelock import FileLock

    sweep_work(out)
    fd, lock_path = tempfile.mkstemp(prefix=f".{out.name}.import-", suffix=".lock", dir=out.parent)
    os.close(fd)
    lock = FileLock(lock_path, timeout=0)
    lock.acquire()
    work = Path(lock_path[: -len(".lock")])

    def finished() -> None:
        shutil.rmtree(work, ignore_errors=True)
        lock.release()
        Path(lock_path).unlink(missing_ok=True)

    try:
        work.mkdir()
    except BaseException:
        finished()
        raise
    return work, finished


#: What ``tempfile.mkdtemp`` puts after a prefix: how bilat's work folders and folders
#: of files moved aside are known from others beside OUT.
MKDTEMP_NAME = r"[a-z0-9_]{8}"
#: Days after which a work folder beside OUT that has no lock file, and nothing in it
#: changed since, is taken for the work folder of an import that was killed: bilat
#: made its work folders so before they had locks (and took no lock on OUT either),
#: so an older one cannot be known dead otherwise; and no import writes nothing for
#: so long.
UNLOCKED_WORK_DAYS = 7


def sweep_work(out: Path) -> int:
    """Remove the work folders of imports into *out* whose process is gone (killed or
    crashed): those whose lock file is there and can be locked; and those an older
    bilat made, with no lock file, untouched for :data:`UNLOCKED_WORK_DAYS` (named as
    ``tempfile.mkdtemp`` names them, folders of this user's). Any other folder is
    left alone. A work folder holds only what its import derived from its input
    files (the package's own files are moved aside elsewhere: :func:`move_in`).
    Returns the number removed."""
    import glob

    from filelock import FileLock, Timeout

    removed = 0
    prefix = f".{out.name}.import-"
    for path in out.parent.glob(f"{glob.escape(prefix)}*"):
        lock_file = Path(str(path) + ".lock")
        if path.suffix == ".lock" or path.is_symlink() or not path.is_dir():
            continue
        if not os.path.lexists(lock_file):
            if re.fullmatch(MKDTEMP_NAME, path.name[len(prefix) :]) and _untouched(path):
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
            continue
        if lock_file.is_symlink() or not lock_file.is_file():
            continue
        try:
            with FileLock(str(lock_file), timeout=0):
                if path.is_dir():  # else its owner finished while this looked
                    shutil.rmtree(path, ignore_errors=True)
                    removed += 1
                lock_file.unlink(missing_ok=True)
        except (Timeout, OSError):
            continue
    return removed


def _untouched(folder: Path) -> bool:
    """Whether the folder *folder* is this user's and nothing in it (itself included)
    was changed in the last :data:`UNLOCKED_WORK_DAYS` days."""
    import time

    since = time.time() - UNLOCKED_WORK_DAYS * 86400
    try:
        info = folder.lstat()
        if info.st_uid != os.getuid() or info.st_mtime > since:
            return False
        for root, dirs, files in os.walk(folder, onerror=_raise):
            for name in dirs + files:
                if os.lstat(os.path.join(root, name)).st_mtime > since:
                    return False
    except OSError:
        return False
    return True


def _raise(exc: OSError) -> None:
    raise exc


def _read_files(
    fmt: Any,
    files: list[Path],
    origins: list[str],
    file_sources: list[dict[str, Any]],
    resolver: Resolver,
    rows: EventRows,
    rejected: Rejected,
    progress: Callable[[int], None] | None,
) -> dict[str, Counts]:
    """Pass 1: read, convert and check every row of *files*; each valid one goes to
    *rows*, each invalid one to *rejected*. The counts of rows read and rejected."""
    from bilat.models.events import CodedEvent

    validate = CodedEvent.__pydantic_validator__.validate_python
    counts: dict[str, Counts] = {}
    for index, path in enumerate(files):
        c = counts.setdefault(origins[index], Counts())
        src_id = file_sources[index]["id"]
        try:
            for line, raw in fmt.rows(path):
                c.read += 1
                try:
                    fields = fmt.convert(raw, resolver)
                    fields["sources"] = [src_id]
                    fields = {k: v for k, v in fields.items() if v not in (None, [])}
                    try:
                        validate(fields)
                    except Exception as exc:  # pydantic ValidationError
                        reason, fld = validation_reason(exc)
                        raise Reject(reason, fld) from None
                except Reject as r:
                    c.rejected += 1
                    rejected.add(Rejection(origins[index], line, r.reason, r.field))
                    continue
                rows.add(fields, index)
                if progress is not None:
                    progress(1)
        except FileRejected as exc:
            raise ImportProblem(f"{path}: {exc}") from None
        except FileProblem as exc:
            raise ImportProblem(f"{path}: cannot read it: {exc}") from None
    return counts


#: A file name an import writes for a table (no folder, no leading dot).
_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")


@dataclass
class OldTable:
    """The coded-event table of the package an import appends to."""

    folder: Path
    format: str  # "csv" or "parquet"
    paths: list[str]
    columns: list[str]

    @classmethod
    def of(cls, existing: Path | None, kind: str, columns: list[str]) -> OldTable | None:
        from bilat.importers.output import resource_layout
        from bilat.tables import RESOURCE_NAMES

        if existing is None:
            return None
        found = resource_layout(read_descriptor(existing), RESOURCE_NAMES[kind])
        if found is None:
            return None
        for rel in found[1]:  # read, then maybe removed: only regular files of the folder
            path = existing / rel
            if not _PART.fullmatch(rel):
                raise ImportProblem(
                    f"{existing / 'datapackage.json'}: {rel!r} is not a file of the package "
                    "folder; --append reads and replaces only the files an import wrote"
                )
            why = "it is a symbolic link" if path.is_symlink() else why_not_regular(path)
            if why is not None:
                raise ImportProblem(
                    f"{path}: cannot read it ({why}); --append reads and replaces only the "
                    "regular files an import wrote, and nothing was written"
                )
        return cls(existing, found[0], found[1], columns)

    def rows(self, columns: list[str] | None = None) -> Iterator[list[str]]:
        """Its rows, as cells of *columns* (all of them when None)."""
        return appended_rows(self.folder, self.format, self.paths, columns or self.columns)


def appended_rows(
    folder: Path, fmt: str, paths: list[str], columns: list[str]
) -> Iterator[list[str]]:
    """The rows of a table of the package ``--append`` adds to (see
    :func:`output.table_rows`); a file that cannot be read (a Parquet part cut short,
    bad UTF-8) is an :class:`ImportProblem` naming it, raised before anything is
    written."""
    from bilat.importers.output import table_rows

    try:
        yield from table_rows(folder, fmt, paths, columns)
    except FileProblem as exc:
        raise ImportProblem(
            f"{exc}; --append reads the tables it adds to, and nothing was written"
        ) from None


class EventRows:
    """The rows of an import, old (``--append``) and new: an 8-byte hash of each row's
    key (and of its ``--dedupe daily`` key) and the file it came from, in arrays; the
    rows themselves in a :class:`output.SortedRows`, on disk past its budget."""

    def __init__(self, work: Path, columns: list[str], daily: bool) -> None:
        from bilat.importers.output import LineMaker

        self.columns = columns
        self.id_at = columns.index("id")
        self.sorter = SortedRows(work / ".sort")
        self.line = LineMaker()
        self.hashes: array[int] = array("Q")
        self.daily: array[int] | None = array("Q") if daily else None
        self.origin: array[int] = array("H")
        self.emitted: Counter[int] = Counter()
        self.old = 0  # rows of the package appended to: the first ones

    def _key(self, cells: list[str], fields: dict[str, Any], origin: int) -> None:
        """Note the keys of a row whose id is ``fields["id"]``."""
        self.hashes.append(_key_hash(fields["id"]))
        if self.daily is not None:
            self.daily.append(_key_hash(daily_key(fields)))
        self.origin.append(origin)
        self.emitted[origin] += 1

    def add(self, fields: dict[str, Any], origin: int) -> None:
        """A new row, as model fields."""
        get = fields.get
        cells = [_cell(get(c)) for c in self.columns]
        self.sorter.add(cells[self.id_at], len(self.origin), self.line(cells))
        self._key(cells, fields, origin)

    def hash_old(self, old: OldTable) -> None:
        """The keys of the rows of the package appended to (the rows stay where they are
        unless :meth:`sort_old` is called)."""
        keys = ["id", *DAILY_FIELDS] if self.daily is not None else ["id"]
        for cells in old.rows(keys):
            self._key(cells, dict(zip(keys, cells, strict=True)), OLD)
        self.old = len(self.origin)

    def sort_old(self, old: OldTable) -> None:
        """The rows of the package appended to, into the sorter, each checked
        (:func:`checked_fields`) since the table is written again."""
        index = 0
        for rel in old.paths:
            rows = appended_rows(old.folder, old.format, [rel], self.columns)
            for n, cells in enumerate(rows, 1):
                checked_fields(
                    "coded_event",
                    dict(zip(self.columns, cells, strict=True)),
                    f"{old.folder / rel}: row {n}",
                    model=False,
                )
                self.sorter.add(cells[self.id_at], index, self.line(cells))
                index += 1

    def write(
        self,
        work: Path,
        counts: dict[str, Counts],
        origins: list[str],
        old: OldTable | None,
        parquet: bool | None,
    ) -> Layout:
        """Passes 2 and 3: merge the rows whose keys repeat and write every row, sorted
        by id, into *work*: as CSV, or as Parquet parts (added to the old ones when no
        new row merges into an old one). Count what each file imported and merged.

        Rows of one id are adjacent in the sorted stream, in input order, so they are
        merged as it passes (:meth:`merged_in_order`). Under ``--dedupe daily`` a group
        joins rows of different ids: the rows whose keys repeat are grouped first,
        on disk, and merged a group at a time (:meth:`merge_daily`)."""
        from bilat.importers import output

        self.sorter.seal()  # the rows held go to disk before the hashes are counted
        by_id, folded = _repeats(self.hashes)
        by_day = _repeats(self.daily)[0] if self.daily is not None else None
        daily = self.daily is not None
        repeats = _flags(len(self.origin), by_id, by_day)  # a byte a row: its key repeats
        del by_id, by_day
        self.hashes = array("Q")  # no longer needed: their memory is freed
        if self.daily is not None:
            self.daily = array("Q")
        touched = repeats.find(1, 0, self.old) >= 0
        was_parquet = old is not None and old.format == "parquet"
        adding = was_parquet and not touched and parquet is not False
        if old is not None and not adding:
            self.sort_old(old)
        if repeats.find(1) < 0:
            lines: Iterator[str] = (line for _, _, line in self.sorter.ordered())
        elif not daily:  # folded as counted by hash: two ids of one hash count as one row
            lines = self.merged_in_order(repeats, counts, origins)
        else:
            kept, folded = self.merge_daily(repeats, counts, origins)
            lines = self.merged_with(kept, repeats)
        auto = parquet is None and not was_parquet
        if parquet is None:
            parquet = was_parquet or len(self.origin) - folded > output.PARQUET_ABOVE_ROWS
        name = "coded_events"
        stale = list(old.paths) if old is not None and not adding else []
        if not parquet:
            written = output.write_csv(work / f"{name}.csv", csv_line(self.columns), lines)
            if auto and not daily and written > output.PARQUET_ABOVE_ROWS:  # pragma: no cover
                # two ids of one 64-bit hash were counted as one row: too many for CSV
                (work / f"{name}.csv").unlink()
                lines, parquet = self.merged_in_order(repeats, None, origins), True
        if not parquet:
            self.count_imported(counts, origins)
            return Layout("csv", [f"{name}.csv"], [p for p in stale if p != f"{name}.csv"])
        first = 1 + _last_part(old.paths if was_parquet and old is not None else [])
        parts = output.write_parquet(work, name, self.columns, lines, first, empty=not adding)
        self.count_imported(counts, origins)
        kept_parts = list(old.paths) if adding and old is not None else []
        return Layout("parquet", kept_parts + parts, stale)

    def count_imported(self, counts: dict[str, Counts], origins: list[str]) -> None:
        """What each file imported: what it gave the sorter less what merged (counted
        as the rows were merged)."""
        emitted: Counter[str] = Counter()  # a file named twice is counted once
        for o, n in self.emitted.items():
            if o != OLD:
                emitted[origins[o]] += n
        for name, n in emitted.items():
            counts[name].imported += n - counts[name].merged

    def fields(self, line: str) -> dict[str, Any]:
        """The model fields of a row the sorter gives back (a CSV line)."""
        cells = next(csv.reader([line]))
        return row_fields("coded_event", dict(zip(self.columns, cells, strict=True)))

    def merged_in_order(
        self,
        repeats: bytearray,
        counts: dict[str, Counts] | None,
        origins: list[str],
    ) -> Iterator[str]:
        """Pass 3 without ``--dedupe daily``: every row's line in id order, the rows of
        an id that repeats merged into the first of them by input order as the sorted
        stream passes (they are adjacent there, ordered by index): what is held is the
        one row being merged. Each row merged is counted for its file in *counts*
        (unless None). A row whose key hash repeats (*repeats*, a byte a row) is written
        again from its fields, alone or not (as :meth:`merge_daily` writes it)."""
        fold: _Fold | None = None
        for key, i, line in self.sorter.ordered():
            if fold is not None and key != fold.key:
                yield fold.line(self.columns)
                fold = None
            if not repeats[i]:
                yield line
            elif fold is None:
                fold = _Fold(key, self.fields(line))
            else:
                fold.add(self.fields(line))
                o = self.origin[i]
                if counts is not None and o != OLD:
                    counts[origins[o]].merged += 1
        if fold is not None:
            yield fold.line(self.columns)

    def merged_with(self, kept: SortedRows, repeats: bytearray) -> Iterator[str]:
        """The lines of the rows in id order: the merged rows *kept* (sorter entries)
        among the others (those whose keys do not repeat: *repeats*)."""
        rest = (e for e in self.sorter.ordered() if not repeats[e[1]])
        return (line for _, _, line in heapq.merge(rest, kept.ordered()))

    def merge_daily(
        self,
        repeats: bytearray,
        counts: dict[str, Counts],
        origins: list[str],
    ) -> tuple[SortedRows, int]:
        """Pass 2 under ``--dedupe daily``: the rows whose keys repeat (*repeats*),
        grouped (:meth:`daily_groups`) and each group merged into its first row as the
        group's rows pass, in input order: the kept rows in a sorter by id, and how
        many rows were folded into them. Counts what each file merged. What is held is
        one group's merged row and the sorters' budgets, whatever the input."""
        grouped = self.daily_groups(repeats)
        kept = SortedRows(self.sorter.folder / "kept")  # removed with it
        folded = 0
        fold: _Fold | None = None
        group, first = "", -1
        for key, i, line in grouped.ordered():
            if fold is not None and key != group:
                kept.add(fold.key, first, fold.line(self.columns))
                fold = None
            f = self.fields(line)
            if fold is None:
                fold, group, first = _Fold(f["id"], f), key, i
                continue
            fold.add(f)
            folded += 1
            o = self.origin[i]
            if o != OLD:
                counts[origins[o]].merged += 1
        if fold is not None:
            kept.add(fold.key, first, fold.line(self.columns))
        shutil.rmtree(grouped.folder, ignore_errors=True)
        return kept, folded

    def daily_groups(self, repeats: bytearray) -> SortedRows:
        """The rows whose keys repeat (*repeats*) in a sorter by group (the group's
        first row, then the row's index): the rows of one id, and of one daily key,
        are in one group, and groups that share a row are one.

        Found exactly, on the keys themselves: the rows of one id are adjacent in the
        sorted rows, those of one daily key in a second sort, and a union-find over
        the rows' indices (:class:`_Joined`, 8 bytes a row) joins them."""
        joined = _Joined(len(self.origin))
        by_day = SortedRows(self.sorter.folder / "day")

        def by_id() -> Iterator[tuple[str, int, str]]:
            """The rows whose keys repeat, by id; their daily keys go to *by_day*."""
            for key, i, line in self.sorter.ordered():
                if repeats[i]:
                    by_day.add(daily_key(self.fields(line)), i, "")
                    yield key, i, line

        joined.join_runs(by_id())
        joined.join_runs(by_day.ordered())
        shutil.rmtree(by_day.folder, ignore_errors=True)
        grouped = SortedRows(self.sorter.folder / "group")
        for _, i, line in self.sorter.unordered():
            if repeats[i]:
                grouped.add(f"{joined.find(i):020d}", i, line)
        return grouped


class _Joined:
    """A union-find over rows by index, in an array of 8 bytes a row: 0 at a group's
    root, its first row (the lowest index), else 1 + the row's parent."""

    def __init__(self, n: int) -> None:
        self.up = array("q", bytes(8 * n))

    def find(self, a: int) -> int:
        up = self.up
        root = a
        while v := up[root]:
            root = v - 1
        while (v := up[a]) and v - 1 != root:  # every row passed now points at the root
            up[a] = root + 1
            a = v - 1
        return root

    def join_runs(self, entries: Iterable[tuple[str, int, str]]) -> None:
        """Join the rows of each run of one key in *entries* (sorted by key)."""
        find, up = self.find, self.up
        last: str | None = None
        first = -1
        for key, i, _ in entries:
            if key != last:
                last, first = key, i
                continue
            a, b = find(first), find(i)
            if a != b:  # the lower root stays: a group's root is its first row
                up[max(a, b)] = min(a, b) + 1


class _Fold:
    """A kept row and what the rows merged into it add: their native ids and merged ids
    each once (an ``--append`` of the same rows again adds none), their sources in
    order."""

    __slots__ = ("fields", "ids", "key", "seen_ids", "seen_sources", "sources")

    def __init__(self, key: str, fields: dict[str, Any]) -> None:
        self.key = key
        self.fields = fields
        self.ids: list[str] = list(fields.get("merged_ids", []))
        self.seen_ids = set(self.ids)
        self.sources: list[str] = list(fields["sources"])
        self.seen_sources = set(self.sources)

    def add(self, g: dict[str, Any]) -> None:
        for n in [g["native_id"], *g.get("merged_ids", [])]:
            if n not in self.seen_ids:
                self.ids.append(n)
                self.seen_ids.add(n)
        for s in g["sources"]:
            if s not in self.seen_sources:
                self.sources.append(s)
                self.seen_sources.add(s)

    def line(self, columns: list[str]) -> str:
        f = self.fields
        if self.ids:
            f["merged_ids"] = self.ids
        f["sources"] = self.sources
        return csv_line([_cell(f.get(c)) for c in columns])


@dataclass
class Layout:
    """How the coded-event table was written: its format, its files, and the files of
    the table it replaces that are no longer the table's (removed once the new
    descriptor is in place)."""

    format: str
    paths: list[str]
    stale: list[str]


def _last_part(paths: list[str]) -> int:
    """The highest part number among *paths* (0 when none is numbered)."""
    numbers = [int(m.group(1)) for p in paths if (m := re.search(r"-(\d+)\.parquet$", p))]
    return max(numbers, default=0)


def _repeats(values: array) -> tuple[Any, int]:  # type: ignore[type-arg]
    """Which of *values* occur more than once (a pyarrow boolean array, or None when
    none does), and how many of them repeat an earlier one. Counted by pyarrow in C,
    one range of values at a time so that the counting never holds more than a
    sixty-fourth of them (20 million keys: about 150 MB above the array itself)."""
    if len(values) == 0:
        return None, 0
    import pyarrow as pa
    import pyarrow.compute as pc

    pool = pa.system_memory_pool()  # gives freed memory back, between the ranges
    arr = pa.Array.from_buffers(pa.uint64(), len(values), [None, pa.py_buffer(values)])
    parts = 64 if len(values) > 1_000_000 else 1
    step = 2**64 // parts
    found = None
    extra = 0
    mask = None
    for b in range(parts):
        if parts == 1:
            part = arr
        else:
            mask = pc.greater_equal(arr, pa.scalar(b * step, pa.uint64()), memory_pool=pool)
            if b < parts - 1:
                upper = pc.less(arr, pa.scalar((b + 1) * step, pa.uint64()), memory_pool=pool)
                mask = pc.and_(mask, upper, memory_pool=pool)
            part = pc.filter(arr, mask, memory_pool=pool)
        counted = pc.value_counts(part, memory_pool=pool)
        repeat = pc.greater(counted.field("counts"), 1, memory_pool=pool)
        many = pc.filter(counted.field("values"), repeat, memory_pool=pool)
        if len(many) == 0:
            continue
        times = pc.filter(counted.field("counts"), repeat, memory_pool=pool)
        extra += pc.sum(times, memory_pool=pool).as_py() - len(many)
        hit = pc.is_in(part, value_set=many, memory_pool=pool)
        if mask is None:
            return hit, extra
        if found is None:
            zeros = pa.py_buffer(bytearray((len(values) + 7) // 8))  # all false, a bit each
            found = pa.Array.from_buffers(pa.bool_(), len(values), [None, zeros])
        found = pc.replace_with_mask(found, mask, hit, memory_pool=pool)  # the range's rows
    return found, extra


def _flags(n: int, *found: Any) -> bytearray:
    """A byte for each of *n* rows: 1 where any of *found* (as :func:`_repeats` gives
    them) is true, else 0."""
    import pyarrow as pa
    import pyarrow.compute as pc

    hits = [f for f in found if f is not None]
    if not hits:
        return bytearray(n)
    either = functools.reduce(pc.or_, hits)
    as_bytes = pc.cast(either, pa.uint8())
    return bytearray(memoryview(as_bytes.buffers()[1])[as_bytes.offset : as_bytes.offset + n])


# -- output folder, other records, README ---------------------------------------------


def check_out(out: Path, append: bool, kind: str) -> Path | None:
    """The existing package folder to append to, or None for a new one; refuses to
    write over anything that is not an import's package."""
    from bilat.files import WriteRefused, guard_out

    try:
        guard_out(out, folder=True)
    except WriteRefused as exc:
        raise refused(exc) from None
    if not out.exists():
        if not out.parent.is_dir():
            raise ImportProblem(f"{out.parent}: no such folder")
        return None
    descriptor = out / "datapackage.json"
    if not os.path.lexists(descriptor):
        if any(out.iterdir()):
            raise ImportProblem(
                f"{out}: a folder that holds files but no package; nothing was written"
            )
        return None
    if not append:
        raise ImportProblem(f"{out}: already holds a package; use --append to add to it")
    made = read_descriptor(out).get("x-bilat-import")
    if not isinstance(made, dict) or made.get("kind") != kind:
        raise ImportProblem(
            f"{out}: not a package written by bilat import for this format; --append adds "
            "only to those"
        )
    check_runs(made.get("runs", []), out / "datapackage.json")
    for name in ("datapackage.json", "README.md", REJECTED_FILE):  # refused before the work
        guard_target(out / name)
    return out


def check_runs(runs: Any, path: Path) -> None:
    """Refuse (:class:`ImportProblem`) the ``x-bilat-import.runs`` of the descriptor
    *path* unless each is as an import writes it: the README tells each run again."""
    counts = ("read", "imported", "merged", "skipped", "rejected")

    def tally(value: Any) -> bool:
        return isinstance(value, dict) and all(isinstance(value.get(k), int) for k in counts)

    if not isinstance(runs, list):
        raise ImportProblem(
            f"{path}: x-bilat-import.runs is not a list; --append adds a run to it, and "
            "nothing was written"
        )
    for n, run in enumerate(runs, 1):
        ok = (
            isinstance(run, dict)
            and isinstance(run.get("format"), str)
            and isinstance(run.get("files"), dict)
            and all(tally(c) for c in run["files"].values())
            and tally(run.get("total"))
            and isinstance(run.get("actors", {}), dict)
            and isinstance(run.get("dedupe"), str | None)
        )
        if not ok:
            raise ImportProblem(
                f"{path}: x-bilat-import.runs[{n}] is not a run as bilat import writes it "
                "(format, files, total); --append tells each run again, and nothing was "
                "written"
            )


def refused(exc: Exception) -> ImportProblem:
    """*exc* (a :class:`WriteRefused`) as an :class:`ImportProblem` that says, once,
    that nothing was written."""
    text = str(exc)
    return ImportProblem(text if "nothing was written" in text else f"{text}; nothing was written")


def guard_target(target: Path, root: Path | None = None) -> None:
    """Refuse (:class:`ImportProblem`) to replace *target*, a file an import writes,
    unless it is absent or a regular file; each folder between *root* and it must be
    absent or a folder (a link to one is refused too)."""
    from bilat.files import WriteRefused, guard_out

    try:
        if root is not None:
            folder = target.parent
            between = []
            while folder != root and root in folder.parents:
                between.append(folder)
                folder = folder.parent
            for d in reversed(between):
                if not os.path.lexists(d):
                    return  # created by the move: nothing below it to replace
                guard_out(d, folder=True)
        guard_out(target, force=True)
    except WriteRefused as exc:
        raise refused(exc) from None


def read_descriptor(folder: Path) -> dict[str, Any]:
    """The datapackage.json of the package *folder*, read as every file of the package
    ``--append`` adds to is: only if a regular file (never blocking on a FIFO), capped
    at the size ``bilat validate`` reads. :class:`ImportProblem` naming it otherwise."""
    from bilat.files import read_capped
    from bilat.validation.descriptor import MAX_DESCRIPTOR_BYTES

    path = folder / "datapackage.json"
    try:
        data = json.loads(read_capped(path, MAX_DESCRIPTOR_BYTES).decode("utf-8"))
    except (FileProblem, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise ImportProblem(f"{path}: cannot read it ({exc}); nothing was written") from None
    if not isinstance(data, dict):
        raise ImportProblem(f"{path}: not a JSON object; nothing was written")
    return data


def curated_records(actors: Path | None) -> Curated | None:
    if actors is None:
        return None
    from bilat.package import PackageError, read_package

    try:
        return Curated.load(read_package(actors))
    except PackageError as exc:
        raise ImportProblem(f"--actors {actors}: not a valid package: {exc}") from None


def _file_sources(files: Iterable[Path], fmt: Any) -> list[dict[str, Any]]:
    out = []
    for path in files:
        try:
            out.append(file_source(path, fmt.dataset, fmt.title, fmt.citation))
        except FileProblem as exc:
            raise ImportProblem(f"{path}: cannot read it: {exc}") from None
    return out


def _existing_rows(path: Path, kind: str) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    from bilat.tables import columns

    names = [c.name for c in columns(kind)]
    for n, cells in enumerate(appended_rows(path.parent, "csv", [path.name], names), 1):
        yield checked_fields(kind, dict(zip(names, cells, strict=True)), f"{path}: row {n}")


def read_small(existing: Path | None, kind: str) -> dict[str, dict[str, Any]]:
    from bilat.tables import RESOURCE_NAMES

    if existing is None:
        return {}
    return {r["id"]: r for r in _existing_rows(existing / f"{RESOURCE_NAMES[kind]}.csv", kind)}


def add_states(out: dict[str, dict[str, dict[str, Any]]], resolver: Resolver) -> None:
    """Add to *out* a State record for each ISO code *resolver* resolved a side to,
    named from ISO 3166 and citing the ISO Source (added too)."""
    from bilat.importers import reference

    if resolver.states:
        out["source"].setdefault(ISO_SOURCE_ID, dict(ISO_SOURCE))
    for iso3 in sorted(resolver.states):
        out["state"].setdefault(
            iso3.lower(),
            {
                "id": iso3.lower(),
                "kind": "state",
                "name": reference.state_name(iso3),
                "iso3": iso3,
                "sources": [ISO_SOURCE_ID],
            },
        )


def _other_records(
    existing: Path | None,
    sources: dict[str, dict[str, Any]],
    resolver: Resolver,
    actors: Path | None,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Sources, States and curated actors to write beside the rows, by kind and id."""

    out = {k: read_small(existing, k) for k in OTHER_KINDS}
    for sid, s in sources.items():
        out["source"].setdefault(sid, s)
    add_states(out, resolver)
    if resolver.curated is not None and resolver.used:
        for rec in curated_closure(resolver.curated, resolver.used):
            data = rec.model_dump(mode="json", exclude_none=True)
            out.setdefault(rec.KIND, {})[rec.id] = data
            if rec.KIND == "source" and data.get("seed") and actors is not None:
                out.setdefault("_seeds", {})[data["seed"]] = {"from": str(actors / data["seed"])}
    return out


def curated_closure(curated: Curated, ids: set[str]) -> list[Any]:
    """The curated records *ids* and every record they refer to, transitively."""
    from bilat.models import Record, reference_fields

    seen: dict[str, Any] = {}
    todo = list(ids)
    while todo:
        rid = todo.pop()
        if rid in seen or rid not in curated.records:
            continue
        rec = curated.records[rid]
        seen[rid] = rec
        model: type[Record] = type(rec)
        for ref in reference_fields(model):
            value = getattr(rec, ref.name)
            todo.extend(value if ref.many else ([value] if value else []))
    return [seen[k] for k in sorted(seen)]


def write_small(path: Path, kind: str, rows: Iterable[dict[str, Any]]) -> None:
    """Records of *kind* (as field dicts) as the CSV file *path*, as ``bilat fmt``
    writes them (through the model, so a field left to its default is written)."""
    from bilat.files import atomic_write
    from bilat.models import RECORD_TYPES
    from bilat.package import csv_bytes

    model = RECORD_TYPES[kind]
    atomic_write(path, csv_bytes(kind, [model.model_validate(r) for r in rows]))


def finish_import(
    work: Path,
    out: Path,
    kind: str,
    extra: dict[str, dict[str, dict[str, Any]]],
    result: ImportResult,
    existing: Path | None,
    title: str,
    dedupe: str | None,
    n_rejected: int,
    also: tuple[str, ...] = (),
    layout: Layout | None = None,
) -> None:
    """Write the other resources, the descriptor and the README in *work*, then move
    every file into *out*, the descriptor last; then remove the files of the table
    *layout* replaced."""
    from bilat.models import RECORD_TYPES

    kinds = [
        k for k in RECORD_TYPES if k == kind or k in also or (k in OTHER_KINDS and extra.get(k))
    ]
    _write_others(work, kinds, extra)
    history = []
    old: dict[str, Any] = {}
    if existing is not None:
        old = read_descriptor(existing)
        history = list(old.get("x-bilat-import", {}).get("runs", []))
    history.append(
        {
            "format": result.format,
            "files": {n: vars(c) for n, c in result.files.items()},
            "total": vars(result.total),
            "actors": dict(result.actors),
            "dedupe": dedupe,
        }
    )
    descriptor = _descriptor(out, title, kind, kinds, history, layout)
    descriptor["resources"] += kept_resources(old, descriptor["resources"])
    generated = _readme(title, history, result, n_rejected)
    (work / "README.md").write_text(readme_text(existing, generated), encoding="utf-8")
    if n_rejected == 0:
        (work / REJECTED_FILE).unlink(missing_ok=True)
    (work / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    moves = [(p, out / p.relative_to(work)) for p in _files_of(work)]
    moves.sort(key=lambda m: m[0].name == "datapackage.json")  # the descriptor last
    gone = [out / REJECTED_FILE] if n_rejected == 0 else []  # an earlier run's rejections
    if os.path.lexists(out):  # each file it replaces, before any is
        for target in [t for _, t in moves] + gone:
            guard_target(target, out)
    if layout is not None:  # the old table's files the new descriptor no longer lists
        # (regular files of the folder: OldTable.of checked them)
        gone += [out / rel for rel in layout.stale if rel not in layout.paths]
    out.mkdir(exist_ok=True)
    move_in(moves, gone, out)


def _write_others(
    work: Path, kinds: list[str], extra: dict[str, dict[str, dict[str, Any]]]
) -> None:
    """The small resources (sources, states, actors) and the seeds of the curated
    sources copied, into *work*."""
    from bilat.tables import RESOURCE_NAMES

    for k in kinds:
        if k in OTHER_KINDS:
            write_small(work / f"{RESOURCE_NAMES[k]}.csv", k, extra[k].values())
    for seed, info in extra.get("_seeds", {}).items():
        target = work / seed
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(info["from"], target)


def _descriptor(
    out: Path,
    title: str,
    kind: str,
    kinds: list[str],
    history: list[dict[str, Any]],
    layout: Layout | None,
) -> dict[str, Any]:
    """The package's datapackage.json: a resource per kind, *kind*'s laid out as
    *layout* says (CSV when None)."""
    from bilat import versions
    from bilat.tables import RESOURCE_NAMES, resource_descriptor

    present = frozenset(RESOURCE_NAMES[k] for k in kinds)
    resources = []
    for k in kinds:
        res = resource_descriptor(k, "csv", present)
        if k == kind and layout is not None and layout.format == "parquet":
            for key in ("mediatype", "encoding", "dialect"):
                res.pop(key)
            paths = layout.paths
            res.update(path=paths[0] if len(paths) == 1 else list(paths), format="parquet")
        elif k == kind and layout is not None:
            res["path"] = layout.paths[0]
        resources.append(res)
    name = out.name.lower().replace("_", "-")
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "".join(ch if ch.isalnum() or ch in "-._" else "-" for ch in name) or "import",
        "title": f"{title} imported by bilat",
        "version": "0.1.0",
        "x-bilat-import": {"kind": kind, "runs": history},
        versions.KEY: versions.declaration(versions.CURRENT),
        "resources": resources,
    }


def kept_resources(old: dict[str, Any], written: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The resources of the descriptor *old* (of the package ``--append`` adds to) that
    the import does not write itself (*written*): the links ``bilat link`` added, a
    resource its user added. They are kept as they were, their files untouched."""
    ours = {r["name"] for r in written}
    resources = old.get("resources")
    if not isinstance(resources, list):
        return []
    return [r for r in resources if not (isinstance(r, dict) and r.get("name") in ours)]


def _files_of(folder: Path) -> list[Path]:
    """Every file under *folder*, sorted."""
    return sorted(p for p in folder.rglob("*") if not p.is_dir() or p.is_symlink())


class PartlyWritten(ImportProblem):
    """An import that replaced some of the package's files and could not put them back."""


#: The record :func:`move_in` keeps, in the folder of the files it moves aside, of
#: what it moves: enough to finish or undo the move after the process is killed.
MOVES_JOURNAL = "moves.json"
#: The suffix a folder of moved-aside files takes once it is not needed: removed.
DISCARDED = ".done"


def move_in(moves: list[tuple[Path, Path]], gone: list[Path], out: Path) -> None:
    """Each *moves* (file, target) renamed onto its target, in order (the descriptor
    last), and each file of *gone* removed: all of it or none.

    The files replaced are first moved aside, into a folder beside *out*
    (``.OUT.replaced-XXXX``) that holds, before the first rename, a record of every
    step (:data:`MOVES_JOURNAL`). When a rename fails or the move is interrupted
    (Ctrl-C, wherever it lands), what was done is undone, in reverse, read from the
    files themselves rather than from what this process remembers doing, and the
    :class:`ImportProblem` names the file that failed and says that nothing was
    written. When undoing fails too, :class:`PartlyWritten` names the files replaced
    and the folder that keeps the old ones. A process killed midway (SIGKILL) leaves
    the folder and its record: the next import into *out* finishes the move or undoes
    it (:func:`recover_moves`)."""
    steps: list[tuple[Path | None, Path]] = [(None, g) for g in gone] + list(moves)
    aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.replaced-", dir=out.parent))
    failed = aside / MOVES_JOURNAL
    try:
        record = _moves_record(steps, out)
        _write_record(aside, record)
        for n, (src, target) in enumerate(steps):
            failed = target
            if record["steps"][n][1]:
                os.replace(target, aside / _aside_name(n, target))
            if src is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, target)
    except BaseException as exc:
        _undo(aside, out, failed, exc, [src for src, _ in steps])
        raise  # a KeyboardInterrupt (or any error but an OSError), once undone
    _discard(aside)


def _moves_record(steps: list[tuple[Path | None, Path]], out: Path) -> dict[str, Any]:
    """What :func:`move_in` is about to do: each step's target (relative to *out*),
    whether it holds a file to move aside, and whether a new file is moved onto it;
    and the folders of *out* the move makes."""
    made: set[str] = set()
    for src, target in steps:
        folder = target.parent
        while src is not None and folder != out and out in folder.parents:
            if not os.path.lexists(folder):
                made.add(folder.relative_to(out).as_posix())
            folder = folder.parent
    return {
        "steps": [
            [t.relative_to(out).as_posix(), os.path.lexists(t), src is not None] for src, t in steps
        ],
        "made": sorted(made, key=lambda rel: (-rel.count("/"), rel)),  # deepest first
    }


def _write_record(aside: Path, record: dict[str, Any]) -> None:
    from bilat.files import atomic_write

    atomic_write(aside / MOVES_JOURNAL, json.dumps(record).encode("utf-8"))


def _aside_name(n: int, target: Path) -> str:
    return f"{n:05d}-{target.name}"


def _discard(aside: Path) -> None:
    """Remove the folder *aside*, renamed first so that, stopped midway, it is never
    read again as a record of a move to finish."""
    done = aside.with_name(aside.name + DISCARDED)
    try:
        os.replace(aside, done)
    except OSError:
        done = aside
    shutil.rmtree(done, ignore_errors=True)


def _read_record(aside: Path) -> dict[str, Any] | None:
    """The record of the folder *aside* (:data:`MOVES_JOURNAL`), or None when it has
    none, or one that is not as :func:`move_in` writes it."""
    from bilat.files import read_capped

    def plain(rel: Any) -> bool:
        parts = rel.split("/") if isinstance(rel, str) else [""]
        return "\x00" not in rel and all(p not in ("", ".", "..") for p in parts)

    try:
        record = json.loads(read_capped(aside / MOVES_JOURNAL, 64 << 20))
        steps, made = record["steps"], record["made"]
        ok = all(
            isinstance(s, list)
            and len(s) == 3
            and plain(s[0])
            and isinstance(s[1], bool)
            and isinstance(s[2], bool)
            for s in steps
        ) and all(plain(rel) for rel in made)
    except (FileProblem, ValueError, KeyError, TypeError):
        return None
    return record if ok else None


def _moved(aside: Path, out: Path, n: int, step: list[Any]) -> bool:
    """Whether the step *n* of a move (its record *step*) was done: its old file is
    aside and its new file (if any) in its place."""
    rel, old, new = step
    target = out.joinpath(*rel.split("/"))
    if old and not os.path.lexists(aside / _aside_name(n, target)):
        return False
    return not new or os.path.lexists(target)


def _roll_back(
    aside: Path, out: Path, record: dict[str, Any], srcs: list[Path | None] | None
) -> tuple[list[str], int]:
    """Undo, in reverse, the steps of the move *record* that were done, as the files
    show them: each new file in place is moved back to its source (*srcs*, when its
    folder is still there) or removed, and each old file moved back from *aside*; then
    the folders the move made are removed when empty. The targets that could not be
    put back, and the number of new files moved back to their sources."""
    left: list[str] = []
    put_back = 0
    for n in reversed(range(len(record["steps"]))):
        rel, old, new = record["steps"][n]
        target = out.joinpath(*rel.split("/"))
        copy = aside / _aside_name(n, target)
        try:
            in_place = os.path.lexists(target) and (os.path.lexists(copy) if old else True)
            if new and in_place:
                src = srcs[n] if srcs is not None else None
                if src is not None and src.parent.is_dir() and not os.path.lexists(src):
                    os.replace(target, src)
                    put_back += 1
                else:
                    os.unlink(target)
            if old and os.path.lexists(copy):
                os.replace(copy, target)
        except OSError:
            left.append(rel)
    for rel in record["made"]:
        with contextlib.suppress(OSError):
            out.joinpath(*rel.split("/")).rmdir()
    return left, put_back


def _undo(
    aside: Path, out: Path, failed: Path, exc: BaseException, srcs: list[Path | None]
) -> None:
    """Put back what :func:`move_in` did before *failed*; raise what to say (or let
    *exc*, not an OSError, be raised again)."""
    why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "interrupted"
    record = _read_record(aside)
    left: list[str] = []
    put_back = 0
    if record is not None:  # else stopped before it was written: nothing was moved
        left, put_back = _roll_back(aside, out, record, srcs)
    if not left:
        _discard(aside)
        if isinstance(exc, OSError):
            raise ImportProblem(
                f"{failed}: cannot replace it ({why}); nothing was written "
                f"({put_back} files already moved into {out} were put back)"
            ) from None
        return
    assert record is not None
    kept = sorted({s[0] for s in record["steps"]} - set(left))
    raise PartlyWritten(
        f"{failed}: cannot replace it ({why}), nor put back what was already replaced: "
        f"{out} is half-written: replaced {', '.join(sorted(left))} (the old files are in "
        f"{aside}; the next bilat import into {out} puts them back); as they were: "
        f"{', '.join(kept)}"
    ) from None


def _ours(aside: Path, name: str) -> bool:
    """Whether *aside* may be a folder :func:`move_in` made (*name*, what follows its
    prefix, as ``tempfile.mkdtemp`` names it, maybe :data:`DISCARDED`): a folder, not a
    link, of this user's. Any other is never read nor removed."""
    if not re.fullmatch(rf"{MKDTEMP_NAME}({re.escape(DISCARDED)})?", name):
        return False
    try:
        info = aside.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()


def _unsafe_record(aside: Path, out: Path, record: dict[str, Any]) -> str | None:
    """Why the move *record* of the folder *aside* is not one to undo or finish as it
    stands, or None: a target reached through a link, or an old copy that is not a
    regular file of this user's."""
    for n, (rel, _old, _new) in enumerate(record["steps"]):
        folder = out
        for part in rel.split("/")[:-1]:
            folder = folder / part
            if folder.is_symlink():
                return f"{rel} is reached through the link {folder}"
        copy = aside / _aside_name(n, out.joinpath(*rel.split("/")))
        try:
            info = copy.lstat()
        except FileNotFoundError:
            continue
        except OSError as exc:
            return f"{copy.name}: {exc.strerror or exc}"
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            return f"{copy.name} is not a regular file of this user's"
    return None


def recover_moves(out: Path) -> None:
    """Finish what an import into *out* killed while moving its files in left beside
    it (see :func:`move_in`); called with *out* locked (:func:`lock_out`), so no live
    import is moving files into it.

    Each folder ``.OUT.replaced-XXXX`` is read by its record: when the move's last
    step (the descriptor) was done, the import is whole and the old files it kept are
    removed; otherwise the move is undone, the old files put back and the new ones
    removed, so *out* is the package it was before that import, which must be run
    again. A folder with no record holds the only copy of old files of *out* (an
    older bilat wrote it, or its process failed to put them back): it is refused with
    an :class:`ImportProblem` that names it and says what to do; nothing is guessed.
    A folder the record of which was not written yet holds nothing and is removed."""
    import glob

    if out.is_symlink():
        return  # refused by check_out; never followed
    prefix = f".{out.name}.replaced-"
    for aside in sorted(out.parent.glob(f"{glob.escape(prefix)}*")):
        name = aside.name[len(prefix) :]
        if not _ours(aside, name):
            continue
        if name.endswith(DISCARDED):
            shutil.rmtree(aside, ignore_errors=True)
            continue
        record = _read_record(aside)
        why = None if record is None else _unsafe_record(aside, out, record)
        if why is not None:
            raise ImportProblem(
                f"{aside}: a record of a move into {out} that bilat will not act on ({why}): "
                "remove the folder once its files are where they belong, and import again; "
                "nothing was written"
            )
        if record is None:
            temporary = f".{MOVES_JOURNAL}."  # the record's, as it was being written
            if all(p.name.startswith(temporary) for p in aside.iterdir()):  # moved nothing
                _discard(aside)
                continue
            raise ImportProblem(
                f"{aside}: old files of {out} that an import stopped while moving its files "
                f"in (an older bilat, or one that could not put them back) moved aside, "
                f"with no record of where each goes: put back into {out} those it lacks "
                "(each is named NNNNN-<its file name>), then remove the folder and import "
                "again; nothing was written"
            )
        steps = record["steps"]
        if steps and not _moved(aside, out, len(steps) - 1, steps[-1]):
            left, _ = _roll_back(aside, out, record, None)
            if left:
                raise ImportProblem(
                    f"{aside}: cannot put back {', '.join(left)} into {out}, which an "
                    "import stopped while moving its files in replaced: they are in that "
                    "folder; nothing was written"
                )
        _discard(aside)


#: The lines around the part of README.md an import writes (and writes again at each
#: ``--append``); what is outside them is the user's, kept as it is.
README_START = "<!-- bilat import: written by each import, up to the end marker -->"
README_END = "<!-- bilat import: end -->"
#: The largest README.md ``--append`` reads.
MAX_README_BYTES = 16 << 20


def readme_text(existing: Path | None, generated: str) -> str:
    """The package's README.md: *generated* between the markers; in the package
    ``--append`` adds to, in place of the marked part of its README, the rest kept (a
    README without the markers, hand-written or older, is kept whole, the marked part
    added after it)."""
    from bilat.files import read_capped

    marked = f"{README_START}\n{generated.rstrip()}\n{README_END}\n"
    path = existing / "README.md" if existing is not None else None
    if path is None or not os.path.lexists(path):
        return marked
    try:
        old = read_capped(path, MAX_README_BYTES).decode("utf-8")
    except (FileProblem, ValueError) as exc:
        raise ImportProblem(
            f"{path}: cannot read it ({exc}); --append keeps what it holds beside the "
            "import's part, and nothing was written"
        ) from None
    start = old.find(README_START)
    end = old.find(README_END, start + 1) if start >= 0 else -1
    if start < 0 or end < 0:
        return f"{old.rstrip()}\n\n{marked}" if old.strip() else marked
    after = old[end + len(README_END) :].removeprefix("\n")
    return old[:start] + marked + after


def _readme(
    title: str, history: list[dict[str, Any]], result: ImportResult, n_rejected: int
) -> str:
    out = io.StringIO()
    out.write(f"# {title} imported by bilat\n\n")
    out.write(
        "Written by `bilat import`. Every row read is accounted for: "
        "read = imported + merged + skipped + rejected.\n\n"
    )
    for n, run in enumerate(history, 1):
        out.write(
            f"## Import {n}: {run['format']}"
            + (f", --dedupe {run['dedupe']}" if run.get("dedupe") else "")
            + "\n\n"
        )
        out.write(
            "| file | read | imported | merged | skipped | rejected |\n|---|---|---|---|---|---|\n"
        )
        for name, c in run["files"].items():
            out.write(
                f"| {name} | {c['read']} | {c['imported']} | {c['merged']} | {c['skipped']} | {c['rejected']} |\n"
            )
        t = run["total"]
        out.write(
            f"| **total** | {t['read']} | {t['imported']} | {t['merged']} | {t['skipped']} | {t['rejected']} |\n\n"
        )
        a = run["actors"]
        out.write(
            f"Actors: {a.get('resolved', 0)} resolved ({a.get('by_country', 0)} as states, "
            f"{a.get('by_wikidata', 0)} by Wikidata id, {a.get('by_name', 0)} by name), "
            f"{a.get('raw', 0)} left raw"
            + (f", {a['compound']} compound sides left raw" if a.get("compound") else "")
            + ".\n\n"
        )
    if n_rejected:
        out.write(f"## Rejected rows of the last import ({n_rejected})\n\n")
        out.write(f"All of them are listed in `{REJECTED_FILE}`")
        out.write(
            f"; the first {len(result.rejections_shown)}:\n\n"
            if n_rejected > len(result.rejections_shown)
            else ":\n\n"
        )
        for r in result.rejections_shown:
            out.write(f"- {str(r).replace('|', '/')}\n")
        out.write("\n")
    return out.getvalue()


__all__ = [
    "UNLOCKED_WORK_DAYS",
    "Counts",
    "ImportProblem",
    "ImportResult",
    "PartlyWritten",
    "Rejection",
    "appended_rows",
    "begin",
    "import_events",
    "move_in",
    "recover_moves",
    "sweep_work",
    "work_folder",
]
