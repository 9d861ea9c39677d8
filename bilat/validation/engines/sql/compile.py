"""The sql engine: the columnar engine's checks, compiled into SQL and run on DuckDB.

Source of the checks: the column checks of :mod:`bilat.validation.engines.columnar.columns`
(themselves compiled from the record models) and the models' record rules. From them,
:func:`compiled` builds once per record type, with sqlglot (no SQL text is put
together by hand), one query that flags the rows of a block:

* a patterned column (ids, names, URLs, lists of ids): the cell is empty, or it is
  ASCII, matches the pattern (RE2) and has the allowed length; any other cell flags
  its row. RE2 and pydantic's regex differ outside ASCII (``\\s``, ``\\d``, letters),
  so non-ASCII cells are always flagged: the query over-flags, it never under-flags;
* every other column (vocabularies, code lists, partial dates and their leap years,
  numbers, other lists): the block's distinct values (taken by Arrow, on the block in
  memory; Spark takes them with ``SELECT DISTINCT``) are each judged once by the
  field's own validator, and the rows holding a refused value are flagged by a
  semi-join on the table of refused values;
* a record rule: the distinct combinations of the cells it reads are judged once by
  the rule, and rows holding a broken combination are flagged by a semi-join.

Flagged rows go to the row engine, which decides and reports; the rest of the block
(ids, references, layer 5) is the columnar engine's (:class:`~.columnar.blocks.Fast`).
So the findings are the row engine's by construction, as ``tests/test_columnar.py``
checks for both engines.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from bilat.cachedir import ClaimedFolder, cache_root, host_name
from bilat.models import RECORD_TYPES
from bilat.validation.engines.columnar.blocks import Fast
from bilat.validation.engines.columnar.columns import ColumnCheck, checks, rule_holds
from bilat.validation.records import INVALID

#: DuckDB's memory limit (``BILAT_SQL_MEMORY`` overrides it); past it, DuckDB spills
#: to a folder under the cache dir.
MEMORY_LIMIT = "2GiB"
DIALECT = "duckdb"
_BLOCK = "blk"
_LOCK = threading.Lock()
_DB: list[duckdb.DuckDBPyConnection] = []
_FOLDER_LOCK = threading.Lock()
_FOLDER: list[ClaimedFolder] = []
#: the process that registered the exit handler (a forked child is another)
_EXIT: list[int] = []
#: the folder DuckDB spills to
_TEMP: list[Path] = []


def spill_folder() -> Path:
    """Where DuckDB spills past its memory limit, and the sql engine writes what it
    keeps of layer 4: a folder of this process's own under the cache dir
    (``duckdb-spill/run-<host>-*``), removed at exit, or by the next process of this
    host that makes one if this one is killed first
    (:class:`~bilat.cachedir.ClaimedFolder`). Made again when it was removed, or when
    the cache dir changed, since the last call."""
    with _FOLDER_LOCK:
        parent = cache_root() / "duckdb-spill"
        if _FOLDER and (_FOLDER[0].path.parent != parent or not _FOLDER[0].path.is_dir()):
            _FOLDER.pop().remove()
        if not _FOLDER:
            _FOLDER.append(ClaimedFolder(parent, f"run-{host_name()}-"))
            if not _EXIT:
                atexit.register(_remove_spill_folder)
                _EXIT.append(os.getpid())
        return _FOLDER[0].path


def _remove_spill_folder() -> None:
    """At exit: DuckDB closed (it removes its own files), then the folder. A forked
    child leaves both to its parent (closing a DuckDB it inherited breaks the
    parent's)."""
    if _EXIT and os.getpid() != _EXIT[0]:
        return
    with _LOCK:
        for db in _DB:
            with contextlib.suppress(duckdb.Error):
                db.close()
        _DB.clear()
    with _FOLDER_LOCK:
        for folder in _FOLDER:
            folder.remove()


def _set_temp_directory(db: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Point DuckDB's spill at *folder* (the spill folder was made again)."""
    setting = exp.EQ(this=exp.column("temp_directory"), expression=exp.Literal.string(str(folder)))
    db.execute(exp.Set(expressions=[exp.SetItem(this=setting)]).sql(DIALECT))


def connection() -> duckdb.DuckDBPyConnection:
    """The process's DuckDB database (in memory), made on first use: a memory limit,
    a spill folder under the cache dir, and a thread per core."""
    with _LOCK:
        spill = spill_folder()
        if not _DB:
            config: dict[str, str | bool | int | float | list[str]] = {
                "memory_limit": os.environ.get("BILAT_SQL_MEMORY") or MEMORY_LIMIT,
                "threads": os.cpu_count() or 1,
                "temp_directory": str(spill),
                "preserve_insertion_order": True,
            }
            _DB.append(duckdb.connect(":memory:", config=config))
            _TEMP[:] = [spill]
        elif _TEMP != [spill]:  # the spill folder was made again
            _set_temp_directory(_DB[0], spill)
            _TEMP[:] = [spill]
        return _DB[0]


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def _length(col: exp.Expr) -> exp.Expr:
    return exp.Length(this=col)


def pattern_flag(check: ColumnCheck) -> exp.Expr:
    """True for a cell of a patterned column the model might refuse (over-flagging)."""
    col = _col(check.name)
    good: list[exp.Expr] = [
        exp.RegexpLike(this=col, expression=exp.Literal.string(str(check.pattern)))
    ]
    if not check.ascii_only:  # one byte per character: ASCII, where RE2 and pydantic agree
        good.append(exp.EQ(this=exp.func("strlen", col), expression=_length(col)))
    if check.min_length > 1:
        good.append(exp.GTE(this=_length(col), expression=exp.Literal.number(check.min_length)))
    if check.max_length is not None:
        good.append(exp.LTE(this=_length(col), expression=exp.Literal.number(check.max_length)))
    empty = exp.EQ(this=col, expression=exp.Literal.string(""))
    passes = exp.or_(empty, exp.and_(*good))
    flag: exp.Expr = exp.not_(exp.paren(passes))
    if check.required:
        flag = exp.or_(flag, empty)
    return flag


def refused_table(i: int) -> str:
    return f"refused_{i}"


def semi_join(table: str, names: tuple[str, ...]) -> exp.Expr:
    """True for a row of the block whose cells *names* are a row of *table*."""
    on = exp.and_(*(exp.EQ(this=_col(n, table), expression=_col(n, _BLOCK)) for n in names))
    return exp.Exists(this=exp.select(exp.Literal.number(1)).from_(table).where(on))


@dataclass(frozen=True)
class Compiled:
    """One record type's checks: the query parts and what Python judges."""

    kind: str
    #: the flag of each patterned column
    patterned: tuple[exp.Expr, ...]
    #: the other columns: judged a distinct value at a time
    exact: tuple[ColumnCheck, ...]
    #: the record rules, with the columns each reads
    rules: tuple[Any, ...]

    @property
    def distinct(self) -> exp.Select:
        """The distinct values of each exact column of the block, as lists, in one row."""
        lists = [exp.ArrayAgg(this=exp.Distinct(expressions=[_col(c.name)])) for c in self.exact]
        return exp.select(*lists).from_(_BLOCK)

    def query(self, refused: dict[int, str]) -> exp.Select:
        """The query flagging each row of the block; *refused* names the tables of
        refused values (by index: the exact columns, then the rules) that have rows."""
        parts = list(self.patterned)
        for i, check in enumerate(self.exact):
            flag: exp.Expr | None = None
            if i in refused:
                flag = semi_join(refused[i], (check.name,))
            if check.required:
                empty = exp.EQ(this=_col(check.name), expression=exp.Literal.string(""))
                flag = empty if flag is None else exp.or_(flag, empty)
            if flag is not None:
                parts.append(flag)
        for j, rule in enumerate(self.rules, start=len(self.exact)):
            if j in refused:
                parts.append(semi_join(refused[j], tuple(rule.reads)))
        flag_all = exp.or_(*parts) if parts else exp.false()
        flagged = exp.Coalesce(this=exp.paren(flag_all), expressions=[exp.true()])
        return exp.select(exp.alias_(flagged, "flagged")).from_(_BLOCK)


@cache
def compiled(kind: str) -> Compiled:
    """The checks of record type *kind*, compiled once."""
    column_checks = checks(kind)
    patterned = tuple(pattern_flag(c) for c in column_checks if c.mode != "exact")
    exact = tuple(c for c in column_checks if c.mode == "exact")
    return Compiled(kind, patterned, exact, tuple(RECORD_TYPES[kind].RULES))


@cache
def query_sql(kind: str, refused: frozenset[int]) -> str:
    """The flagging query of *kind* in DuckDB's dialect, compiled once for each set of
    tables of refused values a block has."""
    return compiled(kind).query({i: refused_table(i) for i in refused}).sql(DIALECT)


def flag_rows(kind: str, cols: dict[str, pa.Array]) -> pa.Array:
    """True for each row of the block *cols* (raw cells of *kind*) that goes to the
    row engine: a row left unflagged is one the model accepts."""
    check_of = {c.name: c for c in checks(kind)}
    done = compiled(kind)
    block = pa.table(cols)
    refused = _refused(done, check_of, block)
    cursor = connection().cursor()
    try:
        cursor.register(_BLOCK, block)
        for i, rows in refused.items():
            cursor.register(refused_table(i), rows)
        # execute, not sql(): a relation is planned twice, which costs more than the
        # copy of one column of booleans saves (a few milliseconds a block)
        out = cursor.execute(query_sql(kind, frozenset(refused))).fetchnumpy()["flagged"]
    finally:
        cursor.close()
    return pa.array(out, pa.bool_())


def judge(
    done: Compiled,
    check_of: dict[str, ColumnCheck],
    distinct: Sequence[Iterable[str]],
    combinations: Callable[[tuple[str, ...]], Iterable[Sequence[str]]],
) -> dict[int, tuple[tuple[str, ...], list[tuple[str, ...]]]]:
    """The refused values of the exact columns and the broken combinations of the
    record rules, by index (the exact columns, then the rules), for those that have
    any: each index maps to the column names and the rows of its table.

    *distinct* holds the distinct values of each exact column, in order; *combinations*
    gives the distinct combinations of the named columns. No database is involved: any
    engine that runs the compiled query (DuckDB here, Spark) judges with this."""
    out: dict[int, tuple[tuple[str, ...], list[tuple[str, ...]]]] = {}
    for i, (check, values) in enumerate(zip(done.exact, distinct, strict=True)):
        bad: list[tuple[str, ...]] = [(v,) for v in values if v != "" and check.exact(v) is INVALID]
        if bad:
            out[i] = ((check.name,), bad)
    for j, rule in enumerate(done.rules, start=len(done.exact)):
        names = tuple(rule.reads)
        broken = [
            tuple(combo)
            for combo in combinations(names)
            if not rule_holds(rule, tuple(combo), check_of)
        ]
        if broken:
            out[j] = (names, broken)
    return out


def _refused(
    done: Compiled, check_of: dict[str, ColumnCheck], block: pa.Table
) -> dict[int, pa.Table]:
    """The tables of refused values (exact columns) and broken combinations (rules)
    of the block, by index, for those that have any. The distinct values are taken
    by Arrow, on the block in memory: a query would cost more to plan than to run
    (milliseconds a block), and only the judging is Python's."""
    distinct = [pc.unique(block.column(c.name)).to_pylist() for c in done.exact]

    def combinations(names: tuple[str, ...]) -> list[tuple[str, ...]]:
        table = block.select(list(names)).group_by(list(names), use_threads=False).aggregate([])
        return list(zip(*(table.column(n).to_pylist() for n in names), strict=True))

    found = judge(done, check_of, distinct, combinations)
    out: dict[int, pa.Table] = {}
    for i, (names, rows) in found.items():
        columns = list(zip(*rows, strict=True))
        out[i] = pa.table(
            {n: pa.array(list(c), pa.string()) for n, c in zip(names, columns, strict=True)}
        )
    return out


class SqlFast(Fast):
    """The columnar engine's block reader with the flags computed in SQL."""

    def flags(self, cols: dict[str, pa.Array], longest: dict[str, int]) -> pa.Array | None:
        """One query flags the block's rows (see the module docstring)."""
        flags = flag_rows(self.kind, cols)
        return flags if len(flags) else None
