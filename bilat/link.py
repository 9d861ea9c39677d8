"""Linking coded events to the curated records they report (``bilat link``).

A coded event is proposed for a curated engagement, statement or vote when three
things hold, each scored from 0 to 1 and given as a reason:

- **actors**: the event's two sides stand for two different states among the record's
  actors. A side resolved to a bilat actor counts as that actor (a person stands for
  their state through their tenures and nationality); a side left raw counts as the
  state its country names ("Foreign Affairs (Bangladesh)" is of Bangladesh), with a
  lower score.
- **date**: the event's date lies inside the record's interval (for a held engagement,
  the day after its end too: news is coded on the day it is published); for a planned,
  proposed or cancelled engagement, up to 90 days before its start.
- **class**: the event's class fits the record. A held meeting, visit, summit or call
  is reported by CAMEO 04 (PLOVER CONSULT); an intent to meet (CAMEO 036) is not a
  report of a held engagement, but may announce a planned one. Statements are
  reported by verbal classes (CAMEO 01, 02, 03, 05, 10 to 13); votes by endorsement
  (CAMEO 019, 05) or rejection (CAMEO 11, 12).

The score is the product of the three (times a place factor when both give a
country); a pair is proposed when it reaches ``min_score``. The links are written
into the ``links`` resource of the events package, whose ``x-bilat-curated``
property names the curated package. Decisions (accepted, rejected) are never changed
by a new run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bilat.models import (
    CodedEvent,
    Engagement,
    Organization,
    Person,
    Record,
    State,
    Statement,
    Vote,
)
from bilat.models.dates import PartialDate
from bilat.models.links import Link
from bilat.models.votes import Motion
from bilat.query import coded_events_for, linked_records, links_of
from bilat.validation.linked import CURATED_KEY, curated_spec, near

if TYPE_CHECKING:
    from bilat.package import Package

#: Pairs scoring below this are not proposed.
MIN_SCORE = 0.3
#: How long before a planned engagement an intent to meet may announce it.
PLANNED_WINDOW_DAYS = 90

#: The actor score of a person who is not among a record's participants while
#: another person of their state is.
NOT_PARTICIPANT = 0.25
#: The date score of an intent to meet for a planned engagement that has no date.
UNDATED = 0.5
#: CAMEO roots of verbal events that may report a statement.
_VERBAL = ("01", "02", "03", "05", "10", "11", "12", "13")
_VOTE_CLASSES = {"yes": ("019", "05"), "no": ("11", "12")}
_INTENT = "036"


@dataclass(frozen=True)
class Proposal:
    """One event–record pair the linker proposes."""

    event: str
    record: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class _Side:
    states: frozenset[str]
    actor: str | None  # the curated actor id, when the side resolved to one
    strength: float
    label: str
    person: bool = False


# -- the pieces of a score --------------------------------------------------------


def _days(a: dt.date, b: dt.date) -> int:
    return (b - a).days


def _side(
    event: CodedEvent,
    rid: str | None,
    name: str | None,
    country: str | None,
    local: Callable[[str], Record | None],
    curated: Package,
    by_iso3: dict[str, str],
) -> _Side | None:
    """The side *rid* (or *name* of *country*) of *event*; *local* looks a record of the
    events package up by id (only its states matter)."""
    from bilat import query
    from bilat.importers import reference

    shown = name or rid or "?"
    if rid is not None and isinstance(curated.get(rid), (State, Person, Organization)):
        states = frozenset(query.states_of(curated, rid, event.date))
        person = isinstance(curated.by_id[rid], Person)
        return _Side(states, rid, 1.0, f"{shown} is {rid}", person) if states else None
    if rid is not None:
        own = local(rid)
        if isinstance(own, State) and own.iso3 in by_iso3:
            sid = by_iso3[own.iso3]
            return _Side(frozenset({sid}), sid, 1.0, f"{shown} is {sid}")
    if country:
        iso3 = country if reference.is_iso3(country) else reference.iso3_of_name(country)
        if iso3 is not None and iso3 in by_iso3:
            sid = by_iso3[iso3]
            return _Side(frozenset({sid}), None, 0.8, f"{shown} is of {sid}")
    return None


def _pair(
    actor: _Side,
    recipient: _Side | None,
    record_actors: dict[str, frozenset[str]],
    persons: frozenset[str] = frozenset(),
) -> tuple[float, str] | None:
    """How well the event's sides match two different actors of the record: the score
    and the reason, or None. *record_actors* maps each actor of the record to the
    states it stands for, *persons* says which of them are persons; with *recipient*
    None only the actor side is matched. A side that is a person stands for their
    state, unless the record names another person of that state: then the side is
    someone who did not take part."""
    outsiders: set[str] = set()

    def match(side: _Side, actor_id: str, states: frozenset[str]) -> float:
        if side.actor == actor_id:
            return side.strength
        if not side.states & states:
            return 0.0
        if side.person and any(
            p in persons and p != side.actor and record_actors[p] & side.states
            for p in record_actors
        ):
            outsiders.add(side.label.split(" is ")[0])
            return NOT_PARTICIPANT
        return 0.9 if side.actor is not None else side.strength

    def apart(a_states: frozenset[str], r_states: frozenset[str]) -> bool:
        assert recipient is not None
        mine, theirs = actor.states & a_states, recipient.states & r_states
        return any(x != y for x in mine for y in theirs)

    best: tuple[float, str] | None = None
    for a_id, a_states in record_actors.items():
        first = match(actor, a_id, a_states)
        if not first:
            continue
        if recipient is None:
            cand = (first, f"actors: {actor.label}, as {a_id}")
            best = cand if best is None or cand[0] > best[0] else best
            continue
        for r_id, r_states in record_actors.items():
            if r_id == a_id or not apart(a_states, r_states):
                continue
            second = match(recipient, r_id, r_states)
            if not second:
                continue
            score = round(first * second, 4)
            note = "".join(f"; {o} did not take part" for o in sorted(outsiders))
            cand = (
                score,
                f"actors: {actor.label}, {recipient.label}; record has {a_id}, {r_id}{note}",
            )
            if best is None or cand[0] > best[0]:
                best = cand
    return best


def _interval(start: PartialDate, end: PartialDate | None) -> tuple[dt.date, dt.date]:
    return start.earliest, (end or start).latest


def _held_date(date: PartialDate, start: PartialDate, end: PartialDate | None) -> float:
    lo, hi = _interval(start, end)
    if lo <= date.earliest and date.latest <= hi:
        span = _days(lo, hi) + 1
        return 1.0 if span <= 3 else 0.8 if span <= 31 else 0.5
    if date.earliest == date.latest and _days(hi, date.earliest) == 1:
        return 0.6
    if date.earliest <= hi and lo <= date.latest:
        return 0.5
    return 0.0


def _planned_date(date: PartialDate, start: PartialDate, end: PartialDate | None) -> float:
    lo, hi = _interval(start, end)
    if lo <= date.earliest and date.latest <= hi:
        return 0.9
    ahead = _days(date.latest, lo)
    if 0 < ahead <= PLANNED_WINDOW_DAYS:
        return round(max(0.4, 0.9 - ahead / (2 * PLANNED_WINDOW_DAYS)), 4)
    return 0.0


def _engagement_class(event: CodedEvent, engagement: Engagement) -> tuple[float, str]:
    from bilat.vocab import vocabulary

    cameo = event.cameo or ""
    term = vocabulary("engagement_types")[engagement.type]
    said = f"CAMEO {cameo}" if cameo else f"PLOVER {event.plover_event}"
    if engagement.status == "held":
        if cameo and cameo == term.cameo:
            return 1.0, f"{said} is the code of a {engagement.type}"
        if cameo == _INTENT:
            return 0.0, f"{said}, an intent to meet, does not report a held engagement"
        if (
            event.plover_mode
            and event.plover_mode == term.plover_mode
            and term.plover_event == event.plover_event
        ):
            return 1.0, f"PLOVER {event.plover_event} {event.plover_mode} fits a {engagement.type}"
        if cameo.startswith("04") or (not cameo and event.plover_event == "CONSULT"):
            return 0.8, f"{said} (a consult, CAMEO 04) fits a {engagement.type}"
        return 0.0, f"{said} does not report a {engagement.type}"
    if cameo == _INTENT:
        return 0.9, f"{said}, an intent to meet, may announce a {engagement.status} engagement"
    return 0.0, f"{said} does not announce a {engagement.status} engagement"


# -- the linker -------------------------------------------------------------------


def _record_actors(
    curated: Package, ids: Iterable[str], at: PartialDate | None
) -> dict[str, frozenset[str]]:
    from bilat import query

    out = {}
    for rid in ids:
        if rid in curated.by_id:
            out[rid] = frozenset(query.states_of(curated, rid, at))
    return out


@dataclass
class _Target:
    record: Record
    actors: dict[str, frozenset[str]]
    recipients: dict[str, frozenset[str]] | None  # statements: addressees; None: unchecked
    states: frozenset[str]
    persons: frozenset[str] = frozenset()


def _targets(curated: Package) -> list[_Target]:
    out = []
    for e in curated.records("engagement"):
        assert isinstance(e, Engagement)
        if e.start is None and e.status == "held":
            continue
        actors = _record_actors(curated, e.participants, e.start)
        persons = frozenset(p for p in actors if isinstance(curated.get(p), Person))
        out.append(_Target(e, actors, {}, frozenset().union(*actors.values()), persons))
    for s in curated.records("statement"):
        assert isinstance(s, Statement)
        if s.date is None:
            continue
        actors = _record_actors(curated, [s.speaker], s.date)
        addressees = _record_actors(curated, s.addressees, s.date) if s.addressees else None
        out.append(_Target(s, actors, addressees, frozenset().union(*actors.values())))
    for v in curated.records("vote"):
        assert isinstance(v, Vote)
        motion = curated.get(v.motion)
        if not isinstance(motion, Motion) or motion.date is None or v.option not in _VOTE_CLASSES:
            continue
        actors = _record_actors(curated, [v.voter], motion.date)
        out.append(_Target(v, actors, None, frozenset().union(*actors.values())))
    return out


def _score(
    event: CodedEvent, actor: _Side, recipient: _Side | None, target: _Target, curated: Package
) -> Proposal | None:
    record = target.record
    if isinstance(record, Engagement):
        parts = _engagement_parts(event, actor, recipient, target, record)
    elif isinstance(record, Statement):
        parts = _statement_parts(event, actor, recipient, target, record)
    else:
        assert isinstance(record, Vote)
        parts = _vote_parts(event, actor, target, record, curated)
    if parts is None:
        return None
    klass, why, matched, when, dated = parts
    if matched is None or not when:
        return None
    reasons = [f"{matched[1]} ({matched[0]:.2f})"]
    reasons.append(
        f"date: {event.date} within {dated} ({when:.2f})"
        if record.KIND != "engagement" or getattr(record, "start", None) is not None
        else f"date: {event.date}, {dated} ({when:.2f})"
    )
    reasons.append(f"class: {why} ({klass:.2f})")
    score = matched[0] * when * klass
    place = getattr(record, "country", None)
    if place and event.place_country:
        state = curated.get(place)
        if isinstance(state, State) and state.iso3:
            if state.iso3 == event.place_country:
                reasons.append(f"place: {event.place_country}, as the record (1.00)")
            else:
                score *= 0.7
                reasons.append(f"place: {event.place_country}, the record {state.iso3} (0.70)")
    return Proposal(event.id, record.id, round(score, 2), tuple(reasons))


#: What an event scores against one record: the class score and why, the actors'
#: match (score, reason) or None, the date score, and the record's dates as shown.
_Parts = tuple[float, str, tuple[float, str] | None, float, str]


def _engagement_parts(
    event: CodedEvent,
    actor: _Side,
    recipient: _Side | None,
    target: _Target,
    record: Engagement,
) -> _Parts | None:
    klass, why = _engagement_class(event, record)
    if not klass or recipient is None:
        return None
    matched = _pair(actor, recipient, target.actors, target.persons)
    if record.start is None:  # a planned engagement without a date yet
        return klass, why, matched, UNDATED, "an undated plan"
    if record.status == "held":
        when = _held_date(event.date, record.start, record.end)
    else:
        when = _planned_date(event.date, record.start, record.end)
    dated = f"{record.start}" + (f" to {record.end}" if record.end else "")
    return klass, why, matched, when, dated


def _statement_parts(
    event: CodedEvent,
    actor: _Side,
    recipient: _Side | None,
    target: _Target,
    record: Statement,
) -> _Parts | None:
    assert record.date is not None
    root = (event.cameo or "")[:2]
    if root not in _VERBAL:
        return None
    klass = 0.8 if root == "01" else 0.6
    why = f"CAMEO {event.cameo} is a verbal event, as a statement"
    if target.recipients is None:
        matched = _pair(actor, None, target.actors)
        if matched is not None:
            matched = (round(matched[0] * 0.7, 4), matched[1] + "; no addressee to match")
    else:
        if recipient is None:
            return None
        matched = _pair(actor, recipient, {**target.actors, **target.recipients})
    return klass, why, matched, _held_date(event.date, record.date, None), str(record.date)


def _vote_parts(
    event: CodedEvent, actor: _Side, target: _Target, record: Vote, curated: Package
) -> _Parts | None:
    motion = curated[record.motion]
    assert isinstance(motion, Motion) and motion.date is not None
    codes = _VOTE_CLASSES[record.option]
    if not any((event.cameo or "").startswith(c) for c in codes):
        return None
    klass, why = 0.5, f"CAMEO {event.cameo} may report a vote {record.option}"
    matched = _pair(actor, None, target.actors)
    if matched is not None:
        matched = (round(matched[0] * 0.8, 4), matched[1] + "; recipient not matched")
    return klass, why, matched, _held_date(event.date, motion.date, None), str(motion.date)


class _Linker:
    """Scores coded events one at a time against the records of *curated*; *local*
    looks a record of the events package up by id (see :func:`_side`)."""

    def __init__(
        self, curated: Package, local: Callable[[str], Record | None], min_score: float
    ) -> None:
        self.curated = curated
        self.local = local
        self.min_score = min_score
        self.by_iso3 = {
            s.iso3: s.id for s in curated.records("state") if isinstance(s, State) and s.iso3
        }
        self.index: dict[str, list[_Target]] = {}
        for t in _targets(curated):
            for state in t.states:
                self.index.setdefault(state, []).append(t)

    def event(self, event: CodedEvent) -> list[Proposal]:
        """The proposals for *event* scoring at least ``min_score``, best first."""
        curated, local, by_iso3 = self.curated, self.local, self.by_iso3
        actor = _side(
            event, event.actor, event.actor_name, event.actor_country, local, curated, by_iso3
        )
        if actor is None:
            return []
        recipient = _side(
            event,
            event.recipient,
            event.recipient_name,
            event.recipient_country,
            local,
            curated,
            by_iso3,
        )
        seen: set[str] = set()
        found = []
        for state in sorted(actor.states):
            for t in self.index.get(state, ()):
                if t.record.id in seen:
                    continue
                seen.add(t.record.id)
                p = _score(event, actor, recipient, t, curated)
                if p is not None and p.score >= self.min_score:
                    found.append(p)
        return sorted(found, key=lambda p: (-p.score, p.record))


def propose(events: Package, curated: Package, *, min_score: float = MIN_SCORE) -> list[Proposal]:
    """Every event–record pair of *events* and *curated* scoring at least *min_score*,
    best first within each event, events in id order."""
    linker = _Linker(curated, events.get, min_score)
    out: list[Proposal] = []
    for event in sorted(events.records("coded_event"), key=lambda r: r.id):
        assert isinstance(event, CodedEvent)
        out.extend(linker.event(event))
    return out


# -- links: ids, merging, decisions -------------------------------------------------


def link_id(event: str, record: str) -> str:
    """The id of the link of *event* to *record*: ``EVENT.RECORD``, or a hash when too long."""
    rid = f"{event}.{record}"
    if len(rid) <= 128:
        return rid
    return f"link-{hashlib.sha256(rid.encode()).hexdigest()[:24]}"


def merge(existing: Iterable[Link], proposals: Iterable[Proposal]) -> list[Link]:
    """The links after a new run: decided links as they were; each proposal as a
    proposed link (a pair already decided stays decided); proposed links the run no
    longer proposes are dropped."""
    decided = {(x.event, x.record): x for x in existing if x.status != "proposed"}
    out = {x.id: x for x in decided.values()}
    for p in proposals:
        if (p.event, p.record) in decided:
            continue
        lid = link_id(p.event, p.record)
        out[lid] = Link(
            id=lid,
            event=p.event,
            record=p.record,
            status="proposed",
            score=p.score,
            reasons=list(p.reasons),
        )
    return sorted(out.values(), key=lambda x: x.id)


class LinkError(Exception):
    """A link command cannot be carried out (unknown link id, a bad package)."""


def decide(
    links: list[Link], link: str, status: str, by: str, on: PartialDate | None = None
) -> list[Link]:
    """*links* with link *link* (its id, or its event id when that event has one
    link) set to *status* by *by* on *on* (today by default)."""
    hits = [x for x in links if x.id == link] or [x for x in links if x.event == link]
    if not hits:
        from bilat.names import unknown_name

        raise LinkError(str(unknown_name("link", link, [x.id for x in links])))
    if len(hits) > 1:
        raise LinkError(f"event {link} has {len(hits)} links: name one by its id")
    day = on or PartialDate(dt.datetime.now(dt.timezone.utc).date().isoformat())
    new = hits[0].model_copy(update={"status": status, "decided_by": by, "decided_on": day})
    new = Link.model_validate(new.model_dump())
    return [new if x.id == new.id else x for x in links]


# -- the links resource -------------------------------------------------------------


def open_curated(spec: str, events_root: Path | None) -> Package:
    """The curated package *spec* names, through the library's lookup order (a path,
    a bundled dataset, the cache, the catalog). With *events_root*, a path is relative
    to the events package's folder."""
    from bilat.lookup import locate
    from bilat.package import read_package

    return read_package(locate(near(spec, events_root)))  # what bilat.load does


def write_links(folder: Path, links: list[Link], spec: str) -> Path:
    """Write *links* as the ``links`` resource of the package in *folder*, naming the
    curated package *spec*; the CSV first, the descriptor last, each atomically."""
    from bilat import versions
    from bilat.files import atomic_write, guard_out
    from bilat.package import csv_bytes
    from bilat.tables import resource_descriptor

    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    version, problem = versions.declared(descriptor)
    if problem or version is None or "link" not in versions.kinds(version):
        raise LinkError(
            f"{path}: links need schema version {versions.CURRENT} or later "
            f"(the package declares {version or problem}); run bilat fmt --upgrade first"
        )
    resources = [r for r in descriptor.get("resources") or () if isinstance(r, dict)]
    old = [r for r in resources if r.get("name") == "links"]
    if not old and (folder / "links.csv").exists():
        raise LinkError(f"{folder / 'links.csv'}: exists but is not the package's links resource")
    guard_out(folder / "links.csv", force=bool(old))
    present = frozenset(str(r.get("name")) for r in resources) | {"links"}
    res = resource_descriptor("link", "csv", present, version)
    res[CURATED_KEY] = spec
    if old:
        descriptor["resources"] = [res if r.get("name") == "links" else r for r in resources]
    else:
        descriptor["resources"] = [*resources, res]
    atomic_write(folder / "links.csv", csv_bytes("link", links, version))
    atomic_write(path, (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode())
    return folder / "links.csv"


@dataclass
class _Read:
    """What ``bilat link`` keeps of the events package: its states (an event's side
    may name one) and links, as the first reading validates it; then, as the second
    reading links each coded event, that event's proposals, not the event. A linker
    that fails (a bug) is raised once the reading is over, not reported as a finding."""

    linker: _Linker | None = None
    states: dict[str, Record] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    found: list[tuple[str, list[Proposal]]] = field(default_factory=list)
    failed: list[Exception] = field(default_factory=list)

    def keep(self, kind: str, _number: int, record: Record) -> None:
        if kind == "state":
            self.states[record.id] = record
        elif kind == "link":
            assert isinstance(record, Link)
            self.links.append(record)

    def link(self, kind: str, _number: int, record: Record) -> None:
        if kind != "coded_event" or self.linker is None or self.failed:
            return
        assert isinstance(record, CodedEvent)
        try:
            proposals = self.linker.event(record)
        except Exception as exc:  # raised after the reading, as propose would raise it
            self.failed.append(exc)
            return
        if proposals:
            self.found.append((record.id, proposals))

    def proposals(self) -> list[Proposal]:
        """The proposals, events in id order (ids are unique: as :func:`propose`)."""
        self.found.sort(key=lambda pair: pair[0])
        return [p for _event, found in self.found for p in found]


def _read_events(folder: Path, sink: Callable[[str, int, Record], None]) -> None:
    """Validate the events package in *folder* as :func:`bilat.load` does (the same
    layers, report and refusal), each valid record going to *sink* as it is read
    rather than being kept. Raises :class:`LinkError` when the package is invalid."""
    from bilat.findings import Report, make
    from bilat.lookup import open_linked, resolve
    from bilat.package import PackageError
    from bilat.validation import Run, engines, execute
    from bilat.validation.target import TargetError

    try:  # as bilat.load reads it
        chosen = engines.get(engines.from_environment())
    except (ValueError, engines.EngineUnavailable) as exc:
        raise LinkError(str(exc)) from None
    report = Report(str(folder))
    # the row engine, so that each valid record reaches the linker as it is read and
    # none is kept, with the ids (layer 4) where bilat validate would keep them for
    # this package: in DuckDB for the sql engine (named, or auto's from about 20
    # million rows), else in a dict
    run = Run(report, collect=False, engine=chosen, linked=open_linked, rows_only=True)
    run.sink = sink
    try:
        with resolve(folder) as tgt:
            execute(tgt, run, None)
            report.finish()
    except TargetError as exc:
        report.findings.append(make("target-unreadable", detail=str(exc)))
        report.finish()
    if not report.valid:
        raise LinkError(str(PackageError(report)))


def _packages(folder: Path, curated: str, min_score: float) -> tuple[str, _Read]:
    """How the links resource names the curated package *curated* (a path relative
    to *folder*, or NAME@VERSION), and what was read of the events package in
    *folder*: its links, and its proposals for that package's records.

    The events package is read twice, one record at a time, so that no coded event
    is kept: first validated, keeping its states and links (an invalid package is
    refused before the curated one is opened and any event linked, as before), then
    read again to link each event as it passes. Memory grows with the curated
    package and the proposals, and with the events only by the ids validation keeps
    (layer 4, as ``bilat validate`` keeps them: see :func:`_read_events`)."""
    from bilat.catalog import CatalogError
    from bilat.package import PackageError

    if not (folder / "datapackage.json").is_file():
        raise LinkError(f"{folder}: not a package folder (no datapackage.json)")
    read = _Read()
    _read_events(folder, read.keep)
    try:
        cur = open_curated(curated, None)
    except PackageError as exc:
        raise LinkError(str(exc)) from None
    except (CatalogError, ValueError) as exc:
        raise LinkError(f"{curated}: {exc}") from None
    read.linker = _Linker(cur, read.states.get, min_score)
    _read_events(folder, read.link)
    if read.failed:
        raise read.failed[0]
    if os.path.exists(curated):
        spec = os.path.relpath(Path(curated).resolve(), folder.resolve())
    elif "@" in curated or not cur.version:
        spec = curated
    else:
        spec = f"{cur.name}@{cur.version}"
    return spec, read


def run(
    events_dir: Path,
    curated: str,
    *,
    accept: Iterable[str] = (),
    reject: Iterable[str] = (),
    by: str | None = None,
    min_score: float = MIN_SCORE,
) -> list[str]:
    """``bilat link``: propose links from the events package in *events_dir* to the
    curated package *curated* (a path or NAME@VERSION), keep every earlier decision,
    apply *accept* and *reject* (link ids, or event ids with one link), and write the
    links resource. Returns the summary lines; raises :class:`LinkError`."""
    import getpass

    from bilat.files import WriteRefused

    folder = Path(events_dir)
    spec, read = _packages(folder, curated, min_score)
    proposals = read.proposals()
    links = merge(read.links, proposals)
    who = by or getpass.getuser()
    for lid in accept:
        links = decide(links, lid, "accepted", who)
    for lid in reject:
        links = decide(links, lid, "rejected", who)
    try:
        path = write_links(folder, links, spec)
    except WriteRefused as exc:
        raise LinkError(str(exc)) from None
    counts = {
        s: sum(1 for x in links if x.status == s) for s in ("proposed", "accepted", "rejected")
    }
    return [
        f"proposed {len(proposals)} links from {len({p.event for p in proposals})} events "
        f"to {len({p.record for p in proposals})} records of {spec}",
        f"links: {counts['proposed']} proposed, {counts['accepted']} accepted, "
        f"{counts['rejected']} rejected",
        f"wrote {path}",
    ]


__all__ = [
    "CURATED_KEY",
    "LinkError",
    "Proposal",
    "coded_events_for",
    "curated_spec",
    "decide",
    "link_id",
    "linked_records",
    "links_of",
    "merge",
    "open_curated",
    "propose",
    "write_links",
]
