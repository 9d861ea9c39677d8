"""Findings: the catalogue of problem codes, one finding, and a Report of many.

Each code is defined once, with its layer, severity, a message template and a
sentence of advice. ``bilat codes`` lists the catalogue; tests name the code they
expect. Reports are data: filter them, turn them into dicts, render them elsewhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]
Layer = Literal["descriptor", "structure", "records", "references", "rules"]
LAYERS: tuple[Layer, ...] = ("descriptor", "structure", "records", "references", "rules")


@dataclass(frozen=True)
class Code:
    """One kind of finding."""

    code: str
    layer: Layer
    severity: Severity
    template: str
    advice: str


def _c(code: str, layer: Layer, severity: Severity, template: str, advice: str) -> Code:
    return Code(code, layer, severity, template, advice)


CATALOGUE: dict[str, Code] = {
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
            "Make datapackage.json a valid Data Package (https://datapackage.org).",
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
            "warning",
            "resource {value!r} is not a bilat record table; it is not checked",
            "Name resources after record types (engagements, persons, ...) or remove it.",
        ),
        _c(
            "duplicate-resource",
            "descriptor",
            "error",
            "resource name {value!r} is used twice",
            "Give each resource a unique name.",
        ),
        _c(
            "table-schema-mismatch",
            "descriptor",
            "error",
            "{detail}",
            "Regenerate the resource's schema from the models (bilat.tables.table_schema).",
        ),
        _c(
            "encoding-not-pinned",
            "descriptor",
            "error",
            'resource does not declare "encoding": "utf-8"',
            'Add "encoding": "utf-8"; without it Frictionless guesses and may misread bytes.',
        ),
        _c(
            "dialect-not-pinned",
            "descriptor",
            "warning",
            "{detail}",
            'Declare "dialect": {"delimiter": ","} so no tool has to guess.',
        ),
        _c(
            "unsupported-format",
            "descriptor",
            "error",
            "{detail}",
            "Use CSV (format csv, optionally .csv.gz) or JSON (format json) resources.",
        ),
        # -- structure -------------------------------------------------------------
        _c(
            "encoding-error",
            "structure",
            "error",
            "bytes are not valid UTF-8: {detail}",
            "Re-save the file as UTF-8.",
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
            "Split the resource; bilat caps resource size.",
        ),
        _c(
            "header-missing",
            "structure",
            "error",
            "the file has no header row",
            "Put the column names on the first line.",
        ),
        _c(
            "blank-header",
            "structure",
            "error",
            "column {value!r} has no name",
            "Name every column.",
        ),
        _c(
            "duplicate-header",
            "structure",
            "error",
            "column {value!r} appears more than once",
            "Keep one column of each name.",
        ),
        _c(
            "missing-header",
            "structure",
            "error",
            "required column {field!r} is missing",
            "Add the column.",
        ),
        _c(
            "extra-header",
            "structure",
            "error",
            "column {value!r} is not a field of this record type",
            "Remove the column or fix its name.",
        ),
        _c("blank-row", "structure", "error", "the row is blank", "Remove blank rows."),
        _c(
            "extra-cell",
            "structure",
            "error",
            "the row has {detail}",
            "Quote cells that contain commas; remove extra cells.",
        ),
        _c(
            "missing-cell",
            "structure",
            "error",
            "the row has {detail}",
            "Add the missing cells (empty cells are fine for optional fields).",
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
        ),
        _c(
            "constraint-error",
            "structure",
            "error",
            "{value!r} {detail}",
            "Use a value the field allows; `bilat codes` and the schema list them.",
        ),
        _c(
            "unique-error",
            "structure",
            "error",
            "id {value!r} repeats row {detail} of this resource",
            "Give every record its own id.",
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
        ),
        _c(
            "wrong-reference-kind",
            "references",
            "error",
            "{field} names {value!r}, {detail}",
            "Point the field at a record of an allowed kind.",
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
        # -- report ----------------------------------------------------------------
        _c(
            "too-many-findings",
            "rules",
            "warning",
            "stopped after {detail} findings; more may exist",
            "Fix these first, or raise --max-findings.",
        ),
    )
}


@dataclass(frozen=True)
class Finding:
    """One problem, located as precisely as the layer allows.

    ``row`` is the physical line a CSV record starts on (header = 1), or the 1-based
    index of a record in a JSON resource (then ``pointer`` is its JSON pointer).
    """

    code: str
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _short(value: object, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def make(
    code: str,
    *,
    detail: str = "",
    resource: str | None = None,
    path: str | None = None,
    row: int | None = None,
    field: str | None = None,
    value: object = None,
    pointer: str | None = None,
    column: int | None = None,
    severity: Severity | None = None,
) -> Finding:
    """Build a finding of catalogue *code*, its message filled from the template."""
    spec = CATALOGUE[code]
    shown = None if value is None else _short(value)
    message = spec.template.format(detail=detail, value=shown, field=field, row=row)
    return Finding(
        code=code,
        severity=severity or spec.severity,
        layer=spec.layer,
        message=message,
        resource=resource,
        path=path,
        row=row,
        field=field,
        value=shown,
        pointer=pointer,
        column=column,
    )


class FindingLimit(Exception):
    """Raised inside validation when the report is full."""


@dataclass
class Report:
    """Every finding of one validation run over one target."""

    target: str
    findings: list[Finding] = field(default_factory=list)
    max_findings: int | None = None
    truncated: bool = False

    def add(self, finding: Finding) -> None:
        if self.max_findings is not None and len(self.findings) >= self.max_findings:
            self.truncated = True
            raise FindingLimit
        self.findings.append(finding)

    def extend(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            self.add(f)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def valid(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def counts(self) -> Counter[str]:
        """Number of findings per code."""
        return Counter(f.code for f in self.findings)

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
        }
