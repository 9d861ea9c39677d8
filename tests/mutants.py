"""Packages with one defect each, built at test time from one valid base package.

``tests/data/valid/`` is a small valid package using every record type (regenerate
it with ``python tests/mutants.py``; a test checks it is current). Every defect is
the base package plus one named change (:data:`DEFECTS`, :func:`with_cell`), built in
a temporary folder by :func:`build`, so no broken package is committed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from bilat import (
    Agreement,
    Casualty,
    Claim,
    Engagement,
    Evidence,
    Incident,
    Indicator,
    Motion,
    Organization,
    Person,
    Position,
    Source,
    State,
    Statement,
    Tenure,
    Vote,
)
from bilat.models.events import CodedEvent
from bilat.package import json_bytes, write_package

HERE = Path(__file__).parent
VALID = HERE / "data" / "valid"
SEED_TEXT = (
    "Putin Meets S Jaishankar\n\n"
    "Conveying Russia\\’s openness to the visit, Putin expressed, \\”We will be pleased "
    "to host our friend, Prime Minister Modi, in Russia.\\”\n"
    "India has refrained from condemning the Russian invasion.\n"
)


def records() -> list:
    s = ["src-article"]
    sha = hashlib.sha256(SEED_TEXT.encode()).hexdigest()
    return [
        Source(
            id="src-article",
            type="news_article",
            title="Putin Meets S Jaishankar",
            seed="seeds/article.txt",
            seed_sha256=sha,
            language="en",
        ),
        Source(
            id="src-un",
            type="un_document",
            title="UN press release",
            url="https://press.un.org/en/2022/ga12407.doc.htm",
        ),
        State(id="ind", name="India", iso3="IND", wikidata="Q668", sources=s),
        State(id="rus", name="Russia", iso3="RUS", wikidata="Q159", sources=s),
        State(id="ukr", name="Ukraine", iso3="UKR", wikidata="Q212", sources=s),
        Person(id="putin", name="Vladimir Putin", nationality="rus", wikidata="Q7747", sources=s),
        Person(id="jaishankar", name="S. Jaishankar", nationality="ind", sources=s),
        Person(id="lavrov", name="Sergey Lavrov", nationality="rus", sources=s),
        Organization(
            id="mea",
            name="Ministry of External Affairs",
            type="government_body",
            state="ind",
            sources=s,
        ),
        Tenure(
            id="t-putin",
            person="putin",
            office="President of Russia",
            role="head_of_state",
            of="rus",
            start="2012-05-07",
            sources=s,
        ),
        Tenure(
            id="t-jaishankar",
            person="jaishankar",
            office="Minister of External Affairs",
            role="foreign_minister",
            of="ind",
            start="2019-05-30",
            sources=s,
        ),
        Engagement(
            id="visit",
            type="official_visit",
            status="held",
            title="Visit to Russia",
            start="2023-12-25",
            end="2023-12-29",
            participants=["jaishankar", "rus"],
            host="rus",
            country="rus",
            capacities=["t-jaishankar"],
            sources=s,
        ),
        Engagement(
            id="kremlin",
            type="meeting",
            status="held",
            title="Kremlin meeting",
            start="2023-12-27",
            participants=["putin", "jaishankar"],
            part_of="visit",
            location="Kremlin, Moscow",
            capacities=["t-putin"],
            topics=["conflict", "trade"],
            sources=s,
        ),
        Engagement(
            id="summit-22",
            type="summit",
            status="planned",
            title="22nd annual summit",
            start="2024",
            participants=["ind", "rus"],
            series="India–Russia Annual Summit",
            series_number=22,
            sources=s,
        ),
        Agreement(
            id="kudankulam",
            type="agreement",
            title="Kudankulam future units",
            parties=["ind", "rus"],
            signatories=["jaishankar"],
            signed="2023-12-27",
            engagement="visit",
            capacities=["t-jaishankar"],
            topics=["nuclear_energy"],
            sources=s,
        ),
        Position(
            id="no-condemn",
            holder="ind",
            stance="refrains_from_condemning",
            issue="Russia's invasion of Ukraine",
            target="rus",
            since="2022-02",
            basis="reported",
            sources=s,
        ),
        Statement(
            id="host-modi",
            speaker="putin",
            text="We will be pleased to host our friend, Prime Minister Modi, in Russia.",
            date="2023-12-27",
            engagement="kremlin",
            capacity="t-putin",
            language="en",
            sources=s,
        ),
        Indicator(
            id="crude",
            subject="ind",
            counterpart="rus",
            flow="imports",
            measure="imports of crude oil",
            commodity="crude oil",
            direction="increase",
            sources=s,
        ),
        Incident(
            id="clash",
            type="clash",
            title="Clash on the border",
            start="2020-06-15",
            parties=["ind", "rus"],
            topics=["conflict"],
            sources=s,
        ),
        Casualty(id="casualty-ind", incident="clash", party="ind", killed=20, sources=s),
        CodedEvent(
            id="icews-1-2018-06-01",
            dataset="icews",
            native_id="1",
            date="2018-06-01",
            event_text="Express intent to meet or negotiate",
            actor="jaishankar",
            actor_name="Subrahmanyam Jaishankar",
            actor_country="India",
            actor_sectors=["Government", "Executive"],
            recipient="rus",
            recipient_name="Russia",
            recipient_country="Russian Federation",
            cameo="036",
            plover_event="AGREE",
            plover_context=["diplomatic"],
            intensity=4.0,
            quad_class=1,
            place_country="RUS",
            place_name="Moscow",
            latitude=55.75,
            longitude=37.62,
            story="42",
            sentence=1,
            publisher="Example Wire",
            url="https://example.org/story/42",
            sources=s,
        ),
        Organization(
            id="unga",
            name="United Nations General Assembly",
            type="international_organization",
            sources=["src-un"],
        ),
        Motion(
            id="es-11-1",
            body="unga",
            symbol="A/RES/ES-11/1",
            title="Aggression against Ukraine",
            date="2022-03-02",
            result="adopted",
            yes=141,
            no=5,
            abstain=35,
            not_voting=12,
            topics=["conflict"],
            sources=["src-un"],
        ),
        Vote(
            id="vote-ind-es-11-1",
            motion="es-11-1",
            voter="ind",
            option="abstain",
            sources=["src-un"],
        ),
        Vote(id="vote-rus-es-11-1", motion="es-11-1", voter="rus", option="no", sources=["src-un"]),
        Position(
            id="abstains-unga",
            holder="ind",
            stance="abstains",
            issue="UN General Assembly resolutions on Ukraine",
            target="rus",
            since="2022-03-02",
            basis="voting_record",
            expressed_by=["vote-ind-es-11-1"],
            sources=["src-un"],
        ),
        Claim(
            id="claim-ukr-wikidata",
            record="ukr",
            field="wikidata",
            value='"Q212"',
            status="resolved",
            rationale="One source, one value.",
            sources=["src-un"],
        ),
        Evidence(
            id="ev-host",
            source="src-article",
            quote="We will be pleased to host our friend, Prime Minister Modi, in Russia.",
            supports=["host-modi"],
        ),
        Evidence(
            id="ev-refrain",
            source="src-article",
            quote="India has refrained from condemning the Russian invasion.",
            supports=["no-condemn"],
        ),
    ]


def write_valid(folder: Path) -> None:
    write_package(
        folder,
        records(),
        name="fixture",
        title="Fixture",
        version="1.0.0",
        metadata={"licenses": [{"name": "CC-BY-4.0"}]},
    )
    (folder / "seeds").mkdir(exist_ok=True)
    (folder / "seeds" / "article.txt").write_text(SEED_TEXT, encoding="utf-8")


# -- helpers for defects ---------------------------------------------------------------


def desc(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text())


def save_desc(folder: Path, data: dict) -> None:
    (folder / "datapackage.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def resource(data: dict, name: str) -> dict:
    return next(r for r in data["resources"] if r["name"] == name)


def edit_desc(fn: Callable[[dict], None]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        data = desc(folder)
        fn(data)
        save_desc(folder, data)

    return apply


def lines(folder: Path, name: str) -> list[str]:
    return (folder / name).read_text(encoding="utf-8").split("\n")


def set_lines(folder: Path, name: str, new: list[str]) -> None:
    (folder / name).write_bytes("\n".join(new).encode("utf-8"))


def replace_in(name: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        text = (folder / name).read_text(encoding="utf-8")
        assert old in text, (name, old)
        (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def to_json_resource(name: str, kind: str) -> Callable[[Path], None]:
    """Store resource *name* as JSON, then let *mutate* damage the text."""

    def apply(folder: Path) -> None:
        from bilat.tables import resource_descriptor

        recs = [r for r in records() if kind == r.KIND]
        (folder / f"{name}.csv").unlink()
        (folder / f"{name}.json").write_bytes(json_bytes(recs))
        data = desc(folder)
        i = next(i for i, r in enumerate(data["resources"]) if r["name"] == name)
        data["resources"][i] = resource_descriptor(kind, "json")
        save_desc(folder, data)

    return apply


def chain(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        for step in steps:
            step(folder)

    return apply


def _symlink_outside(folder: Path) -> None:
    (folder / "persons.csv").unlink()
    os.symlink("../outside/persons.csv", folder / "persons.csv")


def _folder_not_file(folder: Path) -> None:
    (folder / "persons.csv").unlink()
    (folder / "persons.csv").mkdir()
    (folder / "persons.csv" / "README").write_text("a folder, not a file\n")


def _gzip_bomb(folder: Path) -> None:
    data = (folder / "persons.csv").read_bytes() + b"x" * (3 << 20)
    (folder / "persons.csv.gz").write_bytes(gzip.compress(data, mtime=0))
    (folder / "persons.csv").unlink()
    d = desc(folder)
    r = resource(d, "persons")
    r["path"] = "persons.csv.gz"
    r["compression"] = "gz"
    save_desc(folder, d)


def _too_deep(folder: Path) -> None:
    (folder / "statements.json").write_text("[" * 100000 + "]" * 100000)


def _csv_row(name: str, row: int, fn: Callable[[list[str]], None]) -> Callable[[Path], None]:
    import csv
    import io

    def apply(folder: Path) -> None:
        rows = list(csv.reader(io.StringIO((folder / name).read_text(encoding="utf-8"))))
        fn(rows[row - 1])
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        (folder / name).write_text(out.getvalue(), encoding="utf-8")

    return apply


def _cell(name: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        header = lines(folder, name)[0].split(",")
        index = header.index(column)

        def set_cell(cells: list[str]) -> None:
            cells[index] = value

        _csv_row(name, row, set_cell)(folder)

    return apply


DEFECTS: dict[str, Callable[[Path], None]] = {
    # descriptor
    "descriptor_not_json": lambda f: (f / "datapackage.json").write_text(
        '{"name": "x", "resources": ['
    ),
    "descriptor_duplicate_key": replace_in(
        "datapackage.json", '"name": "fixture",', '"name": "fixture", "name": "other",'
    ),
    "descriptor_no_resources": edit_desc(lambda d: d.update(resources=[])),
    # only Frictionless's profile check catches this one: bilat must refuse it too
    "descriptor_bad_created": edit_desc(lambda d: d.update(created="2026-11-24")),
    "absolute_path": edit_desc(lambda d: resource(d, "persons").update(path="/etc/passwd")),
    "parent_path": edit_desc(lambda d: resource(d, "persons").update(path="../valid/persons.csv")),
    "remote_path": edit_desc(
        lambda d: resource(d, "persons").update(path="https://example.org/persons.csv")
    ),
    "remote_schema": edit_desc(
        lambda d: resource(d, "engagements").update(schema="https://example.org/table-schema.json")
    ),
    "remote_profile": edit_desc(lambda d: d.update(profile="https://example.org/profile.json")),
    "missing_file": lambda f: (f / "persons.csv").unlink(),
    "symlink_outside": _symlink_outside,
    "path_is_folder": _folder_not_file,
    "unknown_resource": chain(
        lambda f: (f / "notes.txt").write_text("notes\n"),
        edit_desc(lambda d: d["resources"].append({"name": "notes", "path": "notes.txt"})),
    ),
    "duplicate_resource": edit_desc(lambda d: d["resources"].append(dict(resource(d, "persons")))),
    "schema_mismatch": edit_desc(
        lambda d: resource(d, "engagements")["schema"]["fields"][14].update(type="string")
    ),
    "encoding_not_pinned": edit_desc(lambda d: resource(d, "persons").pop("encoding")),
    "dialect_not_pinned": edit_desc(lambda d: resource(d, "persons").pop("dialect")),
    "unsupported_format": edit_desc(lambda d: resource(d, "persons").update(format="xlsx")),
    "wrong_delimiter": edit_desc(lambda d: resource(d, "persons")["dialect"].update(delimiter=";")),
    # structure
    "invalid_utf8": lambda f: (f / "persons.csv").write_bytes(
        (f / "persons.csv").read_bytes().replace(b"Sergey", b"Serg\xffy")
    ),
    "byte_order_mark": lambda f: (f / "persons.csv").write_bytes(
        b"\xef\xbb\xbf" + (f / "persons.csv").read_bytes()
    ),
    "gzip_bomb": _gzip_bomb,
    "empty_file": lambda f: (f / "persons.csv").write_bytes(b""),
    "blank_header": replace_in("persons.csv", "id,notes,sources,name", "id,notes,sources,"),
    "duplicate_header": replace_in("persons.csv", "id,notes,sources,name", "id,notes,sources,id"),
    "missing_header": chain(
        _csv_row("persons.csv", 1, lambda c: c.remove("name")),
        _csv_row("persons.csv", 2, lambda c: c.pop(3)),
        _csv_row("persons.csv", 3, lambda c: c.pop(3)),
        _csv_row("persons.csv", 4, lambda c: c.pop(3)),
    ),
    "extra_header": chain(
        _csv_row("persons.csv", 1, lambda c: c.append("age")),
        _csv_row("persons.csv", 2, lambda c: c.append("")),
        _csv_row("persons.csv", 3, lambda c: c.append("")),
        _csv_row("persons.csv", 4, lambda c: c.append("")),
    ),
    "blank_row": lambda f: set_lines(
        f, "persons.csv", [*lines(f, "persons.csv")[:2], "", *lines(f, "persons.csv")[2:]]
    ),
    "extra_cell": _csv_row("persons.csv", 3, lambda c: c.append("surplus")),
    "missing_cell": _csv_row("persons.csv", 3, lambda c: c.pop()),
    "required_empty": _cell("persons.csv", 3, "name", ""),
    "bad_date": _cell("engagements.csv", 2, "start", "2023-02-30"),
    "unknown_vocabulary_term": _cell("engagements.csv", 3, "type", "tea_party"),
    "bad_integer": _cell("engagements.csv", 4, "series_number", "twenty-two"),
    "nan_number": chain(
        _cell("indicators.csv", 2, "value", "NaN"), _cell("indicators.csv", 2, "unit", "USD")
    ),
    "bad_array": _cell("engagements.csv", 3, "participants", "putin;jaishankar"),
    "bad_iso_code": _cell("states.csv", 3, "iso3", "XYZ"),
    "duplicate_id_in_table": _cell("persons.csv", 3, "id", "jaishankar"),
    "multiline_cell": chain(
        _cell("persons.csv", 2, "notes", "line one\nline two"), _cell("persons.csv", 4, "name", "")
    ),
    "json_truncated": chain(
        to_json_resource("statements", "statement"),
        lambda f: (f / "statements.json").write_bytes((f / "statements.json").read_bytes()[:-40]),
    ),
    "json_duplicate_key": chain(
        to_json_resource("statements", "statement"),
        replace_in(
            "statements.json",
            '"speaker": "putin",',
            '"speaker": "putin",\n    "speaker": "lavrov",',
        ),
    ),
    "json_too_deep": chain(to_json_resource("statements", "statement"), _too_deep),
    "json_nested_record": chain(
        to_json_resource("statements", "statement"),
        replace_in("statements.json", '"text": "We', '"notes": [[["deep"]]],\n    "text": "We'),
    ),
    "json_not_array": chain(
        to_json_resource("statements", "statement"),
        lambda f: (f / "statements.json").write_text('{"id": "x"}'),
    ),
    "json_item_not_object": chain(
        to_json_resource("statements", "statement"),
        lambda f: (f / "statements.json").write_text("[1]"),
    ),
    "json_nan": chain(
        to_json_resource("indicators", "indicator"),
        replace_in(
            "indicators.json", '"measure"', '"value": NaN,\n    "unit": "USD",\n    "measure"'
        ),
    ),
    "json_wrong_type": chain(
        to_json_resource("statements", "statement"),
        replace_in("statements.json", '"speaker": "putin"', '"speaker": 42'),
    ),
    # records
    "end_before_start": _cell("engagements.csv", 4, "end", "2023-12-01"),
    "value_without_unit": _cell("indicators.csv", 2, "value", "12.5"),
    # references
    "dangling_reference": _cell("engagements.csv", 3, "participants", '["putin","modi"]'),
    "dangling_single": _cell("statements.csv", 2, "engagement", "lunch"),
    "wrong_reference_kind": _cell("agreements.csv", 2, "signatories", '["jaishankar","ind"]'),
    "duplicate_id_across": _cell("persons.csv", 3, "id", "ind"),
    # rules
    "statement_outside_engagement": _cell("statements.csv", 2, "date", "2024-01-15"),
    "agreement_outside_engagement": _cell("agreements.csv", 2, "signed", "2023-11"),
    "sub_engagement_outside_parent": _cell("engagements.csv", 3, "part_of", "visit"),
    "outside_tenure": _cell("tenures.csv", 3, "start", "2024-05-07"),
    "capacity_not_acting": _cell("engagements.csv", 4, "capacities", '["t-putin"]'),
    "quote_not_in_seed": _cell(
        "evidence.csv", 2, "quote", "India has loudly condemned the Russian invasion."
    ),
    "vote_count_mismatch": _cell("motions.csv", 2, "abstain", "0"),
    "vote_duplicate": _cell("votes.csv", 3, "voter", "ind"),
    "position_without_votes": _cell("positions.csv", 2, "expressed_by", ""),
    "position_contradicts_vote": _cell("votes.csv", 2, "option", "yes"),
    "claim_invalid_value": _cell("claims.csv", 2, "value", '"Q0"'),
    "claim_invalid_field": _cell("claims.csv", 2, "field", "colour"),
    "claim_not_json": _cell("claims.csv", 2, "value", "Q212"),
    "claim_unmatched": _cell("claims.csv", 2, "value", '"Q213"'),
    "claim_open": _cell("claims.csv", 2, "status", "open"),
    "schema_version_unknown": edit_desc(lambda d: d.update(bilat={"schemaVersion": "99"})),
    "seed_missing": lambda f: (f / "seeds" / "article.txt").unlink(),
    "seed_hash_mismatch": lambda f: (f / "seeds" / "article.txt").write_text(
        SEED_TEXT + "Scroll to Top\n"
    ),
}


def with_cell(name: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    """The change that sets one CSV cell (row 1 is the header)."""
    return _cell(name, row, column, value)


def copy_valid(folder: Path) -> Path:
    """A copy of the valid base package at *folder* (with a sibling ``outside/``)."""
    shutil.copytree(VALID, folder)
    outside = folder.parent / "outside"
    if not outside.exists():
        outside.mkdir()
        shutil.copy(VALID / "persons.csv", outside / "persons.csv")
    return folder


def build(name: str, root: Path, change: Callable[[Path], None] | None = None) -> Path:
    """The base package with defect *name* (or the given *change*) applied, under *root*."""
    folder = copy_valid(root / name)
    (change or DEFECTS[name])(folder)
    return folder


def main() -> None:
    shutil.rmtree(VALID, ignore_errors=True)
    write_valid(VALID)
    print(f"wrote {VALID}")


if __name__ == "__main__":
    main()
