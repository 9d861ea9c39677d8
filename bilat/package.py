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
from bilat.validation import _Run, _run
from bilat.validation.cells import format_cell
from bilat.validation.target import TargetError, resolve


class PackageError(Exception):
    """The package is not valid; ``report`` holds every finding."""

    def __init__(self, report: Report) -> None:
        errors = report.errors
        first = errors[0].message if errors else "invalid package"
        super().__init__(f"{report.target}: {len(errors)} error(s); first: {first}")
        self.report = report


@dataclass(repr=False)
class Package:
    """A validated data package as typed records, with lookups by id."""

    descriptor: dict[str, Any]
    by_kind: dict[str, list[Record]]
    by_id: dict[str, Record] = field(init=False)
    report: Report | None = None

    def __post_init__(self) -> None:
        self.by_id = {r.id: r for rs in self.by_kind.values() for r in rs}

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
        return self.by_kind.get(kind, [])

    def __getitem__(self, record_id: str) -> Record:
        """The record *record_id*; :class:`bilat.UnknownName` (a ``KeyError``) naming the
        nearest ids when there is none."""
        try:
            return self.by_id[record_id]
        except (KeyError, TypeError):
            raise unknown_name("record", record_id, self.by_id) from None

    def get(self, record_id: str) -> Record | None:
        return self.by_id.get(record_id)

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
            for c in self.by_kind.get("claim", [])
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
        counts = ", ".join(
            f"{len(self.by_kind[k])} {k}" for k in RECORD_TYPES if self.by_kind.get(k)
        )
        version = f" {self.version}" if self.version else ""
        return f"<Package {self.name or '?'}{version}: {len(self.by_id)} records ({counts})>"

    def __iter__(self) -> Iterator[Record]:
        for kind in RECORD_TYPES:
            yield from self.by_kind.get(kind, [])

    def __len__(self) -> int:
        return len(self.by_id)

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
        return {
            RESOURCE_NAMES[k]: frames(self, k, library) for k in RECORD_TYPES if self.by_kind.get(k)
        }

    def graph(self) -> Any:
        """Who met whom, when, as a networkx MultiGraph; see :func:`bilat.export.graph`."""
        from bilat.export import graph

        return graph(self)


def read_package(target: str | Path, *, strict: bool = False) -> Package:
    """Validate and load a package; raise :class:`PackageError` when it has errors.

    With *strict*, warnings count as errors too.
    """
    report = Report(str(target))
    run = _Run(report, collect=True)
    try:
        with resolve(target) as tgt:
            _run(tgt, run, None)
    except TargetError as exc:
        report.findings.append(make("target-unreadable", detail=str(exc)))
    report.finish()
    if not report.valid or (strict and report.warnings):
        raise PackageError(report)
    return Package(descriptor=run.descriptor or {}, by_kind=run.records, report=report)


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


def csv_bytes(kind: str, records: Iterable[Record], version: str | None = None) -> bytes:
    """Records of *kind* as CSV: all columns (of schema *version*, the current one when
    None), rows sorted by id, UTF-8, LF."""
    names = [c.name for c in columns(kind, version)]
    lines = [_csv_line(names)]
    for record in sorted(records, key=lambda r: r.id):
        data = record.model_dump(mode="json")
        lines.append(_csv_line([format_cell(data.get(n)) for n in names]))
    return "".join(lines).encode("utf-8")


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
    chosen = list(kinds) if kinds is not None else list(RECORD_TYPES)
    unknown = [k for k in chosen if k not in RECORD_TYPES]
    if unknown:
        raise unknown_name("record kind", unknown[0], RECORD_TYPES)
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
