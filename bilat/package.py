"""Reading a data package into typed records, and writing records as a package.

>>> import tempfile, pathlib
>>> from bilat import Source, State
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "demo"
>>> src = Source(id="s1", type="web_page", title="A page", url="https://example.org/")
>>> _ = write_package(folder, [src, State(id="ind", name="India", iso3="IND", sources=["s1"])],
...                   name="demo", title="Demo", version="0.1.0")
>>> pkg = read_package(folder)
>>> pkg["ind"].name, len(pkg.records("state"))
('India', 1)
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

from bilat import query, versions
from bilat.files import atomic_write
from bilat.findings import Report, make
from bilat.limits import MAX_PARTICIPANTS
from bilat.lookup import open_linked, resolve
from bilat.models import (
    RECORD_TYPES,
    Claim,
    Engagement,
    Evidence,
    Position,
    Record,
    Source,
    Tenure,
)
from bilat.names import unknown_name
from bilat.query import Undated, When
from bilat.tables import KIND_OF_RESOURCE, RESOURCE_NAMES, columns, resource_descriptor
from bilat.validation import Run, engines, execute
from bilat.validation.bulk import Collected
from bilat.validation.cells import format_cell
from bilat.validation.target import TargetError


class PackageError(Exception):
    """The package is not valid; ``report`` holds every finding."""

    def __init__(self, report: Report) -> None:
        errors = report.errors
        if errors:
            message = f"{len(errors)} error(s); first: {errors[0].message}"
        elif report.warnings:  # refused with strict=True: its warnings count as errors
            first = report.warnings[0]
            message = (
                f"no errors, but {len(report.warnings)} warning(s), which strict=True "
                f"refuses; first: {first.code}: {first.message}"
            )
        else:
            message = "invalid package"
        super().__init__(f"{report.target}: {message}")
        self.report = report


@dataclass(frozen=True)
class OtherField:
    """A field of a resource that is not a bilat record table, from its Table Schema."""

    name: str
    type: str
    description: str | None = None


@dataclass
class OtherTable:
    """A tabular resource of the package that is not a bilat record table, its rows
    read and typed by Frictionless from its Table Schema (exported beside the records)."""

    name: str
    fields: list[OtherField]
    rows: list[list[Any]]
    primary_key: list[str] = field(default_factory=list)
    description: str | None = None


class Package:
    """A validated data package as typed records, with lookups by id.

    The records of a table the columnar engine read (a large CSV file) are built on
    first use: by :meth:`records` for that kind, a lookup of an id no other kind
    holds, iteration, or :attr:`by_kind` and :attr:`by_id`. Until then the package
    holds its valid rows' cells, which is what :mod:`bilat.export` reads.
    """

    def __init__(
        self,
        descriptor: dict[str, Any],
        by_kind: dict[str, list[Record]],
        report: Report | None = None,
        others: dict[str, OtherTable] | None = None,
        pending: dict[str, Collected] | None = None,
    ) -> None:
        self.descriptor = descriptor
        self.report = report
        #: the package's other tabular resources, by name
        self.others: dict[str, OtherTable] = dict(others or {})
        self._pending: dict[str, Collected] = dict(pending or {})
        self._by_kind: dict[str, list[Record]] = {}
        for kind in [*by_kind, *(k for k in self._pending if k not in by_kind)]:
            self._by_kind[kind] = by_kind.get(kind, [])  # a pending kind's, once built
        self._index: dict[str, Record] = {
            r.id: r for k, rs in self._by_kind.items() if k not in self._pending for r in rs
        }

    def _build(self, kind: str) -> None:
        from bilat.validation.bulk import records

        built = records(kind, self._pending[kind])
        self._by_kind[kind] = built
        del self._pending[kind]
        self._index.update((r.id, r) for r in built)

    def _build_all(self) -> None:
        for kind in list(self._pending):
            self._build(kind)

    def pending(self, kind: str) -> Collected | None:
        """The valid rows of *kind* as read by the columnar engine, while its records
        are not built yet (None once they are, or when the row engine read them)."""
        return self._pending.get(KIND_OF_RESOURCE.get(kind, kind))

    def count(self, kind: str) -> int:
        """How many records of *kind* there are (without building them)."""
        kind = KIND_OF_RESOURCE.get(kind, kind)
        held = self._pending.get(kind)
        if held is None:
            return len(self._by_kind.get(kind, []))
        return len(held.numbered) + sum(len(rows) for rows, _ in held.blocks)

    @property
    def by_kind(self) -> dict[str, list[Record]]:
        """Every record, by kind."""
        self._build_all()
        return self._by_kind

    @property
    def by_id(self) -> dict[str, Record]:
        """Every record, by id."""
        self._build_all()
        return self._index

    @property
    def name(self) -> str:
        return str(self.descriptor.get("name", ""))

    @property
    def version(self) -> str | None:
        v = self.descriptor.get("version")
        return None if v is None else str(v)

    def records(self, kind: str) -> list[Record]:
        """Records of one kind (``"engagement"``) or resource (``"engagements"``)."""
        kind = KIND_OF_RESOURCE.get(kind, kind)
        if kind not in RECORD_TYPES:
            raise unknown_name("record kind", kind, [*RECORD_TYPES, *KIND_OF_RESOURCE])
        if kind in self._pending:
            self._build(kind)
        return self._by_kind.get(kind, [])

    def __getitem__(self, record_id: str) -> Record:
        """The record *record_id*; :class:`bilat.UnknownName` (a ``KeyError``) naming the
        nearest ids when there is none."""
        found = self.get(record_id) if isinstance(record_id, str) else None
        if found is None:
            raise unknown_name("record", record_id, self.by_id) from None
        return found

    def get(self, record_id: str) -> Record | None:
        found = self._index.get(record_id)
        if found is None and self._pending:
            found = self.by_id.get(record_id)
        return found

    def claims(self, record_id: str, field: str | None = None) -> list[Claim]:
        """The claims about record *record_id* (about one *field* of it, if given), in id
        order: each source's value side by side.

        >>> pkg = read_package("datasets/india-russia")  # doctest: +SKIP
        >>> [c.value for c in pkg.claims("unga-es-11-4", "abstain")]  # doctest: +SKIP
        ['32', '33', '35']
        """
        self[record_id]  # an unknown id is an UnknownName
        found = [
            c
            for c in self.records("claim")
            if isinstance(c, Claim) and c.record == record_id and field in (None, c.field)
        ]
        return sorted(found, key=lambda c: c.id)

    # -- questions (see bilat.query) -------------------------------------------------

    def between(
        self,
        a: str,
        b: str,
        start: When | None = None,
        end: When | None = None,
        *,
        as_states: bool = True,
        top_level: bool = False,
    ) -> list[Engagement]:
        """Engagements between actors *a* and *b* in a period (persons count as their
        states unless ``as_states=False``); see :func:`bilat.query.between`."""
        return query.between(self, a, b, start, end, as_states=as_states, top_level=top_level)

    def holders(
        self,
        office: str | None = None,
        *,
        role: str | None = None,
        of: str | None = None,
        at: When | None = None,
    ) -> list[Tenure]:
        """Who held an office, a role or an office of a state at a date; see
        :func:`bilat.query.holders`."""
        return query.holders(self, office, role=role, of=of, at=at)

    def states_of(self, actor: str, at: When | None = None) -> set[str]:
        """The states an actor stands for; see :func:`bilat.query.states_of`."""
        return query.states_of(self, actor, at)

    def referrers(self, record_id: str) -> list[Record]:
        """Records that refer to *record_id*; see :func:`bilat.query.referrers`."""
        return query.referrers(self, record_id)

    def evidence_for(self, record_id: str) -> list[Evidence]:
        """Evidence quotes supporting *record_id*."""
        return query.evidence_for(self, record_id)

    def sources_for(self, record_id: str) -> list[Source]:
        """Sources *record_id* rests on, directly or through its evidence."""
        return query.sources_for(self, record_id)

    def timeline(
        self,
        start: When | None = None,
        end: When | None = None,
        kinds: str | Iterable[str] = query.TIMELINE_KINDS,
    ) -> list[query.Event]:
        """Dated records in date order; see :func:`bilat.query.timeline`."""
        return query.timeline(self, start, end, kinds)

    # -- links to coded events (see bilat.link) -------------------------------------

    def coded_events_for(
        self, record_id: str, events: Package, status: str | Iterable[str] = "accepted"
    ) -> list[Record]:
        """The coded events of the package *events* linked to record *record_id* of this
        curated package, accepted links only unless *status* says otherwise
        (``("accepted", "proposed")``), in date order; see :mod:`bilat.link`."""
        return query.coded_events_for(self, record_id, events, status)

    def linked_records(self, status: str | Iterable[str] = "accepted") -> dict[str, list[str]]:
        """For an events package: each curated record id its links point to, with the
        ids of the coded events linked to it (accepted links unless *status* says
        otherwise); see :mod:`bilat.link`."""
        return query.linked_records(self, status)

    def gaps(self, series: str) -> query.Gaps:
        """Missing numbers of a numbered series; see :func:`bilat.query.gaps`."""
        return query.gaps(self, series)

    @overload
    def positions_of(
        self, actor: str, at: When | None = ..., *, undated: Literal[False] = ...
    ) -> list[Position]: ...
    @overload
    def positions_of(
        self, actor: str, at: When | None = ..., *, undated: bool
    ) -> list[Position | Undated]: ...
    def positions_of(
        self, actor: str, at: When | None = None, *, undated: bool = False
    ) -> list[Position] | list[Position | Undated]:
        """Positions an actor holds at a date (``undated=True`` adds the undated ones,
        marked); see :func:`bilat.query.positions_of`."""
        return query.positions_of(self, actor, at, undated=undated)

    def __repr__(self) -> str:
        counts = ", ".join(f"{self.count(k)} {k}" for k in RECORD_TYPES if self.count(k))
        version = f" {self.version}" if self.version else ""
        return f"<Package {self.name or '?'}{version}: {len(self)} records ({counts})>"

    def __iter__(self) -> Iterator[Record]:
        for kind in RECORD_TYPES:
            yield from self.records(kind)

    def __len__(self) -> int:
        return sum(self.count(kind) for kind in RECORD_TYPES)

    def to_pandas(self, kind: str | None = None) -> Any:
        """One resource as a pandas DataFrame, or with no *kind* a dict of all of them
        (by resource name). Integers are nullable (``Int64``), list fields hold lists,
        and each partial date ``f`` is its text plus ``f_earliest`` and ``f_latest``
        datetimes. Needs the ``pandas`` extra."""
        try:
            import pandas  # noqa: F401
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("to_pandas needs pandas: pip install 'bilat[pandas]'") from None
        return self._frames(kind, "pandas")

    def to_polars(self, kind: str | None = None) -> Any:
        """As :meth:`to_pandas`, as polars DataFrames (dates as ``Date``). Needs the
        ``polars`` extra."""
        try:
            import polars  # noqa: F401
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("to_polars needs polars: pip install 'bilat[polars]'") from None
        return self._frames(kind, "polars")

    def _frames(self, kind: str | None, library: str) -> Any:
        from bilat.export import frames

        if kind is not None:
            kind = KIND_OF_RESOURCE.get(kind, kind)
            self.records(kind)  # an unknown kind is a KeyError
            return frames(self, kind, library)
        return {RESOURCE_NAMES[k]: frames(self, k, library) for k in RECORD_TYPES if self.count(k)}

    def graph(self, *, max_participants: int | None = MAX_PARTICIPANTS) -> Any:
        """Who met whom, when, as a networkx MultiGraph; see :func:`bilat.export.graph`
        (an engagement with more than *max_participants* distinct participants is an
        error; None: no bound)."""
        from bilat.export import graph

        return graph(self, max_participants=max_participants)


def read_package(target: str | Path, *, strict: bool = False) -> Package:
    """Validate and load a package; raise :class:`PackageError` when it has errors.

    With *strict*, warnings count as errors too.
    """
    report = Report(str(target))
    # the engine validate uses (columnar for large CSV files): its blocks' valid rows
    # become records in bulk, flagged rows go through the row engine as ever; an
    # unknown BILAT_ENGINE, or one that cannot run here, raises as in validate
    chosen = engines.get(engines.from_environment())
    run = Run(report, collect=True, engine=chosen, linked=open_linked)
    others: dict[str, OtherTable] = {}
    try:
        with resolve(target) as tgt:
            execute(tgt, run, None)
            report.finish()
            if report.valid and run.foreign and run.descriptor is not None:
                others = _read_others(
                    tgt.root, run.descriptor, [p.name for p in run.foreign], report
                )
    except TargetError as exc:
        report.findings.append(make("target-unreadable", detail=str(exc)))
        report.finish()
    if not report.valid or (strict and report.warnings):
        raise PackageError(report)
    pending = {kind: held for kind, held in run.collected.items() if held.blocks}
    by_kind = {kind: run.records.get(kind, []) for kind in run.collected}  # reading order
    return Package(run.descriptor or {}, by_kind, report, others, pending)


def _read_others(
    root: Path, descriptor: dict[str, Any], names: list[str], report: Report
) -> dict[str, OtherTable]:
    """The tabular resources *names* (validated already), read by Frictionless; one
    that cannot be read after all is a ``table-error`` finding in *report*."""
    import frictionless
    from frictionless.resources import TableResource

    package = frictionless.Package(descriptor, basepath=str(root))
    out = {}
    for name in names:
        resource = package.get_resource(name)
        if not isinstance(resource, TableResource):
            continue  # a file that is not a table: nothing to export
        try:
            rows = [row.to_list() for row in resource.read_rows()]
        except Exception as exc:  # Frictionless validated it: should not happen
            detail = f"{type(exc).__name__}: {exc}"[:500]
            report.findings.append(make("table-error", resource=name, detail=detail))
            continue
        schema = resource.schema
        out[name] = OtherTable(
            name,
            [OtherField(f.name, f.type, f.description or None) for f in schema.fields],
            rows,
            list(schema.primary_key),
            resource.description or None,
        )
    return out


# -- writing --------------------------------------------------------------------------


def _csv_line(cells: list[str]) -> str:
    """One CSV line: cells quoted when they hold a comma, quote or line break.

    Written by hand because the csv module does not quote a lone carriage return
    when the line terminator is LF, which would corrupt the row on reading.
    """
    out = []
    for cell in cells:
        if any(ch in cell for ch in ',"\r\n'):
            cell = '"' + cell.replace('"', '""') + '"'
        out.append(cell)
    return ",".join(out) + "\n"


def csv_header(kind: str, version: str | None = None) -> tuple[list[str], str]:
    """The column names of a CSV table of *kind* (schema *version*, the current one when
    None) and its header line."""
    names = [c.name for c in columns(kind, version)]
    return names, _csv_line(names)


def csv_row(record: Record, names: list[str]) -> str:
    """*record* as one canonical CSV line of the columns *names* (LF included)."""
    data = record.model_dump(mode="json")
    return _csv_line([format_cell(data.get(n)) for n in names])


def csv_bytes(kind: str, records: Iterable[Record], version: str | None = None) -> bytes:
    """Records of *kind* as CSV: all columns (of schema *version*, the current one when
    None), rows sorted by id, UTF-8, LF."""
    names, header = csv_header(kind, version)
    lines = [header]
    for record in sorted(records, key=lambda r: r.id):
        lines.append(csv_row(record, names))
    return "".join(lines).encode("utf-8")


def json_item(record: Record) -> str:
    """*record* as :func:`json_bytes` writes it inside its array: indented one level,
    with no comma and no line end after it."""
    text = json.dumps(
        record.model_dump(mode="json", exclude_none=True), indent=2, ensure_ascii=False
    )
    return "  " + text.replace("\n", "\n  ")


def json_text(items: Iterable[str]) -> Iterator[str]:
    """The pieces of a JSON array of *items* (each of :func:`json_item`), as
    :func:`json.dumps` with ``indent=2`` writes it, and a final line end."""
    first = True
    for item in items:
        yield ("[\n" if first else ",\n") + item
        first = False
    yield "[]\n" if first else "\n]\n"


def json_bytes(records: Iterable[Record]) -> bytes:
    """Records as a JSON array sorted by id, unset fields left out."""
    items = [
        r.model_dump(mode="json", exclude_none=True) for r in sorted(records, key=lambda r: r.id)
    ]
    return (json.dumps(items, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_package(
    directory: str | Path,
    records: Iterable[Record],
    *,
    name: str,
    title: str,
    version: str,
    fmt: str = "csv",
    metadata: dict[str, Any] | None = None,
    kinds: Iterable[str] | None = None,
) -> Path:
    """Write *records* as a data package in *directory*; return the descriptor path.

    One resource per record kind present (and per kind in *kinds*, even with no
    record). Output is deterministic: resources in a fixed order, rows sorted by id,
    UTF-8, LF line ends, cells formatted one way. Each file is written to a temporary
    name and renamed, and the descriptor goes last.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    by_kind: dict[str, list[Record]] = {k: [] for k in kinds or ()}
    for record in records:
        by_kind.setdefault(record.KIND, []).append(record)
    ordered = [k for k in RECORD_TYPES if k in by_kind]
    present = frozenset(RESOURCE_NAMES[k] for k in ordered)
    resources = []
    for kind in ordered:
        res = resource_descriptor(kind, fmt, present)
        data = json_bytes(by_kind[kind]) if fmt == "json" else csv_bytes(kind, by_kind[kind])
        atomic_write(folder / res["path"], data)
        resources.append(res)
    descriptor: dict[str, Any] = {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": name,
        "title": title,
        "version": version,
        **(metadata or {}),
        versions.KEY: versions.declaration(versions.CURRENT),
        "resources": resources,
    }
    path = folder / "datapackage.json"
    atomic_write(path, (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode())
    return path


class PackageExists(Exception):
    """``init_package`` refuses to write over an existing package."""


_CARD = """# {title}

`{name}` {version}: a bilat data package (started with `bilat init`).

## What it holds

Describe the records, the period and the actors covered.

## Sources and method

Every record cites a Source; say how sources were chosen and facts checked.

## Known gaps

List what could not be sourced.

## Licence

Data: {licence}.
"""


#: Record kinds that a command writes into a package, not a curator: ``init`` leaves
#: them out (a links resource names the curated package its links point into).
WRITTEN_BY_COMMAND = {"link": "bilat link EVENTS CURATED"}


def init_kinds(kinds: Iterable[str] | None) -> list[str]:
    """The record kinds ``bilat init`` writes: *kinds*, checked, or every kind a curator
    writes. Raises :class:`bilat.UnknownName` or ValueError."""
    chosen = (
        list(kinds)
        if kinds is not None
        else [k for k in RECORD_TYPES if k not in WRITTEN_BY_COMMAND]
    )
    unknown = [k for k in chosen if k not in RECORD_TYPES]
    if unknown:
        raise unknown_name("record kind", unknown[0], RECORD_TYPES)
    for kind in chosen:
        if kind in WRITTEN_BY_COMMAND:
            raise ValueError(f"{kind} records are written by {WRITTEN_BY_COMMAND[kind]}")
    return chosen


def init_package(
    directory: str | Path,
    *,
    name: str,
    title: str | None = None,
    kinds: Iterable[str] | None = None,
    fmt: str = "csv",
    licence: str = "CC-BY-4.0",
    version: str = "0.1.0",
) -> Path:
    """Start a package in *directory*: the generated Table Schemas, header-only CSV files
    (or empty JSON arrays), licence and version, and a README stub for the data card.
    ``bilat validate`` and ``frictionless validate`` both pass it as it is.

    Raises :class:`PackageExists`, before writing anything, when *directory* is a
    link or not a folder, or holds any file this would write.
    """
    from bilat.files import WriteRefused, guard_out, make_folder

    folder = Path(directory)
    chosen = init_kinds(kinds)
    if fmt not in ("csv", "json"):
        raise ValueError(f"format {fmt!r}: use csv or json")
    present = frozenset(RESOURCE_NAMES[k] for k in chosen)
    files = [
        "datapackage.json",
        "README.md",
        *(resource_descriptor(k, fmt, present)["path"] for k in chosen),
    ]
    try:
        if os.path.lexists(folder):
            guard_out(folder, folder=True)
            for file in files:
                guard_out(folder / file, hint="")
        make_folder(folder)
    except WriteRefused as exc:
        raise PackageExists(f"{exc}; `bilat init` writes only into a new or empty folder") from None
    title = title or name
    path = write_package(
        folder,
        [],
        name=name,
        title=title,
        version=version,
        fmt=fmt,
        metadata={"licenses": [{"name": licence}]},
        kinds=chosen,
    )
    atomic_write(
        folder / "README.md",
        _CARD.format(title=title, name=name, version=version, licence=licence).encode("utf-8"),
    )
    return path
