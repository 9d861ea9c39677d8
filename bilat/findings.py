"""Findings: the catalogue of problem codes, one finding, and a Report of many.

Each code is defined once, with its layer, severity, a message template and a
sentence of advice, in the module of :mod:`bilat.codes` named after its layer. ``bilat codes`` lists the catalogue; tests name the code they
expect. Reports are data: filter them, turn them into dicts, render them elsewhere.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from bilat.codes import LAYERS, Code, CodeName, Layer, Severity
from bilat.codes import descriptor as _descriptor
from bilat.codes import records as _records
from bilat.codes import references as _references
from bilat.codes import rules as _rules
from bilat.codes import structure as _structure

__all__ = [
    "CATALOGUE",
    "DEFAULT_MAX_PER_CODE",
    "LAYERS",
    "Code",
    "CodeName",
    "Finding",
    "Layer",
    "Report",
    "Severity",
    "make",
    "printable",
    "register",
]

#: Every finding code by name, layer by layer (each layer's codes are declared in
#: ``bilat.codes``, in the module named after it).
CATALOGUE: dict[CodeName, Code] = {
    c.code: c
    for layer in (_descriptor, _structure, _records, _references, _rules)
    for c in layer.CODES
}


def register(code: Code) -> Code:
    """Add a finding code to :data:`CATALOGUE` at run time (a plug-in's way: its code is
    then no :data:`CodeName`, which lists bilat's own for mypy)."""
    if code.code in CATALOGUE:
        raise ValueError(f"finding code {code.code!r} is taken")
    CATALOGUE[code.code] = code
    return code


#: Findings kept per (resource, code) unless told otherwise (``--all-findings``).
DEFAULT_MAX_PER_CODE = 1000


@dataclass(frozen=True)
class Finding:
    """One problem, located as precisely as the layer allows.

    ``row`` is the physical line a CSV record starts on (header = 1), or the 1-based
    index of a record in a JSON resource (then ``pointer`` is its JSON pointer).
    """

    code: CodeName
    severity: Severity
    layer: Layer
    message: str
    resource: str | None = None
    path: str | None = None
    row: int | None = None
    field: str | None = None
    value: str | None = None
    pointer: str | None = None
    column: int | None = None
    #: the name of the rule that made the finding (a record rule of the model, or a
    #: rule across records of layer 5); None for the other checks
    rule: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """*text* with lone surrogates (undecodable bytes, broken JSON escapes) written as
    ``\\udcff`` escapes, so every output encoding can carry it."""
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _short(value: object, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = printable(text if len(text) <= limit * 4 else text[: limit * 4])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def make(
    code: CodeName,
    *,
    detail: str = "",
    resource: str | None = None,
    path: str | None = None,
    row: int | None = None,
    field: str | None = None,
    value: object = None,
    pointer: str | None = None,
    column: int | None = None,
    rule: str | None = None,
) -> Finding:
    """Build a finding of catalogue *code*, its message filled from the template."""
    spec = CATALOGUE[code]
    shown = None if value is None else _short(value)
    message = spec.template.format(detail=printable(detail), value=shown, field=field, row=row)
    return Finding(
        code=code,
        severity=spec.severity,
        layer=spec.layer,
        message=message,
        resource=resource,
        path=None if path is None else printable(path),
        row=row,
        field=None if field is None else printable(field),
        value=shown,
        pointer=None if pointer is None else printable(pointer),
        column=column,
        rule=rule,
    )


#: Sort key of a finding within its resource: row, field, code, then the rest.
Key = tuple[int, str, str, str, str, str, str]


def _key(f: Finding) -> Key:
    # the path last: the parts of a multi-file resource share its name and row numbers
    return (
        f.row or 0,
        f.field or "",
        f.code,
        f.pointer or "",
        f.value or "",
        f.message,
        f.path or "",
    )


class _Bucket:
    """The first *cap* findings of one (resource, code) in canonical order, and a count
    of the rest. Findings mostly arrive in row order, so once the bucket is full a new
    one is usually refused by one comparison."""

    __slots__ = ("cap", "items", "omitted", "worst")

    def __init__(self, cap: int | None) -> None:
        self.cap = cap
        self.items: list[tuple[Key, Finding]] = []
        self.omitted = 0
        self.worst: Key | None = None  # the largest key kept, once the bucket has been cut

    def add(self, finding: Finding) -> None:
        key = _key(finding)
        if self.worst is not None and key > self.worst:
            self.omitted += 1
            return
        self.items.append((key, finding))
        if self.cap is not None and len(self.items) >= 2 * self.cap + 16:
            self._cut()

    def _cut(self) -> None:
        assert self.cap is not None
        self.items.sort(key=lambda kf: kf[0])
        self.omitted += len(self.items) - self.cap
        del self.items[self.cap :]
        self.worst = self.items[-1][0] if self.items else None

    def done(self) -> list[tuple[Key, Finding]]:
        self.items.sort(key=lambda kf: kf[0])
        if self.cap is not None and len(self.items) > self.cap:
            self.omitted += len(self.items) - self.cap
            del self.items[self.cap :]
        return self.items


@dataclass
class Report:
    """Every finding of one validation run over one target, in canonical order.

    The canonical order is: findings about the package first, then each resource in
    the order the descriptor lists it; within one, by row, field and code. By default
    at most ``max_per_code`` findings are kept for each (resource, code): the first
    ones in that order, whichever engine found them; ``omitted`` counts the rest.
    """

    target: str
    findings: list[Finding] = field(default_factory=list)
    max_findings: int | None = None
    max_per_code: int | None = DEFAULT_MAX_PER_CODE
    #: Findings left out by the caps, per (resource, code).
    omitted: dict[tuple[str | None, CodeName], int] = field(default_factory=dict)
    _buckets: dict[tuple[str | None, CodeName], _Bucket] = field(default_factory=dict, repr=False)
    _order: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.target = printable(self.target)

    @property
    def truncated(self) -> bool:
        """True when the caps left findings out."""
        return bool(self.omitted)

    def set_resource_order(self, names: Iterable[str]) -> None:
        """Resources sort in this order (the descriptor's)."""
        for name in names:
            self._order.setdefault(name, len(self._order))

    def wants(self, resource: str | None, code: CodeName, row: int | None) -> bool:
        """False when a finding of *code* at *row* would certainly be left out by the cap
        (it is then counted as omitted): lets bombs skip building findings."""
        bucket = self._buckets.get((resource, code))
        if bucket is None or bucket.worst is None or row is None or row <= bucket.worst[0]:
            return True
        bucket.omitted += 1
        return False

    def omit(self, resource: str | None, code: CodeName, count: int) -> None:
        """Count *count* findings of *code* that an engine left out under the cap (it
        kept at least the first *max_per_code*, in canonical order)."""
        group = (resource, code)
        bucket = self._buckets.get(group)
        if bucket is None:
            bucket = self._buckets[group] = _Bucket(self.max_per_code)
        bucket.omitted += count

    def add(self, finding: Finding | None) -> None:
        if finding is None:
            return
        group = (finding.resource, finding.code)
        bucket = self._buckets.get(group)
        if bucket is None:
            bucket = self._buckets[group] = _Bucket(self.max_per_code)
        bucket.add(finding)

    def extend(self, findings: Iterable[Finding | None]) -> None:
        for f in findings:
            self.add(f)

    def finish(self) -> Report:
        """Sort what was collected into ``findings``; apply ``max_findings``."""
        rank = self._order
        merged: list[tuple[tuple[int, Key], Finding]] = list(
            ((-1 if f.resource is None else rank.get(f.resource, len(rank)), key), f)
            for f in self.findings
            for key in [_key(f)]
        )
        for group, bucket in self._buckets.items():
            resource = group[0]
            r = -1 if resource is None else rank.get(resource, len(rank))
            merged.extend(((r, key), f) for key, f in bucket.done())
            if bucket.omitted:
                self.omitted[group] = self.omitted.get(group, 0) + bucket.omitted
        self._buckets = {}
        merged.sort(key=lambda kf: kf[0])
        if self.max_findings is not None and len(merged) > self.max_findings:
            for _, f in merged[self.max_findings :]:
                group = (f.resource, f.code)
                self.omitted[group] = self.omitted.get(group, 0) + 1
            del merged[self.max_findings :]
        self.findings = [f for _, f in merged]
        return self

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "info"]

    @property
    def valid(self) -> bool:
        """True when there is no error (warnings and notes allowed)."""
        return not self.errors

    def counts(self) -> Counter[CodeName]:
        """Number of findings per code, the omitted ones included."""
        counts = Counter(f.code for f in self.findings)
        for (_resource, code), n in self.omitted.items():
            counts[code] += n
        return counts

    def filter(
        self,
        *,
        code: str | None = None,
        resource: str | None = None,
        severity: Severity | None = None,
        layer: Layer | None = None,
    ) -> list[Finding]:
        return [
            f
            for f in self.findings
            if (code is None or f.code == code)
            and (resource is None or f.resource == resource)
            and (severity is None or f.severity == severity)
            and (layer is None or f.layer == layer)
        ]

    def omitted_list(self) -> list[dict[str, Any]]:
        """The omitted counts as rows: resource, code, count."""
        return [
            {"resource": r, "code": c, "count": n}
            for (r, c), n in sorted(self.omitted.items(), key=lambda kv: (kv[0][0] or "", kv[0][1]))
        ]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "valid": self.valid,
            "truncated": self.truncated,
            "findings": [f.to_dict() for f in self.findings],
            "omitted": self.omitted_list(),
        }
