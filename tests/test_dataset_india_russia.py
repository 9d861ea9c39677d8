"""The curated india-russia package: valid, fresh, sourced, and covering the seed."""

from __future__ import annotations

import doctest
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import pycountry
import pytest

from bilat.evidence import normalise, quote_found
from bilat.fmt import plan
from bilat.models import (
    Agreement,
    Claim,
    Engagement,
    Evidence,
    Indicator,
    Motion,
    Source,
    SourcedRecord,
    State,
    Tenure,
    Vote,
)
from bilat.package import Package, read_package

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "datasets" / "india-russia"
SEED = "000_15fc7afe774a04a9.txt"
SERIES = "India–Russia Annual Summit"


def test_package_files_are_canonical_and_the_data_card_current() -> None:
    """The package files are the source of truth: canonical (bilat fmt), with the data
    card's coverage table regenerated from them, and no curation script shipped."""
    assert plan(PKG).changes == {}, "run: bilat fmt datasets/india-russia"
    assert "<!-- coverage:start -->" in (PKG / "README.md").read_text(encoding="utf-8")
    assert not list(PKG.glob("*.py"))


def test_seed_kept_exactly_with_its_metadata() -> None:
    original = (ROOT / "seeds" / SEED).read_bytes()
    assert (PKG / "seeds" / SEED).read_bytes() == original
    meta = json.loads((ROOT / "seeds" / SEED.replace(".txt", ".json")).read_text())
    assert meta["sha256"] == hashlib.sha256(original).hexdigest()
    assert meta["url"].startswith("https://") and meta["title"] in original.decode()
    shared = ROOT.parent / "shared" / "seeds" / SEED
    if shared.exists():  # the starting material, where this checkout has it beside it
        assert shared.read_bytes() == original


def test_validates_with_no_findings() -> None:
    pkg = read_package(PKG)
    assert pkg.name == "india-russia" and pkg.version == "1.2.1"
    # the only findings: the two claims on October 2022's crude imports, left open
    assert pkg.report is not None
    assert [(f.code, f.value) for f in pkg.report.findings] == [
        ("claim-open", "ind-rus-crude-2022-10.value")
    ] * 2


def test_every_record_cites_a_source_and_seed_quotes_are_verbatim() -> None:
    pkg = read_package(PKG)
    seed_text = (PKG / "seeds" / SEED).read_text(encoding="utf-8")
    for record in pkg:
        if isinstance(record, SourcedRecord):
            assert record.sources and all(pkg.get(s) is not None for s in record.sources)
        if isinstance(record, Evidence) and record.source == "src-seed":
            assert quote_found(record.quote, seed_text), record.id
    # normalisation is needed: the seed escapes its quotes
    assert "Russia\\’s" in seed_text and "Russia's" in normalise(seed_text)


SEED_FACTS = [
    "ind",
    "rus",
    "ukr",
    "putin",
    "modi",
    "jaishankar",
    "lavrov",
    "manturov",
    "t-jaishankar-eam",
    "t-putin-president",
    "t-lavrov-fm",
    "t-manturov-dpm",
    "visit-jaishankar-2023-12",
    "meeting-putin-jaishankar-2023-12-27",
    "talks-lavrov-jaishankar-2023-12-27",
    "press-jaishankar-lavrov-2023-12-27",
    "meeting-manturov-jaishankar-2023-12",
    "invitation-modi-2023-12-27",
    "summit-22",
    "kudankulam-2023-12",
    "ind-no-condemnation",
    "ind-calls-for-dialogue",
    "rus-offers-information",
    "west-concern-crude",
    "st-putin-host-modi-2023-12-27",
    "st-putin-counsel-2023-12-27",
    "rus-ind-trade-turnover-2023",
    "ind-rus-crude-imports",
]


@pytest.mark.parametrize("record_id", SEED_FACTS)
def test_each_seed_fact_has_verified_seed_evidence(record_id: str) -> None:
    pkg = read_package(PKG)
    assert pkg.get(record_id) is not None
    supporting = [
        e
        for e in pkg.records("evidence")
        if isinstance(e, Evidence) and e.source == "src-seed" and record_id in e.supports
    ]
    assert supporting, f"no seed quote supports {record_id}"


def test_relative_dates_are_resolved_only_to_sourced_precision() -> None:
    pkg = read_package(PKG)
    visit = pkg["visit-jaishankar-2023-12"]
    assert (str(visit.start), str(visit.end)) == ("2023-12-25", "2023-12-29")  # type: ignore[attr-defined]
    assert str(pkg["meeting-putin-jaishankar-2023-12-27"].start) == "2023-12-27"  # type: ignore[attr-defined]
    # the day of the Manturov meeting comes from reports of the day after, not the seed
    assert str(pkg["meeting-manturov-jaishankar-2023-12"].start) == "2023-12-26"  # type: ignore[attr-defined]
    summits = sorted(
        (e for e in pkg.records("engagement") if getattr(e, "series", None) == SERIES),
        key=lambda e: e.start.sort_key,  # type: ignore[attr-defined]
    )
    numbers = [s.series_number for s in summits]  # type: ignore[attr-defined]
    assert numbers == list(range(1, 24))  # every summit from the 1st to the 23rd, in order


def test_unga_votes_are_evidence_for_non_condemnation() -> None:
    pkg = read_package(PKG)
    votes = [
        e
        for e in pkg.records("evidence")
        if isinstance(e, Evidence)
        and "ind-no-condemnation" in e.supports
        and e.source != "src-seed"
    ]
    assert len(votes) >= 6
    assert all(pkg[e.source].url for e in votes)  # type: ignore[attr-defined]


# -- roll calls --------------------------------------------------------------------------------

# every General Assembly resolution in the package: 68/262 and ES-11/1 to ES-11/8
COMPLETE = {"unga-68-262", *(f"unga-es-11-{n}" for n in range(1, 9))}


def test_complete_roll_calls_list_every_member_state_once() -> None:
    pkg = read_package(PKG)
    motions = {m.id: m for m in pkg.records("motion") if isinstance(m, Motion)}
    assert {m for m, rec in motions.items() if rec.roll_call == "complete"} == COMPLETE
    votes = [v for v in pkg.records("vote") if isinstance(v, Vote)]
    members: set[str] | None = None
    for mid in sorted(COMPLETE):
        cast = [v for v in votes if v.motion == mid]
        voters = [v.voter for v in cast]
        assert len(voters) == len(set(voters)) == 193, mid
        members = members or set(voters)
        assert set(voters) == members  # the same 193 members from 2014 to 2025
        for option in ("yes", "no", "abstain", "not_voting"):
            assert sum(v.option == option for v in cast) == getattr(motions[mid], option), (
                mid,
                option,
            )
        # each Vote cites the one Source that lists the motion's roll call
        assert len({tuple(v.sources) for v in cast if v.voter not in ("ind", "rus")}) == 1
    assert members is not None
    for sid in members:
        state = pkg[sid]
        assert isinstance(state, State) and state.id == state.iso3.lower()
        assert pycountry.countries.get(alpha_3=state.iso3) is not None
    # no state that is not a member has a Vote on these motions, and no State is left over
    assert {s.id for s in pkg.records("state")} == members


def _voted_as_india(pkg: Package, motion: str) -> set[str]:
    votes = [v for v in pkg.records("vote") if isinstance(v, Vote) and v.motion == motion]
    india = next(v.option for v in votes if v.voter == "ind")
    return {v.voter for v in votes if v.option == india and v.voter != "ind"}


def test_who_voted_as_india_did() -> None:
    pkg = read_package(PKG)
    # India abstained on all nine; Russia voted against all nine
    assert all("rus" not in _voted_as_india(pkg, m) for m in COMPLETE)
    assert {"chn", "zaf", "pak"} <= _voted_as_india(pkg, "unga-es-11-1")
    assert "chn" not in _voted_as_india(pkg, "unga-es-11-3")  # China voted against suspension
    # in 2025 the United States voted against the European text and abstained, with
    # Ukraine, on its own text as amended
    assert "usa" not in _voted_as_india(pkg, "unga-es-11-7")
    assert {"usa", "ukr"} <= _voted_as_india(pkg, "unga-es-11-8")
    # the data card answers the question as a doctest
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testfile(str(PKG / "README.md"), module_relative=False, optionflags=flags)
    assert result.attempted >= 4 and result.failed == 0


# -- the data card -----------------------------------------------------------------------------

WORDS = {5: "five", 7: "seven", 8: "eight", 11: "eleven", 13: "thirteen", 14: "fourteen"}


def _card() -> str:
    return " ".join((PKG / "README.md").read_text(encoding="utf-8").split())


def _day(value: object) -> str:
    """A day as the card writes it: 3 October 2000."""
    y, m, d = str(value).split("-")
    months = "January February March April May June July August September October November December"
    return f"{int(d)} {months.split()[int(m) - 1]} {y}"


def test_data_card_counts_and_dates_are_the_data() -> None:
    """Each count and date range the card states is computed here from the records."""
    pkg = read_package(PKG)
    card = _card()
    summits = sorted(
        (e for e in pkg.records("engagement") if isinstance(e, Engagement) and e.series == SERIES),
        key=lambda e: e.series_number or 0,
    )
    motions = [m for m in pkg.records("motion") if isinstance(m, Motion)]
    es11 = sorted(
        (m for m in motions if (m.symbol or "").startswith("A/RES/ES-11/")),
        key=lambda m: str(m.date),
    )
    crude = [
        i
        for i in pkg.records("indicator")
        if isinstance(i, Indicator) and i.unit == "barrels per day"
    ]
    trade = sorted(
        (
            i
            for i in pkg.records("indicator")
            if isinstance(i, Indicator) and i.flow == "turnover" and i.value
        ),
        key=lambda i: str(i.start),
    )
    partial = [m for m in motions if m.roll_call == "partial"]
    voters_on_partial = {
        v.voter
        for v in pkg.records("vote")
        if isinstance(v, Vote) and v.motion in {m.id for m in partial}
    }
    first, last = summits[0], summits[-1]
    month_only = [s for s in summits if s.start is not None and s.start.precision != "day"]
    lavrov, visit = pkg["t-lavrov-fm"], pkg["visit-jaishankar-2023-12"]
    assert isinstance(lavrov, Tenure) and isinstance(visit, Engagement)
    statements = {
        f"all {len(summits)}, each numbered": len(summits) == last.series_number == 23,
        f"the 1st ({_day(first.start)}, Hyderabad House, New Delhi)": first.location
        == "Hyderabad House, New Delhi",
        f"the 23rd ({_day(last.start)}, Hyderabad House)": (last.location or "").startswith(
            "Hyderabad House"
        ),
        "(the month for the 6th, December 2005)": [
            (s.series_number, str(s.start)) for s in month_only
        ]
        == [(6, "2005-12")],
        f"**Votes**: {WORDS[len(motions)]} motions": True,
        f"the {WORDS[len(es11)]} resolutions of the General Assembly's eleventh emergency special session "
        f"({_day(es11[0].date)} to {_day(es11[-1].date)})": len(es11) == 8,
        f"On the other {WORDS[len(partial)]} motions only India's and Russia's votes are recorded": voters_on_partial
        == {"ind", "rus"},
        f"every one of the {len({v.voter for v in pkg.records('vote') if isinstance(v, Vote) and v.motion in COMPLETE})} member states": True,
        f"in {WORDS[len(crude)]} months of 2022 and 2023": {str(i.start)[:4] for i in crude}
        == {"2022", "2023"},
        f"by financial year, {str(trade[0].start)[:4]}-{str(trade[0].end)[2:4]} to {str(trade[-1].start)[:4]}-{str(trade[-1].end)[2:4]}": {
            i.unit for i in trade
        }
        == {"USD million"},
        f"Lavrov (from {_day(lavrov.start)})": lavrov.end is None,
        f"the five-day visit ({str(visit.start)[-2:]}–{_day(visit.end)})": True,
        f"India's imports from Russia in 2022-23 (USD {pkg['ind-rus-imports-fy2022-23'].value:.0f} billion, rounded)": True,  # type: ignore[attr-defined]
    }
    for phrase, holds in statements.items():
        assert phrase in card, f"the data card does not say: {phrase}"
        assert holds, f"the data card says {phrase!r}, which the data does not back"


def _gaps() -> list[str]:
    text = (PKG / "README.md").read_text(encoding="utf-8")
    section = text.split("## Known gaps", 1)[1].split("\n## ", 1)[0]
    return [" ".join(item.split()) for item in re.split(r"\n- ", section)[1:]]


def _agreement(pkg: Package, rid: str) -> Agreement:
    record = pkg[rid]
    assert isinstance(record, Agreement)
    return record


GAPS: dict[str, Callable[[Package], bool]] = {
    "The day of the 6th summit": lambda pkg: (
        str(pkg["summit-6"].start) == "2005-12"  # type: ignore[attr-defined]
        and pkg["unsc-draft-2022-03-23"].symbol is None
    ),  # type: ignore[attr-defined]
    "The days Manturov left": lambda pkg: (
        str(pkg["t-manturov-trade"].end) == str(pkg["t-manturov-dpm"].end) == "2024-05"
    ),  # type: ignore[attr-defined]
    "The signatories of the Kudankulam": lambda pkg: (
        all(
            not _agreement(pkg, a).signatories
            for a in (
                "kudankulam-2023-12",
                "s400-contract-2018-10-05",
                "ak203-contract-2021-12-06",
                "special-privileged-2010",
            )
        )
        and _agreement(pkg, "relos-2025").in_force is None
    ),
    "India's total trade with Russia for 2022-23": lambda pkg: (
        not any(
            isinstance(i, Indicator)
            and i.flow == "turnover"
            and i.value
            and str(i.start) >= "2022-04"
            for i in pkg.records("indicator")
        )
    ),
    "Votes: on the five Security Council votes only": lambda pkg: (
        {m.id for m in pkg.records("motion") if m.roll_call == "complete"} == COMPLETE
        and sorted(m.body for m in pkg.records("motion") if m.roll_call == "partial")  # type: ignore[attr-defined]
        == ["unsc"] * 5
    ),
    "Wikidata ids are given only where certain": lambda pkg: (
        {r.id for r in pkg if isinstance(r, SourcedRecord) and getattr(r, "wikidata", None)}
        == {"ind", "rus", "ukr", "putin", "modi"}
        and sum(1 for s in pkg.records("state") if not s.wikidata) == 190
    ),  # type: ignore[attr-defined]
    "Facts that fit no record type": lambda pkg: (
        not any(word in r.id for r in pkg for word in ("andrew", "rupee", "tariff"))
    ),
    "The defence ministers' tenures": lambda pkg: (
        not any(
            isinstance(t, Tenure) and t.person in ("rajnath-singh", "shoigu")
            for t in pkg.records("tenure")
        )
        and {"rajnath-singh", "shoigu"} <= set(pkg["talks-2plus2-2021-12-06"].participants)
    ),  # type: ignore[attr-defined]
    "The 2016 summit took place": lambda pkg: (
        "Goa" in (pkg["summit-17"].location or "")  # type: ignore[attr-defined]
        and not any(
            "BRICS summit in Goa" in getattr(e, "title", "") for e in pkg.records("engagement")
        )
    ),
    "The seed's publication date is unknown": lambda pkg: pkg["src-seed"].published is None,  # type: ignore[attr-defined]
    "Several source titles": lambda pkg: all(
        isinstance(pkg[s], Source) and pkg[s].notes  # type: ignore[union-attr]
        for s in (
            "src-viralbitch-pm-swearing-in",
            "src-historysnacks-medvedev",
            "src-tehrandigest-2025-02",
            "src-wikimirror-es-11-4",
        )
    ),
    "Open question": lambda pkg: (
        sorted(
            float(c.value)
            for c in pkg.records("claim")
            if isinstance(c, Claim) and c.status == "open"
        )
        == [935556.0, 946000.0]
    ),
}


def test_data_card_known_gaps_are_the_data() -> None:
    """Every known gap the card lists is checked against the records, and every check
    has its gap: adding a gap without a check, or filling one, fails here."""
    pkg = read_package(PKG)
    gaps = _gaps()
    assert len(gaps) == len(GAPS)
    for gap in gaps:
        keys = [k for k in GAPS if gap.startswith(k)]
        assert len(keys) == 1, f"no check for the known gap: {gap}"
        assert GAPS[keys[0]](pkg), f"the known gap is not (or no longer) true: {gap}"


def test_strict_names_the_warnings_it_refuses() -> None:
    """india-russia has no errors and two open claims (warnings): strict=True refuses
    it, and the message says so, naming the first warning (it said "0 error(s);
    first: invalid package")."""
    import bilat
    from bilat.package import PackageError

    with pytest.raises(PackageError) as raised:
        bilat.load("india-russia", strict=True)
    message = str(raised.value)
    assert "no errors, but 2 warning(s), which strict=True refuses" in message
    assert "first: claim-open:" in message


def test_the_description_names_every_complete_roll_call() -> None:
    """The description shown atop the card says what the votes hold: a complete roll
    call on each of the nine General Assembly resolutions."""
    pkg = read_package(ROOT / "datasets" / "india-russia")
    complete = sorted(
        m.id for m in pkg.records("motion") if getattr(m, "roll_call", None) == "complete"
    )
    assert len(complete) == 9
    assert "the nine General Assembly resolutions" in str(pkg.descriptor["description"])
