"""Building releases and downloading them from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

import bilat
from bilat.catalog import CatalogError
from bilat.catalog.catalog import load_catalog
from bilat.catalog.download import MARKER, cached, download, install
from bilat.cli import app
from bilat.release import build

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "datasets" / "india-russia"
#: the dataset's version, which the release built from it carries
V = json.loads((DATASET / "datapackage.json").read_text(encoding="utf-8"))["version"]
runner = CliRunner()


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release")
    build(DATASET, out)
    return out


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("BILAT_CACHE_DIR", str(folder))
    return folder


def serve(
    httpserver: HTTPServer,
    release: Path,
    *,
    entry_changes: dict | None = None,
    body: bytes | None = None,
) -> str:
    catalog = json.loads((release / "catalog.json").read_text())
    catalog["datasets"][0].update(entry_changes or {})
    httpserver.expect_request("/data/catalog.json").respond_with_json(catalog)
    zip_bytes = (release / f"india-russia-{V}.zip").read_bytes() if body is None else body
    httpserver.expect_request(f"/data/{catalog['datasets'][0]['url']}").respond_with_data(
        zip_bytes, content_type="application/zip"
    )
    return httpserver.url_for("/data/catalog.json")


def nothing_installed(cache: Path) -> bool:
    return not (cache / "india-russia").exists() and not any((cache / ".tmp").glob("*"))


# -- build -------------------------------------------------------------------------------


def test_build_is_deterministic_and_lists_the_release(tmp_path: Path, release: Path) -> None:
    entry = build(DATASET, tmp_path)
    data = (tmp_path / f"india-russia-{V}.zip").read_bytes()
    assert data == (release / f"india-russia-{V}.zip").read_bytes()
    assert entry.sha256 == hashlib.sha256(data).hexdigest() and entry.bytes == len(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert names == sorted(names)
        assert all(n.startswith(f"india-russia-{V}/") for n in names)
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    again = build(DATASET, tmp_path)  # rebuilding replaces, not duplicates, the entry
    assert again == entry
    assert len(load_catalog(str(tmp_path / "catalog.json")).entries) == 1


def test_the_committed_release_is_intact_and_holds_the_dataset(tmp_path: Path) -> None:
    """catalog/ holds every release, immutable: each zip matches the catalog, 1.0.0 is
    still there, and the newest release's data files are the dataset folder's."""
    catalog = load_catalog(str(ROOT / "catalog" / "catalog.json"))
    assert {e.version for e in catalog.entries if e.name == "india-russia"} >= {"1.0.0", V}
    for entry in catalog.entries:
        data = (ROOT / "catalog" / entry.url).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry.sha256 and len(data) == entry.bytes
    entry = catalog.find("india-russia", V)
    data = (ROOT / "catalog" / entry.url).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        released = {
            n.split("/", 1)[1]: z.read(n)
            for n in z.namelist()
            if n.endswith((".csv", ".json")) or "/seeds/" in n
        }
    assert released
    for name, content in released.items():
        assert (DATASET / name).read_bytes() == content, name
    changed = tmp_path / "changed"  # the same version with other bytes may not replace it
    shutil.copytree(DATASET, changed)
    card = changed / "README.md"
    card.write_text(card.read_text(encoding="utf-8") + "\nChanged.\n", encoding="utf-8")
    shutil.copytree(ROOT / "catalog", tmp_path / "catalog")
    with pytest.raises(CatalogError, match="immutable"):
        build(changed, tmp_path / "catalog")


def test_build_refuses_an_invalid_package(tmp_path: Path, defect: Callable[[str], Path]) -> None:
    code = runner.invoke(app, ["build", str(defect("dangling_reference")), "--out", str(tmp_path)])
    assert code.exit_code == 1
    assert "refusing to build an invalid package" in code.output
    assert not list(tmp_path.iterdir())


# -- download over loopback ----------------------------------------------------------------


def test_download_verifies_installs_and_then_serves_offline(
    httpserver: HTTPServer, release: Path, cache: Path
) -> None:
    url = serve(httpserver, release)
    result = runner.invoke(app, ["download", "india-russia", "--catalog", url])
    assert result.exit_code == 0, result.output
    folder = Path(result.stdout.strip())
    assert folder == cache / "india-russia" / f"{V}"
    assert (
        json.loads((folder / MARKER).read_text())["sha256"] == load_catalog(url).entries[0].sha256
    )
    assert bilat.validate(folder).valid
    requests = len(httpserver.log)
    httpserver.stop()  # no server any more: the second call must not need one
    try:
        pkg = bilat.load(f"india-russia@{V}", catalog=url)
        assert pkg["summit-22"].series_number == 22  # type: ignore[attr-defined]
        again = runner.invoke(app, ["download", f"india-russia@{V}", "--catalog", url])
        assert again.exit_code == 0 and Path(again.stdout.strip()) == folder
    finally:
        httpserver.start()
    assert len(httpserver.log) == requests
    listing = runner.invoke(app, ["list", "--catalog", str(release / "catalog.json")])
    assert "india-russia" in listing.stdout and " yes " in listing.stdout


def test_404_is_a_clear_error_and_nothing_is_cached(
    httpserver: HTTPServer, release: Path, cache: Path
) -> None:
    catalog = json.loads((release / "catalog.json").read_text())
    httpserver.expect_request("/data/catalog.json").respond_with_json(catalog)
    httpserver.expect_request(f"/data/india-russia-{V}.zip").respond_with_data("gone", status=404)
    result = runner.invoke(
        app, ["download", "india-russia", "--catalog", httpserver.url_for("/data/catalog.json")]
    )
    assert result.exit_code == 1
    assert "HTTP 404" in result.output and "nothing was installed" in result.output
    assert nothing_installed(cache)


def test_hash_mismatch_is_refused(httpserver: HTTPServer, release: Path, cache: Path) -> None:
    url = serve(httpserver, release, entry_changes={"sha256": "0" * 64})
    result = runner.invoke(app, ["download", "india-russia", "--catalog", url])
    assert result.exit_code == 1
    assert "does not match the catalog's" in result.output
    assert nothing_installed(cache)


def test_truncated_body_is_refused(httpserver: HTTPServer, release: Path, cache: Path) -> None:
    data = (release / f"india-russia-{V}.zip").read_bytes()
    url = serve(httpserver, release, body=data[: len(data) // 2])
    with pytest.raises(CatalogError, match="cut short"):
        download("india-russia", url)
    assert nothing_installed(cache)


def evil_release(tmp_path: Path, members: dict[str, bytes]) -> dict[str, object]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    data = buffer.getvalue()
    (tmp_path / "evil.zip").write_bytes(data)
    return {"url": "evil.zip", "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


@pytest.mark.parametrize(
    ("member", "message"),
    [("../escaped.txt", "outside the package"), ("/tmp/bilat-absolute.txt", "outside the package")],
)
def test_unsafe_archive_members_are_refused(
    httpserver: HTTPServer, release: Path, cache: Path, tmp_path: Path, member: str, message: str
) -> None:
    changes = evil_release(tmp_path, {f"india-russia-{V}/datapackage.json": b"{}", member: b"x"})
    url = serve(
        httpserver, release, entry_changes=changes, body=(tmp_path / "evil.zip").read_bytes()
    )
    with pytest.raises(CatalogError, match=message):
        download("india-russia", url)
    assert nothing_installed(cache)
    assert not (cache / "escaped.txt").exists() and not (cache.parent / "escaped.txt").exists()
    assert not Path("/tmp/bilat-absolute.txt").exists()


def test_zip_bomb_beyond_the_cap_is_refused(release: Path, cache: Path, tmp_path: Path) -> None:
    changes = evil_release(tmp_path, {f"india-russia-{V}/big.csv": b"0" * (4 << 20)})
    shutil.copy(release / "catalog.json", tmp_path / "catalog.json")
    catalog_path = tmp_path / "catalog.json"
    doc = json.loads(catalog_path.read_text())
    doc["datasets"][0].update(changes)
    catalog_path.write_text(json.dumps(doc))
    catalog = load_catalog(str(catalog_path))
    assert (tmp_path / "evil.zip").stat().st_size < 100_000  # small compressed, 4 MiB expanded
    with pytest.raises(CatalogError, match="expands to more than"):
        install(catalog.entries[0], catalog, cache, max_bytes=1 << 20)
    assert nothing_installed(cache)


def test_unknown_version_and_name(httpserver: HTTPServer, release: Path, cache: Path) -> None:
    url = serve(httpserver, release)
    result = runner.invoke(app, ["download", "india-russia@9.9.9", "--catalog", url])
    assert result.exit_code == 1
    assert "has no version 9.9.9" in result.output and f"{V}" in result.output
    result = runner.invoke(app, ["download", "atlantis", "--catalog", url])
    assert result.exit_code == 1 and "no dataset 'atlantis'" in result.output


def test_failed_download_leaves_an_older_version_intact(
    httpserver: HTTPServer, release: Path, cache: Path
) -> None:
    url = serve(httpserver, release)
    good = download("india-russia", url)
    before = sorted(p.name for p in good.iterdir())
    catalog = load_catalog(url)
    broken = catalog.entries[0].__class__(
        **{**catalog.entries[0].to_dict(), "version": "1.0.1", "sha256": "f" * 64}
    )
    with pytest.raises(CatalogError):
        install(broken, catalog, cache)
    assert cached(catalog.entries[0], cache) == good
    assert sorted(p.name for p in good.iterdir()) == before
    assert not (cache / "india-russia" / "1.0.1").exists()


def test_bundled_catalog_works_offline(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BILAT_CATALOG", raising=False)
    folder = download("india-russia@1.0.0")
    assert folder.is_dir() and bilat.validate(folder).valid
