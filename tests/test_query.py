"""The query API, the frames and the HTML card, on the bundled package and on small
packages built here."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
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
    assert gaps.missing == (range(3, 5),) and gaps.missing_count == 2
    assert gaps.numbers == (1, 2, 5) and gaps.unnumbered == ("sx",)
    assert "missing [3-4]" in repr(gaps)


def test_positions_held_at_a_date(pkg: Any) -> None:
    assert [p.id for p in pkg.positions_of("ind", "2022-02-24")] == ["ind-calls-for-dialogue"]
    at_2024 = {p.id for p in pkg.positions_of("ind", "2024")}
    assert {"ind-no-condemnation", "ind-abstains-unga-ukraine"} <= at_2024


def test_repr_is_short(pkg: Any) -> None:
    text = repr(pkg)
    assert text.startswith("<Package india-russia 1.1.0: ") and len(text) < 400


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
    with pytest.raises(KeyError):
        pkg.to_pandas("meetings")


def test_the_card_loads_in_headless_chromium(tmp_path: Path, pkg: Any) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is installed by .ci/run"
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
