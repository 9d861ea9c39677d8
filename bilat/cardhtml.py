"""``bilat card``: a static HTML data card that needs no network.

One self-contained ``index.html`` (inline CSS and a few lines of script, no CDN, no
fonts fetched) that works from ``file://``: what the package holds, a timeline of
engagements, incidents with their casualties, positions with their evidence quotes
and sources, votes as a table, claims (open ones marked), indicators, the coverage table, the sources with links,
and the licence and citation.

Codes from the vocabularies are shown by their labels, with the code on hover (a
``title``). Every value is escaped, and text from the data is isolated (``<bdi>``)
so a title holding bidi controls cannot reorder what follows it. Links are only the
http(s) addresses the models allow. Wide tables scroll inside their own box, so the
page fits a phone's width, and the page is bounded whatever the package holds: long
sections, the participants of an engagement and the claims on one field are capped
(:data:`CAPS`), long texts are cut (:data:`CHARS`, with an ellipsis, the rest left
out), and the sections together take at most :data:`BUDGET` bytes; each says how many
of its records are left out.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bilat.card import coverage_table
from bilat.files import atomic_write
from bilat.models import (
    RECORD_TYPES,
    Casualty,
    Claim,
    Engagement,
    Evidence,
    Incident,
    Indicator,
    Motion,
    Position,
    Record,
    Source,
    Vote,
)
from bilat.tables import RESOURCE_NAMES

if TYPE_CHECKING:
    from bilat.package import Package

#: How many items each long section shows; the rest is counted, not listed.
CAPS = {
    "engagements": 300,
    "incidents": 150,
    "positions": 60,
    "quotes": 4,
    "motions": 60,
    "voters": 200,
    "claims": 150,
    "indicators": 150,
    "sources": 300,
    "participants": 12,  # of one engagement, or parties of one incident
    "casualties": 12,  # of one incident
    "field_claims": 12,  # on one claimed field
    "cited": 10,  # sources of one position or claim
    "authors": 10,
}

#: How many characters of a text the card shows; a longer one is cut with an ellipsis.
CHARS = {"name": 300, "text": 1000, "description": 4000}

#: Bytes the sections (timeline, incidents, positions, votes, claims, indicators, sources) take in
#: all. A section that needs less than its share shows all it may (:data:`CAPS`); the
#: others share the rest, each showing its first items that fit and counting the rest.
#: With the page around them (the texts in it cut), the card stays under 1 MB.
BUDGET = 850_000

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:.8em;color:#222}
@media (min-width:700px){body{padding:1em 2em}}
h1,h2,h3,p,li,blockquote,dd{overflow-wrap:anywhere}
h1{margin-bottom:.2em}h2{border-bottom:1px solid #ccc;margin-top:2em}
.scroll{overflow-x:auto;max-width:100%;margin:.5em 0}
table{border-collapse:collapse;font-size:14px}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top;
overflow-wrap:break-word}
th{background:#f4f4f4}.num{text-align:right;font-variant-numeric:tabular-nums}
#votes-table td,#votes-table th{white-space:nowrap}
#timeline{list-style:none;padding:0;border-left:3px solid #336;margin-left:.5em}
#timeline li{padding:.3em 0 .3em 1em;position:relative}
#timeline li:before{content:"";position:absolute;left:-7px;top:.8em;width:11px;height:11px;
border-radius:50%;background:#336}
.date{font-variant-numeric:tabular-nums;font-weight:600;margin-right:.5em}
.muted{color:#666}blockquote{margin:.3em 0 .3em 1em;padding-left:.8em;border-left:3px solid #ddd}
#filter{padding:.3em;width:20em;max-width:100%;box-sizing:border-box}
bdi{unicode-bidi:isolate}
.term{border-bottom:1px dotted #888;cursor:help}
.open{color:#9a3412;font-weight:600}
.more{color:#555;font-style:italic}
"""

_SCRIPT = """
(function () {
  var input = document.getElementById("filter");
  var items = document.querySelectorAll("#timeline li");
  var shown = document.getElementById("shown");
  function apply() {
    var q = input.value.toLowerCase(), n = 0;
    for (var i = 0; i < items.length; i++) {
      var hit = items[i].textContent.toLowerCase().indexOf(q) >= 0;
      items[i].hidden = !hit;
      if (hit) n++;
    }
    shown.textContent = n + " of " + items.length;
  }
  input.addEventListener("input", apply);
  apply();
  document.body.setAttribute("data-ready", "yes");
})();
"""


_LAST = (dt.date.max, dt.date.max)


def _e(value: Any) -> str:
    """*value* escaped, for an attribute or for text that cannot hold bidi controls."""
    return html.escape("" if value is None else str(value))


def _cut(value: Any, limit: int = CHARS["name"]) -> str:
    """*value* as text of at most *limit* characters, a longer one cut with an ellipsis."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _t(value: Any, limit: int = CHARS["name"]) -> str:
    """Text from the data, cut to *limit* characters, escaped and isolated, so bidi
    controls stay inside it."""
    return "" if value is None or value == "" else f"<bdi>{_e(_cut(value, limit))}</bdi>"


def _and_more(shown: str, left: int) -> str:
    """*shown*, a list of names, and how many more are left out."""
    return shown + (f" and {left:,} more" if left > 0 else "")


def _term(vocab: str, code: str | None) -> str:
    """A vocabulary code as its label, with the code on hover."""
    if code is None:
        return ""
    from bilat.vocab import vocabulary

    v = vocabulary(vocab)
    label = v[code].label if code in v else code
    return f'<span class="term" title="{_e(code)}">{_e(label)}</span>'


def _more(left: int, what: str, where: str, note: str = "") -> str:
    """The note a capped section ends with: how many *what* are not shown."""
    if left <= 0:
        return ""
    return (
        f'<p class="more" data-left="{left}">{left:,} more {_e(what)} not shown here'
        + (f" ({_e(note)})" if note else "")
        + f"; the package's {_e(where)} resource has them all.</p>"
    )


def _link(source: Source) -> str:
    title = _t(source.title)
    return f'<a href="{_e(source.url)}">{title}</a>' if source.url else title


def _links(sources: list[Source]) -> str:
    """The first sources linked, and how many more."""
    shown = ", ".join(_link(s) for s in sources[: CAPS["cited"]])
    return _and_more(shown, len(sources) - CAPS["cited"])


def _name(pkg: Package, record_id: str | None) -> str:
    """A record's name (or title) isolated, with its id on hover."""
    if record_id is None:
        return ""
    record = pkg.get(record_id)
    label = getattr(record, "name", None) or getattr(record, "title", None)
    if isinstance(record, Indicator):
        label = f"{record.measure}, {_when(record.start, record.end)}"
    if not label:
        return _e(record_id)
    return f'<span title="{_e(record_id)}">{_t(label)}</span>'


def _names(pkg: Package, ids: list[str], cap: int) -> str:
    """The first *cap* records named, and how many more."""
    return _and_more(", ".join(_name(pkg, i) for i in ids[:cap]), len(ids) - cap)


def _table(head: list[str], rows: list[str], table_id: str = "") -> str:
    """A table inside its own scrolling box; *head* cells are HTML already."""
    ident = f' id="{table_id}"' if table_id else ""
    return (
        f'<div class="scroll"><table{ident}><tr>'
        + "".join(f"<th>{h}</th>" for h in head)
        + "</tr>\n"
        + "\n".join(rows)
        + "</table></div>"
    )


def _coverage_html(pkg: Package) -> str:
    rows = [line.strip("|").split("|") for line in coverage_table(pkg).splitlines()]
    head, body = rows[0], rows[2:]
    return _table(
        [_e(c.strip()) for c in head],
        ["<tr>" + "".join(f"<td>{_e(c.strip())}</td>" for c in row) + "</tr>" for row in body],
    )


def _when(start: Any, end: Any) -> str:
    if start is None:
        return "undated" if end is None else f"until {end}"
    return f"{start}" + (f" – {end}" if end is not None and end != start else "")


def _held(since: Any, until: Any) -> str:
    if since is None:
        return "undated" if until is None else f"until {until}"
    return f"since {since}" if until is None else f"{since} – {until}"


@dataclass
class _Section:
    """A section the byte budget may cut: its items (each its HTML and how many records
    it shows), in order, and how the section is built from those shown."""

    items: Iterator[tuple[str, int]]
    total: int  # records the section would show without the budget's cut
    build: Callable[[list[str], int], list[str]]  # (items shown, records left out) -> parts


def _size(parts: Iterable[str]) -> int:
    """Bytes *parts* take in the page, each on its own line."""
    return sum(len(p.encode("utf-8")) + 1 for p in parts)


def _fit(sections: list[_Section], budget: int) -> list[list[tuple[str, int]]]:
    """The items each section shows within *budget* bytes. The sections' frames (their
    headings, table heads and notes) count first; then the sections that need less than
    an equal share of what is left show all their items, and the others share the rest
    equally, each showing its first items that fit."""
    left = budget - sum(_size(s.build([], s.total)) for s in sections)
    drafts = []  # each section's items, rendered until they pass the budget
    for s in sections:
        kept: list[tuple[str, int, int]] = []
        need = 0
        for html_, weight in s.items:
            if need > budget:
                break
            kept.append((html_, weight, _size([html_])))
            need += kept[-1][2]
        drafts.append((need, kept))
    shown: list[list[tuple[str, int]]] = [[] for _ in sections]
    order = sorted(range(len(sections)), key=lambda k: drafts[k][0])
    for n, k in enumerate(order):
        share, used = max(left, 0) // (len(order) - n), 0
        for html_, weight, size in drafts[k][1]:
            if used + size > share:
                break
            shown[k].append((html_, weight))
            used += size
        left -= used
    return shown


def _engagement(pkg: Package, e: Engagement) -> str:
    number = f" (no. {e.series_number})" if e.series_number else ""
    where = f", {_t(e.location)}" if e.location else ""
    within = f" · part of {_name(pkg, e.part_of)}" if e.part_of else ""
    return (
        f'<li class="engagement" data-id="{_e(e.id)}"><span class="date">'
        f"{_e(_when(e.start, e.end))}</span>{_t(e.title)}{_e(number)} "
        f"<span class='muted'>· {_term('engagement_types', e.type)}, "
        f"{_term('statuses', e.status)}{where} · "
        f"{_names(pkg, e.participants, CAPS['participants'])}{within}</span></li>"
    )


def _engagements(pkg: Package) -> _Section:
    engagements = sorted(
        (e for e in pkg.records("engagement") if isinstance(e, Engagement)),
        key=lambda e: (*(e.start.sort_key if e.start else _LAST), e.id),
    )

    def build(items: list[str], left: int) -> list[str]:
        return [
            '<h2 id="timeline-heading">Timeline of engagements</h2>',
            '<p><input id="filter" type="search" placeholder="Filter the timeline" '
            'aria-label="Filter the timeline"> <span id="shown" class="muted"></span></p>',
            '<ol id="timeline">',
            *items,
            "</ol>",
            _more(left, "engagements", "engagements", "the first by date are listed"),
        ]

    items = ((_engagement(pkg, e), 1) for e in engagements[: CAPS["engagements"]])
    return _Section(items, len(engagements), build)


def _casualty(pkg: Package, c: Casualty) -> str:
    counts = [
        f"{n} {what}" for n, what in ((c.killed, "killed"), (c.wounded, "wounded")) if n is not None
    ]
    told = f" (reported {c.reported})" if c.reported else ""
    return f"{_name(pkg, c.party)}: {_e(', '.join(counts))}{_e(told)}"


def _incident(pkg: Package, i: Incident, casualties: list[Casualty]) -> str:
    where = f", {_t(i.location)}" if i.location else ""
    within = f" · part of {_name(pkg, i.part_of)}" if i.part_of else ""
    shown = "; ".join(_casualty(pkg, c) for c in casualties[: CAPS["casualties"]])
    lost = _and_more(shown, len(casualties) - CAPS["casualties"])
    return (
        f'<li class="incident" data-id="{_e(i.id)}"><span class="date">'
        f"{_e(_when(i.start, i.end))}</span>{_t(i.title)} "
        f"<span class='muted'>· {_term('incident_types', i.type)}{where} · "
        f"{_names(pkg, i.parties, CAPS['participants'])}{within}</span>"
        + (f"<br>Casualties: {lost}" if lost else "")
        + f"<br><span class='muted'>Sources: {_links(pkg.sources_for(i.id))}</span></li>"
    )


def _incidents(pkg: Package) -> _Section | None:
    incidents = sorted(
        (i for i in pkg.records("incident") if isinstance(i, Incident)),
        key=lambda i: (*i.start.sort_key, i.id),
    )
    if not incidents:
        return None
    casualties: dict[str, list[Casualty]] = {}
    for c in pkg.records("casualty"):
        assert isinstance(c, Casualty)
        casualties.setdefault(c.incident, []).append(c)

    def build(items: list[str], left: int) -> list[str]:
        return [
            '<h2 id="incidents">Incidents</h2>',
            '<ol class="incidents">',
            *items,
            "</ol>",
            _more(left, "incidents", "incidents", "the first by date are listed"),
        ]

    items = (
        (_incident(pkg, i, casualties.get(i.id, [])), 1) for i in incidents[: CAPS["incidents"]]
    )
    return _Section(items, len(incidents), build)


def _position(pkg: Package, p: Position, quotes: list[Evidence]) -> str:
    target = f" towards {_name(pkg, p.target)}" if p.target else ""
    parts = [
        f'<h3 data-id="{_e(p.id)}">{_name(pkg, p.holder)}: {_term("stances", p.stance)}</h3>'
        f"<p>{_t(p.issue)}{target} · {_e(_held(p.since, p.until))}"
        f" · basis {_term('position_bases', p.basis)}</p>"
    ]
    for ev in quotes[: CAPS["quotes"]]:
        source = pkg.get(ev.source)
        cite = _link(source) if isinstance(source, Source) else _e(ev.source)
        parts.append(
            f"<blockquote>{_t(ev.quote, CHARS['text'])}<br>"
            f"<span class='muted'>— {cite}</span></blockquote>"
        )
    parts.append(_more(len(quotes) - CAPS["quotes"], "quotes", "evidence"))
    parts.append(f"<p class='muted'>Sources: {_links(pkg.sources_for(p.id))}</p>")
    return "\n".join(part for part in parts if part)


def _positions(pkg: Package) -> _Section | None:
    positions = [p for p in pkg.records("position") if isinstance(p, Position)]
    if not positions:
        return None
    evidence: dict[str, list[Evidence]] = {}
    for ev in pkg.records("evidence"):
        assert isinstance(ev, Evidence)
        for rid in ev.supports:
            evidence.setdefault(rid, []).append(ev)

    def build(items: list[str], left: int) -> list[str]:
        return [
            '<h2 id="positions">Positions, with their evidence</h2>',
            *items,
            _more(left, "positions", "positions"),
        ]

    items = ((_position(pkg, p, evidence.get(p.id, [])), 1) for p in positions[: CAPS["positions"]])
    return _Section(items, len(positions), build)


def _votes(pkg: Package) -> _Section | None:
    motions = sorted(
        (m for m in pkg.records("motion") if isinstance(m, Motion)),
        key=lambda m: (*(m.date.sort_key if m.date else _LAST), m.id),
    )
    if not motions:
        return None
    votes = [v for v in pkg.records("vote") if isinstance(v, Vote)]
    counts: dict[str, int] = {}
    for v in votes:
        counts[v.voter] = counts.get(v.voter, 0) + 1
    every = sorted(counts)
    voters = every[: CAPS["voters"]]
    option = {(v.motion, v.voter): v.option for v in votes}
    head = [
        "date",
        "motion",
        "result",
        *(_name(pkg, v) for v in voters),
        "<span class='num'>yes</span>",
        "<span class='num'>no</span>",
        "<span class='num'>abstain</span>",
        "body",
    ]

    def row(m: Motion) -> str:
        return (
            f'<tr data-id="{_e(m.id)}"><td>{_e(m.date)}</td>'
            f"<td>{_t((m.symbol + ': ') if m.symbol else '')}{_t(m.title)}</td>"
            f"<td>{_term('vote_results', m.result)}</td>"
            + "".join(f"<td>{_term('vote_options', option.get((m.id, v)))}</td>" for v in voters)
            + f"<td class='num'>{_e(m.yes)}</td><td class='num'>{_e(m.no)}</td>"
            f"<td class='num'>{_e(m.abstain)}</td><td>{_name(pkg, m.body)}</td></tr>"
        )

    def build(items: list[str], left: int) -> list[str]:
        return [
            '<h2 id="votes">Votes</h2>',
            _table(head, items, "votes-table"),
            _more(left, "motions", "motions"),
            _more(len(every) - len(voters), "voters", "votes"),
        ]

    items = ((row(m), 1) for m in motions[: CAPS["motions"]])
    return _Section(items, len(motions), build)


def _claim_value(value: str) -> str:
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, str) else json.dumps(decoded, ensure_ascii=False)


def _holds(record: Record | None, name: str) -> str:
    value = getattr(record, name, None) if record is not None else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _claimed(pkg: Package, record_id: str, name: str, every: list[Claim]) -> str:
    """The claims on one field: the first :data:`CAPS` ``field_claims`` by id, and the
    reasons given for them."""
    claims = sorted(every, key=lambda c: c.id)[: CAPS["field_claims"]]
    is_open = any(c.status == "open" for c in every)
    status = (
        '<span class="open" title="open">Open: the conflict stands</span>'
        if is_open
        else '<span title="resolved">Resolved</span>'
    )
    holds = _t(_holds(pkg.get(record_id), name), CHARS["text"]) or "–"
    parts = [
        f'<h3 class="claim-{"open" if is_open else "resolved"}" '
        f'data-record="{_e(record_id)}">{_name(pkg, record_id)} · <code>{_e(name)}</code></h3>'
        f"<p>{status}. The record holds: {holds}.</p>"
        "<ul>"
    ]
    for c in claims:
        sources = _links([s for s in (pkg.get(i) for i in c.sources) if isinstance(s, Source)])
        parts.append(
            f'<li data-id="{_e(c.id)}">{_t(_claim_value(c.value), CHARS["text"])} '
            f"<span class='muted'>— {sources}</span></li>"
        )
    parts.append("</ul>")
    parts.append(_more(len(every) - len(claims), "claims on this field", "claims"))
    reasons = dict.fromkeys(c.rationale for c in claims if c.rationale)
    parts += [f"<p class='muted'>{_t(r, CHARS['text'])}</p>" for r in reasons]
    return "\n".join(part for part in parts if part)


def _claims(pkg: Package) -> _Section | None:
    """Claims grouped by the field they are about, open conflicts first."""
    groups: dict[tuple[str, str], list[Claim]] = {}
    for c in pkg.records("claim"):
        assert isinstance(c, Claim)
        groups.setdefault((c.record, c.field), []).append(c)
    if not groups:
        return None
    order = sorted(groups, key=lambda k: (all(c.status != "open" for c in groups[k]), k[0], k[1]))
    n_open = sum(1 for k in order if any(c.status == "open" for c in groups[k]))

    def build(items: list[str], left: int) -> list[str]:
        return [
            '<h2 id="claims">Claims</h2>',
            f"<p>Where sources disagree, each source's value is kept as a claim beside the "
            f"value the record holds: {sum(len(g) for g in groups.values())} claims on "
            f"{len(groups)} fields, {n_open} of them open (the conflict stands).</p>",
            *items,
            _more(left, "claimed fields", "claims"),
        ]

    items = ((_claimed(pkg, r, n, groups[r, n]), 1) for r, n in order[: CAPS["claims"]])
    return _Section(items, len(order), build)


def _indicator_group(pkg: Package, key: tuple[Any, ...], rows: list[Indicator]) -> str:
    subject, counterpart, flow, measure, commodity, unit = key
    goods = f" · {_t(commodity)}" if commodity else ""
    cells = []
    for i in rows:
        value = "" if i.value is None else f"{i.value:,.15g}"
        cells.append(
            f'<tr data-id="{_e(i.id)}"><td>{_e(_when(i.start, i.end))}</td>'
            f"<td class='num'>{_e(value)}</td>"
            f"<td>{_term('directions', i.direction)}</td></tr>"
        )
    return (
        f"<h3>{_t(measure)}</h3><p class='muted'>{_name(pkg, subject)} → "
        f"{_name(pkg, counterpart)} · {_term('trade_flows', flow)}{goods}"
        + (f" · in {_t(unit)}" if unit else "")
        + "</p>\n"
        + _table(["period", "<span class='num'>value</span>", "trend"], cells)
    )


def _indicators(pkg: Package) -> _Section | None:
    """Indicators grouped by what they measure, each group a table of periods."""
    indicators = sorted(
        (i for i in pkg.records("indicator") if isinstance(i, Indicator)),
        key=lambda i: (*(i.start.sort_key if i.start else _LAST), i.id),
    )
    if not indicators:
        return None
    groups: dict[tuple[Any, ...], list[Indicator]] = {}
    for i in indicators[: CAPS["indicators"]]:
        key = (i.subject, i.counterpart, i.flow, i.measure, i.commodity, i.unit)
        groups.setdefault(key, []).append(i)

    def build(items: list[str], left: int) -> list[str]:
        return [
            '<h2 id="indicators">Indicators</h2>',
            *items,
            _more(left, "indicators", "indicators"),
        ]

    items = ((_indicator_group(pkg, k, rows), len(rows)) for k, rows in groups.items())
    return _Section(items, len(indicators), build)


def _sources(pkg: Package) -> _Section:
    sources = sorted(
        (s for s in pkg.records("source") if isinstance(s, Source)), key=lambda s: s.id
    )

    def item(s: Source) -> str:
        meta = ", ".join(x for x in (_t(s.publisher), _e(s.published)) if x)
        return (
            f"<li id='{_e(s.id)}'>{_link(s)} <span class='muted'>· "
            f"{_term('source_types', s.type)}{', ' + meta if meta else ''}</span></li>"
        )

    def build(items: list[str], left: int) -> list[str]:
        return [
            '<h2 id="sources">Sources</h2><ol id="sources-list">',
            *items,
            "</ol>",
            _more(left, "sources", "sources"),
        ]

    items = ((item(s), 1) for s in sources[: CAPS["sources"]])
    return _Section(items, len(sources), build)


def _sections(pkg: Package) -> list[str]:
    """The capped sections, within :data:`BUDGET` bytes, the coverage before the sources."""
    found = (
        _engagements(pkg),
        _incidents(pkg),
        _positions(pkg),
        _votes(pkg),
        _claims(pkg),
        _indicators(pkg),
    )
    sections = [*(s for s in found if s is not None), _sources(pkg)]
    built = [
        section.build([html_ for html_, _ in shown], section.total - sum(n for _, n in shown))
        for section, shown in zip(sections, _fit(sections, BUDGET), strict=True)
    ]
    coverage = ['<h2 id="coverage">Coverage</h2>', _coverage_html(pkg)]
    return [part for parts in built[:-1] for part in parts] + coverage + built[-1]


def render(pkg: Package) -> str:
    """The data card of *pkg* as one HTML page."""
    d = pkg.descriptor
    title = str(d.get("title") or pkg.name)
    licence = (d.get("licenses") or [{}])[0]
    licence_name = licence.get("title") or licence.get("name")
    parts: list[str] = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # U+2068 and U+2069 isolate the title where no element can
        f"<title>\u2068{_e(_cut(title))}\u2069</title><style>{_CSS}</style></head><body>",
        f"<h1>{_t(title)}</h1>",
        f'<p class="muted"><code>{_e(_cut(pkg.name))}</code> {_e(_cut(pkg.version))}'
        f" · licence {_t(licence_name)}</p>",
        f"<p>{_t(d.get('description'), CHARS['description'])}</p>",
        '<h2 id="holds">What it holds</h2>',
    ]
    rows = [
        f"<tr><td>{_e(RESOURCE_NAMES[kind])}</td><td class='num'>{len(pkg.records(kind))}</td></tr>"
        for kind in RECORD_TYPES
        if pkg.records(kind)
    ]
    parts.append(_table(["records", "<span class='num'>count</span>"], rows))
    parts += _sections(pkg)
    evidence = len(pkg.records("evidence"))
    contributors = [str(c.get("title", "")) for c in d.get("contributors") or []]
    authors = _and_more(
        ", ".join(_t(c) for c in contributors[: CAPS["authors"]] if c),
        len(contributors) - CAPS["authors"],
    )
    parts += [
        '<h2 id="licence">Licence and citation</h2>',
        f"<p>Data: {_t(licence_name)}"
        + (f" ({_e(_cut(licence.get('path')))})" if licence.get("path") else "")
        + ".</p>",
        "<p>Cite as: "
        + (authors or "its authors")
        + f". <em>{_t(title)}</em>, version {_e(_cut(pkg.version))} [data set]. "
        f"{len(pkg)} records, {evidence} evidence quotes.</p>",
        f"<script>{_SCRIPT}</script></body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def write_card(pkg: Package, out: str | Path) -> Path:
    """Write the card as ``index.html`` in folder *out* (created if needed)."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.html"
    atomic_write(path, render(pkg).encode("utf-8"))
    return path


__all__ = ["BUDGET", "CAPS", "CHARS", "render", "write_card"]
