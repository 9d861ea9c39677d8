"""What a release holds: the package (its descriptor, every resource's files, the seed
documents, its README, CHANGELOG and licence), never a private file in its folder nor
the release folder itself, and never more than bilat download and bilat.load open."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from mutants import copy_valid
from typer.testing import CliRunner

import bilat
from bilat.archives import MAX_ZIP_BYTES, MAX_ZIP_MEMBERS
from bilat.catalog import CatalogError
from bilat.catalog.catalog import load_catalog
from bilat.cli import app
from bilat.release import build

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "datasets" / "india-russia"
runner = CliRunner()


def names(out: Path, url: str) -> list[str]:
    with zipfile.ZipFile(out / url) as z:
        return [n.split("/", 1)[1] for n in z.namelist()]


def add_private_files(folder: Path) -> None:
    (folder / "notes-to-self.txt").write_text("do not publish\n")
    (folder / "scratch").mkdir()
    (folder / "scratch" / "reviewer-comments.txt").write_text("private\n")


def test_private_files_leave_the_bundled_release_unchanged(tmp_path: Path) -> None:
    """The bundled dataset with private notes added builds the very zip the bundled
    catalog lists: the notes are not in it, and its sha256 is the listed one."""
    pkg = tmp_path / "india-russia"
    shutil.copytree(DATASET, pkg)
    add_private_files(pkg)
    entry = build(pkg, tmp_path / "site")
    bundled = load_catalog(str(ROOT / "catalog" / "catalog.json")).find(entry.name, entry.version)
    assert entry.sha256 == bundled.sha256 and entry.bytes == bundled.bytes
    held = names(tmp_path / "site", entry.url)
    assert "notes-to-self.txt" not in held and "scratch/reviewer-comments.txt" not in held
    assert {"datapackage.json", "README.md", "CHANGELOG.md", "sources.csv"} <= set(held)
    assert any(n.startswith("seeds/") for n in held)


def test_a_release_holds_the_package_and_nothing_else(tmp_path: Path) -> None:
    """Parquet parts, a CSV resource, a seed cited outside seeds/, the licence and the
    documents are in; private notes, a stray data file and an editor's folder are out.
    The release opens with bilat.load."""
    from test_parts import parquet_parts

    pkg = copy_valid(tmp_path / "pkg")
    parquet_parts(pkg, parts=3, first=True)  # later parts empty: portable to Frictionless
    (pkg / "docs").mkdir()
    (pkg / "seeds" / "article.txt").rename(pkg / "docs" / "article.txt")
    sources = pkg / "sources.csv"
    sources.write_text(sources.read_text().replace("seeds/article.txt", "docs/article.txt"))
    (pkg / "docs" / "draft.md").write_text("not cited\n")
    (pkg / "seeds" / "article.json").write_text("{}\n")
    (pkg / "LICENSE").write_text("CC-BY-4.0\n")
    (pkg / "README.md").write_text("# The card\n")
    (pkg / "old-engagements.csv").write_text("id\n")
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "x.pyc").write_bytes(b"\0")
    add_private_files(pkg)
    entry = build(pkg, tmp_path / "site")
    held = names(tmp_path / "site", entry.url)
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    paths = []
    for res in descriptor["resources"]:
        paths += res["path"] if isinstance(res["path"], list) else [res["path"]]
    assert {"engagements-1.parquet", "engagements-2.parquet", "engagements-3.parquet"} <= set(paths)
    expected = {
        "datapackage.json",
        *paths,
        "docs/article.txt",
        "seeds/article.json",
        "LICENSE",
        "README.md",
    }
    assert held == sorted(expected)
    pkg_loaded = bilat.load(tmp_path / "site" / entry.url)
    assert pkg_loaded.count("engagement") > 0


def test_a_rebuild_with_out_inside_the_package_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README: `bilat init`, then `bilat build . --out site/`; again, the same bytes."""
    monkeypatch.chdir(tmp_path)
    made = runner.invoke(app, ["init", "india-japan", "--name", "india-japan"])
    assert made.exit_code == 0, made.output
    monkeypatch.chdir(tmp_path / "india-japan")
    first = runner.invoke(app, ["build", ".", "--out", "site/"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["build", ".", "--out", "site/"])
    assert again.exit_code == 0, again.output
    assert again.stdout == first.stdout
    (entry,) = load_catalog("site/catalog.json").entries
    assert not [n for n in names(Path("site"), entry.url) if n.startswith("site/")]
    seeds = Path("seeds")  # a release folder inside seeds/ is left out as well
    seeds.mkdir()
    (seeds / "doc.txt").write_text("a seed\n")
    inside = runner.invoke(app, ["build", ".", "--out", "seeds/site"])
    assert inside.exit_code == 0, inside.output
    (entry,) = load_catalog("seeds/site/catalog.json").entries
    assert [n for n in names(seeds / "site", entry.url) if n.startswith("seeds/")] == [
        "seeds/doc.txt"
    ]
    inside = runner.invoke(app, ["build", ".", "--out", "seeds/site"])
    assert inside.exit_code == 0, inside.output


def test_a_release_over_the_member_cap_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    pkg = copy_valid(tmp_path / "pkg")
    for i in range(MAX_ZIP_MEMBERS + 1):
        (pkg / "seeds" / f"page-{i:05d}.txt").write_bytes(b"")
    out = tmp_path / "site"
    with pytest.raises(CatalogError, match=f"at most {MAX_ZIP_MEMBERS} .*members"):
        build(pkg, out)
    assert not out.exists()
    result = runner.invoke(app, ["build", str(pkg), "--out", str(out)])
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert f"at most {MAX_ZIP_MEMBERS}" in line and "bilat download" in line
    assert not out.exists()


def test_a_release_over_the_size_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """A sparse file past the expanded-size cap: refused from its size, never read."""
    pkg = copy_valid(tmp_path / "pkg")
    with open(pkg / "seeds" / "huge.bin", "wb") as f:
        f.truncate(MAX_ZIP_BYTES + 1)
    out = tmp_path / "site"
    with pytest.raises(CatalogError, match=f"at most {MAX_ZIP_BYTES} .*expanded size"):
        build(pkg, out)
    assert not out.exists()


def test_a_link_in_the_release_is_still_refused(tmp_path: Path) -> None:
    pkg = copy_valid(tmp_path / "pkg")
    os.symlink(pkg / "seeds" / "article.txt", pkg / "seeds" / "link.txt")
    with pytest.raises(CatalogError, match="links are not allowed"):
        build(pkg, tmp_path / "site")
    (pkg / "seeds" / "link.txt").unlink()
    os.symlink(pkg / "sources.csv", pkg / "private-link.csv")  # not the package's: ignored
    entry = build(pkg, tmp_path / "site")
    assert "private-link.csv" not in names(tmp_path / "site", entry.url)
    data = (tmp_path / "site" / entry.url).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry.sha256
