"""Findings: the catalogue of problem codes, one finding, and a Report of many.

Each code is defined once, with its layer, severity, a message template and a
sentence of advice. ``bilat codes`` lists the catalogue; tests name the code they
expect. Reports are data: filter them, turn them into dicts, render them elsewhere.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
Layer = Literal["descriptor", "structure", "records", "references", "rules"]
LAYERS: tuple[Layer, ...] = ("descriptor", "structure", "records", "references", "rules")


#: Every finding code, in catalogue order: a typo in a code is a mypy error, not an
#: ``internal-error`` at run time (tests/test_codes.py holds it equal to CATALOGUE).
CodeName = Literal[
    "target-unreadable",
    "internal-error",
    "descriptor-unreadable",
    "descriptor-invalid",
    "unsafe-path",
    "remote-reference",
    "resource-missing",
    "not-a-regular-file",
    "unknown-resource",
    "duplicate-resource",
    "schema-stale",
    "schema-version-unknown",
    "schema-outdated",
    "dialect-not-pinned",
    "dialect-ambiguous",
    "dialect-unsupported",
    "unsupported-format",
    "encoding-error",
    "byte-order-mark",
    "compressed-too-large",
    "file-too-large",
    "row-too-large",
    "unterminated-quote",
    "bytes-mismatch",
    "hash-mismatch",
    "count-mismatch",
    "header-missing",
    "blank-header",
    "duplicate-header",
    "missing-header",
    "extra-header",
    "header-mismatch",
    "blank-row",
    "extra-cell",
    "missing-cell",
    "required-error",
    "type-error",
    "constraint-error",
    "unique-error",
    "foreign-key-error",
    "table-error",
    "json-invalid",
    "json-duplicate-key",
    "json-too-deep",
    "json-not-array",
    "json-not-object",
    "record-invalid",
    "end-before-start",
    "duplicate-id",
    "dangling-reference",
    "wrong-reference-kind",
    "linked-package-missing",
    "linked-record-missing",
    "linked-record-kind",
    "statement-outside-engagement",
    "agreement-outside-engagement",
    "sub-engagement-outside-parent",
    "outside-tenure",
    "vote-count-mismatch",
    "vote-duplicate",
    "position-without-votes",
    "position-contradicts-vote",
    "claim-invalid",
    "claim-unmatched",
    "claim-open",
    "capacity-not-acting",
    "quote-not-in-seed",
    "seed-missing",
    "seed-hash-mismatch",
]


@dataclass(frozen=True)
class Code:
    """One kind of finding."""

    code: CodeName
    layer: Layer
    severity: Severity
    template: str
    advice: str
    #: Frictionless error types this code matches (``bilat codes`` shows them).
    frictionless: tuple[str, ...] = ()


def _c(
    code: CodeName,
    layer: Layer,
    severity: Severity,
    template: str,
    advice: str,
    frictionless: tuple[str, ...] = (),
) -> Code:
    return Code(code, layer, severity, template, advice, frictionless)


CATALOGUE: dict[CodeName, Code] = {
    c.code: c
    for c in (
        # -- descriptor ------------------------------------------------------------
        _c(
            "target-unreadable",
            "descriptor",
            "error",
            "{detail}",
            "Give a package folder, a datapackage.json, a .zip or a bundled dataset name.",
        ),
        _c(
            "internal-error",
            "descriptor",
            "error",
            "bilat failed on this input ({detail}); the report is incomplete",
            "This is a bug in bilat: please report it with the input that caused it.",
        ),
        _c(
            "descriptor-unreadable",
            "descriptor",
            "error",
            "datapackage.json cannot be read: {detail}",
            "Fix the file so that it is UTF-8 JSON holding one object.",
        ),
        _c(
            "descriptor-invalid",
            "descriptor",
            "error",
            "{detail}",
            "Make datapackage.json a valid Data Package (see docs/frictionless.md).",
            ("package-error", "resource-error", "schema-error", "field-error", "dialect-error"),
        ),
        _c(
            "unsafe-path",
            "descriptor",
            "error",
            "path {value!r} is not safe: {detail}",
            "Use a relative path inside the package folder, with forward slashes.",
        ),
        _c(
            "remote-reference",
            "descriptor",
            "error",
            "{detail} {value!r} is remote; bilat never fetches it",
            "Ship the file inside the package and refer to it by a relative path.",
        ),
        _c(
            "resource-missing",
            "descriptor",
            "error",
            "file {value!r} does not exist",
            "Add the file, or fix the resource's path.",
            ("scheme-error",),
        ),
        _c(
            "not-a-regular-file",
            "descriptor",
            "error",
            "{value!r} is not a regular file: {detail}",
            "Point the resource at a regular file inside the package (no links, devices or folders).",
        ),
        _c(
            "unknown-resource",
            "descriptor",
            "info",
            "resource {value!r} is not a bilat record table: it is checked against its own "
            "Table Schema and dialect, not against the bilat models",
            "Nothing to do if the table is yours; in a bilat package, name it after a record "
            "type to have it checked as one (docs/frictionless.md says which packages are "
            "bilat packages).",
        ),
        _c(
            "duplicate-resource",
            "descriptor",
            "error",
            "resource name {value!r} is used twice",
            "Give each resource a unique name.",
        ),
        _c(
            "schema-stale",
            "descriptor",
            "error",
            "the resource's descriptor is not the one bilat generates ({detail}): run "
            "`bilat fmt` to rewrite it; its rows are checked against the generated Table Schema",
            "Run `bilat fmt` to rewrite datapackage.json with the generated descriptors.",
        ),
        _c(
            "schema-version-unknown",
            "descriptor",
            "error",
            "the package's bilat schema version cannot be used: {detail}; its rows are "
            "checked against the newest schemas this bilat has",
            'Declare a version this bilat knows, as "bilat": {"schemaVersion": "N"} '
            "(bilat's --version option lists them), or upgrade bilat.",
        ),
        _c(
            "schema-outdated",
            "descriptor",
            "warning",
            "the package is written for bilat schema version {value}; version {detail} "
            "exists: run `bilat fmt --upgrade` to move it",
            "Run `bilat fmt --upgrade` to rewrite the package for the newest schema version "
            "(new columns are added empty), or leave it: it is validated against its own.",
        ),
        _c(
            "dialect-not-pinned",
            "descriptor",
            "warning",
            "{detail}",
            'Declare the dialect: {"delimiter": ",", "quoteChar": "\\"", "doubleQuote": true, '
            '"skipInitialSpace": false}, so no tool has to guess.',
        ),
        _c(
            "dialect-ambiguous",
            "descriptor",
            "error",
            "{detail}",
            "Declare the dialect property, so Frictionless reads the file as bilat does.",
        ),
        _c(
            "dialect-unsupported",
            "descriptor",
            "error",
            "{detail}",
            "Remove the dialect property, or rewrite the file without it.",
        ),
        _c(
            "unsupported-format",
            "descriptor",
            "error",
            "{detail}",
            "Use CSV (format csv, optionally .csv.gz) or JSON (format json) resources.",
            ("format-error",),
        ),
        # -- structure -------------------------------------------------------------
        _c(
            "encoding-error",
            "structure",
            "error",
            "bytes are not valid UTF-8: {detail}",
            "Re-save the file as UTF-8.",
            ("encoding-error", "compression-error"),
        ),
        _c(
            "byte-order-mark",
            "structure",
            "warning",
            "file starts with a UTF-8 byte order mark",
            "Save as UTF-8 without BOM.",
        ),
        _c(
            "compressed-too-large",
            "structure",
            "error",
            "{detail}",
            "Ship the file uncompressed or split it; bilat caps decompressed size.",
        ),
        _c(
            "file-too-large",
            "structure",
            "error",
            "{detail}",
            "Split the resource, or raise the cap (see `bilat validate --help`).",
        ),
        _c(
            "row-too-large",
            "structure",
            "error",
            "{detail}; the rest of the resource was not read",
            "Break the row or cell up; bilat caps cells and rows so memory stays bounded.",
        ),
        _c(
            "unterminated-quote",
            "structure",
            "error",
            "a quoted cell opened in the row starting here is never closed: "
            "the file ends inside it",
            "Close the quote; the file may have been cut short.",
        ),
        _c(
            "bytes-mismatch",
            "structure",
            "error",
            "{detail}",
            "Update the resource's declared bytes, or restore the file.",
            ("byte-count",),
        ),
        _c(
            "hash-mismatch",
            "structure",
            "error",
            "{detail}",
            "Update the resource's declared hash, or restore the file.",
            ("hash-count",),
        ),
        _c(
            "count-mismatch",
            "structure",
            "error",
            "{detail}",
            "Update the resource's declared fields or rows count, or fix the table.",
            ("field-count", "row-count"),
        ),
        _c(
            "header-missing",
            "structure",
            "error",
            "the file has no header row",
            "Put the column names on the first line.",
            ("source-error",),
        ),
        _c(
            "blank-header",
            "structure",
            "error",
            "column {value!r} has no name",
            "Name every column.",
            ("blank-label", "blank-header"),
        ),
        _c(
            "duplicate-header",
            "structure",
            "error",
            "column {value!r} appears more than once",
            "Keep one column of each name.",
            ("duplicate-label",),
        ),
        _c(
            "missing-header",
            "structure",
            "error",
            "column {field!r} is missing from the header",
            "Add the column: the header lists every field of the Table Schema, in order.",
            ("missing-label",),
        ),
        _c(
            "extra-header",
            "structure",
            "error",
            "column {value!r} is not a field of this table",
            "Remove the column or fix its name.",
            ("extra-label",),
        ),
        _c(
            "header-mismatch",
            "structure",
            "error",
            "{detail}",
            "Write the header exactly as the Table Schema's fields, in order.",
            ("incorrect-label",),
        ),
        _c(
            "blank-row",
            "structure",
            "error",
            "the row is blank",
            "Remove blank rows.",
            ("blank-row",),
        ),
        _c(
            "extra-cell",
            "structure",
            "error",
            "the row has {detail}",
            "Quote cells that contain commas; remove extra cells.",
            ("extra-cell",),
        ),
        _c(
            "missing-cell",
            "structure",
            "error",
            "the row has {detail}",
            "Add the missing cells (empty cells are fine for optional fields).",
            ("missing-cell",),
        ),
        _c(
            "required-error",
            "structure",
            "error",
            "{field} is required but empty",
            "Fill in the value.",
        ),
        _c(
            "type-error",
            "structure",
            "error",
            "{value!r} is not {detail}",
            "Write the value in the field's type.",
            ("type-error",),
        ),
        _c(
            "constraint-error",
            "structure",
            "error",
            "{value!r} {detail}",
            "Use a value the field allows: `bilat vocab NAME` lists a vocabulary's terms; "
            "the schema (schema/*.schema.json) gives every field's pattern.",
            ("constraint-error",),
        ),
        _c(
            "unique-error",
            "structure",
            "error",
            "{value!r} repeats row {detail} of this resource",
            "Give every record its own id.",
            ("unique-error", "primary-key"),
        ),
        _c(
            "foreign-key-error",
            "structure",
            "error",
            "{detail}",
            "Add the referenced row, or correct the value.",
            ("foreign-key",),
        ),
        _c(
            "table-error",
            "structure",
            "error",
            "Frictionless reports {value}: {detail}",
            "Fix the table as the message says; see docs/frictionless.md.",
            ("scheme-error", "source-error", "unmatched-header", "table-dimensions"),
        ),
        _c(
            "json-invalid",
            "structure",
            "error",
            "the JSON cannot be parsed: {detail}",
            "Fix the JSON syntax (a truncated file looks like this).",
        ),
        _c(
            "json-duplicate-key",
            "structure",
            "error",
            "key {value!r} appears twice in one object",
            "Keep one of the two; JSON readers silently keep the last.",
        ),
        _c(
            "json-too-deep",
            "structure",
            "error",
            "the JSON nests deeper than {detail} levels",
            "Records are flat objects with lists of strings; remove the nesting.",
        ),
        _c(
            "json-not-array",
            "structure",
            "error",
            "the JSON resource is not an array of records",
            "Write the resource as [ {...}, {...} ].",
        ),
        _c(
            "json-not-object",
            "structure",
            "error",
            "item {row} is not an object",
            "Each item of the array is one record object.",
        ),
        # -- records ---------------------------------------------------------------
        _c(
            "record-invalid",
            "records",
            "error",
            "{detail}",
            "Fix the value so the record is a valid model instance.",
        ),
        _c("end-before-start", "records", "error", "{detail}", "Swap or correct the dates."),
        # -- references ------------------------------------------------------------
        _c(
            "duplicate-id",
            "references",
            "error",
            "id {value!r} is also used by {detail}",
            "Ids are unique across the whole package: rename one of them.",
        ),
        _c(
            "dangling-reference",
            "references",
            "error",
            "{field} names {value!r}, which no record has as id",
            "Add the record, or correct the id.",
            ("foreign-key",),
        ),
        _c(
            "wrong-reference-kind",
            "references",
            "error",
            "{field} names {value!r}, {detail}",
            "Point the field at a record of an allowed kind.",
        ),
        _c(
            "linked-package-missing",
            "references",
            "warning",
            "the links name the curated package {value!r}, which cannot be found or read ({detail}); "
            "their records are not checked",
            "Install or download the curated package (bilat download NAME@VERSION), or "
            "correct x-bilat-curated in the links resource's descriptor.",
        ),
        _c(
            "linked-record-missing",
            "references",
            "error",
            "{field} names {value!r}, which the curated package {detail} does not hold",
            "Correct the id, or reject the link: an accepted link must point at a record.",
        ),
        _c(
            "linked-record-kind",
            "references",
            "error",
            "{field} names {value!r}, {detail}",
            "Link events to engagements, statements or votes only.",
        ),
        # -- rules -----------------------------------------------------------------
        _c(
            "statement-outside-engagement",
            "rules",
            "error",
            "{detail}",
            "Check the statement's date and the engagement it names.",
        ),
        _c(
            "agreement-outside-engagement",
            "rules",
            "error",
            "{detail}",
            "Check the signing date and the engagement it names.",
        ),
        _c(
            "sub-engagement-outside-parent",
            "rules",
            "error",
            "{detail}",
            "A part lies within the engagement it is part of: check both sets of dates.",
        ),
        _c(
            "outside-tenure",
            "rules",
            "warning",
            "{detail}",
            "Check the tenure's dates or the capacity named.",
        ),
        _c(
            "vote-count-mismatch",
            "rules",
            "error",
            "the votes recorded disagree with the motion's {field} count: {detail}",
            "Correct the count, the votes, or the motion's roll_call (complete only when "
            "every member's vote is recorded).",
        ),
        _c(
            "vote-duplicate",
            "rules",
            "error",
            "{value!r} has more than one vote on {detail}",
            "Keep one Vote per voter and motion.",
        ),
        _c(
            "position-without-votes",
            "rules",
            "warning",
            "the position's basis is a voting record, but expressed_by lists no vote",
            "List the Votes the position rests on in expressed_by, or change its basis.",
        ),
        _c(
            "position-contradicts-vote",
            "rules",
            "warning",
            "stance {value!r} disagrees with a vote it lists: {detail}",
            "Check the stance and the votes listed (the stance's vote_options in "
            "`bilat vocab stances` say which options agree with it).",
        ),
        _c(
            "claim-invalid",
            "rules",
            "error",
            "the claim cannot be a value of its record: {detail}",
            "Name a field of the record and give a value valid for it, as JSON text "
            '(a string in double quotes: "2000-10-02").',
        ),
        _c(
            "claim-unmatched",
            "rules",
            "error",
            "{value} is resolved, but {detail}",
            "Set the record's value to one of the claims, add the claim that gives it, "
            "or mark the claims open.",
        ),
        _c(
            "claim-open",
            "rules",
            "warning",
            "sources disagree on {value}: the claim is open",
            "Settle the field (set the record's value and mark its claims resolved, with a "
            "rationale) when a source decides it.",
        ),
        _c(
            "capacity-not-acting",
            "rules",
            "error",
            "{detail}",
            "A capacity names the tenure of a person who takes part: check the ids.",
        ),
        _c(
            "quote-not-in-seed",
            "rules",
            "error",
            "quote {value!r} is not found in the seed document {detail}",
            "Copy the quote verbatim from the document.",
        ),
        _c(
            "seed-missing",
            "rules",
            "error",
            "seed document {value!r} was not found",
            "Put the document under seeds/ or fix the source's seed path.",
        ),
        _c(
            "seed-hash-mismatch",
            "rules",
            "error",
            "seed document {value!r} has sha256 {detail}",
            "The stored document changed: restore it, or update seed_sha256 deliberately.",
        ),
    )
}

#: Findings kept per (resource, code) unless told otherwise (``--all-findings``).


def register(code: Code) -> Code:
    """Add a finding code to :data:`CATALOGUE` at run time (a plug-in's way: its code is
    then no :data:`CodeName`, which lists bilat's own for mypy)."""
    if code.code in CATALOGUE:
        raise ValueError(f"finding code {code.code!r} is taken")
    CATALOGUE[code.code] = code
    return code


DEFAULT_MAX_PER_CODE = 1000


@dataclass(frozen=True)
class Finding:
    """One problem, located as precisely as the layer allows.

    ``row`` is the physical line a CSV record starts on (header = 1), or the 1-based
    index of a record in a JSON resource (then ``pointer`` is its JSON pointer).
    """

    code: CodeName
    severity: Severity
    layer: Layer
    message: str
    resource: str | None = None
    path: str | None = None
    row: int | None = None
    field: str | None = None
    value: str | None = None
    pointer: str | None = None
    column: int | None = None
    #: the name of the rule that made the finding (a record rule of the model, or a
    #: rule across records of layer 5); None for the other checks
    rule: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """*text* with lone surrogates (undecodable bytes, broken JSON escapes) written as
    ``\\udcff`` escapes, so every output encoding can carry it."""
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _short(value: object, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = printable(text if len(text) <= limit * 4 else text[: limit * 4])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def make(
    code: CodeName,
    *,
    detail: str = "",
    resource: str | None = None,
    path: str | None = None,
    row: int | None = None,
    field: str | None = None,
    value: object = None,
    pointer: str | None = None,
    column: int | None = None,
    rule: str | None = None,
) -> Finding:
    """Build a finding of catalogue *code*, its message filled from the template."""
    spec = CATALOGUE[code]
    shown = None if value is None else _short(value)
    message = spec.template.format(detail=printable(detail), value=shown, field=field, row=row)
    return Finding(
        code=code,
        severity=spec.severity,
        layer=spec.layer,
        message=message,
        resource=resource,
        path=None if path is None else printable(path),
        row=row,
        field=None if field is None else printable(field),
        value=shown,
        pointer=None if pointer is None else printable(pointer),
        column=column,
        rule=rule,
    )


#: Sort key of a finding within its resource: row, field, code, then the rest.
Key = tuple[int, str, str, str, str, str, str]


def _key(f: Finding) -> Key:
    # the path last: the parts of a multi-file resource share its name and row numbers
    return (
        f.row or 0,
        f.field or "",
        f.code,
        f.pointer or "",
        f.value or "",
        f.message,
        f.path or "",
    )


class _Bucket:
    """The first *cap* findings of one (resource, code) in canonical order, and a count
    of the rest. Findings mostly arrive in row order, so once the bucket is full a new
    one is usually refused by one comparison."""

    __slots__ = ("cap", "items", "omitted", "worst")

    def __init__(self, cap: int | None) -> None:
        self.cap = cap
        self.items: list[tuple[Key, Finding]] = []
        self.omitted = 0
        self.worst: Key | None = None  # the largest key kept, once the bucket has been cut

    def add(self, finding: Finding) -> None:
        key = _key(finding)
        if self.worst is not None and key > self.worst:
            self.omitted += 1
            return
        self.items.append((key, finding))
        if self.cap is not None and len(self.items) >= 2 * self.cap + 16:
            self._cut()

    def _cut(self) -> None:
        assert self.cap is not None
        self.items.sort(key=lambda kf: kf[0])
        self.omitted += len(self.items) - self.cap
        del self.items[self.cap :]
        self.worst = self.items[-1][0] if self.items else None

    def done(self) -> list[tuple[Key, Finding]]:
        self.items.sort(key=lambda kf: kf[0])
        if self.cap is not None and len(self.items) > self.cap:
            self.omitted += len(self.items) - self.cap
            del self.items[self.cap :]
        return self.items


@dataclass
class Report:
    """Every finding of one validation run over one target, in canonical order.

    The canonical order is: findings about the package first, then each resource in
    the order the descriptor lists it; within one, by row, field and code. By default
    at most ``max_per_code`` findings are kept for each (resource, code): the first
    ones in that order, whichever engine found them; ``omitted`` counts the rest.
    """

    target: str
    findings: list[Finding] = field(default_factory=list)
    max_findings: int | None = None
    max_per_code: int | None = DEFAULT_MAX_PER_CODE
    #: Findings left out by the caps, per (resource, code).
    omitted: dict[tuple[str | None, CodeName], int] = field(default_factory=dict)
    _buckets: dict[tuple[str | None, CodeName], _Bucket] = field(default_factory=dict, repr=False)
    _order: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.target = printable(self.target)

    @property
    def truncated(self) -> bool:
        """True when the caps left findings out."""
        return bool(self.omitted)

    def set_resource_order(self, names: Iterable[str]) -> None:
        """Resources sort in this order (the descriptor's)."""
        for name in names:
            self._order.setdefault(name, len(self._order))

    def wants(self, resource: str | None, code: CodeName, row: int | None) -> bool:
        """False when a finding of *code* at *row* would certainly be left out by the cap
        (it is then counted as omitted): lets bombs skip building findings."""
        bucket = self._buckets.get((resource, code))
        if bucket is None or bucket.worst is None or row is None or row <= bucket.worst[0]:
            return True
        bucket.omitted += 1
        return False

    def omit(self, resource: str | None, code: CodeName, count: int) -> None:
        """Count *count* findings of *code* that an engine left out under the cap (it
        kept at least the first *max_per_code*, in canonical order)."""
        group = (resource, code)
        bucket = self._buckets.get(group)
        if bucket is None:
            bucket = self._buckets[group] = _Bucket(self.max_per_code)
        bucket.omitted += count

    def add(self, finding: Finding | None) -> None:
        if finding is None:
            return
        group = (finding.resource, finding.code)
        bucket = self._buckets.get(group)
        if bucket is None:
            bucket = self._buckets[group] = _Bucket(self.max_per_code)
        bucket.add(finding)

    def extend(self, findings: Iterable[Finding | None]) -> None:
        for f in findings:
            self.add(f)

    def finish(self) -> Report:
        """Sort what was collected into ``findings``; apply ``max_findings``."""
        rank = self._order
        merged: list[tuple[tuple[int, Key], Finding]] = list(
            ((-1 if f.resource is None else rank.get(f.resource, len(rank)), key), f)
            for f in self.findings
            for key in [_key(f)]
        )
        for group, bucket in self._buckets.items():
            resource = group[0]
            r = -1 if resource is None else rank.get(resource, len(rank))
            merged.extend(((r, key), f) for key, f in bucket.done())
            if bucket.omitted:
                self.omitted[group] = self.omitted.get(group, 0) + bucket.omitted
        self._buckets = {}
        merged.sort(key=lambda kf: kf[0])
        if self.max_findings is not None and len(merged) > self.max_findings:
            for _, f in merged[self.max_findings :]:
                group = (f.resource, f.code)
                self.omitted[group] = self.omitted.get(group, 0) + 1
            del merged[self.max_findings :]
        self.findings = [f for _, f in merged]
        return self

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "info"]

    @property
    def valid(self) -> bool:
        """True when there is no error (warnings and notes allowed)."""
        return not self.errors

    def counts(self) -> Counter[CodeName]:
        """Number of findings per code, the omitted ones included."""
        counts = Counter(f.code for f in self.findings)
        for (_resource, code), n in self.omitted.items():
            counts[code] += n
        return counts

    def filter(
        self,
        *,
        code: str | None = None,
        resource: str | None = None,
        severity: Severity | None = None,
        layer: Layer | None = None,
    ) -> list[Finding]:
        return [
            f
            for f in self.findings
            if (code is None or f.code == code)
            and (resource is None or f.resource == resource)
            and (severity is None or f.severity == severity)
            and (layer is None or f.layer == layer)
        ]

    def omitted_list(self) -> list[dict[str, Any]]:
        """The omitted counts as rows: resource, code, count."""
        return [
            {"resource": r, "code": c, "count": n}
            for (r, c), n in sorted(self.omitted.items(), key=lambda kv: (kv[0][0] or "", kv[0][1]))
        ]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "valid": self.valid,
            "truncated": self.truncated,
            "findings": [f.to_dict() for f in self.findings],
            "omitted": self.omitted_list(),
        }
