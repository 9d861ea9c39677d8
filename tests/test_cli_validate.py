"""The validate and codes commands: formats, exit codes, targets."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

from conftest import check_report
from typer.testing import CliRunner

from bilat.cli import app
from bilat.findings import CATALOGUE

DATA = Path(__file__).parent / "data"
ROOT = DATA.parent.parent
runner = CliRunner()
Defect = Callable[[str], Path]


def run(*args: str) -> tuple[int, str]:
    """Run the CLI; every JSON report it prints is checked against docs/report.schema.json."""
    result = runner.invoke(app, list(args))
    if "json" in args and args[0] == "validate" and result.exit_code in (0, 1):
        check_report(result.stdout)
    return result.exit_code, result.stdout


def test_valid_package_exits_0() -> None:
    code, out = run("validate", str(DATA / "valid"))
    assert code == 0
    assert "valid (0 errors, 0 warnings)" in out


def test_invalid_package_exits_1_and_groups_text_by_resource(defect: Defect) -> None:
    code, out = run("validate", str(defect("bad_date")))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].endswith("invalid (1 errors, 0 warnings)")
    assert lines[1].strip() == "engagements"
    assert "constraint-error row 2, start:" in lines[2]
    assert "\x1b[" not in out  # plain text when stdout is not a terminal


def test_unreadable_target_exits_2() -> None:
    code, _ = run("validate", "no/such/package")
    assert code == 2


def test_usage_error_exits_2() -> None:
    assert run("validate", "--format", "xml", str(DATA / "valid"))[0] == 2
    assert run("validate", "--max-findings", "0", str(DATA / "valid"))[0] == 2


def test_warnings_pass_unless_strict(defect: Defect) -> None:
    target = str(defect("byte_order_mark"))
    assert run("validate", target)[0] == 0
    code, out = run("validate", "--strict", target)
    assert code == 1
    assert "invalid (--strict: warnings fail)" in out.splitlines()[0]


def test_json_format_shape(defect: Defect) -> None:
    code, out = run(
        "validate", "-f", "json", str(DATA / "valid"), str(defect("dangling_reference"))
    )
    assert code == 1
    doc = json.loads(out)
    assert set(doc) == {"valid", "packages", "summary"}
    assert doc["valid"] is False
    assert doc["summary"] == {"errors": 1, "warnings": 0, "notes": 0, "omitted": 0}
    assert [p["valid"] for p in doc["packages"]] == [True, False]
    (finding,) = doc["packages"][1]["findings"]
    assert {k: finding[k] for k in ("code", "resource", "row", "field", "value")} == {
        "code": "dangling-reference",
        "resource": "engagements",
        "row": 3,
        "field": "participants",
        "value": "modi",
    }
    for key in ("severity", "layer", "path", "message"):
        assert key in finding


def test_github_format_lines_and_summary(
    tmp_path: Path, monkeypatch: object, defect: Defect
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))  # type: ignore[attr-defined]
    monkeypatch.chdir(defect("bad_date").parent.parent)  # type: ignore[attr-defined]
    defect("byte_order_mark")
    code, out = run("validate", "-f", "github", "defects/bad_date", "defects/byte_order_mark")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(
        "::error file=defects/bad_date/engagements.csv,line=2,col=7,title=bilat constraint-error::"
    )
    assert "engagements, row 2, start: '2023-02-30' is not a valid date" in lines[0]
    assert lines[1].startswith("::warning file=defects/byte_order_mark/persons.csv,line=1,")
    assert "constraint-error" in summary.read_text()


def test_github_annotations_escape_data(
    tmp_path: Path, monkeypatch: object, defect: Defect
) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(defect("quote_not_in_seed"), pkg)
    text = (pkg / "evidence.csv").read_text()
    (pkg / "evidence.csv").write_text(
        text.replace("India has loudly condemned", '"100% sure\n::error::injected, yes"')
    )
    monkeypatch.chdir(tmp_path)  # type: ignore[attr-defined]
    _, out = run("validate", "-f", "github", "pkg")
    assert len(out.splitlines()) == 1
    assert "100%25 sure" in out and out.startswith("::error file=pkg/evidence.csv,line=2,")


def test_zip_target(tmp_path: Path) -> None:
    archive = tmp_path / "valid.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted((DATA / "valid").rglob("*")):
            z.write(path, f"valid/{path.relative_to(DATA / 'valid').as_posix()}")
    assert run("validate", str(archive))[0] == 0


def test_zip_with_escaping_member_is_unreadable(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("datapackage.json", "{}")
        z.writestr("../evil.txt", "x")
    code, out = run("validate", "-f", "json", str(archive))
    assert code == 2
    assert "outside the package" in out
    assert not (tmp_path / "evil.txt").exists()


def test_datapackage_json_target() -> None:
    assert run("validate", str(DATA / "valid" / "datapackage.json"))[0] == 0


def test_codes_lists_the_catalogue() -> None:
    code, out = run("codes")
    assert code == 0
    for c in CATALOGUE:
        assert c in out
    code, out = run("codes", "-f", "json")
    assert {row["code"] for row in json.loads(out)} == set(CATALOGUE)


def test_every_command_has_help() -> None:
    for args in (["validate"], ["codes"], ["schema", "export"], ["schema", "check"]):
        code, out = run(*args, "--help")
        assert code == 0 and len(out) > 100


def test_findings_doc_is_generated_and_current() -> None:
    from bilat.render import codes_markdown

    doc = (Path(__file__).resolve().parent.parent / "docs" / "findings.md").read_text()
    assert doc == codes_markdown(), "regenerate: bilat codes --format markdown > docs/findings.md"
    code, out = run("codes", "-f", "markdown")
    assert code == 0 and out == doc


def test_bilat_validate_is_the_function_even_after_importing_the_engine() -> None:
    import bilat
    import bilat.validation

    assert callable(bilat.validate)
    assert bilat.validate(DATA / "valid").valid
    assert bilat.validation.validate is not bilat.validate


def test_validation_never_touches_the_network(tmp_path: Path, httpserver: object) -> None:
    """Remote path, schema and profile references are reported, never fetched."""
    url = httpserver.url_for("/remote")  # type: ignore[attr-defined]
    pkg = tmp_path / "pkg"
    shutil.copytree(DATA / "valid", pkg)
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    descriptor["profile"] = f"{url}/profile.json"
    for res in descriptor["resources"]:
        if res["name"] == "persons":
            res["path"] = f"{url}/persons.csv"
        if res["name"] == "states":
            res["schema"] = f"{url}/schema.json"
    (pkg / "datapackage.json").write_text(json.dumps(descriptor))
    code, out = run("validate", "-f", "json", str(pkg))
    assert code == 1
    found = {(f["code"], f["field"]) for f in json.loads(out)["packages"][0]["findings"]}
    assert {
        ("remote-reference", "profile"),
        ("remote-reference", "path"),
        ("remote-reference", "schema"),
    } <= found
    assert len(httpserver.log) == 0  # type: ignore[attr-defined]
