"""Building a release: a validated package as a deterministic zip, listed in a catalog."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import zipfile
from pathlib import Path

from bilat.catalog import CatalogError
from bilat.catalog.catalog import Entry, load_catalog, write_catalog
from bilat.package import PackageError, read_package
from bilat.schemas import SCHEMA_VERSION

#: Every member gets this timestamp, so the same package always gives the same bytes.
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _members(root: Path) -> list[Path]:
    files = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        if path.is_symlink():
            raise CatalogError(f"{path}: links are not allowed in a release")
        if path.is_file():
            files.append(path)
    return files


def zip_package(root: Path, prefix: str, out: Path) -> None:
    """Zip the files under *root* as ``prefix/...``: sorted, fixed times and modes."""
    tmp = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for path in _members(root):
            info = zipfile.ZipInfo(f"{prefix}/{path.relative_to(root).as_posix()}", _EPOCH)
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            # stored, not deflated: compressed bytes depend on the zlib version, and
            # the same package must give the same sha256 on any machine
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # unix, whatever the building machine
            archive.writestr(info, path.read_bytes())
    os.replace(tmp, out)


def build(target: str | Path, out_dir: str | Path) -> Entry:
    """Validate *target*, write ``NAME-VERSION.zip`` into *out_dir* and list it in
    ``out_dir/catalog.json`` (replacing an entry of the same name and version)."""
    try:
        pkg = read_package(target)
    except PackageError as exc:
        raise CatalogError(f"refusing to build an invalid package: {exc}") from exc
    name, version = pkg.name, pkg.version
    if not name or not version:
        raise CatalogError(f"{target}: the descriptor needs a name and a version to be released")
    root = Path(target)
    if root.suffix == ".json":
        root = root.parent
    if not root.is_dir():
        raise CatalogError(f"{target}: build takes a package folder (or its datapackage.json)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    archive = out / f"{name}-{version}.zip"
    zip_package(root, f"{name}-{version}", archive)
    data = archive.read_bytes()
    entry = Entry(
        name=name,
        version=version,
        title=str(pkg.descriptor.get("title", name)),
        url=archive.name,
        sha256=hashlib.sha256(data).hexdigest(),
        bytes=len(data),
        created=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        schema_version=SCHEMA_VERSION,
    )
    catalog_path = out / "catalog.json"
    entries = list(load_catalog(str(catalog_path)).entries) if catalog_path.exists() else []
    kept = [e for e in entries if (e.name, e.version) != (name, version)]
    previous = [e for e in entries if (e.name, e.version) == (name, version)]
    if previous and previous[0].sha256 == entry.sha256:
        entry = previous[0]  # same bytes: keep the original creation time
    write_catalog(catalog_path, [*kept, entry])
    return entry
