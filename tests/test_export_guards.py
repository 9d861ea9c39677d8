"""What `bilat export` refuses to write, and the names it gives a package's other
tables: real packages (copies of the bundled one with resources of their own added),
real links, FIFOs and files in the way."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bilat
from bilat.cli import app

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "datasets" / "india-russia"
runner = CliRunner()
#: the bilat under test, for a subprocess
CODE = str(Path(bilat.__file__).resolve().parent.parent)


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


def test_other_tables_get_distinct_names_the_same_in_every_format(
    tmp_path: Path,
) -> None:
    pkg = package_with(
        tmp_path / "pkg",
        {
            "records": "k,n\na,1\n",  # a bilat table's name
            "resource_records": "k,n\nb,2\n",  # the name records would have got
            "sqlite_x": "k,n\nc,3\n",  # a name SQLite reserves
            "resource_sqlite_x_2": "k,n\nd,4\n",
        },
    )
    expect = {
        "resource_records_2": [("a", 1)],
        "resource_records": [("b", 2)],
        "resource_sqlite_x": [("c", 3)],
        "resource_sqlite_x_2": [("d", 4)],
    }
    held: dict[str, dict[str, list[tuple[object, ...]]]] = {}
    for fmt in ("sqlite", "duckdb", "parquet"):
        code, output = export(str(pkg), "--to", fmt, str(tmp_path / f"x.{fmt}"))
        assert code == 0, output
        assert "the resource 'records' is the table resource_records_2" in output
        assert "the resource 'sqlite_x' is the table resource_sqlite_x: SQLite reserves" in output
    import duckdb
    import pyarrow.parquet as pq

    con = sqlite3.connect(tmp_path / "x.sqlite")
    held["sqlite"] = {t: con.execute(f"SELECT k, n FROM {t}").fetchall() for t in expect}
    dcon = duckdb.connect(str(tmp_path / "x.duckdb"), read_only=True)
    held["duckdb"] = {t: dcon.execute(f"SELECT k, n FROM {t}").fetchall() for t in expect}
    held["parquet"] = {
        t: [
            tuple(r.values())
            for r in pq.read_table(tmp_path / "x.parquet" / f"{t}.parquet").to_pylist()
        ]
        for t in expect
    }
    assert held == {"sqlite": expect, "duckdb": expect, "parquet": expect}
    # where a renamed resource went, in each format's own description of the table
    said = "The package's resource 'records', as its Table Schema types it. It is named "
    said += "resource_records_2 here because bilat's own table 'records' has that name."
    meta = json.loads((tmp_path / "x.metadata.json").read_text())
    assert meta["databases"]["x"]["tables"]["resource_records_2"]["description"] == said
    comment = "SELECT comment FROM duckdb_tables() WHERE table_name = 'resource_records_2'"
    assert dcon.execute(comment).fetchall() == [(said,)]
    schema = pq.read_schema(tmp_path / "x.parquet" / "resource_records_2.parquet")
    assert schema.metadata[b"bilat.resource"] == b"records"


def test_export_never_replaces_the_package_it_reads_even_with_force(tmp_path: Path) -> None:
    pkg = tmp_path / "wi"
    shutil.copytree(DATASET, pkg)
    (pkg / "LICENSE").write_text("CC-BY-4.0\n")
    seed = next(p for p in sorted((pkg / "seeds").iterdir()) if p.suffix != ".json")
    seeds = {p.name: p.read_bytes() for p in (pkg / "seeds").iterdir()}
    before = {p.name: p.read_bytes() for p in pkg.iterdir() if p.is_file()}
    (tmp_path / "link").symlink_to(pkg)
    for target, fmt, out in (
        (pkg, "graphml", pkg / "datapackage.json"),
        (pkg, "sqlite", pkg / "states.csv"),
        (pkg / "datapackage.json", "duckdb", pkg / "README.md"),
        (tmp_path / "link", "graphml", pkg / "CHANGELOG.md"),  # the same file by another path
        (pkg, "graphml", seed),  # a seed document its evidence quotes
        (pkg, "sqlite", pkg / "LICENSE"),
    ):
        code, output = export(str(target), "--to", fmt, str(out), "--force")
        assert code == 1, (fmt, out, output)
        assert f"{out} is one of the package's own files" in output
        assert "never replaces the package it reads" in output
    assert {p.name: p.read_bytes() for p in pkg.iterdir() if p.is_file()} == before
    assert {p.name: p.read_bytes() for p in (pkg / "seeds").iterdir()} == seeds
    shutil.make_archive(str(tmp_path / "wi"), "zip", pkg)
    code, output = export(
        str(tmp_path / "wi.zip"), "--to", "graphml", str(tmp_path / "wi.zip"), "--force"
    )
    assert code == 1 and "is one of the package's own files" in output
    # a Parquet folder inside the package replaces none of its files: written
    code, output = export(str(pkg), "--to", "parquet", str(pkg / "parquet"))
    assert code == 0, output
    assert {p.name: p.read_bytes() for p in pkg.iterdir() if p.is_file()} == before


def test_sqlite_writes_the_database_and_its_metadata_or_neither(tmp_path: Path) -> None:
    """A file size limit (RLIMIT_FSIZE) the database fits in and its metadata does not
    (a resource described at length): the metadata fails as on a full disk."""
    import resource

    pkg = package_with(tmp_path / "pkg", {"notes": "k,n\na,1\n"})
    desc = json.loads((pkg / "datapackage.json").read_text())
    desc["resources"][-1]["description"] = "A long description. " * 100_000  # 2 MB
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    out = tmp_path / "out"
    out.mkdir()

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_500_000, 1_500_000))

    run = subprocess.run(
        [sys.executable, "-m", "bilat", "export", str(pkg), "--to", "sqlite", str(out / "x.db")],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        env={**os.environ, "PYTHONPATH": CODE},
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    assert "cannot write" in run.stderr and "x.metadata.json" in run.stderr
    assert "Traceback" not in run.stderr
    assert os.listdir(out) == []  # neither file, no temporary file
    # without the limit, both
    run = subprocess.run(
        [sys.executable, "-m", "bilat", "export", str(pkg), "--to", "sqlite", str(out / "x.db")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": CODE},
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert sorted(os.listdir(out)) == ["x.db", "x.metadata.json"]
    assert os.path.getsize(out / "x.db") < 1_500_000 < os.path.getsize(out / "x.metadata.json")


def test_ctrl_c_while_duckdb_inserts_exits_130_and_leaves_nothing(tmp_path: Path) -> None:
    """A real SIGINT to ``bilat export --to duckdb`` while DuckDB inserts the rows of a
    package of 390,000 votes (sent once DuckDB has begun to write: its WAL beside the
    temporary database, made by the first statement; the statements take over a
    second on a quiet machine)."""
    import csv

    pkg = tmp_path / "big"
    shutil.copytree(DATASET, pkg)
    with (pkg / "motions.csv").open(newline="") as f:
        motion = next(csv.DictReader(f))
    with (pkg / "states.csv").open(newline="") as f:
        states = [row["id"] for row in csv.DictReader(f)]
    with (pkg / "motions.csv").open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(motion), lineterminator="\n")
        for i in range(2000):
            blank = dict.fromkeys(("roll_call", "yes", "no", "abstain", "not_voting", "notes"), "")
            writer.writerow({**motion, **blank, "id": f"gen-{i}", "symbol": f"A/RES/GEN/{i}"})
    with (pkg / "votes.csv").open("a") as f:
        f.writelines(
            f'vote-{s}-gen-{i},,"[""src-ukrviz-voting""]",gen-{i},{s},yes\n'
            for i in range(2000)
            for s in states
        )
    with (pkg / "votes.csv").open("rb") as f:
        votes = sum(1 for _ in f) - 1
    out = tmp_path / "out"
    # on a loaded machine the signal can land after the last statement (then the
    # export is whole, and it is tried again), never after anything half-written
    attempts = []
    for _attempt in range(4):
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        returncode, err = _interrupt_export(pkg, out)
        attempts.append((returncode, sorted(os.listdir(out))))
        if os.listdir(out) != ["x.duckdb"]:
            break
        assert returncode in (0, 130, -2), err  # too late: the whole database, renamed
        import duckdb

        with duckdb.connect(str(out / "x.duckdb"), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM votes").fetchone() == (votes,)
    assert returncode == 130, (attempts, err)
    assert "Traceback" not in err and "interrupted" not in err
    assert os.listdir(out) == []  # the temporary database and its WAL removed


def _interrupt_export(pkg: Path, out: Path) -> tuple[int, str]:
    """Run ``bilat export PKG --to duckdb OUT/x.duckdb``, send it SIGINT once DuckDB's
    WAL is in *out* (or a file there passes 1 MB), and give its exit code and
    standard error. Ctrl-C is given its default meaning first, as in a terminal: a
    process started in the background by a shell without job control inherits SIGINT
    ignored, and Python then leaves it so (the export then finished, exit 0, in
    every try of a suite run that way)."""
    import signal
    import time

    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import runpy, signal\n"
            "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
            "runpy.run_module('bilat', run_name='__main__', alter_sys=True)\n",
            "export",
            str(pkg),
            "--to",
            "duckdb",
            str(out / "x.duckdb"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": CODE},
    )
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            names = os.listdir(out)
            sizes = []
            for name in names:
                with contextlib.suppress(OSError):  # removed meanwhile
                    sizes.append(os.path.getsize(out / name))
            if any(name.endswith(".wal") for name in names) or max(sizes, default=0) > 1 << 20:
                break
            time.sleep(0.002)
        assert proc.poll() is None, "the export ended before it could be interrupted"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, err
