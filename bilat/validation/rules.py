"""Layer 5: what only the domain knows, across records.

- a statement is dated within the engagement it names;
- an agreement is signed within the engagement it names;
- a sub-engagement lies within its parent's dates;
- a capacity (tenure) covers the date of the act and belongs to a person taking part;
- an evidence quote drawn from a seed document is found in it verbatim.

Dates are partial, so a rule fires only when the intervals certainly disagree.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bilat.evidence import quote_found
from bilat.files import FileProblem, inside, read_capped
from bilat.findings import Finding
from bilat.models import PartialDate
from bilat.validation.descriptor import ResourcePlan, path_problem
from bilat.validation.records import INVALID

Span = tuple[int, int]

#: Largest seed document read for quote checks.
MAX_SEED_BYTES = 64 << 20

#: The fields of each record kind the rules read (besides its references).
RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "engagement": ("id", "start", "end", "part_of", "capacities", "participants"),
    "statement": ("id", "date", "engagement", "capacity", "speaker"),
    "agreement": ("id", "signed", "engagement", "capacities", "signatories"),
    "tenure": ("id", "person", "start", "end"),
    "source": ("id", "seed", "seed_sha256"),
    "evidence": ("id", "source", "quote"),
}  # earliest and latest day, as proleptic ordinals


def _span(start: PartialDate | None, end: PartialDate | None = None) -> Span | None:
    if start is None:
        return None
    last = end if end is not None else start
    return (start.earliest.toordinal(), last.latest.toordinal())


SPAN_BITS = 22  # date(9999, 12, 31).toordinal() < 2**22
SPAN_MASK = (1 << SPAN_BITS) - 1


def pack_span(span: Span) -> int:
    """A span as one int (ordinals of its first and last day)."""
    return span[0] << SPAN_BITS | span[1]


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

    def __init__(
        self,
        emit: Callable[[Finding | None], None],
        root: Path,
        holder: Callable[[str], int | None] | None = None,
    ) -> None:
        self.emit = emit
        self.root = root
        #: the record that holds an id (see References.holder): rules read the dates
        #: and persons of that record, the first with the id
        self.holder = holder or (lambda _id: None)
        #: span of each dated engagement, packed into one int, by the record's key
        self.spans: dict[int, int] = {}
        #: blocks of spans of consecutive rows: (first key, packed spans; -1: none)
        self.span_blocks: list[tuple[int, Any]] = []
        self.tenures: dict[int, tuple[str, PartialDate | None, PartialDate | None]] = {}
        self.seeds: dict[str, str | None] = {}  # source id -> seed text (None: unreadable)
        self.pending: list[_Pending] = []
        self.capacities: list[_Capacity] = []

    def observe(
        self,
        plan: ResourcePlan,
        row: int,
        kind: str,
        v: dict[str, Any],
        valid: bool = False,
        key: int = 0,
    ) -> None:
        """Take note of one record, given as its field values (see RULE_FIELDS).

        A value that failed validation is :data:`INVALID`; a rule reading it is skipped.
        *valid* says the record is a valid model instance (no value is INVALID). *key*
        is the record's key in References (resource and row).
        """

        def ok(*names: str) -> bool:
            return valid or all(v[n] is not INVALID for n in names)

        if kind == "engagement":
            if not ok("start", "end"):
                return
            start, end = v["start"], v["end"]
            if start is not None:
                self.spans[key] = pack_span(_span(start, end))  # type: ignore[arg-type]
            if start is not None and v["part_of"] is not None and ok("part_of"):
                span = _span(start, end)
                assert span is not None
                self.pending.append(
                    _Pending(
                        plan, row, "part_of", v["part_of"], span, "sub-engagement-outside-parent"
                    )
                )
            if ok("capacities", "participants") and v["capacities"]:
                self._capacities(
                    plan,
                    row,
                    "capacities",
                    v["capacities"],
                    _span(start, end),
                    v["participants"],
                    "the engagement",
                )
        elif kind == "statement":
            if not ok("date"):
                return
            span = _span(v["date"])
            if ok("engagement") and v["engagement"] is not None and span is not None:
                self.pending.append(
                    _Pending(
                        plan, row, "date", v["engagement"], span, "statement-outside-engagement"
                    )
                )
            if ok("capacity", "speaker") and v["capacity"] is not None:
                self._capacities(
                    plan, row, "capacity", [v["capacity"]], span, [v["speaker"]], "the statement"
                )
        elif kind == "agreement":
            if not ok("signed"):
                return
            span = _span(v["signed"])
            if ok("engagement") and v["engagement"] is not None and span is not None:
                self.pending.append(
                    _Pending(
                        plan, row, "signed", v["engagement"], span, "agreement-outside-engagement"
                    )
                )
            if ok("capacities", "signatories") and v["capacities"]:
                self._capacities(
                    plan, row, "capacities", v["capacities"], span, v["signatories"], "the signing"
                )
        elif kind == "tenure":
            if ok("person", "start", "end"):
                self.tenures[key] = (v["person"], v["start"], v["end"])
        elif kind == "source":
            if ok("id", "seed", "seed_sha256") and v["seed"] is not None:
                self._load_seed(plan, row, v["id"], v["seed"], v["seed_sha256"])
        elif kind == "evidence" and ok("source", "quote"):
            self._check_quote(plan, row, v["source"], v["quote"])

    def span_of(self, engagement: str) -> Span | None:
        """The span of the engagement that holds the id *engagement*, if it is dated."""
        key = self.holder(engagement)
        if key is None:
            return None
        packed = self.spans.get(key)
        if packed is None:
            index = bisect.bisect_right(self.span_blocks, key, key=lambda b: b[0]) - 1
            if index >= 0:
                first, block = self.span_blocks[index]
                if key - first < len(block):
                    packed = block[key - first]
        if packed is None or packed < 0:
            return None
        return packed >> SPAN_BITS, packed & SPAN_MASK

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

    def _load_seed(
        self, plan: ResourcePlan, row: int, source_id: str, seed: str, sha256: str | None
    ) -> None:
        problem = path_problem(seed)
        path = self.root.joinpath(*seed.split("/"))
        text = None
        data = None
        if problem is None and inside(self.root, path):
            try:
                data = read_capped(path, MAX_SEED_BYTES)
                text = data.decode("utf-8")
            except (FileProblem, UnicodeDecodeError):
                text = None
        if text is None:
            self.emit(
                plan.finding(
                    "seed-missing",
                    row=row,
                    field="seed",
                    value=seed,
                )
            )
        elif sha256 is not None and data is not None:
            actual = hashlib.sha256(data).hexdigest()
            if actual != sha256:
                self.emit(
                    plan.finding(
                        "seed-hash-mismatch",
                        row=row,
                        field="seed_sha256",
                        value=seed,
                        detail=f"{actual}, not the {sha256} recorded",
                    )
                )
        self.seeds[source_id] = text

    def _check_quote(self, plan: ResourcePlan, row: int, source: str, quote: str) -> None:
        if source not in self.seeds:
            return  # not a seed document, or the source is missing (a reference finding)
        text = self.seeds[source]
        if text is None:
            return  # already reported as seed-missing
        if not quote_found(quote, text):
            self.emit(
                plan.finding(
                    "quote-not-in-seed",
                    row=row,
                    field="quote",
                    value=quote,
                    detail=f"of source {source!r}",
                )
            )

    def finish(self) -> None:
        for p in self.pending:
            outer = self.span_of(p.target)
            if outer is None or not _outside(p.span, outer):
                continue
            if p.what == "sub-engagement-outside-parent":
                detail = f"the engagement ({_fmt(p.span)}) lies outside its parent {p.target!r} ({_fmt(outer)})"
            elif p.what == "statement-outside-engagement":
                detail = f"the statement's date ({_fmt(p.span)}) lies outside engagement {p.target!r} ({_fmt(outer)})"
            else:
                detail = f"the signing date ({_fmt(p.span)}) lies outside engagement {p.target!r} ({_fmt(outer)})"
            self.emit(
                p.plan.finding(
                    p.what,
                    row=p.row,
                    field=p.field,
                    value=p.target,
                    detail=detail,
                )
            )
        for c in self.capacities:
            key = self.holder(c.tenure)
            tenure = None if key is None else self.tenures.get(key)
            if tenure is None:
                continue  # a reference finding says so
            person, start, end = tenure
            if person not in c.actors:
                self.emit(
                    c.plan.finding(
                        "capacity-not-acting",
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
                    c.plan.finding(
                        "outside-tenure",
                        row=c.row,
                        field=c.field,
                        value=c.tenure,
                        detail=f"{c.what} ({_fmt(c.span)}) falls outside tenure {c.tenure!r} ({period})",
                    )
                )
