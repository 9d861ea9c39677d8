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


def load(target: str | Path, *, strict: bool = False, catalog: str | None = None) -> Package:
    """Load a validated package as typed records.

    *target* is a folder, a datapackage.json, a .zip, the name of a bundled dataset
    (works offline right after installation), or ``NAME@VERSION`` / a name that is
    not bundled, which is looked up in the catalog and downloaded into the cache
    (a cached release is served without network). Raises
    :class:`bilat.package.PackageError` with the report when the package has errors,
    or when *target* is a path that does not exist (the finding says so);
    :class:`bilat.catalog.CatalogError` when a release cannot be found or fetched
    (:class:`bilat.catalog.download.SpecError` for a malformed ``NAME@VERSION``).

    >>> load("india-russia")["summit-22"].series_number
    22
    """
    from bilat.lookup import locate
    from bilat.package import read_package

    return read_package(locate(target, catalog), strict=strict)


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
