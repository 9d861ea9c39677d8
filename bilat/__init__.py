"""bilat: typed models and validated data packages for bilateral diplomacy.

>>> from bilat import State, PartialDate
>>> State(id="ind", name="India", iso3="IND", sources=["src-1"]).iso3
'IND'
>>> PartialDate("2024").precision
'year'
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

#: Names this package exports from bilat.models, imported on first use so that
#: ``import bilat`` (and so ``bilat --help``) stays fast.
_MODELS = (
    "RECORD_TYPES",
    "Actor",
    "Agreement",
    "Casualty",
    "Claim",
    "Engagement",
    "Evidence",
    "Incident",
    "Indicator",
    "Motion",
    "Organization",
    "PackageTooLarge",
    "PartialDate",
    "Person",
    "Position",
    "Record",
    "Source",
    "State",
    "Statement",
    "Tenure",
    "Vote",
)


def __getattr__(name: str) -> Any:
    if name == "UnknownName":
        from bilat.names import UnknownName

        globals()[name] = UnknownName
        return UnknownName
    if name in _MODELS:
        from bilat import models

        value = getattr(models, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'bilat' has no attribute {name!r}")


from bilat.about import __version__  # noqa: E402


def validate(target: str | Path, **options: Any) -> Report:
    """Validate a data package found in the lookup order; see :func:`bilat.lookup.validate`."""
    from bilat.lookup import validate as run

    return run(target, **options)


#: Largest package :func:`load` reads, in bytes of data files (a zip: its size); its
#: records are Python objects, several times the size of their CSV text. Above it,
#: ``bilat validate --engine sql`` and ``bilat export`` read the package.
LOAD_MAX_BYTES = 2 << 30


class PackageTooLarge(ValueError):
    """The package is larger than :func:`load` reads (see :data:`LOAD_MAX_BYTES`)."""


def _data_bytes(found: Path) -> int | None:
    """The bytes of the data files of the package at *found* (a folder, its
    datapackage.json or a .zip): a zip's size, else the regular files its resources
    name (not whatever else shares the folder: a repository's .git, a virtual
    environment). None when it cannot be measured (no such path, a descriptor that
    cannot be read): the reader then says what is wrong."""
    import os
    import stat

    from bilat.validation.descriptor import load_descriptor

    descriptor = found if found.name == "datapackage.json" else found / "datapackage.json"
    try:
        if found.is_file() and found.name != "datapackage.json":
            return found.stat().st_size
        data, _ = load_descriptor(descriptor)
        if data is None or not isinstance(data.get("resources"), list):
            return None
        total = 0
        for resource in data["resources"]:
            paths = resource.get("path") if isinstance(resource, dict) else None
            for path in paths if isinstance(paths, list) else [paths]:
                if isinstance(path, str) and not os.path.isabs(path):
                    try:
                        st = os.lstat(descriptor.parent / path)
                    except (OSError, ValueError):
                        continue  # the reader says what is wrong with it
                    if stat.S_ISREG(st.st_mode):
                        total += st.st_size
        return total
    except OSError:
        return None


def load(
    target: str | Path,
    *,
    strict: bool = False,
    catalog: str | None = None,
    max_bytes: int | None = LOAD_MAX_BYTES,
) -> Package:
    """Load a validated package as typed records.

    *target* is a folder, a datapackage.json, a .zip, the name of a bundled dataset
    (works offline right after installation), or ``NAME@VERSION`` / a name that is
    not bundled, which is looked up in the catalog and downloaded into the cache
    (a cached release is served without network). Raises
    :class:`bilat.package.PackageError` with the report when the package has errors,
    or when *target* is a path that does not exist (the finding says so);
    :class:`bilat.catalog.CatalogError` when a release cannot be found or fetched
    (:class:`bilat.catalog.download.SpecError` for a malformed ``NAME@VERSION``).

    A package whose data files pass *max_bytes* (:data:`LOAD_MAX_BYTES`, 2 GiB) raises
    :class:`PackageTooLarge`, which points at ``bilat export``; ``max_bytes=None``
    loads it all the same.

    It validates with the engine ``BILAT_ENGINE`` names, as :func:`bilat.validate`
    does, and raises as it does for a name no engine has (ValueError) or one that
    cannot run here (:class:`~bilat.validation.engines.EngineUnavailable`).

    >>> load("india-russia")["summit-22"].series_number
    22
    """
    from bilat.lookup import locate
    from bilat.package import read_package

    found = locate(target, catalog)
    size = _data_bytes(Path(found)) if max_bytes is not None else None
    if size is not None and max_bytes is not None and size > max_bytes:
        raise PackageTooLarge(
            f"{found} holds {size:,} bytes of data, more than bilat.load reads "
            f"({max_bytes:,}): validate it with `bilat validate --engine sql` and read "
            "it with `bilat export` (SQLite, DuckDB, Parquet), or pass max_bytes=None"
        )
    return read_package(found, strict=strict)


if TYPE_CHECKING:
    from bilat.findings import Report
    from bilat.models import (
        RECORD_TYPES,
        Actor,
        Agreement,
        Casualty,
        Claim,
        Engagement,
        Evidence,
        Incident,
        Indicator,
        Motion,
        Organization,
        PartialDate,
        Person,
        Position,
        Record,
        Source,
        State,
        Statement,
        Tenure,
        Vote,
    )
    from bilat.names import UnknownName
    from bilat.package import Package

__all__ = [
    "LOAD_MAX_BYTES",
    "RECORD_TYPES",
    "Actor",
    "Agreement",
    "Casualty",
    "Claim",
    "Engagement",
    "Evidence",
    "Incident",
    "Indicator",
    "Motion",
    "Organization",
    "PartialDate",
    "Person",
    "Position",
    "Record",
    "Source",
    "State",
    "Statement",
    "Tenure",
    "UnknownName",
    "Vote",
    "__version__",
    "load",
    "validate",
]
