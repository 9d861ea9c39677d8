"""Downloading a release: fetch, verify the sha256, extract safely, validate, install.

Nothing is installed unless every step succeeds, and installation is a rename, so
a failed or interrupted download leaves the cache as it was: no half-written
package, and older versions untouched. A release already in the cache is served
from it without touching the network.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bilat.catalog import CatalogError
from bilat.catalog.catalog import Catalog, Entry, load_catalog
from bilat.validation.target import MAX_ZIP_BYTES, TargetError, extract_zip

ENV_CACHE = "BILAT_CACHE_DIR"
MARKER = ".bilat-release.json"
#: Called as progress(bytes_done, bytes_total).
Progress = Callable[[int, int], None]


def cache_root() -> Path:
    """``BILAT_CACHE_DIR``, else the user cache folder for bilat."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("bilat", appauthor=False))


def parse_spec(spec: str) -> tuple[str, str | None]:
    """``name`` or ``name@version``."""
    name, _, version = spec.partition("@")
    if not re.match(r"^[a-z0-9][a-z0-9._-]*$", name) or (
        version and not re.match(r"^[0-9.]+$", version)
    ):
        raise CatalogError(f"{spec!r} is not NAME or NAME@VERSION")
    return name, version or None


def cached(entry: Entry, root: Path | None = None) -> Path | None:
    """The installed folder of *entry* when the cache holds exactly that release."""
    folder = (root or cache_root()) / entry.name / entry.version
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return folder if marker.get("sha256") == entry.sha256 else None


def _fetch(url: str, out: Path, entry: Entry, progress: Progress | None) -> None:
    """Copy or download *url* to *out*, checking length and sha256 as bytes arrive."""
    digest = hashlib.sha256()
    done = 0

    def take(chunk: bytes, sink: object) -> None:
        nonlocal done
        done += len(chunk)
        if done > entry.bytes:
            raise CatalogError(
                f"{url}: more bytes than the {entry.bytes} the catalog lists; download stopped"
            )
        digest.update(chunk)
        sink.write(chunk)  # type: ignore[attr-defined]
        if progress is not None:
            progress(done, entry.bytes)

    with open(out, "xb") as sink:
        if re.match(r"^https?://", url):
            import httpx

            try:
                with httpx.stream("GET", url, timeout=60.0, follow_redirects=True) as response:
                    if response.status_code != 200:
                        raise CatalogError(
                            f"{url}: HTTP {response.status_code}; nothing was installed"
                        )
                    for chunk in response.iter_bytes(1 << 16):
                        take(chunk, sink)
            except httpx.HTTPError as exc:
                raise CatalogError(
                    f"{url}: download failed ({exc}); nothing was installed"
                ) from None
        else:
            try:
                with open(url, "rb") as src:
                    while chunk := src.read(1 << 16):
                        take(chunk, sink)
            except OSError as exc:
                raise CatalogError(f"{url}: {exc.strerror or exc}; nothing was installed") from None
    if done != entry.bytes:
        raise CatalogError(
            f"{url}: got {done} bytes, the catalog lists {entry.bytes}; the download was cut short. "
            "Nothing was installed."
        )
    actual = digest.hexdigest()
    if actual != entry.sha256:
        raise CatalogError(
            f"{url}: sha256 {actual} does not match the catalog's {entry.sha256}. "
            "The file was deleted and nothing was installed."
        )


def _package_root(folder: Path) -> Path:
    if (folder / "datapackage.json").is_file():
        return folder
    subdirs = [p for p in folder.iterdir() if p.is_dir()]
    if len(subdirs) == 1 and (subdirs[0] / "datapackage.json").is_file():
        return subdirs[0]
    raise CatalogError("the archive holds no datapackage.json at its top or in one folder")


def _sweep(tmp_root: Path, older_than: float = 86400.0) -> None:
    """Remove temporary folders left by interrupted downloads."""
    now = time.time()
    for path in tmp_root.glob("dl-*"):
        try:
            if now - path.stat().st_mtime > older_than:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass


def install(
    entry: Entry,
    catalog: Catalog,
    root: Path | None = None,
    progress: Progress | None = None,
    max_bytes: int = MAX_ZIP_BYTES,
) -> Path:
    """Install *entry* into the cache (or *root*) and return its folder."""
    from bilat.validation import validate

    root = root or cache_root()
    hit = cached(entry, root)
    if hit is not None:
        return hit
    tmp_root = root / ".tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)
    _sweep(tmp_root)
    work = Path(tempfile.mkdtemp(prefix="dl-", dir=tmp_root))
    try:
        archive = work / "release.zip"
        _fetch(catalog.url_of(entry), archive, entry, progress)
        try:
            extract_zip(archive, work / "x", max_bytes)
        except TargetError as exc:
            raise CatalogError(f"{entry.name}@{entry.version}: unsafe archive: {exc}") from None
        package = _package_root(work / "x")
        report = validate(package)
        if not report.valid:
            first = report.errors[0]
            raise CatalogError(
                f"{entry.name}@{entry.version} does not validate ({len(report.errors)} errors; "
                f"first: {first.code}: {first.message}); nothing was installed"
            )
        descriptor = json.loads((package / "datapackage.json").read_text("utf-8"))
        if (descriptor.get("name"), descriptor.get("version")) != (entry.name, entry.version):
            raise CatalogError(
                f"the archive holds {descriptor.get('name')}@{descriptor.get('version')}, "
                f"not {entry.name}@{entry.version}"
            )
        (package / MARKER).write_text(json.dumps(entry.to_dict(), indent=2) + "\n", "utf-8")
        final = root / entry.name / entry.version
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():  # a stale or damaged copy of this version: swap it out
            old = work / "old"
            os.replace(final, old)
        os.replace(package, final)
        return final
    finally:
        shutil.rmtree(work, ignore_errors=True)


def installed(name: str, root: Path | None = None) -> dict[str, Path]:
    """Installed versions of *name* in the cache: version -> folder."""
    base = (root or cache_root()) / name
    out = {}
    if base.is_dir():
        for folder in base.iterdir():
            if (folder / MARKER).is_file():
                out[folder.name] = folder
    return out


def download(
    spec: str,
    catalog: str | None = None,
    dest: Path | None = None,
    progress: Progress | None = None,
) -> Path:
    """Resolve ``NAME[@VERSION]`` in the catalog and install it; return its folder.

    ``NAME@VERSION`` already in the cache is returned without reading the catalog,
    so it works offline; a plain ``NAME`` needs the catalog to know the newest version.
    """
    name, version = parse_spec(spec)
    if version is not None and (hit := installed(name, dest).get(version)) is not None:
        return hit
    cat = load_catalog(catalog)
    entry = cat.find(name, version)
    return install(entry, cat, dest, progress)
