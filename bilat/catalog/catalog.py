"""Catalogs of released data packages: where they are, which versions, which hashes."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from bilat.catalog import CatalogError, UnknownDataset
from bilat.files import FileProblem, atomic_write, read_capped

CATALOG_VERSION = 1
ENV_CATALOG = "BILAT_CATALOG"
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
#: An entry's fields, in the order a catalog lists them.
FIELDS = ("name", "version", "title", "url", "sha256", "bytes", "created", "schema_version")


@dataclass(frozen=True)
class Entry:
    """One released version of a data package."""

    name: str
    version: str
    title: str
    url: str
    sha256: str
    bytes: int
    created: str
    schema_version: str
    #: Keys the publisher added (``homepage``, ``x-...``): kept as they are, not checked.
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Entry:
        if not isinstance(data, dict):
            raise CatalogError(f"{where}: a catalog entry is not an object")
        try:
            entry = cls(
                **{k: data[k] for k in FIELDS},
                extra={k: v for k, v in data.items() if k not in FIELDS},
            )
        except KeyError as exc:
            raise CatalogError(f"{where}: a catalog entry lacks {exc}") from None
        label = f"{entry.name}@{entry.version}" if isinstance(entry.name, str) else "an entry"
        for key in ("name", "version", "title", "url", "sha256", "created", "schema_version"):
            if not isinstance(getattr(entry, key), str):
                raise CatalogError(f"{where}: {label}: {key} must be a string")
        if not _NAME.match(entry.name) or len(entry.name) > 200:
            raise CatalogError(f"{where}: bad dataset name {entry.name!r}")
        if not _SEMVER.match(entry.version):
            raise CatalogError(f"{where}: {entry.name}: version {entry.version!r} is not semver")
        if not _SHA256.match(entry.sha256):
            raise CatalogError(f"{where}: {label}: bad sha256")
        if not isinstance(entry.bytes, int) or isinstance(entry.bytes, bool) or entry.bytes <= 0:
            raise CatalogError(f"{where}: {label}: bytes must be a positive integer")
        if not entry.url:
            raise CatalogError(f"{where}: {label}: the url is empty")
        return entry

    def to_dict(self) -> dict[str, Any]:
        """The entry's own fields (without :attr:`extra`)."""
        return {k: getattr(self, k) for k in FIELDS}

    def listed(self) -> dict[str, Any]:
        """The entry as a catalog lists it: its fields, then the publisher's keys."""
        return {**self.to_dict(), **self.extra}

    @property
    def key(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.version.split("."))


@dataclass(frozen=True)
class Catalog:
    """A catalog and the location its relative URLs are resolved against."""

    location: str  # a URL or a file path
    entries: tuple[Entry, ...]
    #: Top-level keys the publisher added (``x-owner``, ...): kept as they are.
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def find(self, name: str, version: str | None = None) -> Entry:
        """The entry for *name* at *version*, or its newest version."""
        versions = [e for e in self.entries if e.name == name]
        if not versions:
            known = ", ".join(sorted({e.name for e in self.entries})) or "none"
            raise UnknownDataset(
                f"no dataset {name!r} in catalog {self.location} (it has: {known})"
            )
        if version is None:
            return max(versions, key=lambda e: e.key)
        for e in versions:
            if e.version == version:
                return e
        have = ", ".join(e.version for e in sorted(versions, key=lambda e: e.key))
        raise UnknownDataset(
            f"{name} has no version {version} in catalog {self.location} (it has: {have})"
        )

    def url_of(self, entry: Entry) -> str:
        """The absolute URL or path of an entry's archive.

        A local catalog's relative urls must stay inside its folder.
        """
        if re.match(r"^https?://", entry.url):
            return entry.url
        if re.match(r"^https?://", self.location):
            return urljoin(self.location, entry.url)
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", entry.url):
            raise CatalogError(
                f"{self.location}: {entry.name}@{entry.version}: url scheme not allowed"
            )
        from bilat.files import path_problem

        why = path_problem(entry.url)
        if why:
            raise CatalogError(
                f"{self.location}: {entry.name}@{entry.version}: url {entry.url!r} is not a "
                f"path inside the catalog's folder: {why}"
            )
        return str(Path(self.location).parent / entry.url)


def bundled_catalog() -> Path:
    """The catalog shipped with bilat (in the wheel, or the repository's catalog/)."""
    here = Path(__file__).resolve().parent.parent
    shipped = here / "_catalog" / "catalog.json"
    return shipped if shipped.is_file() else here.parent / "catalog" / "catalog.json"


#: Largest catalog read.
MAX_CATALOG_BYTES = 16 << 20


def locations(location: str | None = None) -> list[str]:
    """The catalogs to search, in order: *location* alone when given; else those listed
    (whitespace-separated) in ``BILAT_CATALOG``, then the bundled catalog."""
    if location:
        return [location]
    listed = os.environ.get(ENV_CATALOG, "").split()
    bundled = str(bundled_catalog())
    return [*listed, *([] if bundled in listed else [bundled])]


def default_location() -> str:
    """The first catalog searched (see :func:`locations`)."""
    return locations()[0]


def parse(raw: bytes, location: str) -> Catalog:
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{location}: the catalog is not UTF-8 ({exc.reason})") from None
    except RecursionError:
        raise CatalogError(f"{location}: the catalog nests too deeply") from None
    except ValueError as exc:
        raise CatalogError(f"{location}: not a JSON catalog ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("datasets"), list):
        raise CatalogError(f"{location}: a catalog is an object with a 'datasets' list")
    entries = tuple(Entry.from_dict(d, location) for d in data["datasets"])
    extra = {k: v for k, v in data.items() if k not in ("catalog_version", "datasets")}
    return Catalog(location, entries, extra)


def load_catalog(location: str | None = None) -> Catalog:
    """Read the catalog at *location* (URL or path), or the first default one.

    Remote catalogs are fetched within the HTTP deadline and capped at
    :data:`MAX_CATALOG_BYTES`; local ones must be regular files.
    """
    location = location or default_location()
    if re.match(r"^https?://", location):
        from bilat.catalog.http import stream

        parts: list[bytes] = []
        stream(location, parts.append, max_bytes=MAX_CATALOG_BYTES, what="catalog")
        return parse(b"".join(parts), location)
    try:
        return parse(read_capped(location, MAX_CATALOG_BYTES), location)
    except FileProblem as exc:
        raise CatalogError(f"cannot read catalog {location}: {exc}") from None


def find(name: str, version: str | None, location: str | None = None) -> tuple[Entry, Catalog]:
    """The entry of *name* (at *version*, else its newest) in the first catalog that has
    it, searching :func:`locations` in order; CatalogError when none has it (or none
    can be read)."""
    problems: list[str] = []
    unread = False
    for where in locations(location):
        try:
            catalog = load_catalog(where)
        except CatalogError as exc:
            problems.append(str(exc))
            unread = True
            continue
        try:
            return catalog.find(name, version), catalog
        except CatalogError as exc:
            problems.append(str(exc))
    # every catalog read, none lists it: UnknownDataset; one unread might have: not known
    error = CatalogError if unread else UnknownDataset
    raise error("; ".join(problems) or f"no catalog lists {name}")


def write_catalog(path: Path, entries: list[Entry], extra: dict[str, Any] | None = None) -> None:
    """Write *entries* (sorted by name and version) to *path*, atomically, with the
    publisher's top-level keys *extra* and each entry's own (:attr:`Entry.extra`)."""
    ordered = sorted(entries, key=lambda e: (e.name, e.key))
    doc = {
        "catalog_version": CATALOG_VERSION,
        **(extra or {}),
        "datasets": [e.listed() for e in ordered],
    }
    atomic_write(path, (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
