"""Column checks for the columnar engine, compiled from the record models.

Each field of a record type gets one check over a whole column of raw CSV cells
(pyarrow strings). A check *passes* a cell only when the model would accept it; every
other cell flags its row, and flagged rows go through the row engine, which reports
exactly what is wrong. So a check may flag too much (that costs time) but never too
little (that would lose a finding): ``tests/test_columnar.py`` holds this law.

Three kinds of check, chosen from the field's annotation:

``string``
    ``str`` with only length and pattern constraints (ids, names, free text, URLs):
    the pattern runs in C (RE2) over ASCII cells of the right length; any other cell
    is validated one distinct value at a time by the field's own validator.
``idlist``
    a list of ids (references): the canonical JSON form ``["a","b"]`` with id items
    is matched by one regular expression; anything else is flagged.
``exact``
    everything else (codes from vocabularies, dates, numbers, other lists): each
    distinct value is read by the layer-2 cell parser and validated by the field's
    own pydantic validator, with the results cached.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from annotated_types import MinLen
from pydantic import StringConstraints, TypeAdapter, ValidationError

from bilat.models import RECORD_TYPES, Record
from bilat.models.types import ID_PATTERN
from bilat.tables import columns
from bilat.validation.cells import CellProblem, parser
from bilat.validation.records import INVALID, field_adapters, field_defaults

#: Distinct values remembered per column before the cache starts over.
MAX_CACHED = 200_000
_ID_INNER = ID_PATTERN[1:-1]
#: A list of ids as bilat writes it, ``["a","b"]``: split on '","' in layer 4.
_ID_LIST = rf'^\["{_ID_INNER}"(?:,"{_ID_INNER}")*\]$'
_CANONICAL_IDS = re.compile(_ID_LIST[1:-1])
_WHITESPACE = "\\t\\n\\x0b\\x0c\\r\\x20"


def re2_pattern(pattern: str) -> str | None:
    """*pattern* for RE2, or None when it cannot be carried over safely.

    The patterns only ever meet ASCII text here, where RE2 and pydantic's regex engine
    agree, except that RE2's ``\\s`` lacks the vertical tab: it is spelled out.
    """
    out = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            pair = pattern[i : i + 2]
            if pair == "\\s":
                if not in_class:
                    return None
                out.append(_WHITESPACE)
            elif pair[1] in "dDwWbBsSZAzpP":
                return None
            else:
                out.append(pair)
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        out.append(ch)
        i += 1
    return "".join(out)


def ascii_only(pattern: str) -> bool:
    """Whether *pattern* can match ASCII text only: every character it names is an
    ASCII literal or in a class of ASCII literals and ranges (no negated class, no
    ``.``, no class escape)."""
    i = 0
    in_class = False
    while i < len(pattern):
        ch = pattern[i]
        if not ch.isascii():
            return False
        if ch == "\\":
            nxt = pattern[i + 1 : i + 2]
            if nxt.isalpha() and nxt not in "tnrfv":  # \x.. \s \d \w \p ...: not sure
                return False
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            if pattern[i + 1 : i + 2] == "^":
                return False
            in_class = True
        elif ch == ".":
            return False
        i += 1
    return True


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``| None``, and whether None was allowed."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _string_constraints(annotation: Any, metadata: list[Any]) -> StringConstraints | None:
    """The only constraints of a plain constrained string, or None if it has others."""
    extra = list(metadata)
    if typing.get_origin(annotation) is typing.Annotated:
        base, *more = typing.get_args(annotation)
        extra += more
        annotation = base
    if annotation is not str:
        return None
    found = [m for m in extra if isinstance(m, StringConstraints)]
    others = [m for m in extra if not isinstance(m, StringConstraints) and not _harmless(m)]
    if len(found) != 1 or others:
        return None
    sc = found[0]
    if sc.strip_whitespace or sc.to_upper or sc.to_lower or sc.pattern is None:
        return None
    return sc


def _harmless(meta: Any) -> bool:
    """Metadata that does not change what a value may be (references, docs)."""
    return type(meta).__name__ == "RefTo" or type(meta).__name__ == "FieldInfo"


@dataclass
class ColumnCheck:
    """The check of one column: see the module docstring for the three kinds."""

    name: str
    mode: str  # "string", "idlist" or "exact"
    required: bool
    adapter: TypeAdapter[Any]
    parse: Any = None  # the layer-2 cell parser, for exact checks
    pattern: str | None = None  # RE2, anchored
    #: the pattern matches ASCII text only (so no other text needs checking apart)
    ascii_only: bool = False
    min_length: int = 0
    max_length: int | None = None
    default: Any = None  # the value of an empty cell
    cache: dict[str, Any] = field(default_factory=dict)

    def exact(self, raw: str) -> Any:
        """The value of the non-empty cell *raw* as the model holds it, or INVALID."""
        value = self.cache.get(raw, self)
        if value is not self:
            return value
        try:
            parsed = self.parse(raw) if self.parse is not None else raw
            value = self.adapter.validate_python(parsed)
        except (CellProblem, ValidationError):
            value = INVALID
        if len(self.cache) >= MAX_CACHED:
            self.cache.clear()
        self.cache[raw] = value
        return value

    def typed(self, raw: str) -> Any:
        """The value of any cell of a row this check passed."""
        if raw == "":
            return self.default
        if self.mode == "string":
            return raw
        return self.exact(raw)

    def flag(
        self, col: pa.Array, longest: int | None = None, few: bool | None = None
    ) -> pa.Array | None:
        """True for each cell whose row must go to the row engine (None: no cell).

        *longest* is the longest cell's length in bytes, if known. *few* says whether
        the column has few distinct values (then each is validated once, and cached),
        or None to count them.
        """
        if len(col) == 0:
            return None
        if longest is None:
            longest = pc.max(pc.binary_length(col)).as_py()
        if longest == 0:  # every cell is empty
            return pa.array([True] * len(col), pa.bool_()) if self.required else None
        empty = pc.equal(col, "")
        if self.mode != "exact" and few is None:
            few = self.few_values(col)
        if self.mode == "exact" or few:
            suspect = None
        else:
            good = pc.match_substring_regex(col, self.pattern)
            if not self.ascii_only:  # RE2 and pydantic agree on ASCII text only
                good = pc.and_(good, pc.string_is_ascii(col))
            # a non-empty cell has at least one character; none is longer than its bytes
            if self.min_length > 1 or (self.max_length is not None and longest > self.max_length):
                length = pc.utf8_length(col)
                if self.min_length > 1:
                    good = pc.and_(good, pc.greater_equal(length, self.min_length))
                if self.max_length is not None:
                    good = pc.and_(good, pc.less_equal(length, self.max_length))
            suspect = pc.invert(pc.or_(good, empty))
            if self.mode == "idlist":
                return _or(suspect, empty if self.required else None)
        candidates = col if suspect is None else col.filter(suspect)
        bad: list[str] = []
        if suspect is None or pc.any(suspect).as_py():
            distinct = pc.unique(candidates).to_pylist()
            bad = [v for v in distinct if v != "" and not self._passes(v)]
        flagged = pc.is_in(col, value_set=pa.array(bad, pa.string())) if bad else None
        return _or(flagged, empty if self.required else None)

    def _passes(self, raw: str) -> bool:
        """Whether the model accepts the non-empty cell *raw* (in the canonical form,
        for a list of ids, which layer 4 splits in columns)."""
        if self.exact(raw) is INVALID:
            return False
        return self.mode != "idlist" or _CANONICAL_IDS.fullmatch(raw) is not None

    @staticmethod
    def few_values(col: pa.Array) -> bool:
        """Whether *col* has few distinct values (then each is validated once)."""
        return bool(pc.count_distinct(col).as_py() <= max(16, len(col) // 20))


def _or(a: pa.Array | None, b: pa.Array | None) -> pa.Array | None:
    if a is None:
        return b
    if b is None:
        return a
    return pc.or_(a, b)


@cache
def checks(kind: str) -> tuple[ColumnCheck, ...]:
    """The column check of each field of *kind*, in Table Schema order."""
    model: type[Record] = RECORD_TYPES[kind]
    adapters, defaults = field_adapters(kind), field_defaults(kind)  # the records layer's own
    out = []
    for col in columns(kind):
        info = model.model_fields[col.name]
        check = ColumnCheck(col.name, "exact", col.required, adapters[col.name], parser(col))
        # an empty cell of a required field is flagged, so its default is never read
        check.default = None if defaults[col.name] is INVALID else defaults[col.name]
        base, _optional = _unwrap(info.annotation)
        sc = _string_constraints(base, info.metadata)
        pattern = re2_pattern(str(sc.pattern)) if sc is not None and sc.pattern else None
        if sc is not None and pattern is not None and col.type == "string":
            check.mode = "string"
            check.pattern = pattern
            check.ascii_only = ascii_only(pattern)
            check.min_length = sc.min_length or 0
            check.max_length = sc.max_length
            check.parse = None
        elif col.type == "array" and typing.get_origin(base) is list:
            (item,) = typing.get_args(base)
            isc = _string_constraints(item, [])
            mins = [m.min_length for m in info.metadata if isinstance(m, MinLen)]
            if (
                isc is not None
                and isc.pattern == ID_PATTERN
                and isc.max_length is not None
                and (not mins or mins[0] <= 1)
                and all(isinstance(m, MinLen) or _harmless(m) for m in info.metadata)
            ):
                check.mode = "idlist"
                check.pattern = _ID_LIST
                check.ascii_only = ascii_only(_ID_LIST)
                # every item is shorter than the cell: a short cell has no long item
                check.max_length = isc.max_length + 4
        if check.pattern is not None:
            try:
                pc.match_substring_regex(pa.array([""], pa.string()), check.pattern)
            except pa.ArrowInvalid:  # pragma: no cover - RE2 refused it: stay exact
                check.mode, check.pattern, check.parse = "exact", None, parser(col)
        out.append(check)
    return tuple(out)


#: Each rule's verdict on combinations of raw cells already seen, by (rule, cells).
_RULE_VERDICTS: dict[tuple[int, tuple[str, ...]], bool] = {}


def rule_holds(rule: Any, raws: tuple[str, ...], by_name: dict[str, ColumnCheck]) -> bool:
    """Whether record rule *rule* holds on the raw cells *raws* of the columns it reads
    (*by_name*: the kind's column checks). A cell its own check refuses is flagged by
    that check, so the rule is not run and counts as holding. Every engine that judges
    distinct combinations asks this; verdicts are remembered (a bounded cache)."""
    found = (id(rule), raws)
    holds = _RULE_VERDICTS.get(found)
    if holds is None:
        values = [by_name[n].typed(r) for n, r in zip(rule.reads, raws, strict=True)]
        holds = any(v is INVALID for v in values) or rule.check(*values) is None
        if len(_RULE_VERDICTS) > 200_000:
            _RULE_VERDICTS.clear()
        _RULE_VERDICTS[found] = holds
    return holds
