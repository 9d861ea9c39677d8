"""The JSON Schemas read from other languages: ajv 8 (JavaScript, default options, so
strict mode) and jsonschema-rs (Rust) compile every file and the bundle, alone and all
together, and accept every record of the bundled package.

ajv is installed from the npm registry into tests/js (``npm ci --prefix tests/js``, as
README.md's test set-up and .ci/run do); without it these tests fail, naming the
command.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from bilat.package import read_package
from bilat.schemas import BUNDLE_NAME, render, schema_id
from bilat.tables import RESOURCE_NAMES

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schema"
JS = ROOT / "tests" / "js"


def _ajv_setup() -> str:
    """The one line README.md gives a JavaScript user, exactly as written there."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line for line in readme.splitlines() if line.startswith("ajv.addVocabulary(")]
    assert len(lines) == 1, "README.md gives the ajv line once"
    return lines[0]


def _files() -> dict[str, dict[str, Any]]:
    return {
        p.name: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(SCHEMAS.glob("*.schema.json"))
    }


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    pkg = read_package(ROOT / "datasets" / "india-russia")
    records = {
        RESOURCE_NAMES[kind]: [r.model_dump(mode="json", exclude_none=True) for r in recs]
        for kind, recs in pkg.by_kind.items()
        if recs
    }
    assert sum(len(v) for v in records.values()) == len(pkg) > 300
    return {
        "records": records,
        "ids": {RESOURCE_NAMES[kind]: schema_id(kind) for kind in pkg.by_kind},
    }


def _ajv(document: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "node is needed to run ajv"
    assert (JS / "node_modules" / "ajv" / "package.json").is_file(), (
        "ajv is not installed: run scripts/test (or `npm ci --prefix tests/js`)"
    )
    path = tmp_path / "document.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    done = subprocess.run(
        [node, str(JS / "check.js"), str(SCHEMAS), str(path), _ajv_setup()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out: dict[str, Any] = json.loads(done.stdout)
    return out


def test_no_id_names_two_different_schemas() -> None:
    seen: dict[str, str] = {}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$id"), str):
                text = json.dumps(node, sort_keys=True)
                assert seen.setdefault(node["$id"], text) == text, f"{where}: {node['$id']}"
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    files = _files()
    assert set(files) == set(render())
    for name, schema in files.items():
        walk(schema, name)
    # one $id per file, and the bundle holds no other
    assert len(seen) == len(files)


def test_ajv_compiles_every_schema_alone_and_together_and_accepts_every_record(
    document: dict[str, Any], tmp_path: Path
) -> None:
    out = _ajv(document, tmp_path)
    assert out["ajv"].startswith("8.")
    assert out["alone"] == {name: "ok" for name in render()}
    assert out["together"] == "ok"
    assert set(out["records"]) == set(document["records"])
    for resource, verdicts in out["records"].items():
        assert len(verdicts) == len(document["records"][resource])
        assert [v for v in verdicts if v is not None] == [], resource
    assert out["bundle"] is None


def test_ajv_refuses_a_bad_record(document: dict[str, Any], tmp_path: Path) -> None:
    bad = json.loads(json.dumps(document))
    bad["records"]["states"][0]["iso3"] = "XYZ"
    bad["records"]["engagements"][1]["start"] = "2023-02-30"
    out = _ajv(bad, tmp_path)
    assert out["records"]["states"][0] is not None
    assert out["records"]["states"][1] is None
    assert out["bundle"] is not None
    assert out["records"]["engagements"][1] is not None  # the date pattern knows February
    assert out["records"]["engagements"][0] is None


def test_ajv_line_names_every_annotation_the_schemas_use() -> None:
    used = set()
    for text in render().values():
        used.update(re.findall(r'"(x-[a-z-]+)":', text))
    declared = set(re.findall(r'"(x-[a-z-]+)"', _ajv_setup()))
    assert used == declared == {"x-refers-to", "x-vocabulary"}


def test_jsonschema_rs_accepts_every_record_alone_and_together(document: dict[str, Any]) -> None:
    files = _files()
    registry = jsonschema_rs.Registry([(s["$id"], s) for s in files.values()])
    together = {
        s["$id"]: jsonschema_rs.Draft202012Validator(s, registry=registry, validate_formats=True)
        for s in files.values()
    }
    for resource, records in document["records"].items():
        sid = document["ids"][resource]
        alone = jsonschema_rs.Draft202012Validator(
            files[f"{sid.rsplit(':', 1)[1]}.schema.json"], validate_formats=True
        )
        for record in records:
            assert alone.is_valid(record), (resource, record["id"])
            assert together[sid].is_valid(record), (resource, record["id"])
    bundle = jsonschema_rs.Draft202012Validator(files[BUNDLE_NAME], validate_formats=True)
    assert [e.message for e in bundle.iter_errors(document["records"])] == []
    assert together[schema_id()].is_valid(document["records"])
    bad = json.loads(json.dumps(document["records"]))
    bad["states"][0]["iso3"] = "XYZ"
    assert not bundle.is_valid(bad)
    assert not together[schema_id("state")].is_valid(bad["states"][0])
