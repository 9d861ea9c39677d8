"""Catalogs of released data packages: where they are, which versions, which hashes."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from bilat.catalog import CatalogError

CATALOG_VERSION = 1
ENV_CATALOG = "BILAT_CATALOG"
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


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

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Entry:
        if not isinstance(data, dict):
            raise CatalogError(f"{where}: a catalog entry is not an object")
        try:
            entry = cls(**{k: data[k] for k in cls.__dataclass_fields__})
        except KeyError as exc:
            raise CatalogError(f"{where}: a catalog entry lacks {exc}") from None
        except TypeError as exc:  # pragma: no cover - defensive
            raise CatalogError(f"{where}: bad catalog entry ({exc})") from None
        if not (isinstance(entry.name, str) and _NAME.match(entry.name)):
            raise CatalogError(f"{where}: bad dataset name {entry.name!r}")
        if not (isinstance(entry.version, str) and _SEMVER.match(entry.version)):
            raise CatalogError(f"{where}: {entry.name}: version {entry.version!r} is not semver")
        if not (isinstance(entry.sha256, str) and _SHA256.match(entry.sha256)):
            raise CatalogError(f"{where}: {entry.name}@{entry.version}: bad sha256")
        if not isinstance(entry.bytes, int) or entry.bytes <= 0:
            raise CatalogError(f"{where}: {entry.name}@{entry.version}: bad byte count")
        return entry

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def key(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.version.split("."))


@dataclass(frozen=True)
class Catalog:
    """A catalog and the location its relative URLs are resolved against."""

    location: str  # a URL or a file path
    entries: tuple[Entry, ...]

    def find(self, name: str, version: str | None = None) -> Entry:
        """The entry for *name* at *version*, or its newest version."""
        versions = [e for e in self.entries if e.name == name]
        if not versions:
            known = ", ".join(sorted({e.name for e in self.entries})) or "none"
            raise CatalogError(f"no dataset {name!r} in catalog {self.location} (it has: {known})")
        if version is None:
            return max(versions, key=lambda e: e.key)
        for e in versions:
            if e.version == version:
                return e
        have = ", ".join(e.version for e in sorted(versions, key=lambda e: e.key))
        raise CatalogError(
            f"{name} has no version {version} in catalog {self.location} (it has: {have})"
        )

    def url_of(self, entry: Entry) -> str:
        """The absolute URL or path of an entry's archive."""
        if re.match(r"^https?://", entry.url):
            return entry.url
        if re.match(r"^https?://", self.location):
            return urljoin(self.location, entry.url)
        return str(Path(self.location).parent / entry.url)


def bundled_catalog() -> Path:
    """The catalog shipped with bilat (in the wheel, or the repository's catalog/)."""
    here = Path(__file__).resolve().parent.parent
    shipped = here / "_catalog" / "catalog.json"
    return shipped if shipped.is_file() else here.parent / "catalog" / "catalog.json"


def default_location() -> str:
    """``BILAT_CATALOG`` if set, else the bundled catalog."""
    return os.environ.get(ENV_CATALOG) or str(bundled_catalog())


def parse(text: str, location: str) -> Catalog:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CatalogError(f"{location}: not a JSON catalog ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("datasets"), list):
        raise CatalogError(f"{location}: a catalog is an object with a 'datasets' list")
    entries = tuple(Entry.from_dict(d, location) for d in data["datasets"])
    return Catalog(location, entries)


def load_catalog(location: str | None = None, *, timeout: float = 30.0) -> Catalog:
    """Read the catalog at *location* (URL or path), or the default one."""
    location = location or default_location()
    if re.match(r"^https?://", location):
        import httpx

        try:
            response = httpx.get(location, timeout=timeout, follow_redirects=True)
        except httpx.HTTPError as exc:
            raise CatalogError(f"cannot fetch catalog {location}: {exc}") from None
        if response.status_code != 200:
            raise CatalogError(f"cannot fetch catalog {location}: HTTP {response.status_code}")
        return parse(response.text, location)
    path = Path(location)
    try:
        return parse(path.read_text(encoding="utf-8"), str(path))
    except OSError as exc:
        raise CatalogError(f"cannot read catalog {location}: {exc.strerror or exc}") from None


def write_catalog(path: Path, entries: list[Entry]) -> None:
    """Write *entries* (sorted by name and version) to *path*, atomically."""
    ordered = sorted(entries, key=lambda e: (e.name, e.key))
    doc = {"catalog_version": CATALOG_VERSION, "datasets": [e.to_dict() for e in ordered]}
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
