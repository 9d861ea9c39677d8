"""Layer 4 across packages: a ``links`` table checked against the curated package it
names (``bilat link`` writes the table; see :mod:`bilat.link`).

The curated package is opened by the opener validation is handed (``Run.linked``:
:mod:`bilat.lookup` hands down the library's lookup order, so a release name is found
in the cache or a catalog) and validated here, without reading its records into
objects: the ids and kinds the references layer registers are all the check needs.
Validation so never imports the layers above it.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bilat.findings import Finding, make
from bilat.models.links import LINKABLE_KINDS

#: The property of the ``links`` resource that names the curated package.
CURATED_KEY = "x-bilat-curated"


def curated_spec(descriptor: dict[str, Any]) -> str | None:
    """The curated package the ``links`` resource of *descriptor* names, if any."""
    for res in descriptor.get("resources") or ():
        if isinstance(res, dict) and res.get("name") == "links":
            spec = res.get(CURATED_KEY)
            return spec if isinstance(spec, str) else None
    return None


def near(spec: str, events_root: Path | None) -> str:
    """What to open for the curated package *spec*: with *events_root*, a path is
    relative to the events package's folder (a name such as ``NAME@VERSION`` is not)."""
    if events_root is not None and not Path(spec).is_absolute():
        beside = events_root / spec
        if "/" in spec or "\\" in spec or spec.startswith(".") or os.path.lexists(beside):
            return str(beside)
    return spec


@dataclass(frozen=True)
class Curated:
    """What the check needs of a valid curated package: its label and the kind of
    each of its ids."""

    name: str
    version: str | None
    kind_of: Callable[[str], str | None]


class CuratedInvalid(Exception):
    """The curated package was opened but is not valid (the message as
    :class:`bilat.package.PackageError` words it: target, error count, first error)."""


#: Opens the curated package *spec* names, relative to the events package's folder
#: *root*; raises :class:`CuratedInvalid` (or any other exception, whose message the
#: finding then carries) when it cannot.
OpenCurated = Callable[[str, Path], Curated]


def check(
    root: Path,
    descriptor: dict[str, Any],
    rows: Iterator[tuple[int, dict[str, Any]]],
    open_curated: OpenCurated,
) -> Iterator[Finding]:
    """Findings for the links *rows* (row number, cells) of the package at *root*: the
    curated package its descriptor names must be found, every accepted link's record
    must exist there, and every record linked must be an engagement, statement or
    vote."""
    spec = curated_spec(descriptor)
    if spec is None:
        yield make(
            "linked-package-missing",
            resource="links",
            value="",
            detail=f"the links resource has no {CURATED_KEY} property",
        )
        return
    try:
        curated = open_curated(spec, root)
    except Exception as exc:  # not found, not a package, invalid: all one finding
        yield make("linked-package-missing", resource="links", value=spec, detail=str(exc)[:300])
        return
    label = f"{curated.name}@{curated.version}" if curated.version else spec
    for number, cells in rows:
        yield from _row(number, cells, curated, label)


def _row(number: int, cells: dict[str, Any], curated: Curated, label: str) -> Iterator[Finding]:
    record = cells.get("record")
    if not isinstance(record, str) or not record:
        return
    kind = curated.kind_of(record)
    if kind is None:
        if cells.get("status") == "accepted":
            yield make(
                "linked-record-missing",
                resource="links",
                row=number,
                field="record",
                value=record,
                detail=label,
            )
        return
    if kind not in LINKABLE_KINDS:
        yield make(
            "linked-record-kind",
            resource="links",
            row=number,
            field="record",
            value=record,
            detail=f"a {kind} in {label}, not an engagement, statement or vote",
        )


def check_plan(
    root: Path,
    descriptor: dict[str, Any],
    plan: Any,
    open_curated: OpenCurated,
    max_json_bytes: int = 512 << 20,
) -> Iterator[Finding]:
    """:func:`check` over the links resource *plan* of the package at *root*. A JSON
    resource over *max_json_bytes* is not read, nor a compressed one (layer 2 reports
    them)."""
    rows: Iterator[tuple[int, dict[str, Any]]]
    if plan.fmt == "json":
        if Path(plan.file).stat().st_size > max_json_bytes:
            return
        data = json.loads(Path(plan.file).read_text(encoding="utf-8"))
        rows = ((i, r) for i, r in enumerate(data, start=1) if isinstance(r, dict))
    elif plan.compression:
        return
    else:
        rows = csv_rows(Path(plan.file))
    try:
        yield from check(root, descriptor, rows, open_curated)
    except (OSError, UnicodeDecodeError, ValueError, csv.Error):
        return  # the structure layer reports an unreadable file


def csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows of a links CSV file, numbered as findings number them (the header is
    row 1), read one at a time."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from enumerate(csv.DictReader(fh), start=2)
