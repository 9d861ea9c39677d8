"""The HTML data card in headless Chromium at a phone's width (390 px): words not
codes, claims and indicators, capped sections, isolated bidi text, wide tables that
scroll in their own box, and a page under 1 MB whatever the package holds: many
engagements, engagements of many participants with long names, many claims on one
field, and every text at its longest."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pycountry
import pytest
from chromium import Chromium
from typer.testing import CliRunner

import bilat
from bilat import (
    Claim,
    Engagement,
    Evidence,
    Indicator,
    Motion,
    Organization,
    Position,
    Source,
    State,
    Vote,
    cardhtml,
)
from bilat.cardhtml import CAPS
from bilat.cli import app
from bilat.package import write_package

ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = Path(os.environ.get("BILAT_ARTEFACTS", ROOT / "test-artefacts"))
runner = CliRunner()
MB = 1_000_000
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")

#: What a check at 390 px reads from the page.
PROBE = """({
  width: document.documentElement.scrollWidth,
  viewport: window.innerWidth,
  ready: document.body.dataset.ready,
  text: document.body.innerText,
  boxes: Array.from(document.querySelectorAll(".scroll")).map(
    b => [b.firstElementChild.id, b.scrollWidth, b.clientWidth]),
  bidi: Array.from(document.querySelectorAll("body *")).filter(
    e => /[\\u202a-\\u202e]/.test(Array.from(e.childNodes).filter(
      n => n.nodeType === 3).map(n => n.data).join("")) && !e.closest("bdi")).length,
  terms: Array.from(document.querySelectorAll(".term")).map(e => [e.title, e.textContent]),
})"""


def card(target: str | Path, out: Path) -> Path:
    result = runner.invoke(app, ["card", str(target), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "index.html"


@pytest.fixture(scope="module")
def browser() -> Any:
    with Chromium(width=390) as chromium:
        yield chromium


def look(browser: Chromium, page: Path) -> dict[str, Any]:
    browser.console.clear()
    browser.open(page)
    seen = dict(browser.evaluate(PROBE))
    assert seen["viewport"] == 390
    assert seen["ready"] == "yes"  # the script ran to its end
    assert browser.console == []
    return seen


# -- packages built here ----------------------------------------------------------------


def _source() -> Source:
    return Source(id="s", type="web_page", title="A page", url="https://example.org/")


def vote_matrix(folder: Path) -> Path:
    """190 states voting on 9 motions of one body."""
    codes = sorted(c.alpha_3 for c in pycountry.countries)[:190]
    states = [
        State(id=c.lower(), name=pycountry.countries.get(alpha_3=c).name, iso3=c, sources=["s"])
        for c in codes
    ]
    body = Organization(
        id="unga",
        type="international_organization",
        name="United Nations General Assembly",
        sources=["s"],
    )
    motions = [
        Motion(
            id=f"m{i}",
            body="unga",
            symbol=f"A/RES/ES-11/{i}",
            title=f"Resolution {i}",
            date=f"2022-0{i}",
            result="adopted" if i % 3 else "not_adopted",
            sources=["s"],
        )
        for i in range(1, 10)
    ]
    options = ("yes", "no", "abstain", "not_voting")
    votes = [
        Vote(
            id=f"v-{s.id}-{m.id}",
            motion=m.id,
            voter=s.id,
            option=options[(n + k) % 4],
            sources=["s"],
        )
        for n, s in enumerate(states)
        for k, m in enumerate(motions)
    ]
    write_package(
        folder,
        [_source(), *states, body, *motions, *votes],
        name="votes",
        title="A vote matrix",
        version="1.0.0",
    )
    return folder


def large(folder: Path, n: int = 20_000) -> Path:
    """*n* engagements (some titles holding bidi overrides), claims and indicators."""
    a = State(id="ind", name="India", iso3="IND", sources=["s"])
    b = State(id="rus", name="\u202eaissuR", iso3="RUS", sources=["s"])
    engagements = [
        Engagement(
            id=f"e{i:05d}",
            type=("meeting", "official_visit", "summit", "phone_call")[i % 4],
            status="held",
            title=f"\u202eEngagement {i} with a title long enough to wrap on a phone",
            participants=["ind", "rus"],
            start=f"{1950 + i % 75}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            location="Moscow",
            sources=["s"],
        )
        for i in range(n)
    ]
    claims = [
        Claim(
            id=f"c{i:04d}",
            record=f"e{i:05d}",
            field="location",
            value='"St Petersburg"',
            status="open" if i % 2 else "resolved",
            rationale="The reports differ.",
            sources=["s"],
        )
        for i in range(400)
    ]
    claims += [
        Claim(
            id=f"c{i:04d}-r",
            record=f"e{i:05d}",
            field="location",
            value='"Moscow"',
            status="open" if i % 2 else "resolved",
            sources=["s"],
        )
        for i in range(400)
    ]
    indicators = [
        Indicator(
            id=f"x{i:04d}",
            subject="ind",
            counterpart="rus",
            flow="imports",
            measure="Imports of crude oil",
            start=f"{1990 + i // 12}-{1 + i % 12:02d}",
            value=1000.0 + i,
            unit="barrels per day",
            direction="increase",
            sources=["s"],
        )
        for i in range(400)
    ]
    sources = [
        Source(id=f"s{i:04d}", type="news_article", title=f"Report {i}", url="https://example.org/")
        for i in range(1000)
    ]
    write_package(
        folder,
        [_source(), *sources, a, b, *engagements, *claims, *indicators],
        name="large",
        title="\u202eA large package",
        version="1.0.0",
    )
    return folder


def left_out(html: str) -> dict[str, int]:
    """What each note of the card says is left out, by what."""
    notes = re.findall(r'data-left="(\d+)">([\d,]+) more (\w[\w ]*?) not shown', html)
    return {what: int(n) for n, _, what in notes}


def unga(folder: Path, n: int = 400) -> Path:
    """*n* engagements, each with 193 states taking part (a UNGA-style package)."""
    codes = sorted(c.alpha_3 for c in pycountry.countries)[:193]
    states = [
        State(id=c.lower(), name=pycountry.countries.get(alpha_3=c).name, iso3=c, sources=["s"])
        for c in codes
    ]
    sessions = [
        Engagement(
            id=f"e{i:03d}",
            type="meeting",
            status="held",
            title=f"Plenary meeting {i}",
            participants=[s.id for s in states],
            start=f"{1950 + i % 75}-09",
            sources=["s"],
        )
        for i in range(n)
    ]
    write_package(folder, [_source(), *states, *sessions], name="unga", title="UNGA", version="1")
    return folder


def long_name(i: int, length: int = 490) -> str:
    return (f"Organisation {i} " + "with a long name " * 30)[:length].strip()


def crowd(folder: Path, n: int = 300, m: int = 400) -> Path:
    """*n* engagements, each with the same *m* organizations of long names."""
    bodies = [
        Organization(
            id=f"o{i:03d}", type="international_organization", name=long_name(i), sources=["s"]
        )
        for i in range(m)
    ]
    meetings = [
        Engagement(
            id=f"e{i:03d}",
            type="meeting",
            status="held",
            title=f"Meeting {i}",
            participants=[b.id for b in bodies],
            start="2020",
            sources=["s"],
        )
        for i in range(n)
    ]
    write_package(folder, [_source(), *bodies, *meetings], name="crowd", title="C", version="1")
    return folder


def disputed(folder: Path, n: int = 200) -> Path:
    """*n* claims, with long values and reasons, on one field of one engagement."""
    state = State(id="ind", name="India", iso3="IND", sources=["s"])
    visit = Engagement(
        id="e1",
        type="official_visit",
        status="held",
        title="A visit",
        location="Delhi",
        participants=["ind"],
        start="2024",
        sources=["s"],
    )
    claims = [
        Claim(
            id=f"c{i:03d}",
            record="e1",
            field="notes",
            value=f'"Place {i} ' + "named at length " * 600 + '"',
            status="open",
            rationale=f"Reason {i}: " + "the reports differ " * 250,
            sources=["s"],
        )
        for i in range(n)
    ]
    write_package(folder, [_source(), state, visit, *claims], name="d", title="D", version="1")
    return folder


def longest(folder: Path) -> Path:
    """Every section past its caps, every name at its longest and every text past what
    the card shows, of characters that escape to the most bytes, and the longest ids and
    addresses."""
    text = '"&<' * 700  # 2,100 characters (past CHARS["text"]), each escaped to 4 to 6 bytes
    name = '"&<' * 166

    def rid(kind: str, i: int) -> str:
        return f"{kind}-" + "x" * 110 + f"-{i:05d}"

    url = "https://example.org/?" + "a=1&" * 494
    sources = [
        Source(id=rid("s", i), type="news_article", title=name, url=url, publisher=name)
        for i in range(400)
    ]
    cited = [s.id for s in sources[:20]]
    bodies = [
        Organization(id=rid("o", i), type="international_organization", name=name, sources=cited)
        for i in range(250)
    ]
    actors = [b.id for b in bodies]
    records: list[Any] = [*sources, *bodies]
    records += [
        Engagement(
            id=rid("e", i),
            type="meeting",
            status="held",
            title=name,
            location=name,
            participants=actors,
            part_of=rid("e", 0) if i else None,
            start="2020",
            sources=cited,
        )
        for i in range(400)
    ]
    records += [
        Position(
            id=rid("p", i),
            holder=actors[i],
            stance="supports",
            issue=name,
            target=actors[i + 1],
            basis="reported",
            sources=cited,
        )
        for i in range(100)
    ]
    records += [
        Evidence(id=rid("ev", i), source=cited[0], quote=text, supports=[rid("p", i % 100)])
        for i in range(500)
    ]
    records += [
        Motion(id=rid("m", i), body=actors[0], title=name, symbol=name, date="2020", sources=cited)
        for i in range(70)
    ]
    records += [
        Vote(
            id=rid("v", 1000 * i + k),
            motion=rid("m", i),
            voter=actors[k],
            option="yes",
            sources=cited,
        )
        for i in range(70)
        for k in range(210)
    ]
    records += [
        Claim(
            id=rid("c", i),
            record=rid("e", i % 200),
            field="notes",
            value=json.dumps(text),
            status="open",
            rationale=text[:-3] + str(i),
            sources=cited,
        )
        for i in range(200 * 13)
    ]
    records += [
        Indicator(
            id=rid("x", i),
            subject=actors[i % 200],
            counterpart=actors[i % 200 + 1],
            flow="imports",
            measure=name,
            commodity=name,
            unit=name,
            start="2020",
            value=1.0,
            sources=cited,
        )
        for i in range(400)
    ]
    metadata = {
        "description": text * 50,
        "contributors": [{"title": name, "role": "author"} for _ in range(100)],
    }
    write_package(folder, records, name="longest", title=name, version="1", metadata=metadata)
    return folder


# -- the tests ------------------------------------------------------------------------------


def test_the_bundled_card_in_words_at_390_px(tmp_path: Path, browser: Chromium) -> None:
    page = card("india-russia", tmp_path / "card")
    assert page.stat().st_size < MB
    seen = look(browser, page)
    assert seen["width"] <= 390, seen["boxes"]
    # codes are shown by their labels, the code on hover
    for code in ("refrains_from_condemning", "official_visit", "not_adopted", "voting_record"):
        assert not re.search(rf"\b{code}\b", seen["text"]), code
    terms = {code: label for code, label in seen["terms"]}
    assert terms["refrains_from_condemning"] == "Refrains from condemning"
    assert terms["official_visit"] == "Official visit"
    assert terms["not_adopted"] == "Not adopted"
    # claims, the open ones marked, and indicators get sections
    pkg = bilat.load("india-russia")
    fields = {(c.record, c.field) for c in pkg.records("claim")}
    open_fields = {(c.record, c.field) for c in pkg.records("claim") if c.status == "open"}
    html = page.read_text()
    assert html.count('<h3 class="claim-') == len(fields)
    assert html.count('<h3 class="claim-open"') == len(open_fields) > 0
    assert seen["text"].count("Open: the conflict stands") == len(open_fields)
    for claim in pkg.records("claim"):
        assert f'data-id="{claim.id}"' in html
    for indicator in pkg.records("indicator"):
        assert f'data-id="{indicator.id}"' in html
    assert "Indicators" in seen["text"] and "Claims" in seen["text"]
    # the votes table is wider than a phone and scrolls in its own box
    boxes = {name: (wide, shown) for name, wide, shown in seen["boxes"]}
    assert boxes["votes-table"][0] > boxes["votes-table"][1]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    assert browser.screenshot(ARTEFACTS / "card-390.png").stat().st_size > 10_000


def test_a_vote_matrix_of_190_states_fits_a_phone(tmp_path: Path, browser: Chromium) -> None:
    page = card(vote_matrix(tmp_path / "votes"), tmp_path / "card")
    html = page.read_text()
    row = re.search(r'<tr data-id="m1">.*?</tr>', html)
    assert row is not None and row.group(0).count('<span class="term"') == 1 + 190
    seen = look(browser, page)
    assert seen["width"] <= 390
    boxes = {name: (wide, shown) for name, wide, shown in seen["boxes"]}
    wide, shown = boxes["votes-table"]
    assert shown <= 390 < wide  # the matrix scrolls inside its box, not the page
    assert "Not voting" in seen["text"] and "not_voting" not in seen["text"]
    assert page.stat().st_size < MB


def test_a_20k_engagement_card_is_capped_under_1_mb(tmp_path: Path, browser: Chromium) -> None:
    page = card(large(tmp_path / "large"), tmp_path / "card")
    size = page.stat().st_size
    assert size < MB, size
    html = page.read_text()
    assert html.count('class="engagement"') == CAPS["engagements"]
    left = re.findall(r'data-left="(\d+)">([\d,]+) more (\w[\w ]*?) not shown', html)
    by_what = {what: int(n) for n, _, what in left}
    assert by_what["engagements"] == 20_000 - CAPS["engagements"]
    assert by_what["claimed fields"] == 400 - CAPS["claims"]
    assert by_what["indicators"] == 400 - CAPS["indicators"]
    assert by_what["sources"] == 1001 - CAPS["sources"]
    seen = look(browser, page)
    assert seen["width"] <= 390
    assert seen["bidi"] == 0  # every text holding a bidi override is isolated


class _Bidi(HTMLParser):
    """Text holding bidi controls outside a <bdi> (or outside the isolating
    U+2068 ... U+2069 of the <title>)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.loose: list[str] = []
        self.isolated = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in ("meta", "input", "br"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not BIDI.search(data):
            return
        if "bdi" in self.stack or (
            self.stack[-1:] == ["title"] and data.startswith("\u2068") and data.endswith("\u2069")
        ):
            self.isolated += 1
            return
        self.loose.append(data)


def test_bidi_text_is_isolated_in_the_html(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    src = Source(id="s", type="web_page", title="\u202eevil source", url="https://example.org/")
    state = State(id="ind", name="\u202eaidnI", iso3="IND", sources=["s"])
    visit = Engagement(
        id="e1",
        type="official_visit",
        status="held",
        title="\u202eTitle",
        location="\u2067Place",
        participants=["ind"],
        start="2024",
        sources=["s"],
    )
    write_package(folder, [src, state, visit], name="p", title="\u202eP", version="1")
    html = card(folder, tmp_path / "card").read_text()
    parser = _Bidi()
    parser.feed(html)
    assert parser.loose == []
    # the title (in the head, the heading and the citation), the source, state and visit
    assert parser.isolated == 7
    assert "<bdi>\u202eTitle</bdi>" in html


def test_engagements_of_193_states_name_the_first_and_count_the_rest(
    tmp_path: Path, browser: Chromium
) -> None:
    page = card(unga(tmp_path / "unga"), tmp_path / "card")
    size = page.stat().st_size
    assert size < MB / 2, size  # 2.8 MB when every participant was named
    html = page.read_text()
    shown = CAPS["participants"]
    assert html.count(f" and {193 - shown} more</span></li>") == CAPS["engagements"]
    assert left_out(html)["engagements"] == 400 - CAPS["engagements"]
    seen = look(browser, page)
    assert seen["width"] <= 390


def test_long_names_of_many_participants_are_cut(tmp_path: Path) -> None:
    page = card(crowd(tmp_path / "crowd"), tmp_path / "card")
    size = page.stat().st_size
    assert size < MB, size  # 63 MB when every name was shown in full
    html = page.read_text()
    assert long_name(7) not in html  # the full name is left out, not hidden
    # the budget cuts the timeline too: each engagement takes some 4 kB
    shown = html.count('class="engagement"')
    assert 100 < shown < CAPS["engagements"] and left_out(html)["engagements"] == 300 - shown
    cut = long_name(7)[: cardhtml.CHARS["name"] - 1].rstrip() + "\u2026"
    assert html.count(f"<bdi>{cut}</bdi>") == shown
    assert html.count(f" and {400 - CAPS['participants']} more") == shown


def test_claims_on_one_field_are_capped(tmp_path: Path) -> None:
    page = card(disputed(tmp_path / "d"), tmp_path / "card")
    size = page.stat().st_size
    assert size < MB / 4, size  # 3.8 MB when every claim was listed
    html = page.read_text()
    assert html.count('<li data-id="c') == CAPS["field_claims"]
    assert left_out(html)["claims on this field"] == 200 - CAPS["field_claims"]
    assert "200 claims on 1 fields" in html
    # each value and reason is cut to CHARS["text"] characters
    assert "named at length " * 60 in html and "named at length " * 63 not in html
    assert "the reports differ " * 50 in html and "the reports differ " * 53 not in html


def test_a_card_of_every_text_at_its_longest_stays_under_1_mb(tmp_path: Path) -> None:
    """Past the caps on counts and lengths, the byte budget cuts each section, and
    each section still shows its first items and counts the rest."""
    page = card(longest(tmp_path / "p"), tmp_path / "card")
    size = page.stat().st_size
    assert size < MB, size
    html = page.read_text()
    left = left_out(html)
    # each section shows its first records and counts the rest; one field's claims
    # (12, each citing 10 sources with addresses of 2,000 characters) take more than the
    # claims' share of the budget, so that section shows none and counts them all
    for what, total, mark in (
        ("engagements", 400, 'class="engagement"'),
        ("positions", 100, '<h3 data-id="p-'),
        ("motions", 70, '<tr data-id="m-'),
        ("claimed fields", 200, 'class="claim-open"'),
        ("indicators", 400, '<tr data-id="x-'),
        ("sources", 400, "<li id='s-"),
    ):
        shown = html.count(mark)
        assert left[what] == total - shown, (what, shown, left.get(what))
        assert (shown > 0) is (what != "claimed fields"), what
    assert left["voters"] == 210 - CAPS["voters"]
    assert '"&<' * 100 not in html
