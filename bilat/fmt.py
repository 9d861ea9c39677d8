"""Formatting a package canonically (``bilat fmt``), in the manner of ``ruff format``.

The canonical form is what :func:`bilat.package.write_package` writes: rows sorted by
id, every column of the Table Schema in order, one way of writing each cell, UTF-8
with LF line ends; and a datapackage.json whose record resources carry the generated
descriptors (Table Schemas with the foreign keys the resources present allow).
Unknown resources, and fields bilat does not manage, are kept as they are. A data
card (README.md) with a coverage block gets the block regenerated from the records
(:mod:`bilat.card`), and a source's ``seed_sha256`` is set from its seed file: what is
derived from the package is regenerated from it.

A resource whose rows cannot all be read as records is left untouched and reported.
A package's files are written all or none: each is guarded (never a link or a
special file) and written in full to a temporary name before any is renamed into
place (the descriptor last), so a refused file or a failed write changes nothing. The
renames are not one atomic step: a run stopped between two of them leaves each file
either as it was or formatted. A plain reformat is finished by the next run; an
upgrade stopped so is not (its tables are half in the new version, which the next
`--upgrade` refuses): restore the package from its release or version control.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bilat import versions
from bilat.card import with_coverage
from bilat.files import (
    FileProblem,
    WriteRefused,
    commit,
    guard_out,
    inside,
    kind_of,
    named,
    path_problem,
    read_capped,
    temporary_beside,
    why_not_regular,
)
from bilat.findings import Report, printable
from bilat.models import Record
from bilat.package import csv_header, csv_row, json_item, json_text
from bilat.tables import KIND_OF_RESOURCE, resource_descriptor
from bilat.validation.rules import MAX_SEED_BYTES

if TYPE_CHECKING:
    from bilat.validation import Run

#: Descriptor keys bilat writes for a record resource (others are kept).
MANAGED = frozenset(
    {"name", "type", "path", "scheme", "format", "mediatype", "encoding", "dialect", "schema"}
)
#: Largest data card (README.md) fmt reads to regenerate its coverage table: a card
#: is a few kilobytes of text.
MAX_CARD_BYTES = 16 << 20
#: Layer 2 findings that formatting repairs rather than refuses: columns in another
#: order. (A header that lacks a column is not: its rows are not read as records, so
#: the table would be written empty.)
REPAIRABLE = frozenset({"header-mismatch"})
#: Characters of canonical text gathered before they are encoded and written (or
#: compared with the file) in one piece.
CHUNK_CHARS = 1 << 20


class Canonical:
    """The canonical text of one record table, built a row at a time as the package is
    read: each record's canonical line (or JSON item) goes to an external merge sort
    on disk (:class:`bilat.importers.output.SortedRows`, which holds a bounded amount),
    and :meth:`chunks` gives the table's bytes back, rows sorted by id (ties in the
    order read, as a stable sort leaves them), as many times as asked."""

    def __init__(self, kind: str, fmt: str, version: str) -> None:
        import secrets
        import shutil
        import weakref

        from bilat.cachedir import host_name, own_folder
        from bilat.importers.output import SortedRows

        self.fmt = fmt
        self.names, self.header = csv_header(kind, version)
        # made by the sort's first run file only (a small table never touches the
        # disk), and removed with this object (or at exit), in this process's own
        # folder of the temporary folder: removed, if the process is killed first, by
        # the next fmt of this machine (bilat.cachedir.own_folder)
        mine = own_folder(Path(tempfile.gettempdir()), f"bilat-fmt-{host_name()}-")
        work = mine / f"{kind}-{secrets.token_hex(8)}"
        weakref.finalize(self, shutil.rmtree, work, ignore_errors=True)
        self.rows = SortedRows(work)

    def add(self, record: Record) -> None:
        line = json_item(record) if self.fmt == "json" else csv_row(record, self.names)
        self.rows.add(record.id, self.rows.count, line)

    def _texts(self) -> Iterator[str]:
        lines = (line for _id, _index, line in self.rows.ordered())
        if self.fmt == "json":
            yield from json_text(lines)
        else:
            yield self.header
            yield from lines

    def chunks(self) -> Iterator[bytes]:
        """The table's canonical bytes, a megabyte or so at a time."""
        held: list[str] = []
        size = 0
        for text in self._texts():
            held.append(text)
            size += len(text)
            if size >= CHUNK_CHARS:
                yield "".join(held).encode("utf-8")
                held, size = [], 0
        if held:
            yield "".join(held).encode("utf-8")


#: A file's canonical content: its bytes, or a table's :class:`Canonical` rows.
Content = bytes | Canonical


@dataclass
class Formatted:
    """What formatting one package would change, and what it could not format."""

    target: str
    #: file -> its canonical content, for every file whose bytes would change
    changes: dict[Path, Content] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    #: why the package was left as it is without a problem (it is not a bilat package)
    skipped: str | None = None

    def refused(self) -> dict[Path, str]:
        """The files of :attr:`changes` bilat will not replace (a link, a folder, a
        device, a FIFO, a socket), each with the one line that says why: the guard
        every command that writes passes (:func:`bilat.files.guard_out`)."""
        out: dict[Path, str] = {}
        for path in sorted(self.changes):
            try:
                guard_out(path, force=True)
            except WriteRefused as exc:
                out[path] = str(exc)
        return out

    def write(self, written: Callable[[Path], None] | None = None) -> None:
        """Write the changes, all or none: every file is guarded first (a file that is
        a link or not a regular file is never replaced: :class:`WriteRefused`, and
        nothing is written), then written in full to a temporary file beside it, and
        only once every temporary file is written are they renamed into place, data
        files first, datapackage.json last; *written* is called with each file once
        it is renamed. An error while writing (a full disk) removes the temporary
        files and replaces nothing.

        What is not atomic: the renames, one per file, are not one step. A run stopped
        between two of them (killed, or a file turned into a link meanwhile, which
        :func:`bilat.files.commit` refuses) leaves each file whole, either as it was or
        formatted, but the package partly formatted; running ``bilat fmt`` again
        finishes a plain reformat, not an upgrade (see the module docstring)."""
        refused = self.refused()
        if refused:
            first = next(iter(refused.values()))
            raise WriteRefused(f"{first}; nothing in {self.target} was written")
        order = sorted(self.changes, key=lambda p: (p.name == "datapackage.json", str(p)))
        with contextlib.ExitStack() as temporaries:
            ready: list[tuple[Path, Path]] = []
            for path in order:
                tmp = temporaries.enter_context(temporary_beside(path))
                try:
                    with open(tmp, "wb") as f:
                        for chunk in _chunks(self.changes[path]):
                            f.write(chunk)
                        f.flush()
                        os.fsync(f.fileno())
                except OSError as exc:
                    raise named(exc, path) from None
                ready.append((tmp, path))
            for tmp, path in ready:
                commit(tmp, path)
                if written is not None:
                    written(path)


def _chunks(content: Content) -> Iterator[bytes]:
    if isinstance(content, bytes):
        yield content
    else:
        yield from content.chunks()


def _same(path: Path, chunks: Iterator[bytes]) -> bool:
    """Whether the file *path* holds exactly the bytes of *chunks*, read a piece at a
    time (False when it cannot be read)."""
    try:
        with open(path, "rb") as f:
            for chunk in chunks:
                if f.read(len(chunk)) != chunk:
                    return False
            return f.read(1) == b""
    except OSError:
        return False


def not_a_target(target: str | Path) -> str | None:
    """Why *target* cannot be formatted at all, in one line naming it (a usage error,
    exit 2 in the CLI), or None: it must be a folder or a regular file named
    datapackage.json (links followed), not a .zip, a FIFO, a device or a name that is
    not there."""
    label = printable(str(target))
    takes = "bilat fmt takes a package folder or its datapackage.json"
    if not os.path.lexists(target):
        return f"{label}: does not exist (give a package folder or its datapackage.json)"
    try:
        mode = os.stat(target).st_mode
    except OSError as exc:
        return f"{label}: cannot be opened: {why_not_regular(target) or exc.strerror or exc}"
    except ValueError as exc:  # a NUL in the name
        return f"{label}: not a usable path ({exc})"
    if stat.S_ISDIR(mode):
        return None
    if not stat.S_ISREG(mode):
        return f"{label}: it is {kind_of(mode)}; {takes}"
    if Path(target).name != "datapackage.json":
        zipped = Path(target).suffix.lower() == ".zip"
        what = "a .zip, which fmt cannot rewrite" if zipped else "not a datapackage.json"
        return f"{label}: {what}; {takes}"
    return None


def plan(target: str | Path, *, upgrade: bool = False, adopt: bool = False) -> Formatted:
    """Work out the canonical form of the package *target* (a folder or datapackage.json).

    The Table Schemas are those of the schema version the package declares, and the
    declaration is written out; with *upgrade*, those of the current version (the
    columns a package's version lacks are added, empty). Rows are read against the
    declared version, so a table of a record type that version does not know is left
    as it is by the upgrade and formatted by the next run.

    A package that is not a bilat package (it declares no bilat schema version and
    has no table with a record type's name and fields) is somebody else's: it is left
    as it is, and ``skipped`` says why, unless *adopt* asks to format it as a bilat
    package (tables named like record types become record tables): one that declares
    no version is then made one of the current version, as *upgrade* would.
    """
    result = Formatted(str(target))
    why = not_a_target(target)
    if why is not None:
        result.problems.append(why)
        return result
    read = _read(target, adopt, upgrade, result)
    if read is None:
        return result
    run, root, descriptor_path, tables, kept = read
    report = run.report
    descriptor = run.descriptor
    if descriptor is None:
        first = report.findings[0].message if report.findings else "unreadable"
        result.problems.append(f"{descriptor_path}: not formatted: {first}")
        return result
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        result.problems.append(f"{descriptor_path}: not formatted: no resources list")
        return result
    version, why = _written_version(descriptor, upgrade, adopt)
    if version is None:  # a newer version than this bilat knows is never moved down
        result.problems.append(f"{descriptor_path}: not formatted: {why}")
        return result
    blocked = _blocked(report)
    new_resources = _resources(resources, version, run, root, blocked, tables, result)
    card = root / "README.md"
    text_card = None if blocked else _card(root, card, result)
    if text_card is not None:  # the data card's derived coverage table
        updated = with_coverage(text_card, kept or [])
        if updated != text_card:
            result.changes[card] = updated.encode("utf-8")
    declared = {versions.KEY: versions.declaration(version)}
    new_descriptor = {
        **{k: v for k, v in descriptor.items() if k not in ("resources", versions.KEY)},
        **declared,
        "resources": new_resources,
    }
    text = (json.dumps(new_descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if _read_bytes(descriptor_path) != text:
        result.changes[descriptor_path] = text
    return result


def _written_version(
    descriptor: dict[str, Any], upgrade: bool, adopt: bool
) -> tuple[str | None, str | None]:
    """The schema version fmt writes *descriptor*'s package in, and why none (a
    declaration that is malformed or names a version this bilat does not know): the
    declared one; the current one with *upgrade*, or with *adopt* for a package that
    declares none (an adopted package is made one of this version)."""
    version, why = versions.declared(descriptor)
    if version is not None and (upgrade or (adopt and versions.KEY not in descriptor)):
        return versions.CURRENT, None
    return version, why


def _read(
    target: str | Path, adopt: bool, upgrade: bool, result: Formatted
) -> tuple[Run, Path, Path, dict[str, Canonical], list[Record] | None] | None:
    """Validate the package *target*, each valid record going into its table's
    :class:`Canonical` rows as it is read: the run, the package's root, its
    descriptor's path, the tables by kind, and every record when the data card has a
    coverage table to derive from them (else None); None when it is not read (a
    problem, or somebody else's package, said in *result*)."""
    # long: the resolving, the check that the package is bilat's, and the record sink, one reading of the target
    from bilat.card import END, START
    from bilat.lookup import open_linked, resolve
    from bilat.validation import Run, execute
    from bilat.validation.descriptor import is_bilat_package, load_descriptor
    from bilat.validation.target import TargetError

    report = Report(str(target), max_per_code=None)
    tables: dict[str, Canonical] = {}
    kept: list[Record] | None = None
    digests: dict[str, str | None] = {}
    # rows read against the declared version
    run = Run(report, collect=False, adopt=adopt, linked=open_linked)
    try:
        with resolve(target) as tgt:
            root, descriptor_path = tgt.root, tgt.descriptor
            read, _ = load_descriptor(descriptor_path)
            if not adopt and read is not None and not is_bilat_package(read):
                # somebody else's package is not read further
                result.skipped = (
                    f"{descriptor_path}: left as it is: not a bilat package (no "
                    f'"{versions.KEY}" declaration, and no table with a record '
                    "type's name and fields); --adopt formats it as one"
                )
                return None
            formats = _formats(read)
            version = _written_version(read, upgrade, adopt)[0] if read is not None else None
            card = _card(root, root / "README.md", Formatted(result.target))
            if card is not None and START in card and END in card:
                kept = []

            def sink(kind: str, _number: int, record: Record) -> None:
                if kind == "source":
                    record = _with_seed_hash(root, record, digests)
                if kept is not None:
                    kept.append(record)
                if kind not in formats:  # not a table fmt writes (Parquet parts)
                    return
                table = tables.get(kind)
                if table is None:
                    v = version or versions.CURRENT
                    table = tables[kind] = Canonical(kind, formats[kind], v)
                table.add(record)

            run.sink = sink
            execute(tgt, run, None)
    except TargetError as exc:
        result.problems.append(str(exc))
        return None
    report.finish()
    return run, root, descriptor_path, tables, kept


def _format_of(res: dict[str, Any]) -> str:
    """The format fmt writes the record table *res* in (its path a string): JSON or CSV."""
    return (
        "json"
        if str(res.get("format") or res["path"].rsplit(".", 1)[-1]).lower() == "json"
        else "csv"
    )


def _formats(descriptor: dict[str, Any] | None) -> dict[str, str]:
    """The kinds whose table fmt may write, each with its format (see :func:`_resources`)."""
    resources = descriptor.get("resources") if descriptor is not None else None
    out: dict[str, str] = {}
    for res in resources if isinstance(resources, list) else []:
        kind = KIND_OF_RESOURCE.get(str(res.get("name"))) if isinstance(res, dict) else None
        if kind is None or not isinstance(res.get("path"), str):
            continue
        if str(res.get("format") or "").lower() != "parquet":
            out.setdefault(kind, _format_of(res))
    return out


def _resources(
    resources: list[Any],
    version: str,
    run: Run,
    root: Path,
    blocked: dict[str, str],
    tables: dict[str, Canonical],
    result: Formatted,
) -> list[Any]:
    """The descriptor's *resources* in canonical form for schema *version*; the record
    tables' canonical bytes go into *result* where they differ, and the tables *blocked*
    keeps from being formatted into its problems."""
    known = versions.kinds(version)
    present = frozenset(
        r["name"]
        for r in resources
        if isinstance(r, dict) and KIND_OF_RESOURCE.get(str(r.get("name"))) in known
    )
    new_resources: list[Any] = []
    for res in resources:
        kind = KIND_OF_RESOURCE.get(str(res.get("name"))) if isinstance(res, dict) else None
        if kind not in known or not isinstance(res.get("path"), str):
            new_resources.append(res)  # not a record table bilat can read: kept as it is
            continue
        if str(res.get("format") or "").lower() == "parquet":
            new_resources.append(res)  # Parquet parts are left as they are (validated)
            continue
        name = res["name"]
        if name in blocked:
            result.problems.append(f"{name}: not formatted: {blocked[name]}")
            new_resources.append(res)
            continue
        assert kind is not None
        if kind not in run.records:  # layer 1 did not let it be read: kept as it is
            new_resources.append(res)
            continue
        new_resources.append(_table(res, kind, present, version, tables, root, result))
    return new_resources


def _table(
    res: dict[str, Any],
    kind: str,
    present: frozenset[str],
    version: str,
    tables: dict[str, Canonical],
    root: Path,
    result: Formatted,
) -> dict[str, Any]:
    """The canonical descriptor of the record table *res*; its canonical rows
    (*tables*) go into *result* where they differ from the file's bytes."""
    fmt = _format_of(res)
    generated = resource_descriptor(kind, fmt, present, version)
    file = root.joinpath(*res["path"].split("/"))
    table = tables.get(kind)
    if table is None:  # no valid row
        table = tables[kind] = Canonical(kind, fmt, version)
    target_file = root.joinpath(*generated["path"].split("/"))
    if target_file != file:
        generated["path"] = res["path"]  # keep the file where it is
        target_file = file
    if not _same(target_file, table.chunks()):
        result.changes[target_file] = table
    extras = {k: v for k, v in res.items() if k not in MANAGED}
    return {**generated, **extras}


def _with_seed_hash(root: Path, source: Any, digests: dict[str, str | None]) -> Any:
    """*source* with ``seed_sha256`` set from its seed file, the one value fmt derives
    inside a record (a seed it cannot read safely is left to ``seed-missing``).
    *digests* caches each seed file's hash: many sources may cite one seed."""
    seed = getattr(source, "seed", None)
    if seed is None:
        return source
    if seed not in digests:
        digests[seed] = None
        path = root.joinpath(*seed.split("/"))
        if path_problem(seed) is None and inside(root, path):
            with contextlib.suppress(FileProblem):  # unreadable: left to seed-missing
                digests[seed] = hashlib.sha256(read_capped(path, MAX_SEED_BYTES)).hexdigest()
    digest = digests[seed]
    if digest is None or source.seed_sha256 == digest:
        return source
    return source.model_copy(update={"seed_sha256": digest})


def _card(root: Path, card: Path, result: Formatted) -> str | None:
    """The text of the data card *card*, read as validate reads a package's files
    (a regular file inside *root*, at most :data:`MAX_CARD_BYTES`); None when there is
    none, or when it cannot be read, which goes into *result*'s problems."""
    if not os.path.lexists(card):
        return None
    where = inside(root, card)
    if not where:
        why = "it is a link out of the package" if where is False else "it is a link loop"
        result.problems.append(f"{card}: not formatted: {why}")
        return None
    try:
        data = read_capped(card, MAX_CARD_BYTES)
    except FileProblem as exc:
        result.problems.append(f"{card}: not formatted: {exc}")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        result.problems.append(
            f"{card}: not formatted: it is not UTF-8 text "
            f"(byte 0x{data[exc.start]:02x} at offset {exc.start})"
        )
        return None


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _blocked(report: Report) -> dict[str, str]:
    """Resources whose rows cannot all be read as records, with the first reason."""
    out: dict[str, str] = {}
    for f in report.findings:
        if f.resource is None or f.severity != "error" or f.code in REPAIRABLE:
            continue
        if f.layer in ("structure", "records") or f.code in (
            "not-a-regular-file",
            "unsafe-path",
            "resource-missing",
            "dialect-unsupported",
            "unsupported-format",
        ):
            where = f"row {f.row}: " if f.row is not None else ""
            out.setdefault(f.resource, f"{f.code} ({where}{f.message}); run bilat validate")
    return out


__all__ = ["MANAGED", "MAX_CARD_BYTES", "REPAIRABLE", "Formatted", "not_a_target", "plan"]
