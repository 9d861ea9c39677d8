"""Reading one table cell as its field's type and checking its constraints.

Shared by validation (layer 2) and the package reader, so both read a cell the same
way. A parser returns the typed value or raises :class:`CellProblem`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from bilat.models.dates import PartialDate
from bilat.models.types import ID_PATTERN
from bilat.tables import Column


class CellProblem(Exception):
    """A cell that is not of its field's type or breaks a constraint."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


_INT = re.compile(r"^[+-]?[0-9]+\Z")
#: Longest integer cell read (Python refuses to convert much longer ones).
MAX_INT_DIGITS = 4000
_FLOAT = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_ID = ID_PATTERN.rstrip("$")


def pattern_hint(pattern: str, value: str) -> str:
    """Say in words why *value* does not match *pattern*, for the patterns bilat uses."""
    if pattern.startswith("^[0-9]{4}(?:-(?:"):
        try:
            PartialDate(value)
        except ValueError as exc:
            return f"is not a valid date: {str(exc).split(': ', 1)[-1]}"
        return "is not a valid date"  # pragma: no cover
    if pattern.startswith(_ID):
        return "is not an id: use lowercase letters and digits, separated by single - _ or ."
    if pattern.startswith("^Q[1-9]"):
        return "is not a Wikidata id such as Q668"
    if pattern.startswith("^https?://"):
        return "is not an http(s) URL in RFC 3986 characters"
    if pattern.startswith("^[^\\s"):
        return "has leading or trailing whitespace, a line break or a control character"
    if pattern.startswith("^[^\\x00"):
        return "contains a control character"
    return f"does not match the pattern {pattern}"


def parse_array(raw: str) -> list[str]:
    """Read a CSV cell holding a JSON array of strings.

    The common form, ``["a","b"]`` with no escapes, is split directly; anything
    else goes through the JSON parser.
    """
    if raw[:2] == '["' and raw[-2:] == '"]' and len(raw) > 3:
        inner = raw[2:-2]
        # every quote left must be part of a "," separator, and nothing is escaped
        if "\\" not in inner and '"' not in inner.replace('","', ""):
            return inner.split('","')
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CellProblem("type-error", 'a JSON array of strings, such as ["a","b"]')
    return value


def parser(col: Column) -> Callable[[str], Any] | None:
    """A function reading a non-empty CSV cell of *col* into its JSON type.

    Strings need no reading (None is returned); their patterns, vocabularies and
    lengths are checked once, by the model, in the records layer.
    """
    if col.type == "string":
        return None
    if col.type == "integer":

        def parse_int(raw: str) -> int:
            if _INT.match(raw) is None:
                raise CellProblem("type-error", "an integer")
            if len(raw) > MAX_INT_DIGITS:
                raise CellProblem("type-error", f"an integer of at most {MAX_INT_DIGITS} digits")
            return int(raw)

        return parse_int
    if col.type == "number":

        def parse_number(raw: str) -> float:
            if _FLOAT.match(raw) is None:
                raise CellProblem(
                    "type-error", "a finite number (NaN and infinity are not allowed)"
                )
            value = float(raw)
            if not math.isfinite(value):
                raise CellProblem("type-error", "a finite number (it overflows)")
            return value

        return parse_number
    if col.type == "array":
        return parse_array
    raise TypeError(f"no parser for column type {col.type!r}")  # pragma: no cover


def format_cell(value: Any) -> str:
    """Write a value as a CSV cell, the inverse of :func:`parser`."""
    if value is None:
        return ""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value else ""
    if isinstance(value, bool):  # pragma: no cover - the models hold no booleans
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)
