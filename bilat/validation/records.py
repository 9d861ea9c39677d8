"""Layer 3: each row is a valid instance of its record model.

Nothing masks anything: pydantic reports every field's error at once; a cell that
already failed in layer 2 is left out and its field's errors are not repeated; and
the record's own rules (``Record.RULES``) are each run on their own once the fields
they read are valid, so a bad id never hides a date in the wrong order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError

from bilat.findings import CodeName, Finding
from bilat.models import RECORD_TYPES, Record, reference_fields
from bilat.models.types import RecordId
from bilat.validation.cells import pattern_hint
from bilat.validation.descriptor import ResourcePlan
from bilat.validation.structure import Row


class _Invalid:
    """The value of a field that failed validation: neither absent nor known."""

    _instance: _Invalid | None = None

    def __new__(cls) -> _Invalid:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()

#: pydantic error types and the finding code each becomes.
_CODES: dict[str, CodeName] = {
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


@dataclass
class Checked:
    """A row after layer 3: the record when it is valid, and in any case the value of
    every field (typed; None or empty when absent; :data:`INVALID` when it failed)."""

    record: Record | None
    values: dict[str, Any]
    #: for a list of ids that failed, the items that are well-formed ids
    salvage: dict[str, list[str]] = field(default_factory=dict)


STRICT = ConfigDict(strict=True, allow_inf_nan=False)


@cache
def field_adapters(kind: str) -> dict[str, TypeAdapter[Any]]:
    """One validator per field of *kind*, built from the model's own field definition."""
    model = RECORD_TYPES[kind]
    return {
        name: TypeAdapter(info.rebuild_annotation(), config=STRICT)
        for name, info in model.model_fields.items()
    }


@cache
def field_defaults(kind: str) -> dict[str, Any]:
    model = RECORD_TYPES[kind]
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.is_required():
            out[name] = INVALID
        elif info.default_factory is not None:
            out[name] = info.default_factory()  # type: ignore[call-arg]
        else:
            out[name] = info.default
    return out


@cache
def _list_refs(kind: str) -> tuple[str, ...]:
    return tuple(f.name for f in reference_fields(RECORD_TYPES[kind]) if f.many)


_ID = TypeAdapter(RecordId, config=STRICT)


def _is_id(value: Any) -> bool:
    try:
        _ID.validate_python(value)
    except ValidationError:
        return False
    return True


def _detail(e: Any, code: CodeName, value: Any) -> str:
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


def findings_for(errors: list[Any], plan: ResourcePlan, row: Row) -> list[Finding | None]:
    """Turn pydantic errors into findings located at *row*."""
    out = []
    for e in errors:
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
                rule=e.get("rule"),
            )
        )
    return out


def checker(plan: ResourcePlan, emit: Callable[[Finding | None], None]) -> Callable[[Row], Checked]:
    """A function validating rows of *plan* into records, emitting findings for bad ones."""
    # long: the row checker's closures bind the model's validator and adapters once per resource (the hot path)
    kind = plan.kind
    model = RECORD_TYPES[kind]
    # the model's core validator, called directly: model_validate adds only a wrapper
    validate = model.__pydantic_validator__.validate_python

    def check(row: Row) -> Checked:
        if not row.bad and not row.absent:
            try:
                record: Record = validate(row.data)
                return Checked(record, record.__dict__)
            except ValidationError as error:
                return _slow(row, error.errors(include_url=False))
        try:
            validate(row.data)
        except ValidationError as error:
            return _slow(row, error.errors(include_url=False))
        return _slow(row, [])

    def _slow(row: Row, errors: list[Any]) -> Checked:
        invalid = set(row.bad) | set(row.absent)
        reported = []
        for e in errors:
            loc = e["loc"]
            if not loc:
                continue  # a record rule: run below, each rule on its own
            name = str(loc[0])
            if name in row.bad or (name in row.absent and e["type"] == "missing"):
                continue
            invalid.add(name)
            reported.append(e)
        for finding in findings_for(reported, plan, row):
            emit(finding)
        values = dict(field_defaults(kind))
        adapters = field_adapters(kind)
        for name, raw in row.data.items():
            if name in invalid or name not in adapters:
                values[name] = INVALID
                continue
            try:
                values[name] = adapters[name].validate_python(raw)
            except ValidationError:
                values[name] = INVALID
        for name in invalid:
            values[name] = INVALID
        rule_errors = []
        broken: set[str] = set()
        for rule in model.RULES:
            args = [values[name] for name in rule.reads]
            if any(a is INVALID for a in args):
                continue
            error = rule.check(*args)
            if error is not None:
                broken.update(rule.reads)
                rule_errors.append(
                    {
                        "type": error.type,
                        "loc": (),
                        "msg": error.message(),
                        "ctx": error.context,
                        "rule": rule.name,
                    }
                )
        for name in broken:  # values that contradict each other are not used further
            values[name] = INVALID
        for finding in findings_for(rule_errors, plan, row):
            emit(finding)
        salvage = {}
        for name in _list_refs(kind):
            raw = row.data.get(name)
            if values[name] is INVALID and isinstance(raw, list):
                salvage[name] = [item for item in raw if _is_id(item)]
        return Checked(None, values, salvage)

    return check
