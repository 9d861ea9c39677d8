"""Hypothesis strategies for every record type, built by reading the models' fields.

``st.builds(Model)`` ignores field constraints, so this walks each field's annotation
and metadata (patterns, lengths, bounds, vocabularies, country codes, partial dates)
and builds a strategy that respects them. Model-level rules (end not before start, a
hash needs its seed, ...) are met by filling in the optional fields a record left out,
then by filtering through the model itself.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import types
import typing
from functools import cache
from typing import Any

import annotated_types as at
from hypothesis import strategies as st
from pydantic import BaseModel, StringConstraints, ValidationError

from bilat.codelist import CodeList
from bilat.models import RECORD_TYPES, PartialDate, Record
from bilat.models.claims import json_text


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    day = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    text = {"year": f"{day.year:04d}", "month": f"{day.year:04d}-{day.month:02d}"}.get(
        precision, day.isoformat()
    )
    return PartialDate(text)


#: JSON texts, as a Claim's value holds them
_JSON_TEXT = st.one_of(
    st.integers(-(10**6), 10**6), st.text(max_size=20), st.booleans(), st.none()
).map(lambda v: json.dumps(v, ensure_ascii=False))


def _string(meta: list[Any]) -> st.SearchStrategy[str]:
    if any(getattr(m, "func", None) is json_text for m in meta):
        return _JSON_TEXT
    for m in meta:
        if isinstance(m, CodeList):  # a vocabulary, the country codes
            return st.sampled_from(list(m.ordered()))
    pattern, min_len, max_len = None, 0, 60
    for m in meta:
        if isinstance(m, StringConstraints):
            pattern = m.pattern or pattern
            min_len = m.min_length or min_len
            max_len = min(max_len, m.max_length or max_len)
        elif isinstance(m, at.MinLen):
            min_len = m.min_length
        elif isinstance(m, at.MaxLen):
            max_len = min(max_len, m.max_length)
    if pattern is None:
        base: st.SearchStrategy[str] = st.text(min_size=min_len, max_size=max_len)
    else:
        # Rust regex and Python re agree on our patterns, which avoid \d and look-around.
        base = st.from_regex(pattern, fullmatch=True)
    return base.filter(lambda s: min_len <= len(s) <= max_len)


def _number(tp: type, meta: list[Any]) -> st.SearchStrategy[Any]:
    """Numbers within the field's bounds (``ge``, ``gt``, ``le``, ``lt``): drawing
    outside them only for the model to refuse costs Hypothesis whole records."""
    lo = hi = None
    lo_open = hi_open = False
    for m in meta:
        if isinstance(m, at.Ge):
            lo = m.ge
        elif isinstance(m, at.Gt):
            lo, lo_open = m.gt, True
        elif isinstance(m, at.Le):
            hi = m.le
        elif isinstance(m, at.Lt):
            hi, hi_open = m.lt, True
    if tp is int:
        low = -(10**6) if lo is None else math.floor(lo) + 1 if lo_open else math.ceil(lo)
        high = 10**6 if hi is None else math.ceil(hi) - 1 if hi_open else math.floor(hi)
        if lo is None:  # a default bound never crosses the field's own
            low = min(low, high)
        if hi is None:
            high = max(high, low)
        return st.integers(min_value=low, max_value=high)
    return st.floats(
        min_value=lo,
        max_value=hi,
        exclude_min=lo_open,
        exclude_max=hi_open,
        allow_nan=False,
        allow_infinity=False,
        width=64,
    )


def for_annotation(tp: Any, meta: list[Any]) -> st.SearchStrategy[Any]:
    """A strategy for values of annotation *tp* carrying constraint metadata *meta*."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(tp)
        return for_annotation(inner, [*extra, *meta])
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        inner_s = st.one_of([for_annotation(a, meta) for a in options])
        return st.none() | inner_s if len(options) < len(typing.get_args(tp)) else inner_s
    if origin is list:
        (item,) = typing.get_args(tp)
        min_size = next((m.min_length for m in meta if isinstance(m, at.MinLen)), 0)
        item_meta = [m for m in meta if not isinstance(m, (at.MinLen, at.MaxLen))]
        return st.lists(for_annotation(item, item_meta), min_size=min_size, max_size=3)
    if origin is typing.Literal:
        return st.sampled_from(typing.get_args(tp))
    if tp is PartialDate:
        return partial_dates()
    if tp is str:
        return _string(meta)
    if tp in (int, float):
        return _number(tp, meta)
    raise NotImplementedError(f"no strategy for {tp!r}")


@cache
def _fields(model: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The strategies of *model*'s required fields and of its optional ones."""
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, info in model.model_fields.items():
        strategy = for_annotation(info.annotation, list(info.metadata))
        (required if info.is_required() else optional)[name] = strategy
    return required, optional


def _valid(model: type[Record], data: dict[str, Any]) -> Record | None:
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


@st.composite
def _record(draw: st.DrawFn, model: type[Record]) -> Record | None:
    """A record of *model* with some optional fields left out, or, when the model's
    rules refuse what is left (a hash needs its seed, a value its unit), the same
    record with every optional field given; None when that too is refused."""
    required, optional = _fields(model)
    kept = draw(st.lists(st.booleans(), min_size=len(optional), max_size=len(optional)))
    chosen = {name: s for (name, s), keep in zip(optional.items(), kept, strict=True) if keep}
    some = draw(st.fixed_dictionaries({**required, **chosen}))
    if (record := _valid(model, some)) is not None:
        return record
    rest = {name: s for name, s in optional.items() if name not in chosen}
    return _valid(model, {**some, **draw(st.fixed_dictionaries(rest))}) if rest else None


def records(model: type[Record]) -> st.SearchStrategy[Record]:
    """Valid instances of *model*; model-level rules are met by filling in the optional
    fields a rule asks for, else by filtering."""
    return _record(model).filter(lambda r: r is not None)  # type: ignore[return-value]


def any_record() -> st.SearchStrategy[Record]:
    """Valid instances of any record type."""
    return st.one_of([records(cls) for cls in RECORD_TYPES.values()])
