"""Starting a package: `bilat init`, then rows appended by hand, pass bilat and
Frictionless, and build into a release."""

from __future__ import annotations

import json
from pathlib import Path

import frictionless
import pytest
from typer.testing import CliRunner

from bilat.cli import app
from bilat.package import PackageExists, init_package
from bilat.validation import validate

runner = CliRunner()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_new_package_passes_both_tools_at_once(tmp_path: Path, fmt: str) -> None:
    result = runner.invoke(
        app, ["init", str(tmp_path / "pkg"), "--name", "india-japan", "--format", fmt]
    )
    assert result.exit_code == 0, result.output
    pkg = tmp_path / "pkg"
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    assert descriptor["name"] == "india-japan" and descriptor["version"] == "0.1.0"
    assert descriptor["licenses"] == [{"name": "CC-BY-4.0"}]
    assert (pkg / "README.md").read_text().startswith("# india-japan")
    report = validate(pkg)
    assert report.valid and report.findings == []
    assert frictionless.validate(str(pkg / "datapackage.json")).valid


def test_init_refuses_to_overwrite_and_names_bad_input(tmp_path: Path) -> None:
    init_package(tmp_path / "pkg", name="x", kinds=["state"])
    before = (tmp_path / "pkg" / "datapackage.json").read_bytes()
    with pytest.raises(PackageExists):
        init_package(tmp_path / "pkg", name="y")
    result = runner.invoke(app, ["init", str(tmp_path / "pkg"), "--name", "y"])
    assert result.exit_code == 1 and "datapackage.json already exists" in result.output
    assert (tmp_path / "pkg" / "datapackage.json").read_bytes() == before
    assert runner.invoke(app, ["init", str(tmp_path / "a"), "--name", "Bad Name"]).exit_code == 2
    bad_kind = runner.invoke(app, ["init", str(tmp_path / "b"), "--name", "b", "--kinds", "ufo"])
    assert bad_kind.exit_code == 2 and "ufo" in bad_kind.output


def test_an_empty_directory_argument_is_a_usage_error_not_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init", "", "--name", "x"])
    assert result.exit_code == 2 and "DIRECTORY is empty" in result.output
    assert not any(tmp_path.iterdir())


def test_the_new_user_path(tmp_path: Path) -> None:
    """init, add a source, a state, a person, an engagement and an evidence row by
    appending CSV lines; fmt; validate with both tools; build a release."""
    pkg = tmp_path / "india-japan"
    kinds = "source,state,person,engagement,evidence"
    assert (
        runner.invoke(app, ["init", str(pkg), "--name", "india-japan", "--kinds", kinds]).exit_code
        == 0
    )

    def append(name: str, line: str) -> None:
        with open(pkg / name, "a", encoding="utf-8", newline="") as f:
            f.write(line + "\n")

    append(
        "sources.csv",
        "src-mea,,government_release,Joint statement,,,2024-08-20,,https://example.org/joint,,,,en",
    )
    append("states.csv", 'ind,,"[""src-mea""]",India,,Q668,state,IND')
    append("states.csv", 'jpn,,"[""src-mea""]",Japan,,Q17,state,JPN')
    append("persons.csv", 'jaishankar,,"[""src-mea""]",S. Jaishankar,,,person,ind')
    append(
        "engagements.csv",
        'dialogue-2024,,"[""src-mea""]",ministerial_talks,held,2+2 dialogue,2024-08-20,,"[""jaishankar"",""jpn""]",,,,,,,,',
    )
    append("evidence.csv", 'ev-1,,src-mea,The ministers met in New Delhi.,"[""dialogue-2024""]",')
    assert runner.invoke(app, ["fmt", str(pkg)]).exit_code == 0
    report = validate(pkg)
    assert report.valid, [(f.code, f.resource, f.row, f.field, f.message) for f in report.findings]
    assert frictionless.validate(str(pkg / "datapackage.json")).valid
    assert runner.invoke(app, ["fmt", "--check", str(pkg)]).exit_code == 0
    result = runner.invoke(app, ["build", str(pkg), "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "india-japan-0.1.0.zip").is_file()
