"""The curated india-russia package: valid, fresh, sourced, and covering the seed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bilat.evidence import normalise, quote_found
from bilat.fmt import plan
from bilat.models import Evidence, SourcedRecord
from bilat.package import read_package

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "datasets" / "india-russia"
SEED = "000_15fc7afe774a04a9.txt"


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
    assert pkg.name == "india-russia" and pkg.version == "1.1.0"
    # the only findings: 1.1.0 was written for schema version 2 (the current one is 3),
    # and the two claims on October 2022's crude imports, left open
    assert pkg.report is not None
    assert [(f.code, f.value) for f in pkg.report.findings] == [
        ("schema-outdated", "2"),
        *[("claim-open", "ind-rus-crude-2022-10.value")] * 2,
    ]


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
        (e for e in pkg.records("engagement") if getattr(e, "series", None)),
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
