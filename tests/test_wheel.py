"""The built wheel carries everything bilat reads at run time.

Builds the wheel, installs it into a fresh virtual environment (its dependencies
are borrowed from the test environment through a .pth file, so no download is
needed), and uses it from outside the source tree.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import borrowing_venv

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import json, sys
import bilat
from bilat.schemas import load_schema, schema_files
assert "site-packages" in bilat.__file__, bilat.__file__
assert sys.prefix in bilat.__file__, (sys.prefix, bilat.__file__)
pkg = bilat.load("india-russia")
assert pkg["summit-22"].series_number == 22
assert load_schema("engagement")["$id"] == "urn:bilat:schema:3:engagement"
assert "_schema" in str(schema_files())
from bilat.vocab import vocabulary
assert "summit" in vocabulary("engagement_types")
# the catalog bundled in the wheel serves a release with no network
import os
cached = bilat.load("india-russia@1.2.0")
assert os.environ["BILAT_CACHE_DIR"] in str(cached.report.target)
assert len(cached) == len(pkg)
old = bilat.load("india-russia@1.0.0")  # schema version 1, shipped frozen in the wheel
assert old.version == "1.0.0" and len(old) < len(pkg)
assert [f.code for f in old.report.findings] == ["schema-outdated"]
print(json.dumps({"records": len(pkg)}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("bilat-*.whl")
    return built


def test_wheel_installs_and_loads_the_bundled_dataset_offline(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    # dependencies come from the test environment; bilat itself only from the wheel
    py = borrowing_venv(env_dir)
    subprocess.run(
        [str(py), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
    )
    isolated = {
        "PATH": str(env_dir / "bin"),
        "HOME": str(tmp_path),
        "PIP_NO_INDEX": "1",
        "BILAT_CACHE_DIR": str(tmp_path / "cache"),
    }
    result = subprocess.run(
        [str(py), "-c", SCRIPT], cwd=tmp_path, env=isolated, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert '"records"' in result.stdout
    cli = subprocess.run(
        [str(env_dir / "bin" / "bilat"), "validate", "india-russia"],
        cwd=tmp_path,
        env=isolated,
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "india-russia: valid" in cli.stdout
