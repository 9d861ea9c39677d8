"""Downloading a release: fetch, verify the sha256, extract safely, validate, install;
and a cache that tells the truth.

Nothing is installed unless every step succeeds, and installation is a rename, so
a failed or interrupted download leaves the cache as it was: no half-written
package, and older versions untouched. Each installed release records the size,
modification time and sha256 of its files; a cached release is served only while
its files still match (size and time checked every time, the hashes with
``verify``). Work folders of downloads that were killed are removed by the next
download, whether it installs or is served from the cache.

A name is looked up in one order everywhere (``bilat.load``, ``bilat validate``,
``bilat download``): an existing path; a dataset bundled with bilat; the cache; the
catalogs (``--catalog``, else each of ``BILAT_CATALOG``, then the bundled catalog).
When no catalog can be read, the highest cached version is used, with a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bilat.archives import MAX_ZIP_BYTES, ArchiveError, extract_zip
from bilat.cachedir import ENV_CACHE, CacheDirError, cache_root
from bilat.catalog import CatalogError
from bilat.catalog.catalog import Catalog, Entry, find
from bilat.files import (
    FileProblem,
    WriteRefused,
    atomic_write,
    guard_out,
    open_regular,
    read_capped,
)

MARKER = ".bilat-release.json"
#: Called as progress(bytes_done, bytes_total).
Progress = Callable[[int, int], None]
#: Called with a warning for the user.
Warn = Callable[[str], None]


#: Longest dataset name (a folder name in the cache, so within any file system's limit).
MAX_NAME = 200
#: A dataset's name, and a release's version (the folders of the cache).
NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
VERSION_PATTERN = r"^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$"


class SpecError(CatalogError):
    """A malformed ``NAME[@VERSION]``: a usage error (exit 2 in the CLI)."""


def _cache(root: Path | None) -> Path:
    """*root*, else the cache folder; CatalogError when ``BILAT_CACHE_DIR`` is unusable."""
    if root is not None:
        return root
    try:
        return cache_root()
    except CacheDirError as exc:
        raise CatalogError(str(exc)) from None


def _usable(root: Path) -> Path:
    try:
        if os.path.lexists(root):
            guard_out(root, folder=True)  # a link or a file where the cache should be
        root.mkdir(parents=True, exist_ok=True)
    except WriteRefused as exc:
        raise CatalogError(f"cannot use {root} as the cache folder: {exc}") from None
    except OSError as exc:
        raise CatalogError(
            f"cannot use {root} as the cache folder: {exc.strerror or exc} "
            f"(set {ENV_CACHE} to another folder)"
        ) from None
    if not root.is_dir() or not os.access(root, os.W_OK):
        raise CatalogError(
            f"cannot use {root} as the cache folder: not a writable folder (set {ENV_CACHE})"
        )
    return root


def parse_spec(spec: str) -> tuple[str, str | None]:
    """``name`` or ``name@version``; :class:`SpecError` for anything else (``name@``
    included: an empty version is not "every version")."""
    name, at, version = spec.partition("@")
    if (
        not re.match(NAME_PATTERN, name)
        or len(name) > MAX_NAME
        or (at and not re.match(VERSION_PATTERN, version))
    ):
        shown = spec if len(spec) <= 80 else spec[:60] + f"... ({len(spec)} characters)"
        why = f" (a name has at most {MAX_NAME} characters)" if len(name) > MAX_NAME else ""
        raise SpecError(f"{shown!r} is not NAME or NAME@VERSION (e.g. india-russia@1.0.0){why}")
    return name, version or None


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def _manifest(package: Path) -> dict[str, list[Any]]:
    """Size, modification time and sha256 of every file under *package*."""
    files: dict[str, list[Any]] = {}
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.name != MARKER:
            st = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            files[path.relative_to(package).as_posix()] = [st.st_size, st.st_mtime_ns, digest]
    return files


def _marker(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(read_capped(folder / MARKER, 16 << 20))
    except (FileProblem, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def check(folder: Path, full: bool = False) -> str | None:
    """Why the installed release in *folder* cannot be trusted, or None when its files
    match what was recorded at install (sizes and times; sha256 too with *full*)."""
    marker = _marker(folder)
    if marker is None:
        return "its install record is missing or unreadable"
    files = marker.get("files")
    if not isinstance(files, dict) or not files:
        return "its install record lists no files"
    for rel, recorded in files.items():
        path = folder / rel
        if not isinstance(recorded, list) or len(recorded) != 3:
            return "its install record is damaged"
        try:
            st = path.lstat()
        except OSError:
            return f"{rel} is missing"
        if not path.is_file() or path.is_symlink():
            return f"{rel} is not a regular file"
        size, mtime, digest = recorded
        if st.st_size != size:
            return f"{rel} changed size"
        unchanged = not full and st.st_mtime_ns == mtime  # the fast path: size and time
        if not unchanged and hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return f"{rel} changed since it was installed"
    return None


def cached(entry: Entry, root: Path | None = None, full: bool = False) -> Path | None:
    """The installed folder of *entry* when the cache holds exactly that release, intact."""
    folder = _cache(root) / entry.name / entry.version
    if not (_real_folder(folder.parent) and _real_folder(folder)):
        return None
    marker = _marker(folder)
    if marker is None or marker.get("sha256") != entry.sha256:
        return None
    return folder if check(folder, full) is None else None


def installed(name: str, root: Path | None = None) -> dict[str, Path]:
    """Intact installed versions of *name* in the cache: version -> folder."""
    base = _cache(root) / name
    out = {}
    if _real_folder(base):
        for folder in base.iterdir():
            if (
                re.match(VERSION_PATTERN, folder.name)
                and _real_folder(folder)
                and check(folder) is None
            ):
                out[folder.name] = folder
    return out


def _real_folder(path: Path) -> bool:
    """Whether *path* is a folder itself, not a link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def releases(root: Path | None = None) -> list[tuple[str, str, Path]]:
    """Every release folder in the cache, intact or not: (name, version, folder).

    Only what an install made counts: a folder named as a dataset, holding folders
    named as versions that hold an install record (:data:`MARKER`), none of them a
    link. So ``cache list`` and ``cache clear`` never take a folder that is not
    bilat's (``--dest`` or ``BILAT_CACHE_DIR`` pointed at someone's folder), nor go
    through a link out of the cache."""
    base = _cache(root)
    out = []
    if _real_folder(base):
        for name_dir in sorted(base.iterdir()):
            if not re.match(NAME_PATTERN, name_dir.name) or not _real_folder(name_dir):
                continue
            for folder in sorted(name_dir.iterdir(), key=lambda p: p.name):
                if (
                    re.match(VERSION_PATTERN, folder.name)
                    and _real_folder(folder)
                    and os.path.isfile(folder / MARKER)
                    and not os.path.islink(folder / MARKER)
                ):
                    out.append((name_dir.name, folder.name, folder))
    return out


def _fetch(url: str, out: Path, entry: Entry, progress: Progress | None) -> None:
    """Copy or download *url* to *out*, checking length and sha256 as bytes arrive."""
    digest = hashlib.sha256()
    done = 0

    with open(out, "xb") as sink:

        def take(chunk: bytes) -> None:
            nonlocal done
            done += len(chunk)
            if done > entry.bytes:
                raise CatalogError(
                    f"{url}: more bytes than the {entry.bytes} the catalog lists; download stopped"
                )
            digest.update(chunk)
            sink.write(chunk)
            if progress is not None:
                progress(done, entry.bytes)

        if re.match(r"^https?://", url):
            from bilat.catalog.http import stream

            try:
                stream(url, take, max_bytes=entry.bytes, what="release")
            except CatalogError as exc:
                raise CatalogError(f"{exc}; nothing was installed") from None
        else:
            try:
                with open_regular(url) as src:  # never blocks on a FIFO, never reads a device
                    while chunk := src.read(1 << 16):
                        take(chunk)
            except FileProblem as exc:
                raise CatalogError(f"{url}: {exc}; nothing was installed") from None
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


def sweep(tmp_root: Path) -> int:
    """Remove work folders of downloads whose process is gone (killed or crashed).

    A download takes the lock on ``dl-X.lock`` before it creates its folder ``dl-X``
    and keeps it until the folder is gone, so a folder whose lock can be taken belongs
    to no one, however young it is. Returns the number removed.
    """
    try:
        with os.scandir(tmp_root) as listing:
            found = [
                Path(item.path)
                for item in listing
                if item.name.startswith("dl-")
                and not item.name.endswith(".lock")
                and item.is_dir(follow_symlinks=False)  # never through a link
            ]
    except OSError:  # no work folder, or one that cannot be listed: nothing to sweep
        return 0
    if not found:  # the usual case: one listing of a small folder, no import
        return 0
    from filelock import FileLock, Timeout

    removed = 0
    for path in found:
        lock = FileLock(str(path) + ".lock", timeout=0)
        try:
            with lock:  # (re)creates the lock file if its owner has just removed it
                if path.is_dir():  # else its owner finished while this looked
                    shutil.rmtree(path, ignore_errors=True)
                    removed += 1
                Path(str(path) + ".lock").unlink(missing_ok=True)
        except (Timeout, OSError):
            continue
    return removed


def _tidy(root: Path) -> None:
    """Sweep the cache's work folder (:func:`sweep`) when there is one, quietly: every
    download does, served from the cache or not, so a killed one's folder does not
    wait for the next install."""
    tmp_root = root / ".tmp"
    if _real_folder(tmp_root):  # never through a link
        with contextlib.suppress(OSError):  # tidying never stops a download
            sweep(tmp_root)


#: A release's zip may be this fraction (1/16) larger than what it expands to (its
#: members' headers and directory); a catalog listing more is refused before a byte
#: is fetched, since such a zip could not be installed (:data:`MAX_ZIP_BYTES`).
FETCH_SLACK = 16

#: Seconds an install waits for another process installing the same release.
INSTALL_WAIT = 600.0


def _work_folder(tmp_root: Path) -> tuple[Path, Any]:
    """A new work folder under *tmp_root*, and the held lock that marks it as in use
    (taken before the folder exists, so no sweep can take the folder from under it)."""
    from filelock import FileLock

    fd, lock_path = tempfile.mkstemp(prefix="dl-", suffix=".lock", dir=tmp_root)
    os.close(fd)
    lock = FileLock(lock_path, timeout=0)
    lock.acquire()
    work = Path(lock_path[: -len(".lock")])
    try:
        work.mkdir()
    except BaseException:
        lock.release()
        Path(lock_path).unlink(missing_ok=True)
        raise
    return work, lock


def install(
    entry: Entry,
    catalog: Catalog,
    root: Path | None = None,
    progress: Progress | None = None,
    max_bytes: int = MAX_ZIP_BYTES,
    refresh: bool = False,
) -> Path:
    """Install *entry* into the cache (or *root*) and return its folder.

    Any number of processes may install into one cache at once: each works in its own
    folder, and the last step (checking the cache again, then renaming into place)
    holds a lock per release. A release the catalog lists at more than *max_bytes*
    and a sixteenth (:data:`FETCH_SLACK`) is refused before anything is fetched.
    """
    # long: one work folder and its lock held over fetch, extraction, validation and the final rename
    from filelock import FileLock, Timeout

    from bilat.validation import validate

    root = _usable(_cache(root))
    _tidy(root)
    if not refresh:
        hit = cached(entry, root)
        if hit is not None:
            return hit
    most = max_bytes + max_bytes // FETCH_SLACK
    if entry.bytes > most:  # never fill the disk with what could not be installed
        raise CatalogError(
            f"{entry.name}@{entry.version}: the catalog lists {entry.bytes:,} bytes; bilat "
            f"installs releases of at most {max_bytes:,} bytes once expanded, so it downloads "
            f"at most {most:,}; nothing was downloaded"
        )
    tmp_root = root / ".tmp"
    try:
        tmp_root.mkdir(parents=True, exist_ok=True)
        guard_out(tmp_root, folder=True)
        work, lock = _work_folder(tmp_root)
    except WriteRefused as exc:
        raise CatalogError(f"cannot install into {root}: {exc}") from None
    except OSError as exc:
        raise CatalogError(
            f"cannot install into {exc.filename or root}: {exc.strerror or exc}"
        ) from None
    try:
        archive = work / "release.zip"
        _fetch(catalog.url_of(entry), archive, entry, progress)
        try:
            extract_zip(archive, work / "x", max_bytes)
        except ArchiveError as exc:
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
        record = {**entry.to_dict(), "files": _manifest(package)}
        atomic_write(package / MARKER, (json.dumps(record, indent=2) + "\n").encode("utf-8"))
        final = root / entry.name / entry.version
        final.parent.mkdir(parents=True, exist_ok=True)
        guard_out(final.parent, folder=True)
        release_lock = FileLock(str(final.parent / f".{entry.version}.lock"), timeout=INSTALL_WAIT)
        with release_lock:
            if not refresh and (hit := cached(entry, root)) is not None:
                return hit  # another process installed it meanwhile
            if os.path.lexists(final):  # a stale or damaged copy: swap it out
                os.replace(final, work / "old")
            os.replace(package, final)
        return final
    except Timeout:
        raise CatalogError(
            f"another process has been installing {entry.name}@{entry.version} into {root} "
            f"for {INSTALL_WAIT:g} s; try again"
        ) from None
    except WriteRefused as exc:
        raise CatalogError(f"cannot install into {root}: {exc}") from None
    except OSError as exc:
        raise CatalogError(
            f"cannot install into {exc.filename or root}: {exc.strerror or exc}"
        ) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
        lock.release()
        Path(str(work) + ".lock").unlink(missing_ok=True)


def _offline_miss(spec: str, name: str, version: str | None, root: Path, dest: Path | None) -> str:
    """Why ``--offline`` cannot serve *spec*: its release (or, for a bare NAME, the
    newest of its releases) is cached but damaged, or it is not cached at all."""
    damaged = [(v, folder) for n, v, folder in releases(root) if n == name and version in (None, v)]
    if not damaged:
        return f"{spec} is not in the cache ({root}) and --offline is set"
    shown, folder = max(damaged, key=lambda vf: _key(vf[0]))
    why = check(folder) or "it changed while bilat looked"
    verify = "bilat cache verify" + (f" --dest {dest}" if dest is not None else "")
    return (
        f"{name}@{shown} is in the cache ({folder}) but damaged ({why}) and --offline is set: "
        f"download it again without --offline, or run `{verify}` to see what is damaged"
    )


def download(
    spec: str,
    catalog: str | None = None,
    dest: Path | None = None,
    progress: Progress | None = None,
    *,
    refresh: bool = False,
    offline: bool = False,
    warn: Warn | None = None,
) -> Path:
    """Resolve ``NAME[@VERSION]`` and return the folder of an intact installed release.

    The cache is looked at first (``NAME@VERSION`` needs no network); ``NAME`` asks the
    catalogs for the newest version. When no catalog can be read (or with *offline*),
    the highest cached version is used, with a warning. *refresh* downloads again.
    """
    name, version = parse_spec(spec)
    root = _cache(dest)
    _tidy(root)
    if not refresh and version is not None and (hit := installed(name, root).get(version)):
        return hit
    if offline:
        versions = installed(name, root)
        chosen = version if version in versions else None
        if chosen is None and version is None and versions:
            chosen = max(versions, key=_key)
        if chosen is None:
            raise CatalogError(_offline_miss(spec, name, version, root, dest))
        return versions[chosen]
    try:
        entry, cat = find(name, version, catalog)
    except CatalogError as exc:
        versions = installed(name, root)
        if version is None and versions and not refresh:
            chosen = max(versions, key=_key)
            if warn is not None:
                warn(f"no catalog could be used ({exc}); using the cached {name}@{chosen}")
            return versions[chosen]
        raise
    return install(entry, cat, dest, progress, refresh=refresh)
