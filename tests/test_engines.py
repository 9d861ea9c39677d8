"""Engines are plug-ins: a folder and one registry entry. A trivial engine registered
here (it reads the lines itself and hands every row to the row engine) must give the
row engine's report on every defect of tests/mutants.py and on fuzz mutants, as the
columnar engine must (tests/test_columnar.py)."""

from __future__ import annotations

import io
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from mutants import DEFECTS, build

from bilat.validation import engines, validate
from bilat.validation.engines import Context, Engine
from bilat.validation.structure import FastPath

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import fuzz


class Lines:
    """Numbered lines of a CSV byte stream, as the row engine reads them itself."""

    def __init__(self, stream: IO[bytes], max_row: int, tick: Callable[[], None] | None) -> None:
        self.text = io.TextIOWrapper(stream, encoding="utf-8", errors="bilat.mark", newline="")
        self.lineno = 0
        self.fast_rows = 0  # it validates no row itself
        self.tick = tick

    def readline(self, limit: int, mid_record: bool = False) -> str:
        line = self.text.readline(limit)
        if line:
            self.lineno += 1
        elif self.tick is not None:
            self.tick()
        return line

    def enable(self, fast: Any, next_line: int, unread: list[str]) -> None:
        raise AssertionError("start() returned None: no block is ever offered")

    def close(self) -> None:
        self.text.detach()  # the stream is the caller's to close


USED: dict[str, int] = {"resources": 0, "headers": 0}


def delegate(ctx: Context) -> FastPath:
    USED["resources"] += 1

    def start(header: list[str]) -> None:
        USED["headers"] += 1
        assert header[0] == "id" and ctx.plan.kind
        return None  # every block to the row engine

    return FastPath(Lines, start)


@pytest.fixture
def delegating() -> Iterator[dict[str, int]]:
    """The trivial engine, registered for the test (``auto`` picks it for any size)."""
    engines.register(Engine("delegate", lambda: True, auto_min_bytes=0, fast_path=delegate))
    USED.update(resources=0, headers=0)
    try:
        yield USED
    finally:
        engines.unregister("delegate")


def _same(folder: Path, engine: str = "delegate") -> tuple[list[Any], list[Any]]:
    rows = validate(folder, engine="rows", max_per_code=None)
    other = validate(folder, engine=engine, max_per_code=None)
    assert rows.omitted == other.omitted
    return [f.to_dict() for f in rows.findings], [f.to_dict() for f in other.findings]


def test_a_registered_engine_is_named_and_used(tmp_path: Path, delegating: dict[str, int]) -> None:
    assert "delegate" in engines.names()
    folder = build("valid", tmp_path, lambda _f: None)
    rows, other = _same(folder)
    assert rows == other == []
    assert delegating["resources"] > 5 and delegating["headers"] == delegating["resources"]
    before = delegating["resources"]
    assert validate(folder, engine="auto").valid  # auto_min_bytes=0: auto picks it
    assert delegating["resources"] > before


def test_an_unregistered_engine_is_refused(tmp_path: Path) -> None:
    assert "delegate" not in engines.names()
    with pytest.raises(ValueError, match="engine must be one of auto, columnar, rows, spark, sql"):
        validate(tmp_path, engine="delegate")


def test_an_engine_that_does_not_import_is_unavailable(tmp_path: Path) -> None:
    engines.register(Engine("missing", lambda: False, needs="a part not installed"))
    try:
        with pytest.raises(engines.EngineUnavailable, match="a part not installed"):
            validate(tmp_path, engine="missing")
    finally:
        engines.unregister("missing")


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_every_defect_gives_the_row_engines_report(
    defect: str, tmp_path: Path, delegating: dict[str, int]
) -> None:
    rows, other = _same(build(defect, tmp_path))
    assert other == rows


def test_fuzz_mutants_give_the_row_engines_report(
    tmp_path: Path, delegating: dict[str, int]
) -> None:
    rng = random.Random(20261206)
    for i in range(40):
        folder = tmp_path / f"m{i}"
        kind = fuzz.mutant(folder, rng)
        rows, other = _same(folder)
        assert other == rows, (i, kind)


@pytest.mark.scale
def test_the_sql_engine_is_registered_and_auto_never_picks_it_per_file() -> None:
    """docs/scale.md: the sql engine was not faster than the columnar one on a file of
    any size measured, so ``auto`` takes columnar for a large file; it gives the sql
    engine whole packages of millions of rows (the test below)."""
    assert "sql" in engines.names()
    assert engines.get("sql") is engines.REGISTRY["sql"]
    assert engines.for_file(None, 1 << 50).name == "columnar"
    assert engines.for_file(engines.get("sql"), 10).name == "sql"


@pytest.mark.scale
def test_the_sql_engine_gives_the_row_engines_report_on_fuzz_mutants(tmp_path: Path) -> None:
    rng = random.Random(20261207)
    for i in range(8):
        folder = tmp_path / f"m{i}"
        kind = fuzz.mutant(folder, rng)
        rows, other = _same(folder, "sql")
        assert other == rows, (i, kind)


def _crowd(folder: Path, copies: int) -> None:
    """The valid engagements *copies* times over: every id taken again (in the same
    table, and across tables for the ids of persons), and in every other copy the
    participants named otherwise: one missing, one a source (the wrong kind)."""
    path = folder / "engagements.csv"
    header, *body = path.read_text(encoding="utf-8").splitlines(keepends=True)
    out = [header, *body]
    for i in range(copies):
        for line in body:
            if i % 2:
                line = line.replace('""putin""', f'""nobody-{i}""').replace(
                    '""jaishankar""', '""src-article""'
                )
            out.append(line)
    path.write_text("".join(out), encoding="utf-8")
    persons = folder / "persons.csv"
    lines = persons.read_text(encoding="utf-8").splitlines(keepends=True)
    kremlin = "kremlin" + lines[1][lines[1].index(",") :]
    persons.write_text("".join([*lines, kremlin]), encoding="utf-8")


@pytest.mark.scale
@pytest.mark.parametrize("cap", [None, 0, 1, 4])
def test_the_sql_engines_layer_4_in_duckdb_gives_the_row_engines_report_under_caps(
    tmp_path: Path, cap: int | None
) -> None:
    """Ids taken twice (within a table and across tables), dangling references and
    references of the wrong kind, found by the sql engine's joins in DuckDB, capped
    there: the same findings and the same omitted counts as the row engine's."""
    folder = build("crowd", tmp_path, lambda f: _crowd(f, 12))
    rows = validate(folder, engine="rows", max_per_code=cap)
    sql = validate(folder, engine="sql", max_per_code=cap)
    codes = rows.counts()
    for code in ("unique-error", "duplicate-id", "dangling-reference", "wrong-reference-kind"):
        assert codes[code] > max(cap or 0, 1), code
    assert sql.omitted == rows.omitted
    assert [f.to_dict() for f in sql.findings] == [f.to_dict() for f in rows.findings]


@pytest.mark.scale
def test_auto_gives_a_package_of_millions_of_rows_to_the_sql_engine(tmp_path: Path) -> None:
    """``auto`` estimates a package's rows (a CSV file's from its size, a Parquet
    file's from its footer) and gives one past the sql engine's threshold to it whole;
    a smaller one, or a file that is not regular, is left to the choice per file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from bilat.validation.engines import sql

    threshold = sql.AUTO_MIN_PACKAGE_ROWS
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:  # sparse: its size says millions of rows
        f.truncate(threshold * engines.CSV_ROW_BYTES)
    small = tmp_path / "small.parquet"
    pq.write_table(pa.table({"id": pa.array(["a"] * 1000)}), small)
    assert engines.estimated_rows([("csv", big), ("parquet", small)]) == threshold + 1000
    chosen = engines.for_package([("csv", big)])
    assert chosen is not None and chosen.name == "sql"
    assert engines.for_package([("parquet", small)]) is None
    link = tmp_path / "link.csv"
    link.symlink_to(big)
    assert engines.for_package([("csv", link)]) is None


@pytest.mark.scale
@pytest.mark.parametrize("on_disk", [False, True])
def test_the_spans_of_block_rows_are_read_back_as_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, on_disk: bool
) -> None:
    """Layer 5 keeps the span of every row a block engine validated (8 bytes a row):
    in memory for the columnar engine, in a file in the sql engine's layer-4 folder
    (800 MB at 100M rows), which goes with the folder. Both give back what was kept,
    by key, and nothing for a key no block holds."""
    import os
    from array import array

    from bilat.validation.engines.sql.store import DeferredReferences
    from bilat.validation.references import References
    from bilat.validation.rules import SpanBlocks, SpanFile

    monkeypatch.setenv("BILAT_CACHE_DIR", str(tmp_path / "cache"))
    refs = DeferredReferences(lambda _f: None) if on_disk else References(lambda _f: None)
    store = refs.span_store() or SpanBlocks()
    assert isinstance(store, SpanFile) == on_disk
    store.append(100, array("q", [5, -1, 1 << 40]))
    store.append(1000, array("q", [7]))
    keys = (0, 99, 100, 101, 102, 103, 999, 1000, 1001)
    assert [store.get(k) for k in keys] == [None, None, 5, -1, 1 << 40, None, None, 7, None]
    if on_disk:
        assert isinstance(refs, DeferredReferences)
        assert refs.span_store() is store
        spans = refs.folder / "spans.bin"
        assert spans.stat().st_size == 4 * 8
        os.truncate(spans, 16)  # cut short: an error, not a span of 0
        with pytest.raises(OSError, match="cut short"):
            store.get(102)
    refs.close()
    if on_disk:
        assert isinstance(refs, DeferredReferences)
        assert not refs.folder.exists()


_HOLD = """
import os, signal, sys
from pathlib import Path
from bilat.cachedir import ClaimedFolder
claimed = ClaimedFolder(Path(sys.argv[1]), "run-")
(claimed.path / "spilled").write_bytes(b"x" * 4096)
print(claimed.path, flush=True)
if sys.argv[2] == "kill":
    os.kill(os.getpid(), signal.SIGKILL)  # no cleanup: as the out-of-memory killer
sys.stdin.read()  # lives until the test closes its stdin
"""


def test_a_killed_processs_spill_folder_is_removed_by_the_next_and_a_live_ones_is_kept(
    tmp_path: Path,
) -> None:
    """A process's folder in the shared spill folder (layer-4 files and DuckDB's spill:
    gigabytes at scale) goes when the process is killed with no chance to clean up,
    at the next process's start; the folder of a process that lives stays."""
    import subprocess

    from bilat.cachedir import ClaimedFolder

    parent = tmp_path / "duckdb-spill"
    live = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(parent), "live"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert live.stdout is not None
        alive = Path(live.stdout.readline().strip())
        killed = subprocess.run(  # its start sweeps too, and keeps the live one's
            [sys.executable, "-c", _HOLD, str(parent), "kill"], capture_output=True, text=True
        )
        assert killed.returncode == -9, killed.stderr
        dead = Path(killed.stdout.strip())
        assert (dead / "spilled").is_file() and (alive / "spilled").is_file()
        ours = ClaimedFolder(parent, "run-")
        assert not dead.exists() and not dead.with_suffix(".lock").exists()
        assert (alive / "spilled").is_file()  # its process holds its lock
        ours.remove()
        assert not ours.path.exists()
    finally:
        live.communicate("", timeout=30)
    assert live.returncode == 0
    assert alive.is_dir()  # it did not clean up either: the next one will
    again = ClaimedFolder(parent, "run-")
    assert [p.name for p in parent.iterdir() if p.is_dir()] == [again.path.name]
    again.remove()
    assert list(parent.iterdir()) == []


_RUN = """
import json, sys
from bilat.validation import validate
from bilat.validation.engines.sql.compile import connection, spill_folder
report = validate(sys.argv[1], engine="sql", max_per_code=None)
folder = spill_folder()
spill = connection().execute("SELECT current_setting('temp_directory')").fetchone()[0]
print(json.dumps({"codes": sorted({f.code for f in report.findings}), "folder": str(folder),
                  "locked": folder.with_name(folder.name + ".lock").is_file(), "spill": spill}))
"""


@pytest.mark.scale
def test_the_sql_engine_spills_to_a_folder_of_its_own_that_goes_when_it_exits(
    tmp_path: Path,
) -> None:
    """A process running the sql engine spills (DuckDB, layer 4) to a folder of its
    own under the cache dir, named for this machine and claimed by its lock; once the
    process has exited, neither is left."""
    import json
    import os
    import subprocess

    from bilat.cachedir import host_name

    folder = build("spill", tmp_path, lambda f: _crowd(f, 2))
    cache = tmp_path / "cache"
    env = {**os.environ, "BILAT_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", _RUN, str(folder)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout)
    assert "duplicate-id" in got["codes"]
    own = Path(got["folder"])
    assert own.parent == cache / "duckdb-spill"
    assert own.name.startswith(f"run-{host_name()}-") and got["locked"]
    assert got["spill"] == str(own)  # DuckDB's temporary files in it too
    assert list((cache / "duckdb-spill").iterdir()) == []


@pytest.mark.scale
def test_the_sql_engine_makes_its_spill_folder_again_when_it_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In one process: the cache dir removed, or another one named, between two
    validations: the second makes a folder of its own again, and DuckDB spills there."""
    import shutil

    from bilat.validation.engines.sql.compile import connection, spill_folder

    folder = build("again", tmp_path, lambda f: _crowd(f, 1))
    want = [f.to_dict() for f in validate(folder, engine="rows").findings]
    for name in ("a", "a", "b"):
        cache = tmp_path / name
        monkeypatch.setenv("BILAT_CACHE_DIR", str(cache))
        got = validate(folder, engine="sql")
        assert [f.to_dict() for f in got.findings] == want, name
        spill = connection().execute("SELECT current_setting('temp_directory')").fetchone()
        assert spill is not None and Path(spill[0]) == spill_folder()
        assert spill_folder().parent == cache / "duckdb-spill"
        shutil.rmtree(cache)


@pytest.mark.scale
@pytest.mark.parametrize("engine", ["sql", "columnar"])
def test_the_sql_engine_keeps_the_spans_on_disk_and_the_columnar_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """Every row the blocks validate gives layer 5 its span: to the file for the sql
    engine, to memory for the columnar one (the file's writes are counted)."""
    from bilat.validation.rules import SpanFile

    written: list[int] = []
    append = SpanFile.append

    def counted(self: SpanFile, first: int, packed: Any) -> None:
        written.append(len(packed))
        append(self, first, packed)

    monkeypatch.setattr(SpanFile, "append", counted)
    folder = build("spans", tmp_path, lambda f: _crowd(f, 3))
    rows = sum(1 for _ in (folder / "engagements.csv").open(encoding="utf-8")) - 1
    got = validate(folder, engine=engine)
    assert [f.to_dict() for f in got.findings] == [
        f.to_dict() for f in validate(folder, engine="rows").findings
    ]
    assert sum(written) == (rows if engine == "sql" else 0)


def test_a_forked_child_removes_nothing_of_its_parents_spill_folder(tmp_path: Path) -> None:
    """A child forked after the folder was made (and so with its exit handlers) leaves
    the folder to the process that made it."""
    import os

    from bilat.cachedir import ClaimedFolder

    claimed = ClaimedFolder(tmp_path, "run-")
    pid = os.fork()
    if pid == 0:  # the child: what its exit handler would do, then out
        claimed.remove()
        os._exit(0 if claimed.path.is_dir() else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert claimed.path.is_dir() and (tmp_path / f"{claimed.path.name}.lock").is_file()
    claimed.remove()
    assert list(tmp_path.iterdir()) == []
