"""`bilat import` of coded events: ICEWS, GDELT 1.0 and 2.0, POLECAT and PLOVER.

Real rows where public samples exist (the ICEWS sample, the PLOVER gold standard
records), rows built to the documented layouts elsewhere (tests/data/import/README.md
says which). Every imported package is validated by bilat (both engines) and by
Frictionless.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import frictionless
import pytest
from typer.testing import CliRunner

from bilat.cli import app
from bilat.importers import ImportProblem, run_import
from bilat.importers.formats import GDELT1_COLUMNS, GDELT2_COLUMNS, POLECAT_COLUMNS
from bilat.validation import validate

pytestmark = pytest.mark.events

DATA = Path(__file__).parent / "data" / "import"
REPO = Path(__file__).parent.parent
ICEWS = DATA / "icews-2018-06-01-excerpt.tab"


def rows(folder: Path, name: str = "coded_events.csv") -> dict[str, dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as f:
        return {r["id"]: r for r in csv.DictReader(f)}


def valid_everywhere(folder: Path) -> None:
    """bilat (row and columnar engines) and Frictionless all pass *folder*."""
    for engine in ("rows", "columnar"):
        report = validate(folder, engine=engine)
        assert report.valid, [f.message for f in report.errors][:5]
        assert not report.warnings, [f.message for f in report.warnings][:5]
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type"])[:5]


def balanced(result: Any) -> None:
    for c in [*result.files.values(), result.total]:
        assert c.read == c.imported + c.merged + c.skipped + c.rejected


# -- ICEWS ------------------------------------------------------------------------


def test_icews_sample_imports_every_row_and_validates(tmp_path: Path) -> None:
    out = tmp_path / "icews"
    result = run_import("icews", [ICEWS], out)
    balanced(result)
    assert (result.total.read, result.total.imported, result.total.rejected) == (71, 71, 0)
    valid_everywhere(out)
    events = rows(out)
    assert len(events) == 71
    with ICEWS.open(encoding="utf-8", newline="") as f:
        raw = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    for r in raw:
        e = events[f"icews-{r['Event ID']}-{r['Event Date']}"]
        # the raw text is kept as the data set wrote it; NA is no value, never "NA"
        assert e["actor_name"] == r["Source Name"]
        assert e["actor_country"] == ("" if r["Source Country"] == "NA" else r["Source Country"])
        sectors = [] if r["Source Sectors"] == "NA" else r["Source Sectors"].split(",")
        assert (json.loads(e["actor_sectors"]) if e["actor_sectors"] else []) == sectors
        assert e["cameo"] == r["CAMEO Code"]
        assert "NA" not in e.values()
    # "Russia" as a name against "Russian Federation" as a country: one State, RUS
    russia = [e for e in events.values() if e["actor_name"] == "Russia"]
    assert russia and all(e["actor"] == "rus" for e in russia)
    assert {e["actor_country"] for e in russia} == {"Russian Federation"}
    states = rows(out, "states.csv")
    assert states["rus"]["iso3"] == "RUS"
    # a person or a ministry is never guessed to be its state
    assert all(e["actor"] == "" for e in events.values() if e["actor_name"] == "Vladimir Putin")
    # CAMEO 04x maps to CONSULT; CAMEO 01 and 02 stay CAMEO-only
    assert all(e["plover_event"] == "CONSULT" for e in events.values() if e["cameo"] == "040")
    cameo_only = [e for e in events.values() if e["cameo"][:2] in ("01", "02")]
    assert cameo_only and all(e["plover_event"] == "" for e in cameo_only)
    # one Source for the file: its SHA-256 and the data set's DOI
    sources = rows(out, "sources.csv")
    assert set(sources) == {"iso-3166", next(i for i in sources if i.startswith("icews-file-"))}
    (source,) = (s for i, s in sources.items() if i.startswith("icews-file-"))
    assert hashlib.sha256(ICEWS.read_bytes()).hexdigest() in source["notes"]
    assert "doi:10.7910/DVN/28075" in source["citation"]
    readme = (out / "README.md").read_text()
    assert "| icews-2018-06-01-excerpt.tab | 71 | 71 | 0 | 0 | 0 |" in readme


def test_icews_quirks_duplicates_merged_bad_rows_rejected_with_line(tmp_path: Path) -> None:
    out = tmp_path / "q"
    result = run_import("icews", [DATA / "icews-quirks-built.tab"], out)
    balanced(result)
    c = result.files["icews-quirks-built.tab"]
    assert (c.read, c.imported, c.merged, c.rejected) == (7, 3, 1, 3)
    events = rows(out)
    # the key is id plus date: 90000001 on two dates is two events, the exact repeat one
    assert events["icews-90000001-2018-06-02"]["merged_ids"] == '["90000001"]'
    assert events["icews-90000001-2018-06-03"]["merged_ids"] == ""
    reasons = {(r.line, r.field) for r in result.rejections_shown}
    assert reasons == {(5, "CAMEO Code"), (6, None), (7, "Event Date")}
    with (out / "import-rejected.csv").open(encoding="utf-8", newline="") as f:
        listed = list(csv.DictReader(f))
    assert [(r["line"], r["field"]) for r in listed] == [
        ("5", "CAMEO Code"),
        ("6", ""),
        ("7", "Event Date"),
    ]
    assert "'13y' is not a CAMEO code" in listed[0]["reason"]
    assert "has 8 cells; the header has 20" in listed[1]["reason"]
    readme = (out / "README.md").read_text()
    assert "icews-quirks-built.tab:5: CAMEO Code '13y'" in readme
    valid_everywhere(out)


def test_icews_2017_layout_dates_and_cameo_from_event_text(tmp_path: Path) -> None:
    out = tmp_path / "y2017"
    result = run_import("icews", [DATA / "icews-2017-layout-built.tab"], out)
    assert result.total.imported == 3
    events = rows(out)
    assert events["icews-90000011-2017-01-05"]["cameo"] == "036"
    assert events["icews-90000011-2017-01-05"]["plover_event"] == "AGREE"
    assert events["icews-90000012-2017-12-31"]["cameo"] == "137"
    # an event text that is no CAMEO name gives no code: nothing is guessed
    assert events["icews-90000013-2017-06-15"]["cameo"] == ""
    valid_everywhere(out)


def test_dedupe_daily_keeps_one_event_per_day_actors_and_code(tmp_path: Path) -> None:
    out = tmp_path / "daily"
    result = run_import("icews", [ICEWS], out, dedupe="daily")
    balanced(result)
    # the expected groups, computed from the raw file alone
    with ICEWS.open(encoding="utf-8", newline="") as f:
        raw = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    keys = {(r["Event Date"], r["Source Name"], r["Target Name"], r["CAMEO Code"]) for r in raw}
    assert len(keys) < len(raw)
    events = rows(out)
    assert result.total.imported == len(events)
    assert result.total.merged == len(raw) - len(events)
    merged_ids = [
        i for e in events.values() for i in (json.loads(e["merged_ids"]) if e["merged_ids"] else [])
    ]
    assert len(merged_ids) == result.total.merged
    assert len(events) == len(keys)
    valid_everywhere(out)


def test_append_merges_into_the_package_and_keeps_the_history(tmp_path: Path) -> None:
    out = tmp_path / "app"
    run_import("icews", [ICEWS], out)
    with pytest.raises(ImportProblem, match="use --append"):
        run_import("icews", [ICEWS], out)
    second = run_import("icews", [ICEWS, DATA / "icews-2017-layout-built.tab"], out, append=True)
    assert second.files["icews-2018-06-01-excerpt.tab"].merged == 71
    assert second.files["icews-2017-layout-built.tab"].imported == 3
    assert len(rows(out)) == 74
    descriptor = json.loads((out / "datapackage.json").read_text())
    assert len(descriptor["x-bilat-import"]["runs"]) == 2
    readme = (out / "README.md").read_text()
    assert "## Import 1: icews" in readme and "## Import 2: icews" in readme
    assert len(rows(out, "sources.csv")) == 3  # two files, and ISO 3166
    valid_everywhere(out)


def test_refuses_to_write_over_what_is_not_an_import(tmp_path: Path) -> None:
    curated = tmp_path / "curated"
    shutil.copytree(REPO / "datasets" / "india-russia", curated)
    before = {p: p.read_bytes() for p in curated.rglob("*") if p.is_file()}
    with pytest.raises(ImportProblem, match="not a package written by bilat import"):
        run_import("icews", [ICEWS], curated, append=True)
    assert before == {p: p.read_bytes() for p in curated.rglob("*") if p.is_file()}
    a_file = tmp_path / "file.txt"
    a_file.write_text("mine")
    with pytest.raises(ImportProblem, match="not a folder"):
        run_import("icews", [ICEWS], a_file)
    assert a_file.read_text() == "mine"


def test_a_file_of_another_format_and_a_fifo_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(
        ImportProblem, match="not an ICEWS events file: its header has no column 'Event ID'"
    ):
        run_import("icews", [DATA / "gdelt1-backfile-built.CSV"], tmp_path / "x")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(ImportProblem, match="FIFO"):
        run_import("icews", [fifo], tmp_path / "y")
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_cli_prints_the_counts_and_exits_1_on_rejections(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["import", "icews", str(ICEWS), "--out", str(tmp_path / "a")])
    assert ok.exit_code == 0, ok.output
    assert "total: read 71 = imported 71 + merged 0 + skipped 0 + rejected 0" in ok.stdout
    bad = runner.invoke(
        app, ["import", "icews", str(DATA / "icews-quirks-built.tab"), "--out", str(tmp_path / "b")]
    )
    assert bad.exit_code == 1
    assert "icews-quirks-built.tab:5: CAMEO Code '13y'" in bad.stderr
    usage = runner.invoke(app, ["import", "acled", str(ICEWS), "--out", str(tmp_path / "c")])
    assert usage.exit_code == 2 and "no format 'acled'" in usage.stderr


# -- GDELT ------------------------------------------------------------------------


def test_gdelt_layouts_are_the_documented_field_lists() -> None:
    assert list(GDELT1_COLUMNS) == (DATA / "gdeltpyr-events1-fields.txt").read_text().split()
    assert list(GDELT2_COLUMNS) == (DATA / "gdeltpyr-events2-fields.txt").read_text().split()
    assert len(GDELT1_COLUMNS) == 58 and len(GDELT2_COLUMNS) == 61


def test_gdelt1_57_and_58_columns_and_the_2_0_layout_told_apart(tmp_path: Path) -> None:
    out = tmp_path / "g1"
    result = run_import(
        "gdelt1", [DATA / "gdelt1-daily-built.export.CSV", DATA / "gdelt1-backfile-built.CSV"], out
    )
    balanced(result)
    assert result.files["gdelt1-daily-built.export.CSV"].rejected == 1
    (rej,) = result.rejections_shown
    assert rej.line == 3 and "has 61 tab-separated columns" in rej.reason and "gdelt2" in rej.reason
    events = rows(out)
    us = events["gdelt1-900000001"]
    # SQLDATE is the event's date; DATEADDED (when GDELT added it) is not
    assert us["date"] == "2015-02-18" and us["actor"] == "usa" and us["recipient"] == "rus"
    assert (us["cameo"], us["plover_event"], us["goldstein"], us["quad_class"]) == (
        "036",
        "AGREE",
        "4.0",
        "1",
    )
    gov = events["gdelt1-900000002"]
    assert gov["actor"] == "" and gov["actor_sectors"] == '["GOV"]'  # a government is not its state
    assert (
        gov["recipient"] == "" and gov["recipient_country"] == "ROM"
    )  # CAMEO's Romania is no ISO code
    assert gov["publisher"] == "BBC Monitoring" and gov["url"] == ""
    assert events["gdelt1-900000004"]["date"] == "1979-01"  # day 00: a month
    valid_everywhere(out)


def test_gdelt2_61_columns_url_percent_encoded(tmp_path: Path) -> None:
    out = tmp_path / "g2"
    result = run_import("gdelt2", [DATA / "gdelt2-built.export.CSV"], out)
    assert (result.total.imported, result.total.rejected) == (1, 1)
    assert "a GDELT 2.0 event row has 61" in result.rejections_shown[0].reason
    e = rows(out)["gdelt2-900000005"]
    assert e["url"] == "https://news.example.org/2018/06/01/%C3%BCn%C3%AFcode%20path"
    assert (e["latitude"], e["longitude"], e["place_name"]) == ("35.0", "105.0", "China")
    valid_everywhere(out)


# -- POLECAT ----------------------------------------------------------------------


def test_polecat_header_is_the_documented_one() -> None:
    assert list(POLECAT_COLUMNS) == (DATA / "tgb-polecat-header.txt").read_text().rstrip(
        "\n"
    ).split("\t")


def test_polecat_intensity_columns_lists_none_and_cow(tmp_path: Path) -> None:
    out = tmp_path / "pc"
    files = [DATA / "polecat-built.txt", DATA / "polecat-event-intensity-built.txt"]
    result = run_import("polecat", files, out)
    balanced(result)
    assert result.total.imported == 3 and result.total.rejected == 1
    assert result.rejections_shown[0].field == "Intensity"
    events = rows(out)
    first = events[next(i for i in events if "0001" in i)]
    assert first["plover_context"] == '["diplomatic","economic"]'  # "; "-joined
    assert first["actor_sectors"] == '["Government","Executive"]'
    assert first["actor_wikidata"] == "Q7747" and first["actor"] == ""  # a person, no --actors
    assert first["recipient_sectors"] == "" and first["recipient"] == "ind"  # None is no value
    second = events[next(i for i in events if "0002" in i)]
    # no country, COW 365 on 2023-01-05: RUS; "Russia" is its name, so the State
    assert second["actor"] == "rus" and second["actor_country"] == "COW 365"
    assert second["plover_context"] == ""
    fourth = events[next(i for i in events if "0004" in i)]
    assert fourth["intensity"] == "3.0" and fourth["actor"] == "jpn"  # "Event Intensity"
    assert "None" not in {v for e in events.values() for v in e.values()}
    valid_everywhere(out)


def test_actors_package_resolves_by_wikidata_and_name_and_is_copied(tmp_path: Path) -> None:
    out = tmp_path / "with-actors"
    curated = REPO / "datasets" / "india-russia"
    result = run_import("polecat", [DATA / "polecat-built.txt"], out, actors=curated)
    assert result.actors["by_wikidata"] == 1
    events = rows(out)
    first = events[next(i for i in events if "0001" in i)]
    assert first["actor"] == "putin"  # Q7747 in the curated package
    assert first["recipient"] == "ind"  # the curated State with ISO3 IND
    persons = rows(out, "persons.csv")
    assert persons["putin"]["wikidata"] == "Q7747"
    assert "src-seed" in rows(out, "sources.csv")  # what the copied records cite
    valid_everywhere(out)
    icews_out = tmp_path / "icews-actors"
    res = run_import("icews", [ICEWS], icews_out, actors=curated)
    by_name = [e for e in rows(icews_out).values() if e["actor_name"] == "Narendra Modi"]
    assert by_name and all(e["actor"] == "modi" for e in by_name)
    assert res.actors["by_name"] >= len(by_name)
    valid_everywhere(icews_out)


# -- PLOVER -----------------------------------------------------------------------


def test_plover_gold_standard_records(tmp_path: Path) -> None:
    out = tmp_path / "pl"
    result = run_import("plover", [DATA / "plover-gsr-cameo-excerpt.txt"], out)
    balanced(result)
    assert (result.total.read, result.total.imported) == (5, 5)
    events = {e["native_id"]: e for e in rows(out).values()}
    libya = events["PLOVER-GSR01-AGREE-0005"]
    assert (libya["actor"], libya["actor_country"], libya["plover_event"]) == (
        "lby",
        "LBY",
        "AGREE",
    )
    assert libya["recipient"] == "" and libya["recipient_name"] == "Great Britain"
    assert libya["text"].startswith("Libya has offered to hand over to Great Britain")
    compound = events["PLOVER-GSR01-AGREE-0001"]
    assert (
        compound["actor_name"] == ""
        and "Hungarian (HUN, GOV); Romanian (ROU, GOV)" in compound["notes"]
    )
    assert result.actors["compound"] == 3
    valid_everywhere(out)


def test_plover_json_lines_and_a_broken_object(tmp_path: Path) -> None:
    src = tmp_path / "events.jsonl"
    good = {"id": "x-1", "date": "2021-03", "event": "consult", "mode": "phone",
            "context": ["diplomatic"], "source": {"actorText": "India", "code": "IND"},
            "target": [{"actorText": "Japan", "code": "JPN"}]}  # fmt: skip
    src.write_text(json.dumps(good) + "\n" + '{"id": "x-2", "date": 5}\n')
    result = run_import("plover", [src], tmp_path / "out")
    assert (result.total.imported, result.total.rejected) == (1, 1)
    assert result.rejections_shown[0].line == 2
    e = rows(tmp_path / "out")["plover-x-1"]
    assert (e["date"], e["plover_event"], e["plover_mode"], e["actor"], e["recipient"]) == (
        "2021-03", "CONSULT", "phone", "ind", "jpn",
    )  # fmt: skip


def test_a_lone_carriage_return_in_text_survives_the_round_trip(tmp_path: Path) -> None:
    src = tmp_path / "cr.jsonl"
    text = 'first line\rsecond, with a comma and a "quote"'
    src.write_text(json.dumps({"id": "cr-1", "date": "2020", "event": "AID", "text": text}) + "\n")
    out = tmp_path / "out"
    run_import("plover", [src], out)
    assert rows(out)["plover-cr-1"]["text"] == text
    valid_everywhere(out)


def test_bytes_that_are_not_utf8_reject_the_row_not_the_file(tmp_path: Path) -> None:
    head, *lines = (DATA / "polecat-built.txt").read_bytes().split(b"\n")
    latin1 = lines[1].replace(b"Russia", b"Espa\xf1a")  # a Latin-1 byte
    src = tmp_path / "mixed.txt"
    src.write_bytes(b"\n".join([head, lines[0], latin1, b""]))
    out = tmp_path / "out"
    result = run_import("polecat", [src], out)
    assert (result.total.imported, result.total.rejected) == (1, 1)
    assert result.rejections_shown[0].line == 3
    assert result.rejections_shown[0].reason == "is not UTF-8 text"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mixed.txt", "out"]  # no temp left
