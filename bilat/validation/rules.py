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
import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bilat.evidence import quote_found
from bilat.files import FileProblem, inside, path_problem, read_capped
from bilat.findings import CodeName, Finding
from bilat.models import PartialDate
from bilat.models.votes import COUNT_FIELDS
from bilat.validation.descriptor import ResourcePlan
from bilat.validation.records import INVALID

Span = tuple[int, int]
#: The field values of one record, by name (INVALID where validation failed).
Values = dict[str, Any]
#: The kind of the record that holds an id (None: no record has it).
KindOf = Callable[[str], str | None]

#: Largest seed document read for quote checks.
MAX_SEED_BYTES = 64 << 20

# spans are earliest and latest day, as proleptic ordinals


def _span(start: PartialDate | None, end: PartialDate | None = None) -> Span | None:
    if start is None:
        return None
    last = end if end is not None else start
    return (start.earliest.toordinal(), last.latest.toordinal())


SPAN_BITS = 22  # date(9999, 12, 31).toordinal() < 2**22
SPAN_MASK = (1 << SPAN_BITS) - 1


class SpanBlocks:
    """The packed spans of blocks of consecutive rows (-1: none), by the key of each
    block's first row, as the block engines hand them over: in memory, 8 bytes a row."""

    def __init__(self) -> None:
        self._blocks: list[tuple[int, Any]] = []

    def append(self, first: int, packed: Any) -> None:
        """Keep *packed* (an ``array('q')``), the spans of rows *first*, *first* + 1, ..."""
        self._blocks.append((first, packed))

    def get(self, key: int) -> int | None:
        """The packed span of the row *key*, or None for a row no block holds."""
        found = self._find(key)
        return None if found is None else int(found[0][found[1]])

    def _find(self, key: int) -> tuple[Any, int] | None:
        """The block that holds the row *key* (what :meth:`append` kept of it) and
        the row's place in it, or None."""
        index = bisect.bisect_right(self._blocks, key, key=lambda b: b[0]) - 1
        if index < 0:
            return None
        first, block = self._blocks[index]
        return (block, key - first) if key - first < len(block) else None

    def close(self) -> None:
        """Give back what is kept outside Python (here, nothing)."""


@dataclass(frozen=True)
class _Stored:
    """Where a block of spans lies in a :class:`SpanFile` (its length is its rows)."""

    offset: int
    rows: int

    def __len__(self) -> int:
        return self.rows


class SpanFile(SpanBlocks):
    """:class:`SpanBlocks` written to the file *path* as they come (8 bytes a row on
    disk, a few numbers a block in memory) and read back a span at a time, for an
    engine whose memory must not grow with the rows (the sql engine at 100M rows:
    800 MB)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._file = path.open("x+b", buffering=0)
        self._size = 0

    def append(self, first: int, packed: Any) -> None:
        data = memoryview(packed).cast("B")  # its bytes, not a copy
        written = 0
        while written < len(data):  # an unbuffered write may write part of it
            written += self._file.write(data[written:]) or 0
        self._blocks.append((first, _Stored(self._size, len(packed))))
        self._size += len(data)

    def get(self, key: int) -> int | None:
        found = self._find(key)
        if found is None:
            return None
        stored, place = found
        at = stored.offset + 8 * place
        raw = os.pread(self._file.fileno(), 8, at)
        if len(raw) != 8:
            raise OSError(f"{self._file.name}: cut short at byte {at}")
        return int.from_bytes(raw, sys.byteorder, signed=True)

    def close(self) -> None:
        self._file.close()


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
    what: CodeName


@dataclass
class _Claim:
    plan: ResourcePlan
    row: int
    id: str
    value: str
    status: str


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
        votes_known: bool = True,
        span_blocks: SpanBlocks | None = None,
        unread: set[str] | None = None,
    ) -> None:
        self.emit = emit
        #: the kinds of record whose rows were not all read (a table that cannot be
        #: read, or whose reading stopped early; filled as the tables are read): a
        #: rule that counts a kind's records says nothing of it
        self.unread: set[str] = unread if unread is not None else set()
        self.root = root
        #: the record that holds an id (see References.holder): rules read the dates
        #: and persons of that record, the first with the id
        self.holder = holder or (lambda _id: None)
        #: span of each dated engagement, packed into one int, by the record's key
        self.spans: dict[int, int] = {}
        #: the spans of the rows the block engines validated (see SpanBlocks)
        self.span_blocks = span_blocks if span_blocks is not None else SpanBlocks()
        self.tenures: dict[int, tuple[str, PartialDate | None, PartialDate | None]] = {}
        self.seeds: dict[str, str] = {}  # source id -> the seed path it cites
        #: seed path -> (its text, None if unreadable; its sha256)
        self._seed_files: dict[str, tuple[str | None, str | None]] = {}
        self.pending: list[_Pending] = []
        self.capacities: list[_Capacity] = []
        #: motion id -> (plan, row, counts by option, roll call), the first with the id
        self.motions: dict[str, tuple[ResourcePlan, int, dict[str, int | None], str]] = {}
        #: votes recorded, by motion and option; each vote's option; voters per motion
        self.tallies: dict[str, Counter[str]] = {}
        self.options: dict[str, str] = {}
        self.voters: set[tuple[str, str]] = set()
        #: positions based on a voting record: (plan, row, stance, ids expressing it)
        self.voted: list[tuple[ResourcePlan, int, str, list[str]]] = []
        #: claims by the record and field they are about (read before other records)
        self.claims: dict[tuple[str, str], list[_Claim]] = {}
        #: whether the package's schema version has votes (see bilat.versions)
        self.votes_known = votes_known
        #: record id -> the fields claimed for it
        self.claimed: dict[str, set[str]] = {}
        #: (record id, field) -> the record's value, for claimed fields of valid records
        self.claimed_values: dict[tuple[str, str], Any] = {}

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

        if self.claimed and v.get("id") in self.claimed:
            self._claimed(v)
        for rule in _OBSERVERS.get(kind, ()):
            rule(self, plan, row, v, valid, key)

    # -- the observe steps of the rules (see CROSS_RULES) ---------------------------------

    def see_span(self, plan: ResourcePlan, row: int, v: Values, valid: bool, key: int) -> None:
        if _ok(v, valid, "start", "end") and v["start"] is not None:
            self.spans[key] = pack_span(_span(v["start"], v["end"]))  # type: ignore[arg-type]

    def see_parent(self, plan: ResourcePlan, row: int, v: Values, valid: bool, key: int) -> None:
        if not _ok(v, valid, "start", "end", "part_of"):
            return
        start, end = v["start"], v["end"]
        if start is not None and v["part_of"] is not None:
            span = _span(start, end)
            assert span is not None
            what: CodeName = "sub-engagement-outside-parent"
            self.pending.append(_Pending(plan, row, "part_of", v["part_of"], span, what))

    def see_engagement_capacities(
        self, plan: ResourcePlan, row: int, v: Values, valid: bool, key: int
    ) -> None:
        if _ok(v, valid, "start", "end", "capacities", "participants") and v["capacities"]:
            span = _span(v["start"], v["end"])
            self._capacities(
                plan, row, "capacities", v["capacities"], span, v["participants"], "the engagement"
            )

    def see_statement_date(
        self, plan: ResourcePlan, row: int, v: Values, valid: bool, key: int
    ) -> None:
        if not _ok(v, valid, "date", "engagement"):
            return
        span = _span(v["date"])
        if v["engagement"] is not None and span is not None:
            what: CodeName = "statement-outside-engagement"
            self.pending.append(_Pending(plan, row, "date", v["engagement"], span, what))

    def see_statement_capacity(
        self, plan: ResourcePlan, row: int, v: Values, valid: bool, key: int
    ) -> None:
        if _ok(v, valid, "date", "capacity", "speaker") and v["capacity"] is not None:
            span = _span(v["date"])
            self._capacities(
                plan, row, "capacity", [v["capacity"]], span, [v["speaker"]], "the statement"
            )

    def see_signing_date(
        self, plan: ResourcePlan, row: int, v: Values, valid: bool, key: int
    ) -> None:
        if not _ok(v, valid, "signed", "engagement"):
            return
        span = _span(v["signed"])
        if v["engagement"] is not None and span is not None:
            what: CodeName = "agreement-outside-engagement"
            self.pending.append(_Pending(plan, row, "signed", v["engagement"], span, what))

    def see_signatory_capacities(
        self, plan: ResourcePlan, row: int, v: Values, valid: bool, key: int
    ) -> None:
        if _ok(v, valid, "signed", "capacities", "signatories") and v["capacities"]:
            span = _span(v["signed"])
            self._capacities(
                plan, row, "capacities", v["capacities"], span, v["signatories"], "the signing"
            )

    def see_tenure(self, plan: ResourcePlan, row: int, v: Values, valid: bool, key: int) -> None:
        if _ok(v, valid, "person", "start", "end"):
            self.tenures[key] = (v["person"], v["start"], v["end"])

    def see_seed(self, plan: ResourcePlan, row: int, v: Values, valid: bool, key: int) -> None:
        if _ok(v, valid, "id", "seed", "seed_sha256") and v["seed"] is not None:
            self._load_seed(plan, row, v["id"], v["seed"], v["seed_sha256"])

    def see_quote(self, plan: ResourcePlan, row: int, v: Values, valid: bool, key: int) -> None:
        if _ok(v, valid, "source", "quote"):
            self._check_quote(plan, row, v["source"], v["quote"])

    def see_motion(self, plan: ResourcePlan, row: int, v: Values, valid: bool, key: int) -> None:
        if _ok(v, valid, "id", *COUNT_FIELDS, "roll_call") and v["id"] not in self.motions:
            counts = {name: v[name] for name in COUNT_FIELDS}
            self.motions[v["id"]] = (plan, row, counts, v["roll_call"])

    def see_vote(self, plan: ResourcePlan, row: int, v: Values, valid: bool, key: int) -> None:
        if not _ok(v, valid, "id", "motion", "voter", "option"):
            return
        self.options.setdefault(v["id"], v["option"])
        if (v["motion"], v["voter"]) in self.voters:
            self.emit(
                plan.finding(
                    "vote-duplicate",
                    rule="one-vote-per-voter",
                    row=row,
                    field="voter",
                    value=v["voter"],
                    detail=f"motion {v['motion']!r}",
                )
            )
            return
        self.voters.add((v["motion"], v["voter"]))
        self.tallies.setdefault(v["motion"], Counter())[v["option"]] += 1

    def see_position(self, plan: ResourcePlan, row: int, v: Values, valid: bool, key: int) -> None:
        if _ok(v, valid, "basis", "stance", "expressed_by") and v["basis"] == "voting_record":
            self.voted.append((plan, row, v["stance"], list(v["expressed_by"])))

    def see_claim(self, plan: ResourcePlan, row: int, v: Values, valid: bool, key: int) -> None:
        if _ok(v, valid, "id", "record", "field", "value", "status"):
            self._claim(plan, row, v)

    # -- claims -------------------------------------------------------------------------

    def _claim(self, plan: ResourcePlan, row: int, v: dict[str, Any]) -> None:
        claim = _Claim(plan, row, v["id"], v["value"], v["status"])
        self.claims.setdefault((v["record"], v["field"]), []).append(claim)
        self.claimed.setdefault(v["record"], set()).add(v["field"])

    def _claimed(self, v: dict[str, Any]) -> None:
        """Keep the values of a claimed record's claimed fields (the first record with
        the id; a field that is invalid is left out)."""
        record = v["id"]
        for name in self.claimed[record]:
            if name in v and (record, name) not in self.claimed_values:
                self.claimed_values[(record, name)] = v[name]

    def _finish_claims(self, kind_of: Callable[[str], str | None]) -> None:
        from bilat.validation.records import field_adapters

        for (record, name), claims in self.claims.items():
            kind = kind_of(record)
            if kind is None:
                continue  # a dangling reference: layer 4 reports it
            adapters = field_adapters(kind)
            adapter = adapters.get(name) if name != "id" else None
            allowed = [self._claimed_value(c, record, name, kind, adapter) for c in claims]
            allowed = [value for value in allowed if value is not INVALID]
            if adapter is not None and len(allowed) == len(claims):  # else reported above
                self._check_resolved(record, name, claims, adapter, allowed)

    def _claimed_value(self, c: _Claim, record: str, name: str, kind: str, adapter: Any) -> Any:
        """The value claim *c* gives, as JSON data, or INVALID (reported) when it
        cannot be a value of the field."""
        from bilat.models import RECORD_TYPES

        if c.status == "open":
            self.emit(
                c.plan.finding(
                    "claim-open", rule="claims", row=c.row, field="status", value=f"{record}.{name}"
                )
            )
        if adapter is None:
            fields = ", ".join(f for f in RECORD_TYPES[kind].model_fields if f != "id")
            self.emit(
                c.plan.finding(
                    "claim-invalid",
                    rule="claims",
                    row=c.row,
                    field="field",
                    value=name,
                    detail=f"a {kind} has no field {name!r} (its fields: {fields})",
                )
            )
            return INVALID
        try:
            value = adapter.validate_python(json.loads(c.value))
        except RecursionError:  # pragma: no cover - refused by the model first
            return INVALID
        except (ValueError, ValidationError) as exc:
            why = (
                exc.errors(include_url=False)[0]["msg"]
                if isinstance(exc, ValidationError)
                else str(exc)
            )
            self.emit(
                c.plan.finding(
                    "claim-invalid",
                    rule="claims",
                    row=c.row,
                    field="value",
                    value=c.value,
                    detail=f"not a valid {kind} {name}: {why}",
                )
            )
            return INVALID
        return adapter.dump_python(value, mode="json")

    def _check_resolved(
        self, record: str, name: str, claims: list[_Claim], adapter: Any, allowed: list[Any]
    ) -> None:
        """A resolved claim: the record's own value is one of the values claimed."""
        resolved = [c for c in claims if c.status == "resolved"]
        if not resolved or (record, name) not in self.claimed_values:
            return
        actual = self.claimed_values[(record, name)]
        if actual is INVALID:
            return
        shown = adapter.dump_python(actual, mode="json")
        if shown not in allowed:
            c = resolved[0]
            self.emit(
                c.plan.finding(
                    "claim-unmatched",
                    rule="claims",
                    row=c.row,
                    field="status",
                    value=f"{record}.{name}",
                    detail=f"the record's value {json.dumps(shown, ensure_ascii=False)} "
                    "is none of the values claimed",
                )
            )

    # -- votes ---------------------------------------------------------------------------

    def _finish_tally(self) -> None:
        if "vote" in self.unread:
            return  # the votes not read may hold the count's missing ones
        for motion, (plan, row, counts, roll_call) in self.motions.items():
            tally = self.tallies.get(motion, Counter())
            for option in COUNT_FIELDS:
                count, recorded = counts[option], tally.get(option, 0)
                if count is None:
                    if roll_call == "complete" and recorded:
                        problem = f"{recorded} {option} vote(s) recorded, but no {option} count"
                    else:
                        continue
                elif recorded > count:
                    problem = f"{recorded} {option} vote(s) recorded, more than the count {count}"
                elif roll_call == "complete" and recorded != count:
                    problem = (
                        f"the roll call is complete but {recorded} {option} vote(s) are "
                        f"recorded, not the count {count}"
                    )
                else:
                    continue
                self.emit(
                    plan.finding(
                        "vote-count-mismatch",
                        rule="vote-tally",
                        row=row,
                        field=option,
                        value=count,
                        detail=problem,
                    )
                )

    def _finish_positions(self) -> None:
        from bilat.vocab import vocabulary

        stances = vocabulary("stances")
        for plan, row, stance, ids in self.voted:
            votes = [i for i in ids if i in self.options]
            if not votes and (not self.votes_known or "vote" in self.unread):
                continue  # no votes to list in its schema version, or not all read
            if not votes:
                self.emit(
                    plan.finding(
                        "position-without-votes",
                        rule="position-matches-votes",
                        row=row,
                        field="expressed_by",
                    )
                )
                continue
            agree = stances[stance].vote_options if stance in stances else None
            if agree is None:
                continue
            for vote in votes:
                if self.options[vote] not in agree:
                    self.emit(
                        plan.finding(
                            "position-contradicts-vote",
                            rule="position-matches-votes",
                            row=row,
                            field="stance",
                            value=stance,
                            detail=f"vote {vote!r} is {self.options[vote]!r}; "
                            f"the stance agrees with {', '.join(agree)}",
                        )
                    )

    def span_of(self, engagement: str) -> Span | None:
        """The span of the engagement that holds the id *engagement*, if it is dated."""
        key = self.holder(engagement)
        if key is None:
            return None
        packed = self.spans.get(key)
        if packed is None:
            packed = self.span_blocks.get(key)
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
        if seed not in self._seed_files:  # each seed file is read once, however many cite it
            text = digest = None
            path = self.root.joinpath(*seed.split("/"))
            if path_problem(seed) is None and inside(self.root, path):
                try:
                    data = read_capped(path, MAX_SEED_BYTES)
                    text = data.decode("utf-8")
                    digest = hashlib.sha256(data).hexdigest()
                except (FileProblem, UnicodeDecodeError):
                    text = None
            self._seed_files[seed] = (text, digest)
        text, actual = self._seed_files[seed]
        if text is None:
            self.emit(
                plan.finding(
                    "seed-missing",
                    rule="seed",
                    row=row,
                    field="seed",
                    value=seed,
                )
            )
        elif sha256 is not None and actual != sha256:
            self.emit(
                plan.finding(
                    "seed-hash-mismatch",
                    rule="seed",
                    row=row,
                    field="seed_sha256",
                    value=seed,
                    detail=f"{actual}, not the {sha256} recorded",
                )
            )
        self.seeds[source_id] = seed

    def _check_quote(self, plan: ResourcePlan, row: int, source: str, quote: str) -> None:
        if source not in self.seeds:
            return  # not a seed document, or the source is missing (a reference finding)
        text = self._seed_files[self.seeds[source]][0]
        if text is None:
            return  # already reported as seed-missing
        if not quote_found(quote, text):
            self.emit(
                plan.finding(
                    "quote-not-in-seed",
                    rule="quote-in-seed",
                    row=row,
                    field="quote",
                    value=quote,
                    detail=f"of source {source!r}",
                )
            )

    def wanted(self) -> set[str]:
        """The ids whose holders :meth:`finish` will ask for (a layer 4 that keeps its
        ids outside Python looks them up at once)."""
        out = {p.target for p in self.pending}
        out.update(c.tenure for c in self.capacities)
        out.update(record for record, _name in self.claims)
        return out

    def finish(self, kind_of: KindOf | None = None) -> None:
        """Run the finish steps of the rules across records (:data:`CROSS_RULES`, in
        order), once every resource has been read; *kind_of* gives the kind of the
        record that holds an id."""
        kind_of = kind_of or (lambda _id: None)
        for step in _FINISHERS:
            step(self, kind_of)

    # -- the finish steps of the rules (see CROSS_RULES) ----------------------------------

    def finish_tally(self, kind_of: KindOf) -> None:
        self._finish_tally()

    def finish_positions(self, kind_of: KindOf) -> None:
        self._finish_positions()

    def finish_claims(self, kind_of: KindOf) -> None:
        if self.claims:
            self._finish_claims(kind_of)

    def finish_within(self, code: CodeName) -> None:
        """The dates noted for rule *code* against the span of the engagement named."""
        for p in self.pending:
            if p.what != code:
                continue
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
                    rule=_WITHIN_RULES[code],
                    row=p.row,
                    field=p.field,
                    value=p.target,
                    detail=detail,
                )
            )

    def finish_capacities(self, what: str) -> None:
        """The capacities noted for acts of *what* against the tenures they name."""
        for c in self.capacities:
            if c.what != what:
                continue
            key = self.holder(c.tenure)
            tenure = None if key is None else self.tenures.get(key)
            if tenure is None:
                continue  # a reference finding says so
            person, start, end = tenure
            if person not in c.actors:
                self.emit(
                    c.plan.finding(
                        "capacity-not-acting",
                        rule=_CAPACITY_RULES[c.what],
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
                        rule=_CAPACITY_RULES[c.what],
                        row=c.row,
                        field=c.field,
                        value=c.tenure,
                        detail=f"{c.what} ({_fmt(c.span)}) falls outside tenure {c.tenure!r} ({period})",
                    )
                )


def _ok(v: Values, valid: bool, *names: str) -> bool:
    """Whether the values *names* of a record passed validation (all do when *valid*)."""
    return valid or all(v[n] is not INVALID for n in names)


@dataclass(frozen=True)
class CrossRule:
    """A rule across records, declared like a record rule (:class:`bilat.models.base.RecordRule`):
    the record kind it watches, the fields it reads, the codes it may emit, what it
    notes of each record as the records stream past (*observe*, a :class:`Rules`
    method) and what it checks once all are read (*finish*, None: nothing)."""

    name: str
    kind: str
    reads: tuple[str, ...]
    codes: tuple[CodeName, ...]
    observe: Callable[[Rules, ResourcePlan, int, Values, bool, int], None]
    finish: Callable[[Rules, KindOf], None] | None = None


def _within(code: CodeName) -> Callable[[Rules, KindOf], None]:
    return lambda rules, _kind_of: rules.finish_within(code)


def _capacity(what: str) -> Callable[[Rules, KindOf], None]:
    return lambda rules, _kind_of: rules.finish_capacities(what)


_DATES = ("start", "end")
#: The rule that notes each kind of act's capacities, and each date-within check.
_CAPACITY_RULES = {
    "the engagement": "engagement-capacities",
    "the statement": "statement-capacity",
    "the signing": "signatory-capacities",
}
_WITHIN_RULES: dict[str, str] = {
    "sub-engagement-outside-parent": "within-parent",
    "statement-outside-engagement": "statement-within-engagement",
    "agreement-outside-engagement": "signing-within-engagement",
}
_CAPACITY_CODES: tuple[CodeName, ...] = ("capacity-not-acting", "outside-tenure")

#: Every rule across records, in the order their finish steps run.
CROSS_RULES: tuple[CrossRule, ...] = (
    CrossRule("vote-tally", "motion", ("id", *COUNT_FIELDS, "roll_call"), ("vote-count-mismatch",),
              Rules.see_motion, Rules.finish_tally),
    CrossRule("one-vote-per-voter", "vote", ("id", "motion", "voter", "option"),
              ("vote-duplicate",), Rules.see_vote),
    CrossRule("position-matches-votes", "position", ("stance", "basis", "expressed_by"),
              ("position-without-votes", "position-contradicts-vote"), Rules.see_position,
              Rules.finish_positions),
    CrossRule("claims", "claim", ("id", "record", "field", "value", "status"),
              ("claim-open", "claim-invalid", "claim-unmatched"), Rules.see_claim,
              Rules.finish_claims),
    CrossRule("engagement-span", "engagement", _DATES, (), Rules.see_span),
    CrossRule("within-parent", "engagement", (*_DATES, "part_of"),
              ("sub-engagement-outside-parent",), Rules.see_parent,
              _within("sub-engagement-outside-parent")),
    CrossRule("statement-within-engagement", "statement", ("date", "engagement"),
              ("statement-outside-engagement",), Rules.see_statement_date,
              _within("statement-outside-engagement")),
    CrossRule("signing-within-engagement", "agreement", ("signed", "engagement"),
              ("agreement-outside-engagement",), Rules.see_signing_date,
              _within("agreement-outside-engagement")),
    CrossRule("tenures", "tenure", ("person", "start", "end"), (), Rules.see_tenure),
    CrossRule("engagement-capacities", "engagement", (*_DATES, "capacities", "participants"),
              _CAPACITY_CODES, Rules.see_engagement_capacities, _capacity("the engagement")),
    CrossRule("statement-capacity", "statement", ("date", "capacity", "speaker"),
              _CAPACITY_CODES, Rules.see_statement_capacity, _capacity("the statement")),
    CrossRule("signatory-capacities", "agreement", ("signed", "capacities", "signatories"),
              _CAPACITY_CODES, Rules.see_signatory_capacities, _capacity("the signing")),
    CrossRule("seed", "source", ("id", "seed", "seed_sha256"),
              ("seed-missing", "seed-hash-mismatch"), Rules.see_seed),
    CrossRule("quote-in-seed", "evidence", ("source", "quote"), ("quote-not-in-seed",),
              Rules.see_quote),
)  # fmt: skip


def _rule_fields() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for rule in CROSS_RULES:
        names = out.setdefault(rule.kind, ["id"])  # the id: claimed records are recognised by it
        names += [n for n in rule.reads if n not in names]
    return {kind: tuple(names) for kind, names in out.items()}


#: The fields of each record kind the rules read (besides its references), derived
#: from :data:`CROSS_RULES`.
RULE_FIELDS: dict[str, tuple[str, ...]] = {}
_OBSERVERS: dict[str, list[Callable[[Rules, ResourcePlan, int, Values, bool, int], None]]] = {}
_FINISHERS: list[Callable[[Rules, KindOf], None]] = []


def _derive() -> None:
    RULE_FIELDS.clear()
    RULE_FIELDS.update(_rule_fields())
    _OBSERVERS.clear()
    for rule in CROSS_RULES:
        _OBSERVERS.setdefault(rule.kind, []).append(rule.observe)
    _FINISHERS[:] = [rule.finish for rule in CROSS_RULES if rule.finish is not None]


def register(rule: CrossRule) -> CrossRule:
    """Add a rule across records (its finish step runs after those of bilat's own);
    docs/architecture.md has the recipe."""
    global CROSS_RULES
    if rule.name in {r.name for r in CROSS_RULES}:
        raise ValueError(f"rule {rule.name!r} is taken")
    CROSS_RULES = (*CROSS_RULES, rule)
    _derive()
    return rule


_derive()
