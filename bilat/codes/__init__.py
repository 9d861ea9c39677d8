"""Finding codes: the type of a code (:data:`CodeName`, checked by mypy), what one code
is (:class:`Code`), and the codes of each validation layer, one module per layer
(``bilat.codes.descriptor`` to ``bilat.codes.rules``), which :mod:`bilat.findings`
assembles into its catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
Layer = Literal["descriptor", "structure", "records", "references", "rules"]
LAYERS: tuple[Layer, ...] = ("descriptor", "structure", "records", "references", "rules")


#: Every finding code, in catalogue order: a typo in a code is a mypy error, not an
#: ``internal-error`` at run time (tests/test_architecture.py holds it equal to
#: bilat.findings.CATALOGUE).
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
    "parquet-unreadable",
    "record-invalid",
    "end-before-start",
    "duplicate-id",
    "dangling-reference",
    "wrong-reference-kind",
    "reference-past-first-part",
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


def entry(
    code: CodeName,
    layer: Layer,
    severity: Severity,
    template: str,
    advice: str,
    frictionless: tuple[str, ...] = (),
) -> Code:
    """One code of the catalogue (positional, as the layer modules list them)."""
    return Code(code, layer, severity, template, advice, frictionless)
