"""Questions asked of a loaded package: who met whom, what rests on what, in what order.

Every function takes a :class:`bilat.package.Package` (they are also its methods:
``pkg.between("ind", "rus")``) and reads only the records, so it answers the same
whatever the package came from. Dates are partial: a period given as ``"2024"`` or
``"2024-07"`` selects what overlaps it, and ordering follows each date's interval
(earliest day, then latest).

>>> import bilat
>>> pkg = bilat.load("india-russia")
>>> [e.id for e in pkg.between("ind", "rus", "2024")]
['visit-modi-2024-07', 'summit-22']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bilat.models import (
    Agreement,
    Engagement,
    Evidence,
    Motion,
    Organization,
    PartialDate,
    Person,
    Position,
    Record,
    Source,
    SourcedRecord,
    State,
    Statement,
    Tenure,
    Vote,
    reference_fields,
)

if TYPE_CHECKING:
    from bilat.package import Package

#: What a date argument may be: a partial date, its text, or a datetime.date.
When = PartialDate | str | dt.date


def as_date(value: When) -> PartialDate:
    """*value* as a :class:`PartialDate` (text is parsed; a ``date`` is a day).

    >>> as_date("2024-07"), as_date(dt.date(2024, 7, 9))
    (PartialDate('2024-07'), PartialDate('2024-07-09'))
    """
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, dt.date):
        return PartialDate.from_date(value)
    if isinstance(value, str):
        return PartialDate(value)
    raise TypeError(f"a date is a PartialDate, its text or a datetime.date, not {value!r}")


def _span(start: PartialDate | None, end: PartialDate | None) -> tuple[dt.date, dt.date] | None:
    if start is None:
        return None
    return start.earliest, (end or start).latest


def _overlaps(span: tuple[dt.date, dt.date] | None, start: When | None, end: When | None) -> bool:
    """Whether *span* overlaps the period from *start* to *end* (open where None)."""
    if start is None and end is None:
        return True
    if span is None:
        return False
    lo = as_date(start).earliest if start is not None else dt.date.min
    hi = as_date(end).latest if end is not None else dt.date.max
    return not (span[1] < lo or span[0] > hi)


# -- actors ---------------------------------------------------------------------------


def states_of(pkg: Package, actor: str, at: When | None = None) -> set[str]:
    """The states an actor stands for: a state itself; a person's nationality and the
    states of the offices they held (at *at*, if given); an organization's state.

    >>> import bilat
    >>> sorted(bilat.load("india-russia").states_of("jaishankar"))
    ['ind']
    """
    return _states(pkg, actor, at, _offices(pkg))


def states_by_actor(pkg: Package) -> dict[str, set[str]]:
    """:func:`states_of` for every actor of *pkg*, at any date (tenures read once)."""
    offices = _offices(pkg)
    return {
        r.id: _states(pkg, r.id, None, offices)
        for kind in ("state", "person", "organization")
        for r in pkg.records(kind)
    }


def _offices(pkg: Package) -> dict[str, list[Tenure]]:
    """Each person's tenures, so that resolving many actors reads the tenures once."""
    out: dict[str, list[Tenure]] = {}
    for tenure in pkg.records("tenure"):
        assert isinstance(tenure, Tenure)
        out.setdefault(tenure.person, []).append(tenure)
    return out


def _states(
    pkg: Package, actor: str, at: When | None, offices: dict[str, list[Tenure]]
) -> set[str]:
    record = pkg.get(actor)
    if isinstance(record, State):
        return {record.id}
    if isinstance(record, Organization):
        return {record.state} if record.state else set()
    if not isinstance(record, Person):
        return set()
    out = {record.nationality} if record.nationality else set()
    day = as_date(at) if at is not None else None
    for tenure in offices.get(actor, ()):
        if day is not None and not _held(tenure, day):
            continue
        office = pkg.get(tenure.of)
        if isinstance(office, State):
            out.add(office.id)
        elif isinstance(office, Organization) and office.state:
            out.add(office.state)
    return out


def _held(tenure: Tenure, day: PartialDate) -> bool:
    """Whether *tenure* may have been held during *day* (partial dates: possibly)."""
    if tenure.start is not None and day.latest < tenure.start.earliest:
        return False
    return not (tenure.end is not None and day.earliest > tenure.end.latest)


def between(
    pkg: Package, a: str, b: str, start: When | None = None, end: When | None = None
) -> list[Engagement]:
    """Engagements between actors *a* and *b* (each resolved to the states it stands
    for: persons through nationality and the offices they held), overlapping the
    period *start* to *end* (one date: that period; none: all), in date order.

    >>> import bilat
    >>> [e.id for e in bilat.load("india-russia").between("ind", "rus", "2023-12")][:2]
    ['visit-jaishankar-2023-12', 'meeting-manturov-jaishankar-2023-12']
    """
    offices = _offices(pkg)
    side_a = _states(pkg, a, None, offices) or {a}
    side_b = _states(pkg, b, None, offices) or {b}
    if end is None and start is not None:
        end = start
    out = []
    for record in pkg.records("engagement"):
        assert isinstance(record, Engagement)
        if not _overlaps(_span(record.start, record.end), start, end):
            continue
        when = record.start
        sides: set[str] = set()
        for actor in record.participants:
            sides |= _states(pkg, actor, when, offices) or {actor}
            sides.add(actor)
        if sides & side_a and sides & side_b:
            out.append(record)
    return sorted(out, key=_order)


# -- what rests on what -----------------------------------------------------------------


def referrers(pkg: Package, record_id: str) -> list[Record]:
    """Every record that names *record_id* in a reference field, in package order.

    >>> import bilat
    >>> [r.id for r in bilat.load("india-russia").referrers("unga-es-11-1")][:3]
    ['vote-ind-unga-es-11-1', 'vote-rus-unga-es-11-1', 'ev-es-11-1-wiki']
    """
    out = []
    for record in pkg:
        for ref in reference_fields(type(record)):
            value = getattr(record, ref.name)
            if value == record_id or (ref.many and record_id in value):
                out.append(record)
                break
    return out


def evidence_for(pkg: Package, record_id: str) -> list[Evidence]:
    """The Evidence quotes that support *record_id*."""
    return [
        e for e in pkg.records("evidence") if isinstance(e, Evidence) and record_id in e.supports
    ]


def sources_for(pkg: Package, record_id: str) -> list[Source]:
    """The Sources *record_id* rests on: its own, then those of its evidence, once each."""
    record = pkg[record_id]
    ids: list[str] = list(record.sources) if isinstance(record, SourcedRecord) else []
    ids += [e.source for e in evidence_for(pkg, record_id)]
    seen: dict[str, Source] = {}
    for sid in ids:
        source = pkg.get(sid)
        if isinstance(source, Source) and sid not in seen:
            seen[sid] = source
    return list(seen.values())


# -- time ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One dated record on a timeline: its date and the record."""

    date: PartialDate
    record: Record

    @property
    def kind(self) -> str:
        return self.record.KIND

    def __repr__(self) -> str:
        return f"Event({self.date.text!r}, {self.record.KIND} {self.record.id!r})"


def _date_of(pkg: Package, record: Record) -> PartialDate | None:
    if isinstance(record, Engagement):
        return record.start
    if isinstance(record, Agreement):
        return record.signed
    if isinstance(record, Statement | Motion):
        return record.date
    if isinstance(record, Vote):
        motion = pkg.get(record.motion)
        return motion.date if isinstance(motion, Motion) else None
    return None


def _order(record: Any) -> tuple[Any, ...]:
    date = getattr(record, "start", None)
    return (*(date.sort_key if date else (dt.date.max, dt.date.max)), record.id)


TIMELINE_KINDS = ("engagement", "agreement", "statement", "motion", "vote")


def timeline(
    pkg: Package,
    start: When | None = None,
    end: When | None = None,
    kinds: Iterable[str] = TIMELINE_KINDS,
) -> list[Event]:
    """Dated engagements, agreements, statements, motions and votes, in date order
    (by each partial date's interval: earliest day, then latest), overlapping the
    period *start* to *end* when given (one date: that period). Undated records are
    left out.

    >>> import bilat
    >>> bilat.load("india-russia").timeline("2000")
    [Event('2000-10-03', engagement 'summit-2000')]
    """
    if end is None and start is not None:
        end = start
    out = []
    for kind in kinds:
        for record in pkg.records(kind):
            date = _date_of(pkg, record)
            if date is None or not _overlaps((date.earliest, date.latest), start, end):
                continue
            out.append(Event(date, record))
    rank = {k: i for i, k in enumerate(TIMELINE_KINDS)}
    return sorted(out, key=lambda e: (*e.date.sort_key, rank.get(e.kind, 99), e.record.id))


@dataclass(frozen=True)
class Gaps:
    """What a numbered series has and lacks.

    ``missing`` holds ranges, not numbers, so a series numbered 1 and 10**18 takes no
    more memory than one numbered 1 and 3: ``(range(2, 10**18),)``.
    """

    series: str
    numbers: tuple[int, ...]
    missing: tuple[range, ...]
    unnumbered: tuple[str, ...]

    @property
    def missing_count(self) -> int:
        """How many numbers the series lacks."""
        return sum(len(r) for r in self.missing)

    def __repr__(self) -> str:
        shown = [
            str(r.start) if len(r) == 1 else f"{r.start}-{r.stop - 1}" for r in self.missing[:10]
        ]
        if len(self.missing) > 10:
            shown.append(f"... {len(self.missing) - 10} more ranges")
        unnumbered = list(self.unnumbered[:10])
        more = f" and {len(self.unnumbered) - 10} more" if len(self.unnumbered) > 10 else ""
        return (
            f"Gaps({self.series!r}: {len(self.numbers)} numbered, missing [{', '.join(shown)}], "
            f"unnumbered {unnumbered}{more})"
        )


def gaps(pkg: Package, series: str) -> Gaps:
    """The numbers a series of engagements lacks between 1 and its highest number (as
    ranges), and the engagements of the series that carry no number.

    >>> import bilat
    >>> bilat.load("india-russia").gaps("India–Russia Annual Summit").missing
    ()
    """
    numbered: dict[int, str] = {}
    unnumbered = []
    for record in pkg.records("engagement"):
        assert isinstance(record, Engagement)
        if record.series != series:
            continue
        if record.series_number is None:
            unnumbered.append(record.id)
        else:
            numbered[record.series_number] = record.id
    numbers = tuple(sorted(numbered))
    missing = []
    previous = 0
    for n in numbers:
        if n > previous + 1:
            missing.append(range(previous + 1, n))
        previous = n
    return Gaps(series, numbers, tuple(missing), tuple(sorted(unnumbered)))


def positions_of(pkg: Package, actor: str, at: When | None = None) -> list[Position]:
    """Positions *actor* holds (at *at*: those attested then or earlier and not ended
    before it; with no date, all).

    >>> import bilat
    >>> [p.stance for p in bilat.load("india-russia").positions_of("ind", "2024-07-09")]
    ['abstains', 'calls_for_dialogue', 'refrains_from_condemning']
    """
    day = as_date(at) if at is not None else None
    out = []
    for record in pkg.records("position"):
        assert isinstance(record, Position)
        if record.holder != actor:
            continue
        if day is not None:
            if record.since is not None and record.since.earliest > day.latest:
                continue
            if record.until is not None and record.until.latest < day.earliest:
                continue
        out.append(record)
    return out


__all__ = [
    "TIMELINE_KINDS",
    "Event",
    "Gaps",
    "as_date",
    "between",
    "evidence_for",
    "gaps",
    "positions_of",
    "referrers",
    "sources_for",
    "states_by_actor",
    "states_of",
    "timeline",
]
