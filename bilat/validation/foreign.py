"""Resources that are not bilat record tables: checked against their own Table Schema
and dialect by Frictionless, behind bilat's guards.

bilat first makes sure the file is safe to hand over (layer 1 has checked its path:
inside the package, a regular file, never remote), that it is not larger than the
resource cap, and that a text file with no declared encoding is strict UTF-8 (where
Frictionless would otherwise guess a legacy encoding and read anything). It then
checks what Frictionless lets through: a JSON file must parse (``json-invalid``, with
its line and column), and a CSV file must not end inside a quoted cell
(``unterminated-quote``). Then Frictionless validates the resource inside its
package, so foreign keys into other tables are checked too, and each error becomes a
finding with a bilat code (``bilat codes`` lists the Frictionless types each code
matches).

Frictionless's own ``validate()`` keeps every error in a list and stops at a fixed
number of them; bilat instead runs the same checks over Frictionless's row stream and
hands each error to the report as the rows pass, so every error is counted (the
report keeps the first ones up to its cap and counts the rest in ``omitted``) and
memory is bounded by the cap, not by the number of errors.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bilat.files import FileProblem, TooLarge, open_regular, read_capped
from bilat.findings import CATALOGUE, CodeName, Finding, make
from bilat.limits import Limits
from bilat.validation.descriptor import ForeignPlan
from bilat.validation.dialect import SAMPLE_LINES, Dialect, sniff
from bilat.validation.dialect import resolve as resolve_dialect

#: Frictionless error types and the bilat code each becomes for a foreign table.
FRICTIONLESS_CODES: dict[str, CodeName] = {
    kind: code.code
    for code in CATALOGUE.values()
    for kind in code.frictionless
    if code.code not in ("dangling-reference",)
}
#: Formats read as text, whose encoding bilat checks when none is declared.
_TEXT_FORMATS = {"csv", "tsv", "json", "jsonl", "ndjson", "txt", "html", "md", "inline"}
#: Formats that hold one JSON document, which must parse.
_JSON_FORMATS = {"json", "geojson", "topojson"}
#: Dialect properties that decide where a CSV cell's quotes open and close.
_QUOTING = ("csv", "delimiter", "quoteChar", "escapeChar", "doubleQuote", "skipInitialSpace")

#: Whether a finding of (resource, code, row) would be kept (see Report.wants).
Gate = Callable[[str | None, CodeName, int | None], bool]


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
    gate: Gate | None = None,
) -> None:
    """Validate every foreign resource with Frictionless; emit what it finds.

    With *gate*, an error the report would leave out is only counted (not built).
    """
    if not plans:
        return
    resources = descriptor.get("resources", [])
    checked = []
    for plan in plans:

        def find(code: CodeName, plan: ForeignPlan = plan, **kw: Any) -> None:
            emit(make(code, resource=plan.name, path=plan.path, **kw))

        if plan.file is None or _readable(plan, plan.file, resources[plan.index], limits, find):
            checked.append(plan)
    if checked:
        _frictionless(root, descriptor, checked, limits, emit, gate)


def _readable(
    plan: ForeignPlan,
    file: Path,
    res: dict[str, Any],
    limits: Limits,
    find: Callable[..., None],
) -> bool:
    """Check the file of the foreign resource *plan* (descriptor *res*) before
    Frictionless reads it, calling *find* with what is wrong: its size, the UTF-8 of a
    text file with no declared encoding, a JSON document, a CSV quote left open.
    False when Frictionless is not to read it."""
    try:
        size = file.stat().st_size
    except OSError as exc:
        find("not-a-regular-file", value=plan.path, detail=exc.strerror or str(exc))
        return False
    if size > limits.max_resource_bytes:
        find(
            "file-too-large",
            detail=f"{plan.path} has {size} bytes; the cap is {limits.max_resource_bytes}",
        )
        return False
    compressed = res.get("compression") or (plan.path and plan.path.endswith((".gz", ".zip")))
    fmt = _format(res, plan.path)
    if res.get("encoding") is None and not compressed and fmt in _TEXT_FORMATS:
        try:
            bad = _first_bad_line(file, limits.max_resource_bytes)
        except FileProblem as exc:
            find("not-a-regular-file", value=plan.path, detail=str(exc))
            return False
        if bad is not None:
            line, why = bad
            find(
                "encoding-error",
                row=line,
                detail=f"{why}; with no declared encoding bilat reads UTF-8 "
                "(declare the file's encoding if it is another)",
            )
            return False
    encoding = _codec(res.get("encoding"))
    if not compressed and encoding is not None and fmt in _JSON_FORMATS:
        problem = _json_problem(file, encoding, limits)
        if problem is not None:
            code, detail = problem
            find(code, detail=detail)
            return False  # Frictionless would only read it as bytes
    if not compressed and encoding is not None and fmt == "csv":
        cut = _unclosed_quote(file, res.get("dialect"), encoding, limits)
        if cut is not None:
            find("unterminated-quote", row=cut)
    return True


def _codec(encoding: Any) -> str | None:
    """The Python codec of a declared encoding (UTF-8 when none), None when unknown."""
    if encoding is None:
        return "utf-8-sig"
    if not isinstance(encoding, str):
        return None
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    return "utf-8-sig" if name == "utf-8" else name


def _json_problem(file: Path, encoding: str, limits: Limits) -> tuple[CodeName, str] | None:
    """Why the JSON document in *file* cannot be parsed, as (code, detail), or None."""
    try:
        raw = read_capped(file, limits.max_json_bytes)
    except TooLarge:
        return "file-too-large", (
            f"{file.name} is larger than {limits.max_json_bytes} bytes, the cap for JSON resources"
        )
    except FileProblem:
        return None  # reported by Frictionless as it reads the file
    try:
        json.loads(raw.decode(encoding))
    except UnicodeDecodeError as exc:
        return "encoding-error", f"{exc.reason} at byte {exc.start} ({exc.encoding})"
    except json.JSONDecodeError as exc:
        return "json-invalid", f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    except RecursionError:
        return "json-invalid", "it is nested too deeply to be read"
    except ValueError as exc:  # an integer too long to convert
        return "json-invalid", str(exc)
    return None


class _Lines:
    """The lines of a text stream for csv.reader, numbered, keeping those of the last
    record read; StopIteration at a line longer than *max_row* (left to Frictionless)."""

    def __init__(self, sample: list[str], text: Any, max_row: int) -> None:
        self._sample = iter(sample)
        self._text = text
        self._max_row = max_row
        self.line = 0
        self.record: list[str] = []
        self.long = False

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._sample, None)
        if line is None:
            line = self._text.readline(self._max_row)
            if not line:
                raise StopIteration
        if len(line) >= self._max_row and line[-1] not in "\r\n":
            self.long = True
            raise StopIteration
        self.line += 1
        self.record.append(line)
        return line


def _unclosed_quote(file: Path, raw_dialect: Any, encoding: str, limits: Limits) -> int | None:
    """The line on which the last record of the CSV *file* starts when the file ends
    inside one of its quoted cells (Frictionless reads the cut cell as if whole)."""
    from bilat.validation.structure import unterminated

    if isinstance(raw_dialect, dict):
        resolved = resolve_dialect({k: v for k, v in raw_dialect.items() if k in _QUOTING})
        dialect = resolved.dialect
    else:
        dialect = Dialect() if raw_dialect is None else None
    if dialect is None:
        return None  # a dialect bilat cannot apply: left to Frictionless
    old_limit = csv.field_size_limit(limits.max_cell)
    try:
        with open_regular(file) as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
            sample: list[str] = []
            while len(sample) < SAMPLE_LINES:
                line = text.readline(limits.max_row)
                if not line:
                    break
                sample.append(line)
            dialect = sniff(sample, dialect)
            lines = _Lines(sample, text, limits.max_row)
            start, last = 1, 0  # the lines the next and the last record start on
            record: list[str] = []
            for _ in csv.reader(lines, **dialect.reader_options()):
                last, record, lines.record = start, lines.record, []
                start = lines.line + 1
    except (FileProblem, OSError, csv.Error):
        return None  # unreadable, or a cell over the cap: Frictionless reports it
    finally:
        csv.field_size_limit(old_limit)
    if lines.long or not last:
        return None
    return last if unterminated(record, dialect) else None


def _frictionless(
    root: Path,
    descriptor: dict[str, Any],
    plans: list[ForeignPlan],
    limits: Limits,
    emit: Callable[[Finding | None], None],
    gate: Gate | None = None,
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

            def found(error: Any, plan: ForeignPlan = plan) -> None:
                code = _code(error)
                if gate is None or gate(plan.name, code, _row(error, code)):
                    emit(_finding(plan, error, code))

            try:
                stream_errors(package.get_resource(plan.name), found)
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
    finally:
        csv.field_size_limit(old_limit)


def stream_errors(resource: Any, found: Callable[[Any], None]) -> None:
    """Every error Frictionless's ``resource.validate()`` finds, passed to *found* as
    the rows stream past, with no limit and without keeping them.

    This is the loop of ``Resource.validate`` in Frictionless 5 (its default checklist:
    the ``baseline`` check, which yields the header's and each row's errors, then the
    hash, bytes and count checks at the end), less the list it collects errors in.
    """
    import frictionless
    from frictionless import FrictionlessException

    if not isinstance(resource, frictionless.resources.TableResource):
        report = resource.validate()
        for error in [e for task in report.tasks for e in task.errors] + list(report.errors):
            found(error)
        return
    checklist = frictionless.Checklist()
    checks = checklist.connect(resource)
    try:
        resource.to_descriptor(validate=True)
    except FrictionlessException as exc:
        for error in exc.to_errors():
            found(error)
        return
    if resource.closed:
        try:
            resource.open()  # type: ignore[no-untyped-call]
        except FrictionlessException as exc:
            resource.close()
            for error in exc.to_errors():
                found(error)
            return
    with resource:
        for check in list(checks):
            for error in check.validate_start():
                if error.type == "check-error":
                    checks.remove(check)
                if checklist.match(error):
                    found(error)
        rows = resource.row_stream
        while True:
            try:
                row = next(rows)
            except FrictionlessException as exc:
                found(exc.error)
                continue
            except StopIteration:
                break
            for check in checks:
                for error in check.validate_row(row):
                    if checklist.match(error):
                        found(error)
        for check in checks:
            for error in check.validate_end():
                if checklist.match(error):
                    found(error)


def _code(error: Any) -> CodeName:
    """The bilat code of a Frictionless error."""
    kind = str(getattr(error, "type", "error"))
    code = FRICTIONLESS_CODES.get(kind, "table-error")
    note = str(getattr(error, "note", "") or getattr(error, "message", ""))
    if code == "constraint-error" and "required" in note:
        return "required-error"
    return code


def _row(error: Any, code: CodeName) -> int | None:
    """The row a finding of *error* will have (for the report's gate)."""
    if code in ("blank-header", "duplicate-header", "extra-header", "header-mismatch"):
        return 1
    if code in ("bytes-mismatch", "hash-mismatch", "count-mismatch"):
        return None
    row = getattr(error, "row_number", None)
    return row if isinstance(row, int) else (1 if code == "missing-header" else None)


def _finding(plan: ForeignPlan, error: Any, code: CodeName) -> Finding:
    """One Frictionless error as a finding with the bilat *code* that matches its type."""
    kind = str(getattr(error, "type", "error"))
    note = str(getattr(error, "note", "") or getattr(error, "message", ""))
    row = getattr(error, "row_number", None)
    field = getattr(error, "field_name", None) or None
    if field is None and getattr(error, "field_names", None):
        field = error.field_names[0]
    column = getattr(error, "field_number", None)
    label = getattr(error, "label", None)
    value: Any = getattr(error, "cell", None)
    detail = note or kind
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
