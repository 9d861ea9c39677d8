"""Every fixture defect is reported with its code, resource, row and field, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from mutants import DEFECTS, build

from bilat.findings import CATALOGUE
from bilat.validation import Limits, validate

DATA = Path(__file__).parent / "data"

# fixture -> the exact set of (code, resource, row, field) it must produce
EXPECTED: dict[str, set[tuple[str, str | None, int | None, str | None]]] = {
    # descriptor
    "descriptor_not_json": {("descriptor-unreadable", None, 1, None)},
    "descriptor_duplicate_key": {("descriptor-unreadable", None, None, None)},
    "descriptor_no_resources": {("descriptor-invalid", None, None, "resources")},
    "descriptor_bad_created": {("descriptor-invalid", None, None, None)},
    "absolute_path": {("unsafe-path", "persons", None, "path")},
    "parent_path": {("unsafe-path", "persons", None, "path")},
    "remote_path": {("remote-reference", "persons", None, "path")},
    "remote_schema": {
        ("remote-reference", "engagements", None, "schema"),
        ("schema-stale", "engagements", None, "schema"),
    },
    "remote_profile": {("remote-reference", None, None, "profile")},
    "missing_file": {("resource-missing", "persons", None, "path")},
    "symlink_outside": {("unsafe-path", "persons", None, "path")},
    "path_is_folder": {("not-a-regular-file", "persons", None, "path")},
    "unknown_resource": {("unknown-resource", "notes", None, None)},
    "duplicate_resource": {("duplicate-resource", "persons", None, None)},
    "schema_mismatch": {("schema-stale", "engagements", None, "schema")},
    "encoding_not_pinned": {("schema-stale", "persons", None, "encoding")},
    "dialect_not_pinned": {("dialect-not-pinned", "persons", None, "dialect")},
    "unsupported_format": {("unsupported-format", "persons", None, "format")},
    # the declared delimiter is applied: the header is then one unknown column
    "wrong_delimiter": {
        ("extra-header", "persons", 1, "id,notes,sources,name,aliases,wikidata,kind,nationality"),
        *{
            ("missing-header", "persons", 1, f)
            for f in (
                "id",
                "notes",
                "sources",
                "name",
                "aliases",
                "wikidata",
                "kind",
                "nationality",
            )
        },
    },
    # structure
    "invalid_utf8": {("encoding-error", "persons", 3, "name")},
    "byte_order_mark": {("byte-order-mark", "persons", 1, None)},
    "empty_file": {("header-missing", "persons", 1, None)},
    "blank_header": {
        ("blank-header", "persons", 1, None),
        ("missing-header", "persons", 1, "name"),
    },
    "duplicate_header": {
        ("duplicate-header", "persons", 1, "id"),
        ("missing-header", "persons", 1, "name"),
    },
    "missing_header": {("missing-header", "persons", 1, "name")},
    "extra_header": {("extra-header", "persons", 1, "age")},
    "blank_row": {("blank-row", "persons", 3, None)},
    "extra_cell": {("extra-cell", "persons", 3, None)},
    "missing_cell": {("missing-cell", "persons", 3, "nationality")},
    "required_empty": {("required-error", "persons", 3, "name")},
    "bad_date": {("constraint-error", "engagements", 2, "start")},
    "unknown_vocabulary_term": {("constraint-error", "engagements", 3, "type")},
    "bad_integer": {("type-error", "engagements", 4, "series_number")},
    "nan_number": {("type-error", "indicators", 2, "value")},
    "bad_array": {("type-error", "engagements", 3, "participants")},
    "bad_iso_code": {("constraint-error", "states", 3, "iso3")},
    "duplicate_id_in_table": {("unique-error", "persons", 3, "id")},
    # a quoted cell spanning two lines: rows are physical lines, so lavrov is on 4, putin on 5
    "multiline_cell": {("required-error", "persons", 5, "name")},
    "json_truncated": {("json-invalid", "statements", None, None)},
    "json_duplicate_key": {("json-duplicate-key", "statements", 1, "speaker")},
    "json_too_deep": {("json-too-deep", "statements", None, None)},
    "json_nested_record": {("json-too-deep", "statements", 1, None)},
    "json_not_array": {("json-not-array", "statements", None, None)},
    "json_item_not_object": {("json-not-object", "statements", 1, None)},
    "json_nan": {("type-error", "indicators", 1, "value")},
    "json_wrong_type": {("type-error", "statements", 1, "speaker")},
    # records
    "end_before_start": {("end-before-start", "engagements", 4, "end")},
    "value_without_unit": {("record-invalid", "indicators", 2, "unit")},
    # references
    "dangling_reference": {("dangling-reference", "engagements", 3, "participants")},
    "dangling_single": {("dangling-reference", "statements", 2, "engagement")},
    "wrong_reference_kind": {("wrong-reference-kind", "agreements", 2, "signatories")},
    "duplicate_id_across": {("duplicate-id", "persons", 3, "id")},
    # rules
    "statement_outside_engagement": {("statement-outside-engagement", "statements", 2, "date")},
    "agreement_outside_engagement": {("agreement-outside-engagement", "agreements", 2, "signed")},
    "sub_engagement_outside_parent": {
        ("sub-engagement-outside-parent", "engagements", 3, "part_of")
    },
    "outside_tenure": {
        ("outside-tenure", "engagements", 2, "capacities"),
        ("outside-tenure", "statements", 2, "capacity"),
    },
    "capacity_not_acting": {("capacity-not-acting", "engagements", 4, "capacities")},
    "quote_not_in_seed": {("quote-not-in-seed", "evidence", 2, "quote")},
    "seed_missing": {("seed-missing", "sources", 2, "seed")},
    "seed_hash_mismatch": {("seed-hash-mismatch", "sources", 2, "seed_sha256")},
    # votes and claims (layer 5)
    "vote_count_mismatch": {("vote-count-mismatch", "motions", 2, "abstain")},
    "vote_duplicate": {("vote-duplicate", "votes", 3, "voter")},
    "position_without_votes": {("position-without-votes", "positions", 2, "expressed_by")},
    "position_contradicts_vote": {("position-contradicts-vote", "positions", 2, "stance")},
    "claim_invalid_value": {("claim-invalid", "claims", 2, "value")},
    "claim_invalid_field": {("claim-invalid", "claims", 2, "field")},
    "claim_not_json": {("record-invalid", "claims", 2, "value")},
    "claim_unmatched": {("claim-unmatched", "claims", 2, "status")},
    "claim_open": {("claim-open", "claims", 2, "status")},
    "schema_version_unknown": {("schema-version-unknown", None, None, "bilat")},
}
#: Fixtures validated with smaller caps, to keep the fixture files small.
LIMITS = {"gzip_bomb": Limits(max_decompressed=1 << 20, max_cell=8 << 20)}
EXPECTED["gzip_bomb"] = {("compressed-too-large", "persons", None, None)}

#: Codes asserted by tests elsewhere (CLI, targets, limits, the Frictionless corpus).
TESTED_ELSEWHERE = {
    "schema-outdated",  # tests/test_versions.py: the 1.0.0 release
    "target-unreadable",
    "internal-error",
    "file-too-large",
    "row-too-large",
    "unterminated-quote",
    "bytes-mismatch",
    "hash-mismatch",
    "count-mismatch",
    "header-mismatch",
    "dialect-ambiguous",
    "dialect-unsupported",
    "foreign-key-error",
    "table-error",
    "parquet-unreadable",  # tests/test_parts.py: a damaged page
    "reference-past-first-part",  # tests/test_parts.py: a later Parquet part's ids
    # tests/test_link.py: links between an events package and a curated one
    "linked-package-missing",
    "linked-record-missing",
    "linked-record-kind",
}


def located(report: object) -> set[tuple[str, str | None, int | None, str | None]]:
    return {(f.code, f.resource, f.row, f.field) for f in report.findings}  # type: ignore[attr-defined]


def test_valid_fixture_has_no_findings() -> None:
    report = validate(DATA / "valid")
    assert report.findings == []
    assert report.valid


def test_every_defect_has_an_expectation() -> None:
    assert set(DEFECTS) == set(EXPECTED)


@pytest.fixture(scope="module")
def defects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("defects")


def defect(name: str, root: Path) -> Path:
    folder = root / name
    return folder if folder.exists() else build(name, root)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_defect_is_reported_at_its_row_and_field(name: str, defects: Path) -> None:
    report = validate(defect(name, defects), limits=LIMITS.get(name))
    assert located(report) == EXPECTED[name]
    for finding in report.findings:
        spec = CATALOGUE[finding.code]
        assert finding.severity == spec.severity and finding.layer == spec.layer
        assert finding.message and "{" not in finding.message


def test_every_catalogue_code_is_tested() -> None:
    fixture_codes = {code for found in EXPECTED.values() for code, *_ in found}
    assert set(CATALOGUE) == fixture_codes | TESTED_ELSEWHERE


def test_messages_name_the_problem(defects: Path) -> None:
    DEFECTS = defects
    for name in (
        "bad_date",
        "unknown_vocabulary_term",
        "dangling_reference",
        "wrong_reference_kind",
        "duplicate_id_across",
        "invalid_utf8",
    ):
        defect(name, defects)
    bad_date = validate(DEFECTS / "bad_date").findings[0]
    assert bad_date.value == "2023-02-30"
    assert "day 30 does not exist in February 2023" in bad_date.message
    term = validate(DEFECTS / "unknown_vocabulary_term").findings[0]
    assert "not a term of the engagement_types vocabulary" in term.message
    dangling = validate(DEFECTS / "dangling_reference").findings[0]
    assert dangling.value == "modi" and "no record has as id" in dangling.message
    kind = validate(DEFECTS / "wrong_reference_kind").findings[0]
    assert "a state; it must name a person" in kind.message
    dup = validate(DEFECTS / "duplicate_id_across").findings[0]
    assert "row 2 of states" in dup.message
    utf8 = validate(DEFECTS / "invalid_utf8").findings[0]
    assert "0xff" in utf8.message


def test_json_findings_carry_pointers(defects: Path) -> None:
    (f,) = validate(defect("json_wrong_type", defects)).findings
    assert f.pointer == "/0/speaker"
    (f,) = validate(defect("json_duplicate_key", defects)).findings
    assert f.pointer == "/0/speaker"


def test_warnings_alone_keep_a_package_valid(defects: Path) -> None:
    report = validate(defect("byte_order_mark", defects))
    assert report.valid and len(report.warnings) == 1


def test_json_resource_size_cap(defects: Path) -> None:
    report = validate(defect("json_wrong_type", defects), limits=Limits(max_json_bytes=100))
    assert located(report) == {("file-too-large", "statements", None, None)}


def test_max_findings_caps_the_report_and_says_so(defects: Path) -> None:
    report = validate(defect("outside_tenure", defects), max_findings=1)
    assert [(f.code, f.resource) for f in report.findings] == [("outside-tenure", "engagements")]
    assert report.truncated
    assert report.omitted == {("statements", "outside-tenure"): 1}


def test_missing_target_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    report = validate(tmp_path / "nothing-here")
    assert [f.code for f in report.findings] == ["target-unreadable"]
    assert not report.valid
