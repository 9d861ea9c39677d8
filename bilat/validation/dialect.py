"""CSV dialects: every property Frictionless reads is applied as Frictionless applies
it, or refused.

Frictionless (5.x) reads a dialect's properties either at its top level or under
``"csv"``; it parses with Python's csv module, so bilat applies ``delimiter``,
``quoteChar``, ``escapeChar``, ``skipInitialSpace`` and ``doubleQuote`` through the same
module, with Frictionless's quirk that ``doubleQuote`` counts only when an
``escapeChar`` is set. ``commentChar``, ``commentRows`` and ``skipBlankRows`` are
applied as its filters are. ``lineTerminator`` does not change how a file is read.
Multi-line headers, case-insensitive headers, headerless files and ``nullSequence``
(which Frictionless reads but ignores) are refused.

What a dialect leaves undeclared, Frictionless guesses from the first 100 lines with
Python's csv.Sniffer; :func:`guess` makes the same guess, so a file that Frictionless
would read differently from bilat is reported rather than read two ways.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from typing import Any

from bilat.findings import CodeName

#: Lines Frictionless samples to guess a dialect.
SAMPLE_LINES = 100
#: Largest sample bilat guesses from (csv.Sniffer's regexes are slow on huge lines).
MAX_SAMPLE_CHARS = 1 << 20

_CSV_PROPS = (
    "delimiter",
    "lineTerminator",
    "quoteChar",
    "doubleQuote",
    "escapeChar",
    "nullSequence",
    "skipInitialSpace",
)
_KNOWN = {
    *_CSV_PROPS,
    "csv",
    "header",
    "headerRows",
    "headerJoin",
    "headerCase",
    "commentChar",
    "commentRows",
    "skipBlankRows",
    "name",
    "title",
    "description",
    "type",
    "$schema",
    "profile",
    "csvddfVersion",
}


@dataclass(frozen=True)
class Dialect:
    """How to read one CSV file."""

    delimiter: str = ","
    quotechar: str = '"'  # "" means no quoting
    doublequote: bool = True
    escapechar: str | None = None
    skipinitialspace: bool = False
    comment_char: str | None = None
    comment_rows: frozenset[int] = frozenset()
    skip_blank_rows: bool = False
    #: Properties the descriptor declared (others Frictionless guesses).
    declared: frozenset[str] = field(default=frozenset(), compare=False)

    def reader_options(self) -> dict[str, Any]:
        """Keyword arguments for :func:`csv.reader`, as Frictionless builds them."""
        return {
            "delimiter": self.delimiter,
            "quotechar": self.quotechar or None,
            "quoting": csv.QUOTE_NONE if self.quotechar == "" else csv.QUOTE_MINIMAL,
            "doublequote": self.doublequote if self.escapechar else True,
            "escapechar": self.escapechar,
            "skipinitialspace": self.skipinitialspace,
            "strict": False,
        }

    @property
    def plain(self) -> bool:
        """True for the dialect bilat writes (the fast paths assume it)."""
        return self == Dialect()


@dataclass
class Resolved:
    dialect: Dialect | None
    #: (code, detail) problems: dialect-unsupported, descriptor-invalid
    problems: list[tuple[CodeName, str]]


def _one_char(name: str, value: Any, empty_ok: bool = False) -> str | None:
    if not isinstance(value, str) or len(value) > 1 or (value == "" and not empty_ok):
        return f"dialect {name} {value!r} must be a single character"
    if value in "\r\n" and value != "":
        return f"dialect {name} cannot be a line break"
    return None


def resolve(raw: Any) -> Resolved:
    """The dialect a resource declares, or the problems that keep bilat from reading it."""
    if raw is None:
        return Resolved(Dialect(), [])
    if isinstance(raw, str):
        return Resolved(
            None,
            [
                (
                    "dialect-unsupported",
                    "the dialect must be written inline as an object, not a path",
                )
            ],
        )
    if not isinstance(raw, dict):
        return Resolved(None, [("descriptor-invalid", "the dialect must be an object")])
    props: dict[str, Any] = {}
    nested = raw.get("csv")
    if nested is not None:
        if not isinstance(nested, dict):
            return Resolved(None, [("descriptor-invalid", "dialect 'csv' must be an object")])
        props.update(nested)
    props.update({k: v for k, v in raw.items() if k in _CSV_PROPS})
    problems: list[tuple[CodeName, str]] = []
    options: dict[str, Any] = {}
    _csv_properties(props, problems, options)
    _row_properties(raw, problems, options)
    unknown = sorted(k for k in raw if k not in _KNOWN)
    if unknown:
        problems.append(
            ("dialect-unsupported", f"dialect property {unknown[0]!r} is not one bilat knows")
        )
    if problems:
        return Resolved(None, problems)
    return Resolved(Dialect(**options, declared=frozenset(props)), [])


Problems = list[tuple[CodeName, str]]


def _csv_properties(props: dict[str, Any], problems: Problems, options: dict[str, Any]) -> None:
    """Check the properties of the csv module's reader (*props*, nested ``csv`` ones
    merged), adding to *problems* and the :class:`Dialect` *options*."""
    if "delimiter" in props:
        why = _one_char("delimiter", props["delimiter"])
        if why is None and props["delimiter"] == props.get("quoteChar", '"'):
            why = "dialect delimiter and quoteChar are the same character"
        if why:
            problems.append(("descriptor-invalid", why))
        else:
            options["delimiter"] = props["delimiter"]
    if "quoteChar" in props:
        why = _one_char("quoteChar", props["quoteChar"], empty_ok=True)
        if why:
            problems.append(("descriptor-invalid", why))
        else:
            options["quotechar"] = props["quoteChar"]
    if "escapeChar" in props:
        why = _one_char("escapeChar", props["escapeChar"])
        if why:
            problems.append(("descriptor-invalid", why))
        else:
            options["escapechar"] = props["escapeChar"]
    for name, key in (("doubleQuote", "doublequote"), ("skipInitialSpace", "skipinitialspace")):
        if name in props:
            if not isinstance(props[name], bool):
                problems.append(("descriptor-invalid", f"dialect {name} must be true or false"))
            else:
                options[key] = props[name]
    if "lineTerminator" in props and not isinstance(props["lineTerminator"], str):
        problems.append(("descriptor-invalid", "dialect lineTerminator must be a string"))
    if props.get("nullSequence") is not None:
        problems.append(
            (
                "dialect-unsupported",
                "dialect nullSequence is not supported (Frictionless ignores it too): "
                "leave absent values as empty cells",
            )
        )


def _row_properties(raw: dict[str, Any], problems: Problems, options: dict[str, Any]) -> None:
    """Check the header and comment-row properties of the dialect *raw*, adding to
    *problems* and the :class:`Dialect` *options*."""
    header = raw.get("header", True)
    if header is not True:
        problems.append(("dialect-unsupported", "CSV without a header row is not supported"))
    rows = raw.get("headerRows", [1])
    if rows != [1]:
        problems.append(
            ("dialect-unsupported", f"dialect headerRows {rows!r} is not supported; use [1]")
        )
    if raw.get("headerCase", True) is not True:
        problems.append(
            ("dialect-unsupported", "dialect headerCase false is not supported; match case")
        )
    if "commentChar" in raw:
        value = raw["commentChar"]
        if not isinstance(value, str) or value == "":
            problems.append(("descriptor-invalid", "dialect commentChar must be a string"))
        else:
            options["comment_char"] = value
    if "commentRows" in raw:
        value = raw["commentRows"]
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            problems.append(
                ("descriptor-invalid", "dialect commentRows must be a list of integers")
            )
        elif 1 in value:
            problems.append(
                ("dialect-unsupported", "dialect commentRows cannot hold the header row")
            )
        else:
            options["comment_rows"] = frozenset(value)
    if "skipBlankRows" in raw:
        if not isinstance(raw["skipBlankRows"], bool):
            problems.append(("descriptor-invalid", "dialect skipBlankRows must be true or false"))
        else:
            options["skip_blank_rows"] = raw["skipBlankRows"]


def sniff(sample: list[str], dialect: Dialect) -> Dialect:
    """*dialect* with the properties it leaves undeclared guessed as Frictionless guesses.

    Frictionless sniffs the first :data:`SAMPLE_LINES` lines with the declared delimiter
    (or any of ``,\\t;|``), turns a guessed ``'`` quote into ``"``, and uses the guess
    for every property left undeclared.
    """
    undeclared = {"delimiter", "quoteChar", "skipInitialSpace"} - dialect.declared
    if not undeclared or not sample:
        return dialect
    text = "".join(sample)
    if len(text) > MAX_SAMPLE_CHARS:
        return dialect
    delimiters = dialect.delimiter if "delimiter" in dialect.declared else ",\t;|"
    try:
        sniffed: Any = csv.Sniffer().sniff(text, delimiters)
    except csv.Error:
        sniffed = csv.excel()
    changes: dict[str, Any] = {}
    if "delimiter" in undeclared:
        changes["delimiter"] = sniffed.delimiter
    if "quoteChar" in undeclared:
        changes["quotechar"] = '"' if sniffed.quotechar == "'" else sniffed.quotechar
    if "skipInitialSpace" in undeclared:
        changes["skipinitialspace"] = bool(sniffed.skipinitialspace)
    return replace(dialect, **changes)


def guess(sample: list[str], dialect: Dialect) -> list[str]:
    """What Frictionless would guess differently from *dialect* for undeclared properties
    (see :func:`sniff`)."""
    sniffed = sniff(sample, dialect)
    out = []
    if sniffed.delimiter != dialect.delimiter:
        out.append(f"delimiter {sniffed.delimiter!r}")
    if sniffed.quotechar != dialect.quotechar:
        out.append(f"quoteChar {sniffed.quotechar!r}")
    if sniffed.skipinitialspace != dialect.skipinitialspace:
        out.append(f"skipInitialSpace {str(sniffed.skipinitialspace).lower()}")
    return out
