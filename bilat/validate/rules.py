"""Layer 5: what only the domain knows, across records.

- a statement is dated within the engagement it names;
- an agreement is signed within the engagement it names;
- a sub-engagement lies within its parent's dates;
- a capacity (tenure) covers the date of the act and belongs to a person taking part;
- an evidence quote drawn from a seed document is found in it verbatim.

Dates are partial, so a rule fires only when the intervals certainly disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bilat.evidence import file_sha256, quote_found
from bilat.findings import Finding, make
from bilat.models import (
    Agreement,
    Engagement,
    Evidence,
    PartialDate,
    Record,
    Source,
    Statement,
    Tenure,
)
from bilat.validate.descriptor import ResourcePlan, path_problem

Span = tuple[int, int]  # earliest and latest day, as proleptic ordinals


def _span(start: PartialDate | None, end: PartialDate | None = None) -> Span | None:
    if start is None:
        return None
    last = end if end is not None else start
    return (start.earliest.toordinal(), last.latest.toordinal())


def _outside(inner: Span, outer: Span) -> bool:
    """True when *inner* certainly does not lie within *outer*."""
    return inner[1] < outer[0] or inner[0] > outer[1]


def _fmt(span: Span) -> str:
    from datetime import date

    a, b = date.fromordinal(span[0]), date.fromordinal(span[1])
    return a.isoformat() if a == b else f"{a.isoformat()}..{b.isoformat()}"


@dataclass
class _Pending:
    plan: ResourcePlan
    row: int
    field: str
    target: str
    span: Span
    what: str


@dataclass
class _Capacity:
    plan: ResourcePlan
    row: int
    field: str
    tenure: str
    span: Span | None
    actors: frozenset[str]
    what: str


class Rules:
    """Collects what the rules need while records stream past, and checks it."""

    def __init__(self, emit: Callable[[Finding], None], root: Path) -> None:
        self.emit = emit
        self.root = root
        #: start and end of each dated engagement; spans are computed when needed
        self.engagements: dict[str, tuple[PartialDate, PartialDate | None]] = {}
        self.tenures: dict[str, tuple[str, PartialDate | None, PartialDate | None]] = {}
        self.seeds: dict[str, str | None] = {}  # source id -> seed text (None: unreadable)
        self.pending: list[_Pending] = []
        self.capacities: list[_Capacity] = []

    def observe(self, plan: ResourcePlan, row: int, record: Record) -> None:
        if type(record) is Engagement:
            start = record.start
            span = None
            if start is not None:
                self.engagements[record.id] = (start, record.end)
                if record.part_of is not None:
                    span = _span(start, record.end)
                    assert span is not None
                    self.pending.append(
                        _Pending(
                            plan,
                            row,
                            "part_of",
                            record.part_of,
                            span,
                            "sub-engagement-outside-parent",
                        )
                    )
            if record.capacities:
                self._capacities(
                    plan,
                    row,
                    "capacities",
                    record.capacities,
                    _span(start, record.end),
                    record.participants,
                    "the engagement",
                )
        elif isinstance(record, Statement):
            span = _span(record.date)
            if record.engagement is not None and span is not None:
                self.pending.append(
                    _Pending(
                        plan, row, "date", record.engagement, span, "statement-outside-engagement"
                    )
                )
            if record.capacity is not None:
                self._capacities(
                    plan,
                    row,
                    "capacity",
                    [record.capacity],
                    span,
                    [record.speaker],
                    "the statement",
                )
        elif isinstance(record, Agreement):
            span = _span(record.signed)
            if record.engagement is not None and span is not None:
                self.pending.append(
                    _Pending(
                        plan, row, "signed", record.engagement, span, "agreement-outside-engagement"
                    )
                )
            self._capacities(
                plan, row, "capacities", record.capacities, span, record.signatories, "the signing"
            )
        elif isinstance(record, Tenure):
            self.tenures[record.id] = (record.person, record.start, record.end)
        elif isinstance(record, Source):
            if record.seed is not None:
                self._load_seed(plan, row, record)
        elif isinstance(record, Evidence):
            self._check_quote(plan, row, record)

    def _capacities(
        self,
        plan: ResourcePlan,
        row: int,
        field: str,
        tenures: list[str],
        span: Span | None,
        actors: list[str],
        what: str,
    ) -> None:
        for tenure in tenures:
            self.capacities.append(
                _Capacity(plan, row, field, tenure, span, frozenset(actors), what)
            )

    def _load_seed(self, plan: ResourcePlan, row: int, source: Source) -> None:
        assert source.seed is not None
        problem = path_problem(source.seed)
        path = self.root.joinpath(*source.seed.split("/"))
        text = None
        if (
            problem is None
            and path.is_file()
            and path.resolve().is_relative_to(self.root.resolve())
        ):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = None
        if text is None:
            self.emit(
                make(
                    "seed-missing",
                    resource=plan.name,
                    path=plan.path,
                    row=row,
                    field="seed",
                    value=source.seed,
                )
            )
        elif source.seed_sha256 is not None:
            actual = file_sha256(path)
            if actual != source.seed_sha256:
                self.emit(
                    make(
                        "seed-hash-mismatch",
                        resource=plan.name,
                        path=plan.path,
                        row=row,
                        field="seed_sha256",
                        value=source.seed,
                        detail=f"{actual}, not the {source.seed_sha256} recorded",
                    )
                )
        self.seeds[source.id] = text

    def _check_quote(self, plan: ResourcePlan, row: int, evidence: Evidence) -> None:
        if evidence.source not in self.seeds:
            return  # not a seed document, or the source is missing (a reference finding)
        text = self.seeds[evidence.source]
        if text is None:
            return  # already reported as seed-missing
        if not quote_found(evidence.quote, text):
            self.emit(
                make(
                    "quote-not-in-seed",
                    resource=plan.name,
                    path=plan.path,
                    row=row,
                    field="quote",
                    value=evidence.quote,
                    detail=f"of source {evidence.source!r}",
                )
            )

    def finish(self) -> None:
        for p in self.pending:
            dates = self.engagements.get(p.target)
            outer = None if dates is None else _span(*dates)
            if outer is None or not _outside(p.span, outer):
                continue
            if p.what == "sub-engagement-outside-parent":
                detail = f"the engagement ({_fmt(p.span)}) lies outside its parent {p.target!r} ({_fmt(outer)})"
            elif p.what == "statement-outside-engagement":
                detail = f"the statement's date ({_fmt(p.span)}) lies outside engagement {p.target!r} ({_fmt(outer)})"
            else:
                detail = f"the signing date ({_fmt(p.span)}) lies outside engagement {p.target!r} ({_fmt(outer)})"
            self.emit(
                make(
                    p.what,
                    resource=p.plan.name,
                    path=p.plan.path,
                    row=p.row,
                    field=p.field,
                    value=p.target,
                    detail=detail,
                )
            )
        for c in self.capacities:
            tenure = self.tenures.get(c.tenure)
            if tenure is None:
                continue  # a reference finding says so
            person, start, end = tenure
            if person not in c.actors:
                self.emit(
                    make(
                        "capacity-not-acting",
                        resource=c.plan.name,
                        path=c.plan.path,
                        row=c.row,
                        field=c.field,
                        value=c.tenure,
                        detail=f"tenure {c.tenure!r} is held by {person!r}, who is not among those acting in {c.what}",
                    )
                )
            if c.span is None:
                continue
            lo = start.earliest.toordinal() if start else None
            hi = end.latest.toordinal() if end else None
            if (lo is not None and c.span[1] < lo) or (hi is not None and c.span[0] > hi):
                period = f"{start or '?'}..{end or 'open'}"
                self.emit(
                    make(
                        "outside-tenure",
                        resource=c.plan.name,
                        path=c.plan.path,
                        row=c.row,
                        field=c.field,
                        value=c.tenure,
                        detail=f"{c.what} ({_fmt(c.span)}) falls outside tenure {c.tenure!r} ({period})",
                    )
                )
