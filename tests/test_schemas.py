"""Schema export and the freshness check, through the library and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from typer.testing import CliRunner

from bilat import schemas
from bilat.cli import app
from bilat.models import RECORD_TYPES

ROOT = Path(__file__).resolve().parent.parent

runner = CliRunner()


def test_committed_schemas_are_current(root: Path) -> None:
    assert schemas.check(root / "schema") == []


def test_export_writes_one_schema_per_record_type_and_a_bundle(tmp_path: Path) -> None:
    written = schemas.export(tmp_path)
    names = sorted(p.name for p in written)
    assert names == sorted([f"{k}.schema.json" for k in RECORD_TYPES] + ["bilat.schema.json"])
    for path in written:
        schema = json.loads(path.read_text("utf-8"))
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert json.loads((tmp_path / "state.schema.json").read_text())["$id"] == (
        "urn:bilat:schema:3:state"
    )
    assert not list(tmp_path.glob(".*tmp"))  # no temporary files left


def test_export_is_deterministic(tmp_path: Path) -> None:
    schemas.export(tmp_path / "a")
    schemas.export(tmp_path / "b")
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()
        assert b"\r\n" not in path.read_bytes()


def test_check_names_every_stale_missing_and_extra_file(tmp_path: Path) -> None:
    schemas.export(tmp_path)
    (tmp_path / "state.schema.json").write_text("{}", encoding="utf-8")
    (tmp_path / "person.schema.json").unlink()
    (tmp_path / "old.schema.json").write_text("{}", encoding="utf-8")
    problems = schemas.check(tmp_path)
    assert any("state.schema.json: stale" in p for p in problems)
    assert any("person.schema.json: missing" in p for p in problems)
    assert any("old.schema.json: not generated" in p for p in problems)
    assert len(problems) == 3


def test_cli_check_exit_codes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert "engagement.schema.json: missing" in result.output
    result = runner.invoke(app, ["schema", "export", str(tmp_path)])
    assert result.exit_code == 0
    result = runner.invoke(app, ["schema", "check", str(tmp_path)])
    assert result.exit_code == 0, result.output


def test_bundle_and_files_load_together_and_resolve_by_id_without_network() -> None:
    files = [json.loads(p.read_text("utf-8")) for p in sorted((ROOT / "schema").glob("*.json"))]
    registry: Registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in files
    )
    validator = Draft202012Validator(
        {"$ref": schemas.schema_id("state")},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    good = {"id": "rus", "name": "Russia", "iso3": "RUS", "sources": ["s"]}
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "iso3": "RUX"})
    bundle = Draft202012Validator({"$ref": schemas.schema_id()}, registry=registry)
    assert bundle.is_valid({"states": [good]})
    assert not bundle.is_valid({"states": [{**good, "iso3": "RUX"}]})
    # the bundle embeds the record schemas without their $id
    embedded = schemas.load_schema()["$defs"]["state"]
    assert "$id" not in embedded
    assert embedded == {
        k: v for k, v in schemas.load_schema("state").items() if k not in ("$id", "$schema")
    }


def test_trailing_newline_is_refused_by_schema_as_by_model() -> None:
    validator = Draft202012Validator(schemas.load_schema("state"))
    base = {"id": "rus", "name": "Russia", "iso3": "RUS", "sources": ["s"]}
    assert validator.is_valid(base)
    assert not validator.is_valid({**base, "id": "rus\n"})
    assert not validator.is_valid({**base, "wikidata": "Q159\n"})


def test_schemas_are_readable_through_importlib_resources() -> None:
    assert schemas.load_schema("engagement")["$id"] == "urn:bilat:schema:3:engagement"
    assert set(schemas.load_schema()["$defs"]) == set(RECORD_TYPES)


@pytest.mark.parametrize("kind", list(RECORD_TYPES))
def test_vocabulary_fields_export_their_terms_as_enums(kind: str) -> None:
    from bilat.vocab import vocabulary

    for prop in schemas.record_schema(kind)["properties"].values():
        name = prop.get("x-vocabulary") or prop.get("items", {}).get("x-vocabulary")
        if name:
            enum = prop.get("enum") or prop["items"]["enum"]
            assert enum == list(vocabulary(name).codes())


def test_cli_help_and_version() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "schema" in result.output
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("bilat ")


def test_records_doc_is_generated_and_current(root: Path) -> None:
    doc = (root / "docs" / "records.md").read_text(encoding="utf-8")
    assert doc == schemas.fields_markdown(), "regenerate: bilat schema docs docs/records.md"
    for kind in RECORD_TYPES:
        assert f"(`{kind}`)" in doc
    assert "| `signatories` | list of string |  | person |" in doc


def test_bundle_validates_a_whole_package_as_one_document() -> None:
    """schema/bilat.schema.json takes a package rendered as {resource: [records]}."""
    from bilat.package import read_package
    from bilat.tables import RESOURCE_NAMES

    bundle = json.loads((ROOT / "schema" / "bilat.schema.json").read_text())
    Draft202012Validator.check_schema(bundle)
    validator = Draft202012Validator(bundle, format_checker=Draft202012Validator.FORMAT_CHECKER)
    pkg = read_package(ROOT / "datasets" / "india-russia")
    document = {
        RESOURCE_NAMES[kind]: [r.model_dump(mode="json", exclude_none=True) for r in records]
        for kind, records in pkg.by_kind.items()
    }
    assert sum(len(v) for v in document.values()) == len(pkg)
    assert list(validator.iter_errors(document)) == []
    assert not validator.is_valid({"foo": 1})
    assert not validator.is_valid({"engagements": [{"id": "x"}]})
    assert not validator.is_valid([])
    bad = json.loads(json.dumps(document))
    bad["states"][0]["iso3"] = "XYZ"
    assert not validator.is_valid(bad)
