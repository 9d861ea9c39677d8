"""Releases are immutable and their catalog never loses an entry; the cache tells the
truth; the network has deadlines and caps. Real servers on 127.0.0.1, real processes."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilat.catalog import CatalogError
from bilat.catalog.catalog import load_catalog
from bilat.catalog.download import MARKER, download, sweep
from bilat.cli import app
from bilat.release import build

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "datasets" / "india-russia"
runner = CliRunner()


def versioned(tmp: Path, version: str, note: str | None = None) -> Path:
    """A copy of the bundled dataset released as *version* (optionally with other bytes)."""
    pkg = tmp / f"pkg-{version}-{note or ''}"
    if pkg.exists():
        return pkg
    shutil.copytree(DATASET, pkg)
    data = json.loads((pkg / "datapackage.json").read_text())
    data["version"] = version
    if note:
        data["description"] = note
    (pkg / "datapackage.json").write_text(json.dumps(data, indent=2))
    return pkg


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("BILAT_CACHE_DIR", str(folder))
    monkeypatch.setenv("BILAT_HTTP_TIMEOUT", "3")
    monkeypatch.delenv("BILAT_CATALOG", raising=False)
    return folder


def consistent(out: Path) -> list[tuple[str, str]]:
    """Every listed entry points at a zip with its listed bytes; returns the entries."""
    if not (out / "catalog.json").exists():
        return []
    catalog = load_catalog(str(out / "catalog.json"))
    for e in catalog.entries:
        data = (out / e.url).read_bytes()
        assert hashlib.sha256(data).hexdigest() == e.sha256 and len(data) == e.bytes, e
    return sorted((e.name, e.version) for e in catalog.entries)


# -- build ------------------------------------------------------------------------------------


def test_a_release_is_immutable(tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = build(versioned(tmp_path, "1.0.0"), out)
    assert build(versioned(tmp_path, "1.0.0"), out) == first  # same bytes: nothing changes
    changed = versioned(tmp_path, "1.0.0", note="changed")
    with pytest.raises(CatalogError, match="immutable"):
        build(changed, out)
    result = runner.invoke(app, ["build", str(changed), "--out", str(out)])
    assert result.exit_code == 1 and "bump the version" in result.output
    assert consistent(out) == [("india-russia", "1.0.0")]
    replaced = build(changed, out, force=True)
    assert replaced.sha256 != first.sha256
    assert consistent(out) == [("india-russia", "1.0.0")]
    assert sorted(p.name for p in out.glob("*.zip")) == [replaced.url]


def test_a_build_keeps_the_keys_a_publisher_added_to_the_catalog(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(versioned(tmp_path, "1.0.0"), out)
    doc = json.loads((out / "catalog.json").read_text())
    doc["x-owner"] = {"team": "data", "mail": "data@example.org"}
    doc["datasets"][0]["homepage"] = "https://example.org/india-russia"
    (out / "catalog.json").write_text(json.dumps(doc))
    build(versioned(tmp_path, "1.1.0"), out)  # a new version: the catalog is rewritten
    build(versioned(tmp_path, "1.0.0", note="changed"), out, force=True)  # a replaced one
    doc = json.loads((out / "catalog.json").read_text())
    assert doc["x-owner"] == {"team": "data", "mail": "data@example.org"}
    first, second = doc["datasets"]
    assert (first["version"], first["homepage"]) == ("1.0.0", "https://example.org/india-russia")
    assert second["version"] == "1.1.0" and "homepage" not in second
    assert consistent(out) == [("india-russia", "1.0.0"), ("india-russia", "1.1.0")]


def test_a_corrupt_catalog_stops_the_build_before_anything_is_written(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "catalog.json").write_text("{ not json")
    with pytest.raises(CatalogError):
        build(versioned(tmp_path, "1.0.0"), out)
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["catalog.json"]


@pytest.mark.parametrize("kind", ["file", "under-a-file", "proc"])
def test_an_unusable_out_folder_is_a_clean_error(tmp_path: Path, kind: str) -> None:
    (tmp_path / "afile").write_text("x")
    out = {
        "file": tmp_path / "afile",
        "under-a-file": tmp_path / "afile" / "sub",
        "proc": Path("/proc/bilat-release"),
    }[kind]
    result = runner.invoke(app, ["build", str(DATASET), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "cannot" in result.output


def _build_in_subprocess(pkg: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bilat", "build", str(pkg), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_concurrent_builds_lose_no_catalog_entry(tmp_path: Path) -> None:
    out = tmp_path / "site"
    packages = [versioned(tmp_path, f"1.{i}.0") for i in range(6)]
    packages.append(versioned(tmp_path, "1.0.0"))  # the same release twice, at once
    procs = [_build_in_subprocess(p, out) for p in packages]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert consistent(out) == [("india-russia", f"1.{i}.0") for i in range(6)]
    assert not list(out.glob(".*.tmp"))


def test_kill_9_at_any_point_leaves_the_published_pair_consistent(tmp_path: Path) -> None:
    out = tmp_path / "site"
    rng = random.Random(9)
    packages = [versioned(tmp_path, f"2.{i}.0") for i in range(8)]
    for pkg in packages:
        proc = _build_in_subprocess(pkg, out)
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        consistent(out)  # whatever was listed is whole
    survivors = consistent(out)
    build(packages[0], out)  # a later build still works (a stale lock does not block it)
    assert ("india-russia", "2.0.0") in consistent(out)
    assert len(consistent(out)) >= len(survivors)


# -- the cache --------------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Path:
    out = tmp_path / "site"
    build(versioned(tmp_path, "1.0.0"), out)
    build(versioned(tmp_path, "1.1.0"), out)
    return out


def test_a_damaged_cached_release_is_not_served(site: Path, cache: Path) -> None:
    catalog = str(site / "catalog.json")
    folder = download("india-russia@1.1.0", catalog)
    victim = folder / "states.csv"
    victim.write_text(victim.read_text().replace("India", "Indja"))
    os.utime(victim, ns=(0, 0))
    result = runner.invoke(app, ["cache", "verify"])
    assert result.exit_code == 1 and "damaged" in result.output
    again = download("india-russia@1.1.0", catalog)  # downloaded again, not served damaged
    assert again == folder and "Indja" not in (again / "states.csv").read_text()
    assert runner.invoke(app, ["cache", "verify"]).exit_code == 0
    listing = runner.invoke(app, ["cache", "list"])
    assert "india-russia" in listing.output and "intact" in listing.output


def test_refresh_offline_and_the_fallback_when_no_catalog_answers(site: Path, cache: Path) -> None:
    catalog = str(site / "catalog.json")
    old = download("india-russia@1.0.0", catalog)
    new = download("india-russia", catalog)
    assert new.name == "1.1.0"
    marker = (new / MARKER).stat().st_mtime_ns
    assert download("india-russia", catalog, refresh=True) == new
    assert (new / MARKER).stat().st_mtime_ns != marker  # really downloaded again
    warnings: list[str] = []
    gone = str(site / "nothing-here.json")
    assert download("india-russia", gone, warn=warnings.append) == new
    assert warnings and "using the cached india-russia@1.1.0" in warnings[0]
    assert download("india-russia@1.0.0", gone) == old  # NAME@VERSION needs no catalog
    result = runner.invoke(app, ["download", "india-russia", "--offline"])
    assert result.exit_code == 0 and result.stdout.strip() == str(new)
    result = runner.invoke(app, ["download", "atlantis", "--offline"])
    assert result.exit_code == 1 and "not in the cache" in result.output
    assert runner.invoke(app, ["cache", "clear", "india-russia@1.0.0"]).exit_code == 0
    assert not old.exists() and new.exists()


def test_offline_names_a_damaged_cached_release_as_damaged(site: Path, cache: Path) -> None:
    folder = download("india-russia@1.0.0", str(site / "catalog.json"))
    victim = folder / "states.csv"
    victim.write_text(victim.read_text().replace("India", "Indja"))
    os.utime(victim, ns=(0, 0))
    for spec in ("india-russia@1.0.0", "india-russia"):
        result = runner.invoke(app, ["download", spec, "--offline"])
        assert result.exit_code == 1, result.output
        assert "not in the cache" not in result.output
        assert "india-russia@1.0.0 is in the cache" in result.output
        assert "but damaged (states.csv changed since it was installed)" in result.output
        assert "without --offline" in result.output and "bilat cache verify" in result.output
    result = runner.invoke(app, ["download", "india-russia@1.1.0", "--offline"])
    assert result.exit_code == 1 and "is not in the cache" in result.output


def test_bilat_catalog_lists_several_catalogs_and_the_bundled_one_comes_last(
    site: Path, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other"
    pkg = versioned(tmp_path, "3.0.0")
    data = json.loads((pkg / "datapackage.json").read_text())
    data["name"] = "india-russia-extra"
    (pkg / "datapackage.json").write_text(json.dumps(data))
    build(pkg, other)
    monkeypatch.setenv("BILAT_CATALOG", f"{other / 'catalog.json'}  {site / 'catalog.json'}")
    assert download("india-russia-extra").name == "3.0.0"  # from the first
    assert download("india-russia").name == "1.1.0"  # from the second
    listing = runner.invoke(app, ["list"])
    assert "india-russia-extra" in listing.stdout and "1.1.0" in listing.stdout
    monkeypatch.setenv("BILAT_CATALOG", str(other / "catalog.json"))
    assert download("india-russia@1.0.0").name == "1.0.0"  # the bundled catalog, last


def test_a_killed_download_leaves_nothing_after_the_next_start(cache: Path, site: Path) -> None:
    tmp_root = cache / ".tmp"
    tmp_root.mkdir(parents=True)
    (tmp_root / "dl-dead").mkdir()
    (tmp_root / "dl-dead" / "release.zip").write_bytes(b"partial")
    assert sweep(tmp_root) == 1 and not (tmp_root / "dl-dead").exists()
    download("india-russia@1.0.0", str(site / "catalog.json"))
    assert not any(tmp_root.iterdir())


def test_a_download_served_from_the_cache_sweeps_a_killed_ones_folder(
    cache: Path, site: Path
) -> None:
    import fcntl

    catalog = str(site / "catalog.json")
    old, new = download("india-russia@1.0.0", catalog), download("india-russia", catalog)
    tmp_root = cache / ".tmp"
    live = tmp_root / "dl-live"
    live.mkdir()
    with open(str(live) + ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a running download holds it
        for served, folder in (
            (lambda: download("india-russia@1.0.0", catalog), old),  # no catalog read
            (lambda: download("india-russia", catalog), new),  # the catalog's newest, cached
            (lambda: download("india-russia", offline=True), new),
        ):
            (tmp_root / "dl-dead").mkdir()
            (tmp_root / "dl-dead" / "release.zip").write_bytes(b"partial")
            start = time.monotonic()
            assert served() == folder
            assert time.monotonic() - start < 2
            assert sorted(p.name for p in tmp_root.iterdir()) == ["dl-live", "dl-live.lock"]


@pytest.mark.parametrize("kind", ["file", "under-a-file", "proc"])
def test_an_unusable_cache_folder_is_a_clean_error(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    (tmp_path / "afile").write_text("x")
    folder = {
        "file": tmp_path / "afile",
        "under-a-file": tmp_path / "afile" / "sub",
        "proc": Path("/proc/bilat-cache"),
    }[kind]
    monkeypatch.setenv("BILAT_CACHE_DIR", str(folder))
    result = runner.invoke(
        app, ["download", "india-russia", "--catalog", str(site / "catalog.json")]
    )
    assert result.exit_code == 1 and "cache folder" in result.output, result.output


# -- catalogs of any shape --------------------------------------------------------------------


def _catalog_with(site: Path, tmp_path: Path, **changes: object) -> str:
    doc = json.loads((site / "catalog.json").read_text())
    doc["datasets"][0].update(changes)
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(doc))
    return str(path)


@pytest.mark.parametrize(
    "changes",
    [{"url": 5}, {"url": None}, {"bytes": True}, {"bytes": "12"}, {"title": []}, {"sha256": 1}],
)
def test_a_catalog_entry_of_the_wrong_type(
    site: Path, tmp_path: Path, cache: Path, changes: dict[str, object]
) -> None:
    with pytest.raises(CatalogError):
        download("india-russia@1.0.0", _catalog_with(site, tmp_path, **changes))


def test_a_local_catalog_url_cannot_leave_its_folder(
    site: Path, tmp_path: Path, cache: Path
) -> None:
    for url in ("../../etc/passwd", "/etc/passwd", "file:///etc/passwd"):
        with pytest.raises(CatalogError, match=r"not a path inside|scheme"):
            download("india-russia@1.0.0", _catalog_with(site, tmp_path, url=url))


@pytest.mark.parametrize(
    "raw", [b"[" * 100_000 + b"]" * 100_000, b'{"datasets": []}\xff', b"\x00\x01", b""]
)
def test_a_catalog_nested_deep_or_not_utf8(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "catalog.json"
    path.write_bytes(raw)
    result = runner.invoke(app, ["list", "--catalog", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output


# -- the network ------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    site: Path

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/endless/catalog.json":
            self.send_response(200)
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b" " * 65536)
            except OSError:
                return
        if self.path.startswith("/drip/"):
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(60):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                return
            return
        if self.path.startswith(("/gzip-all/", "/gzip-zips/")):  # despite Accept-Encoding
            file = self.site / self.path.split("/", 2)[2]
            data = file.read_bytes()
            if self.path.startswith("/gzip-all/") or file.suffix == ".zip":
                data = gzip.compress(data)
                self.send_response(200)
                self.send_header("Content-Encoding", "gzip")
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if self.path.startswith("/redirect/"):
            self.send_response(302)
            self.send_header("Location", "/site/" + self.path.split("/", 2)[2])
            self.end_headers()
            return
        if self.path.startswith("/site/"):
            file = self.site / self.path.split("/", 2)[2]
            if file.is_file():
                data = file.read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
        self.send_response(404)
        self.end_headers()


@pytest.fixture
def server(site: Path) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"site": site})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_an_endless_catalog_is_cut_off_at_the_cap(server: str, cache: Path) -> None:
    start = time.monotonic()
    with pytest.raises(CatalogError, match="more than"):
        load_catalog(f"{server}/endless/catalog.json")
    assert time.monotonic() - start < 10


def test_a_dripping_server_is_cut_off_at_the_deadline(
    server: str, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BILAT_HTTP_TIMEOUT", "1")  # a byte every 0.5 s: it never ends
    start = time.monotonic()
    with pytest.raises(CatalogError, match="longer than 1 s"):
        load_catalog(f"{server}/drip/catalog.json")
    assert time.monotonic() - start < 4
    result = runner.invoke(app, ["list", "--catalog", f"{server}/drip/catalog.json"])
    assert result.exit_code == 1 and "BILAT_HTTP_TIMEOUT" in result.output


def test_redirects_are_followed_and_downloads_verified(server: str, cache: Path) -> None:
    folder = download("india-russia@1.1.0", f"{server}/redirect/catalog.json")
    assert folder.name == "1.1.0" and (folder / MARKER).is_file()


def test_a_server_that_compresses_despite_identity_is_named(server: str, cache: Path) -> None:
    with pytest.raises(CatalogError, match=r"compressed it \(Content-Encoding: gzip\)"):
        load_catalog(f"{server}/gzip-all/catalog.json")
    result = runner.invoke(
        app, ["download", "india-russia@1.1.0", "--catalog", f"{server}/gzip-zips/catalog.json"]
    )
    assert result.exit_code == 1, result.output
    assert "the server compressed it (Content-Encoding: gzip)" in result.output
    assert "Accept-Encoding: identity" in result.output and "cut short" not in result.output
    assert "nothing was installed" in result.output and not (cache / "india-russia").exists()


def test_validate_and_load_take_a_release_name(
    site: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One lookup order: a path, a bundled dataset, the cache, then the catalogs."""
    import bilat

    monkeypatch.setenv("BILAT_CATALOG", str(site / "catalog.json"))
    report = bilat.validate("india-russia@1.1.0")  # not cached yet: from the catalog
    assert report.valid and (cache / "india-russia" / "1.1.0").is_dir()
    monkeypatch.setenv("BILAT_CATALOG", str(site / "gone.json"))
    assert bilat.load("india-russia@1.1.0").version == "1.1.0"  # the cache, no catalog
    assert bilat.validate("india-russia").valid  # the bundled dataset comes first
    missing = bilat.validate("atlantis@1.0.0")
    assert missing.counts() == {"target-unreadable": 1}


# -- what the cache commands may touch, and deadlines that hold ---------------------------------


def test_cache_clear_takes_only_releases_and_never_goes_through_a_link(
    site: Path, cache: Path, tmp_path: Path
) -> None:
    """``--dest`` (or BILAT_CACHE_DIR) pointed at someone's folder: ``cache list`` and
    ``cache clear`` take only the folders an install made (a dataset's name, a version,
    an install record), and never a folder a link in the cache points at."""
    download("india-russia@1.0.0", str(site / "catalog.json"))
    theirs = [cache / "thesis" / "chapter1", cache / "photos" / "2024", cache / "notes" / "1.0.0"]
    for folder in theirs:
        folder.mkdir(parents=True)
        (folder / "draft.txt").write_text("precious")
    outside = tmp_path / "outside"
    (outside / "2.0.0").mkdir(parents=True)
    (outside / "2.0.0" / MARKER).write_text("{}")
    (cache / "india-china").symlink_to(outside)
    (cache / "india-russia" / "9.9.9").symlink_to(outside / "2.0.0")
    (cache / ".tmp" / "mine").mkdir(parents=True)
    listing = runner.invoke(app, ["cache", "list"])
    assert listing.exit_code == 0
    assert "1.0.0" in listing.stdout and "intact" in listing.stdout
    assert "thesis" not in listing.stdout and "india-china" not in listing.stdout
    assert "9.9.9" not in listing.stdout and "DAMAGED" not in listing.stdout
    cleared = runner.invoke(app, ["cache", "clear"])
    assert cleared.exit_code == 0 and "removed 1 release(s)" in cleared.output
    assert not (cache / "india-russia" / "1.0.0").exists()
    assert all((folder / "draft.txt").read_text() == "precious" for folder in theirs)
    assert (outside / "2.0.0" / MARKER).is_file()
    assert (cache / ".tmp" / "mine").is_dir()  # not a download's work folder


def _raw_server(answer: Callable[[socket.socket, int], None]) -> Iterator[str]:
    """A server on 127.0.0.1 that hands each connection (and its number) to *answer*."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    done = threading.Event()

    def serve() -> None:
        count = 0
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            count += 1
            threading.Thread(target=answer, args=(conn, count), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        done.set()
        thread.join()
        listener.close()


def _drip_headers(conn: socket.socket, _: int) -> None:
    """A status line, then one byte of a header every 0.3 s for a minute."""
    with conn:
        try:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-A: ")
            for _ in range(200):
                conn.sendall(b"a")
                time.sleep(0.3)
        except OSError:
            return


def _slow_redirects(conn: socket.socket, count: int) -> None:
    """Each request answered after a second, with a redirect to the next."""
    with conn:
        try:
            conn.recv(65536)
            time.sleep(1)
            conn.sendall(
                f"HTTP/1.1 302 Found\r\nLocation: /hop/{count}\r\nContent-Length: 0\r\n"
                "Connection: close\r\n\r\n".encode()
            )
        except OSError:
            return


@pytest.mark.parametrize("answer", [_drip_headers, _slow_redirects], ids=["headers", "redirects"])
def test_the_deadline_holds_while_headers_drip_and_across_redirects(
    cache: Path, answer: Callable[[socket.socket, int], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """httpx's timeouts are per read: the overall deadline (1.5 s here) must also cut
    off a server that sends its headers a byte at a time, or redirects slowly (20 hops
    of a second each: the first hop alone is within the deadline)."""
    monkeypatch.setenv("BILAT_HTTP_TIMEOUT", "1.5")
    servers = _raw_server(answer)
    url = next(servers)
    try:
        start = time.monotonic()
        with pytest.raises(CatalogError, match=r"longer than 1\.5 s"):
            load_catalog(f"{url}/catalog.json")
        assert time.monotonic() - start < 4
        start = time.monotonic()
        result = runner.invoke(app, ["list", "--catalog", f"{url}/catalog.json"])
        assert result.exit_code == 1 and "BILAT_HTTP_TIMEOUT" in result.output
        assert time.monotonic() - start < 4
    finally:
        servers.close()


def test_a_release_listed_as_a_fifo_or_too_large_is_refused_at_once(
    site: Path, cache: Path, tmp_path: Path
) -> None:
    """A local catalog whose release file is a FIFO: refused, not waited on. A catalog
    listing more bytes than an installable release can hold: refused before a byte is
    fetched (the disk is not filled with what could not be installed)."""
    catalog = json.loads((site / "catalog.json").read_text())
    entry = next(e for e in catalog["datasets"] if e["version"] == "1.0.0")
    local = tmp_path / "fifo-site"
    local.mkdir()
    os.mkfifo(local / Path(entry["url"]).name)
    (local / "catalog.json").write_text(
        json.dumps({**catalog, "datasets": [{**entry, "url": Path(entry["url"]).name}]})
    )
    start = time.monotonic()
    with pytest.raises(CatalogError, match="FIFO"):
        download("india-russia@1.0.0", str(local / "catalog.json"))
    assert time.monotonic() - start < 5
    huge = tmp_path / "huge-site"
    shutil.copytree(site, huge)
    (huge / "catalog.json").write_text(
        json.dumps({**catalog, "datasets": [{**entry, "bytes": 10**12}]})
    )
    with pytest.raises(CatalogError, match="nothing was downloaded"):
        download("india-russia@1.0.0", str(huge / "catalog.json"))
    assert not list((cache / ".tmp").glob("dl-*"))  # nothing was fetched


def test_a_target_that_is_nowhere_is_a_usage_error_and_a_missing_zip_a_path(
    site: Path, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name no catalog lists (every catalog read) is a target that does not exist:
    exit 2 for export and card, as the README's table says; a catalog that cannot be
    read is exit 1. A missing ``release.zip`` or ``datapackage.json`` is a path,
    reported as one (PackageError), not looked up as a release."""
    import bilat
    from bilat.catalog import UnknownDataset
    from bilat.package import PackageError

    monkeypatch.setenv("BILAT_CATALOG", str(site / "catalog.json"))
    monkeypatch.chdir(tmp_path)
    for missing in ("release.zip", "datapackage.json"):
        with pytest.raises(PackageError):
            bilat.load(missing)
    with pytest.raises(UnknownDataset, match="no dataset 'my-package'"):
        bilat.load("my-package")
    export = runner.invoke(app, ["export", "my-package", "--to", "sqlite", "x.db"])
    assert export.exit_code == 2 and "no dataset 'my-package'" in export.output
    card = runner.invoke(app, ["card", "my-package", "--out", "c"])
    assert card.exit_code == 2 and "no dataset 'my-package'" in card.output
    monkeypatch.setenv("BILAT_CATALOG", str(tmp_path / "no-catalog-here.json"))
    unread = runner.invoke(app, ["card", "my-package", "--out", "c"])
    assert unread.exit_code == 1 and "cannot read catalog" in unread.output
    assert not (tmp_path / "x.db").exists() and not (tmp_path / "c").exists()
