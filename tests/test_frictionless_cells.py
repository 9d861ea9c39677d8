"""The law, cell by cell: a cell Frictionless's field reader refuses (with the Table
Schema bilat generates) is refused by bilat too, for every column of every record
type. Hypothesis draws cells around the edges (whitespace, digits of other scripts,
signs, exponents, JSON shapes, dates, control characters, long text)."""

from __future__ import annotations

from functools import cache
from typing import Any

import frictionless
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bilat.models import RECORD_TYPES
from bilat.tables import columns, table_schema
from bilat.validation.cells import CellProblem, parser
from bilat.validation.records import field_adapters

EDGES = [
    "",
    " ",
    "0",
    "1",
    "+1",
    "-1",
    " 1",
    "1 ",
    "01",
    "1_0",
    "١",
    "1.5",
    "1e3",
    "NaN",
    "inf",
    "1e400",
    "[]",
    '["a"]',
    '["a", "b"]',
    '["A"]',
    "[1]",
    "null",
    '{"a": 1}',
    "2023",
    "2023-02-29",
    "2024-02-29",
    "2023-13",
    "20-03-2023",
    "IND",
    "XKX",
    "ind",
    "Q668",
    "Q0",
    "summit",
    "held",
    "https://example.org/a",
    "x\ny",
    "x\x00y",
    "\u00a0x",
    "x" * 501,
    "a-b",
    "a--b",
]
CELLS = st.one_of(
    st.sampled_from(EDGES),
    st.text(max_size=12),
    st.from_regex(r"[0-9+\-. eE_]{1,8}", fullmatch=True),
    st.lists(st.sampled_from(["ind", "a b", "", "X", "1"]), max_size=3).map(
        lambda xs: "[" + ",".join(f'"{x}"' for x in xs) + "]"
    ),
)


@cache
def fr_reader(kind: str, name: str) -> Any:
    schema = frictionless.Schema.from_descriptor(table_schema(kind))
    return schema.get_field(name).create_cell_reader()


def bilat_accepts(kind: str, name: str, cell: str) -> bool:
    """Whether bilat's layers 2 and 3 accept *cell* as the value of one field."""
    column = next(c for c in columns(kind) if c.name == name)
    if cell == "":
        return not column.required
    parse = parser(column)
    try:
        value = cell if parse is None else parse(cell)
    except CellProblem:
        return False
    try:
        field_adapters(kind)[name].validate_python(value)
    except ValidationError:
        return False
    return True


FIELDS = [(kind, c.name) for kind in RECORD_TYPES for c in columns(kind) if c.name != "kind"]


@pytest.mark.parametrize(("kind", "name"), FIELDS)
def test_a_cell_frictionless_refuses_bilat_refuses(kind: str, name: str) -> None:
    read = fr_reader(kind, name)

    @settings(max_examples=60, deadline=None)
    @given(CELLS)
    def law(cell: str) -> None:
        _value, notes = read(cell)
        if notes:
            assert not bilat_accepts(kind, name, cell), (cell, notes)

    law()
    for cell in EDGES:  # every edge case, whatever hypothesis drew
        _value, notes = read(cell)
        if notes:
            assert not bilat_accepts(kind, name, cell), (cell, notes)
