"""Publishing and fetching data packages: build a release, read a catalog, download.

- :func:`bilat.release.build` validates a package and writes a deterministic
  ``NAME-VERSION.zip`` with its entry in ``catalog.json``;
- :mod:`bilat.catalog.catalog` reads catalogs (a URL, a path, ``BILAT_CATALOG`` or the
  catalog bundled in the wheel);
- :func:`bilat.catalog.download.download` fetches, verifies, extracts, validates and
  installs a release into the cache, atomically.
"""

from __future__ import annotations


class CatalogError(Exception):
    """A catalog, release or download problem, with a message that says what to do."""


class UnknownDataset(CatalogError):
    """Every catalog was read and none lists the dataset (or the version) named: a
    target that does not exist, a usage error (exit 2 on the command line)."""
