"""Records, and export columns, from the blocks the columnar engine proved valid.

When a package is loaded, the columnar engine keeps the raw cells (as Arrow string
columns) of the rows no check flagged, instead of validating each row into a record:
such a row is one the model accepts (the law of
:func:`bilat.validation.engines.columnar.blocks.flag_rows`). The rows it flagged go through the row
engine, which makes their records as ever (:attr:`Collected.numbered`).

From the blocks, :func:`records` builds the records exactly as pydantic builds a
validated one, and :func:`arrow_columns` the typed columns of an export, without
building any record. Either way, the distinct cells of each column are read by the
column's parser and validated by the field's own validator, once each and all at once
(the export takes the text of :func:`verbatim` fields from the cells as they are, the
value that validator would give back); the first record of each kind is also
validated by the model and compared.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from bilat.models import RECORD_TYPES, Record
from bilat.tables import columns
from bilat.validation.cells import parser

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass
class Collected:
    """What loading kept of one resource: the row engine's records with their line
    numbers, and the valid blocks' line numbers and raw cells."""

    numbered: list[tuple[int, Record]] = field(default_factory=list)
    blocks: list[tuple[pa.Array, dict[str, pa.Array]]] = field(default_factory=list)

    def block_rows(self) -> tuple[pa.Array, dict[str, pa.Array]]:
        """The blocks as one: line numbers and cells by column."""
        import pyarrow as pa

        rows = pa.concat_arrays([r for r, _ in self.blocks])
        names = list(self.blocks[0][1])
        cols = {n: pa.concat_arrays([c[n] for _, c in self.blocks]) for n in names}
        return rows, cols


#: How a field is read: a list of non-empty cells to their values, whether the field
#: is a list, and its value when the cell is empty (the default, validated).
Spec = tuple[Callable[[list[str]], list[Any]], bool, Any]


@cache
def specs(kind: str) -> dict[str, Spec]:
    """Each field of *kind*, in the model's order (see :data:`Spec`)."""
    from pydantic import TypeAdapter

    from bilat.validation.records import STRICT

    cols = {c.name: c for c in columns(kind)}
    out: dict[str, Spec] = {}
    for name, info in RECORD_TYPES[kind].model_fields.items():
        annotation = info.rebuild_annotation()
        check = TypeAdapter(annotation, config=STRICT).validate_python
        many_check = TypeAdapter(list[annotation], config=STRICT).validate_python  # type: ignore[valid-type]
        parse = parser(cols[name])

        def convert(
            raws: list[str], check: Any = many_check, parse: Callable[[str], Any] | None = parse
        ) -> list[Any]:
            return list(check(raws if parse is None else [parse(r) for r in raws]))

        if info.default_factory is not None:
            default = check(info.default_factory())  # type: ignore[call-arg]
        elif info.is_required():
            default = None  # never used: a valid row has every required cell
        else:
            default = check(info.default)
        out[name] = (convert, cols[name].type == "array", default)
    return out


#: What a ``str`` schema of pydantic may hold for its validator to give a valid text
#: back as it is: lengths and a pattern (no stripping, no case folding), and the
#: JSON Schema's annotations.
_AS_IS = frozenset({"type", "min_length", "max_length", "pattern", "strict", "metadata"})


@cache
def verbatim(kind: str) -> frozenset[str]:
    """The fields of *kind* whose value, for the cell of a valid row, is the cell
    itself: text that no parser reads, validated by pydantic's own ``str`` validator
    alone (optional or not: see :data:`_AS_IS`), whose default (an empty cell's
    value) is text or None. An export takes their cells as they are, rather than
    validating every distinct one again to get it back unchanged."""
    from pydantic import TypeAdapter

    from bilat.validation.records import STRICT

    cols = {c.name: c for c in columns(kind)}
    out = set()
    for name, info in RECORD_TYPES[kind].model_fields.items():
        if parser(cols[name]) is not None:
            continue
        schema: Any = TypeAdapter(info.rebuild_annotation(), config=STRICT).core_schema
        if schema["type"] == "nullable" and set(schema) <= {"type", "schema", "metadata"}:
            schema = schema["schema"]
        default = specs(kind)[name][2]
        if schema["type"] == "str" and set(schema) <= _AS_IS and type(default) in (str, type(None)):
            out.add(name)
    return frozenset(out)


def _distinct(col: pa.Array, spec: Spec) -> tuple[list[Any], pa.Array]:
    """The value of each distinct cell of *col*, and each row's index into them."""
    import pyarrow.compute as pc

    convert, _many, default = spec
    encoded = pc.dictionary_encode(col)
    words = encoded.dictionary.to_pylist()
    done = iter(convert([w for w in words if w]))
    return [next(done) if w else default for w in words], encoded.indices


def _validated(kind: str, cols: dict[str, pa.Array], i: int) -> Record:
    """Row *i* of *cols* validated by the model, as the row engine does it."""
    data: dict[str, Any] = {}
    for col in columns(kind):
        raw = cols[col.name][i].as_py()
        if raw:
            parse = parser(col)
            data[col.name] = raw if parse is None else parse(raw)
    record: Record = RECORD_TYPES[kind].__pydantic_validator__.validate_python(data)
    return record


def _same(a: Any, b: Any) -> bool:
    """Whether two records are the same in every way pydantic keeps them."""
    return bool(
        a == b
        and list(a.__dict__) == list(b.__dict__)
        and a.__pydantic_fields_set__ == b.__pydantic_fields_set__
        and a.__pydantic_extra__ == b.__pydantic_extra__
        and a.__pydantic_private__ == b.__pydantic_private__
        and all(type(a.__dict__[k]) is type(b.__dict__[k]) for k in a.__dict__)
    )


class NotExact(RuntimeError):
    """Records built from the blocks would differ from validated ones (a bug)."""


def records(kind: str, collected: Collected) -> list[Record]:
    """Every record *collected* holds, in file order.

    Records share their values' immutable objects (strings, partial dates) and the
    set of fields they were given; every list is their own.
    """
    numbered = list(collected.numbered)
    if collected.blocks:
        # hundreds of thousands of records and no cycle: the collector runs after
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            rows, cols = collected.block_rows()
            numbered += zip(rows.to_pylist(), _build(kind, cols), strict=True)
            numbered.sort(key=_first)
        finally:
            if gc_was_enabled:
                gc.enable()
    return [record for _row, record in numbered]


def _first(pair: tuple[int, Record]) -> int:
    return pair[0]


def _build(kind: str, cols: dict[str, pa.Array]) -> list[Record]:
    import pyarrow as pa
    import pyarrow.compute as pc

    model = RECORD_TYPES[kind]
    fields = specs(kind)
    values: list[list[Any]] = []
    pattern = None
    for bit, (name, spec) in enumerate(fields.items()):
        col = cols[name]
        table, indices = _distinct(col, spec)
        values.append(list(map(table.__getitem__, indices.to_pylist())))
        empty = pc.multiply(pc.cast(pc.equal(col, ""), pa.int64()), 1 << bit)
        pattern = empty if pattern is None else pc.add(pattern, empty)
    names = list(fields)
    lists = [name for name, spec in fields.items() if spec[1]]
    patterns = [] if pattern is None else pattern.to_pylist()
    given = {p: {n for bit, n in enumerate(names) if not p >> bit & 1} for p in set(patterns)}
    new, setattr_ = model.__new__, object.__setattr__
    out: list[Record] = []
    for cells, p in zip(zip(*values, strict=True), patterns, strict=True):
        data = dict(zip(names, cells, strict=True))
        for name in lists:
            data[name] = list(data[name])
        record = new(model)
        setattr_(record, "__dict__", data)
        setattr_(record, "__pydantic_fields_set__", given[p])
        setattr_(record, "__pydantic_extra__", None)
        setattr_(record, "__pydantic_private__", None)
        out.append(record)
    if out and not _same(out[0], _validated(kind, cols, 0)):  # pragma: no cover - a bug
        raise NotExact(f"{kind}: records built in bulk differ from validated ones")
    return out


def arrow_columns(
    kind: str, cols: dict[str, pa.Array], skip: frozenset[str] = frozenset()
) -> dict[str, tuple[list[Any], pa.Array]]:
    """For each field but those in *skip*: the value of each distinct cell and each
    row's index into them (the export makes its typed columns of them)."""
    fields = specs(kind)
    if len(cols["id"]) and not _same(
        _build(kind, {n: c.slice(0, 1) for n, c in cols.items()})[0], _validated(kind, cols, 0)
    ):  # pragma: no cover
        raise NotExact(f"{kind}: values read in bulk differ from validated ones")
    return {name: _distinct(cols[name], spec) for name, spec in fields.items() if name not in skip}
