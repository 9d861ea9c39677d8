"""Building a release: a validated package as a deterministic zip, listed in a catalog.

The zip holds the package and nothing else (:func:`package_files`): its descriptor,
its resources' files, its seed documents and its README, CHANGELOG and licence; never
a private note in the folder nor the release folder itself, and never more members or
bytes than :mod:`bilat.archives` lets bilat download and bilat.load open.

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
from bilat.archives import MAX_ZIP_BYTES, MAX_ZIP_MEMBERS
from bilat.catalog import CatalogError
from bilat.catalog.catalog import Entry, load_catalog, write_catalog
from bilat.files import WriteRefused, atomic_write, guard_out, make_folder
from bilat.models.sources import Source
from bilat.package import Package, PackageError, read_package

#: Every member gets this timestamp, so the same package always gives the same bytes.
_EPOCH = (1980, 1, 1, 0, 0, 0)
#: Seconds a build waits for another build writing to the same catalog.
LOCK_TIMEOUT = 300.0


#: The package's own documents, shipped when present: the data card and the changelog.
DOCUMENTS = ("README.md", "CHANGELOG.md")
#: Licence files are shipped too: LICENSE, LICENSE.md, LICENCE.txt, ...
LICENCE_NAMES = ("LICENSE", "LICENCE")
#: The folder of seed documents and their metadata, shipped whole when present.
SEEDS = "seeds"


def _skipped(rel: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in rel.parts)


def _no_links(root: Path, rel: Path) -> None:
    path = root
    for part in rel.parts:
        path = path / part
        if path.is_symlink():
            raise CatalogError(f"{path}: links are not allowed in a release")


def package_members(root: Path, pkg: Package, out: Path | None = None) -> set[str]:
    """The paths (relative to *root*, with ``/``) of what belongs to the package *pkg*
    beside its descriptor: every resource's path or paths and a local schema or dialect
    file, each source's seed document, the documents (README.md, CHANGELOG.md, LICENSE*)
    and what the seeds/ folder holds (not the folder *out* when it is inside *root*).
    What a release holds, and what ``bilat export`` never writes over."""
    named: set[str] = set()
    for res in pkg.descriptor.get("resources", []):
        if not isinstance(res, dict):
            continue
        paths = res.get("path")
        named.update(
            p for p in (paths if isinstance(paths, list) else [paths]) if isinstance(p, str)
        )
        named.update(res[key] for key in ("schema", "dialect") if isinstance(res.get(key), str))
    named.update(s.seed for s in pkg.records("source") if isinstance(s, Source) and s.seed)
    named.update(name for name in DOCUMENTS if (root / name).is_file())
    named.update(p.name for p in root.iterdir() if p.name.startswith(LICENCE_NAMES) and p.is_file())
    here = root.resolve()
    inner = out if out is not None and out != here and out.is_relative_to(here) else None
    seeds = root / SEEDS
    if seeds.is_dir() and not seeds.is_symlink():
        for path in seeds.rglob("*"):
            rel = path.relative_to(root)
            if _skipped(rel) or (inner is not None and (here / rel).is_relative_to(inner)):
                continue
            if path.is_symlink() or path.is_file():
                named.add(rel.as_posix())
    return named


def package_files(root: Path, descriptor: Path, pkg: Package, out: Path | None) -> dict[str, Path]:
    """The files a release of *pkg* (read from *descriptor* in *root*) holds, by their
    name in the zip, sorted: the descriptor (as ``datapackage.json``) and
    :func:`package_members`. Nothing else: not a private note, not the release folder
    *out* when it is inside *root*; a member that is a link is refused."""
    files = {"datapackage.json": descriptor}
    for name in package_members(root, pkg, out):
        rel = Path(*name.split("/"))
        _no_links(root, rel)
        path = root / rel
        if not path.is_file():
            continue  # a document or seed that is no regular file: not the package's
        files[name] = path
    _no_links(root, Path(descriptor.name))
    return dict(sorted(files.items()))


def _check_caps(files: dict[str, Path]) -> None:
    """Refuse a release that bilat download and bilat.load would refuse to open."""
    if len(files) > MAX_ZIP_MEMBERS:
        raise CatalogError(
            f"the release would hold {len(files)} files; bilat download and bilat.load open "
            f"at most {MAX_ZIP_MEMBERS} (the cap on a zipped package's members)"
        )
    total = 0
    for path in files.values():
        try:
            total += path.stat().st_size
        except OSError as exc:
            raise CatalogError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if total > MAX_ZIP_BYTES:
        raise CatalogError(
            f"the release would expand to {total} bytes; bilat download and bilat.load open "
            f"at most {MAX_ZIP_BYTES} (the cap on a zipped package's expanded size)"
        )


def zip_bytes(files: dict[str, Path], prefix: str) -> bytes:
    """*files* (name in the zip -> file) zipped as ``prefix/NAME``: sorted, fixed times
    and modes, stored uncompressed (deflated bytes depend on the zlib version)."""
    _check_caps(files)
    buffer = io.BytesIO()
    total = 0
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, path in sorted(files.items()):
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CatalogError(f"{path}: cannot be read: {exc.strerror or exc}") from None
            total += len(data)
            if total > MAX_ZIP_BYTES:  # a file grew since it was measured
                raise CatalogError(
                    f"the release would expand to more than {MAX_ZIP_BYTES} bytes; bilat "
                    "download and bilat.load open no more (the cap on a zipped package's "
                    "expanded size)"
                )
            info = zipfile.ZipInfo(f"{prefix}/{name}", _EPOCH)
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # unix, whatever the building machine
            archive.writestr(info, data)
    return buffer.getvalue()


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
    descriptor = Path(target) if Path(target).suffix == ".json" else root / "datapackage.json"
    files = package_files(root, descriptor, pkg, Path(out_dir).resolve())
    data = zip_bytes(files, f"{name}-{version}")
    digest = hashlib.sha256(data).hexdigest()
    out = _out_folder(out_dir)
    catalog_path = out / "catalog.json"
    try:
        with FileLock(str(out / ".catalog.json.lock"), timeout=LOCK_TIMEOUT):
            guard_out(catalog_path, force=True)  # never through a link or a device
            listed = load_catalog(str(catalog_path)) if catalog_path.exists() else None
            entries = list(listed.entries) if listed is not None else []
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
                extra=previous.extra if previous is not None else {},  # the publisher's keys
            )
            kept = [e for e in entries if e is not previous]
            write_catalog(catalog_path, [*kept, entry], listed.extra if listed else None)
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
