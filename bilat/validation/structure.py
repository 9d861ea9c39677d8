"""Layer 2: each resource's bytes, header and cells match its Table Schema.

CSV is streamed row by row and rows are numbered by the physical line they start
on (header = 1). JSON resources are parsed strictly (UTF-8, no duplicate keys, no
NaN, bounded depth) and rows are numbered by their 1-based index in the array.

Every row that is not blank goes on to the records layer, with the fields whose
cells already failed here, so that one bad cell never hides another's defect.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import json
import math
import re
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import IO, Any, Protocol

from bilat.files import (
    PARQUET_BATCH_BYTES,
    FileProblem,
    FooterTooLarge,
    open_parquet,
    open_regular,
    parquet_batches,
)
from bilat.findings import CodeName, Finding
from bilat.limits import Limits
from bilat.tables import Column, columns
from bilat.validation.cells import CellProblem, parser
from bilat.validation.descriptor import ResourcePlan
from bilat.validation.dialect import SAMPLE_LINES, guess

_DEFAULT_LIMITS = Limits()

#: Deepest nesting a JSON resource may have: array > record > list field.
MAX_JSON_DEPTH = 3
#: Largest CSV cell accepted by default (see Limits.max_cell).
MAX_CELL = Limits.max_cell
#: Longest integer accepted, in digits (Python refuses to convert longer ones).
MAX_INT_DIGITS = 4000

Emit = Callable[[Finding | None], None]


@dataclass
class Row:
    """A row read by layer 2: where it is, its typed values (absent ones left out),
    and the fields whose cells layer 2 already reported."""

    row: int
    pointer: str | None
    data: dict[str, Any]
    #: 1-based CSV column of each field (shared by all rows of a resource).
    columns: dict[str, int] | None = None
    bad: frozenset[str] = frozenset()
    #: fields whose column the header lacks (shared by all rows of a resource)
    absent: frozenset[str] = frozenset()


_NONE: frozenset[str] = frozenset()


class _TooLarge(Exception):
    pass


class _Tap(io.RawIOBase):
    """A raw stream that counts and hashes the bytes read and fails past *cap*."""

    def __init__(self, inner: IO[bytes], cap: int, algorithm: str | None) -> None:
        self._inner = inner
        self._cap = cap
        self.count = 0
        self.digest = hashlib.new(algorithm) if algorithm else None
        self.last = b""  # the last byte read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        self.count += len(data)
        if self.count > self._cap:
            raise _TooLarge
        if data:
            self.last = data[-1:]
        if self.digest is not None:
            self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


# -- undecodable bytes ------------------------------------------------------------------
# Files are decoded with an error handler that keeps going (as surrogateescape does)
# and counts what it met, so a bad byte is reported on its row and reading goes on.
_BAD_BYTES = [0]


def _mark(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    _BAD_BYTES[0] += 1
    bad = error.object[error.start : error.end]
    return "".join(chr(0xDC00 + b) for b in bad), error.end


codecs.register_error("bilat.mark", _mark)
_ESCAPED = re.compile("[\udc80-\udcff]")


def _escaped_byte(text: str) -> str | None:
    m = _ESCAPED.search(text)
    if m is None:
        return None
    return f"byte 0x{ord(m.group()) - 0xDC00:02x} at character {m.start() + 1} of the cell"


class NumberedText(Protocol):
    """The lines of a CSV byte stream as an engine reads them for the row reader
    (see :mod:`bilat.validation.engines`): each comes with its physical line number,
    since the lines of blocks the engine validated itself are skipped."""

    #: the number of the last line handed out
    lineno: int
    #: rows the engine validated itself (the row reader never saw them)
    fast_rows: int

    def readline(self, limit: int, mid_record: bool = False) -> str: ...

    def enable(self, fast: Any, next_line: int, unread: list[str]) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class FastPath:
    """An engine's way through one CSV resource: *reader* opens the byte stream as
    numbered lines (called with the stream, the row cap and a progress tick), and
    *start* is called with the header once it is the Table Schema's; what it returns
    (None: nothing) is offered the blocks from there on (:meth:`NumberedText.enable`).
    """

    reader: Callable[[IO[bytes], int, Callable[[], None] | None], NumberedText]
    start: Callable[[list[str]], Any]


class _Lines:
    """The physical lines of a text stream, for csv.reader, with caps.

    Keeps the lines of the record being read (for the end-of-file quote check) and
    says whether any of them held an undecodable byte.
    """

    def __init__(
        self,
        text: IO[str] | NumberedText,
        max_row: int,
        first: list[str],
        bad_at_start: int,
        numbered: NumberedText | None = None,
    ) -> None:
        self._text = text
        self._max_row = max_row
        self._pending = first
        self.record: list[str] = []
        self.size = 0
        self.eof = False
        self._bad_at_start = bad_at_start
        self.escaped = False
        self.line = 0  # physical line number of the last line handed out
        self._numbered = numbered

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._pending:
            line = self._pending.pop(0)
            self.line += 1
        else:
            if self._numbered is not None:  # lines come with their numbers (columnar)
                line = self._numbered.readline(self._max_row, bool(self.record))
            else:
                line = self._text.readline(self._max_row)
            if not line:
                self.eof = True
                raise StopIteration
            self.line = self._numbered.lineno if self._numbered is not None else self.line + 1
        # the line joins its record first, so that a too-large row is reported on the
        # line it starts on (a line of the dialect sample is checked like any other)
        self.record.append(line)
        if len(line) >= self._max_row and line[-1] not in "\r\n":
            raise _RowTooLarge(f"a line is longer than {self._max_row} characters")
        self.size += len(line)
        if self.size > self._max_row:
            raise _RowTooLarge(f"a row is longer than {self._max_row} characters")
        if _BAD_BYTES[0] != self._bad_at_start and _ESCAPED.search(line):
            self.escaped = True
        return line

    def take_pending(self) -> list[str]:
        """The lines read ahead (the dialect sample) not yet handed out."""
        taken, self._pending = self._pending, []
        return taken

    def next_record(self) -> None:
        self.record.clear()
        self.size = 0
        self.escaped = False


class _RowTooLarge(Exception):
    pass


def _open(plan: ResourcePlan, limits: Limits) -> tuple[IO[bytes], _Tap]:
    raw = open_regular(plan.file)
    tap = _Tap(raw, limits.max_resource_bytes, plan.expect.hash_algorithm)
    stream: IO[bytes] = io.BufferedReader(tap, 1 << 16)
    if plan.compression:
        gz: IO[bytes] = gzip.GzipFile(fileobj=stream)  # type: ignore[assignment]
        stream = io.BufferedReader(_Tap(gz, limits.max_decompressed, None), 1 << 16)
    return stream, tap


def _drain(stream: IO[bytes]) -> None:
    while stream.read(1 << 20):
        pass


def check_expected(
    plan: ResourcePlan, tap: _Tap, fields: int | None, rows: int | None, emit: Emit
) -> None:
    """Compare what was read with the bytes, hash and counts the resource declares."""
    expect = plan.expect
    if expect.bytes is not None and expect.bytes != tap.count:
        emit(
            plan.finding(
                "bytes-mismatch",
                detail=f"the file has {tap.count} bytes, not the {expect.bytes} declared",
            )
        )
    if expect.hash_value is not None and tap.digest is not None:
        actual = tap.digest.hexdigest()
        if actual != expect.hash_value:
            emit(
                plan.finding(
                    "hash-mismatch",
                    detail=f"the file's {expect.hash_algorithm} is {actual}, not the {expect.hash_value} declared",
                )
            )
    counts = (("fields", expect.fields, fields), ("rows", expect.rows, rows))
    for what, declared, counted in counts:
        if declared is not None and counted is not None and counted != declared:
            emit(
                plan.finding(
                    "count-mismatch",
                    field=what,
                    detail=f"the table has {counted} {what}, not the {declared} declared",
                )
            )


def check_csv(
    plan: ResourcePlan,
    emit: Emit,
    progress: Callable[[int], None] | None = None,
    limits: Limits = _DEFAULT_LIMITS,
    fast: FastPath | None = None,
) -> Iterator[Row]:
    """Check a CSV resource; yield every row that is not blank.

    With *fast* (an engine's, such as the columnar engine's), the lines are read
    through it, and blocks of rows it validates itself are not yielded: only the
    rows it flags are.
    """
    # long: one generator frame owns the stream, the csv field-size limit and the engine's reader, and releases them in its finally
    cols = {c.name: c for c in columns(plan.kind, plan.version)}

    def find(code: CodeName, **kw: Any) -> None:
        emit(plan.finding(code, **kw))

    bad_at_start = _BAD_BYTES[0]
    try:
        stream, tap = _open(plan, limits)
    except FileProblem as exc:
        plan.incomplete = True
        find("not-a-regular-file", value=plan.path, detail=str(exc))
        return
    old_limit = csv.field_size_limit(limits.max_cell)
    reader: Any = None
    lines: _Lines | None = None
    complete = False
    header: list[str] | None = None
    data_rows = 0
    text: Any = None
    numbered: NumberedText | None = None
    try:
        try:
            head = stream.peek(3)[:3] if hasattr(stream, "peek") else b""
            if head == codecs.BOM_UTF8:
                find("byte-order-mark", row=1)
                stream.read(3)
            if fast is not None:
                tick = None if progress is None else (lambda: progress(tap.count))
                text = numbered = fast.reader(stream, limits.max_row, tick)
            else:
                text = io.TextIOWrapper(stream, encoding="utf-8", errors="bilat.mark", newline="")
            dialect = plan.dialect
            sample: list[str] = []
            first_part = not plan.parts or plan.file == plan.parts[0]
            if {"delimiter", "quoteChar", "skipInitialSpace"} - dialect.declared and first_part:
                # the resource's parts are one stream, sniffed once: at its first part
                max_line = limits.max_row
                ended = False
                while len(sample) < SAMPLE_LINES:
                    line = text.readline(max_line)
                    if not line:
                        ended = True
                        break
                    sample.append(line)
                    if len(line) >= max_line and line[-1] not in "\r\n":
                        break
                later = _later_lines(plan, limits, SAMPLE_LINES - len(sample)) if ended else []
                guessed = guess(sample + later, dialect)
                if guessed:
                    find(
                        "dialect-ambiguous",
                        field="dialect",
                        detail="Frictionless would guess "
                        + ", ".join(guessed)
                        + (
                            " for this file"
                            if not plan.parts
                            else " for the parts read as one stream"
                        )
                        + ", which the dialect does not declare",
                    )
            lines = _Lines(text, limits.max_row, sample, bad_at_start, numbered)
            reader = csv.reader(lines, **dialect.reader_options())
            header = _header(reader, lines, dialect, find)
            if header is None:
                plan.incomplete = True
                return
            checked = _check_header(header, cols, find)
            if checked is None or "id" not in checked:
                plan.incomplete = True
                return
            plain = header == list(cols) and dialect.plain and plan.current_columns
            if numbered is not None and fast is not None and plain:
                engine = fast.start(header)
                if engine is not None:
                    numbered.enable(engine, lines.line + 1, lines.take_pending())
            data_rows = yield from _body(
                plan, reader, lines, header, checked, cols, find, progress, tap, limits
            )
            complete = True
        except _RowTooLarge as exc:
            find("row-too-large", row=_record_start(lines), detail=str(exc))
        except _TooLarge:
            find(
                "compressed-too-large"
                if plan.compression and tap.count <= limits.max_resource_bytes
                else "file-too-large",
                detail=f"{plan.path} is larger than the cap "
                f"({limits.max_decompressed if plan.compression else limits.max_resource_bytes} bytes)",
            )
        except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
            find(
                "encoding-error",
                row=(lines.line if lines is not None else 0) + 1,
                detail=f"the compressed stream is corrupt ({exc})",
            )
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                why = f"a cell is longer than {limits.max_cell} characters"
            else:
                why = f"the row cannot be read as CSV ({exc})"
            find("row-too-large", row=_record_start(lines), detail=why)
        if not complete:  # reading stopped early: ids of the rest may be missing
            plan.incomplete = True
        if complete:
            try:
                _drain(stream)
            except (_TooLarge, OSError, EOFError, zlib.error):
                complete = False
            if complete:
                data_rows += numbered.fast_rows if numbered is not None else 0
                check_expected(plan, tap, len(header) if header else None, data_rows, emit)
                _check_part_end(plan, getattr(stream, "raw", tap), find)
    finally:
        csv.field_size_limit(old_limit)
        if text is not None and hasattr(text, "close"):
            text.close()  # the columnar reader's thread, before the stream it reads
        stream.close()


def _later_lines(plan: ResourcePlan, limits: Limits, wanted: int) -> list[str]:
    """The first *wanted* lines that follow the first part of *plan*'s resource in the
    stream Frictionless reads: its later parts, each without its first line (Frictionless
    drops it as the part's header), as far as they can be read."""
    out: list[str] = []
    for part in plan.parts[1:]:
        if len(out) >= wanted:
            break
        try:
            stream, _tap = _open(replace(plan, file=part), limits)
        except FileProblem:
            break  # the part reports it
        try:
            with stream:
                first = stream.readline(limits.max_row)
                if first[-1:] != b"\n":
                    if len(first) >= limits.max_row:
                        break  # a header line past the cap: the part reports it
                    continue  # the part is its header line alone
                text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
                while len(out) < wanted:
                    line = text.readline(limits.max_row)
                    if not line:
                        break
                    out.append(line)
                    if len(line) >= limits.max_row and line[-1] not in "\r\n":
                        return out
        except (_TooLarge, OSError, EOFError, zlib.error):
            break  # the part reports it
    return out


def _check_part_end(plan: ResourcePlan, read: Any, find: Callable[..., None]) -> None:
    """A CSV part before the last must end with a line break: the Data Package spec
    (and Frictionless) reads a resource's parts as one stream, so a last row without one
    runs into the next part's first line."""
    if (
        plan.parts
        and plan.file != plan.parts[-1]
        and getattr(read, "last", b"\n")
        not in (
            b"",
            b"\n",
            b"\r",
        )
    ):
        find(
            "table-error",
            value="this part's last row joined to the next part's first line",
            detail="the part does not end with a line break, and a resource's parts are "
            "read as one stream (Data Package spec); end the part with a line break",
        )


def _record_start(lines: _Lines | None) -> int:
    """The physical line the record being read starts on."""
    if lines is None:
        return 1
    return max(1, lines.line - len(lines.record) + 1)


def _header(
    reader: Any, lines: _Lines, dialect: Any, find: Callable[..., None]
) -> list[str] | None:
    """The header row, or None when the file has none (reported)."""
    comment_char = dialect.comment_char
    for cells in reader:
        escaped = lines.escaped
        lines.next_record()
        if comment_char and cells and cells[0].startswith(comment_char):
            continue
        if not cells or all(c == "" for c in cells):
            break
        if escaped:
            find("encoding-error", row=1, detail="in the header row")
            return None
        return list(cells)
    find("header-missing", row=1)
    return None


def _check_header(
    header: list[str], cols: dict[str, Column], find: Callable[..., None]
) -> dict[str, int] | None:
    """Report how *header* differs from the Table Schema's fields, in order.

    Returns the column of each known field when the rows can still be read by name
    (every name at most once), else None.
    """
    expected = list(cols)
    if header == expected:
        return {name: i for i, name in enumerate(header)}
    positions: dict[str, int] = {}
    usable = True
    for index, name in enumerate(header):
        if name.strip() == "":
            find("blank-header", row=1, column=index + 1, value=f"column {index + 1}")
        elif name in positions:
            find("duplicate-header", row=1, column=index + 1, field=name, value=name)
            usable = False
        elif name not in cols:
            find("extra-header", row=1, column=index + 1, field=name, value=name)
        else:
            positions[name] = index
    for name in expected:
        if name not in positions:
            find("missing-header", row=1, field=name)
    present = list(positions)
    wanted = [n for n in expected if n in positions]
    if present != wanted:
        index = next(i for i, (a, b) in enumerate(zip(present, wanted, strict=True)) if a != b)
        find(
            "header-mismatch",
            row=1,
            column=positions[present[index]] + 1,
            field=present[index],
            detail=f"column {present[index]!r} comes where the Table Schema has "
            f"{wanted[index]!r}: the columns are not in the schema's order",
        )
    return positions if usable else None


def _body(
    plan: ResourcePlan,
    reader: Any,
    lines: _Lines,
    header: list[str],
    positions: dict[str, int],
    cols: dict[str, Column],
    find: Callable[..., None],
    progress: Callable[[int], None] | None,
    tap: _Tap,
    limits: Limits,
) -> Generator[Row, None, int]:
    """Yield the rows; return how many data rows there were (as Frictionless counts)."""
    # long: the per-row hot loop of layer 2: its state stays in locals, a call per row would cost
    dialect = plan.dialect
    width = len(header)
    fields = [(name, index, parser(cols[name])) for name, index in positions.items()]
    canonical = header == list(cols)
    typed: list[tuple[str, Callable[[str], Any]]] = [
        (name, parse) for name, _index, parse in fields if parse is not None
    ]
    required = [name for name in positions if cols[name].required]
    absent = frozenset(name for name in cols if name not in positions)
    column_of = {name: index + 1 for name, index in positions.items()}
    comment_char, comment_rows, skip_blank = (
        dialect.comment_char,
        dialect.comment_rows,
        dialect.skip_blank_rows,
    )
    logical = 1  # Frictionless's row number: cell rows read, the header being 1
    data_rows = 0
    tick = 0
    for cells in reader:
        row = lines.line - len(lines.record) + 1  # the physical line the record starts on
        logical += 1
        escaped = lines.escaped
        if lines.eof and len(lines.record) and unterminated(lines.record, dialect):
            plan.incomplete = True
            find("unterminated-quote", row=row)
            lines.next_record()
            return data_rows
        lines.next_record()
        if progress is not None:
            tick += 1
            if tick % 8192 == 0:
                progress(tap.count)
        if comment_rows and logical in comment_rows:
            continue
        if comment_char and cells and cells[0].startswith(comment_char):
            continue
        blank = not any(cells)
        if blank and skip_blank:
            continue
        data_rows += 1
        if blank:
            find("blank-row", row=row)
            continue
        if canonical and len(cells) == width and not escaped:
            yield _whole_row(row, header, cells, typed, required, column_of, absent, find)
            continue
        bad: set[str] = set()
        if len(cells) != width:
            if len(cells) > width:
                find(
                    "extra-cell",
                    row=row,
                    column=width + 1,
                    value=cells[width],
                    detail=f"{len(cells)} cells; the header has {width}",
                )
            else:
                find(
                    "missing-cell",
                    row=row,
                    column=len(cells) + 1,
                    field=header[len(cells)] if header[len(cells)] in cols else None,
                    detail=f"{len(cells)} cells; the header has {width}",
                )
                bad.update(name for name, index in positions.items() if index >= len(cells))
        data: dict[str, Any] = {}
        n = len(cells)
        for name, index, parse in fields:
            if index >= n:
                continue
            raw = cells[index]
            if raw == "":
                continue
            if escaped:
                problem = _escaped_byte(raw)
                if problem is not None:
                    find("encoding-error", row=row, column=index + 1, field=name, detail=problem)
                    bad.add(name)
                    continue
            if parse is None:
                data[name] = raw
                continue
            try:
                data[name] = parse(raw)
            except CellProblem as problem:
                find(
                    problem.code,
                    row=row,
                    column=index + 1,
                    field=name,
                    value=raw,
                    detail=problem.detail,
                )
                bad.add(name)
        for name in required:
            if name not in data and name not in bad:
                find("required-error", row=row, column=column_of[name], field=name)
                bad.add(name)
        yield Row(row, None, data, column_of, frozenset(bad), absent)
    return data_rows


def _whole_row(
    row: int,
    header: list[str],
    cells: list[str],
    typed: list[tuple[str, Callable[[str], Any]]],
    required: list[str],
    column_of: dict[str, int],
    absent: frozenset[str],
    find: Callable[..., None],
) -> Row:
    """The common case, at C speed: the header is the schema's and the row is whole."""
    data: dict[str, Any] = {k: v for k, v in zip(header, cells) if v}  # noqa: B905
    bad: set[str] | None = None
    for name, parse in typed:
        raw = data.get(name)
        if raw is None:
            continue
        try:
            data[name] = parse(raw)
        except CellProblem as problem:
            find(
                problem.code,
                row=row,
                column=column_of[name],
                field=name,
                value=raw,
                detail=problem.detail,
            )
            del data[name]
            bad = bad or set()
            bad.add(name)
    for name in required:
        if name not in data and (bad is None or name not in bad):
            find("required-error", row=row, column=column_of[name], field=name)
            bad = bad or set()
            bad.add(name)
    return Row(row, None, data, column_of, _NONE if bad is None else frozenset(bad), absent)


def unterminated(record: list[str], dialect: Any) -> bool:
    """Whether the record's lines end inside a quoted cell (the file was cut short)."""
    if dialect.quotechar == "":
        return False
    options = {**dialect.reader_options(), "strict": True}
    try:
        for _ in csv.reader(record, **options):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


# -- JSON -----------------------------------------------------------------------------


class _Obj(dict[str, Any]):
    """A JSON object that remembers keys it saw twice."""

    duplicates: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> _Obj:
    obj = _Obj()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj:
            obj.duplicates.append(key)
        obj[key] = value
    return obj


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of *value*, stopping once past *limit*."""
    if limit < 0:
        return 1
    if isinstance(value, dict):
        return 1 + max((_depth(v, limit - 1) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v, limit - 1) for v in value), default=0)
    return 0


def _non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, list):
        return any(_non_finite(v) for v in value)
    return False


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(text)} digits is too long")
    return int(text)


def check_json(plan: ResourcePlan, emit: Emit, limits: Limits = _DEFAULT_LIMITS) -> Iterator[Row]:
    """Check a JSON resource; yield its records as rows."""
    # long: one generator frame owns the file and the caps, as check_csv

    def find(code: CodeName, **kw: Any) -> None:
        emit(plan.finding(code, **kw))

    try:
        with open_regular(plan.file) as f:
            tap = _Tap(f, limits.max_json_bytes, plan.expect.hash_algorithm)
            try:
                raw = io.BufferedReader(tap).read()
            except _TooLarge:
                plan.incomplete = True
                find(
                    "file-too-large",
                    detail=f"{plan.path} is larger than {limits.max_json_bytes} bytes, "
                    "the cap for JSON resources",
                )
                return
    except (FileProblem, OSError) as exc:
        plan.incomplete = True
        find("not-a-regular-file", value=plan.path, detail=str(exc))
        return
    if raw.startswith(codecs.BOM_UTF8):
        find("byte-order-mark", row=1)
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        plan.incomplete = True
        find("encoding-error", detail=f"{exc.reason} at byte {exc.start} (line {line})")
        return
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        plan.incomplete = True
        find("json-invalid", detail=f"{exc.msg} at line {exc.lineno}, column {exc.colno}")
        return
    except RecursionError:
        plan.incomplete = True
        find("json-too-deep", detail=str(MAX_JSON_DEPTH))
        return
    except ValueError as exc:
        plan.incomplete = True
        find("json-invalid", detail=str(exc))
        return
    if not isinstance(data, list):
        plan.incomplete = True
        find("json-not-array", pointer="")
        return
    check_expected(plan, tap, None, None, emit)
    for index, item in enumerate(data):
        row, pointer = index + 1, f"/{index}"
        if not isinstance(item, dict):
            plan.incomplete = True  # an item that is not a record may have been one
            find("json-not-object", row=row, pointer=pointer)
            continue
        bad: set[str] = set()
        for key in getattr(item, "duplicates", []):
            find("json-duplicate-key", row=row, pointer=f"{pointer}/{key}", field=key, value=key)
            bad.add(key)
        if _depth(item, MAX_JSON_DEPTH) > MAX_JSON_DEPTH - 1:
            plan.incomplete = True
            find("json-too-deep", row=row, pointer=pointer, detail=str(MAX_JSON_DEPTH))
            deep = {k for k, v in item.items() if isinstance(v, (dict, list)) and _depth(v, 2) > 1}
            bad.update(deep)
        for key, value in item.items():
            if key not in bad and _non_finite(value):
                find(
                    "type-error",
                    row=row,
                    pointer=f"{pointer}/{key}",
                    field=key,
                    value=str(value),
                    detail="a finite number (NaN and infinity are not JSON)",
                )
                bad.add(key)
        record = {k: v for k, v in item.items() if v is not None and k not in bad}
        yield Row(row, pointer, record, None, frozenset(bad))


#: Rows of a Parquet file read at once.
PARQUET_BATCH = 65536


def not_strings(schema: Any) -> list[str]:
    """The columns of the Arrow *schema* that do not hold strings: a Parquet part's
    columns must all hold them (as bilat writes them)."""
    import pyarrow as pa

    return [f.name for f in schema if f.type not in (pa.string(), pa.large_string())]


def check_parquet(
    plan: ResourcePlan,
    emit: Emit,
    limits: Limits = _DEFAULT_LIMITS,
    fast: FastPath | None = None,
) -> Iterator[Row]:
    """Check a Parquet resource (or part): its columns must be the Table Schema's, in
    order, each of strings (as bilat writes them: the CSV cell's text, null for an
    empty cell); yield its rows, numbered by their position in the file (1 for the
    first), each cell read as the CSV cell would be."""
    import pyarrow as pa

    def find(code: CodeName, **kw: Any) -> None:
        emit(plan.finding(code, **kw))

    try:
        with open_regular(plan.file) as f:
            tap = _Tap(f, limits.max_resource_bytes, plan.expect.hash_algorithm)
            try:
                _drain(io.BufferedReader(tap))
            except _TooLarge:
                plan.incomplete = True
                find("file-too-large", detail=f"{plan.path} is larger than the cap")
                return
        parquet = open_parquet(plan.file)
        header = list(parquet.schema_arrow.names)
    except FooterTooLarge as exc:
        plan.incomplete = True
        find("file-too-large", detail=f"{plan.path}: {exc}")
        return
    except FileProblem as exc:
        plan.incomplete = True
        find("not-a-regular-file", value=plan.path, detail=str(exc))
        return
    except (OSError, pa.ArrowException, UnicodeDecodeError) as exc:
        # damaged, not Parquet, or with a column name that is not UTF-8
        plan.incomplete = True
        why = f"a column name is not UTF-8 ({exc})" if isinstance(exc, UnicodeError) else ""
        find("parquet-unreadable", row=1, value=plan.path, detail=why or f"not Parquet: {exc}")
        return
    cols = {c.name: c for c in columns(plan.kind, plan.version)}
    if header != list(cols):
        plan.incomplete = True
        find("header-mismatch", row=1, detail=f"the Parquet columns are {header}, not {list(cols)}")
        return
    wrong = not_strings(parquet.schema_arrow)
    if wrong:
        plan.incomplete = True
        for name in wrong:
            find(
                "type-error",
                field=name,
                column=header.index(name) + 1,
                value=str(parquet.schema_arrow.field(name).type),
                detail="a string type: every Parquet column must hold strings",
            )
        return
    check_expected(plan, tap, len(header), parquet.metadata.num_rows, emit)
    block = None if fast is None else fast.start(header)
    yield from _parquet_body(plan, parquet, header, cols, block, find)


def _parquet_body(
    plan: ResourcePlan,
    parquet: Any,
    header: list[str],
    cols: dict[str, Column],
    block: Any,
    find: Callable[..., None],
) -> Iterator[Row]:
    """The rows of a Parquet file whose columns are the Table Schema's (see
    :func:`check_parquet`)."""
    typed = [(name, p) for name in cols if (p := parser(cols[name])) is not None]
    required = [name for name in cols if cols[name].required]
    column_of = {name: index + 1 for index, name in enumerate(cols)}
    rows = _parquet_rows(parquet, header, block)
    try:
        for number, cells, marks in rows:
            if marks is None:
                yield _whole_row(number, header, cells, typed, required, column_of, _NONE, find)
                continue
            # cells that were not UTF-8: reported, and read as empty (as a CSV cell's)
            for name, problem in marks.items():
                find(
                    "encoding-error",
                    row=number,
                    column=column_of[name],
                    field=name,
                    detail=f"a Parquet string cell: {problem}",
                )
                cells[column_of[name] - 1] = ""
            kept = [name for name in required if name not in marks]
            row = _whole_row(number, header, cells, typed, kept, column_of, _NONE, find)
            yield Row(number, None, row.data, column_of, row.bad | frozenset(marks), _NONE)
    except _UnreadableBatch as exc:  # a damaged page
        plan.incomplete = True
        find("parquet-unreadable", row=exc.row, value=plan.path, detail=exc.why())
    finally:
        rows.close()


class _UnreadableBatch(Exception):
    """The rows of a Parquet file from *row* on cannot be read (*error*): a damaged
    page, or a column that is not valid otherwise than by its UTF-8."""

    def __init__(self, row: int, error: BaseException) -> None:
        super().__init__(row, error)
        self.row = row
        self.error = error

    def why(self) -> str:
        """The error's text on one line, control characters escaped, at most 200."""
        text = " ".join(str(self.error).split())
        return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)[:200]


_NOT_UTF8 = re.compile(r"Invalid UTF8 sequence at string index (\d+)")


def parquet_batch_rows(parquet: Any) -> int:
    """The rows of a batch of the Parquet file *parquet* at most: PARQUET_BATCH, or
    fewer where its rows are long as the file stores them before compression, so that
    the few batches read ahead (see bilat.validation.engines.columnar.blocks) stay
    about PARQUET_BATCH_BYTES; :func:`bilat.files.parquet_batches` then fits each
    batch to the size its rows take once read."""
    metadata = parquet.metadata
    stored = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    per_row = stored // metadata.num_rows if metadata.num_rows else 0
    return max(1, min(PARQUET_BATCH, PARQUET_BATCH_BYTES // max(1, per_row)))


def _parquet_batches(parquet: Any, size: int) -> Iterator[list[Any]]:
    """The batches of the Parquet file *parquet* (at most *size* rows, and fitted to
    PARQUET_BATCH_BYTES by :func:`bilat.files.parquet_batches`), as columns of the CSV
    cells' text ("" for null). A batch that cannot be read (a damaged page) raises
    :class:`_UnreadableBatch`, wherever it is read. A batch with string cells that are
    not UTF-8 (pyarrow does not check) comes as a :class:`MarkedBatch`: those cells
    made text, and named, for the row engine to report and read every row of it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    batches = parquet_batches(parquet, size, budget=PARQUET_BATCH_BYTES)
    names = parquet.schema_arrow.names
    row = 0
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (OSError, pa.ArrowException) as exc:
            raise _UnreadableBatch(row + 1, exc) from exc
        columns = batch.columns
        bad = _not_utf8(names, columns)
        if bad is not None and bad[1] is None:  # a column not valid otherwise
            raise _UnreadableBatch(row + 1 + bad[0], bad[2]) from bad[2]
        row += batch.num_rows
        if bad is not None:
            marked = MarkedBatch(pc.fill_null(c, "") for c in _mark_not_utf8(names, columns))
            marked.bad_cells = _not_utf8_cells(names, columns)
            yield marked
        else:
            yield [pc.fill_null(c, "") for c in columns]


class MarkedBatch(list[Any]):
    """A Parquet batch (its columns) with string cells that were not UTF-8: those
    cells hold their text with U+FFFD for each bad byte, and :attr:`bad_cells` names
    them; an engine that reads batches in columns hands every row of it to the row
    engine, which reports them (see :func:`_parquet_body`)."""

    #: the index of each row with such cells in the batch -> its field -> the problem
    bad_cells: dict[int, dict[str, str]]


def _bad_columns(names: list[str], columns: list[Any]) -> Iterator[tuple[int, str]]:
    """The index and name of each column of a batch that is not valid UTF-8."""
    import pyarrow as pa

    for index, (name, column) in enumerate(zip(names, columns, strict=True)):
        try:
            column.validate(full=True)
        except pa.ArrowInvalid:
            yield index, name


def _raw_cells(column: Any) -> list[bytes | None]:
    import pyarrow as pa

    large = pa.types.is_large_string(column.type)
    cells: list[bytes | None] = column.view(pa.large_binary() if large else pa.binary()).to_pylist()
    return cells


def _not_utf8_cells(names: list[str], columns: list[Any]) -> dict[int, dict[str, str]]:
    """Each cell of a batch (*columns*) that is not UTF-8, by row index and field:
    which byte, as a CSV cell's is named."""
    out: dict[int, dict[str, str]] = {}
    for index, name in _bad_columns(names, columns):
        for i, raw in enumerate(_raw_cells(columns[index])):
            if raw is None:
                continue
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                problem = _escaped_byte(raw.decode("utf-8", "surrogateescape"))
                out.setdefault(i, {})[name] = problem or "bytes that are not UTF-8"
    return out


def _mark_not_utf8(names: list[str], columns: list[Any]) -> list[Any]:
    """*columns* with each column that is not UTF-8 decoded cell by cell, a bad byte
    replaced with U+FFFD."""
    import pyarrow as pa

    out = list(columns)
    for index, _name in _bad_columns(names, columns):
        cells = [
            None if raw is None else raw.decode("utf-8", "replace")
            for raw in _raw_cells(columns[index])
        ]
        out[index] = pa.array(cells, columns[index].type)
    return out


def _not_utf8(names: list[str], columns: list[Any]) -> tuple[int, str | None, BaseException] | None:
    """The first row of a batch (*columns*) with a cell that is not UTF-8: its index,
    the first such column and the error (None: every cell is text). A column that is
    not valid otherwise (its offsets, say) makes the whole batch unreadable: index 0,
    no column."""
    import pyarrow as pa

    first: tuple[int, str | None, BaseException] | None = None
    for name, column in zip(names, columns, strict=True):
        try:
            column.validate(full=True)
        except pa.ArrowInvalid as exc:
            found = _NOT_UTF8.search(str(exc))
            if found is None:
                return (0, None, exc)
            index = int(found.group(1))
            if first is None or index < first[0]:
                first = (index, name, exc)
    return first


def _parquet_rows(
    parquet: Any, header: list[str], block: Any
) -> Generator[tuple[int, list[str], dict[str, str] | None], None, None]:
    """The rows of the Parquet file *parquet* the row engine reads, numbered from 1,
    their cells as the CSV cells would be ("" for null), with the fields of those
    that were not UTF-8 (see :class:`MarkedBatch`; None: none): all of them, or when an
    engine's *block* validates each batch in columns, only those it hands on."""
    import pyarrow as pa

    size = parquet_batch_rows(parquet)
    batches = _parquet_batches(parquet, size)
    checked: Generator[tuple[list[Any], list[int] | None], None, None] = (
        ((b, None) for b in batches)
        if block is None
        else block.batches(batches, parquet.metadata.num_rows > size)
    )
    row = 0
    try:
        for columns_, wanted in checked:
            count = len(columns_[0]) if columns_ else 0
            marks = getattr(columns_, "bad_cells", {})
            if wanted is not None:
                columns_ = [c.take(pa.array(wanted, pa.int64())) for c in columns_]
                numbers: Iterable[int] = [row + 1 + i for i in wanted]
            else:
                numbers = range(row + 1, row + 1 + count)
            row += count
            cells_of = zip(*(c.to_pylist() for c in columns_), strict=True)
            for number, cells in zip(numbers, cells_of, strict=True):
                yield number, list(cells), marks.get(number - row - 1 + count)
    finally:
        checked.close()  # and with it the engine's reading thread, if it has one
