"""The query API, the frames and the HTML card, on the bundled package and on small
packages built here."""

from __future__ import annotations

import copy
import datetime as dt
import os
import pickle
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import bilat
from bilat import Engagement, PartialDate, Source, State
from bilat.cli import app
from bilat.package import write_package

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


@pytest.fixture(scope="module")
def pkg() -> Any:
    return bilat.load("india-russia")


def test_partial_dates_take_strings_and_dates() -> None:
    year = PartialDate("2024")
    assert year.contains("2024-07") and not PartialDate("2024-07").contains("2024")
    assert year.overlaps(dt.date(2024, 7, 9)) and year.before("2025") and year.after("2023-12")
    with pytest.raises(ValueError):
        year.contains("2024-13")


def test_between_resolves_persons_to_states(pkg: Any) -> None:
    # the Manturov meeting has two persons as participants, no state
    met = [e.id for e in pkg.between("ind", "rus", "2023-12-26")]
    assert met == ["visit-jaishankar-2023-12", "meeting-manturov-jaishankar-2023-12"]
    assert [e.id for e in pkg.between("jaishankar", "rus", "2023-12-26")] == met
    all_time = pkg.between("ind", "rus")
    assert len(all_time) == len(pkg.records("engagement"))
    starts = [e.start.sort_key for e in all_time]
    assert starts == sorted(starts)
    assert pkg.between("ind", "ukr") == []


def test_referrers_evidence_and_sources(pkg: Any) -> None:
    refs = {r.id for r in pkg.referrers("unga-es-11-4")}
    assert {"vote-ind-unga-es-11-4", "vote-rus-unga-es-11-4"} <= refs
    assert {"claim-es-11-4-abstain-32", "ev-es-11-4-interfax"} <= refs
    quotes = {e.id for e in pkg.evidence_for("ind-no-condemnation")}
    assert "ev-vote-2022-02-27" in quotes
    sources = [s.id for s in pkg.sources_for("summit-13")]
    assert "src-voa-2012-12-24" in sources and len(sources) == len(set(sources))
    assert all(isinstance(s, Source) for s in pkg.sources_for("summit-13"))


def test_timeline_orders_partial_dates_by_their_interval(pkg: Any) -> None:
    events = pkg.timeline("2005", "2007")
    assert [e.record.id for e in events][:3] == ["summit-6", "summit-2007-01", "summit-8"]
    keys = [e.date.sort_key for e in pkg.timeline()]
    assert keys == sorted(keys)
    kinds = {e.kind for e in pkg.timeline("2022-03-02")}
    assert kinds == {"motion", "vote"}


def test_gaps_in_a_numbered_series(tmp_path: Path) -> None:
    src = Source(id="s", type="web_page", title="A page", url="https://example.org/")
    states = [State(id=i, name=i.upper(), iso3=i.upper(), sources=["s"]) for i in ("ind", "rus")]
    summits = [
        Engagement(
            id=f"s{n}",
            type="summit",
            status="held",
            title=f"Summit {n}",
            participants=["ind", "rus"],
            start=f"200{n}",
            series="S",
            series_number=n,
            sources=["s"],
        )
        for n in (1, 2, 5)
    ]
    loose = Engagement(
        id="sx",
        type="summit",
        status="planned",
        title="Summit",
        participants=["ind"],
        series="S",
        sources=["s"],
    )
    write_package(tmp_path / "p", [src, *states, *summits, loose], name="p", title="P", version="1")
    gaps = bilat.load(tmp_path / "p").gaps("S")
    assert gaps.missing == (3, 4) and gaps.missing.ranges == (range(3, 5),)
    assert gaps.numbers == (1, 2, 5) and gaps.unnumbered == ("sx",)
    assert "missing [3-4]" in repr(gaps)
    assert gaps.duplicates == {} and gaps.numbered == 3


def test_gaps_reports_a_number_carried_twice(tmp_path: Path) -> None:
    """Two summits numbered 20 and none 21: both are kept, neither is dropped."""
    src = Source(id="s", type="web_page", title="A page", url="https://example.org/")
    states = [State(id=i, name=i.upper(), iso3=i.upper(), sources=["s"]) for i in ("ind", "rus")]
    summits = [
        Engagement(
            id=f"s{i}",
            type="summit",
            status="held",
            title=f"Summit {i}",
            participants=["ind", "rus"],
            start=f"201{i}",
            series="S",
            series_number=n,
            sources=["s"],
        )
        for i, n in ((1, 1), (3, 2), (2, 2), (4, 4), (5, 2), (6, 4))
    ]
    write_package(tmp_path / "p", [src, *states, *summits], name="p", title="P", version="1")
    gaps = bilat.load(tmp_path / "p").gaps("S")
    assert gaps.numbers == (1, 2, 4) and gaps.missing == (3,)
    assert gaps.duplicates == {2: ("s2", "s3", "s5"), 4: ("s4", "s6")}
    assert gaps.numbered == 6
    assert repr(gaps) == (
        "Gaps('S': 6 numbered, missing [3], "
        "duplicated {2: ('s2', 's3', 's5'), 4: ('s4', 's6')}, unnumbered [])"
    )


def test_positions_held_at_a_date(pkg: Any) -> None:
    # ind-calls-for-dialogue has no date: it is not said to hold on any day
    assert pkg.positions_of("ind", "2022-02-24") == []
    assert pkg.positions_of("ind", "2021") == []
    loose = pkg.positions_of("ind", "2021", undated=True)
    assert [type(p).__name__ for p in loose] == ["Undated"]
    assert loose[0].position is pkg["ind-calls-for-dialogue"]
    assert loose[0].stance == "calls_for_dialogue" and repr(loose[0]).startswith("Undated(")
    for same in (
        copy.copy(loose[0]),
        copy.deepcopy(loose[0]),
        pickle.loads(pickle.dumps(loose))[0],
    ):
        assert type(same).__name__ == "Undated" and same == loose[0]
    at_2024 = {p.id for p in pkg.positions_of("ind", "2024")}
    assert at_2024 == {"ind-no-condemnation", "ind-abstains-unga-ukraine"}
    both = pkg.positions_of("ind", "2024", undated=True)
    assert [isinstance(p, bilat.Position) for p in both] == [True, True, False]
    # the day before the first dated position begins, and the day it begins
    assert [p.id for p in pkg.positions_of("ind", dt.date(2022, 2, 25))] == ["ind-no-condemnation"]
    assert pkg.positions_of("ind", dt.date(2022, 2, 24)) == []
    assert len(pkg.positions_of("ind")) == 3  # no date: all of them


def test_between_persons_as_themselves_and_top_level(pkg: Any) -> None:
    # as states, two ministers stand for India and Russia: every engagement
    assert len(pkg.between("jaishankar", "lavrov")) == len(pkg.records("engagement"))
    both = [e.id for e in pkg.between("jaishankar", "lavrov", as_states=False)]
    assert both == [
        "talks-2plus2-2021-12-06",
        "press-jaishankar-lavrov-2023-12-27",
        "talks-lavrov-jaishankar-2023-12-27",
    ]
    for e in both:
        assert {"jaishankar", "lavrov"} <= set(pkg[e].participants)
    top = [e.id for e in pkg.between("jaishankar", "lavrov", as_states=False, top_level=True)]
    assert top == ["talks-2plus2-2021-12-06", "visit-jaishankar-2023-12"]
    # one December 2023 visit: six engagements, or one at the top level
    assert len(pkg.between("ind", "rus", "2023-12")) == 6
    assert [e.id for e in pkg.between("ind", "rus", "2023-12", top_level=True)] == [
        "visit-jaishankar-2023-12"
    ]
    # the invitation is part of a meeting that is part of the visit: two levels up
    assert pkg["invitation-modi-2023-12-27"].part_of == "meeting-putin-jaishankar-2023-12-27"
    assert all(e.part_of is None for e in pkg.between("ind", "rus", top_level=True))
    # states as themselves: only engagements listing both states
    assert {e.id for e in pkg.between("ind", "rus", as_states=False)} == {
        "visit-jaishankar-2023-12",
        "visit-modi-2024-07",
        "visit-putin-2025-12",
    }


def test_holders_of_an_office_a_role_or_a_state(pkg: Any) -> None:
    pm = [t.person for t in pkg.holders("Prime Minister of India", at="2004-01-01")]
    assert pm == ["vajpayee"]
    # a year overlaps both terms of the handover of 22 May 2004
    assert [t.person for t in pkg.holders("Prime Minister of India", at=2004)] == [
        "vajpayee",
        "manmohan-singh",
    ]
    assert [t.person for t in pkg.holders(role="head_of_state", of="rus", at=2010)] == ["medvedev"]
    assert [t.id for t in pkg.holders(of="ind", role="foreign_minister")] == ["t-jaishankar-eam"]
    every = pkg.holders()
    assert len(every) == len(pkg.records("tenure"))
    starts = [t.start.sort_key for t in every]
    assert starts == sorted(starts)
    assert all(isinstance(t, bilat.Tenure) for t in every)


def test_every_date_argument_takes_text_dates_datetimes_timestamps_and_years(pkg: Any) -> None:
    import numpy as np
    import pandas as pd

    want = ["visit-modi-2024-07", "summit-22"]
    for day in (
        "2024-07-09",
        dt.date(2024, 7, 9),
        dt.datetime(2024, 7, 9, 23, 59),
        pd.Timestamp("2024-07-09 08:00"),
        PartialDate("2024-07-09"),
    ):
        assert [e.id for e in pkg.between("ind", "rus", day)] == want, day
        assert [t.person for t in pkg.holders(role="head_of_state", of="rus", at=day)] == ["putin"]
        assert len(pkg.positions_of("ind", day)) == 2
        assert {e.record.id for e in pkg.timeline(day)} == {"summit-22"}
    year = [*want, "meeting-modi-putin-kazan-2024"]  # the whole year: Kazan, October
    assert [e.id for e in pkg.between("ind", "rus", 2024)] == year
    assert [e.id for e in pkg.between("ind", "rus", np.int64(2024))] == year
    assert [e.id for e in pkg.between("ind", "rus", 2023, pd.Timestamp("2024-12-31"))][-3:] == year
    assert PartialDate("2024").contains(pd.Timestamp("2024-03-01")) and PartialDate(
        "2024"
    ).overlaps(2024)
    with pytest.raises(TypeError, match="int year"):
        pkg.between("ind", "rus", 2024.5)
    with pytest.raises(TypeError):
        pkg.holders(at=True)
    with pytest.raises(ValueError):
        pkg.between("ind", "rus", pd.NaT)
    with pytest.raises(ValueError, match="out of range"):
        pkg.timeline(0)


def test_timeline_kinds_one_or_many(pkg: Any) -> None:
    one = pkg.timeline("2022-03-02", kinds="motion")
    assert {e.kind for e in one} == {"motion"} and one
    assert pkg.timeline("2022-03-02", kinds=["motion"]) == one
    assert {e.kind for e in pkg.timeline("2022-03-02", kinds=("votes", "motions"))} == {
        "motion",
        "vote",
    }


@pytest.mark.parametrize(
    ("call", "suggested"),
    [
        (lambda p: p.between("india", "rus"), "'ind' (India)"),
        (lambda p: p.between("ind", "russia"), "'rus' (Russia)"),
        (lambda p: p.gaps("India-Russia Annual Summit"), "'India–Russia Annual Summit'"),
        (lambda p: p.sources_for("summit22"), "'summit-22'"),
        (lambda p: p["summit22"], "'summit-22'"),
        (lambda p: p.evidence_for("ind-no-condemnaton"), "'ind-no-condemnation'"),
        (lambda p: p.referrers("unga-es-11-1x"), "'unga-es-11-1'"),
        (lambda p: p.claims("unga-es-11-44"), "'unga-es-11-4'"),
        (lambda p: p.positions_of("inda", "2024"), "'ind'"),
        (lambda p: p.states_of("jaishanker"), "'jaishankar'"),
        (lambda p: p.holders("Prime Minister of Indai"), "'Prime Minister of India'"),
        (lambda p: p.holders(role="head_of_goverment"), "'head_of_government'"),
        (lambda p: p.holders(of="russia"), "'rus' (Russia)"),
        (lambda p: p.timeline(kinds="engagment"), "'engagement'"),
        (lambda p: p.records("engagment"), "'engagement'"),
        (lambda p: p.to_pandas("meetings"), "no record kind 'meetings'"),
    ],
)
def test_an_unknown_name_suggests_the_nearest(pkg: Any, call: Any, suggested: str) -> None:
    with pytest.raises(bilat.UnknownName) as info:
        call(pkg)
    assert isinstance(info.value, KeyError)
    assert suggested in str(info.value), str(info.value)


def test_an_unknown_name_costs_nothing_until_its_message_is_read() -> None:
    from bilat.names import unknown_name

    ids = [f"eng-{i:06d}-summit" for i in range(400_000)]
    start = time.perf_counter()
    for _ in range(1000):
        try:
            raise unknown_name("record", "eng-301234-sumit", ids)
        except KeyError:
            pass
    assert time.perf_counter() - start < 0.5  # nothing compared yet
    error = unknown_name("record", "eng-301234-sumit", ids)
    start = time.perf_counter()
    assert str(error).startswith("no record 'eng-301234-sumit'; did you mean 'eng-301234-summit'")
    assert time.perf_counter() - start < 10
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) and isinstance(again, bilat.UnknownName)


def test_unknown_names_in_vocabularies() -> None:
    from bilat.vocab import vocabulary

    with pytest.raises(bilat.UnknownName, match="did you mean 'not_adopted'"):
        vocabulary("vote_results")["not_adoptd"]
    with pytest.raises(bilat.UnknownName, match="did you mean 'stances'"):
        vocabulary("stance")
    assert vocabulary("vote_results").label("not_adopted") == "Not adopted"


def test_repr_is_short(pkg: Any) -> None:
    text = repr(pkg)
    assert text.startswith("<Package india-russia 1.2.1: ") and len(text) < 400


def test_frames_have_nullable_integers_and_date_columns(pkg: Any) -> None:
    import pandas as pd
    import polars as pl

    frame = pkg.to_pandas("engagements")
    assert str(frame["series_number"].dtype) == "Int64"
    assert frame["series_number"].isna().sum() == sum(
        1 for e in pkg.records("engagement") if e.series_number is None
    )
    assert pd.api.types.is_datetime64_any_dtype(frame["start_earliest"])
    row = frame.set_index("id").loc["summit-6"]
    assert row["start"] == "2005-12" and row["start_latest"] == pd.Timestamp("2005-12-31")
    every = pkg.to_pandas()
    assert set(every) == {t for t in every} and len(every["votes"]) == len(pkg.records("vote"))
    pframe = pkg.to_polars("engagements")
    assert pframe.schema["series_number"] == pl.Int64 and pframe.schema["start_latest"] == pl.Date
    assert set(pkg.to_polars()) == set(every)
    with pytest.raises(bilat.UnknownName):
        pkg.to_pandas("meetings")


def test_the_card_loads_in_headless_chromium(tmp_path: Path, pkg: Any) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is installed by scripts/test"
    result = runner.invoke(app, ["card", "india-russia", "--out", str(tmp_path / "card")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "card" / "index.html").resolve()
    text = page.read_text()
    # nothing is fetched: no external script, style sheet, image, font or import
    for fetch in ('src="http', "<link", "url(http", "@import"):
        assert fetch not in text, fetch
    flags = [
        chromium,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--user-data-dir=" + str(tmp_path / "profile"),
    ]
    dom = subprocess.run(
        [*flags, "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-ready="yes"' in dom.stdout  # the script ran to its end
    errors = [
        line
        for line in dom.stderr.splitlines()
        if "CONSOLE" in line and ("error" in line.lower() or "Uncaught" in line)
    ]
    assert errors == []
    for engagement in pkg.records("engagement"):
        assert f'data-id="{engagement.id}"' in dom.stdout, engagement.id
    assert dom.stdout.count('class="engagement"') == len(pkg.records("engagement"))
    artefacts = Path(os.environ.get("BILAT_ARTEFACTS", ROOT / "test-artefacts"))
    artefacts.mkdir(parents=True, exist_ok=True)
    shot = artefacts / "card.png"
    subprocess.run(
        [*flags, "--window-size=1280,3000", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 10_000
