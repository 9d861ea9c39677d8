"""Schema versions: a package is validated against the Table Schemas it was written for.

The 1.0.0 release of india-russia was written before schema versions were declared
(version 1, frozen in bilat/tableschemas/1.json); it must keep validating, served by a
real HTTP server, and `bilat fmt --upgrade` must move it to the current version.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

import bilat
from bilat import tables, versions
from bilat.catalog.catalog import load_catalog
from bilat.cli import app
from bilat.models import RECORD_TYPES

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "catalog"
runner = CliRunner()


@pytest.fixture
def release_1_0(httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The committed 1.0.0 release, downloaded over HTTP into a fresh cache."""
    monkeypatch.setenv("BILAT_CACHE_DIR", str(tmp_path / "cache"))
    catalog = json.loads((CATALOG / "catalog.json").read_text(encoding="utf-8"))
    old = [
        e for e in catalog["datasets"] if e["name"] == "india-russia" and e["version"] == "1.0.0"
    ]
    assert old, "the 1.0.0 release must stay in catalog/"
    catalog["datasets"] = old
    httpserver.expect_request("/catalog.json").respond_with_json(catalog)
    httpserver.expect_request("/" + old[0]["url"]).respond_with_data(
        (CATALOG / old[0]["url"]).read_bytes(), content_type="application/zip"
    )
    from bilat.catalog.download import download

    return download("india-russia@1.0.0", httpserver.url_for("/catalog.json"))


def test_the_1_0_release_is_unchanged() -> None:
    entry = load_catalog(str(CATALOG / "catalog.json")).find("india-russia", "1.0.0")
    data = (CATALOG / entry.url).read_bytes()
    assert (
        hashlib.sha256(data).hexdigest()
        == entry.sha256
        == ("9be009b8c555014816279db38239050b0b789f36735322f4d606e6286579fb25")
    )


def test_the_1_0_release_downloads_and_validates_against_its_own_version(
    release_1_0: Path,
) -> None:
    report = bilat.validate(release_1_0)
    assert report.valid
    assert [(f.code, f.severity, f.value) for f in report.findings] == [
        ("schema-outdated", "warning", "1")
    ]
    assert bilat.load(release_1_0).version == "1.0.0"


def test_fmt_upgrade_moves_the_1_0_release_to_the_current_version(
    release_1_0: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "pkg"
    shutil.copytree(release_1_0, folder)
    keep = runner.invoke(app, ["fmt", str(folder)])  # without --upgrade: stays at 1
    assert keep.exit_code == 0, keep.output
    data = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert data["bilat"] == {"schemaVersion": "1"}
    assert bilat.validate(folder).counts() == {"schema-outdated": 1}
    assert runner.invoke(app, ["fmt", "--check", str(folder)]).exit_code == 0

    up = runner.invoke(app, ["fmt", "--upgrade", str(folder)])
    assert up.exit_code == 0, up.output
    data = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert data["bilat"] == {"schemaVersion": versions.CURRENT}
    header = (folder / "statements.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "rendering,original_language" in header  # the new columns, added empty
    report = bilat.validate(folder)
    # valid; and now that votes exist, the position based on a voting record lists none
    assert report.valid and report.counts() == {"position-without-votes": 1}, report.findings
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert runner.invoke(app, ["fmt", "--check", str(folder)]).exit_code == 0
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before
    ok = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "datapackage.json"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stdout[-2000:]


def test_a_table_of_a_later_version_is_not_a_record_table_in_an_older_package(
    release_1_0: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "pkg"
    shutil.copytree(release_1_0, folder)
    (folder / "votes.csv").write_text("id,notes,sources,motion,voter,option\n", encoding="utf-8")
    data = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    data["resources"].append({"name": "votes", "path": "votes.csv"})
    (folder / "datapackage.json").write_text(json.dumps(data), encoding="utf-8")
    report = bilat.validate(folder)
    assert report.valid
    assert ("unknown-resource", "votes") in {(f.code, f.resource) for f in report.findings}


def test_every_older_version_is_frozen_and_reads_with_the_current_models() -> None:
    """A newer version may add types and optional fields, never drop a field: rows of an
    older package are read by today's models."""
    assert versions.VERSIONS[-1] == versions.CURRENT
    for version in versions.VERSIONS[:-1]:
        frozen = Path(versions.__file__).parent / "tableschemas" / f"{version}.json"
        assert frozen.is_file(), f"freeze version {version}"
        for kind in versions.kinds(version):
            fields = tables.field_names(kind, version)
            model = RECORD_TYPES[kind]
            assert set(fields) <= set(model.model_fields), (version, kind)
            added = set(model.model_fields) - set(fields)
            assert all(not model.model_fields[f].is_required() for f in added), (version, kind)


def test_a_new_package_declares_the_current_version(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "p"), "--name", "p", "--kinds", "vote"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "p" / "datapackage.json").read_text(encoding="utf-8"))
    assert data["bilat"] == {"schemaVersion": versions.CURRENT}
    assert [r["name"] for r in data["resources"]] == ["votes"]
    assert bilat.validate(tmp_path / "p").valid


def test_the_bundled_dataset_keeps_conflicting_claims_side_by_side() -> None:
    pkg = bilat.load("india-russia")
    claims = pkg.claims("unga-es-11-4", "abstain")
    assert sorted(json.loads(c.value) for c in claims) == [32, 33, 35]
    assert all(c.status == "resolved" and c.rationale for c in claims)
    assert pkg["unga-es-11-4"].abstain == 35  # type: ignore[attr-defined]
    with pytest.raises(bilat.UnknownName, match="no-such-record"):  # issue 20: never silent
        pkg.claims("no-such-record")


def test_a_deeply_nested_claim_value_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "pkg"
    shutil.copytree(ROOT / "tests" / "data" / "valid", folder)
    claims = folder / "claims.csv"
    lines = claims.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    deep = '"' + "[" * 5000 + '"'
    lines[1] = ",".join([*cells[:5], deep, *cells[6:]])
    claims.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for engine in ("rows", "columnar"):
        report = bilat.validate(folder, engine=engine)
        assert [(f.code, f.row, f.field) for f in report.findings] == [
            ("record-invalid", 2, "value")
        ], engine
