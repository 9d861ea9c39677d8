"""Resources that are not bilat record tables: checked against their own Table Schema
and dialect by Frictionless, behind bilat's guards.

bilat first makes sure the file is safe to hand over (layer 1 has checked its path:
inside the package, a regular file, never remote), that it is not larger than the
resource cap, and that a text file with no declared encoding is strict UTF-8 (where
Frictionless would otherwise guess a legacy encoding and read anything). Then
Frictionless validates the resource inside its package, so foreign keys into other
tables are checked too, and each error becomes a finding with a bilat code
(``bilat codes`` lists the Frictionless types each code matches).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bilat.files import FileProblem, open_regular
from bilat.findings import CATALOGUE, Finding, make
from bilat.limits import Limits
from bilat.validation.descriptor import ForeignPlan

#: Frictionless error types and the bilat code each becomes for a foreign table.
FRICTIONLESS_CODES: dict[str, str] = {
    kind: code.code
    for code in CATALOGUE.values()
    for kind in code.frictionless
    if code.code not in ("dangling-reference",)
}
#: Errors Frictionless collects per foreign table (bilat's own caps apply after).
LIMIT_ERRORS = 10_000
#: Formats read as text, whose encoding bilat checks when none is declared.
_TEXT_FORMATS = {"csv", "tsv", "json", "jsonl", "ndjson", "txt", "html", "md", "inline"}


def _format(res: dict[str, Any], path: str | None) -> str:
    fmt = res.get("format")
    if isinstance(fmt, str) and fmt:
        return fmt.lower()
    if path is None:
        return "inline"
    name = path.lower().removesuffix(".gz").removesuffix(".zip")
    return name.rsplit(".", 1)[-1] if "." in name else ""


def _first_bad_line(file: Path, cap: int) -> tuple[int, str] | None:
    """The first line of *file* that is not UTF-8, or None when all are."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with open_regular(file) as f:
        read = 0
        while chunk := f.read(1 << 20):
            read += len(chunk)
            if read > cap:
                return None
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                at = exc.start
                return line + chunk.count(b"\n", 0, max(0, at)), f"{exc.reason} at byte {at}"
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return line, exc.reason
    return None


def check(
    root: Path,
    descriptor: dict[str, Any],
    plans: list[ForeignPlan],
    limits: Limits,
    emit: Callable[[Finding | None], None],
) -> None:
    """Validate every foreign resource with Frictionless; emit what it finds."""
    if not plans:
        return
    resources = descriptor.get("resources", [])
    checked = []
    for plan in plans:
        res = resources[plan.index]

        def find(code: str, plan: ForeignPlan = plan, **kw: Any) -> None:
            emit(make(code, resource=plan.name, path=plan.path, **kw))

        if plan.file is not None:
            try:
                size = plan.file.stat().st_size
            except OSError as exc:
                find("not-a-regular-file", value=plan.path, detail=exc.strerror or str(exc))
                continue
            if size > limits.max_resource_bytes:
                find(
                    "file-too-large",
                    detail=f"{plan.path} has {size} bytes; the cap is {limits.max_resource_bytes}",
                )
                continue
            compressed = res.get("compression") or (
                plan.path and plan.path.endswith((".gz", ".zip"))
            )
            if (
                res.get("encoding") is None
                and not compressed
                and _format(res, plan.path) in _TEXT_FORMATS
            ):
                try:
                    bad = _first_bad_line(plan.file, limits.max_resource_bytes)
                except FileProblem as exc:
                    find("not-a-regular-file", value=plan.path, detail=str(exc))
                    continue
                if bad is not None:
                    line, why = bad
                    find(
                        "encoding-error",
                        row=line,
                        detail=f"{why}; with no declared encoding bilat reads UTF-8 "
                        "(declare the file's encoding if it is another)",
                    )
                    continue
        checked.append(plan)
    if checked:
        _frictionless(root, descriptor, checked, limits, emit)


def _frictionless(
    root: Path,
    descriptor: dict[str, Any],
    plans: list[ForeignPlan],
    limits: Limits,
    emit: Callable[[Finding | None], None],
) -> None:
    import frictionless

    old_limit = csv.field_size_limit(limits.max_cell)
    try:
        try:
            package = frictionless.Package(descriptor, basepath=str(root))
        except Exception as exc:  # Frictionless refusing the descriptor
            for plan in plans:
                emit(
                    make(
                        "descriptor-invalid",
                        resource=plan.name,
                        path=plan.path,
                        detail=f"Frictionless cannot read the package: {exc}",
                    )
                )
            return
        for plan in plans:
            try:
                report = package.get_resource(plan.name).validate(limit_errors=LIMIT_ERRORS)
                errors = [e for task in report.tasks for e in task.errors] + list(report.errors)
            except Exception as exc:  # a crash inside Frictionless is still a finding
                emit(
                    make(
                        "table-error",
                        resource=plan.name,
                        path=plan.path,
                        value=type(exc).__name__,
                        detail=str(exc) or "the table cannot be read",
                    )
                )
                continue
            for error in errors:
                emit(_finding(plan, error))
    finally:
        csv.field_size_limit(old_limit)


def _finding(plan: ForeignPlan, error: Any) -> Finding:
    """One Frictionless error as a finding with the bilat code that matches its type."""
    kind = str(getattr(error, "type", "error"))
    note = str(getattr(error, "note", "") or getattr(error, "message", ""))
    code = FRICTIONLESS_CODES.get(kind, "table-error")
    row = getattr(error, "row_number", None)
    field = getattr(error, "field_name", None) or None
    if field is None and getattr(error, "field_names", None):
        field = error.field_names[0]
    column = getattr(error, "field_number", None)
    label = getattr(error, "label", None)
    value: Any = getattr(error, "cell", None)
    detail = note or kind
    if code == "constraint-error" and "required" in note:
        code = "required-error"
    if code == "table-error":
        value = kind
    elif code == "type-error":
        detail = "of the field's type: " + note
    elif code == "constraint-error":
        detail = "breaks a constraint: " + note
    elif code == "unique-error":
        value = value or "(key)"
        detail = note.removeprefix("the same as in the row at position ")
    elif code in ("blank-header", "duplicate-header", "extra-header"):
        row, value = 1, label or field or f"column {column}"
    elif code in ("missing-header", "required-error"):
        row = row or (1 if code == "missing-header" else None)
        field, value = field or "(field)", None
    elif code == "header-mismatch":
        row = 1
        detail = f"column {column} is {label!r} where the Table Schema has {field!r}"
    elif code in ("bytes-mismatch", "hash-mismatch", "count-mismatch"):
        row = field = column = value = None
    return make(
        code,
        resource=plan.name,
        path=plan.path,
        row=row,
        field=field,
        column=column,
        value=value,
        detail=detail,
    )
