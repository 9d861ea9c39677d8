"""The vocabularies: well-formed data files with CAMEO and PLOVER codes."""

from __future__ import annotations

import json
from importlib import resources

import pytest

import bilat
from bilat.vocab import VOCABULARIES, vocabulary

#: The sixteen PLOVER event types.
PLOVER_EVENTS = {
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "COOPERATE",
    "AID",
    "CONCEDE",
    "RETREAT",
    "ACCUSE",
    "DEMAND",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "MOBILIZE",
    "SANCTION",
    "COERCE",
    "ASSAULT",
}
PLOVER_CONTEXTS = {"diplomatic", "economic", "military", "legal", "intelligence", "humanitarian"}


def test_every_vocabulary_file_is_shipped_and_listed() -> None:
    files = {p.name for p in resources.files("bilat.vocab").joinpath("data").iterdir()}
    assert files == {f"{name}.json" for name in VOCABULARIES}


@pytest.mark.parametrize("name", VOCABULARIES)
def test_vocabulary_is_well_formed(name: str) -> None:
    vocab = vocabulary(name)
    assert vocab.name == name
    assert len(vocab.codes()) == len(set(vocab.codes())) > 0
    for term in vocab.terms:
        assert term.label and term.definition.endswith(".")
        assert term.plover_event is None or term.plover_event in PLOVER_EVENTS
        assert term.plover_context is None or term.plover_context in PLOVER_CONTEXTS
        assert term.plover_mode is None or term.plover_event is not None


def test_required_terms_are_present() -> None:
    stances = set(vocabulary("stances").codes())
    assert {
        "condemns",
        "refrains_from_condemning",
        "supports",
        "opposes",
        "calls_for_dialogue",
        "abstains",
        "neutral",
    } <= stances
    assert set(vocabulary("position_bases").codes()) == {
        "declared",
        "voting_record",
        "reported",
        "inferred",
    }
    assert set(vocabulary("statuses").codes()) == {"held", "planned", "proposed", "cancelled"}
    assert {
        "treaty",
        "agreement",
        "mou",
        "protocol",
        "contract",
        "joint_statement",
        "declaration",
    } <= set(vocabulary("agreement_types").codes())
    assert {
        "meeting",
        "official_visit",
        "state_visit",
        "summit",
        "phone_call",
        "video_call",
        "joint_press_appearance",
        "ministerial_talks",
        "invitation",
    } <= set(vocabulary("engagement_types").codes())


def test_coded_vocabularies_cite_the_plover_mapping() -> None:
    for name in ("engagement_types", "agreement_types", "stances"):
        raw = json.loads(
            resources.files("bilat.vocab").joinpath("data", f"{name}.json").read_text()
        )
        urls = [s["url"] for s in raw["sources"]]
        assert any(
            u.endswith("openeventdata/PLOVER/blob/master/CAMEO2PLOVER-2021.txt") for u in urls
        )


def test_known_mappings() -> None:
    e = vocabulary("engagement_types")
    assert (e["phone_call"].cameo, e["phone_call"].plover_event, e["phone_call"].plover_mode) == (
        "041",
        "CONSULT",
        "phone",
    )
    assert (e["official_visit"].cameo, e["official_visit"].plover_mode) == ("042", "visit")
    assert vocabulary("stances")["condemns"].plover_event == "ACCUSE"
    assert vocabulary("agreement_types")["treaty"].cameo == "057"


def test_unknown_vocabulary_and_term() -> None:
    with pytest.raises(KeyError, match="no vocabulary 'colours'"):
        vocabulary("colours")
    with pytest.raises(bilat.UnknownName, match="no term 'likes' in vocabulary 'stances'"):
        vocabulary("stances")["likes"]


def test_vocab_command_lists_vocabularies_and_terms() -> None:
    import json as _json

    from typer.testing import CliRunner

    from bilat.cli import app
    from bilat.vocab import VOCABULARIES

    runner = CliRunner()
    listing = runner.invoke(app, ["vocab"])
    assert listing.exit_code == 0
    assert [line.split()[0] for line in listing.stdout.splitlines()] == list(VOCABULARIES)
    one = runner.invoke(app, ["vocab", "engagement_types"])
    assert one.exit_code == 0 and one.stdout.startswith("meeting ")
    assert "CAMEO 041" in one.stdout  # phone_call's code
    data = _json.loads(runner.invoke(app, ["vocab", "statuses", "-f", "json"]).stdout)
    assert [t["code"] for t in data["terms"]] == ["held", "planned", "proposed", "cancelled"]
    assert runner.invoke(app, ["vocab", "no_such"]).exit_code == 2


def test_vocabularies_doc_is_generated_current_and_linked_from_records() -> None:
    import re
    from pathlib import Path

    from bilat.vocab import VOCABULARIES, vocabulary_markdown

    docs = Path(__file__).resolve().parent.parent / "docs"
    page = (docs / "vocabularies.md").read_text(encoding="utf-8")
    assert page == vocabulary_markdown(), (
        "regenerate: bilat vocab -f markdown > docs/vocabularies.md"
    )
    anchors = set(re.findall(r'<a id="([a-z_]+)"></a>', page))
    assert anchors == set(VOCABULARIES)
    links = set(re.findall(r"\(vocabularies\.md#([a-z_]+)\)", (docs / "records.md").read_text()))
    assert links and links <= anchors
