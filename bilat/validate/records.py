"""Layer 3: each row is a valid instance of its record model."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from bilat.findings import Finding, make
from bilat.models import RECORD_TYPES, Record
from bilat.validate.descriptor import ResourcePlan
from bilat.validate.structure import Row

#: pydantic error types and the finding code each becomes.
_CODES = {
    "missing": "required-error",
    "extra_forbidden": "extra-header",
    "end_before_start": "end-before-start",
    "string_type": "type-error",
    "int_type": "type-error",
    "float_type": "type-error",
    "list_type": "type-error",
    "partial_date_type": "type-error",
    "finite_number": "type-error",
    "string_pattern_mismatch": "constraint-error",
    "string_too_short": "constraint-error",
    "string_too_long": "constraint-error",
    "too_short": "constraint-error",
    "greater_than_equal": "constraint-error",
    "literal_error": "constraint-error",
    "vocabulary": "constraint-error",
    "country_code": "constraint-error",
    "partial_date": "constraint-error",
    "union_tag_invalid": "constraint-error",
}


def findings_for(error: ValidationError, plan: ResourcePlan, row: Row) -> list[Finding]:
    """Turn a pydantic error into findings located at *row*."""
    out = []
    for e in error.errors(include_url=False):
        loc = [str(p) for p in e["loc"]]
        ctx = e.get("ctx") or {}
        field = loc[0] if loc else ctx.get("field")
        code = _CODES.get(e["type"], "record-invalid")
        value = row.data.get(field) if field else None
        if code == "extra-header":
            value, detail = field, ""
        elif code in ("type-error", "constraint-error"):
            detail = e["msg"][0].lower() + e["msg"][1:]
        else:
            detail = e["msg"].removeprefix("Value error, ")
        if code in ("record-invalid", "end-before-start") and field:
            detail = f"{detail}" if field in detail else f"{field}: {detail}"
        pointer = (
            row.pointer + "/" + "/".join(loc) if row.pointer is not None and loc else row.pointer
        )
        out.append(
            make(
                code,
                resource=plan.name,
                path=plan.path,
                row=row.row,
                field=field,
                value=value,
                pointer=pointer,
                detail=detail,
            )
        )
    return out


def checker(plan: ResourcePlan, emit: Callable[[Finding], None]) -> Callable[[Row], Record | None]:
    """A function validating rows of *plan* into records, emitting findings for bad ones."""
    model = RECORD_TYPES[plan.kind]
    validate = model.model_validate

    def check(row: Row) -> Record | None:
        try:
            return validate(row.data)
        except ValidationError as error:
            for finding in findings_for(error, plan, row):
                emit(finding)
            return None

    return check
