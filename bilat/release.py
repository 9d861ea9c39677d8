"""Building a release: a validated package as a deterministic zip, listed in a catalog.

Releases are immutable: NAME@VERSION, once listed, keeps its bytes; a rebuild with
other bytes is refused (a new version is the way; ``force`` replaces it in a private
catalog). The catalog folder is locked while a build writes to it, and the zip and
the catalog are written so that a failure or a kill at any point leaves every listed
entry pointing at a zip with its listed bytes:

1. the new zip is written to a unique temporary name and renamed into place under a
   name no listed entry uses;
2. then the catalog is rewritten (temporary file, rename);
3. only then is a zip that the catalog no longer lists removed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import stat
import zipfile
from pathlib import Path

from bilat import versions
from bilat.catalog import CatalogError
from bilat.catalog.catalog import Entry, load_catalog, write_catalog
from bilat.files import WriteRefused, atomic_write, guard_out, make_folder
from bilat.package import PackageError, read_package

#: Every member gets this timestamp, so the same package always gives the same bytes.
_EPOCH = (1980, 1, 1, 0, 0, 0)
#: Seconds a build waits for another build writing to the same catalog.
LOCK_TIMEOUT = 300.0


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


def zip_bytes(root: Path, prefix: str) -> bytes:
    """The files under *root* zipped as ``prefix/...``: sorted, fixed times and modes,
    stored uncompressed (deflated bytes depend on the zlib version)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in _members(root):
            info = zipfile.ZipInfo(f"{prefix}/{path.relative_to(root).as_posix()}", _EPOCH)
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # unix, whatever the building machine
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def zip_package(root: Path, prefix: str, out: Path) -> None:
    """Write the deterministic zip of *root* to *out* (atomically)."""
    atomic_write(out, zip_bytes(root, prefix))


def _out_folder(out_dir: str | Path) -> Path:
    out = Path(out_dir)
    try:
        return make_folder(out)
    except WriteRefused as exc:
        raise CatalogError(f"cannot use {out} as the release folder: {exc}") from None


def build(target: str | Path, out_dir: str | Path, *, force: bool = False) -> Entry:
    """Validate *target*, write ``NAME-VERSION.zip`` into *out_dir* and list it in
    ``out_dir/catalog.json``.

    Building the same bytes again changes nothing. A NAME@VERSION already listed with
    other bytes is refused unless *force* (for a private catalog).
    """
    # long: the catalog's lock is held over reading, writing the zip and rewriting the catalog
    from filelock import FileLock, Timeout

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
    data = zip_bytes(root, f"{name}-{version}")
    digest = hashlib.sha256(data).hexdigest()
    out = _out_folder(out_dir)
    catalog_path = out / "catalog.json"
    try:
        with FileLock(str(out / ".catalog.json.lock"), timeout=LOCK_TIMEOUT):
            guard_out(catalog_path, force=True)  # never through a link or a device
            entries = list(load_catalog(str(catalog_path)).entries) if catalog_path.exists() else []
            previous = next((e for e in entries if (e.name, e.version) == (name, version)), None)
            if previous is not None and previous.sha256 == digest:
                if not (out / previous.url).is_file():  # listed but lost: restore it
                    atomic_write(out / previous.url, data)
                return previous
            if previous is not None and not force:
                raise CatalogError(
                    f"{name}@{version} is already released in {catalog_path} with other bytes "
                    f"(sha256 {previous.sha256}); releases are immutable: bump the version, "
                    "or pass --force to replace it in a private catalog"
                )
            used = {e.url for e in entries}
            url = f"{name}-{version}.zip"
            if url in used:
                url = f"{name}-{version}.{digest[:12]}.zip"
            guard_out(out / url, force=force)  # a file the catalog does not list
            atomic_write(out / url, data)
            entry = Entry(
                name=name,
                version=version,
                title=str(pkg.descriptor.get("title", name)),
                url=url,
                sha256=digest,
                bytes=len(data),
                created=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
                schema_version=versions.declared(pkg.descriptor)[0] or versions.CURRENT,
            )
            kept = [e for e in entries if e is not previous]
            write_catalog(catalog_path, [*kept, entry])
            if previous is not None and previous.url != url:
                (out / previous.url).unlink(missing_ok=True)
            return entry
    except Timeout:
        raise CatalogError(
            f"{out}: another build has held the catalog for {LOCK_TIMEOUT:g} s; try again"
        ) from None
    except WriteRefused as exc:
        raise CatalogError(str(exc)) from None
    except OSError as exc:
        where = exc.filename or out
        raise CatalogError(
            f"cannot write the release into {where}: {exc.strerror or exc}"
        ) from None
