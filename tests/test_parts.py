"""Multi-file CSV resources (``path`` a list): every part is read, with its own header
row, and a finding names the part and the physical line in it; every engine gives the
same report (docs/frictionless.md has the choice and what Frictionless does)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from mutants import build

from bilat.validation import validate

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

pytestmark = pytest.mark.scale

ENGINES = ("rows", "columnar", "sql")


def _split(folder: Path, name: str = "engagements", extra: bytes = b"", **declare: Any) -> None:
    """Cut *name*.csv in two parts after its first record (each with the header), the
    second part followed by the lines *extra*."""
    lines = (folder / f"{name}.csv").read_bytes().splitlines(keepends=True)
    (folder / f"{name}.csv").write_bytes(b"".join(lines[:2]))
    (folder / f"{name}-2.csv").write_bytes(lines[0] + b"".join(lines[2:]) + extra)
    desc = json.loads((folder / "datapackage.json").read_text())
    for res in desc["resources"]:
        if res["name"] == name:
            res["path"] = [f"{name}.csv", f"{name}-2.csv"]
            res.pop("bytes", None)
            res.pop("hash", None)
            res.update(declare)
    (folder / "datapackage.json").write_text(json.dumps(desc))


def _errors(folder: Path, engine: str) -> list[tuple[Any, ...]]:
    report = validate(folder, engine=engine, max_per_code=None)
    return [(f.code, f.path, f.row, f.field) for f in report.findings if f.severity == "error"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_package_cut_in_parts_is_valid(tmp_path: Path, engine: str) -> None:
    folder = build("parts", tmp_path, _split)
    assert _errors(folder, engine) == []


def test_an_id_taken_in_two_parts_is_found_in_the_second(tmp_path: Path) -> None:
    folder = build("dup", tmp_path, lambda f: None)
    first = (folder / "engagements.csv").read_bytes().splitlines(keepends=True)[1]
    _split(folder, extra=first)
    found = {e: _errors(folder, e) for e in ENGINES}
    assert found["rows"] == found["columnar"] == found["sql"]
    (dup,) = [f for f in found["rows"] if f[0] == "duplicate-id"]
    lines = (folder / "engagements-2.csv").read_bytes().count(b"\n")
    assert dup == ("duplicate-id", "engagements-2.csv", lines, "id")


def test_a_missing_part_is_reported(tmp_path: Path) -> None:
    folder = build("missing", tmp_path, _split)
    (folder / "engagements-2.csv").unlink()
    assert ("resource-missing", "engagements-2.csv", None, "path") in _errors(folder, "rows")


def test_bytes_declared_for_all_parts_are_refused(tmp_path: Path) -> None:
    folder = build("bytes", tmp_path, lambda f: _split(f, bytes=10))
    assert ("unsupported-format", "datapackage.json", None, "bytes") in _errors(folder, "rows")


def parquet_parts(
    folder: Path, name: str = "engagements", parts: int = 1, first: bool = False, **types: Any
) -> None:
    """*name* as Parquet, every column a string (or of the pyarrow type in *types*),
    cut in *parts* files; with *first*, every row in the first and none in the others
    (Frictionless reads only the first part, so records can name every one)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    csv_file = folder / f"{name}.csv"
    header = csv_file.read_text().split("\n", 1)[0].split(",")
    strings = pacsv.ConvertOptions(
        column_types={h: types.get(h, pa.string()) for h in header},
        strings_can_be_null=True,
    )
    table = pacsv.read_csv(csv_file, convert_options=strings)
    csv_file.unlink()
    step = table.num_rows if first else -(-table.num_rows // parts)
    paths = []
    for i in range(parts):
        paths.append(f"{name}-{i + 1}.parquet")
        pq.write_table(table.slice(i * step, step), folder / paths[-1])
    desc = json.loads((folder / "datapackage.json").read_text())
    for res in desc["resources"]:
        if res["name"] == name:
            res.update(path=paths[0] if parts == 1 else paths, format="parquet")
            for key in ("bytes", "hash", "dialect", "encoding", "mediatype"):
                res.pop(key, None)
    (folder / "datapackage.json").write_text(json.dumps(desc))


@pytest.mark.parametrize("parts", [1, 3])
def test_a_package_in_parquet_is_valid(tmp_path: Path, parts: int) -> None:
    folder = build("pq", tmp_path, lambda f: parquet_parts(f, parts=parts, first=True))
    assert _errors(folder, "rows") == []


def test_records_that_name_a_row_of_a_later_parquet_part_are_errors(tmp_path: Path) -> None:
    """Frictionless reads only a Parquet resource's first part: a record naming an id
    held only in a later one fails there, so bilat reports it, in every engine."""
    folder = build("pq", tmp_path, lambda f: parquet_parts(f, parts=3))
    errors = _errors(folder, "rows")
    assert errors and {e[0] for e in errors} == {"reference-past-first-part"}
    for engine in ("columnar", "sql"):
        assert _errors(folder, engine) == errors


def test_only_foreign_keys_into_a_later_parquet_part_are_errors(tmp_path: Path) -> None:
    """Frictionless checks only the fields a Table Schema declares as foreign keys (one
    id of one kind): a list field naming a person of a later part (participants) is
    no error, while a single field naming one is, in every engine."""
    import pyarrow.parquet as pq

    from bilat.tables import KIND_OF_RESOURCE, foreign_key_fields

    folder = build("pqpersons", tmp_path, lambda f: parquet_parts(f, "persons", parts=2))
    later = set(pq.read_table(folder / "persons-2.parquet", columns=["id"])["id"].to_pylist())
    with open(folder / "engagements.csv", newline="", encoding="utf-8") as f:
        named = {p for row in csv.DictReader(f) for p in json.loads(row["participants"] or "[]")}
    assert named & later  # a list field names a person only the later part holds
    report = validate(folder, engine="rows", max_per_code=None)
    past = [f for f in report.findings if f.code == "reference-past-first-part"]
    assert past, "a single field names a person of the later part too"
    assert all((KIND_OF_RESOURCE[f.resource], f.field) in foreign_key_fields() for f in past)
    assert not any(f.field == "participants" for f in report.findings if f.severity == "error")
    for engine in ("columnar", "sql"):
        assert _errors(folder, engine) == _errors(folder, "rows")


def test_parquet_rows_are_numbered_in_their_file(tmp_path: Path) -> None:
    def change(folder: Path) -> None:
        path = folder / "engagements.csv"
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        rows[-1][rows[0].index("type")] = "tea_party"
        with open(path, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
        parquet_parts(folder, parts=2)

    folder = build("pqbad", tmp_path, change)
    errors = [e for e in _errors(folder, "rows") if e[0] != "reference-past-first-part"]
    import pyarrow.parquet as pq

    rows = pq.ParquetFile(folder / "engagements-2.parquet").metadata.num_rows
    assert errors == [("constraint-error", "engagements-2.parquet", rows, "type")]


def test_parquet_columns_must_be_the_schemas_strings(tmp_path: Path) -> None:
    import pyarrow as pa

    folder = build("pqint", tmp_path, lambda f: parquet_parts(f, series_number=pa.int64()))
    errors = _errors(folder, "rows")
    assert ("type-error", "engagements-1.parquet", None, "series_number") in errors


def test_fmt_leaves_parquet_parts_as_they_are(tmp_path: Path) -> None:
    from bilat.fmt import plan

    folder = build("pqfmt", tmp_path, lambda f: parquet_parts(f, parts=2, first=True))
    before = {p.name: p.read_bytes() for p in folder.glob("*.parquet")}
    formatted = plan(folder)
    assert formatted.problems == []
    formatted.write()
    assert {p.name: p.read_bytes() for p in folder.glob("*.parquet")} == before
    assert _errors(folder, "rows") == []


def test_load_refuses_a_package_above_its_size_and_points_at_export(tmp_path: Path) -> None:
    import bilat

    folder = build("big", tmp_path, lambda f: parquet_parts(f, parts=2, first=True))
    with pytest.raises(bilat.PackageTooLarge, match="bilat export"):
        bilat.load(folder, max_bytes=1000)
    assert bilat.LOAD_MAX_BYTES == 2 << 30
    import pyarrow.parquet as pq

    rows = sum(pq.ParquetFile(p).metadata.num_rows for p in folder.glob("*.parquet"))
    loaded = bilat.load(folder).records("engagement")  # below the cap: every part, once
    assert rows > 1 and len(loaded) == len({r.id for r in loaded}) == rows


def test_load_counts_the_files_the_package_names_not_the_folder(tmp_path: Path) -> None:
    """A package at a repository's root shares its folder with .git, a virtual
    environment...: bilat.load's cap counts the resources' files, not those."""
    import shutil

    import bilat

    folder = tmp_path / "repo"
    shutil.copytree(ROOT / "datasets" / "india-china", folder)
    (folder / ".git" / "objects").mkdir(parents=True)
    with open(folder / ".git" / "objects" / "pack.pack", "wb") as pack:
        pack.truncate(3 << 30)  # sparse: 3 GB that take no disk
    assert bilat.load(folder).name == "india-china"
    assert bilat.load(folder / "datapackage.json").name == "india-china"
    data = sum(p.stat().st_size for p in folder.glob("*.csv"))
    with pytest.raises(bilat.PackageTooLarge, match=f"{data:,} bytes"):
        bilat.load(folder, max_bytes=data - 1)


def test_export_reads_parquet_parts(tmp_path: Path) -> None:
    import sqlite3
    import subprocess
    import sys

    folder = build("exp", tmp_path, lambda f: parquet_parts(f, parts=2, first=True))
    out = tmp_path / "out.sqlite"
    done = subprocess.run(
        [sys.executable, "-m", "bilat", "export", str(folder), str(out), "--to", "sqlite"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (count,) = sqlite3.connect(out).execute("select count(*) from engagements").fetchone()
    assert count == _rows(folder)


def _rows(folder: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(p).metadata.num_rows for p in folder.glob("*.parquet"))


def _all_parquet(folder: Path) -> bool:
    """Every CSV record table of *folder* as two Parquet parts; False when one does
    not parse as CSV (a mutant of the CSV layer, which Parquet has no room for)."""
    import pyarrow as pa

    try:
        desc = json.loads((folder / "datapackage.json").read_text())
    except (ValueError, OSError):
        return False
    if not isinstance(desc, dict) or not isinstance(desc.get("resources"), list):
        return False
    names = [
        r["name"]
        for r in desc.get("resources", [])
        if isinstance(r, dict) and isinstance(r.get("path"), str) and r["path"].endswith(".csv")
    ]
    try:
        for name in names:
            parquet_parts(folder, name, parts=2)
    except (pa.ArrowException, OSError, KeyError, ValueError, UnicodeDecodeError):
        return False
    return True


@pytest.mark.parametrize("batch", [None, 1], ids=["one-batch", "batches-ahead"])
def test_every_defect_in_parquet_gives_the_row_engines_report_in_every_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int | None
) -> None:
    """Defects of tests/mutants.py whose package still converts to Parquet (two parts
    per table; a seeded dozen of them, to keep the suite fast): the columnar and sql
    engines read the batches in columns and report exactly what the row engine
    reports, rows and omitted counts included. With batches of a row, a part's
    batches are read and checked ahead on other threads (the test counts them)."""
    import random

    from mutants import DEFECTS

    from bilat.validation import structure
    from bilat.validation.engines.columnar import blocks

    ahead = count_ahead(monkeypatch, blocks)
    if batch is not None:
        monkeypatch.setattr(structure, "PARQUET_BATCH", batch)
    picked = random.Random(2612 if batch is None else 1207).sample(sorted(DEFECTS), 12)
    tried = 0
    for name in picked:
        change = DEFECTS[name]
        folder = build(name, tmp_path, change)
        if not _all_parquet(folder):
            continue
        tried += 1
        reports = {e: validate(folder, engine=e, max_per_code=2) for e in ENGINES}
        want = [f.to_dict() for f in reports["rows"].findings]
        for engine in ("columnar", "sql"):
            assert [f.to_dict() for f in reports[engine].findings] == want, (name, engine)
            assert reports[engine].omitted == reports["rows"].omitted, (name, engine)
    assert tried > len(picked) // 2
    # the rows engine reads no batch ahead; the others do once a part has many
    assert (ahead["started"] > 0) == (batch is not None), ahead


def count_ahead(monkeypatch: pytest.MonkeyPatch, blocks: Any) -> dict[str, int]:
    """A count of the times an engine read a Parquet part's batches ahead."""
    seen = {"started": 0}
    start = blocks.ReadAhead.__init__

    def counting(self: Any, *args: Any) -> None:
        seen["started"] += 1
        start(self, *args)

    monkeypatch.setattr(blocks.ReadAhead, "__init__", counting)
    return seen


@pytest.mark.parametrize(
    ("batch", "damaged"),
    [(None, 3), (1, 1), (1, 2), (1, 3)],
    ids=["one-batch", "ahead-first", "ahead-middle", "ahead-last"],
)
def test_a_corrupt_parquet_page_is_a_finding_naming_the_file_and_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int | None, damaged: int
) -> None:
    """A part whose footer reads but one of whose pages is damaged (the first, a
    middle or the last of three): every engine reports that the file cannot be read
    from the first row of the batch that holds it (the whole file in one batch; that
    row in batches of a row, read ahead), not an internal error; and the rows unread
    may hold the ids others name (an agreement names the last engagement), so no
    reference into the table is called dangling."""
    import pyarrow.parquet as pq

    from bilat.validation import structure

    if batch is not None:
        monkeypatch.setattr(structure, "PARQUET_BATCH", batch)
    folder = build("pqcorrupt", tmp_path, lambda f: parquet_parts(f, parts=1))
    part = folder / "engagements-1.parquet"
    table = pq.read_table(part)
    pq.write_table(table, part, row_group_size=1)  # a row group, and pages, a row
    metadata = pq.ParquetFile(part).metadata
    assert metadata.num_row_groups == 3
    page = metadata.row_group(damaged - 1).column(0).data_page_offset
    data = bytearray(part.read_bytes())
    data[page + 2 : page + 12] = bytes(b ^ 0xFF for b in data[page + 2 : page + 12])
    part.write_bytes(bytes(data))
    first = 1 if batch is None else damaged  # the first row of the batch not read
    for engine in ENGINES:
        report = validate(folder, engine=engine, max_per_code=None)
        [finding] = [f for f in report.findings if f.path == "engagements-1.parquet"]
        assert (finding.code, finding.row) == ("parquet-unreadable", first), engine
        assert "'engagements-1.parquet' cannot be read from this row on" in finding.message
        assert "\n" not in finding.message and finding.message.isprintable()
        assert not any(f.code == "internal-error" for f in report.findings), engine
        assert not any(f.code == "dangling-reference" for f in report.findings), engine


def _not_utf8_at(table: Any, name: str, row: int) -> Any:
    """*table* with the first byte of column *name*'s cell at *row* (from 1) made 0xFF."""
    import pyarrow as pa

    column = table.column(name).combine_chunks()
    _valid, offsets, data = column.buffers()
    raw = bytearray(data.to_pybytes())
    start = int.from_bytes(offsets.to_pybytes()[4 * (row - 1) : 4 * row], "little")
    raw[start] = 0xFF
    bad = pa.Array.from_buffers(pa.string(), len(column), [None, offsets, pa.py_buffer(bytes(raw))])
    with pytest.raises(pa.ArrowInvalid):
        bad.validate(full=True)
    return table.set_column(table.schema.get_field_index(name), name, bad)


@pytest.mark.parametrize("batch", [None, 1], ids=["one-batch", "batches-ahead"])
@pytest.mark.parametrize(
    "damaged",
    [[("title", 2)], [("title", 2), ("start", 1)]],
    ids=["one-cell", "a-later-column-an-earlier-row"],
)
def test_a_parquet_string_that_is_not_utf8_is_an_encoding_error_and_reading_goes_on(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    batch: int | None,
    damaged: list[tuple[str, int]],
) -> None:
    """pyarrow reads a Parquet string column without checking its UTF-8: a cell whose
    bytes are not UTF-8 is an encoding-error at its row and field, and reading goes on,
    as after a bad byte in a CSV file: the other cells of its row are checked (row 2's
    type is not a term), and so are the rows after it (row 3's type). Every engine
    gives the row engine's report, not an internal error."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from bilat.validation import structure

    if batch is not None:
        monkeypatch.setattr(structure, "PARQUET_BATCH", batch)
    folder = build("pqutf8", tmp_path, lambda f: parquet_parts(f, parts=1))
    part = folder / "engagements-1.parquet"
    table = pq.read_table(part)
    assert table.schema.names.index("title") < table.schema.names.index("start")
    types = table.column("type").to_pylist()
    assert len(types) == 3
    types[1] = types[2] = "tea_party"
    table = table.set_column(table.schema.get_field_index("type"), "type", pa.array(types))
    for name, row in damaged:
        table = _not_utf8_at(table, name, row)
    pq.write_table(table, part)
    want = {("encoding-error", row, name) for name, row in damaged}
    want |= {("constraint-error", 2, "type"), ("constraint-error", 3, "type")}
    rows = [f.to_dict() for f in validate(folder, engine="rows", max_per_code=None).findings]
    for engine in ENGINES:
        report = validate(folder, engine=engine, max_per_code=None)
        found = [f for f in report.findings if f.path == "engagements-1.parquet"]
        assert {(f.code, f.row, f.field) for f in found} == want, engine
        assert [f.to_dict() for f in report.findings] == rows, engine
    [bad] = [f for f in found if f.code == "encoding-error" and f.field == "title"]
    assert "byte 0xff at character 1 of the cell" in bad.message


def test_a_row_loop_that_stops_early_ends_the_threads_reading_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the row loop stops before a Parquet part's last batch (here, Ctrl-C while
    a flagged row is checked), the thread reading the part ahead and its pool end
    with it, at once: not when the exception, which holds the loop's frame, is let go
    (an internal error, for one, is reported while it is held)."""
    import threading

    from mutants import DEFECTS

    from bilat.validation import records, structure
    from bilat.validation.engines.columnar import blocks

    monkeypatch.setattr(structure, "PARQUET_BATCH", 1)
    ahead = count_ahead(monkeypatch, blocks)
    folder = build("pqstop", tmp_path, DEFECTS["bad_date"])
    parquet_parts(folder, parts=1)
    checker = records.checker

    def failing(plan: Any, emit: Any) -> Any:
        check = checker(plan, emit)

        def each(row: Any) -> Any:
            if plan.kind == "engagement":
                raise KeyboardInterrupt
            return check(row)

        return each

    monkeypatch.setattr(records, "checker", failing)
    before = {t.ident for t in threading.enumerate()}  # another test's, if any
    for engine in ("columnar", "sql"):
        with pytest.raises(KeyboardInterrupt) as caught:
            validate(folder, engine=engine)
        left = [
            t.name
            for t in threading.enumerate()
            if t.name.startswith("bilat-") and t.ident not in before
        ]
        assert caught.tb is not None  # the frames are still held here
        assert left == [], engine
        del caught
    assert ahead["started"] == 2


def test_a_part_of_long_rows_is_read_in_smaller_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch holds fewer rows where rows are long (PARQUET_BATCH_BYTES as the file
    stores them), so that the batches in flight stay that size whatever the cells: a
    part of 400 rows with 2 KB notes, under a 64 KiB cap, is read in batches of about
    30 rows, ahead, and every engine still gives the row engine's report."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from bilat.validation import structure
    from bilat.validation.engines.columnar import blocks

    monkeypatch.setattr(structure, "PARQUET_BATCH_BYTES", 64 << 10)
    ahead = count_ahead(monkeypatch, blocks)
    folder = build("pqlong", tmp_path, lambda f: parquet_parts(f, parts=1))
    part = folder / "engagements-1.parquet"
    table = pq.read_table(part)
    rows = table.take([i % table.num_rows for i in range(400)])
    ids = pa.array([f"e-{i}" for i in range(400)])
    notes = pa.array([f"{i} " + "x" * 2000 for i in range(400)])
    rows = rows.set_column(rows.schema.get_field_index("id"), "id", ids)
    rows = rows.set_column(rows.schema.get_field_index("notes"), "notes", notes)
    pq.write_table(rows, part, compression="none")
    size = structure.parquet_batch_rows(pq.ParquetFile(part))
    assert 10 < size < 60, size
    found = {e: _errors(folder, e) for e in ENGINES}
    assert found["rows"] == found["columnar"] == found["sql"]
    assert ahead["started"] == 2  # the columnar and sql engines, once each


def _long_values(file: Path, short: int, long: int, length: int) -> None:
    """A Parquet file of *short* rows of short values, then *long* rows of one value
    of *length* characters, which the file stores once, in a dictionary."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    values = [f"v{i}" for i in range(short)] + ["x" * length] * long
    table = pa.table({"id": [f"r-{i}" for i in range(short + long)], "text": values})
    pq.write_table(table, file, row_group_size=short + long)


def test_parquet_batches_fit_the_size_their_rows_take_once_read(tmp_path: Path) -> None:
    """A Parquet file may store a long value once, for any number of rows: 20,000 rows
    of a 5,000-character value are 100 MB read, from a file of kilobytes. The first
    PARQUET_PROBE_ROWS rows are read alone, and the rest of the first batch at the
    size they took (one batch); each next batch of as many rows as fit the budget at
    the size the rows before took: every batch holds the budget, every row is read
    once, in order."""
    import pyarrow.parquet as pq

    from bilat.files import PARQUET_PROBE_ROWS, parquet_batches

    file = tmp_path / "long.parquet"
    _long_values(file, 0, 20_000, 5_000)
    assert file.stat().st_size < 200_000
    budget = 1 << 20
    batches = list(parquet_batches(pq.ParquetFile(file), 65536, budget=budget))
    sizes = [b.num_rows for b in batches]
    assert all(b.nbytes <= budget for b in batches), [b.nbytes for b in batches]
    assert PARQUET_PROBE_ROWS < sizes[0] and 150 < max(sizes) <= budget // 5_000
    assert sum(sizes) == 20_000
    ids = [i for b in batches for i in b.column("id").to_pylist()]
    assert ids == [f"r-{i}" for i in range(20_000)]
    # only the columns asked for, and never more rows than asked for
    batches = list(parquet_batches(pq.ParquetFile(file), 100, columns=["id"], budget=budget))
    assert {b.num_columns for b in batches} == {1}
    assert max(b.num_rows for b in batches) == 100
    assert [i for b in batches for i in b.column("id").to_pylist()] == ids
    batches = list(parquet_batches(pq.ParquetFile(file), 8192, columns=[], budget=budget))
    assert [b.num_rows for b in batches] == [8192, 8192, 3616]
    # rows of 200 KB: the probe's rows are read alone (3.2 MB), then 5 at a time
    _long_values(file, 0, 100, 200_000)
    batches = list(parquet_batches(pq.ParquetFile(file), 65536, budget=budget))
    assert [b.num_rows for b in batches] == [PARQUET_PROBE_ROWS] + [5] * 16 + [4]


def test_parquet_batches_follow_rows_that_grow_long(tmp_path: Path) -> None:
    """Rows that grow long after short ones are read at the size fitted to the short
    rows (what is not known cannot be fitted: the bound is that batch's rows times the
    longest), and so may the batch after, fitted to the rows of a batch mostly short;
    from the next on, every batch fits the budget again."""
    import pyarrow.parquet as pq

    from bilat.files import parquet_batches

    file = tmp_path / "grow.parquet"
    _long_values(file, 20_000, 10_000, 2_000)
    budget = 1 << 20
    batches = list(parquet_batches(pq.ParquetFile(file), 8192, budget=budget))
    first_long = next(i for i, b in enumerate(batches) if b.nbytes > 2 * budget)
    assert batches[first_long].num_rows == 8192  # fitted to the short rows
    assert all(b.nbytes <= budget for b in batches[first_long + 2 :])
    assert len(batches) > first_long + 4
    assert sum(b.num_rows for b in batches) == 30_000


def test_a_small_parquet_part_of_long_repeated_values_is_read_in_bounded_memory(
    tmp_path: Path,
) -> None:
    """A part of 20,000 rows whose notes are one 19,000-character value, stored once
    (a file of under a megabyte, 380 MB of text once read; ``bench/hostile.py``'s
    case), is validated by every engine in a fraction of that: before, a batch of
    20,000 such rows was read at once (1.2 GB at the peak). The engines run in a
    process of their own, which reports its peak."""
    import subprocess

    import hostile

    folder = hostile.package(tmp_path, "pqbomb")
    assert hostile.parquet_dictionary(folder, 20_000, 19_000) < 1_000_000
    # the peak of the process's own memory (VmHWM: ru_maxrss would count this one's,
    # which it replaced), over the three engines in turn
    script = (
        "import re, sys\n"
        "from pathlib import Path\n"
        "from bilat.validation import validate\n"
        "for engine in sys.argv[2:]:\n"
        "    report = validate(sys.argv[1], engine=engine, max_per_code=None)\n"
        "    print(engine, *sorted({f.code for f in report.findings}))\n"
        "status = Path('/proc/self/status').read_text()\n"
        "print(re.search(r'VmHWM:\\s*(\\d+)', status).group(1))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder), *ENGINES],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    *reports, peak_kib = done.stdout.splitlines()
    assert int(peak_kib) < 700 << 10, peak_kib
    assert [r.split()[0] for r in reports] == list(ENGINES)
    assert all("internal-error" not in r for r in reports), reports


def test_three_hundred_parts_keep_their_own_rows_and_names(tmp_path: Path) -> None:
    """Each part counts as a record file in the keys of layer 4 (16 bits of them): 300
    parts, an id of the first part taken again in the last, is one duplicate named by
    the last part and its line, in every engine."""

    def cut(folder: Path) -> None:
        path = folder / "persons.csv"
        header, first, *rest = path.read_bytes().splitlines(keepends=True)
        names = [f"persons-{i:03d}.csv" for i in range(300)]
        for i, name in enumerate(names):
            body = first if i == 0 else (first if i == 299 else b"")
            (folder / name).write_bytes(header + body + (b"".join(rest) if i == 1 else b""))
        path.unlink()
        desc = json.loads((folder / "datapackage.json").read_text())
        for res in desc["resources"]:
            if res["name"] == "persons":
                res["path"] = names
                res.pop("bytes", None)
                res.pop("hash", None)
        (folder / "datapackage.json").write_text(json.dumps(desc))

    folder = build("many", tmp_path, cut)
    found = {e: _errors(folder, e) for e in ENGINES}
    assert found["rows"] == found["columnar"] == found["sql"]
    assert found["rows"] == [("duplicate-id", "persons-299.csv", 2, "id")]


def test_the_text_report_names_the_part_of_each_finding(tmp_path: Path) -> None:
    """Rows are numbered in each part, so the report printed for people names the
    part beside the row when a resource's findings lie in more than one file."""
    from typer.testing import CliRunner

    from bilat.cli import app

    folder = build("dup2", tmp_path, lambda f: None)
    first = (folder / "engagements.csv").read_bytes().splitlines(keepends=True)[1]
    _split(folder, extra=first + first.replace(b"held", b"tea_party", 1))
    out = CliRunner().invoke(app, ["validate", str(folder)], terminal_width=400).output
    lines = (folder / "engagements-2.csv").read_bytes().count(b"\n")
    assert f"engagements-2.csv, row {lines - 1}, id:" in out
    assert "constraint-error engagements-2.csv, row" in out


def test_a_parquet_footer_longer_than_the_cap_is_refused_before_pyarrow_reads_it(
    tmp_path: Path,
) -> None:
    """A valid part whose footer (here, its metadata) is longer than bilat reads:
    pyarrow would open it; layer 2 and auto's row count refuse it unread."""
    import pyarrow.parquet as pq

    from bilat.files import MAX_PARQUET_FOOTER
    from bilat.validation.engines import estimated_rows

    folder = build("pqfooter", tmp_path, lambda f: parquet_parts(f, parts=2))
    part = folder / "engagements-2.parquet"
    table = pq.read_table(part)
    padding = {"padding": "x" * (MAX_PARQUET_FOOTER + 1)}
    pq.write_table(table.replace_schema_metadata(padding), part)
    with open(part, "rb") as f:  # the footer's length: the last 8 bytes are it and PAR1
        f.seek(-8, 2)
        claimed = int.from_bytes(f.read(4), "little")
    assert claimed > MAX_PARQUET_FOOTER
    assert pq.ParquetFile(part).metadata.num_rows == table.num_rows  # a Parquet file
    assert estimated_rows([("parquet", part)]) == 0
    first = folder / "engagements-1.parquet"
    assert estimated_rows([("parquet", first)]) == pq.ParquetFile(first).metadata.num_rows
    report = validate(folder, engine="rows")
    [finding] = [f for f in report.findings if f.path == "engagements-2.parquet"]
    assert finding.code == "file-too-large"
    assert f"claims {claimed:,} bytes, more than the {MAX_PARQUET_FOOTER:,}" in finding.message


def test_batches_read_ahead_come_in_order_and_an_error_where_it_was_raised() -> None:
    """The reading thread of a Parquet part (``blocks.ReadAhead``) hands its items over in
    order, each with what the pool made of it; an error of the reader comes after the
    items read before it, and one of the pool's with its own item."""
    from bilat.validation.engines.columnar.blocks import ReadAhead

    def items() -> Any:
        yield from range(7)
        raise OSError("page 8 is corrupt")

    ahead = ReadAhead(items(), lambda x: x * 10)
    got = []
    with pytest.raises(OSError, match="page 8 is corrupt"):
        for value, made in ahead:
            got.append((value, made))
    ahead.close()
    assert got == [(i, i * 10) for i in range(7)]

    def prepare(x: int) -> int:
        if x == 3:
            raise ValueError("a check failed")
        return x

    ahead = ReadAhead(iter(range(6)), prepare)
    got = []
    with pytest.raises(ValueError, match="a check failed"):
        for _value, made in ahead:
            got.append(made)
    ahead.close()
    assert got == [0, 1, 2]


def test_batches_read_ahead_stop_when_their_reader_is_left() -> None:
    """A caller that stops reading (the row engine stopped, an error above) closes the
    reader: its thread ends though the items would never end, and nothing is left
    running."""
    import itertools
    import threading

    from bilat.validation.engines.columnar.blocks import ReadAhead

    before = {t.ident for t in threading.enumerate()}
    ahead = ReadAhead(itertools.count(), lambda x: x)
    for value, _made in ahead:
        if value == 3:
            break
    ahead.close()
    left = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    assert left == []
