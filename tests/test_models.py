"""Each rule of the models, and the JSON Schema agreeing wherever it can express it."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import schema_validator
from pydantic import ValidationError

from bilat.models import (
    RECORD_TYPES,
    Engagement,
    Evidence,
    Indicator,
    Organization,
    Person,
    Position,
    Source,
    State,
    Tenure,
    reference_fields,
)

VALID: dict[str, dict[str, Any]] = {
    "source": {"id": "src-1", "type": "news_article", "title": "T", "url": "https://example.org/a"},
    "state": {
        "id": "ind",
        "name": "India",
        "iso3": "IND",
        "wikidata": "Q668",
        "sources": ["src-1"],
    },
    "person": {"id": "putin", "kind": "person", "name": "Vladimir Putin", "sources": ["src-1"]},
    "organization": {
        "id": "mea",
        "kind": "organization",
        "name": "MEA",
        "type": "government_body",
        "sources": ["src-1"],
    },
    "tenure": {
        "id": "t1",
        "person": "jaishankar",
        "office": "Minister of External Affairs",
        "role": "foreign_minister",
        "of": "ind",
        "start": "2019-05-30",
        "sources": ["src-1"],
    },
    "engagement": {
        "id": "e1",
        "type": "official_visit",
        "status": "held",
        "title": "Visit",
        "start": "2023-12-25",
        "end": "2023-12-29",
        "participants": ["jaishankar"],
        "sources": ["src-1"],
    },
    "agreement": {
        "id": "a1",
        "type": "agreement",
        "title": "Kudankulam units",
        "parties": ["ind", "rus"],
        "sources": ["src-1"],
    },
    "position": {
        "id": "p1",
        "holder": "ind",
        "stance": "refrains_from_condemning",
        "issue": "Russia's invasion of Ukraine",
        "basis": "reported",
        "sources": ["src-1"],
    },
    "statement": {
        "id": "st1",
        "speaker": "putin",
        "text": "We will be pleased.",
        "sources": ["src-1"],
    },
    "indicator": {
        "id": "i1",
        "subject": "ind",
        "counterpart": "rus",
        "flow": "imports",
        "measure": "imports of crude oil",
        "direction": "increase",
        "sources": ["src-1"],
    },
    "evidence": {
        "id": "ev1",
        "source": "src-1",
        "quote": "India has refrained",
        "supports": ["p1"],
    },
}


def with_(kind: str, /, **changes: Any) -> dict[str, Any]:
    data = dict(VALID[kind])
    for key, value in changes.items():
        if value is ...:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def schema_accepts(kind: str, data: dict[str, Any]) -> bool:
    return schema_validator(kind).is_valid(data)


@pytest.mark.parametrize("kind", list(VALID))
def test_valid_examples_pass_model_and_schema(kind: str) -> None:
    RECORD_TYPES[kind].model_validate(VALID[kind])
    assert schema_accepts(kind, VALID[kind])


# Rejections: (kind, changes, text expected in the model's message, schema can express it)
REJECTIONS = [
    ("state", {"iso3": "XYZ"}, "not an ISO 3166 alpha-3 country code", True),
    ("state", {"iso3": "ind"}, "codes are upper case", True),
    ("state", {"iso3": "IN"}, "not an ISO 3166 alpha-3", True),
    ("state", {"wikidata": "Q0668"}, "String should match pattern", True),
    ("state", {"wikidata": "q668"}, "String should match pattern", True),
    ("state", {"wikidata": "Q668\n"}, "String should match pattern", True),
    ("person", {"wikidata": "P31"}, "String should match pattern", True),
    ("tenure", {"start": "2023-02-30"}, "day 30 does not exist in February 2023", True),
    ("tenure", {"start": "2023-13"}, "month 13 does not exist", True),
    ("tenure", {"start": "2023-02-29"}, "February 2023", False),  # leap years: model only
    ("engagement", {"type": "tea_party"}, "not a term of the engagement_types vocabulary", True),
    ("engagement", {"status": "happened"}, "not a term of the statuses vocabulary", True),
    ("engagement", {"topics": ["trade", "gossip"]}, "not a term of the topics vocabulary", True),
    ("position", {"stance": "likes"}, "not a term of the stances vocabulary", True),
    ("agreement", {"type": "handshake"}, "agreement_types", True),
    (
        "engagement",
        {"start": "2023-12-29", "end": "2023-12-25"},
        "end 2023-12-25 is before its start",
        False,
    ),
    ("tenure", {"start": "2020", "end": "2019-12"}, "end 2019-12 is before its start 2020", False),
    ("position", {"since": "2022-02", "until": "2021"}, "before its start", False),
    ("indicator", {"start": "2023", "end": "2022"}, "before its start", False),
    ("indicator", {"direction": ...}, "needs a value, a direction, or both", False),
    ("indicator", {"value": 12.5}, "a value needs a unit", False),
    ("engagement", {"start": ...}, "a held engagement needs a start date", False),
    ("engagement", {"participants": []}, "at least 1 item", True),
    ("state", {"sources": []}, "at least 1 item", True),
    ("state", {"id": "India"}, "String should match pattern", True),
    ("state", {"id": "in dia"}, "String should match pattern", True),
    ("state", {"id": "ind\n"}, "String should match pattern", True),
    ("state", {"name": " India"}, "String should match pattern", True),
    ("state", {"name": "Ind\x00ia"}, "String should match pattern", True),
    ("state", {"population": 1}, "Extra inputs are not permitted", True),
    (
        "source",
        {"url": ..., "seed": ..., "citation": ...},
        "needs at least one of url, seed or citation",
        False,
    ),
    ("source", {"url": "ftp://example.org/x"}, "String should match pattern", True),
    ("source", {"url": "https://example.org/a b"}, "String should match pattern", True),
    ("source", {"seed": "../etc/passwd"}, "String should match pattern", True),
    ("source", {"seed": "/abs/path.txt"}, "String should match pattern", True),
    ("indicator", {"value": float("nan"), "unit": "USD"}, "finite number", True),
    ("engagement", {"series_number": 0, "series": "S"}, "greater than or equal to 1", True),
    ("engagement", {"series_number": "21", "series": "S"}, "valid integer", True),
    ("evidence", {"supports": []}, "at least 1 item", True),
]


@pytest.mark.parametrize(("kind", "changes", "message", "in_schema"), REJECTIONS)
def test_rejected_by_model_and_where_possible_by_schema(
    kind: str, changes: dict[str, Any], message: str, in_schema: bool
) -> None:
    data = with_(kind, **changes)
    with pytest.raises(ValidationError, match=message):
        RECORD_TYPES[kind].model_validate(data)
    if kind == "indicator" and "value" in changes and changes["value"] != changes["value"]:
        return  # NaN cannot be written as JSON at all
    assert schema_accepts(kind, data) is not in_schema


def test_actor_union_discriminates_on_kind() -> None:
    from pydantic import TypeAdapter

    from bilat.models import Actor

    adapter: TypeAdapter[Any] = TypeAdapter(Actor)
    assert isinstance(adapter.validate_python(VALID["person"]), Person)
    assert isinstance(adapter.validate_python(with_("state", kind="state")), State)
    assert isinstance(adapter.validate_python(VALID["organization"]), Organization)
    with pytest.raises(ValidationError, match=r"does not match any of the expected tags"):
        adapter.validate_python(with_("person", kind="robot"))


def test_models_are_frozen() -> None:
    state = State.model_validate(VALID["state"])
    with pytest.raises(ValidationError, match="frozen"):
        state.name = "Bharat"  # type: ignore[misc]


def test_strict_mode_refuses_lax_coercions() -> None:
    with pytest.raises(ValidationError):
        Engagement.model_validate(with_("engagement", series="S", series_number=1.0))
    with pytest.raises(ValidationError):
        Indicator.model_validate(with_("indicator", value="12", unit="USD"))


def test_partial_dates_allow_year_only_plans() -> None:
    e = Engagement.model_validate(
        with_("engagement", status="planned", start="2024", end=..., type="summit")
    )
    assert e.start is not None and e.start.precision == "year"


def test_reference_fields_declare_allowed_kinds() -> None:
    fields = {f.name: f for f in reference_fields(Evidence)}
    assert fields["source"].kinds == ("source",) and not fields["source"].many
    agreement = {f.name: f for f in reference_fields(RECORD_TYPES["agreement"])}
    assert agreement["signatories"].kinds == ("person",) and agreement["signatories"].many
    assert agreement["parties"].kinds == ("state", "organization")
    engagement = {f.name: f for f in reference_fields(Engagement)}
    assert engagement["participants"].kinds == ("state", "person", "organization")
    # every sourced record declares its sources as references to sources
    for cls in RECORD_TYPES.values():
        names = {f.name: f for f in reference_fields(cls)}
        if "sources" in cls.model_fields:
            assert names["sources"].kinds == ("source",)


def test_reference_declarations_are_in_the_schema() -> None:
    from bilat.schemas import load_schema

    props = load_schema("agreement")["properties"]
    assert props["signatories"]["x-refers-to"] == ["person"]
    assert props["parties"]["x-refers-to"] == ["state", "organization"]


def test_former_states_and_kosovo_are_valid() -> None:
    for code in ("SUN", "YUG", "CSK", "DDR", "XKX"):
        data = with_("state", iso3=code)
        State.model_validate(data)
        assert schema_accepts("state", data)


def test_position_and_tenure_examples_build_from_python() -> None:
    p = Position(
        id="ind-ukraine",
        holder="ind",
        stance="refrains_from_condemning",
        issue="Russia's invasion of Ukraine",
        target="rus",
        since="2022-02",  # type: ignore[arg-type]
        basis="reported",
        sources=["src-1"],
    )
    assert p.since is not None and str(p.since) == "2022-02"
    assert p.model_dump(mode="json")["since"] == "2022-02"
    t = Tenure.model_validate(VALID["tenure"])
    assert t.end is None
    assert Source.model_validate(VALID["source"]).url == "https://example.org/a"
