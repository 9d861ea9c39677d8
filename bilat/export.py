"""A loaded package as relational tables: SQLite, DuckDB, Parquet, and a GraphML graph.

The same tables back every format (and :meth:`Package.to_pandas`):

- one table per record type, named like its resource (``engagements``), with a
  column per single-valued field, typed (text, integer, real), NULL where a value is
  absent, ``id`` as primary key;
- a partial date ``f`` stays as text (``2023-12``) beside ``f_earliest`` and
  ``f_latest``, the first and last day it may mean (dates);
- a link table per list field, ``<kind>_<field>``, e.g. ``engagement_participants
  (engagement_id, actor_id, position)``, position counting from 1;
- ``records(id, kind)`` and ``actors(id, kind, name)``, which references to several
  kinds point at;
- foreign keys for every reference (to the kind's table, or to ``actors`` or
  ``records`` when several kinds are allowed, or when a table refers to itself);
- views that resolve actors to states: ``actor_states(actor_id, state_id)`` (a state
  itself, a person's nationality and the states of the offices they held, an
  organization's state) and ``engagement_states(engagement_id, state_id)``.

For SQLite, a datasette metadata file is written beside the database
(``OUT.metadata.json``): plain-text titles and descriptions from the models (a
vocabulary column lists its terms' labels), the licence, the count of Sources with
a link to the ``sources`` table, facets on vocabulary columns, label columns.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bilat.files import WriteRefused, atomic_write, commit, guard_out, temporary_beside
from bilat.models import RECORD_TYPES, PartialDate, Record, reference_fields
from bilat.tables import RESOURCE_NAMES, columns

if TYPE_CHECKING:
    from bilat.package import Package

FORMATS = ("sqlite", "duckdb", "parquet", "graphml")
ACTOR_KINDS = ("state", "person", "organization")
#: The column a label-like field gives datasette, by preference.
_LABELS = ("title", "name", "symbol", "measure", "office", "quote")


class ExportError(Exception):
    """The export cannot be written (a missing optional dependency, an unusable OUT)."""


@dataclass
class Column:
    name: str
    type: str  # "text", "integer", "real", "date"
    description: str | None = None
    references: str | None = None  # "table" the value points at (its id)
    vocabulary: str | None = None


@dataclass
class Table:
    name: str
    columns: list[Column]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    primary_key: tuple[str, ...] = ()
    description: str | None = None
    label: str | None = None

    def column_values(self, name: str) -> list[Any]:
        index = [c.name for c in self.columns].index(name)
        return [row[index] for row in self.rows]


# -- the tables ----------------------------------------------------------------------


def _is_date(model: type[Record], name: str) -> bool:
    annotation = model.model_fields[name].annotation
    return annotation is PartialDate or PartialDate in typing.get_args(annotation)


def _target(kinds: tuple[str, ...], own: str) -> str:
    """The table a reference to *kinds* points at, from the table of kind *own*."""
    if len(kinds) == 1 and kinds[0] != own:
        return RESOURCE_NAMES[kinds[0]]
    if set(kinds) <= set(ACTOR_KINDS) and own not in ACTOR_KINDS:
        return "actors"
    return "records"


def _value_column(kinds: tuple[str, ...] | None) -> str:
    if kinds is None:
        return "value"
    if set(kinds) <= set(ACTOR_KINDS) and len(kinds) > 1:
        return "actor_id"
    if len(kinds) == 1:
        return f"{kinds[0]}_id"
    return "record_id"


def _doc(model: type[Record]) -> str | None:
    doc = (model.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(doc.split()) or None


def tables(pkg: Package) -> list[Table]:
    """The package's records as tables, in an order where every table comes after the
    tables it refers to (link tables last)."""
    records = Table(
        "records",
        [Column("id", "text", "Id of a record of any kind."), Column("kind", "text")],
        primary_key=("id",),
        description="Every record of the package, by id and kind.",
        label="id",
    )
    actors = Table(
        "actors",
        [
            Column("id", "text", "Id of a state, person or organization.", "records"),
            Column("kind", "text"),
            Column("name", "text"),
        ],
        primary_key=("id",),
        description="States, persons and organizations: what a reference to any actor points at.",
        label="name",
    )
    out = [records, actors]
    links: list[Table] = []
    for kind, model in RECORD_TYPES.items():
        name = RESOURCE_NAMES[kind]
        refs = {r.name: r for r in reference_fields(model)}
        cols: list[Column] = []
        getters: list[Any] = []
        for col in columns(kind):
            info_ref = refs.get(col.name)
            if col.type == "array":
                kinds = info_ref.kinds if info_ref else None
                value = _value_column(kinds)
                link = Table(
                    f"{kind}_{col.name}",
                    [
                        Column(f"{kind}_id", "text", f"Id of the {kind}.", name),
                        Column(
                            value,
                            "text",
                            col.description,
                            _target(kinds, "") if kinds else None,
                            col.vocabulary,
                        ),
                        Column("position", "integer", "Place in the list, from 1."),
                    ],
                    primary_key=(f"{kind}_id", "position"),
                    description=f"{name}.{col.name}, one row per item: {col.description or ''}".strip(),
                    label=value,
                )
                for record in pkg.records(kind):
                    for i, item in enumerate(getattr(record, col.name), start=1):
                        link.rows.append((record.id, item, i))
                links.append(link)
                continue
            if _is_date(model, col.name):
                cols += [
                    Column(col.name, "text", col.description),
                    Column(f"{col.name}_earliest", "date", f"First day {col.name} may mean."),
                    Column(f"{col.name}_latest", "date", f"Last day {col.name} may mean."),
                ]
                getters.append(("date", col.name))
                continue
            ctype = {"integer": "integer", "number": "real"}.get(col.type, "text")
            target = (
                _target(info_ref.kinds, kind)
                if info_ref
                else ("records" if col.name == "id" else None)
            )
            cols.append(Column(col.name, ctype, col.description, target, col.vocabulary))
            getters.append(("plain", col.name))
        table = Table(
            name,
            cols,
            primary_key=("id",),
            description=_doc(model),
            label=next((c for c in _LABELS if c in model.model_fields), "id"),
        )
        for record in pkg.records(kind):
            row: list[Any] = []
            for how, attr in getters:
                value = getattr(record, attr)
                if how == "date":
                    row += (
                        [None, None, None]
                        if value is None
                        else [value.text, value.earliest, value.latest]
                    )
                else:
                    row.append(value)
            table.rows.append(tuple(row))
            records.rows.append((record.id, kind))
            if kind in ACTOR_KINDS:
                actors.rows.append((record.id, kind, getattr(record, "name", None)))
        out.append(table)
    return out + links


def actor_states(pkg: Package) -> list[tuple[str, str]]:
    """(actor, state) pairs: the rows of the ``actor_states`` view, computed in Python
    (for Parquet, which has no views)."""
    from bilat import query

    return sorted(
        (actor, state) for actor, states in query.states_by_actor(pkg).items() for state in states
    )


def engagement_states(
    pkg: Package, pairs: list[tuple[str, str]] | None = None
) -> list[tuple[str, str]]:
    """(engagement, state) pairs: the states taking part in each engagement (from the
    actor_states *pairs*, computed when not given)."""
    states: dict[str, set[str]] = {}
    for actor, state in actor_states(pkg) if pairs is None else pairs:
        states.setdefault(actor, set()).add(state)
    out = set()
    for record in pkg.records("engagement"):
        for actor in getattr(record, "participants", []):
            for state in states.get(actor, ()):
                out.add((record.id, state))
    return sorted(out)


#: SQL for the views (SQLite and DuckDB alike).
VIEWS = {
    "actor_states": """
        SELECT id AS actor_id, id AS state_id FROM states
        UNION SELECT id, nationality FROM persons WHERE nationality IS NOT NULL
        UNION SELECT t.person, t."of" FROM tenures t JOIN states s ON s.id = t."of"
        UNION SELECT t.person, o.state FROM tenures t JOIN organizations o ON o.id = t."of"
              WHERE o.state IS NOT NULL
        UNION SELECT id, state FROM organizations WHERE state IS NOT NULL
    """,
    "engagement_states": """
        SELECT DISTINCT p.engagement_id, a.state_id
        FROM engagement_participants p JOIN actor_states a ON a.actor_id = p.actor_id
    """,
}


# -- writers ---------------------------------------------------------------------------


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _ddl(table: Table, sql_types: dict[str, str], self_ok: bool = True) -> str:
    parts = [f"{_q(c.name)} {sql_types[c.type]}" for c in table.columns]
    if table.primary_key:
        parts.append(f"PRIMARY KEY ({', '.join(_q(k) for k in table.primary_key)})")
    for c in table.columns:
        if c.references and (self_ok or c.references != table.name):
            parts.append(f"FOREIGN KEY ({_q(c.name)}) REFERENCES {_q(c.references)} (id)")
    return f"CREATE TABLE {_q(table.name)} (\n  " + ",\n  ".join(parts) + "\n)"


def metadata_path(out: Path) -> Path:
    """Where the datasette metadata of the SQLite export *out* is written."""
    return out.with_name(out.stem + ".metadata.json")


def to_sqlite(pkg: Package, out: Path) -> Path:
    """Write the package as a SQLite database at *out* (and its datasette metadata)."""
    types = {"text": "TEXT", "integer": "INTEGER", "real": "REAL", "date": "DATE"}
    built = tables(pkg)
    with temporary_beside(out) as temp:
        con = sqlite3.connect(temp)
        try:
            for table in built:
                con.execute(_ddl(table, types))
                marks = ", ".join("?" for _ in table.columns)
                con.executemany(
                    f"INSERT INTO {_q(table.name)} VALUES ({marks})",
                    [tuple(_sqlite_value(v) for v in row) for row in table.rows],
                )
            for name, sql in VIEWS.items():
                con.execute(f"CREATE VIEW {_q(name)} AS {sql}")
            problems = con.execute("PRAGMA foreign_key_check").fetchall()
            if problems:  # pragma: no cover - a validated package has no dangling ids
                raise ExportError(f"foreign keys broken in the export: {problems[:3]}")
            con.commit()
        except sqlite3.Error as exc:  # a full disk, an I/O error
            raise ExportError(f"cannot write {out}: {exc}") from None
        finally:
            con.close()
        commit(temp, out)
    meta = metadata_path(out)
    metadata = datasette_metadata(pkg, out.stem, built)
    atomic_write(meta, (json.dumps(metadata, indent=2) + "\n").encode())
    return out


def _sqlite_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


_MARKUP = (
    (re.compile(r":[a-z]+:`~?([^`]+)`"), r"\1"),  # :class:`bilat.Source`
    (re.compile(r"``([^`]+)``"), r"\1"),  # ``code``
    (re.compile(r"`([^`]+)`"), r"\1"),  # `code`
    (re.compile(r"\*\*([^*]+)\*\*"), r"\1"),  # **strong**
    (re.compile(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])"), r"\1"),  # *emphasis*
    (re.compile(r"\[([^\]]+)\]\(([^)]+)\)"), r"\1 (\2)"),  # [text](url)
)


def plain(text: str | None) -> str:
    """*text* without reStructuredText or Markdown markup, on one line.

    >>> plain("Whether it took place (vocabulary ``statuses``); see :class:`Source`.")
    'Whether it took place (vocabulary statuses); see Source.'
    """
    out = text or ""
    for pattern, repl in _MARKUP:
        out = pattern.sub(repl, out)
    return " ".join(out.split())


_VOCAB_NOTE = re.compile(r"\s*\(vocabulary ``?[a-z_]+``?\)")


def _with_labels(description: str | None, vocab: str | None) -> str:
    """A column's description in plain text; for a vocabulary column, its terms by label
    with the code stored: ``What kind of engagement: Summit (summit), ...``."""
    if vocab is None:
        return plain(description)
    from bilat.vocab import vocabulary

    v = vocabulary(vocab)
    head = plain(_VOCAB_NOTE.sub("", description or "")).rstrip(".") or v.title
    terms = ", ".join(f"{t.label} ({t.code})" for t in v.terms)
    return f"{head}. {v.title}: {terms}."


def datasette_metadata(
    pkg: Package, database: str, built: list[Table] | None = None
) -> dict[str, Any]:
    """Datasette metadata (0.64 and later) for the SQLite export named *database*
    (of the tables *built* from *pkg*, built here when not given): plain-text
    descriptions, vocabulary columns described by their terms' labels, facets on
    them, label columns, the licence, and as source the count of the package's
    Sources with a link to the ``sources`` table (relative to the datasette root)."""
    desc = pkg.descriptor
    licence = (desc.get("licenses") or [{}])[0]
    table_meta: dict[str, Any] = {}
    for table in tables(pkg) if built is None else built:
        facets = [c.name for c in table.columns if c.vocabulary]
        entry: dict[str, Any] = {
            "description": plain(table.description),
            "columns": {
                c.name: _with_labels(c.description, c.vocabulary)
                for c in table.columns
                if c.description or c.vocabulary
            },
        }
        if facets:
            entry["facets"] = facets
        if table.label:
            entry["label_column"] = table.label
        table_meta[table.name] = entry
    meta: dict[str, Any] = {
        "title": plain(desc.get("title")) or pkg.name,
        "description": plain(desc.get("description")),
        "databases": {database: {"tables": table_meta}},
    }
    if licence.get("name"):
        meta["license"] = licence.get("title") or licence["name"]
        if licence.get("path"):
            meta["license_url"] = licence["path"]
    n = len(pkg.records("source"))
    if n:
        meta["source"] = f"{n} source{'s' if n != 1 else ''}, cited record by record"
        meta["source_url"] = f"/{database}/sources"
    return meta


def _arrow(table: Table) -> Any:
    import pyarrow as pa

    types = {"text": pa.string(), "integer": pa.int64(), "real": pa.float64(), "date": pa.date32()}
    arrays = [
        pa.array([row[i] for row in table.rows], type=types[c.type])
        for i, c in enumerate(table.columns)
    ]
    return pa.table(arrays, names=[c.name for c in table.columns])


def to_duckdb(pkg: Package, out: Path) -> Path:
    """Write the package as a DuckDB database at *out* (needs the ``duckdb`` extra)."""
    try:
        import duckdb
    except ImportError:
        raise ExportError("--to duckdb needs duckdb: pip install 'bilat[duckdb]'") from None
    types = {"text": "VARCHAR", "integer": "BIGINT", "real": "DOUBLE", "date": "DATE"}
    with temporary_beside(out) as temp:
        temp.unlink()  # DuckDB creates its file itself
        wal = temp.with_name(temp.name + ".wal")
        try:
            con = duckdb.connect(str(temp))
            try:
                con.execute("SET enable_progress_bar = false")  # it writes to stdout
                for table in tables(pkg):
                    # DuckDB checks foreign keys row by row: a table's references to
                    # itself point at records instead (see _target), so every key is
                    # declared
                    con.execute(_ddl(table, types))
                    data = _arrow(table)  # noqa: F841 - read by name in the SQL below
                    con.execute(f"INSERT INTO {_q(table.name)} SELECT * FROM data")
                for name, sql in VIEWS.items():
                    con.execute(f"CREATE VIEW {_q(name)} AS {sql}")
            finally:
                con.close()
            commit(temp, out)
        except duckdb.Error as exc:  # a full disk, an I/O error
            raise ExportError(f"cannot write {out}: {exc}") from None
        finally:
            wal.unlink(missing_ok=True)
    return out


def to_parquet(pkg: Package, out: Path) -> Path:
    """Write one Parquet file per table (and the two views, computed) into folder *out*."""
    import pyarrow.parquet as pq

    from bilat.files import make_folder

    try:
        make_folder(out)
    except WriteRefused as exc:
        raise ExportError(str(exc)) from None
    extra = [
        Table("actor_states", [Column("actor_id", "text"), Column("state_id", "text")]),
        Table("engagement_states", [Column("engagement_id", "text"), Column("state_id", "text")]),
    ]
    extra[0].rows = actor_states(pkg)
    extra[1].rows = engagement_states(pkg, extra[0].rows)
    for table in [*tables(pkg), *extra]:
        target = out / f"{table.name}.parquet"
        with temporary_beside(target) as temp:
            pq.write_table(_arrow(table), temp)
            commit(temp, target)
    return out


def graph(pkg: Package) -> Any:
    """Who met whom, when: a ``networkx.MultiGraph`` of actors, with an edge between
    every two participants of each engagement (attributes: engagement, title, type,
    start, status). Needs the ``graph`` extra (networkx)."""
    try:
        import networkx as nx
    except ImportError:
        raise ExportError("the actor graph needs networkx: pip install 'bilat[graph]'") from None
    g = nx.MultiGraph(name=pkg.name)
    for kind in ACTOR_KINDS:
        for record in pkg.records(kind):
            g.add_node(record.id, kind=kind, name=getattr(record, "name", record.id))
    for record in pkg.records("engagement"):
        people = list(dict.fromkeys(getattr(record, "participants", [])))
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                attrs = {
                    "engagement": record.id,
                    "title": getattr(record, "title", ""),
                    "type": getattr(record, "type", ""),
                    "status": getattr(record, "status", ""),
                    "start": str(getattr(record, "start", None) or ""),
                }
                g.add_edge(a, b, key=record.id, **attrs)
    return g


def to_graphml(pkg: Package, out: Path) -> Path:
    """Write the actor graph (see :func:`graph`) as GraphML at *out*."""
    g = graph(pkg)
    import networkx as nx

    with temporary_beside(out) as temp:
        nx.write_graphml(g, temp)
        commit(temp, out)
    return out


#: The tables the Parquet export writes besides the record and link tables.
_PARQUET_VIEWS = ("actor_states", "engagement_states")


def outputs(fmt: str, out: Path) -> list[Path]:
    """Every file an export in *fmt* to *out* writes."""
    if fmt == "sqlite":
        return [out, metadata_path(out)]
    if fmt == "parquet":
        names = ["records", "actors", *(RESOURCE_NAMES[k] for k in RECORD_TYPES)]
        names += [
            f"{kind}_{col.name}"
            for kind in RECORD_TYPES
            for col in columns(kind)
            if col.type == "array"
        ]
        return [out / f"{n}.parquet" for n in [*names, *_PARQUET_VIEWS]]
    return [out]


def check_out(fmt: str, out: str | Path, *, force: bool = False) -> None:
    """Refuse, before anything is built, an export in *fmt* to *out* that would replace
    what is not its own (:class:`ExportError` naming the path), or that lacks its
    optional dependency; see :func:`bilat.files.guard_out`."""
    path = Path(out)
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r}: use one of {', '.join(FORMATS)}")
    try:
        if fmt == "parquet":
            if os.path.isfile(path) and not os.path.islink(path):
                raise ExportError(f"{path}: --to parquet writes a folder; this is a file")
            guard_out(path, folder=True)
        elif os.path.isdir(path) and not os.path.islink(path):
            raise ExportError(f"{path}: --to {fmt} writes a file; this is a folder")
        for file in outputs(fmt, path):
            if fmt != "parquet" or os.path.isdir(file.parent):
                guard_out(file, force=force)
        if fmt == "duckdb":  # loaded before the tables are built, not after
            import duckdb  # noqa: F401
            import pyarrow
        if fmt == "parquet":
            import pyarrow.parquet  # noqa: F401
        if fmt == "graphml":
            import networkx  # noqa: F401 - checked before anything is built
    except WriteRefused as exc:
        raise ExportError(str(exc)) from None
    except ImportError as exc:
        need, extra = {
            "duckdb": ("duckdb", "bilat[duckdb]"),
            "graphml": ("networkx", "bilat[graph]"),
            "parquet": ("pyarrow", "pyarrow"),
        }[fmt]
        if not isinstance(exc, ModuleNotFoundError):  # installed, but it would not load
            raise ExportError(f"--to {fmt}: {need} cannot be loaded ({exc})") from None
        raise ExportError(f"--to {fmt} needs {need}: pip install '{extra}'") from None


def export(pkg: Package, fmt: str, out: str | Path, *, force: bool = False) -> Path:
    """Write *pkg* to *out* in format *fmt* (one of :data:`FORMATS`); return the path.

    An *out* that is a link, a device, a FIFO or a socket is refused, and so is an
    existing file unless *force* (:class:`ExportError`, nothing written). Every file is
    written to a temporary name, removed on any error or Ctrl-C, and renamed.
    """
    path = Path(out)
    writers = {
        "sqlite": to_sqlite,
        "duckdb": to_duckdb,
        "parquet": to_parquet,
        "graphml": to_graphml,
    }
    check_out(fmt, path, force=force)
    return writers[fmt](pkg, path)


def frames(pkg: Package, kind: str, library: str = "pandas") -> Any:
    """Records of one kind as a DataFrame: list fields as lists, nullable integers,
    each partial date ``f`` as text plus ``f_earliest`` and ``f_latest`` dates."""
    import pyarrow as pa

    model = RECORD_TYPES[kind]
    cols: list[Any] = []
    names: list[str] = []
    recs = pkg.records(kind)
    for col in columns(kind):
        values = [getattr(r, col.name) for r in recs]
        if col.type == "array":
            cols.append(pa.array(values, type=pa.list_(pa.string())))
            names.append(col.name)
        elif _is_date(model, col.name):
            cols += [
                pa.array([None if v is None else v.text for v in values], pa.string()),
                pa.array([None if v is None else v.earliest for v in values], pa.date32()),
                pa.array([None if v is None else v.latest for v in values], pa.date32()),
            ]
            names += [col.name, f"{col.name}_earliest", f"{col.name}_latest"]
        else:
            ptype = {"integer": pa.int64(), "number": pa.float64()}.get(col.type, pa.string())
            cols.append(pa.array(values, type=ptype))
            names.append(col.name)
    table = pa.table(cols, names=names)
    if library == "polars":
        import polars as pl

        return pl.from_arrow(table)
    import pandas as pd

    mapping = {pa.int64(): pd.Int64Dtype(), pa.string(): pd.StringDtype()}
    frame = table.to_pandas(types_mapper=mapping.get, date_as_object=False)
    for name in names:
        if name.endswith(("_earliest", "_latest")):
            frame[name] = pd.to_datetime(frame[name])
    return frame


__all__ = [
    "FORMATS",
    "VIEWS",
    "Column",
    "ExportError",
    "Table",
    "actor_states",
    "check_out",
    "datasette_metadata",
    "engagement_states",
    "export",
    "frames",
    "graph",
    "tables",
    "to_duckdb",
    "to_graphml",
    "to_parquet",
    "to_sqlite",
]
