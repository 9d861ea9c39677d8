"""Layer 4 of the sql engine: ids and references kept in DuckDB tables, not in Python.

The row and columnar engines keep every id in a Python dict (about 140 bytes an id),
which bounds a package at what one process holds. The sql engine keeps them in
columns instead (:class:`DeferredReferences`): every id with its record's key, and
every id a record names with where it names it, are written to two Parquet files in
the spill folder under the cache dir as the records stream past (a block at a time,
so memory stays flat), and DuckDB reads them at the end. A ``GROUP BY`` gives each
id's first holder and how many records hold it; the ids held more than once are joined
back to give every duplicate; each distinct (id, kinds) named is judged once against
the holders, and the references to the broken ones are picked out. DuckDB spills to
the cache dir past its memory limit. The findings are the row engine's, field for
field (the first holder of an id is the first record read with it, as in
:class:`~bilat.validation.references.References`).

Caps are applied in DuckDB: of each (resource, code), only the findings up to the row
of the cap-th one leave it, and the rest are counted there and added to the report's
``omitted``. The queries are written once and put in DuckDB's dialect by sqlglot.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import sqlglot
from sqlglot import exp

from bilat.findings import CodeName, Finding
from bilat.tables import foreign_key_fields
from bilat.validation.engines.sql.compile import DIALECT, connection, spill_folder
from bilat.validation.references import (
    MAX_RESOURCES,
    ORDER_BITS,
    ROW_BITS,
    References,
    kind_index,
)
from bilat.validation.rules import SpanFile

_RUNS = itertools.count()
#: Rows kept in Python before they are appended to DuckDB.
_FLUSH = 1 << 16
_ORDER_MASK = (1 << ORDER_BITS) - 1
_ROW_MASK = (1 << ROW_BITS) - 1

_IDS_SCHEMA = pa.schema([("id", pa.string()), ("key", pa.int64())])
_REFS_SCHEMA = pa.schema(
    [("target", pa.string()), ("spec", pa.int32()), ("field", pa.int32()), ("key", pa.int64())]
)


def _read(name: str, path: Path) -> str:
    """The view *name* over the Parquet file *path*."""
    select = exp.select("*").from_(exp.func("read_parquet", exp.Literal.string(str(path))))
    view = exp.Create(kind="VIEW", this=exp.to_table(name), expression=select)
    return view.sql(DIALECT)


#: The tables the end's queries read and make (a backend may rename them).
TABLES = (
    "ids",
    "refs",
    "holders",
    "allowed",
    "forgiven",
    "past_first",
    "fk",
    "groups",
    "capped",
    "wanted",
)

#: the first record read with each id (order: resource read, then row), and how many
#: records hold it (the table ``holders``)
_FIRST = "SELECT id, arg_min(key, key & {mask}) AS key, count(*) AS n FROM ids GROUP BY id"
#: every record whose id an earlier record holds: (its key, the first holder's key, id);
#: only ids held more than once are joined back
_TWICE = (
    "SELECT i.key AS key, h.key AS other, i.id AS value"
    " FROM ids AS i JOIN (SELECT id, key FROM holders WHERE n > 1) AS h ON i.id = h.id"
    " WHERE i.key <> h.key"
)
#: every reference to an id no record holds (other: null; why 0), held by a record of
#: a kind the field does not take (its key; why 1), or held by a record of a later part
#: of a multi-file Parquet resource (its key; why 2), named from a row Frictionless reads
#: (not itself in such a part) in a field its Table Schema declares a foreign key (fk). Each distinct (id, kinds) named is judged once, then the
#: references to those found broken are picked out.
_BROKEN = (
    "WITH named AS (SELECT DISTINCT target, spec FROM refs),"
    " judged AS (SELECT n.target, n.spec, h.key AS other, a.kind AS fits"
    " FROM named AS n LEFT JOIN holders AS h ON n.target = h.id"
    " LEFT JOIN allowed AS a ON a.spec = n.spec AND a.kind = h.key >> {kind_shift}),"
    " bad AS (SELECT * FROM judged AS j"
    " WHERE (j.other IS NULL AND j.spec NOT IN (SELECT spec FROM forgiven))"
    " OR (j.other IS NOT NULL AND j.fits IS NULL)"
    " OR (j.fits IS NOT NULL"
    " AND (j.other >> {row_bits}) & {resource_mask} IN (SELECT resource FROM past_first)))"
    " SELECT r.key AS key, b.other AS other, r.target AS value, r.spec AS spec, r.field AS field,"
    " CASE WHEN b.other IS NULL THEN 0 WHEN b.fits IS NULL THEN 1 ELSE 2 END AS why"
    " FROM refs AS r JOIN bad AS b ON r.target = b.target AND r.spec = b.spec"
    " LEFT JOIN fk AS f ON f.kind = r.key >> {kind_shift} AND f.field = r.field"
    " WHERE b.fits IS NULL"
    " OR ((r.key >> {row_bits}) & {resource_mask} NOT IN (SELECT resource FROM past_first)"
    " AND f.kind IS NOT NULL)"
)
#: the findings of one query, by (resource group, code): those up to the row of the
#: cap-th one in each (the report sorts and cuts them), then counts of the rest (the
#: table ``capped``)
_CAPPED = (
    "WITH f AS (SELECT *, key & {row_mask} AS row, {code} AS code FROM ({query}) AS q),"
    " g AS (SELECT f.*, p.grp AS grp FROM f JOIN groups AS p"
    " ON (f.key >> {row_bits}) & {resource_mask} = p.resource),"
    " n AS (SELECT grp, code, row, row_number() OVER (PARTITION BY grp, code ORDER BY row) AS rn"
    " FROM g),"
    " t AS (SELECT grp, code, max(row) FILTER (WHERE rn <= {cap}) AS limit_row FROM n"
    " GROUP BY grp, code)"
    " SELECT g.*, coalesce(g.row <= t.limit_row, false) AS kept"
    " FROM g JOIN t ON g.grp = t.grp AND g.code = t.code"
)
_OMITTED = "SELECT grp, code, count(*) FROM capped WHERE NOT kept GROUP BY grp, code"
_KEPT = "SELECT {columns} FROM capped WHERE kept ORDER BY key, value"
_HOLDERS_OF = "SELECT h.id, h.key FROM holders AS h JOIN wanted AS w ON h.id = w.id"
#: what each query of the end gives
_TWICE_COLUMNS = ("key", "other", "value")
_BROKEN_COLUMNS = ("key", "other", "value", "spec", "field")


@cache
def _sql(text: str) -> str:
    """*text* (written in DuckDB's dialect) as the engine's dialect writes it."""
    return sqlglot.transpile(text, read="duckdb", write=DIALECT)[0]


@lru_cache(maxsize=256)
def parsed(select: str) -> exp.Expr:
    """*select* (a query of layer 4, in DuckDB's dialect) parsed by sqlglot, once for
    each text (a package has a handful); callers copy it before they change it."""
    return sqlglot.parse_one(select, read="duckdb")


@lru_cache(maxsize=256)
def _create(name: str, select: str) -> str:
    """``CREATE OR REPLACE TABLE`` *name* ``AS`` *select* (DuckDB's dialect), in the
    engine's dialect."""
    create = exp.Create(
        kind="TABLE",
        this=exp.to_table(name),
        expression=parsed(select).copy(),
        replace=True,
    )
    return create.sql(DIALECT)


class DeferredReferences(References):
    """:class:`~bilat.validation.references.References` with its ids and references
    in DuckDB tables, checked at :meth:`finish` (see the module docstring)."""

    deferred = True

    def __init__(
        self,
        emit: Callable[[Finding | None], None],
        cap: int | None = None,
        omit: Callable[[str, CodeName, int], None] | None = None,
    ) -> None:
        super().__init__(emit)
        self.cap = cap
        self.omit = omit
        # written as they come, read by DuckDB at the end
        self.folder = Path(tempfile.mkdtemp(prefix="layer4-", dir=spill_folder()))
        try:
            self._open_writers()
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self._db: duckdb.DuckDBPyConnection | None = None
        self._schema = ""
        self._id_buffer: tuple[list[str], list[int]] = ([], [])
        self._ref_buffer: tuple[list[str], list[int], list[int], list[int]] = ([], [], [], [])
        #: each set of kinds a reference field takes, and each field name, by number
        self._specs: dict[tuple[str, ...], int] = {}
        self._fields: dict[str, int] = {}
        self._holders: dict[str, int | None] = {}
        self._finished = False
        self._groups: list[int] = []
        self._group_names: list[str] = []
        self._spans: SpanFile | None = None

    def _open_writers(self) -> None:
        # ids are unique, so a dictionary only costs (it was 85% of the writing time);
        # the ids named repeat, a dictionary pays; lz4 is cheap to write
        self._ids = pq.ParquetWriter(
            self.folder / "ids.parquet",
            _IDS_SCHEMA,
            use_dictionary=False,
            compression="lz4",
            write_statistics=False,
        )
        self._refs = pq.ParquetWriter(
            self.folder / "refs.parquet",
            _REFS_SCHEMA,
            use_dictionary=["target"],
            compression="lz4",
            write_statistics=False,
        )

    # -- while reading --------------------------------------------------------------

    def taken(self, keyed: dict[str, int]) -> set[str]:
        return set()  # found at the end

    def add(self, resource: int, keyed: dict[str, int]) -> None:
        ids = pa.array(list(keyed), pa.string())
        self._ids.write_table(pa.table([ids, pa.array(keyed.values(), pa.int64())], _IDS_SCHEMA))

    def add_column(self, resource: int, ids: Any, rows: Any) -> None:
        if len(ids):
            keys = pc.add(rows, self.key(resource, 0))
            self._ids.write_table(pa.table([ids.cast(pa.string()), keys], _IDS_SCHEMA))

    def register(self, resource: int, row: int, record_id: str) -> None:
        ids, keys = self._id_buffer
        ids.append(record_id)
        keys.append(self.key(resource, row))
        if len(ids) >= _FLUSH:
            self._flush()

    def check_target(
        self, target: str, kinds: tuple[str, ...], resource: int, row: int, field: str
    ) -> None:
        targets, specs, fields, keys = self._ref_buffer
        targets.append(target)
        specs.append(self._spec(kinds))
        fields.append(self._field(field))
        keys.append(self.key(resource, row))
        if len(targets) >= _FLUSH:
            self._flush()

    def check_targets(
        self, targets: Any, rows: Any, kinds: tuple[str, ...], resource: int, field: str
    ) -> None:
        n = len(targets)
        if not n:
            return
        columns = [
            targets.cast(pa.string()),
            pa.repeat(self._spec(kinds), n).cast(pa.int32()),
            pa.repeat(self._field(field), n).cast(pa.int32()),
            pc.add(rows, self.key(resource, 0)),
        ]
        self._refs.write_table(pa.table(columns, _REFS_SCHEMA))

    @property
    def db(self) -> duckdb.DuckDBPyConnection:
        """The cursor the end's queries run on (made by :meth:`finish`)."""
        assert self._db is not None, "finish() opens it"
        return self._db

    def _spec(self, kinds: tuple[str, ...]) -> int:
        return self._specs.setdefault(kinds, len(self._specs))

    def _field(self, name: str) -> int:
        return self._fields.setdefault(name, len(self._fields))

    def _flush(self) -> None:
        ids, keys = self._id_buffer
        if ids:
            columns = [pa.array(ids, pa.string()), pa.array(keys, pa.int64())]
            self._ids.write_table(pa.table(columns, _IDS_SCHEMA))
            ids.clear()
            keys.clear()
        targets, specs, fields, refkeys = self._ref_buffer
        if targets:
            columns = [
                pa.array(targets, pa.string()),
                pa.array(specs, pa.int32()),
                pa.array(fields, pa.int32()),
                pa.array(refkeys, pa.int64()),
            ]
            self._refs.write_table(pa.table(columns, _REFS_SCHEMA))
            for column in self._ref_buffer:
                column.clear()

    # -- at the end -----------------------------------------------------------------

    def finish(self) -> None:
        """Find ids taken twice and broken references, in DuckDB, and report them."""
        self._flush()
        self._ids.close()
        self._refs.close()
        self.open_tables()
        self.make_table("holders", _FIRST.format(mask=_ORDER_MASK))
        self._small_tables()
        # within one resource (a part, for a multi-file one) an id taken twice is
        # Frictionless's primary-key error; across resources, a duplicate id
        same = (
            f"CASE WHEN (other >> {ROW_BITS}) & {MAX_RESOURCES - 1}"
            f" = (key >> {ROW_BITS}) & {MAX_RESOURCES - 1} THEN 0 ELSE 1 END"
        )
        twice = self._capped(_TWICE, _TWICE_COLUMNS, same, ("unique-error", "duplicate-id"))
        for key, other, value in twice:
            self.emit(self.taken_twice(key, other, value))
        specs = {number: kinds for kinds, number in self._specs.items()}
        fields = {number: name for name, number in self._fields.items()}
        broken = _BROKEN.format(
            kind_shift=ORDER_BITS, row_bits=ROW_BITS, resource_mask=MAX_RESOURCES - 1
        )
        codes: tuple[CodeName, ...] = (
            "dangling-reference",
            "wrong-reference-kind",
            "reference-past-first-part",
        )
        for key, other, value, spec, field in self._capped(broken, _BROKEN_COLUMNS, "why", codes):
            _kind, plan, row = self.locate(key)
            held = None if other is None else self.kind_of(other)
            self.emit(self.broken(plan, row, fields[field], value, held, specs[spec], other))
        self._finished = True

    # -- where the end's queries run: DuckDB here, another engine in a subclass -----

    def open_tables(self) -> None:
        """Open ``ids`` and ``refs`` (the files written while reading) as tables."""
        # the process's database (one memory limit, one spill folder), in a schema of
        # this run's own, on a cursor of its own
        self._schema = f"layer4_{next(_RUNS)}"
        db = self._db = connection().cursor()
        db.execute(_sql(f"CREATE SCHEMA {self._schema}"))
        db.execute(_sql(f"USE {self._schema}"))
        for name in ("ids", "refs"):
            db.execute(_read(name, self.folder / f"{name}.parquet"))

    def make_table(self, name: str, select: str) -> None:
        """Make (or replace) the table *name* from *select* (DuckDB's dialect)."""
        self.db.execute(_create(name, select))

    def small_table(self, name: str, table: pa.Table) -> None:
        """Make the table *name* from the small Arrow *table* the driver holds."""
        self.db.register("small", table)
        try:
            self.make_table(name, "SELECT * FROM small")
        finally:
            self.db.unregister("small")

    def fetch(self, select: str) -> list[tuple[Any, ...]]:
        """The rows of *select* (DuckDB's dialect)."""
        return self.db.execute(_sql(select)).fetchall()

    def drop_tables(self) -> None:
        if self._db is not None:
            self._db.execute(_sql("USE memory.main"))
            self._db.execute(_sql(f"DROP SCHEMA {self._schema} CASCADE"))
            self._db.close()

    # -- the queries ------------------------------------------------------------------

    def _small_tables(self) -> None:
        """The tables the queries join with: the kinds each spec allows, the specs
        whose dangling references are forgiven, and each resource's group (its name,
        which the parts of a multi-file resource share)."""
        allowed: dict[str, list[int]] = {"spec": [], "kind": []}
        forgiven: list[int] = []
        for names, number in self._specs.items():
            for name in dict.fromkeys(names):
                allowed["spec"].append(number)
                allowed["kind"].append(kind_index(name))
            if self.incomplete.intersection(names):
                forgiven.append(number)
        groups: dict[str, int] = {}
        self._groups = [groups.setdefault(p.name, len(groups)) for p in self.resources]
        self._group_names = list(groups)
        self.small_table(
            "allowed", pa.table({k: pa.array(v, pa.int64()) for k, v in allowed.items()})
        )
        self.small_table("forgiven", pa.table({"spec": pa.array(forgiven, pa.int64())}))
        past_first = pa.array(sorted(self.past_first), pa.int64())
        self.small_table("past_first", pa.table({"resource": past_first}))
        keys = sorted(
            (kind_index(kind), number)
            for (kind, name), number in (
                ((kind, name), self._fields.get(name)) for kind, name in foreign_key_fields()
            )
            if number is not None
        )
        self.small_table(
            "fk",
            pa.table(
                {
                    "kind": pa.array([k for k, _ in keys], pa.int64()),
                    "field": pa.array([f for _, f in keys], pa.int64()),
                }
            ),
        )
        groups_table = {
            "resource": pa.array(range(len(self._groups)), pa.int64()),
            "grp": pa.array(self._groups, pa.int64()),
        }
        self.small_table("groups", pa.table(groups_table))

    def _capped(
        self, query: str, columns: tuple[str, ...], code: str, codes: tuple[CodeName, ...]
    ) -> list[tuple[Any, ...]]:
        """The *columns* of the rows of *query* (with a *code* number, an index in
        *codes*) that fall within the caps; the counts of the others go to the
        report's ``omitted``."""
        cap = self.cap if self.cap is not None else 1 << 62
        self.make_table(
            "capped",
            _CAPPED.format(
                query=query,
                code=code,
                cap=cap,
                row_mask=_ROW_MASK,
                row_bits=ROW_BITS,
                resource_mask=MAX_RESOURCES - 1,
            ),
        )
        if self.omit is not None:
            for group, number, count in self.fetch(_OMITTED):
                self.omit(self._group_names[group], codes[number], count)
        return self.fetch(_KEPT.format(columns=", ".join(columns)))

    def prefetch(self, ids: Iterable[str]) -> None:
        """Look up the holders of *ids* at once (the rules ask for them one by one)."""
        wanted = sorted(set(ids) - self._holders.keys())
        if not wanted or not self._finished:
            return
        self.small_table("wanted", pa.table({"id": pa.array(wanted, pa.string())}))
        found = dict(self.fetch(_HOLDERS_OF))
        for record_id in wanted:
            self._holders[record_id] = found.get(record_id)

    def span_store(self) -> SpanFile:
        """The spans on disk beside the ids (8 bytes a row: 800 MB at 100M rows)."""
        if self._spans is None:
            self._spans = SpanFile(self.folder / "spans.bin")
        return self._spans

    def holder(self, record_id: str) -> int | None:
        if not self._finished:  # the rules ask only at the end
            return None
        if record_id not in self._holders:
            self.prefetch([record_id])
        return self._holders[record_id]

    def close(self) -> None:
        """Drop the tables and the files (the engine gives their memory back)."""
        try:
            if self._spans is not None:
                self._spans.close()
            self._ids.close()
            self._refs.close()
            self.drop_tables()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
