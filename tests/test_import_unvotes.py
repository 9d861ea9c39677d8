"""`bilat import unvotes`: UN General Assembly roll calls as Motions and Votes, and the
reference tables that resolve countries (ISO 3166 by date, the COW crosswalk)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import frictionless
import pytest

from bilat.importers import ImportProblem, reference, run_import
from bilat.models.dates import PartialDate
from bilat.validation import validate

pytestmark = pytest.mark.events

DATA = Path(__file__).parent / "data" / "import"
ROLL_CALLS = DATA / "tidytuesday-roll-calls-first-rows.csv"
VOTES = DATA / "tidytuesday-unvotes-first-rows.csv"
BUILT = [DATA / "unvotes-roll-calls-built.csv", DATA / "unvotes-voeten-codes-built.csv"]


def table(folder: Path, name: str) -> dict[str, dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as f:
        return {r["id"]: r for r in csv.DictReader(f)}


def test_tidytuesday_rows_become_motions_and_votes(tmp_path: Path) -> None:
    out = tmp_path / "unga"
    result = run_import("unvotes", [VOTES, ROLL_CALLS], out)  # order does not matter
    votes_read = result.files[VOTES.name]
    assert (votes_read.read, votes_read.imported, votes_read.rejected) == (102, 102, 0)
    assert result.files[ROLL_CALLS.name].imported == 4
    motions = table(out, "motions.csv")
    assert motions["unvotes-rcid-3"]["date"] == "1946-01-01"
    assert motions["unvotes-rcid-3"]["title"] == "AMENDMENTS, RULES OF PROCEDURE"
    assert motions["unvotes-rcid-3"]["body"] == "unga"
    # the odd quoting of roll call 5 is read as the CSV says
    assert motions["unvotes-rcid-5"]["notes"].endswith('IN CALCULATING THE MAJORITY VOTE.\\""')
    votes = table(out, "votes.csv")
    with VOTES.open(encoding="utf-8", newline="") as f:
        raw = list(csv.DictReader(f))
    options = {r["vote"] for r in raw}
    assert options == {"yes", "no", "abstain"}
    counted = {o: sum(1 for v in votes.values() if v["option"] == o) for o in options}
    assert counted == {o: sum(1 for r in raw if r["vote"] == o) for o in options}
    # ISO 3166-3 codes by date: CS in 1946 is Czechoslovakia, BY the Byelorussian SSR
    assert votes["unvotes-rcid-3-csk"]["option"] == "yes"
    assert votes["unvotes-rcid-3-bys"]["option"] == "no"
    assert votes["unvotes-rcid-3-yug"]["option"] == "no"
    # the tables write RU for the USSR too: in 1946 it is the USSR, as COW 365 says
    assert votes["unvotes-rcid-3-sun"]["option"] == "no"
    assert not [v for v in votes.values() if v["voter"] == "rus"]
    states = table(out, "states.csv")
    assert (states["csk"]["iso3"], states["ind"]["iso3"]) == ("CSK", "IND")
    for engine in ("rows", "columnar"):
        assert validate(out, engine=engine).valid
    assert frictionless.validate(str(out / "datapackage.json")).valid


def test_voeten_codes_absent_non_member_and_cow_by_date(tmp_path: Path) -> None:
    out = tmp_path / "voeten"
    result = run_import("unvotes", BUILT, out)
    c = result.files["unvotes-voeten-codes-built.csv"]
    assert (c.read, c.imported, c.merged, c.skipped, c.rejected) == (7, 2, 1, 1, 3)
    votes = table(out, "votes.csv")
    # COW 365 in 1950 is the USSR (SUN), whatever the ISO alpha-2 column says
    assert votes["unvotes-rcid-900001-sun"]["option"] == "yes"
    # absent is not_voting; the second vote of Canada is merged into the first
    assert votes["unvotes-rcid-900001-can"]["option"] == "not_voting"
    # Spain was not a member: no Vote
    assert not [v for v in votes.values() if v["voter"] == "esp"]
    lines = {(r.line, r.field) for r in result.rejections_shown}
    assert lines == {(5, "country_code"), (6, "vote"), (7, "rcid")}
    assert "Atlantis" in (out / "README.md").read_text()
    assert validate(out, engine="columnar").valid


def test_unvotes_needs_both_tables(tmp_path: Path) -> None:
    with pytest.raises(ImportProblem, match="needs a roll-call table"):
        run_import("unvotes", [VOTES], tmp_path / "x")
    with pytest.raises(ImportProblem, match="neither a roll-call table"):
        run_import("unvotes", [DATA / "gdeltpyr-events1-fields.txt"], tmp_path / "y")
    with pytest.raises(ImportProblem, match="--dedupe applies to coded events"):
        run_import("unvotes", [VOTES, ROLL_CALLS], tmp_path / "z", dedupe="daily")


# -- reference tables --------------------------------------------------------------


def test_cow_crosswalk_cites_its_origins_and_resolves_by_date() -> None:
    data = json.loads((Path(reference.__file__).parent / "data" / "cow_iso3.json").read_text())
    cited = " ".join(s.get("copy", "") + " " + s.get("url", "") for s in data["sources"])
    assert "4c030038e038457e1c6e0fea1402bc05d4bb4af9" in cited  # states2016.csv
    assert "0d37cec15f268135936986ddf97aec30174f20fc" in cited  # countrycode
    assert {r[6] for r in data["rows"]} <= {s["id"] for s in data["sources"]}
    d = PartialDate
    assert reference.cow_to_iso3(365, d("1991-12-31")) == "SUN"
    assert reference.cow_to_iso3(365, d("1992-08-30")) == "RUS"
    assert reference.cow_to_iso3(365, d("1900")) is None  # the Russian Empire had no ISO code
    assert reference.cow_to_iso3(816, d("1977")) is None  # VDR or VNM: not said
    assert reference.cow_to_iso3(816, d("1978-01-01")) == "VNM"
    assert reference.cow_to_iso3(265, d("1980")) == "DDR"
    assert reference.cow_to_iso3(750, d("2018-06-01")) == "IND"
    assert reference.cow_to_iso3(2, d("1816-01-01")) == "USA"
    assert reference.cow_to_iso3(327, d("1850")) is None  # the Papal States: no ISO code


def test_cameo_to_plover_crosswalk() -> None:
    table = reference.cameo_to_plover()
    assert not [c for c in table if c[:2] in ("01", "02")]  # PLOVER dropped them
    assert "08" not in table  # CONCEDE or RETREAT: the file says both
    assert table["0841"] == reference.Plover("RETREAT", "release", ("legal",))
    assert table["094"].context == ("military", "legal")
    assert table["163"].event == "COERCE"


def test_iso_names_are_matched_exactly() -> None:
    assert reference.iso3_of_name("Russian Federation") == "RUS"
    assert reference.iso3_of_name("russia") == "RUS"  # the COW name of RUS
    assert reference.iso3_of_name("Russi") is None
    assert reference.iso3_of_name("Turkey") is None or reference.iso3_of_name("Turkey") == "TUR"
    assert reference.iso2_to_iso3("CS", PartialDate("2004-05-01"), "Serbia and Montenegro") == "SCG"
    assert reference.iso2_to_iso3("BY", PartialDate("2000")) == "BLR"


@pytest.mark.parametrize("name", ["votes.csv", "motions.csv", "states.csv"])
def test_append_onto_a_table_it_cannot_read_is_an_error_naming_the_file(
    tmp_path: Path, name: str
) -> None:
    """--append reads the package's votes, motions and states: one that is not UTF-8
    is exit 2 naming it, with nothing written, not a traceback."""
    from typer.testing import CliRunner

    from bilat.cli import app

    out = tmp_path / "unga"
    run_import("unvotes", [VOTES, ROLL_CALLS], out)
    bad = out / name
    bad.write_bytes(bad.read_bytes() + b"\xff\xfe not utf-8\n")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    args = ["import", "unvotes", str(VOTES), str(ROLL_CALLS), "--out", str(out), "--append"]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 2, done.output
    assert f"{bad}: cannot read it (" in done.output
    assert "nothing was written" in done.output and "Traceback" not in done.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["unga"]
