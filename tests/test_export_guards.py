"""What `bilat export` refuses to write, and the names it gives a package's other
tables: real packages (copies of the bundled one with resources of their own added),
real links, FIFOs and files in the way."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilat.cli import app

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "datasets" / "india-russia"
runner = CliRunner()


def package_with(folder: Path, others: dict[str, str]) -> Path:
    """A copy of the bundled package at *folder* with a CSV resource for each of
    *others* (name: CSV text, its header's columns typed as strings but ``n``, an
    integer)."""
    shutil.copytree(DATASET, folder)
    desc = json.loads((folder / "datapackage.json").read_text())
    for name, text in others.items():
        header = text.splitlines()[0].split(",")
        fields = [{"name": h, "type": "integer" if h == "n" else "string"} for h in header]
        (folder / f"{name}.csv").write_text(text)
        desc["resources"].append(
            {
                "name": name,
                "type": "table",
                "path": f"{name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": fields},
            }
        )
    (folder / "datapackage.json").write_text(json.dumps(desc, indent=2))
    return folder


@pytest.fixture(scope="module")
def trade(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled package with a resource of its own, ``trade``."""
    return package_with(
        tmp_path_factory.mktemp("pkg") / "po", {"trade": "year,n\n2020,15\n2021,25\n"}
    )


def export(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["export", *args])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)  # no traceback
    return result.exit_code, result.output


@pytest.mark.parametrize("kind", ["link", "fifo"])
def test_parquet_refuses_a_link_or_fifo_at_another_tables_file_before_writing_any(
    tmp_path: Path, trade: Path, kind: str
) -> None:
    out = tmp_path / "pq"
    out.mkdir()
    if kind == "link":
        (out / "trade.parquet").symlink_to(tmp_path / "elsewhere")
    else:
        os.mkfifo(out / "trade.parquet")
    code, output = export(str(trade), "--to", "parquet", str(out), "--force")
    assert code == 1
    assert f"{out / 'trade.parquet'} is a" in output
    assert os.listdir(out) == ["trade.parquet"]  # nothing else written
    assert not (tmp_path / "elsewhere").exists()


def test_parquet_replaces_another_tables_file_only_with_force(tmp_path: Path, trade: Path) -> None:
    out = tmp_path / "pq"
    out.mkdir()
    (out / "trade.parquet").write_text("MY DATA\n")
    code, output = export(str(trade), "--to", "parquet", str(out))
    assert code == 1 and "trade.parquet already exists" in output and "--force" in output
    assert (out / "trade.parquet").read_text() == "MY DATA\n"
    assert os.listdir(out) == ["trade.parquet"]
    code, output = export(str(trade), "--to", "parquet", str(out), "--force")
    assert code == 0, output
    import pyarrow.parquet as pq

    assert pq.read_table(out / "trade.parquet").to_pydict() == {
        "year": ["2020", "2021"],
        "n": [15, 25],
    }
