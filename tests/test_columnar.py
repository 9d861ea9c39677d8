"""The columnar engine against the row engine, which stays the reference.

* The law of the fast path: a row no column check and no record rule flags is a row
  the model accepts, so no defect slips through unchecked (hypothesis, every kind).
* Differential: on the base package with every defect of ``tests/mutants.py``, on the
  fuzzer's mutants, and on generated engagement tables, both engines give the same
  report, finding for finding. Blocks are made tiny so that every package is read in
  many blocks, fast ones and refused ones, with flagged rows in between.
* The engine is chosen as documented, and ``--engine columnar`` without pyarrow is a
  usage error (exit 2).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutants import DEFECTS, VALID, build
from pydantic import ConfigDict, TypeAdapter, ValidationError

import bilat.validation.engines.columnar.blocks as columnar
from bilat.limits import Limits
from bilat.models import RECORD_TYPES
from bilat.tables import columns
from bilat.validation import validate
from bilat.validation.cells import CellProblem, format_cell, parser
from bilat.validation.engines.columnar.columns import checks

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import fuzz

#: The engine held against the row engine (the columnar one, or the sql one, which
#: reads blocks the same way and flags their rows in SQL).
ENGINE = "columnar"


@pytest.fixture(
    params=[
        pytest.param((True, "columnar"), id="threaded"),
        pytest.param((False, "columnar"), id="inline"),
        pytest.param((True, "sql"), id="sql", marks=pytest.mark.scale),
    ],
)
def small_blocks(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> dict[str, int]:
    """Tiny blocks, read on a second thread or not, by the columnar or the sql engine,
    and a count of the blocks the fast path took and refused."""
    threaded, engine = request.param
    monkeypatch.setattr(columnar, "THREADED", threaded)
    monkeypatch.setattr(sys.modules[__name__], "ENGINE", engine)
    # the sql engine's blocks are larger (each costs a few queries); the block reader
    # is the columnar engine's, whose tiny blocks test its boundaries
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 700 if engine == "columnar" else 4000)
    monkeypatch.setattr(columnar, "FIRST_BLOCK_BYTES", 200)
    seen = {"taken": 0, "refused": 0, "flagged": 0}
    block = columnar.Fast.block

    def counting(self: columnar.Fast, *args: Any) -> Any:
        out = block(self, *args)
        if out is None:
            seen["refused"] += 1
        else:
            seen["taken"] += 1
            seen["flagged"] += len(out[0])
        return out

    monkeypatch.setattr(columnar.Fast, "block", counting)
    return seen


#: The row engine's report on each package read here, by the package's bytes: each
#: engine of ``small_blocks`` is held against the same packages (the defects, the
#: fuzzer's mutants and the generated tables are built alike for each), which the row
#: engine, untouched by the fixture, so reads once.
_ROW_REPORTS: dict[str, tuple[int, list[dict[str, Any]]]] = {}


def _content(folder: Path) -> str:
    """A hash of every file and folder of the package in *folder* and of its sibling
    ``outside/`` (what a package may point at), by path."""
    digest = hashlib.sha256()
    for base in (folder, folder.parent / "outside"):
        for path in sorted(base.rglob("*")):
            digest.update(path.relative_to(base.parent).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() if path.is_file() else b"<folder>")
            digest.update(b"\0")
    return digest.hexdigest()


def _reports(folder: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    key = _content(folder)
    if key not in _ROW_REPORTS:
        rows = validate(folder, engine="rows", max_per_code=None)
        found = [f.to_dict() for f in rows.findings]
        if str(folder.parent) in json.dumps(found):
            return _fresh(folder, rows.omitted, found)  # names its folder: not kept
        _ROW_REPORTS[key] = (rows.omitted, found)
    omitted, found = _ROW_REPORTS[key]
    return _fresh(folder, omitted, found)


def _fresh(
    folder: Path, omitted: int, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    cols = validate(folder, engine=ENGINE, max_per_code=None)
    assert omitted == cols.omitted
    return rows, [f.to_dict() for f in cols.findings]


# -- the law of the fast path --------------------------------------------------------

#: Cells that stress each kind of check: near-misses of ids, names and dates,
#: whitespace and control characters, non-ASCII text, broken and odd JSON arrays.
TRICKY = [
    "",
    " ",
    "a",
    "A",
    "a b",
    " a",
    "a ",
    "a\u00a0",
    "\u00a0a",
    "a\u2003",
    "a\x0b",
    "a\tb",
    "a\nb",
    "a\x7f",
    "a\x85",
    "é",
    "ид",
    "a--b",
    "a-",
    "-a",
    "a.b",
    "a_b",
    "x" * 128,
    "x" * 129,
    "x" * 501,
    "2024",
    "2024-02-29",
    "2023-02-29",
    "2024-13",
    "0000",
    "24",
    "1",
    "0",
    "-1",
    "1.5",
    "1e400",
    "nan",
    "[]",
    '[""]',
    '["a"]',
    '["a","b"]',
    '["a", "b"]',
    '["A"]',
    '["a",]',
    '["a"',
    '["a","a"]',
    '["' + "x" * 128 + '"]',
    '["' + "x" * 129 + '"]',
    '["a\\u0062"]',
    '["trade"]',
    '["conflict","trade"]',
    "held",
    "meeting",
    "IND",
    "ind",
    "https://example.org/a b",
    "https://example.org/a",
    "Q1",
    "Q0",
    "en",
]
_TRICKY = st.sampled_from(TRICKY)


def _cells(kind: str) -> st.SearchStrategy[dict[str, str]]:
    """Rows of *kind*: each cell a tricky value, free text, or a valid row's value."""
    base = valid_rows(kind)
    names = [c.name for c in columns(kind)]
    cell = st.one_of(_TRICKY, st.text(max_size=12), st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True))

    @st.composite
    def build_row(draw: st.DrawFn) -> dict[str, str]:
        row = dict(draw(st.sampled_from(base)))
        for name in draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
            row[name] = draw(cell)
        return row

    return build_row()


def valid_rows(kind: str) -> list[dict[str, str]]:
    """The valid base package's rows of *kind*."""
    from bilat.tables import RESOURCE_NAMES

    if kind in NOT_IN_VALID:
        return [dict(row) for row in NOT_IN_VALID[kind]]
    path = VALID / f"{RESOURCE_NAMES[kind]}.csv"
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


#: Valid rows of the kinds the valid base package cannot hold: a link names a curated
#: package that validation opens (bilat link writes links into an events package).
NOT_IN_VALID: dict[str, list[dict[str, str]]] = {
    "link": [
        {
            "id": "icews-1-2018-06-01.kremlin",
            "notes": "",
            "event": "icews-1-2018-06-01",
            "record": "kremlin",
            "status": "accepted",
            "score": "0.81",
            "reasons": '["actors: jaishankar (ind) and rus"]',
            "decided_by": "a curator",
            "decided_on": "2026-12-06",
        }
    ]
}


def model_accepts(kind: str, row: dict[str, str]) -> bool:
    data: dict[str, Any] = {}
    for col in columns(kind):
        raw = row[col.name]
        if raw == "":
            continue
        parse = parser(col)
        try:
            data[col.name] = parse(raw) if parse else raw
        except CellProblem:
            return False
    try:
        RECORD_TYPES[kind].model_validate(data)
    except ValueError:
        return False
    return True


KINDS_WITH_CSV = sorted(RECORD_TYPES)  # every kind has valid rows (valid_rows)


@pytest.mark.parametrize("kind", KINDS_WITH_CSV)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_row_the_checks_pass_is_a_row_the_model_accepts(kind: str, data: st.DataObject) -> None:
    rows = data.draw(st.lists(_cells(kind), min_size=1, max_size=6))
    names = [c.name for c in columns(kind)]
    cols = {n: pa.array([r[n] for r in rows], pa.string()) for n in names}
    flags = columnar.flag_rows(kind, cols)
    flagged = [False] * len(rows) if flags is None else flags.to_pylist()
    for row, flag in zip(rows, flagged, strict=True):
        if not flag:
            assert model_accepts(kind, row), row


@cache
def _field_adapter(kind: str, name: str) -> TypeAdapter[Any]:
    """The model's own validator of field *name* (built once per field: building one
    costs far more than a validation)."""
    info = RECORD_TYPES[kind].model_fields[name]
    return TypeAdapter(
        info.rebuild_annotation(), config=ConfigDict(strict=True, allow_inf_nan=False)
    )


def _field_accepts(kind: str, name: str, raw: str) -> bool:
    """The oracle: the model's own field validator, after the layer-2 cell parser."""
    adapter = _field_adapter(kind, name)
    col = next(c for c in columns(kind) if c.name == name)
    parse = parser(col)
    try:
        adapter.validate_python(parse(raw) if parse else raw)
    except (CellProblem, ValidationError):
        return False
    return True


def _passed(kind: str, values: list[str]) -> list[tuple[str, str]]:
    """(field, value) pairs the column checks of *kind* let through, empty cells aside."""
    out = []
    for check in checks(kind):
        for few in (False, True):  # both ways a column may be checked
            flags = check.flag(pa.array(values, pa.string()), few=few)
            flagged = [False] * len(values) if flags is None else flags.to_pylist()
            out += [(check.name, v) for v, f in zip(values, flagged, strict=True) if not f and v]
    return out


@pytest.mark.parametrize("kind", sorted(RECORD_TYPES))
def test_every_tricky_cell_a_check_passes_the_field_accepts(kind: str) -> None:
    values = TRICKY + [v + "\u00a0" for v in TRICKY] + ["\u2028" + v for v in TRICKY]
    wrong = [(n, v) for n, v in _passed(kind, values) if not _field_accepts(kind, n, v)]
    assert wrong == []


@pytest.mark.parametrize("kind", sorted(RECORD_TYPES))
@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            _TRICKY,
            st.text(max_size=20),
            st.text(alphabet=st.characters(max_codepoint=0x3000), max_size=8),
            st.from_regex(r"[a-z0-9. _-]{1,10}", fullmatch=True),
            st.lists(st.from_regex(r"[a-z0-9._-]{0,6}", fullmatch=True), max_size=3).map(
                lambda xs: json.dumps(xs, separators=(",", ":"))
            ),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_a_cell_a_check_passes_is_one_the_field_accepts(kind: str, values: list[str]) -> None:
    wrong = [(n, v) for n, v in _passed(kind, values) if not _field_accepts(kind, n, v)]
    assert wrong == []


def test_the_checks_are_not_all_exact() -> None:
    """The fast checks exist: ids, names and lists of ids are matched in C."""
    modes = {c.name: c.mode for c in checks("engagement")}
    assert modes["id"] == modes["title"] == "string"
    assert modes["participants"] == "idlist"
    assert modes["start"] == modes["type"] == "exact"


# -- differential: the same report ------------------------------------------------------


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_every_defect_gives_the_same_report(
    defect: str, tmp_path: Path, small_blocks: dict[str, int]
) -> None:
    folder = build(defect, tmp_path)
    rows, cols = _reports(folder)
    assert cols == rows


def test_the_valid_package_is_read_in_columns(tmp_path: Path, small_blocks: dict[str, int]) -> None:
    folder = build("valid", tmp_path, lambda _f: None)
    rows, cols = _reports(folder)
    assert rows == cols == []
    assert small_blocks["taken"] > 5  # the fast path ran, over many blocks


@given(
    lines=st.lists(
        st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"") + b"\n"), max_size=80
    ),
    last=st.binary(max_size=10).map(lambda b: b.replace(b"\n", b"")),
    data=st.data(),
    stride=st.sampled_from([1, 7, 64, columnar._STRIDE]),
)
def test_lines_at_finds_each_wanted_line(
    lines: list[bytes], last: bytes, data: st.DataObject, stride: int
) -> None:
    """The lines a block's flagged rows start on, found by counting line breaks per
    stride of bytes, are its lines split one by one (the last may lack its break)."""
    block = b"".join(lines) + last
    every = [line + b"\n" for line in block.split(b"\n")]  # a CR is not a break here
    every[-1] = every[-1][:-1]
    every = every if every[-1] else every[:-1]
    wanted = data.draw(st.lists(st.integers(0, max(len(every) - 1, 0)), unique=True).map(sorted))
    wanted = [i for i in wanted if i < len(every)]
    saved = columnar._STRIDE
    columnar._STRIDE = stride
    try:
        assert columnar._lines_at(block, wanted) == [every[i] for i in wanted]
    finally:
        columnar._STRIDE = saved


def test_a_table_of_one_block_is_read_without_a_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The blocks after the first are read on a thread, which a table that ends in
    its first block does without; the report is the row engine's either way."""
    started: list[int] = []
    start = columnar.BlockText._start

    def counting(self: columnar.BlockText) -> None:
        started.append(self._next_line)
        start(self)

    monkeypatch.setattr(columnar.BlockText, "_start", counting)
    monkeypatch.setattr(columnar, "THREADED", True)
    folder = build("bad_date", tmp_path)  # the valid package's tables, each one block
    rows = validate(folder, engine="rows", max_per_code=None)
    cols = validate(folder, engine="columnar", max_per_code=None)
    assert [f.to_dict() for f in cols.findings] == [f.to_dict() for f in rows.findings] != []
    assert started == []
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 100)  # most tables are larger
    monkeypatch.setattr(columnar, "FIRST_BLOCK_BYTES", 200)
    cols = validate(folder, engine="columnar", max_per_code=None)
    assert [f.to_dict() for f in cols.findings] == [f.to_dict() for f in rows.findings]
    # once a table, after its first block (from line 2) was read on this thread
    assert len(started) > 5 and set(started) == {2}


def test_fuzz_mutants_give_the_same_report(tmp_path: Path, small_blocks: dict[str, int]) -> None:
    rng = random.Random(20261127)
    differ = []
    # each block costs the sql engine a few queries: half as many mutants for it
    for i in range(60 if ENGINE == "columnar" else 30):
        folder = tmp_path / f"m{i}"
        kind = fuzz.mutant(folder, rng)
        rows, cols = _reports(folder)
        if rows != cols:
            differ.append(
                (
                    kind,
                    [r for r in rows if r not in cols][:2],
                    [c for c in cols if c not in rows][:2],
                )
            )
    assert differ == []
    assert small_blocks["taken"] > 50 and small_blocks["refused"] > 0


def _undeclare_sizes(folder: Path) -> None:
    """Drop the declared bytes and hash (the edits change the files)."""
    desc = json.loads((folder / "datapackage.json").read_text())
    for res in desc["resources"]:
        res.pop("bytes", None)
        res.pop("hash", None)
    (folder / "datapackage.json").write_text(json.dumps(desc))


def _engagement_table(rows: list[dict[str, str]]) -> str:
    names = [c.name for c in columns("engagement")]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([row.get(n, "") for n in names])
    return out.getvalue()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_engagements_give_the_same_report(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory, small_blocks: dict[str, int]
) -> None:
    """Many engagements with defects of every layer: bad cells, duplicate and
    dangling ids, wrong kinds, parents and capacities out of range, odd bytes."""
    base = valid_rows("engagement")
    ids = ["e" + str(i) for i in range(40)] + ["putin", "ind", "kremlin", "t-putin", "nobody"]
    rows = []
    for i in range(data.draw(st.integers(5, 60))):
        row = dict(data.draw(st.sampled_from(base)))
        row["id"] = data.draw(st.sampled_from(ids[:40]), label="id") if i % 7 == 0 else f"g{i}"
        if data.draw(st.booleans()):
            row["part_of"] = data.draw(st.sampled_from(["", *ids]))
        if data.draw(st.booleans()):
            row["participants"] = format_cell(
                data.draw(st.lists(st.sampled_from(ids), min_size=0, max_size=3))
            )
        if data.draw(st.booleans()):
            name = data.draw(st.sampled_from([c.name for c in columns("engagement")]))
            row[name] = data.draw(st.one_of(_TRICKY, st.text(max_size=6)))
        rows.append(row)
    text = _engagement_table(rows)
    if data.draw(st.booleans()):  # a raw edit: a quote, a blank line, a bad byte, a CR
        at = data.draw(st.integers(0, len(text)))
        text = (
            text[:at]
            + data.draw(st.sampled_from(['"', "\n", "\r", "\n\n", ",", "\udcff"]))
            + text[at:]
        )
    folder = build("gen", tmp_path_factory.mktemp("gen"), lambda _f: None)
    (folder / "engagements.csv").write_bytes(text.encode("utf-8", "surrogateescape"))
    _undeclare_sizes(folder)
    rows_report, cols_report = _reports(folder)
    assert cols_report == rows_report


# -- choosing the engine ---------------------------------------------------------------


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine must be one of"):
        validate(VALID, engine="fast")


def test_columnar_without_pyarrow_is_a_usage_error() -> None:
    code = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "from bilat.cli import main\n"
        "sys.argv = ['bilat', 'validate', '--engine', 'columnar', sys.argv[1]]\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(VALID)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert "pyarrow" in done.stderr
    assert "Traceback" not in done.stderr
    rows = subprocess.run(
        [sys.executable, "-c", code.replace("'columnar'", "'rows'"), str(VALID)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rows.returncode == 0, rows.stdout + rows.stderr


@pytest.mark.scale
def test_sql_without_duckdb_is_a_usage_error() -> None:
    code = (
        "import sys; sys.modules['duckdb'] = None\n"
        "from bilat.cli import main\n"
        "sys.argv = ['bilat', 'validate', '--engine', 'sql', sys.argv[1]]\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(VALID)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert "the sql engine needs duckdb and sqlglot" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.scale
def test_the_sql_engine_runs_from_the_command_line() -> None:
    env = {**os.environ, "BILAT_ENGINE": "sql"}
    done = subprocess.run(
        [sys.executable, "-m", "bilat", "validate", str(VALID)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _crlf(folder: Path) -> None:
    for path in folder.glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


def _long_note(folder: Path) -> None:
    path = folder / "engagements.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = next(csv.reader([lines[1]]))
    cells[1] = "word " * 2000 + "end"  # a notes cell longer than a block
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    lines[1] = out.getvalue()
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize("change", [_crlf, _long_note], ids=["crlf", "cell-longer-than-a-block"])
def test_line_ends_and_long_cells_give_the_same_report(
    change: Any, tmp_path: Path, small_blocks: dict[str, int]
) -> None:
    folder = build("edit", tmp_path, change)
    _undeclare_sizes(folder)
    rows, cols = _reports(folder)
    assert cols == rows
    assert small_blocks["taken"] > 0


@pytest.mark.parametrize("pinned", [True, False], ids=["dialect-pinned", "dialect-guessed"])
def test_a_too_long_line_is_reported_where_it_starts_by_both(
    pinned: bool, tmp_path: Path, small_blocks: dict[str, int]
) -> None:
    """A line past the row cap, in the dialect sample or after it: one row-too-large
    on the line it starts on (physical line 3), the same from both engines."""

    def change(folder: Path) -> None:
        path = folder / "engagements.csv"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        lines.insert(2, "x" * 5000 + "\n")
        path.write_text("".join(lines), encoding="utf-8")
        desc = json.loads((folder / "datapackage.json").read_text())
        for res in desc["resources"]:
            res.pop("bytes", None)
            res.pop("hash", None)
            if res["name"] == "engagements" and not pinned:
                res.pop("dialect", None)
        (folder / "datapackage.json").write_text(json.dumps(desc))

    folder = build("long", tmp_path, change)
    limits = Limits(max_row=3000)
    rows = validate(folder, engine="rows", limits=limits, max_per_code=None)
    cols = validate(folder, engine=ENGINE, limits=limits, max_per_code=None)
    assert [f.to_dict() for f in cols.findings] == [f.to_dict() for f in rows.findings]
    (too_large,) = [f for f in rows.findings if f.code == "row-too-large"]
    assert (too_large.resource, too_large.row) == ("engagements", 3)


# -- the sql engine's checks over-flag, never under-flag ----------------------------------

#: Unicode that RE2 and Python's regex read differently: spaces, digits and letters
#: outside ASCII (``\s``, ``\d``, ``\w`` and case folding disagree on them).
UNICODE = [
    "\u00a0",
    "\u2003",
    "\u3000",
    "\u2028",
    "\u0085",
    "\u0663",
    "\U0001d7d9",
    "\u00e9",
    "\u00df",
    "\u01c5",
    "\u212a",
    "\u0131",
    "\u0130",
]


@pytest.mark.scale
@pytest.mark.parametrize("kind", KINDS_WITH_CSV)
def test_a_row_the_sql_checks_pass_is_a_row_the_model_accepts(kind: str) -> None:
    """Every patterned (and every other) field, with Unicode spaces, digits and
    letters around and inside valid and tricky values: no row the model refuses is
    left unflagged by the compiled SQL."""
    from bilat.validation.engines.sql.compile import flag_rows as sql_flags

    base = valid_rows(kind)[0]
    names = [c.name for c in columns(kind)]
    rows = [base]
    for name in names:
        seeds = [base[name], "a", "ab-c", '["a"]', "2024", *TRICKY[:12]]
        for seed in seeds:
            for u in UNICODE:
                for value in (seed + u, u + seed, seed[:1] + u + seed[1:], u):
                    rows.append({**base, name: value})
    cols = {n: pa.array([r[n] for r in rows], pa.string()) for n in names}
    flagged = sql_flags(kind, cols).to_pylist()
    wrong = [r for r, f in zip(rows, flagged, strict=True) if not f and not model_accepts(kind, r)]
    assert wrong == []
    assert flagged[0] is False  # the valid row is not flagged


@pytest.mark.scale
def test_the_sql_checks_are_compiled_by_sqlglot() -> None:
    from bilat.validation.engines.sql.compile import compiled

    done = compiled("engagement")
    sql = done.query({}).sql("duckdb")
    assert 'REGEXP_MATCHES("id"' in sql and 'STRLEN("title") = LENGTH("title")' in sql
    assert [c.name for c in done.exact][:3] == ["type", "status", "start"]
