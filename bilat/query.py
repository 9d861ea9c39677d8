"""Questions asked of a loaded package: who met whom, who held which office, what
rests on what, in what order.

Every function takes a :class:`bilat.package.Package` (they are also its methods:
``pkg.between("ind", "rus")``) and reads only the records, so it answers the same
whatever the package came from. Dates are partial: a period given as ``"2024"`` or
``"2024-07"`` selects what overlaps it, and ordering follows each date's interval
(earliest day, then latest). Every date argument takes a partial date or its text, a
``datetime.date``, a ``datetime.datetime`` (a pandas ``Timestamp`` is one) or an int
year. An id, kind, vocabulary term, office or series name the package does not know
raises :class:`bilat.UnknownName` (a ``KeyError``) naming the nearest known ones.

>>> import bilat
>>> pkg = bilat.load("india-russia")
>>> [e.id for e in pkg.between("ind", "rus", "2024")]
['visit-modi-2024-07', 'summit-22', 'meeting-modi-putin-kazan-2024']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, overload

from bilat.models import (
    Agreement,
    Engagement,
    Evidence,
    Incident,
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
from bilat.models.dates import DateLike, coerce
from bilat.models.links import Link
from bilat.names import UnknownName, unknown_name
from bilat.validation.linked import curated_spec


class Records(Protocol):
    """What the queries and the exports read of a package: a
    :class:`bilat.package.Package` is one (declared here so that this module, below
    the package API, needs no import of it)."""

    @property
    def name(self) -> str: ...

    @property
    def descriptor(self) -> dict[str, Any]: ...

    def records(self, kind: str) -> list[Record]: ...

    @property
    def version(self) -> str | None: ...

    def get(self, record_id: str) -> Record | None: ...

    def __getitem__(self, record_id: str) -> Record: ...

    def __iter__(self) -> Iterator[Record]: ...


#: What a date argument may be: a partial date or its text, a ``datetime.date`` or
#: ``datetime.datetime`` (pandas ``Timestamp`` included), or an int year.
When = DateLike


def as_date(value: When) -> PartialDate:
    """*value* as a :class:`PartialDate` (text is parsed; a date or datetime is its day;
    an int is a year).

    >>> as_date("2024-07"), as_date(dt.date(2024, 7, 9)), as_date(2024)
    (PartialDate('2024-07'), PartialDate('2024-07-09'), PartialDate('2024'))
    >>> as_date(dt.datetime(2024, 7, 9, 18, 0))
    PartialDate('2024-07-09')
    """
    return coerce(value)


ACTOR_KINDS = ("state", "person", "organization")


def _actor(pkg: Records, actor: str, kinds: tuple[str, ...] = ACTOR_KINDS) -> Record:
    """The record of *actor*, one of *kinds*; :class:`UnknownName` when there is none."""
    record = pkg.get(actor) if isinstance(actor, str) else None
    if record is None or record.KIND not in kinds:

        def names() -> dict[str, str]:
            return {r.id: str(getattr(r, "name", "") or "") for k in kinds for r in pkg.records(k)}

        what = "actor" if kinds == ACTOR_KINDS else " or ".join(kinds)
        raise unknown_name(what, actor, names, labels=names)
    return record


def _record(pkg: Records, record_id: str) -> Record:
    """The record *record_id*; :class:`UnknownName` when the package has none."""
    return pkg[record_id]


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


def states_of(pkg: Records, actor: str, at: When | None = None) -> set[str]:
    """The states an actor stands for: a state itself; a person's nationality and the
    states of the offices they held (at *at*, if given); an organization's state.

    >>> import bilat
    >>> sorted(bilat.load("india-russia").states_of("jaishankar"))
    ['ind']
    """
    _actor(pkg, actor)
    return _states(pkg, actor, at, _offices(pkg))


def states_by_actor(pkg: Records) -> dict[str, set[str]]:
    """:func:`states_of` for every actor of *pkg*, at any date (tenures read once)."""
    offices = _offices(pkg)
    return {
        r.id: _states(pkg, r.id, None, offices)
        for kind in ("state", "person", "organization")
        for r in pkg.records(kind)
    }


def _offices(pkg: Records) -> dict[str, list[Tenure]]:
    """Each person's tenures, so that resolving many actors reads the tenures once."""
    out: dict[str, list[Tenure]] = {}
    for tenure in pkg.records("tenure"):
        assert isinstance(tenure, Tenure)
        out.setdefault(tenure.person, []).append(tenure)
    return out


def _states(
    pkg: Records, actor: str, at: When | None, offices: dict[str, list[Tenure]]
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
    pkg: Records,
    a: str,
    b: str,
    start: When | None = None,
    end: When | None = None,
    *,
    as_states: bool = True,
    top_level: bool = False,
) -> list[Engagement]:
    """Engagements between actors *a* and *b* overlapping the period *start* to *end*
    (one date: that period; none: all), in date order.

    By default (*as_states*) each actor stands for its states: a person for their
    nationality and the states of the offices they held, an organization for its
    state, so ``between("jaishankar", "lavrov")`` is every India–Russia engagement.
    With ``as_states=False`` persons, organizations and states count as themselves:
    the engagements both took part in. With *top_level*, a sub-engagement (one with
    ``part_of``) is answered by the engagement it is part of, once.

    >>> import bilat
    >>> pkg = bilat.load("india-russia")
    >>> [e.id for e in pkg.between("ind", "rus", "2023-12")][:2]
    ['visit-jaishankar-2023-12', 'meeting-manturov-jaishankar-2023-12']
    >>> [e.id for e in pkg.between("jaishankar", "lavrov", as_states=False)]
    ['talks-2plus2-2021-12-06', 'press-jaishankar-lavrov-2023-12-27', 'talks-lavrov-jaishankar-2023-12-27']
    >>> [e.id for e in pkg.between("ind", "rus", "2023-12", top_level=True)]
    ['visit-jaishankar-2023-12']
    """
    _actor(pkg, a)
    _actor(pkg, b)
    offices = _offices(pkg)
    if as_states:
        side_a = _states(pkg, a, None, offices) or {a}
        side_b = _states(pkg, b, None, offices) or {b}
    else:
        side_a, side_b = {a}, {b}
    if end is None and start is not None:
        end = start
    out = []
    for record in pkg.records("engagement"):
        assert isinstance(record, Engagement)
        if not _overlaps(_span(record.start, record.end), start, end):
            continue
        sides: set[str] = set(record.participants)
        if as_states:
            for actor in record.participants:
                sides |= _states(pkg, actor, record.start, offices)
        if sides & side_a and sides & side_b:
            out.append(record)
    if top_level:
        tops = {r.id: _top(pkg, r) for r in out}
        out = list({t.id: t for t in tops.values()}.values())
    return sorted(out, key=_order)


def _top(pkg: Records, record: Engagement) -> Engagement:
    """The engagement *record* is (through ``part_of``, at any depth) part of."""
    seen = {record.id}
    while record.part_of is not None:
        parent = pkg.get(record.part_of)
        if not isinstance(parent, Engagement) or parent.id in seen:
            break
        seen.add(parent.id)
        record = parent
    return record


def holders(
    pkg: Records,
    office: str | None = None,
    *,
    role: str | None = None,
    of: str | None = None,
    at: When | None = None,
) -> list[Tenure]:
    """Who held an office: the tenures of *office* (its name, as the tenures write it),
    of office *role* (a term of the ``office_roles`` vocabulary) and of the state or
    organization *of*, held at date *at* (a tenure may have been held then: partial
    dates count where they overlap; an unknown start or end is open), ordered by start.
    Every filter is optional.

    >>> import bilat
    >>> pkg = bilat.load("india-russia")
    >>> [t.person for t in pkg.holders("Prime Minister of India", at="2004-01-01")]
    ['vajpayee']
    >>> [t.person for t in pkg.holders(role="head_of_state", of="rus", at=2010)]
    ['medvedev']
    """
    tenures = [t for t in pkg.records("tenure") if isinstance(t, Tenure)]
    if office is not None and not any(t.office == office for t in tenures):
        raise unknown_name("office", office, sorted({t.office for t in tenures}))
    if role is not None:
        from bilat.vocab import vocabulary

        roles = vocabulary("office_roles")
        if role not in roles:
            labels = {t.code: t.label for t in roles.terms}
            raise unknown_name("office role", role, roles.codes(), labels=labels)
    if of is not None:
        _actor(pkg, of, ("state", "organization"))
    day = as_date(at) if at is not None else None
    out = [
        t
        for t in tenures
        if (office is None or t.office == office)
        and (role is None or t.role == role)
        and (of is None or t.of == of)
        and (day is None or _held(t, day))
    ]
    return sorted(out, key=_order)


# -- what rests on what -----------------------------------------------------------------


def referrers(pkg: Records, record_id: str) -> list[Record]:
    """Every record that names *record_id* in a reference field, in package order.

    >>> import bilat
    >>> [r.id for r in bilat.load("india-russia").referrers("unga-es-11-2")][:3]
    ['vote-afg-unga-es-11-2', 'vote-ago-unga-es-11-2', 'vote-alb-unga-es-11-2']
    """
    _record(pkg, record_id)
    out = []
    for record in pkg:
        for ref in reference_fields(type(record)):
            value = getattr(record, ref.name)
            if value == record_id or (ref.many and record_id in value):
                out.append(record)
                break
    return out


def evidence_for(pkg: Records, record_id: str) -> list[Evidence]:
    """The Evidence quotes that support *record_id*.

    >>> import bilat
    >>> [e.id for e in bilat.load("india-russia").evidence_for("summit-22")][:1]
    ['ev-asianet-2024']
    """
    _record(pkg, record_id)
    return [
        e for e in pkg.records("evidence") if isinstance(e, Evidence) and record_id in e.supports
    ]


def sources_for(pkg: Records, record_id: str) -> list[Source]:
    """The Sources *record_id* rests on: its own, then those of its evidence, once each.

    >>> import bilat
    >>> [s.id for s in bilat.load("india-russia").sources_for("summit-22")][:2]
    ['src-seed', 'src-zee-2024-07-04']
    >>> bilat.load("india-russia").sources_for("nope")
    Traceback (most recent call last):
    ...
    bilat.names.UnknownName: no record 'nope'...
    """
    record = _record(pkg, record_id)
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


def _date_of(pkg: Records, record: Record) -> PartialDate | None:
    if isinstance(record, Engagement):
        return record.start
    if isinstance(record, Agreement):
        return record.signed
    if isinstance(record, Statement | Motion):
        return record.date
    if isinstance(record, Vote):
        motion = pkg.get(record.motion)
        return motion.date if isinstance(motion, Motion) else None
    if isinstance(record, Incident):
        return record.start
    return None


def _order(record: Any) -> tuple[Any, ...]:
    date = getattr(record, "start", None)
    return (*(date.sort_key if date else (dt.date.max, dt.date.max)), record.id)


TIMELINE_KINDS = ("engagement", "agreement", "statement", "motion", "vote", "incident")


def _timeline_kinds(kinds: str | Iterable[str]) -> list[str]:
    """*kinds* (one or several; kinds or resource names) as timeline kinds."""
    from bilat.tables import KIND_OF_RESOURCE

    chosen = [kinds] if isinstance(kinds, str) else list(kinds)
    out = []
    for kind in chosen:
        kind = KIND_OF_RESOURCE.get(kind, kind)
        if kind not in TIMELINE_KINDS:
            raise unknown_name("timeline kind", kind, TIMELINE_KINDS)
        out.append(kind)
    return out


def timeline(
    pkg: Records,
    start: When | None = None,
    end: When | None = None,
    kinds: str | Iterable[str] = TIMELINE_KINDS,
) -> list[Event]:
    """Dated engagements, agreements, statements, motions, votes and incidents (by their
    start), in date order
    (by each partial date's interval: earliest day, then latest), overlapping the
    period *start* to *end* when given (one date: that period). Undated records are
    left out. *kinds* is one kind or a list of them.

    >>> import bilat
    >>> bilat.load("india-russia").timeline("2000")
    [Event('2000-10-03', engagement 'summit-2000'), Event('2000-10-03', agreement 'strategic-partnership-2000')]
    >>> bilat.load("india-russia").timeline(2022, kinds="agreement")
    []
    """
    chosen = _timeline_kinds(kinds)
    if end is None and start is not None:
        end = start
    out = []
    for kind in chosen:
        for record in pkg.records(kind):
            date = _date_of(pkg, record)
            if date is None or not _overlaps((date.earliest, date.latest), start, end):
                continue
            out.append(Event(date, record))
    rank = {k: i for i, k in enumerate(TIMELINE_KINDS)}
    return sorted(out, key=lambda e: (*e.date.sort_key, rank.get(e.kind, 99), e.record.id))


class Missing(Sequence[int]):
    """The numbers a series lacks, kept as ranges: a sequence of ints (``list()``,
    ``in``, ``len``, indexing, ``== (3, 4)``) whose memory and repr follow the number
    of gaps, not their size (``[2-999999999999]``)."""

    __slots__ = ("_ends", "ranges")

    def __init__(self, ranges: Iterable[range] = ()) -> None:
        #: the runs of missing numbers, in order
        self.ranges: tuple[range, ...] = tuple(r for r in ranges if len(r))
        ends, total = [], 0
        for r in self.ranges:
            total += len(r)
            ends.append(total)
        self._ends = ends

    @property
    def total(self) -> int:
        """How many numbers are missing (``len`` too, up to ``sys.maxsize``)."""
        return self._ends[-1] if self._ends else 0

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[int]:
        for r in self.ranges:
            yield from r

    def __contains__(self, value: object) -> bool:
        import bisect

        if not isinstance(value, int):
            return False
        i = bisect.bisect_right([r.start for r in self.ranges], value) - 1
        return i >= 0 and value in self.ranges[i]

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[int, ...]: ...

    def __getitem__(self, index: int | slice) -> int | tuple[int, ...]:
        import bisect

        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(self.total)))
        if index < 0:
            index += self.total
        if not 0 <= index < self.total:
            raise IndexError("Missing index out of range")
        i = bisect.bisect_right(self._ends, index)
        before = self._ends[i - 1] if i else 0
        return self.ranges[i][index - before]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Missing):
            return self.ranges == other.ranges
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(other) == self.total and all(
                a == b for a, b in zip(self, other, strict=True)
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.ranges)

    def __repr__(self) -> str:
        shown = [
            str(r.start) if len(r) == 1 else f"{r.start}-{r.stop - 1}" for r in self.ranges[:10]
        ]
        if len(self.ranges) > 10:
            shown.append(f"... {len(self.ranges) - 10} more ranges")
        return f"[{', '.join(shown)}]"


@dataclass(frozen=True)
class Gaps:
    """What a numbered series has and lacks.

    ``missing`` keeps ranges (:class:`Missing`), so a series numbered 1 and 10**18
    takes no more memory than one numbered 1 and 3.
    """

    series: str
    #: the numbers given, each once, ascending
    numbers: tuple[int, ...]
    missing: Missing
    #: the ids of the engagements of the series with no number, sorted
    unnumbered: tuple[str, ...]
    #: number -> the ids (sorted) of the engagements that share it, for the numbers
    #: given to more than one (``bilat validate`` warns: ``series-number-duplicate``)
    duplicates: Mapping[int, tuple[str, ...]] = field(default_factory=dict, hash=False)

    @property
    def numbered(self) -> int:
        """How many engagements of the series carry a number (shared ones each count)."""
        return len(self.numbers) + sum(len(ids) - 1 for ids in self.duplicates.values())

    def __repr__(self) -> str:
        unnumbered = list(self.unnumbered[:10])
        more = f" and {len(self.unnumbered) - 10} more" if len(self.unnumbered) > 10 else ""
        shared = dict(list(self.duplicates.items())[:10])
        again = f" and {len(self.duplicates) - 10} more" if len(self.duplicates) > 10 else ""
        return (
            f"Gaps({self.series!r}: {self.numbered} numbered, missing {self.missing!r}, "
            f"duplicated {shared}{again}, unnumbered {unnumbered}{more})"
        )


def gaps(pkg: Records, series: str) -> Gaps:
    """The numbers a series of engagements lacks between 1 and its highest number (as
    ranges), the numbers more than one of its engagements carries (with their ids),
    and the engagements of the series that carry no number. A series no engagement
    names raises :class:`bilat.UnknownName`.

    >>> import bilat
    >>> bilat.load("india-russia").gaps("India–Russia Annual Summit").missing
    []
    """
    numbered: dict[int, list[str]] = {}
    unnumbered = []
    names = {r.series for r in pkg.records("engagement") if isinstance(r, Engagement) and r.series}
    if series not in names:
        raise unknown_name("series", series, sorted(names))
    for record in pkg.records("engagement"):
        assert isinstance(record, Engagement)
        if record.series != series:
            continue
        if record.series_number is None:
            unnumbered.append(record.id)
        else:
            numbered.setdefault(record.series_number, []).append(record.id)
    numbers = tuple(sorted(numbered))
    missing = []
    previous = 0
    for n in numbers:
        if n > previous + 1:
            missing.append(range(previous + 1, n))
        previous = n
    duplicates = {n: tuple(sorted(numbered[n])) for n in numbers if len(numbered[n]) > 1}
    return Gaps(series, numbers, Missing(missing), tuple(sorted(unnumbered)), duplicates)


@dataclass(frozen=True)
class Undated:
    """A position with no ``since`` date, added by ``positions_of(..., undated=True)``:
    nothing says whether it held at the date asked. Its fields read through
    (``u.stance``); ``u.position`` is the record."""

    position: Position

    def __getattr__(self, name: str) -> Any:
        if name == "position" or name.startswith("__"):  # not yet set; copy's hooks
            raise AttributeError(name)
        return getattr(self.position, name)

    def __repr__(self) -> str:
        return f"Undated({self.position.id!r})"


@overload
def positions_of(
    pkg: Records, actor: str, at: When | None = ..., *, undated: Literal[False] = ...
) -> list[Position]: ...
@overload
def positions_of(
    pkg: Records, actor: str, at: When | None = ..., *, undated: bool
) -> list[Position | Undated]: ...
def positions_of(
    pkg: Records, actor: str, at: When | None = None, *, undated: bool = False
) -> list[Position] | list[Position | Undated]:
    """Positions *actor* holds. With a date *at*: those that may hold then (the first
    day ``since`` may be is not after *at*'s last day, and the last day ``until`` may
    be is not before *at*'s first: partial dates count where they may overlap, so
    ``since="1988-12"`` holds at ``"1988-12-01"``); with ``undated=True`` also, after them,
    those with no ``since`` not ended before *at*, each wrapped as :class:`Undated`.
    With no date: all of them.

    >>> import bilat
    >>> pkg = bilat.load("india-russia")
    >>> [p.stance for p in pkg.positions_of("ind", "2024-07-09")]
    ['abstains', 'refrains_from_condemning']
    >>> pkg.positions_of("ind", 2021, undated=True)
    [Undated('ind-calls-for-dialogue')]
    """
    _actor(pkg, actor)
    day = as_date(at) if at is not None else None
    dated: list[Position] = []
    loose: list[Position | Undated] = []
    for record in pkg.records("position"):
        assert isinstance(record, Position)
        if record.holder != actor:
            continue
        if day is None:
            dated.append(record)
            continue
        if record.until is not None and record.until.latest < day.earliest:
            continue
        if record.since is None:
            loose.append(Undated(record))
        elif record.since.earliest <= day.latest:
            dated.append(record)
    if undated:
        return [*dated, *loose]
    return dated


__all__ = [
    "TIMELINE_KINDS",
    "Event",
    "Gaps",
    "Missing",
    "Undated",
    "UnknownName",
    "When",
    "as_date",
    "between",
    "evidence_for",
    "gaps",
    "holders",
    "positions_of",
    "referrers",
    "sources_for",
    "states_by_actor",
    "states_of",
    "timeline",
]


# -- links to coded events (see bilat.link) -----------------------------------------


#: The property of the ``links`` resource that names the curated package.
def links_of(events: Records) -> list[Link]:
    """The links of the events package."""
    return [x for x in events.records("link") if isinstance(x, Link)]


def link_statuses(status: str | Iterable[str]) -> frozenset[str]:
    wanted = frozenset([status] if isinstance(status, str) else status)
    unknown = wanted - {"proposed", "accepted", "rejected"}
    if unknown:
        raise ValueError(f"status must be proposed, accepted or rejected, not {sorted(unknown)}")
    return wanted


def linked_records(
    events: Records, status: str | Iterable[str] = "accepted"
) -> dict[str, list[str]]:
    """Each curated record id the links of *events* point to, with the coded event
    ids linked to it, for links of *status*; records and events in id order."""
    wanted = link_statuses(status)
    out: dict[str, list[str]] = {}
    for x in sorted(links_of(events), key=lambda x: (x.record, x.event)):
        if x.status in wanted:
            out.setdefault(x.record, []).append(x.event)
    return out


def coded_events_for(
    curated: Records, record_id: str, events: Records, status: str | Iterable[str] = "accepted"
) -> list[Record]:
    """The coded events of *events* linked to *record_id* of *curated* with links of
    *status*, in date order. Raises :class:`bilat.UnknownName` when *curated* has no
    such record, and ValueError when the links of *events* name another package."""
    curated[record_id]  # an unknown id is an UnknownName
    spec = curated_spec(events.descriptor)
    if spec is not None and "/" not in spec and not spec.startswith("."):
        name, _, version = spec.partition("@")
        if name != curated.name or (version and curated.version and version != curated.version):
            raise ValueError(
                f"the links of {events.name or 'the events package'} name {spec}, "
                f"not {curated.name}@{curated.version}"
            )
    ids = linked_records(events, status).get(record_id, [])
    found = [events[i] for i in ids]
    return sorted(found, key=lambda e: (getattr(e, "date", None) or PartialDate("1")).sort_key)
