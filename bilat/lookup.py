"""The one lookup order: a path, a bundled dataset, the cache, then the catalogs.

``bilat.load``, ``bilat.validate``, the CLI and ``bilat fmt`` find what a user names
here, and only here. Validation below this module opens only a package folder, a
datapackage.json or a .zip (:func:`bilat.validation.target.open_path`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bilat.datasets import bundled
from bilat.findings import Report, printable
from bilat.validation.target import Target, TargetError, TargetMissing, open_path

#: A release name, NAME or NAME@VERSION, looked up in the cache and the catalogs.
SPEC = re.compile(r"^[a-z0-9][a-z0-9._-]*(?:@[0-9]+\.[0-9]+\.[0-9]+)?$")


def resolve(target: str | Path) -> Target:
    """Find the package *target* names: a path (folder, datapackage.json or .zip), else
    a bundled dataset, else a release (NAME or NAME@VERSION) in the cache or a catalog.

    Raises :class:`TargetError` when none of these has it.
    """
    try:
        return open_path(target)
    except TargetMissing:
        pass
    label = printable(str(target))
    datasets = bundled()
    if isinstance(target, str) and target in datasets:
        root = datasets[target]
        return Target(label, root, root / "datapackage.json")
    known = ", ".join(datasets) or "none"
    if isinstance(target, str) and SPEC.match(target):
        folder = _release(target, label, known)
        return Target(label, folder, folder / "datapackage.json")
    raise TargetError(
        f"{label}: no such file or folder, and no bundled dataset of that name (bundled: {known})"
    )


def _release(spec: str, label: str, known: str) -> Path:
    """The folder of release *spec*, from the cache or else a catalog."""
    from bilat.catalog import CatalogError
    from bilat.catalog.download import download

    try:
        return download(spec)
    except CatalogError as exc:
        raise TargetError(
            f"{label}: no such file or folder, no bundled dataset of that name "
            f"(bundled: {known}), and no release in the cache or a catalog ({exc})"
        ) from None


#: Endings of a target that names a file, never a release: a package's zip or its
#: descriptor (``release.zip`` that does not exist is a path the reader reports).
PATH_SUFFIXES = (".zip", ".json")


def locate(target: str | Path, catalog: str | None = None) -> str | Path:
    """What :func:`bilat.load` reads for *target*: the target itself when it is a path
    or a bundled dataset (or no name at all: a path that does not exist, which the
    reader reports), else the folder of the release it names (from the cache or
    *catalog*, downloaded when needed)."""
    import os

    if not isinstance(target, str) or os.path.lexists(target) or target in bundled():
        return target
    if os.sep in target or target.lower().endswith(PATH_SUFFIXES):
        return target  # a path that does not exist (release.zip), which the reader reports
    from bilat.catalog.download import SpecError, download, parse_spec

    try:
        parse_spec(target)
    except SpecError:
        if "@" in target:
            raise
        return target  # not a name: a path that does not exist, which the reader reports
    from bilat.catalog import CatalogError, UnknownDataset

    try:
        return download(target, catalog)
    except SpecError:
        raise
    except CatalogError as exc:
        error = UnknownDataset if isinstance(exc, UnknownDataset) else CatalogError
        raise error(
            f"{target}: no such file or folder, no bundled dataset of that name, "
            f"and no release: {exc}"
        ) from None


def open_linked(target: str | Path) -> Target:
    """Open the curated package a ``links`` table names, as :func:`bilat.load` finds
    it (:func:`locate`, then :func:`resolve`): validation is handed this opener, so
    that it finds a release in the cache or a catalog without importing this module.
    Raises what :func:`locate` raises for a name no catalog has, and
    :class:`TargetError`."""
    return resolve(locate(target))


def validate(target: str | Path, **options: Any) -> Report:
    """Validate the package *target* names, found in the lookup order; see
    :func:`bilat.validation.validate` for the options."""
    from bilat.validation import validate as run

    options.setdefault("linked", open_linked)
    return run(target, opener=resolve, **options)
