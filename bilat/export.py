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
import gc
import io
import json
import os
import re
import sqlite3
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import islice
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bilat.files import (
    WriteRefused,
    commit,
    guard_out,
    named,
    temporary_beside,
    write_synced,
)
from bilat.limits import MAX_PARTICIPANTS
from bilat.models import RECORD_TYPES, PartialDate, Record, reference_fields
from bilat.query import Records
from bilat.tables import RESOURCE_NAMES, columns

if TYPE_CHECKING:
    from bilat.validation.bulk import Collected


class Exportable(Records, Protocol):
    """What the exports read of a package: a :class:`bilat.package.Package` is one
    (declared here so that this module, below the package API, needs no import of it)."""

    def pending(self, kind: str) -> Collected | None: ...

    @property
    def others(self) -> dict[str, Any]: ...


FORMATS = ("sqlite", "duckdb", "parquet", "graphml")
ACTOR_KINDS = ("state", "person", "organization")
#: The column a label-like field gives datasette, by preference.
_LABELS = ("title", "name", "symbol", "measure", "office", "quote")


class ExportError(Exception):
    """The export cannot be written (a missing optional dependency, an unusable OUT)."""


@dataclass
class Column:
    name: str
    type: str  # "text", "integer", "real", "date"; "boolean", "datetime" (other tables)
    description: str | None = None
    references: str | None = None  # "table" the value points at (its id)
    vocabulary: str | None = None


@dataclass
class Table:
    """A table of the export, held column by column (``data[i]`` is column ``i``)."""

    name: str
    columns: list[Column]
    data: list[list[Any]] = field(default_factory=list)
    primary_key: tuple[str, ...] = ()
    description: str | None = None
    label: str | None = None
    #: the package's resource it holds, for one of its other tables (None for bilat's)
    resource: str | None = None

    def __post_init__(self) -> None:
        if not self.data:
            self.data = [[] for _ in self.columns]

    @property
    def rows(self) -> list[tuple[Any, ...]]:
        """The rows, as tuples of Python values."""
        return list(zip(*(_pylist(c) for c in self.data), strict=True)) if self.columns else []

    def __len__(self) -> int:
        return len(self.data[0]) if self.data else 0

    def column_values(self, name: str) -> list[Any]:
        """One column's values, as Python values."""
        return _pylist(self.data[[c.name for c in self.columns].index(name)])


def _pylist(values: Any) -> list[Any]:
    """A column as a list (it may be an Arrow array, from a bulk load)."""
    return values if isinstance(values, list) else list(values.to_pylist())


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


def _dates(values: list[Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """The text, first and last day of each partial date (None stays None)."""
    seen: dict[Any, tuple[Any, Any, Any]] = {}
    text, first, last = [], [], []
    for value in values:
        if value is None:
            parts: tuple[Any, Any, Any] = (None, None, None)
        else:
            found = seen.get(value.text)
            if found is None:
                found = seen[value.text] = (value.text, value.earliest, value.latest)
            parts = found
        text.append(parts[0])
        first.append(parts[1])
        last.append(parts[2])
    return text, first, last


@cache
def _layout(kind: str) -> tuple[Table, list[tuple[str, Table]], list[tuple[str, str]]]:
    """The table of *kind* and its link tables (by list field), without data, and how
    each field fills the table: ``("date", f)`` three columns, ``("plain", f)`` one."""
    model = RECORD_TYPES[kind]
    name = RESOURCE_NAMES[kind]
    refs = {r.name: r for r in reference_fields(model)}
    cols: list[Column] = []
    getters: list[tuple[str, str]] = []
    links: list[tuple[str, Table]] = []
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
            links.append((col.name, link))
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
            _target(info_ref.kinds, kind) if info_ref else ("records" if col.name == "id" else None)
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
    return table, links, getters


def _from_records(
    recs: list[Record], getters: list[tuple[str, str]], lists: list[str]
) -> tuple[list[list[Any]], list[list[list[Any]]]]:
    """The columns of a kind's table, and of its link tables, from its records."""
    data: list[list[Any]] = []
    for how, attr in getters:
        values = list(map(attrgetter(attr), recs))
        if how == "date":
            data += _dates(values)
        else:
            data.append(values)
    link_data = []
    for attr in lists:
        owners: list[str] = []
        items: list[Any] = []
        places: list[int] = []
        for record in recs:
            held = getattr(record, attr)
            if held:
                owners += [record.id] * len(held)
                items += held
                places += range(1, len(held) + 1)
        link_data.append([owners, items, places])
    return data, link_data


_ARROW = {"text": "string", "integer": "int64", "real": "float64", "date": "date32"}


def _from_bulk(
    kind: str, held: Collected, getters: list[tuple[str, str]], lists: list[str]
) -> tuple[list[Any], list[list[Any]]]:
    """The columns of a kind's table, and of its link tables, as Arrow arrays, from
    the cells the columnar engine kept (and the records the row engine made of the
    rows it flagged), in file order."""
    # long: the columns of a kind's table and of its link tables from the kept blocks, in one pass; not split yet
    import pyarrow as pa
    import pyarrow.compute as pc

    from bilat.validation import bulk

    main = _layout(kind)[0]
    types = [getattr(pa, _ARROW[c.type])() for c in main.columns]
    rows, cells = held.block_rows()
    split = {attr: _split_lists(kind, attr, cells[attr]) for attr in lists}
    split = {attr: items for attr, items in split.items() if items is not None}
    if split and len(rows):  # the first row's lists stand in for the rest (checked there)
        cells = {n: pa.repeat(c[0], len(c)) if n in split else c for n, c in cells.items()}
    # text taken as it is (see bulk.verbatim); the others, each distinct cell validated
    as_is = frozenset(
        attr
        for (how, attr), t in zip(getters, _plain_types(kind), strict=True)
        if how == "plain" and t == "text" and attr in bulk.verbatim(kind)
    )
    distinct = bulk.arrow_columns(kind, cells, skip=as_is)
    specs = bulk.specs(kind)
    data: list[Any] = []
    for how, attr in getters:
        if attr in as_is:
            data.append(_as_is(cells[attr], specs[attr][2]))
            continue
        table, indices = distinct[attr]
        if how == "date":
            data += [pa.array(part).take(indices) for part in _dates(table)]
        else:
            data.append(pa.array(table, types[len(data)]).take(indices))
    data = [col.cast(t) for col, t in zip(data, types, strict=True)]
    ids = data[[c.name for c in main.columns].index("id")]
    link_data: list[list[Any]] = []
    parent_rows = []  # each link row's row in the kind's table
    for attr in lists:
        if attr in split:
            held_lists = split[attr]
        else:
            table, indices = distinct[attr]
            held_lists = pa.array(table, pa.list_(pa.string())).take(indices)
        parents = pc.list_parent_indices(held_lists)
        flat = pc.list_flatten(held_lists)
        starts = pc.take(held_lists.offsets, parents)
        # each item's place in its list: its index in *flat*, from 1, less its list's start
        places = pc.subtract(
            pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), len(flat))), starts
        )
        link_data.append([ids.take(parents), flat, places.cast(pa.int64())])
        parent_rows.append(parents)
    if not held.numbered:
        return data, link_data
    # rows the checks flagged and the row engine made records of: merged in file order
    numbered = held.numbered
    extra, extra_links = _from_records([r for _, r in numbered], getters, lists)
    line = pa.array([n for n, _ in numbered], pa.int64())
    order = pc.sort_indices(pa.concat_arrays([rows, line]))
    data = [
        pa.concat_arrays([col, pa.array(more, t)]).take(order)
        for col, more, t in zip(data, extra, types, strict=True)
    ]
    merged_links = []
    by_line = {r.id: n for n, r in numbered}
    owner_rows = [rows.take(parents) for parents in parent_rows]
    for (owners, flat, places), (more_owners, more_items, more_places), lines in zip(
        link_data, extra_links, owner_rows, strict=True
    ):
        key = pa.concat_arrays([lines, pa.array([by_line[o] for o in more_owners], pa.int64())])
        merged = [
            pa.concat_arrays([owners, pa.array(more_owners, pa.string())]),
            pa.concat_arrays([flat, pa.array(more_items, pa.string())]),
            pa.concat_arrays([places, pa.array(more_places, pa.int64())]),
        ]
        order = pc.sort_indices(
            pa.table({"line": key, "place": merged[2]}),
            sort_keys=[("line", "ascending"), ("place", "ascending")],
        )
        merged_links.append([c.take(order) for c in merged])
    return data, merged_links


def _as_is(cells: Any, default: str | None) -> Any:
    """A text column of *cells* as they are, an empty cell as *default*."""
    import pyarrow as pa
    import pyarrow.compute as pc

    col = pc.cast(cells, pa.string())
    empty = pc.equal(col, "")
    if not pc.any(empty).as_py():
        return col  # no copy
    if default is None and pc.all(empty).as_py():
        return pa.nulls(len(col), pa.string())
    return pc.if_else(empty, pa.scalar(default, pa.string()), col)


def _plain_types(kind: str) -> list[str | None]:
    """The column type of each field :func:`_layout` reads for *kind* (None for a
    date's three columns)."""
    main, _links, getters = _layout(kind)
    types = {c.name: c.type for c in main.columns}
    return [types[attr] if how == "plain" else None for how, attr in getters]


#: A list cell in the form parse_array splits itself: ``["a","b"]``, no backslash, no
#: quote but those around the items.
COMMON_LIST = r'^\["[^"\\]*(?:","[^"\\]*)*"\]$'


def _split_lists(kind: str, attr: str, cells: Any) -> Any:
    """The lists of list field *attr* (an Arrow list array, a row's empty cell as the
    field's default), read in Arrow from its *cells* when every distinct one is empty
    or in the form :func:`bilat.validation.cells.parse_array` splits itself
    (``["a","b"]``, no escape), and every distinct item is one the field's own
    validator takes as it is (as a list of one); else None (the cells are then read
    one distinct list at a time, in Python). Cells are read each once when few of
    them repeat (the first thousand tell), else each distinct one once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from bilat.validation import bulk

    convert, _many, default = bulk.specs(kind)[attr]
    if default not in (None, []):
        return None
    sample = cells.slice(0, 1024)
    encoded = None
    words = cells
    if pc.count_distinct(sample).as_py() * 2 <= len(sample):
        encoded = pc.dictionary_encode(cells)
        words = encoded.dictionary
    empty = pc.equal(words, "")
    if not pc.all(pc.or_(empty, pc.match_substring_regex(words, COMMON_LIST))).as_py():
        return None
    inner = pc.utf8_slice_codeunits(words, 2, -2)
    lists = pc.if_else(empty, pa.scalar([], pa.list_(pa.string())), pc.split_pattern(inner, '","'))
    items = pc.unique(pc.list_flatten(lists)).to_pylist()
    try:
        valid = convert([json.dumps([item], ensure_ascii=False) for item in items])
    except ValueError:  # pydantic's ValidationError among them
        return None
    if valid != [[item] for item in items] or not all(type(v[0]) is str for v in valid):
        return None
    return lists if encoded is None else lists.take(encoded.indices)


def tables(pkg: Exportable) -> list[Table]:
    """The package's records as tables, in an order where every table comes after the
    tables it refers to (link tables, then the package's other tables, last)."""
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
    # the ids and names of each kind, as lists or (from the blocks) Arrow arrays
    record_ids: list[Any] = []
    actor_ids: list[Any] = []
    actor_names: list[Any] = []
    for kind in RECORD_TYPES:
        main, link_defs, getters = _layout(kind)
        held = pkg.pending(kind)
        if held is None:
            recs = pkg.records(kind)
            ids: list[Any] = [r.id for r in recs]
            data, link_data = _from_records(recs, getters, [f for f, _ in link_defs])
            names = [getattr(r, "name", None) for r in recs] if kind in ACTOR_KINDS else []
        else:
            data, link_data = _from_bulk(kind, held, getters, [f for f, _ in link_defs])
            ids = data[[c.name for c in main.columns].index("id")]
            names = (
                data[[c.name for c in main.columns].index("name")] if kind in ACTOR_KINDS else []
            )
        out.append(replace(main, data=data))
        links += [replace(t, data=d) for (_f, t), d in zip(link_defs, link_data, strict=True)]
        record_ids.append(ids)
        records.data[1] += [kind] * len(ids)
        if kind in ACTOR_KINDS:
            actor_ids.append(ids)
            actors.data[1] += [kind] * len(ids)
            actor_names.append(names)
    records.data[0] = _joined(record_ids)
    actors.data[0] = _joined(actor_ids)
    actors.data[2] = _joined(actor_names)
    return out + links + other_tables(pkg)


def _joined(pieces: list[Any]) -> Any:
    """Columns of text end to end: a list, or an Arrow array when one of them is."""
    if all(isinstance(p, list) for p in pieces):
        return [value for p in pieces for value in p]
    import pyarrow as pa

    return pa.concat_arrays(
        [pa.array(p, pa.string()) if isinstance(p, list) else p for p in pieces]
    )


#: Table Schema field types and the column type each becomes; the rest become text
#: (objects and arrays as JSON).
_OTHER_TYPES = {
    "string": "text",
    "integer": "integer",
    "year": "integer",
    "number": "real",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
}


def _other_value(ftype: str, value: Any) -> Any:
    if value is None:
        return None
    if ftype == "real":
        return float(value)
    if ftype == "datetime" and value.tzinfo is not None:  # as UTC
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if ftype in ("integer", "boolean", "date", "datetime"):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value if isinstance(value, str) else str(value)


@cache
def bilat_names() -> frozenset[str]:
    """The names of the tables and views bilat's own records make (in every format)."""
    names = {"records", "actors", *(RESOURCE_NAMES[k] for k in RECORD_TYPES), *VIEWS}
    names |= {
        f"{kind}_{col.name}"
        for kind in RECORD_TYPES
        for col in columns(kind)
        if col.type == "array"
    }
    return frozenset(names)


def name_clash(name: str) -> str | None:
    """Why the package's resource *name* cannot give its table its own name (a bilat
    table or view has it, or SQLite reserves it), or None when it can."""
    folded = name.casefold()  # SQLite and DuckDB fold the case of names
    if folded in bilat_names():
        return f"bilat's own table {folded!r} has that name"
    if folded.startswith("sqlite_"):
        return "SQLite reserves names that begin with sqlite_"
    return None


def other_names(pkg: Exportable) -> dict[str, str]:
    """The table name each of the package's other resources gets, by resource name,
    the same in every format and from one export to the next: its own name, unless
    :func:`name_clash` says it cannot have it; then ``resource_NAME``, or when that
    is taken too (a resource has it, or another's table got it),
    ``resource_NAME_2``, ``resource_NAME_3``, ..., the first that is free, the
    resources renamed in the package's order. No two tables share a name, whatever
    their case."""
    own = [name for name in pkg.others if name_clash(name) is None]
    taken = {name.casefold() for name in own}
    out = dict.fromkeys(own, "")
    for name in pkg.others:
        if name in out:
            out[name] = name
            continue
        candidate, n = f"resource_{name}", 1
        while candidate.casefold() in taken or name_clash(candidate) is not None:
            n += 1
            candidate = f"resource_{name}_{n}"
        taken.add(candidate.casefold())
        out[name] = candidate
    return {name: out[name] for name in pkg.others}


def other_tables(pkg: Exportable) -> list[Table]:
    """The package's own resources that are not bilat records (read when the package
    was loaded), one table each, typed from their Table Schemas: integers and years
    as integers, numbers as reals, booleans, dates and datetimes as such, anything
    else as text; a datetime with an offset is converted to UTC. Each is named as
    :func:`other_names` says, and a renamed one's description says what it was."""
    out = []
    names = other_names(pkg)
    for other in pkg.others.values():
        types = [_OTHER_TYPES.get(f.type, "text") for f in other.fields]
        cols = [Column(f.name, t, f.description) for f, t in zip(other.fields, types, strict=True)]
        data: list[list[Any]] = [[] for _ in cols]
        for row in other.rows:
            for values, ftype, value in zip(data, types, row, strict=True):
                values.append(_other_value(ftype, value))
        name = names[other.name]
        description = (
            other.description
            or f"The package's resource {other.name!r}, as its Table Schema types it."
        )
        if name != other.name:
            description += f" It is named {name} here because {name_clash(other.name)}."
        out.append(
            Table(
                name,
                cols,
                data,
                primary_key=tuple(other.primary_key),
                description=description,
                label=None,
                resource=other.name,
            )
        )
    return out


def actor_states(pkg: Exportable) -> list[tuple[str, str]]:
    """(actor, state) pairs: the rows of the ``actor_states`` view, computed in Python
    (for Parquet, which has no views)."""
    from bilat import query

    return sorted(
        (actor, state) for actor, states in query.states_by_actor(pkg).items() for state in states
    )


def engagement_states(
    pkg: Exportable, pairs: list[tuple[str, str]] | None = None
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


#: The tables DuckDB gets a primary key for: the records (see to_duckdb).
_KEYED = frozenset({"records", "actors", *RESOURCE_NAMES.values()})


def _ddl(
    table: Table,
    sql_types: dict[str, str],
    without_rowid: bool = False,
    keys: bool | None = None,
) -> str:
    """CREATE TABLE for *table*: every key (or, with *keys* True, its primary key alone;
    False, none)."""
    parts = [f"{_q(c.name)} {sql_types[c.type]}" for c in table.columns]
    if table.primary_key and keys is not False:
        parts.append(f"PRIMARY KEY ({', '.join(_q(k) for k in table.primary_key)})")
    for c in table.columns:
        if c.references and keys is None:
            parts.append(f"FOREIGN KEY ({_q(c.name)}) REFERENCES {_q(c.references)} (id)")
    suffix = " WITHOUT ROWID" if without_rowid and table.primary_key else ""
    return f"CREATE TABLE {_q(table.name)} (\n  " + ",\n  ".join(parts) + "\n)" + suffix


def metadata_path(out: Path) -> Path:
    """Where the datasette metadata of the SQLite export *out* is written."""
    return out.with_name(out.stem + ".metadata.json")


def to_sqlite(pkg: Exportable, out: Path) -> Path:
    """Write the package as a SQLite database at *out* and its datasette metadata
    beside it (:func:`metadata_path`): both, or on any error neither."""
    built = tables(pkg)
    meta = metadata_path(out)
    metadata = (json.dumps(datasette_metadata(pkg, out.stem, built), indent=2) + "\n").encode()
    # the two files are written whole under temporary names, then renamed: a full disk
    # leaves neither, never a database without its metadata
    with (
        temporary_beside(out) as temp,
        temporary_beside(meta) as meta_temp,
        temporary_beside(out) as kept,
    ):
        write_synced(meta_temp, metadata, meta)
        _write_sqlite(built, temp, out)
        # the new pair, or the old one as it was: the database *out* held is kept
        # under another name until its metadata is replaced too, then put back if
        # that fails (a rename fails seldom: a folder or a link put there meanwhile)
        had = _keep(out, kept)
        try:
            commit(temp, out)
            commit(meta_temp, meta)
        except BaseException:
            # the new database renamed and not its metadata (else the new pair is whole,
            # and a Ctrl-C after the last rename leaves it): undone
            if not os.path.lexists(temp) and os.path.lexists(meta_temp):
                if had:
                    os.replace(kept, out)
                else:
                    out.unlink(missing_ok=True)
            raise
    return out


def _keep(out: Path, kept: Path) -> bool:
    """Keep the regular file *out*, if there is one, as *kept* too (a hard link, or
    where the file system has none, a copy); whether there was one."""
    import shutil
    import stat

    try:
        st = os.lstat(out)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise named(exc, out) from None
    if not stat.S_ISREG(st.st_mode):
        return False  # never replaced (see bilat.files.commit)
    try:
        kept.unlink()  # the empty file temporary_beside made: the name is ours
        try:
            os.link(out, kept)
        except OSError:  # no hard links here (FAT, some network shares)
            shutil.copy2(out, kept)
    except OSError as exc:
        raise named(exc, out) from None
    return True


def _write_sqlite(built: list[Table], temp: Path, out: Path) -> None:
    """Write the tables *built* as a SQLite database into the temporary file *temp*
    (an error names *out*)."""
    types = {
        "text": "TEXT",
        "integer": "INTEGER",
        "real": "REAL",
        "date": "DATE",
        "boolean": "BOOLEAN",
        "datetime": "DATETIME",
    }
    con = sqlite3.connect(temp)
    try:
        # a temporary file, renamed once whole: no journal, no syncing on the way
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        derived = _derived()
        for table in built:
            # keyed tables are stored in their key's B-tree (one tree, not a table
            # and an index)
            con.execute(_ddl(table, types, without_rowid=True))
            if table.name not in derived:
                _insert(con, table)
        for sql in derived.values():  # from the tables of each kind, in SQLite
            con.execute(sql)
        for name, sql in VIEWS.items():
            con.execute(f"CREATE VIEW {_q(name)} AS {sql}")
        con.commit()
    except sqlite3.Error as exc:  # a full disk, an I/O error
        raise ExportError(f"cannot write {out}: {exc}") from None
    finally:
        con.close()


@cache
def _derived() -> dict[str, str]:
    """The INSERT filling the ``records`` and ``actors`` tables from the tables of each
    kind (the rows :func:`tables` gives them), without binding a value."""

    def union(kinds: Iterable[str], name: bool) -> str:
        return " UNION ALL ".join(
            f"SELECT id, '{kind}'{', name' if name else ''} FROM {_q(RESOURCE_NAMES[kind])}"
            for kind in kinds
        )

    return {
        "records": f"INSERT INTO records (id, kind) {union(RECORD_TYPES, False)} ORDER BY 1",
        "actors": f"INSERT INTO actors (id, kind, name) {union(ACTOR_KINDS, True)} ORDER BY 1",
    }


#: Rows bound at a time: bounds the Python values alive at once.
_CHUNK = 64 * 1024
#: Rows one INSERT statement takes, within SQLite's smallest limit of parameters: each
#: statement run costs Python's sqlite3 a lock, a reset and a release of the GIL, so
#: a few dozen rows a run bind in less than half the time of one.
INSERT_ROWS = 64
_PARAMETERS = 999


def _insert(con: sqlite3.Connection, table: Table) -> None:
    """Insert the rows of *table*, in key order (so that each key's B-tree is built
    by appending), a chunk at a time (see :func:`insert_rows`)."""
    data = _sqlite_arrow(table)
    for start in range(0, len(data), _CHUNK):
        insert_rows(con, table.name, data.slice(start, _CHUNK))


def insert_rows(con: sqlite3.Connection, name: str, part: Any) -> None:
    """Insert the rows of the Arrow table *part* into table *name*, many to a statement.

    Binding is what costs, so as little is bound as the content allows, by numbered
    parameters: a column that is NULL throughout *part* is left out (NULL is its
    default); a column that holds one value throughout *part* (an only source, the
    place of an only item) is bound once per statement, and one equal throughout
    to a column before it (a full date's first and last day, equal to the date)
    takes that column's parameter. Python's sqlite3, which looks a None up among
    its adapters (making and dropping an AttributeError each time), gets a stand-in
    for NULL that ``NULLIF`` turns back (see :func:`_null_mark`)."""
    names: list[str] = []
    marks: list[tuple[str, bool, int]] = []  # each column's mark, and what it binds
    seen: list[tuple[Any, tuple[bool, int]]] = []  # each column bound, and how
    once: list[Any] = []  # the values bound once per statement
    cols: list[list[Any]] = []  # the columns bound row by row
    for cname, col in zip(part.column_names, part.columns, strict=True):
        if col.null_count == len(col) and (names or cname != part.column_names[-1]):
            continue  # NULL throughout (at least one column is kept)
        col = _plain(col)
        mark, stand_in = _null_mark(col)
        names.append(_q(cname))
        # reals aside: Arrow holds 0.0 equal to -0.0
        exact = not _floating(col)
        bound = next((b for c, b in seen if exact and c.type == col.type and c.equals(col)), None)
        if bound is None:
            if exact and cols and _constant(col):  # the first is bound row by row
                bound = (True, len(once))
                once.append(col[0].as_py())
            else:
                bound = (False, len(cols))
                cols.append(_bound(col, stand_in))
            seen.append((col, bound))
        marks.append((mark, *bound))
    fixed, width, first = len(once), len(cols), tuple(once)
    head = f"INSERT INTO {_q(name)} ({', '.join(names)}) VALUES "

    def rows(many: int) -> str:
        """*many* rows of parameters: first the values bound once, then row by row."""
        return ", ".join(
            "("
            + ", ".join(
                m.replace("?", f"?{j + 1 if o else fixed + r * width + j + 1}") for m, o, j in marks
            )
            + ")"
            for r in range(many)
        )

    many = max(1, min(INSERT_ROWS, (_PARAMETERS - fixed) // width))  # rows per statement
    flat: list[Any] = [None] * (len(part) * width)  # row after row
    for i, col_values in enumerate(cols):
        flat[i::width] = col_values
    values = iter(flat)
    full = len(part) // many * many
    if full:
        per = zip(*[islice(values, full * width)] * (width * many), strict=True)
        con.executemany(head + rows(many), (first + p for p in per) if once else per)
    if full < len(part):
        per = zip(*[values] * width, strict=True)
        con.executemany(head + rows(1), (first + p for p in per) if once else per)


def _constant(col: Any) -> bool:
    """Whether *col* holds one value throughout, and no NULL."""
    import pyarrow.compute as pc

    return not col.null_count and bool(pc.all(pc.equal(col, col[0])).as_py())


def _floating(col: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_floating(col.type))


def _plain(col: Any) -> Any:
    """*col* with its dictionary, if any, decoded (its values are what is bound)."""
    import pyarrow as pa

    return col.cast(col.type.value_type) if pa.types.is_dictionary(col.type) else col


def _null_mark(col: Any) -> tuple[str, Any]:
    """The parameter of a column and the stand-in bound for its NULLs (None: it has
    none). A text column's stand-in is ``''`` when it holds no empty text, else the
    integer 0; a number column's, ``''``. In SQLite, a value of one storage class never
    equals one of another (parameters have no affinity), so ``NULLIF`` gives NULL for
    the stand-in alone."""
    import pyarrow as pa
    import pyarrow.compute as pc

    col = _plain(col)
    if not col.null_count:
        return "?", None
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        return "NULLIF(?, '')", ""
    if pc.any(pc.equal(col, "")).as_py():
        return "NULLIF(?, 0)", 0
    return "NULLIF(?, '')", ""


def _bound(col: Any, stand_in: Any) -> list[Any]:
    """The values of *col* as Python binds them, NULLs as *stand_in*."""
    import pyarrow as pa
    import pyarrow.compute as pc

    col = _plain(col)
    if stand_in is None or not col.null_count:
        return list(col.to_pylist())
    if stand_in == "" and (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        return list(pc.fill_null(col, "").to_pylist())
    return [stand_in if v is None else v for v in col.to_pylist()]


def _sqlite_arrow(table: Table) -> Any:
    """*table* as an Arrow table as SQLite takes it: rows in key order, dates and
    datetimes as ISO 8601 text, booleans as integers (as Python binds them)."""
    import pyarrow as pa

    data = _arrow(table)
    if table.primary_key and len(data):
        data = data.sort_by([(k, "ascending") for k in table.primary_key])
    cols = []
    for col in data.columns:
        if pa.types.is_date32(col.type):
            col = col.cast(pa.string())
        elif pa.types.is_timestamp(col.type):
            col = pa.array(_sqlite_column(col.to_pylist()), pa.string())
        elif pa.types.is_boolean(col.type):
            col = col.cast(pa.int64())
        cols.append(col)
    return pa.table(cols, names=data.column_names)


def _sqlite_column(values: list[Any]) -> list[Any]:
    """Dates and datetimes as ISO 8601 text (each distinct one formatted once)."""
    seen: dict[Any, str] = {}
    out = []
    for value in values:
        if isinstance(value, dt.date):
            text = seen.get(value)
            if text is None:
                text = seen[value] = value.isoformat()
            out.append(text)
        else:
            out.append(value)
    return out


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
    pkg: Exportable, database: str, built: list[Table] | None = None
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

    types = {
        "text": pa.string(),
        "integer": pa.int64(),
        "real": pa.float64(),
        "date": pa.date32(),
        "boolean": pa.bool_(),
        "datetime": pa.timestamp("us"),
    }
    arrays = [
        pa.array(values, type=types[c.type]) if isinstance(values, list) else values
        for c, values in zip(table.columns, table.data, strict=True)
    ]
    return pa.table(arrays, names=[c.name for c in table.columns])


#: DuckDB's smallest block: each table and each index takes at least one block, and
#: the default (256 KiB) makes a small package's file tens of megabytes.
DUCKDB_BLOCK_SIZE = 16384


def to_duckdb(pkg: Exportable, out: Path) -> Path:
    """Write the package as a DuckDB database at *out* (needs the ``duckdb`` extra).

    Each table is inserted whole from an Arrow table (DuckDB's bulk path), into a
    file of small blocks."""
    try:
        import duckdb
    except ImportError:
        raise ExportError("--to duckdb needs duckdb: pip install 'bilat[duckdb]'") from None
    types = {
        "text": "VARCHAR",
        "integer": "BIGINT",
        "real": "DOUBLE",
        "date": "DATE",
        "boolean": "BOOLEAN",
        "datetime": "TIMESTAMP",
    }
    with temporary_beside(out) as temp:
        temp.unlink()  # DuckDB creates its file itself
        wal = temp.with_name(temp.name + ".wal")
        try:
            con = duckdb.connect()
            try:
                path = str(temp).replace("'", "''")
                con.execute("SET enable_progress_bar = false")  # it writes to stdout
                con.execute(f"ATTACH '{path}' AS export (BLOCK_SIZE {DUCKDB_BLOCK_SIZE})")
                con.execute("USE export")
                for table in tables(pkg):
                    # DuckDB enforces every key with an index stored in the file (at
                    # least a block each) and checks foreign keys on each insert: the
                    # record tables get their primary key (the ids one joins on); link
                    # tables and foreign keys are declared in SQLite only
                    con.execute(_ddl(table, types, keys=table.name in _KEYED))
                    data = _arrow(table)  # noqa: F841 - read by name in the SQL below
                    con.execute(f"INSERT INTO {_q(table.name)} SELECT * FROM data")
                    if table.resource is not None:  # what it holds (renamed or not)
                        text = (table.description or "").replace("'", "''")
                        con.execute(f"COMMENT ON TABLE {_q(table.name)} IS '{text}'")
                for name, sql in VIEWS.items():
                    con.execute(f"CREATE VIEW {_q(name)} AS {sql}")
                con.execute("USE memory")
                con.execute("DETACH export")
            finally:
                con.close()
            commit(temp, out)
        except duckdb.InterruptException:
            raise KeyboardInterrupt from None
        except duckdb.Error as exc:  # a full disk, an I/O error
            raise ExportError(f"cannot write {out}: {exc}") from None
        except RuntimeError as exc:
            # Ctrl-C while DuckDB runs a statement: it takes the KeyboardInterrupt
            # and raises this instead ("Query interrupted")
            if "interrupted" in str(exc).lower():
                raise KeyboardInterrupt from None
            raise
        finally:
            wal.unlink(missing_ok=True)
    return out


def _engagement_states(built: list[Table], states: Any) -> list[Any]:
    """The columns of the ``engagement_states`` view, from the participants link table
    and the ``actor_states`` rows (an Arrow table): as :func:`engagement_states`, by
    a join in Arrow."""
    participants = _arrow(next(t for t in built if t.name == "engagement_participants"))
    pairs = (
        participants.select(["engagement_id", "actor_id"])
        .join(states, "actor_id", join_type="inner")
        .group_by(["engagement_id", "state_id"])
        .aggregate([])
        .sort_by([("engagement_id", "ascending"), ("state_id", "ascending")])
    )
    return [
        pairs.column("engagement_id").combine_chunks(),
        pairs.column("state_id").combine_chunks(),
    ]


def to_parquet(pkg: Exportable, out: Path) -> Path:
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
    pairs = actor_states(pkg)
    extra[0].data = [[a for a, _ in pairs], [s for _, s in pairs]]
    built = tables(pkg)
    extra[1].data = _engagement_states(built, _arrow(extra[0]))
    for table in [*built, *extra]:
        target = out / f"{table.name}.parquet"
        data = _arrow(table)
        if table.resource is not None:  # which resource it holds, in the file's metadata
            data = data.replace_schema_metadata(
                {"bilat.resource": table.resource, "description": table.description or ""}
            )
        with temporary_beside(target) as temp:
            pq.write_table(data, temp)
            commit(temp, target)
    return out


#: A character XML 1.0 cannot hold, escaped or not (outside its ``Char`` production):
#: a control character but tab and line breaks, a lone surrogate, U+FFFE or U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

#: The attributes of the actor graph: GraphML key, scope, name (networkx's keys).
_GRAPH_KEYS = (
    ("d0", "graph", "name"),
    ("d1", "node", "kind"),
    ("d2", "node", "name"),
    ("d3", "edge", "engagement"),
    ("d4", "edge", "title"),
    ("d5", "edge", "type"),
    ("d6", "edge", "status"),
    ("d7", "edge", "start"),
)
_EDGE_KEYS = tuple(k for k, scope, _ in _GRAPH_KEYS if scope == "edge")
_EDGE_NAMES = tuple(n for _, scope, n in _GRAPH_KEYS if scope == "edge")
#: The fields of an engagement the graph reads (its id is the attribute "engagement").
_ENGAGEMENT_FIELDS = ("id", "title", "type", "status", "start", "participants")


def _field(record: Record, name: str) -> Any:
    value = getattr(record, name, None)
    return value.text if isinstance(value, PartialDate) else value


def _values(pkg: Exportable, kind: str, wanted: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    """The row (None when the package does not know it) and the values of the fields
    *wanted* of each record of *kind*, in file order, a partial date as its text and a
    list field as a list: from the records, or, where the columnar engine kept a
    table's cells, from them a block at a time, building no record (so that what is
    held is what the package holds, and one block's values)."""
    held = pkg.pending(kind)
    if held is None:
        for record in pkg.records(kind):
            yield (None, *(_field(record, name) for name in wanted))
        return
    from bisect import bisect_right

    from bilat.validation.bulk import Collected

    main, link_defs, getters = _layout(kind)
    lists = [f for f, _ in link_defs]
    names = [c.name for c in main.columns]
    numbered = sorted(held.numbered, key=itemgetter(0))  # the rows the row engine read
    lines = [n for n, _ in numbered]
    taken = 0
    for i, (rows, cells) in enumerate(held.blocks):
        # each block with the row engine's records of rows up to its last (all, last)
        upto = len(numbered)
        if i < len(held.blocks) - 1 and len(rows):
            upto = max(taken, bisect_right(lines, rows[-1].as_py(), lo=taken))
        part = Collected(numbered=numbered[taken:upto], blocks=[(rows, cells)])
        order = sorted([*rows.to_pylist(), *lines[taken:upto]])  # _from_bulk's order
        taken = upto
        data, link_data = _from_bulk(kind, part, getters, lists)
        ids = _pylist(data[names.index("id")])
        cols: list[list[Any]] = []
        for name in wanted:
            if name in lists:
                owners, items, _places = link_data[lists.index(name)]
                cols.append(_by_owner(ids, _pylist(owners), _pylist(items)))
            else:
                cols.append(_pylist(data[names.index(name)]))
        yield from zip(order, *cols, strict=True)


def _by_owner(ids: list[str], owners: list[str], items: list[Any]) -> list[list[Any]]:
    """The list of each of *ids* from the rows of its link table (*owners*, *items*:
    each id's rows together, in the order of *ids*)."""
    out = []
    start = 0
    end = len(owners)
    for rid in ids:
        stop = start
        while stop < end and owners[stop] == rid:
            stop += 1
        out.append(items[start:stop])
        start = stop
    return out


def _where(pkg: Exportable, kind: str, row: int | None, rid: str, name: str) -> str:
    """The file (or resource) of *kind*, the *row* where known (else the record's id
    *rid*: the records the row engine read keep no row), and the field *name*."""
    resource = RESOURCE_NAMES[kind]
    path = next(
        (
            r.get("path")
            for r in pkg.descriptor.get("resources") or []
            if isinstance(r, dict) and r.get("name") == resource
        ),
        None,
    )
    place = path if isinstance(path, str) else resource
    record = f"record {rid[:80]!r}" if row is None else f"row {row}"
    return f"{place}, {record}, field {name}"


def _actors(pkg: Exportable) -> Iterator[tuple[int | None, str, str, str]]:
    """The row, kind, id and name of each actor (the nodes of the actor graph)."""
    for kind in ACTOR_KINDS:
        for row, rid, name in _values(pkg, kind, ("id", "name")):
            yield row, kind, rid, rid if name is None else name


def _meetings(
    pkg: Exportable, max_participants: int | None
) -> Iterator[tuple[int | None, tuple[str, ...], list[str]]]:
    """The row, the edge attributes (engagement, title, type, status, start) and the
    distinct participants of each engagement; :class:`ExportError` for one with more
    than *max_participants* (None: no bound)."""
    for row, rid, title, etype, status, start, participants in _values(
        pkg, "engagement", _ENGAGEMENT_FIELDS
    ):
        people = list(dict.fromkeys(participants or ()))
        n = len(people)
        if max_participants is not None and n > max_participants:
            raise ExportError(
                f"{_where(pkg, 'engagement', row, rid, 'participants')}: engagement {rid!r} has "
                f"{n:,} distinct participants; the actor graph draws an edge between every "
                f"two participants of an engagement ({n * (n - 1) // 2:,} here) and takes "
                f"at most {max_participants:,} (the SQLite, DuckDB and Parquet exports "
                "list them all in engagement_participants)"
            )
        yield row, (rid, title or "", etype or "", status or "", start or ""), people


def graph(pkg: Exportable, *, max_participants: int | None = MAX_PARTICIPANTS) -> Any:
    """Who met whom, when: a ``networkx.MultiGraph`` of actors, held in memory, with an
    edge between every two participants of each engagement (key: the engagement's id;
    attributes: engagement, title, type, status, start) and the package's name as the
    graph's. An engagement with more than *max_participants* distinct participants
    (:data:`MAX_PARTICIPANTS`; None: no bound) is an :class:`ExportError` naming it.
    :func:`to_graphml` writes the same graph without holding it. Needs the ``graph``
    extra (networkx)."""
    try:
        import networkx as nx
    except ImportError:
        raise ExportError("the actor graph needs networkx: pip install 'bilat[graph]'") from None
    g = nx.MultiGraph(name=pkg.name)
    for _row, kind, rid, name in _actors(pkg):
        g.add_node(rid, kind=kind, name=name)
    for _row, attrs, people in _meetings(pkg, max_participants):
        data = dict(zip(_EDGE_NAMES, attrs, strict=True))
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                g.add_edge(a, b, key=attrs[0], **data)
    return g


def to_graphml(
    pkg: Exportable, out: Path, *, max_participants: int | None = MAX_PARTICIPANTS
) -> Path:
    """Write the actor graph (see :func:`graph`) as GraphML at *out*, as a stream: an
    element at a time, holding no graph (what networkx reads back is :func:`graph`'s).
    A text XML 1.0 cannot hold (U+FFFF, say) is an :class:`ExportError` naming its
    file, row (the id of a record the row engine read, which keeps no row) and field,
    as is an engagement with more than *max_participants*."""
    with temporary_beside(out) as temp:
        try:
            with open(temp, "w", encoding="utf-8", newline="\n") as f:
                _write_graphml(pkg, f, max_participants)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:  # a full disk, an I/O error
            raise named(exc, out) from None
        commit(temp, out)
    return out


def _xml_text(
    pkg: Exportable,
    kind: str,
    row: int | None,
    rid: str,
    names: Iterable[str],
    values: Iterable[str],
) -> None:
    """Refuse (:class:`ExportError`) a value XML 1.0 cannot hold."""
    for name, value in zip(names, values, strict=True):
        bad = _NOT_XML.search(value)
        if bad is not None:
            raise ExportError(
                f"{_where(pkg, kind, row, rid, name)}: {value[:80]!r} holds U+{ord(bad[0]):04X}, "
                "which XML 1.0 cannot hold, so GraphML cannot (the SQLite, DuckDB and Parquet "
                "exports can)"
            )


def _graphml_head(xml: Any) -> None:
    """The start of the GraphML document the XMLGenerator *xml* writes: its keys (all
    text), and the start of its one graph, undirected."""
    from xml.sax.xmlreader import AttributesImpl

    xml.startDocument()
    xml.startElement(
        "graphml",
        AttributesImpl(
            {
                "xmlns": "http://graphml.graphdrawing.org/xmlns",
                "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
                "xsi:schemaLocation": "http://graphml.graphdrawing.org/xmlns "
                "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd",
            }
        ),
    )
    for key, scope, name in _GRAPH_KEYS:
        xml.ignorableWhitespace("\n  ")
        attrs = {"id": key, "for": scope, "attr.name": name, "attr.type": "string"}
        xml.startElement("key", AttributesImpl(attrs))
        xml.endElement("key")
    xml.ignorableWhitespace("\n  ")
    xml.startElement("graph", AttributesImpl({"edgedefault": "undirected"}))


def _write_graphml(pkg: Exportable, f: io.TextIOBase, max_participants: int | None) -> None:
    """The actor graph as GraphML into *f*, a node or an edge at a time (escaped by
    :class:`xml.sax.saxutils.XMLGenerator`)."""
    from xml.sax.saxutils import XMLGenerator
    from xml.sax.xmlreader import AttributesImpl

    xml = XMLGenerator(f, "utf-8", short_empty_elements=True)
    end, space, text = xml.endElement, xml.ignorableWhitespace, xml.characters

    def start(name: str, attrs: dict[str, str]) -> None:
        xml.startElement(name, AttributesImpl(attrs))

    keys = {key: AttributesImpl({"key": key}) for key, _, _ in _GRAPH_KEYS}

    def data(key: str, value: str, indent: str) -> None:
        space(indent)
        xml.startElement("data", keys[key])
        text(value)
        end("data")

    _graphml_head(xml)
    bad = _NOT_XML.search(pkg.name)
    if bad is not None:
        raise ExportError(
            f"datapackage.json, field name: {pkg.name[:80]!r} holds U+{ord(bad[0]):04X}, "
            "which XML 1.0 cannot hold, so GraphML cannot"
        )
    data("d0", pkg.name, "\n    ")
    for row, kind, rid, name in _actors(pkg):
        _xml_text(pkg, kind, row, rid, ("id", "name"), (rid, name))
        space("\n    ")
        start("node", {"id": rid})
        data("d1", kind, "\n      ")
        data("d2", name, "\n      ")
        space("\n    ")
        end("node")
    for row, attrs, people in _meetings(pkg, max_participants):
        rid = attrs[0]
        _xml_text(pkg, "engagement", row, rid, _ENGAGEMENT_FIELDS[:-1], attrs)
        _xml_text(pkg, "engagement", row, rid, ["participants"] * len(people), people)
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                space("\n    ")
                start("edge", {"source": a, "target": b, "id": rid})
                for key, value in zip(_EDGE_KEYS, attrs, strict=True):
                    data(key, value, "\n      ")
                space("\n    ")
                end("edge")
    space("\n  ")
    end("graph")
    space("\n")
    end("graphml")
    space("\n")
    xml.endDocument()


def outputs(fmt: str, out: Path, pkg: Exportable | None = None) -> list[Path]:
    """Every file an export in *fmt* to *out* writes (of *pkg*: for Parquet, a file
    for each of its other tables too; without *pkg*, those of bilat's tables)."""
    if fmt == "sqlite":
        return [out, metadata_path(out)]
    if fmt == "parquet":
        names = sorted(bilat_names())
        if pkg is not None:
            names += other_names(pkg).values()
        return [out / f"{n}.parquet" for n in names]
    return [out]


def check_out(
    fmt: str, out: str | Path, *, force: bool = False, pkg: Exportable | None = None
) -> None:
    """Refuse, before anything is built, an export in *fmt* to *out* that would replace
    what is not its own (:class:`ExportError` naming the path), or that lacks its
    optional dependency; see :func:`bilat.files.guard_out`. Given the package *pkg*,
    every file the export writes is checked (for Parquet, its other tables' files
    too); without it, the files bilat's own tables make."""
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
        for file in outputs(fmt, path, pkg):
            if fmt != "parquet" or os.path.isdir(file.parent):
                guard_out(file, force=force)
        if fmt == "duckdb":  # loaded before the tables are built, not after
            import duckdb  # noqa: F401
            import pyarrow
        if fmt == "parquet":
            import pyarrow.parquet  # noqa: F401
    except WriteRefused as exc:
        raise ExportError(str(exc)) from None
    except ImportError as exc:
        need, extra = {
            "duckdb": ("duckdb", "bilat[duckdb]"),
            "parquet": ("pyarrow", "pyarrow"),
        }[fmt]
        if not isinstance(exc, ModuleNotFoundError):  # installed, but it would not load
            raise ExportError(f"--to {fmt}: {need} cannot be loaded ({exc})") from None
        raise ExportError(f"--to {fmt} needs {need}: pip install '{extra}'") from None


def _same_file(a: Path, b: Path) -> bool:
    try:
        if os.path.realpath(a) == os.path.realpath(b):
            return True
        return os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def check_inputs(fmt: str, out: Path, inputs: Iterable[Path], pkg: Exportable | None) -> None:
    """Refuse (:class:`ExportError`) an export in *fmt* to *out* that would write over
    one of *inputs*, the package's own files (see :func:`bilat.release.package_members`), whatever
    ``--force`` says."""
    inputs = list(inputs)
    for file in outputs(fmt, out, pkg):
        mine = next((i for i in inputs if _same_file(file, i)), None)
        if mine is not None:
            same = "" if str(mine) == str(file) else f" ({mine})"
            raise ExportError(
                f"{file} is one of the package's own files{same}; bilat export never "
                "replaces the package it reads, even with --force (name another path)"
            )


def export(
    pkg: Exportable,
    fmt: str,
    out: str | Path,
    *,
    force: bool = False,
    inputs: Iterable[Path] = (),
) -> Path:
    """Write *pkg* to *out* in format *fmt* (one of :data:`FORMATS`); return the path.

    An *out* that is a link, a device, a FIFO or a socket is refused, and so is an
    existing file unless *force*, and one of *inputs* (the package's own files, see
    :func:`bilat.release.package_members`) even with it (:class:`ExportError`, nothing written).
    Every file is written to a temporary name, removed on any error or Ctrl-C, and
    renamed.
    """
    path = Path(out)
    writers = {
        "sqlite": to_sqlite,
        "duckdb": to_duckdb,
        "parquet": to_parquet,
        "graphml": to_graphml,
    }
    check_inputs(fmt, path, inputs, pkg)
    check_out(fmt, path, force=force, pkg=pkg)  # every file, before any is written
    # millions of short-lived values and no cycles: the collector runs once, after
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return writers[fmt](pkg, path)
    except WriteRefused as exc:  # a link or special file put there since the check
        raise ExportError(str(exc)) from None
    finally:
        if gc_was_enabled:
            gc.enable()


def frames(pkg: Exportable, kind: str, library: str = "pandas") -> Any:
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
    "MAX_PARTICIPANTS",
    "VIEWS",
    "Column",
    "ExportError",
    "Table",
    "actor_states",
    "check_inputs",
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
