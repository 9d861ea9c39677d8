"""Layer 3: each row is a valid instance of its record model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from bilat.findings import Finding
from bilat.models import RECORD_TYPES, Record
from bilat.validation.cells import pattern_hint
from bilat.validation.descriptor import ResourcePlan
from bilat.validation.structure import Row

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


def _detail(e: Any, code: str, value: Any) -> str:
    """The finding's detail for one pydantic error, without repeating the value."""
    kind, msg, ctx = e["type"], str(e["msg"]), e.get("ctx") or {}
    if kind == "string_pattern_mismatch" and isinstance(value, str):
        return pattern_hint(ctx.get("pattern", ""), value)
    if kind == "partial_date":
        reason = str(ctx.get("reason", msg))
        return "is not a valid date: " + reason.split(": ", 1)[-1]
    if kind in ("vocabulary", "country_code"):
        return msg
    if code == "type-error":
        return msg.removeprefix("Input should be ").removeprefix("a partial date must be ")
    if code == "constraint-error":
        return "is not allowed: " + msg[0].lower() + msg[1:]
    return msg.removeprefix("Value error, ")


def findings_for(error: ValidationError, plan: ResourcePlan, row: Row) -> list[Finding]:
    """Turn a pydantic error into findings located at *row*."""
    out = []
    for e in error.errors(include_url=False):
        loc = [str(p) for p in e["loc"]]
        ctx = e.get("ctx") or {}
        field = loc[0] if loc else ctx.get("field")
        code = _CODES.get(e["type"], "record-invalid")
        value = e.get("input") if loc else row.data.get(field) if field else None
        if code == "extra-header":
            value = field
        detail = _detail(e, code, value)
        if len(loc) == 2 and loc[1].isdigit():  # an item of a list field
            detail = f"item {int(loc[1]) + 1} {detail}"
        if code == "required-error" or value is None or isinstance(value, dict):
            value = row.data.get(field) if field and code != "required-error" else None
        pointer = (
            row.pointer + "/" + "/".join(loc) if row.pointer is not None and loc else row.pointer
        )
        out.append(
            plan.finding(
                code,
                row=row.row,
                field=field,
                value=value,
                pointer=pointer,
                detail=detail,
                column=row.columns.get(field) if row.columns and field else None,
            )
        )
    return out


def checker(plan: ResourcePlan, emit: Callable[[Finding], None]) -> Callable[[Row], Record | None]:
    """A function validating rows of *plan* into records, emitting findings for bad ones."""
    # the model's core validator, called directly: model_validate adds only a wrapper
    validate = RECORD_TYPES[plan.kind].__pydantic_validator__.validate_python

    def check(row: Row) -> Record | None:
        try:
            record: Record = validate(row.data)
            return record
        except ValidationError as error:
            for finding in findings_for(error, plan, row):
                emit(finding)
            return None

    return check
