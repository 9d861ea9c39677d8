"""``bilat card``: a static HTML data card that needs no network.

One self-contained ``index.html`` (inline CSS and a few lines of script, no CDN, no
fonts fetched) that works from ``file://``: what the package holds, a timeline of
engagements, positions with their evidence quotes and sources, votes as a table, the
coverage table, the sources with links, and the licence and citation. Every value is
escaped; links are only the http(s) addresses the models allow.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bilat.card import coverage_table
from bilat.files import atomic_write
from bilat.models import RECORD_TYPES, Engagement, Evidence, Motion, Position, Source, Vote
from bilat.tables import RESOURCE_NAMES

if TYPE_CHECKING:
    from bilat.package import Package

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;color:#222}
h1{margin-bottom:.2em}h2{border-bottom:1px solid #ccc;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0;font-size:14px}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}.num{text-align:right}
#timeline{list-style:none;padding:0;border-left:3px solid #336;margin-left:.5em}
#timeline li{padding:.3em 0 .3em 1em;position:relative}
#timeline li:before{content:"";position:absolute;left:-7px;top:.8em;width:11px;height:11px;
border-radius:50%;background:#336}
.date{font-variant-numeric:tabular-nums;font-weight:600;margin-right:.5em}
.muted{color:#666}blockquote{margin:.3em 0 .3em 1em;padding-left:.8em;border-left:3px solid #ddd}
#filter{padding:.3em;width:20em}
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
    return html.escape("" if value is None else str(value))


def _link(source: Source) -> str:
    title = _e(source.title)
    return f'<a href="{_e(source.url)}">{title}</a>' if source.url else title


def _names(pkg: Package, ids: list[str]) -> str:
    out = []
    for i in ids:
        record = pkg.get(i)
        out.append(_e(getattr(record, "name", None) or i))
    return ", ".join(out)


def _coverage_html(pkg: Package) -> str:
    rows = [line.strip("|").split("|") for line in coverage_table(pkg).splitlines()]
    head, body = rows[0], rows[2:]
    out = ["<table>", "<tr>" + "".join(f"<th>{_e(c.strip())}</th>" for c in head) + "</tr>"]
    for row in body:
        out.append("<tr>" + "".join(f"<td>{_e(c.strip())}</td>" for c in row) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def render(pkg: Package) -> str:
    """The data card of *pkg* as one HTML page."""
    d = pkg.descriptor
    title = d.get("title") or pkg.name
    licence = (d.get("licenses") or [{}])[0]
    parts: list[str] = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="muted"><code>{_e(pkg.name)}</code> {_e(pkg.version)}'
        f" · licence {_e(licence.get('title') or licence.get('name'))}</p>",
        f"<p>{_e(d.get('description'))}</p>",
        "<h2 id=\"holds\">What it holds</h2><table><tr><th>records</th><th class='num'>count</th></tr>",
    ]
    for kind in RECORD_TYPES:
        n = len(pkg.records(kind))
        if n:
            parts.append(f"<tr><td>{_e(RESOURCE_NAMES[kind])}</td><td class='num'>{n}</td></tr>")
    parts.append("</table>")

    engagements = sorted(
        (e for e in pkg.records("engagement") if isinstance(e, Engagement)),
        key=lambda e: (*(e.start.sort_key if e.start else _LAST), e.id),
    )
    dated = [e for e in engagements if e.start]
    undated = [e for e in engagements if not e.start]
    parts += [
        '<h2 id="timeline-heading">Timeline of engagements</h2>',
        '<p><input id="filter" type="search" placeholder="Filter the timeline" '
        'aria-label="Filter the timeline"> <span id="shown" class="muted"></span></p>',
        '<ol id="timeline">',
    ]
    for e in [*dated, *undated]:
        when = f"{e.start}" + (f" – {e.end}" if e.end else "") if e.start else "undated"
        number = f" (no. {e.series_number})" if e.series_number else ""
        parts.append(
            f'<li class="engagement" data-id="{_e(e.id)}"><span class="date">{_e(when)}</span>'
            f"{_e(e.title)}{_e(number)} <span class='muted'>· {_e(e.type)}, {_e(e.status)}"
            f"{', ' + _e(e.location) if e.location else ''} · {_names(pkg, e.participants)}"
            "</span></li>"
        )
    parts.append("</ol>")

    parts.append('<h2 id="positions">Positions, with their evidence</h2>')
    for p in pkg.records("position"):
        assert isinstance(p, Position)
        parts.append(
            f"<h3>{_e(getattr(pkg.get(p.holder), 'name', p.holder))}: {_e(p.stance)}</h3>"
            f"<p>{_e(p.issue)}{' · since ' + _e(p.since) if p.since else ''}"
            f" · basis {_e(p.basis)}</p>"
        )
        for ev in pkg.evidence_for(p.id):
            source = pkg.get(ev.source)
            cite = _link(source) if isinstance(source, Source) else _e(ev.source)
            parts.append(
                f"<blockquote>{_e(ev.quote)}<br><span class='muted'>— {cite}</span></blockquote>"
            )
        srcs = ", ".join(_link(s) for s in pkg.sources_for(p.id))
        parts.append(f"<p class='muted'>Sources: {srcs}</p>")

    motions = [m for m in pkg.records("motion") if isinstance(m, Motion)]
    if motions:
        voters = sorted({v.voter for v in pkg.records("vote") if isinstance(v, Vote)})
        option = {(v.motion, v.voter): v.option for v in pkg.records("vote") if isinstance(v, Vote)}
        parts += [
            '<h2 id="votes">Votes</h2><table id="votes-table"><tr><th>date</th><th>body</th>'
            "<th>motion</th><th>result</th><th class='num'>yes</th><th class='num'>no</th>"
            "<th class='num'>abstain</th>"
            + "".join(f"<th>{_names(pkg, [v])}</th>" for v in voters)
            + "</tr>"
        ]
        for m in sorted(motions, key=lambda m: (*(m.date.sort_key if m.date else _LAST), m.id)):
            parts.append(
                f"<tr><td>{_e(m.date)}</td><td>{_names(pkg, [m.body])}</td>"
                f"<td>{_e(m.symbol + ': ' if m.symbol else '')}{_e(m.title)}</td>"
                f"<td>{_e(m.result)}</td><td class='num'>{_e(m.yes)}</td>"
                f"<td class='num'>{_e(m.no)}</td><td class='num'>{_e(m.abstain)}</td>"
                + "".join(f"<td>{_e(option.get((m.id, v), ''))}</td>" for v in voters)
                + "</tr>"
            )
        parts.append("</table>")

    parts += ['<h2 id="coverage">Coverage</h2>', _coverage_html(pkg)]
    parts.append('<h2 id="sources">Sources</h2><ol id="sources-list">')
    for s in sorted(pkg.records("source"), key=lambda s: s.id):
        assert isinstance(s, Source)
        meta = ", ".join(_e(x) for x in (s.publisher, s.published) if x)
        parts.append(f"<li id='{_e(s.id)}'>{_link(s)}{' · ' + meta if meta else ''}</li>")
    parts.append("</ol>")
    evidence = sum(1 for r in pkg.records("evidence") if isinstance(r, Evidence))
    parts += [
        '<h2 id="licence">Licence and citation</h2>',
        f"<p>Data: {_e(licence.get('title') or licence.get('name'))}"
        + (f" ({_e(licence.get('path'))})" if licence.get("path") else "")
        + ".</p>",
        "<p>Cite as: "
        + _e(", ".join(c.get("title", "") for c in d.get("contributors") or []) or "its authors")
        + f". <em>{_e(title)}</em>, version {_e(pkg.version)} [data set]. "
        f"{len(pkg)} records, {evidence} evidence quotes.</p>",
        f"<script>{_SCRIPT}</script></body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_card(pkg: Package, out: str | Path) -> Path:
    """Write the card as ``index.html`` in folder *out* (created if needed)."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.html"
    atomic_write(path, render(pkg).encode("utf-8"))
    return path


__all__ = ["render", "write_card"]
