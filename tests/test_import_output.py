"""What `bilat import` writes: rows sorted by id as `bilat fmt` wants them (an external
merge sort past its memory budget), one CSV file or Parquet parts above a stated size,
and `--append` onto either. Every package is validated by bilat and by Frictionless."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import frictionless
import pytest
from typer.testing import CliRunner

from bilat.cli import app
from bilat.importers import output, run_import
from bilat.validation import validate

pytestmark = pytest.mark.events

DATA = Path(__file__).parent / "data" / "import"
ICEWS = DATA / "icews-2018-06-01-excerpt.tab"
QUIRKS = DATA / "icews-quirks-built.tab"
REJECTED = "import-rejected.csv"
runner = CliRunner()


def valid_everywhere(folder: Path) -> None:
    report = validate(folder, engine="rows")
    assert report.valid, [f.message for f in report.errors][:5]
    assert not report.warnings, [f.message for f in report.warnings][:5]
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type"])[:5]


def fmt_check(folder: Path) -> int:
    return runner.invoke(app, ["fmt", "--check", str(folder)]).exit_code


def csv_rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "coded_events.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def resource(folder: Path) -> dict[str, Any]:
    descriptor = json.loads((folder / "datapackage.json").read_text())
    (res,) = [r for r in descriptor["resources"] if r["name"] == "coded_events"]
    return res  # type: ignore[no-any-return]


def parts(folder: Path) -> list[str]:
    path = resource(folder)["path"]
    return [path] if isinstance(path, str) else list(path)


def parquet_rows(folder: Path) -> list[dict[str, str]]:
    """The rows of every part in order, a null cell read as the empty CSV cell."""
    import pyarrow.parquet as pq

    out = []
    for name in parts(folder):
        for row in pq.read_table(folder / name).to_pylist():
            out.append({k: "" if v is None else v for k, v in row.items()})
    return out


def halves(tmp_path: Path) -> tuple[Path, Path]:
    """The ICEWS sample cut in two files, each with the header."""
    lines = ICEWS.read_text(encoding="utf-8").splitlines(keepends=True)
    a, b = tmp_path / "icews-a.tab", tmp_path / "icews-b.tab"
    a.write_text("".join(lines[:36]), encoding="utf-8")
    b.write_text(lines[0] + "".join(lines[36:]), encoding="utf-8")
    return a, b


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parquet above 50 rows, in parts of 20 rows written 7 at a time."""
    monkeypatch.setattr(output, "PARQUET_ABOVE_ROWS", 50)
    monkeypatch.setattr(output, "PART_ROWS", 20)
    monkeypatch.setattr(output, "ROW_GROUP_ROWS", 7)


# -- sorted as bilat fmt wants ------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "options"),
    [
        ([ICEWS], []),
        ([QUIRKS], []),  # a merged row among them
        ([ICEWS], ["--dedupe", "daily"]),
    ],
)
def test_a_fresh_import_is_what_fmt_writes(
    tmp_path: Path, files: list[Path], options: list[str]
) -> None:
    out = tmp_path / "ev"
    done = runner.invoke(app, ["import", "icews", *map(str, files), "--out", str(out), *options])
    assert done.exit_code in (0, 1), done.output
    ids = [r["id"] for r in csv_rows(out)]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert fmt_check(out) == 0


def test_unvotes_import_is_what_fmt_writes(tmp_path: Path) -> None:
    out = tmp_path / "un"
    files = [
        DATA / "tidytuesday-roll-calls-first-rows.csv",
        DATA / "tidytuesday-unvotes-first-rows.csv",
    ]
    run_import("unvotes", files, out)
    assert fmt_check(out) == 0
    run_import("unvotes", [files[0], DATA / "unvotes-voeten-codes-built.csv"], out, append=True)
    assert fmt_check(out) == 0


def test_the_external_sort_gives_the_rows_the_in_memory_sort_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_import("icews", [ICEWS, QUIRKS], tmp_path / "memory", dedupe="daily")
    spilled: list[int] = []
    spill = output.SortedRows._spill

    def counted(self: output.SortedRows) -> None:
        spilled.append(len(self.held))
        spill(self)

    monkeypatch.setattr(output, "SORT_BUDGET", 3000)  # a few rows a run
    monkeypatch.setattr(output.SortedRows, "_spill", counted)
    result = run_import("icews", [ICEWS, QUIRKS], tmp_path / "disk", dedupe="daily")
    assert len([n for n in spilled if n]) > 10  # the rows went through many runs
    assert result.total.merged > 0
    for name in ("coded_events.csv", "sources.csv", "states.csv"):
        assert (tmp_path / "disk" / name).read_bytes() == (tmp_path / "memory" / name).read_bytes()
    assert fmt_check(tmp_path / "disk") == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no run left


def traced_writes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The peak memory Python allocates (traced) in each write of an import's rows
    from now on (the merges and the writing), appended as each ends."""
    import tracemalloc

    from bilat.importers import pipeline

    write, peaks = pipeline.EventRows.write, []

    def measured(self: Any, *args: Any) -> Any:
        tracemalloc.start()
        try:
            return write(self, *args)
        finally:
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()

    monkeypatch.setattr(pipeline.EventRows, "write", measured)
    return peaks


def test_an_append_of_the_same_rows_merges_them_without_holding_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Appending a file whose every row is already in the package merges each pair as
    the sorted rows pass: what the merge and the writing take (traced) stays under a
    MiB, where holding the 600 repeated rows as fields took about 2 MiB."""
    head, *lines = ICEWS.read_text(encoding="utf-8").splitlines(keepends=True)
    src = tmp_path / "many.tab"
    many = (lines[i % len(lines)].split("\t", 1)[1] for i in range(300))
    src.write_text(head + "".join(f"{80_000_000 + i}\t{r}" for i, r in enumerate(many)), "utf-8")
    monkeypatch.setattr(output, "SORT_BUDGET", 200_000)  # a few runs
    run_import("icews", [src], tmp_path / "ev")
    peaks = traced_writes(monkeypatch)
    again = run_import("icews", [src], tmp_path / "ev", append=True)
    assert (again.total.imported, again.total.merged) == (0, 300)
    assert peaks[0] < 1 << 20, peaks
    rows = csv_rows(tmp_path / "ev")
    assert {r["merged_ids"] for r in rows} == {f'["{80_000_000 + i}"]' for i in range(300)}


def test_dedupe_daily_joins_groups_through_a_later_row_without_holding_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under --dedupe daily, rows A (event 1, code 040), B (event 2, code 036) and C
    (event 2, code 040) of one day form one group, though B shares nothing with A
    and only the later C joins them; 300 such days, through sorts of a few runs each.
    What the grouping and the writing take (traced) stays under a MiB, where holding
    the 900 rows as fields took about 3 MiB."""
    import datetime as dt

    head, first, *_ = ICEWS.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = first.split("\t")
    lines = []
    for day in range(300):
        date = (dt.date(2016, 1, 1) + dt.timedelta(days=day)).isoformat()
        for event, text, code in (
            (1, "Consult", "040"),
            (2, "Make statement", "036"),
            (2, "Consult", "040"),
        ):
            row = [f"{80_000_000 + 10 * day + event}", date, *cells[2:5], text, code, *cells[7:]]
            lines.append("\t".join(row))
    src = tmp_path / "chains.tab"
    src.write_text(head + "".join(lines), "utf-8")
    monkeypatch.setattr(output, "SORT_BUDGET", 200_000)  # a few runs in each sort
    run_import("icews", [src], tmp_path / "warm", dedupe="daily")  # what it imports, once
    peaks = traced_writes(monkeypatch)
    result = run_import("icews", [src], tmp_path / "ev", dedupe="daily")
    assert (result.total.imported, result.total.merged) == (300, 600)
    assert peaks[0] < 1 << 20, peaks
    rows = csv_rows(tmp_path / "ev")
    assert [(r["native_id"], r["cameo"], r["merged_ids"]) for r in rows] == [
        (f"{80_000_000 + 10 * day + 1}", "040", f'["{80_000_000 + 10 * day + 2}"]')
        for day in range(300)
    ]
    assert fmt_check(tmp_path / "ev") == 0
    assert not [p for p in (tmp_path / "ev").rglob(".*")]  # no sort left


# -- Parquet parts ---------------------------------------------------------------------


def test_parquet_forced_holds_the_rows_the_csv_holds(tmp_path: Path) -> None:
    run_import("icews", [QUIRKS, ICEWS], tmp_path / "csv")
    done = runner.invoke(
        app,
        ["import", "icews", str(QUIRKS), str(ICEWS), "--out", str(tmp_path / "pq"), "--parquet"],
    )
    assert done.exit_code == 1, done.output  # the quirks file has rejected rows
    pq_folder = tmp_path / "pq"
    res = resource(pq_folder)
    assert res["format"] == "parquet" and res["path"] == "coded_events-0001.parquet"
    assert "dialect" not in res and res["schema"] == resource(tmp_path / "csv")["schema"]
    assert not (pq_folder / "coded_events.csv").exists()
    assert parquet_rows(pq_folder) == csv_rows(tmp_path / "csv")
    valid_everywhere(pq_folder)
    assert fmt_check(pq_folder) == 0  # fmt leaves Parquet parts as they are


def test_above_the_stated_size_the_rows_are_parquet_parts(
    tmp_path: Path, small_parts: None
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "big"
    result = run_import("icews", [ICEWS], out)  # 71 rows: above 50
    assert result.total.imported == 71
    names = parts(out)
    assert names == [f"coded_events-000{i}.parquet" for i in (1, 2, 3, 4)]
    files = [pq.ParquetFile(out / n) for n in names]
    assert [f.metadata.num_rows for f in files] == [20, 20, 20, 11]
    assert [f.metadata.num_row_groups for f in files] == [3, 3, 3, 2]  # 7 rows at a time
    assert all(f.schema_arrow.types == [pa.string()] * len(f.schema_arrow) for f in files)
    ids = [r["id"] for r in parquet_rows(out)]
    assert ids == sorted(ids) and len(ids) == 71  # sorted across the parts
    valid_everywhere(out)
    # --csv forces one CSV file whatever the size
    run_import("icews", [ICEWS], tmp_path / "forced", parquet=False)
    assert resource(tmp_path / "forced")["path"] == "coded_events.csv"
    assert [r["id"] for r in csv_rows(tmp_path / "forced")] == ids


def test_a_bad_cell_in_a_later_part_is_found_by_bilat(tmp_path: Path, small_parts: None) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "bad"
    run_import("icews", [ICEWS], out)
    last = out / parts(out)[-1]
    table = pq.read_table(last)
    cameo = table.column_names.index("cameo")
    values = table.column(cameo).to_pylist()
    values[2] = "13y"
    pq.write_table(table.set_column(cameo, "cameo", pa.array(values, pa.string())), last)
    report = validate(out, engine="rows")
    found = [(f.path, f.row, f.field) for f in report.errors]
    assert found == [(last.name, 3, "cameo")]


# -- --append onto Parquet parts -------------------------------------------------------


def test_append_adds_a_part_and_leaves_the_old_parts_alone(tmp_path: Path) -> None:
    a, b = halves(tmp_path)
    out = tmp_path / "app"
    run_import("icews", [a], out, parquet=True)
    before = (out / "coded_events-0001.parquet").read_bytes()
    second = run_import("icews", [b], out, append=True)  # Parquet stays Parquet
    assert second.total.imported == 36 and second.total.merged == 0
    assert parts(out) == ["coded_events-0001.parquet", "coded_events-0002.parquet"]
    assert (out / "coded_events-0001.parquet").read_bytes() == before
    assert len(parquet_rows(out)) == 71
    valid_everywhere(out)
    descriptor = json.loads((out / "datapackage.json").read_text())
    assert len(descriptor["x-bilat-import"]["runs"]) == 2


def test_append_that_merges_into_old_rows_rewrites_the_parts(tmp_path: Path) -> None:
    a, b = halves(tmp_path)
    out = tmp_path / "merge"
    run_import("icews", [a, b], out, parquet=True)
    again = run_import("icews", [ICEWS], out, append=True)  # every row is there already
    assert (again.total.imported, again.total.merged) == (0, 71)
    assert parts(out) == ["coded_events-0002.parquet"]  # a new part; the old one removed
    assert not (out / "coded_events-0001.parquet").exists()
    rows = parquet_rows(out)
    assert len(rows) == 71 and all(json.loads(r["merged_ids"]) for r in rows)
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    valid_everywhere(out)
    # --csv turns the table back into one CSV file, the parts removed
    run_import("icews", [DATA / "icews-2017-layout-built.tab"], out, append=True, parquet=False)
    assert resource(out)["path"] == "coded_events.csv" and len(csv_rows(out)) == 74
    assert not list(out.glob("*.parquet"))
    assert fmt_check(out) == 0
    valid_everywhere(out)


def test_no_rows_make_one_empty_part_and_an_empty_append_adds_none(tmp_path: Path) -> None:
    empty = tmp_path / "empty.tab"
    empty.write_text(ICEWS.read_text(encoding="utf-8").split("\n", 1)[0] + "\n")
    out = tmp_path / "none"
    run_import("icews", [empty], out, parquet=True)
    assert parts(out) == ["coded_events-0001.parquet"] and parquet_rows(out) == []
    valid_everywhere(out)
    run_import("icews", [empty], out, append=True)
    assert parts(out) == ["coded_events-0001.parquet"]
    again = run_import("icews", [QUIRKS, QUIRKS], out, append=True)  # one file named twice
    c = again.files[str(QUIRKS)]
    assert (c.read, c.imported, c.merged, c.rejected) == (14, 3, 5, 6)
    assert parts(out) == ["coded_events-0001.parquet", "coded_events-0002.parquet"]
    assert len(parquet_rows(out)) == 3
    valid_everywhere(out)


@pytest.mark.parametrize("path", ["../victim.parquet", "sub/coded_events-0001.parquet", ".x.csv"])
def test_append_reads_and_replaces_only_files_of_the_package_folder(
    tmp_path: Path, path: str
) -> None:
    """A descriptor whose coded-events path leaves the folder (or hides in it) is
    refused before anything is read or removed: --append would read it, then delete it
    as an old part."""
    a, b = halves(tmp_path)
    out = tmp_path / "app"
    run_import("icews", [a], out, parquet=True)
    victim = tmp_path / "victim.parquet"
    victim.write_bytes((out / "coded_events-0001.parquet").read_bytes())
    descriptor = json.loads((out / "datapackage.json").read_text())
    for res in descriptor["resources"]:
        if res["name"] == "coded_events":
            res["path"] = path
    (out / "datapackage.json").write_text(json.dumps(descriptor))
    done = runner.invoke(app, ["import", "icews", str(b), "--out", str(out), "--append"])
    assert done.exit_code == 2, done.output
    assert "is not a file of the package folder" in done.output
    assert "Traceback" not in done.output
    assert victim.exists() and (out / "coded_events-0001.parquet").exists()


@pytest.mark.parametrize(
    "damage", ["cut short", "footer past the cap", "a column not of strings", "bad utf-8 csv"]
)
def test_append_onto_a_table_it_cannot_read_is_an_error_naming_the_file(
    tmp_path: Path, damage: str
) -> None:
    """A part cut short (no footer at all), one whose footer claims more than bilat
    reads, one with a column that does not hold strings, a CSV table with bytes that
    are not UTF-8: exit 2 naming the file, no traceback, and the package and the
    folder beside it as they were."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    a, b = halves(tmp_path)
    out = tmp_path / "app"
    run_import("icews", [a], out, parquet=damage != "bad utf-8 csv")
    [table] = [p for p in out.iterdir() if p.name.startswith("coded_events")]
    data = table.read_bytes()
    if damage == "cut short":
        table.write_bytes(data[: len(data) // 2])
    elif damage == "footer past the cap":
        table.write_bytes(data[:-8] + (1 << 30).to_bytes(4, "little") + b"PAR1")
    elif damage == "a column not of strings":
        rows = pq.read_table(table)
        zeros = pa.array([0] * rows.num_rows, pa.int64())
        pq.write_table(rows.set_column(1, rows.column_names[1], zeros), table)
    else:
        table.write_bytes(data + b"\xff\xfe not utf-8\n")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    beside = sorted(p.name for p in tmp_path.iterdir())
    done = runner.invoke(app, ["import", "icews", str(b), "--out", str(out), "--append"])
    assert done.exit_code == 2, done.output
    assert f"{table}: cannot read it (" in done.output
    assert ("footer claims" in done.output) == (damage == "footer past the cap")
    assert ("do not hold strings" in done.output) == (damage == "a column not of strings")
    assert "nothing was written" in done.output and "Traceback" not in done.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == beside


# -- what --append reads and replaces --------------------------------------------------


def bilat_import(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``bilat import ARGS`` in a process of its own, run in *cwd* (a hang is a
    timeout, not a stuck test run)."""
    return subprocess.run(
        [sys.executable, "-m", "bilat", "import", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
    )


def snapshot(folder: Path) -> dict[str, tuple[str, bytes]]:
    """Each entry of *folder*: its kind and, for a regular file, its bytes."""
    out: dict[str, tuple[str, bytes]] = {}
    for p in folder.iterdir():
        if p.is_symlink():
            out[p.name] = ("link", os.readlink(p).encode())
        elif p.is_dir():
            out[p.name] = ("folder", b"")
        elif p.is_file():
            out[p.name] = ("file", p.read_bytes())
        else:
            out[p.name] = ("other", b"")
    return out


@pytest.mark.parametrize(
    "name", ["states.csv", "sources.csv", "coded_events.csv", "datapackage.json"]
)
def test_append_onto_a_fifo_is_an_error_naming_it_not_a_hang(tmp_path: Path, name: str) -> None:
    """Every file of the package --append reads is opened only if it is a regular
    file: a FIFO in its place is one line naming it, exit 2, nothing changed."""
    out = tmp_path / "ev"
    run_import("icews", [QUIRKS], out)
    (out / name).unlink()
    os.mkfifo(out / name)
    before = snapshot(out)
    beside = sorted(p.name for p in tmp_path.iterdir())
    done = bilat_import(tmp_path, "icews", str(QUIRKS), "--out", str(out), "--append")
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [done.stderr.strip()]
    assert f"{out / name}: cannot read it (it is a FIFO (named pipe))" in done.stderr
    assert done.stderr.count("nothing was written") == 1
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == beside


@pytest.mark.parametrize(
    "damage", ["datapackage.json a link", "import-rejected.csv a folder", "states.csv a link"]
)
def test_append_refuses_a_file_it_cannot_replace_before_replacing_any(
    tmp_path: Path, damage: str
) -> None:
    """Every file --append would replace, the descriptor included, is checked before
    any is moved in: a link or a folder in the place of one is one line naming it,
    exit 2, and the package as it was (no README, no table moved in before)."""
    out = tmp_path / "ev"
    run_import("icews", [QUIRKS], out)
    name, what = damage.split(" a ")
    target = out / name
    if what == "link":
        moved = tmp_path / f"real-{name}"
        target.rename(moved)
        target.symlink_to(moved)
    else:
        target.unlink()
        target.mkdir()
    before = snapshot(out)
    beside = sorted(p.name for p in tmp_path.iterdir())
    done = runner.invoke(app, ["import", "icews", str(QUIRKS), "--out", str(out), "--append"])
    assert done.exit_code == 2, done.output
    assert len(done.stderr.splitlines()) == 1
    kind = "a symbolic link" if what == "link" else "a folder, not a regular file"
    assert f"{target} is {kind}" in done.stderr
    assert done.stderr.count("nothing was written") == 1
    assert "Traceback" not in done.output and "wrote" not in done.stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == beside


def test_a_rename_that_fails_midway_puts_back_what_was_moved_in(tmp_path: Path) -> None:
    """When a rename fails after others were done (here: a file gone from the work
    folder), the files already moved in are put back and the old ones restored: the
    message names the file and says nothing was written, which is then true."""
    from bilat.importers.pipeline import ImportProblem, move_in

    out, work = tmp_path / "pkg", tmp_path / "work"
    out.mkdir()
    work.mkdir()
    for name in ("README.md", "coded_events.csv", "datapackage.json"):
        (out / name).write_text(f"old {name}")
        (work / name).write_text(f"new {name}")
    (out / REJECTED).write_text("old rejections")
    (work / "coded_events.csv").unlink()  # its rename fails, after README.md's
    moves = [(work / n, out / n) for n in ("README.md", "coded_events.csv", "datapackage.json")]
    with pytest.raises(ImportProblem) as caught:
        move_in(moves, [out / REJECTED], out)
    message = str(caught.value)
    assert message.startswith(f"{out / 'coded_events.csv'}: cannot replace it (")
    assert "nothing was written (1 files already moved into" in message
    assert {p.name: p.read_text() for p in out.iterdir()} == {
        "README.md": "old README.md",
        "coded_events.csv": "old coded_events.csv",
        "datapackage.json": "old datapackage.json",
        REJECTED: "old rejections",
    }
    assert (work / "README.md").read_text() == "new README.md"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg", "work"]


def test_a_ctrl_c_just_after_any_rename_is_undone(tmp_path: Path) -> None:
    """Ctrl-C landing just after each rename of the move in turn (before the next line
    runs: raised from a profile hook): every file is put back where it was, the
    old ones in the package and the new ones in the work folder, and nothing is left
    beside. (Undoing from a list of the renames done lost a file moved aside when it
    landed between the rename and its entry in the list.)"""
    from bilat.importers.pipeline import move_in

    names = ("README.md", "coded_events.csv", "datapackage.json")
    olds = {**{n: f"old {n}" for n in names}, REJECTED: "old rejections"}
    news = {n: f"new {n}" for n in names}
    renames = 1 + 2 * len(names)  # the old rejections aside; each old file aside, new in
    for stop in range(1, renames + 1):
        here = tmp_path / str(stop)
        out, work = here / "pkg", here / "work"
        for folder, files in ((out, olds), (work, news)):
            folder.mkdir(parents=True)
            for name, text in files.items():
                (folder / name).write_text(text)
        seen: list[int] = []

        def interrupt(
            frame: Any, event: str, arg: Any, seen: list[int] = seen, stop: int = stop
        ) -> None:
            if event == "c_return" and arg is os.replace and frame.f_code.co_name == "move_in":
                seen.append(1)
                if len(seen) == stop:
                    sys.setprofile(None)
                    raise KeyboardInterrupt

        sys.setprofile(interrupt)
        try:
            with pytest.raises(KeyboardInterrupt):
                move_in([(work / n, out / n) for n in names], [out / REJECTED], out)
        finally:
            sys.setprofile(None)
        assert len(seen) == stop
        assert {p.name: p.read_text() for p in out.iterdir()} == olds, stop
        assert {p.name: p.read_text() for p in work.iterdir()} == news, stop
        assert sorted(p.name for p in here.iterdir()) == ["pkg", "work"], stop


def test_an_append_killed_while_moving_its_files_in_is_undone_or_kept_by_the_next(
    tmp_path: Path,
) -> None:
    """What a SIGKILL amid an ``--append``'s move leaves on disk (frozen: the folder
    copied as it is at that point of a real import, from a profile hook; a kill
    leaves the files so, and no lock held): the package's old files aside
    (``.ev.replaced-*``), the only copy of the old descriptor when killed just before
    the new one is moved in. The next import into the folder finds them: it undoes the
    killed import (the package is then as it was, and the new import adds to it), or,
    killed once the descriptor was moved in, keeps it; nothing is left beside."""
    a, b = halves(tmp_path)
    live = tmp_path / "live"
    live.mkdir()
    run_import("icews", [a], live / "ev")
    frozen = {"before": tmp_path / "before", "after": tmp_path / "after"}

    def freeze(frame: Any, event: str, arg: Any) -> None:
        if arg is not os.replace or frame.f_code.co_name != "move_in":
            return
        descriptor = (live / "ev" / "datapackage.json").exists()
        if event == "c_call" and not descriptor:
            at = frozen["before"]  # the old descriptor aside, the new one not yet in
        elif (
            event == "c_return"
            and descriptor
            and frame.f_locals["target"].name == "datapackage.json"
        ):
            at = frozen["after"]  # the new one in
        else:
            return
        if not at.exists():
            shutil.copytree(live, at, symlinks=True)

    sys.setprofile(freeze)
    try:
        run_import("icews", [b], live / "ev", append=True)
    finally:
        sys.setprofile(None)
    assert all(at.is_dir() for at in frozen.values())
    before, after = frozen["before"] / "ev", frozen["after"] / "ev"
    (aside,) = before.parent.glob(".ev.replaced-*")
    assert not (before / "datapackage.json").exists()
    assert [p for p in aside.iterdir() if p.name.endswith("-datapackage.json")]  # the only one
    done = runner.invoke(app, ["import", "icews", str(b), "--out", str(before), "--append"])
    assert done.exit_code == 0, done.output  # the killed one undone, then b added
    assert snapshot(before) == snapshot(live / "ev")
    assert sorted(p.name for p in before.parent.glob(".ev*")) == []
    assert snapshot(after) == snapshot(live / "ev")  # the killed import is whole
    done = runner.invoke(app, ["import", "icews", str(QUIRKS), "--out", str(after)])
    assert done.exit_code == 2 and "already holds a package" in done.stderr
    assert snapshot(after) == snapshot(live / "ev")
    assert sorted(p.name for p in after.parent.glob(".ev.replaced-*")) == []


def test_old_files_moved_aside_with_no_record_are_refused_by_name(tmp_path: Path) -> None:
    """A folder of old files moved aside with no record of where each goes (an older
    bilat's, killed while moving its files in) holds the only copy of them: the next
    import into the package leaves it and the package as they are, and says what to
    do in one line naming it."""
    out = tmp_path / "ev"
    run_import("icews", [QUIRKS], out)
    aside = tmp_path / ".ev.replaced-k2j4x8_a"
    aside.mkdir()
    (aside / "00002-coded_events.csv").write_text("old rows")
    before = snapshot(out)
    done = runner.invoke(app, ["import", "icews", str(QUIRKS), "--out", str(out), "--append"])
    assert done.exit_code == 2, done.output
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert f": {aside}: " in done.stderr and "put back into" in done.stderr
    assert done.stderr.count("nothing was written") == 1
    assert snapshot(out) == before
    assert (aside / "00002-coded_events.csv").read_text() == "old rows"


def test_a_record_of_a_move_bilat_did_not_make_is_never_acted_on(tmp_path: Path) -> None:
    """A ``.OUT.replaced-*`` folder of another user's is left alone; one whose record
    reaches a file through a link, or whose old copy is a link, is refused by name:
    nothing of the user's is removed or replaced (a planted record deleted files,
    outside OUT too)."""
    out = tmp_path / "ev"
    run_import("icews", [QUIRKS], out)
    (out / "notes.txt").write_text("mine")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "file.txt").write_text("theirs")
    (out / "link").symlink_to(outside)
    steps = [["notes.txt", False, True], ["link/file.txt", False, True]]
    aside = tmp_path / ".ev.replaced-zzzzzzzz"
    aside.mkdir()
    record = {"steps": [*steps, ["datapackage.json", True, True]], "made": []}
    (aside / "moves.json").write_text(json.dumps(record))
    before = snapshot(out)
    done = runner.invoke(app, ["import", "icews", str(QUIRKS), "--out", str(out), "--append"])
    assert done.exit_code == 2 and "will not act on" in done.stderr, done.output
    assert "link/file.txt is reached through the link" in done.stderr
    assert snapshot(out) == before and (outside / "file.txt").read_text() == "theirs"
    # an old copy that is a link to someone's file is not put in place of README.md
    record = {"steps": [["README.md", True, True], ["datapackage.json", True, True]], "made": []}
    (aside / "moves.json").write_text(json.dumps(record))
    (aside / "00000-README.md").symlink_to(outside / "file.txt")
    done = runner.invoke(app, ["import", "icews", str(QUIRKS), "--out", str(out), "--append"])
    assert done.exit_code == 2 and "00000-README.md is not a regular file" in done.stderr
    assert snapshot(out) == before
    if os.getuid() == 0:  # another user's folder (as root: chown) is never read
        shutil.rmtree(aside)
        aside.mkdir()
        (aside / "moves.json").write_text(json.dumps({"steps": steps, "made": []}))
        os.chown(aside, 65534, 65534)
        done = runner.invoke(app, ["import", "icews", str(QUIRKS), "--out", str(out), "--append"])
        assert done.exit_code in (0, 1), done.output
        assert (out / "notes.txt").read_text() == "mine" and aside.is_dir()


def test_an_older_imports_unlocked_work_folder_goes_once_untouched_for_a_week(
    tmp_path: Path,
) -> None:
    """Work folders of imports made before they had lock files are removed when
    nothing in them changed for a week (UNLOCKED_WORK_DAYS): here a month; one with a
    file written today may be a live import's, and stays, as does a folder not named
    as bilat names them."""
    import time

    from bilat.importers.pipeline import sweep_work

    old, live, other = (tmp_path / f".ev.import-{n}" for n in ("a1b2c3d4", "e5f6g7h8", "mine"))
    for folder in (old, live, other):
        (folder / ".sort").mkdir(parents=True)
        (folder / ".sort" / "run-00000.bin").write_bytes(b"x")
    then = time.time() - 30 * 86400
    for folder in (old, live, other):
        for p in (folder / ".sort" / "run-00000.bin", folder / ".sort", folder):
            if not (folder == live and p.name == "run-00000.bin"):
                os.utime(p, (then, then))
    assert sweep_work(tmp_path / "ev") == 1
    assert not old.exists() and live.is_dir() and other.is_dir()


def test_an_out_that_is_a_file_says_nothing_was_written_once(tmp_path: Path) -> None:
    a_file = tmp_path / "out"
    a_file.write_text("mine")
    done = runner.invoke(app, ["import", "icews", str(QUIRKS), "--out", str(a_file)])
    assert done.exit_code == 2
    assert done.stderr.count("nothing was written") == 1, done.stderr
    assert a_file.read_text() == "mine"


def test_a_killed_import_leaves_a_work_folder_the_next_import_removes(tmp_path: Path) -> None:
    """SIGTERM ends an import without its cleanup; its work folder (locked while the
    process lived) is removed by the next import into the same folder, which leaves
    nothing beside the package. A work folder whose import still runs is left alone."""
    import signal
    import time

    head, *rows = ICEWS.read_text().splitlines()
    big = tmp_path / "big.tab"
    with big.open("w") as f:
        f.write(head + "\n")
        for n in range(3000):
            for row in rows:
                event_id, rest = row.split("\t", 1)
                f.write(f"{n}{event_id}\t{rest}\n")
    out = tmp_path / "ev"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bilat", "import", "icews", str(big), "--out", str(out)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".ev.import-*")) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        assert proc.poll() is None, "the import ended before it could be stopped"
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        proc.kill()
    left = sorted(p.name for p in tmp_path.glob(".ev.import-*"))
    assert [n for n in left if not n.endswith(".lock")], left  # what SIGTERM leaves
    live = tmp_path / ".ev.import-live"  # an import that runs: its lock is held
    live.mkdir()
    from filelock import FileLock

    with FileLock(str(live) + ".lock", timeout=0):
        done = runner.invoke(app, ["import", "icews", str(QUIRKS), "--out", str(out)])
        assert done.exit_code == 1, done.output
        assert sorted(p.name for p in tmp_path.glob(".ev.*")) == [
            ".ev.import-live",
            ".ev.import-live.lock",
        ]
