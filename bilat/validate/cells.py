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


_INT = re.compile(r"^[+-]?[0-9]+$")
_FLOAT = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_ID = ID_PATTERN.rstrip("$")


def _pattern_hint(pattern: str) -> Callable[[str], str]:
    if pattern.startswith("^[0-9]{4}(?:-(?:"):

        def date_hint(value: str) -> str:
            try:
                PartialDate(value)
            except ValueError as exc:
                return f"is not a valid date: {str(exc).split(': ', 1)[-1]}"
            return "is not a valid date"  # pragma: no cover

        return date_hint
    if pattern.startswith(_ID):
        return lambda v: (
            "is not an id: use lowercase letters and digits, separated by single - _ or ."
        )
    if pattern.startswith("^Q[1-9]"):
        return lambda v: "is not a Wikidata id such as Q668"
    if pattern.startswith("^https?://"):
        return lambda v: "is not an http(s) URL in RFC 3986 characters"
    if pattern.startswith("^[^\\s"):
        return lambda v: "has leading or trailing whitespace, a line break or a control character"
    if pattern.startswith("^[^\\x00"):
        return lambda v: "contains a control character"
    return lambda v: f"does not match the pattern {pattern}"


def _string_checker(constraints: dict[str, Any], vocabulary: str | None) -> Callable[[str], None]:
    pattern = constraints.get("pattern")
    regex = re.compile(pattern) if pattern else None
    hint = _pattern_hint(pattern) if pattern else None
    enum: list[str] = list(constraints.get("enum") or [])
    allowed = frozenset(enum) if enum else None
    if allowed and vocabulary:
        enum_detail = f"is not a term of the {vocabulary} vocabulary (allowed: {', '.join(enum)})"
    elif allowed and len(allowed) <= 12:
        enum_detail = f"is not one of: {', '.join(enum)}"
    else:
        enum_detail = "is not one of the allowed values"
    min_len = constraints.get("minLength")
    max_len = constraints.get("maxLength")

    def check(value: str) -> None:
        if allowed is not None and value not in allowed:
            raise CellProblem("constraint-error", enum_detail)
        if regex is not None and regex.match(value) is None:
            raise CellProblem("constraint-error", hint(value) if hint else "")
        if min_len is not None and len(value) < min_len:
            raise CellProblem("constraint-error", f"is shorter than {min_len} characters")
        if max_len is not None and len(value) > max_len:
            raise CellProblem("constraint-error", f"is longer than {max_len} characters")

    return check


def parser(col: Column) -> Callable[[str], Any]:
    """A function reading a non-empty CSV cell of column *col* into its value."""
    if col.type == "string":
        check = _string_checker(col.constraints, col.vocabulary)

        def parse_string(raw: str) -> str:
            check(raw)
            return raw

        return parse_string
    if col.type == "integer":
        minimum = col.constraints.get("minimum")

        def parse_int(raw: str) -> int:
            if _INT.match(raw) is None:
                raise CellProblem("type-error", "an integer")
            value = int(raw)
            if minimum is not None and value < minimum:
                raise CellProblem("constraint-error", f"is less than the minimum {minimum}")
            return value

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
        item_check = _string_checker(col.item_constraints or {}, col.vocabulary)
        min_items = col.constraints.get("minLength")

        def parse_array(raw: str) -> list[str]:
            try:
                value = json.loads(raw)
            except (ValueError, RecursionError):
                value = None
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise CellProblem("type-error", 'a JSON array of strings, such as ["a","b"]')
            if min_items is not None and len(value) < min_items:
                raise CellProblem("constraint-error", f"has fewer than {min_items} item(s)")
            for i, item in enumerate(value, 1):
                try:
                    item_check(item)
                except CellProblem as exc:
                    raise CellProblem(exc.code, f"item {i} ({item!r}) {exc.detail}") from None
            return value

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
