"""The curated india-china package: valid, canonical, sourced, its numbered series and
incidents modelled, released in the catalog and downloadable from it over HTTP."""

from __future__ import annotations

import hashlib
import json
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilat.catalog.catalog import load_catalog
from bilat.cli import app
from bilat.fmt import plan
from bilat.models import (
    Agreement,
    Casualty,
    Claim,
    Engagement,
    Evidence,
    Incident,
    Indicator,
    SourcedRecord,
    Statement,
    Tenure,
)
from bilat.package import Package, read_package

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "datasets" / "india-china"
CATALOG = ROOT / "catalog"
SR = "India–China Special Representatives' Talks on the Boundary Question"
CC = "India–China Corps Commander-level Meeting"
runner = CliRunner()


@pytest.fixture(scope="module")
def pkg() -> Package:
    return read_package(PKG)


def test_package_files_are_canonical_and_the_data_card_current() -> None:
    assert plan(PKG).changes == {}, "run: bilat fmt datasets/india-china"
    card = (PKG / "README.md").read_text(encoding="utf-8")
    assert "<!-- coverage:start -->\n| record type |" in card
    for heading in ("## Coverage", "## Known gaps", "## How it was curated", "## How to cite"):
        assert heading in card
    assert "CC-BY-4.0" in card and (PKG / "CHANGELOG.md").is_file()
    assert not list(PKG.glob("*.py"))


def test_validates_with_only_the_open_claims(pkg: Package) -> None:
    assert pkg.name == "india-china" and pkg.version == "1.2.0"
    descriptor = json.loads((PKG / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["bilat"] == {"schemaVersion": "3"}
    assert pkg.report is not None
    findings = sorted((f.code, f.value) for f in pkg.report.findings)
    assert (
        findings
        == [("claim-open", "cc-talks-12.host")] * 2
        + [("claim-open", "ind-chn-exports-2021.value")] * 3
        + [("claim-open", "ind-chn-imports-2021.value")] * 3
    )


def test_every_fact_rests_on_a_public_page_with_a_quote(pkg: Package) -> None:
    for source in pkg.records("source"):
        assert source.url and source.url.startswith(("https://", "http://")), source.id
        assert source.seed is None
    quoted = set()
    for record in pkg:
        if isinstance(record, SourcedRecord):
            assert record.sources and all(pkg.get(s) is not None for s in record.sources)
        if isinstance(record, Evidence):
            assert record.quote.strip() and record.supports, record.id
            quoted.update(record.supports)
    # every event, agreement, tenure, incident and casualty has a quote behind it
    for kind in ("engagement", "agreement", "tenure", "incident", "casualty", "indicator"):
        assert {r.id for r in pkg.records(kind)} <= quoted, kind


def test_numbered_series_and_the_gaps_the_card_explains(pkg: Package) -> None:
    corps = pkg.gaps(CC)
    assert corps.missing == () and corps.numbers == tuple(range(1, 22))
    sr = pkg.gaps(SR)
    assert list(sr.missing) == [4] and list(sr.unnumbered) == []
    assert "round 4" in (PKG / "README.md").read_text(encoding="utf-8")
    third = pkg["sr-talks-3"]
    assert isinstance(third, Engagement) and third.series_number == 3
    assert (str(third.start), str(third.end), third.location) == (
        "2004-07-25",
        "2004-07-27",
        "New Delhi",
    )
    fifth = pkg["sr-talks-2005-04-10"]
    assert isinstance(fifth, Engagement) and fifth.series_number == 5
    seventh = pkg["sr-talks-7"]
    assert isinstance(seventh, Engagement)
    assert (str(seventh.start), str(seventh.end)) == ("2006-03-11", "2006-03-13")
    informal = pkg.gaps("India–China Informal Summit")
    assert informal.numbers == (1, 2) and informal.missing == ()
    first = pkg["cc-talks-1"]
    assert isinstance(first, Engagement) and str(first.start) == "2020-06-06"
    # the side of the meeting point: reported for the 14th and 15th, disputed for the 12th
    hosts = {n: pkg[f"cc-talks-{n}"] for n in (12, 14, 15)}
    assert {n: e.host for n, e in hosts.items() if isinstance(e, Engagement)} == {
        12: None,
        14: "chn",
        15: "ind",
    }
    fifth = pkg["cc-talks-5"]
    assert isinstance(fifth, Engagement)
    assert {"harinder-singh", "liu-lin"} <= set(fifth.participants)


def test_stand_offs_and_the_galwan_clash_are_incidents_with_casualties(pkg: Package) -> None:
    clash = pkg["galwan-clash-2020-06-15"]
    assert isinstance(clash, Incident) and clash.type == "clash"
    assert clash.part_of == "standoff-2020" and str(clash.start) == "2020-06-15"
    doklam = pkg["standoff-doklam-2017"]
    assert isinstance(doklam, Incident) and doklam.type == "stand_off"
    assert (str(doklam.start), str(doklam.end)) == ("2017-06-16", "2017-08-28")
    # Depsang: 15 April (reports of May 2013, India's foreign ministry), not IANS's 16 April
    depsang = pkg["standoff-depsang-2013"]
    assert isinstance(depsang, Incident)
    assert (str(depsang.start), str(depsang.end)) == ("2013-04-15", "2013-05-05")
    starts = {
        json.loads(c.value): c.status
        for c in pkg.records("claim")
        if isinstance(c, Claim) and c.record == "standoff-depsang-2013" and c.field == "start"
    }
    assert starts == {"2013-04-15": "resolved", "2013-04-16": "resolved"}
    dead = {
        (c.incident, c.party): (c.killed, str(c.reported))
        for c in pkg.records("casualty")
        if isinstance(c, Casualty)
    }
    assert dead == {
        ("galwan-clash-2020-06-15", "ind"): (20, "2020-06-16"),
        ("galwan-clash-2020-06-15", "chn"): (4, "2021-02-19"),
        ("clash-yangtse-2022-12-09", "ind"): (0, "2022-12-13"),
    }
    claims = [c for c in pkg.records("claim") if isinstance(c, Claim)]
    chinese = sorted(
        int(c.value) for c in claims if c.record == "casualty-chn-galwan" and c.field == "killed"
    )
    assert chinese == [4, 5, 35, 45] and all(
        c.status == "resolved" for c in claims if c.record == "casualty-chn-galwan"
    )
    # the timeline and the data card show them
    june = [(e.kind, e.record.id) for e in pkg.timeline("2020-06-15")]
    assert ("incident", "galwan-clash-2020-06-15") in june
    assert [e.record.id for e in pkg.timeline(2017, kinds="incidents")] == ["standoff-doklam-2017"]
    from bilat.cardhtml import render

    page = render(pkg)
    section = page[page.index('<h2 id="incidents">') : page.index('<h2 id="positions">')]
    galwan = section[section.index('data-id="galwan-clash-2020-06-15"') :].split("</li>")[0]
    assert "2020-06-15 – 2020-06-16" in galwan and "Clash in the Galwan valley" in galwan
    assert (
        "20 killed (reported 2020-06-16)" in galwan and "4 killed (reported 2021-02-19)" in galwan
    )
    assert section.count('<li class="incident"') == len(pkg.records("incident"))


def test_values_the_fact_audit_of_1_0_0_settled(pkg: Package) -> None:
    kazan = pkg["st-modi-kazan-2024-10-23"]
    assert isinstance(kazan, Statement) and kazan.rendering == "translation"
    assert kazan.text.startswith("Excellency, I am happy to meet you")
    assert kazan.sources == ["src-ndtv-2024-10-23"]
    imports = pkg["ind-chn-imports-fy2024-25"]
    assert isinstance(imports, Indicator) and imports.value == 113.45
    bdca = pkg["agreement-2013-bdca"]
    assert isinstance(bdca, Agreement) and bdca.signatories == ["r-k-mathur", "sun-jianguo"]
    swaraj = pkg["t-swaraj-eam"]
    assert isinstance(swaraj, Tenure) and str(swaraj.start) == "2014-05-27"


def test_a_minister_who_came_back_has_two_tenures(pkg: Package) -> None:
    tenures = [t for t in pkg.records("tenure") if isinstance(t, Tenure)]
    wang = sorted(
        (t for t in tenures if t.person == "wang-yi" and t.role == "foreign_minister"),
        key=lambda t: str(t.start),
    )
    assert [(str(t.start), str(t.end) if t.end else None) for t in wang] == [
        ("2013-03-16", "2022-12-30"),
        ("2023-07-25", None),
    ]
    qin = next(t for t in tenures if t.person == "qin-gang")
    assert (str(qin.start), str(qin.end)) == ("2022-12-30", "2023-07-25")


def test_the_release_in_the_catalog_is_this_package() -> None:
    catalog = load_catalog(str(CATALOG / "catalog.json"))
    entries = {(e.name, e.version): e for e in catalog.entries}
    assert {("india-russia", "1.0.0"), ("india-russia", "1.1.0")} <= set(entries)
    entry = entries[("india-china", "1.2.0")]
    data = (CATALOG / entry.url).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry.sha256 and len(data) == entry.bytes
    assert entry.schema_version == "3"
    with zipfile.ZipFile(CATALOG / entry.url) as z:
        released = {n.split("/", 1)[1]: z.read(n) for n in z.namelist() if not n.endswith("/")}
    current = {p.name: p.read_bytes() for p in PKG.iterdir() if p.is_file()}
    assert released == current, "rebuild: bilat build datasets/india-china --out catalog"


@pytest.fixture
def served_catalog() -> Iterator[str]:
    """The repository's catalog/ folder served over HTTP on 127.0.0.1."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(CATALOG))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/catalog.json"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_bilat_download_india_china_from_the_catalog(
    served_catalog: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BILAT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("BILAT_HTTP_TIMEOUT", "10")
    monkeypatch.delenv("BILAT_CATALOG", raising=False)
    result = runner.invoke(app, ["download", "india-china", "--catalog", served_catalog])
    assert result.exit_code == 0, result.output
    folder = Path(result.stdout.strip().splitlines()[-1])
    assert folder.name == "1.2.0" and folder.is_relative_to(tmp_path / "cache")
    downloaded = read_package(folder)
    assert downloaded.version == "1.2.0" and downloaded.report is not None
    assert downloaded.report.valid
    assert (folder / "incidents.csv").read_bytes() == (PKG / "incidents.csv").read_bytes()
    # with no catalog named, the bundled one (the repository's catalog/) is used
    monkeypatch.setenv("BILAT_CACHE_DIR", str(tmp_path / "cache2"))
    result = runner.invoke(app, ["download", "india-china"])
    assert result.exit_code == 0, result.output
    assert Path(result.stdout.strip().splitlines()[-1]).is_relative_to(tmp_path / "cache2")


@pytest.mark.parametrize("name", ["india-china", "india-russia"])
def test_citation_cff_cites_each_bundled_dataset_at_its_version(name: str) -> None:
    import yaml

    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    descriptor = json.loads((ROOT / "datasets" / name / "datapackage.json").read_text("utf-8"))
    cited = {r["title"].split(":")[0]: str(r["version"]) for r in citation["references"]}
    assert cited.get(name) == descriptor["version"], cited
