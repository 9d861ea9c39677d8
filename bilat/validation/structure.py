"""Layer 2: each resource's bytes, header and cells match its Table Schema.

CSV is streamed row by row and rows are numbered by the physical line they start
on (header = 1). JSON resources are parsed strictly (UTF-8, no duplicate keys, no
NaN, bounded depth) and rows are numbered by their 1-based index in the array.
Rows that pass are handed on, typed, to the records layer.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from bilat.findings import Finding
from bilat.tables import columns
from bilat.validation.cells import CellProblem, parser
from bilat.validation.descriptor import ResourcePlan


@dataclass(frozen=True)
class Limits:
    """Caps that keep hostile input from exhausting memory or disk."""

    #: Largest decompressed size of a compressed resource.
    max_decompressed: int = 512 << 20
    #: Largest JSON resource (it is parsed whole).
    max_json_bytes: int = 512 << 20
    #: CSV resources at least this large are split between two processes
    #: (see bilat.validation.parallel); 0 disables splitting.
    parallel_min_bytes: int = 48 << 20


#: Deepest nesting a JSON resource may have: array > record > list field.
MAX_JSON_DEPTH = 3
#: Largest CSV cell accepted (texts are capped at 20,000 characters by the models).
MAX_CELL = 1 << 20

Emit = Callable[[Finding], None]

#: Codes after which a resource's ids may be incomplete (rows were not read).
INCOMPLETE = frozenset(
    {
        "encoding-error",
        "compressed-too-large",
        "file-too-large",
        "header-missing",
        "blank-header",
        "duplicate-header",
        "missing-header",
        "extra-header",
        "json-invalid",
        "json-not-array",
        "not-a-regular-file",
        "json-not-object",
        "json-too-deep",
    }
)


@dataclass
class Row:
    """A row that passed layer 2: where it is, and its typed values (None left out)."""

    row: int
    pointer: str | None
    data: dict[str, Any]
    #: 1-based CSV column of each field (shared by all rows of a resource).
    columns: dict[str, int] | None = None


@dataclass
class RowId:
    """The id of a row that failed layer 2, kept so references to it still resolve."""

    row: int
    id: str


class _CappedReader(io.RawIOBase):
    """A raw stream that fails once more than *cap* bytes have been read."""

    def __init__(self, inner: IO[bytes], cap: int) -> None:
        self._inner = inner
        self._cap = cap
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        self.count += len(data)
        if self.count > self._cap:
            raise _TooLarge
        buffer[: len(data)] = data
        return len(data)


class _TooLarge(Exception):
    pass


def _first_bad_line(
    plan: ResourcePlan, limits: Limits, skip: int, first_line: int = 1
) -> tuple[int, str]:
    """Find the first physical line that is not valid UTF-8, reading the file again.

    The fast path decodes in large chunks, which loses the line number; this slow
    path runs only after a decoding error.
    """
    with _open_bytes(plan, limits.max_decompressed) as stream:
        stream.read(skip)
        for number, raw in enumerate(stream, first_line):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                byte = raw[exc.start]
                return number, f"{exc.reason} (byte 0x{byte:02x} at column {exc.start + 1})"
    return 1, "invalid UTF-8"  # pragma: no cover - the fast path found an error


def _open_bytes(plan: ResourcePlan, cap: int) -> IO[bytes]:
    raw: IO[bytes] = open(plan.file, "rb")  # noqa: SIM115 - closed by the caller
    if plan.compression:
        gz: IO[bytes] = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
        return io.BufferedReader(_CappedReader(gz, cap), 1 << 16)
    return raw


@dataclass(frozen=True)
class Part:
    """A byte range of a CSV file that starts and ends on record boundaries.

    ``first_line`` is the physical line number of the range's first line; a part
    that does not start at 0 reuses the ``header`` read from the file's start.
    """

    start: int
    stop: int | None
    first_line: int = 1
    header: tuple[str, ...] | None = None


class _Window(io.RawIOBase):
    """A raw stream over bytes [start, stop) of a file."""

    def __init__(self, path: Any, start: int, stop: int | None) -> None:
        self._file = open(path, "rb", buffering=0)  # noqa: SIM115 - closed in close()
        self._file.seek(start)
        self._left = None if stop is None else stop - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        want = len(buffer) if self._left is None else min(len(buffer), self._left)
        if want <= 0:
            return 0
        data = self._file.read(want)
        buffer[: len(data)] = data
        if self._left is not None:
            self._left -= len(data)
        return len(data)

    def close(self) -> None:
        self._file.close()
        super().close()


def check_csv(
    plan: ResourcePlan,
    emit: Emit,
    progress: Callable[[int], None] | None = None,
    limits: Limits = Limits(),
    part: Part | None = None,
) -> Iterator[Row | RowId]:
    """Check a CSV resource, or one *part* of it; yield good rows and the ids of bad ones."""
    cols = {c.name: c for c in columns(plan.kind)}
    parsers = {name: parser(c) for name, c in cols.items()}

    def find(code: str, **kw: Any) -> None:
        emit(plan.finding(code, **kw))

    try:
        if part is None:
            stream = _open_bytes(plan, limits.max_decompressed)
        else:
            stream = io.BufferedReader(_Window(plan.file, part.start, part.stop), 1 << 16)
    except OSError as exc:
        find("not-a-regular-file", value=plan.path, detail=exc.strerror or str(exc))
        return
    has_bom = False
    line_offset = 0 if part is None else part.first_line - 1
    try:
        if part is None or part.start == 0:
            try:
                head = stream.peek(3)[:3] if hasattr(stream, "peek") else b""
            except (OSError, EOFError, gzip.BadGzipFile) as exc:
                find("encoding-error", row=1, detail=f"the compressed stream is corrupt ({exc})")
                return
            has_bom = head == codecs.BOM_UTF8
            if has_bom:
                find("byte-order-mark", row=1)
                stream.read(3)
        text = io.TextIOWrapper(stream, encoding="utf-8", errors="strict", newline="")
        reader = csv.reader(text, strict=False)
        try:
            if part is not None and part.header is not None:
                given = list(part.header)
                yield from _rows(
                    plan, reader, given, cols, parsers, find, progress, stream, line_offset, True
                )
                return
            header = next(reader, None)
            if header is None or header == []:
                find("header-missing", row=1)
                return
            yield from _rows(plan, reader, header, cols, parsers, find, progress, stream)
        except UnicodeDecodeError:
            start = 0 if part is None else part.start
            line, detail = _first_bad_line(plan, limits, 3 if has_bom else start, line_offset + 1)
            find("encoding-error", row=line, detail=detail)
        except _TooLarge:
            find(
                "compressed-too-large",
                detail=f"{plan.path} expands to more than {limits.max_decompressed} bytes",
            )
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            find(
                "encoding-error",
                row=reader.line_num + 1 + line_offset,
                detail=f"the compressed stream is corrupt ({exc})",
            )
        except csv.Error as exc:
            find(
                "type-error",
                row=reader.line_num + line_offset,
                value="(row)",
                detail=f"readable CSV ({exc})",
            )
    finally:
        stream.close()


def _rows(
    plan: ResourcePlan,
    reader: Any,
    header: list[str],
    cols: dict[str, Any],
    parsers: dict[str, Callable[[str], Any] | None],
    find: Callable[..., None],
    progress: Callable[[int], None] | None,
    stream: IO[bytes],
    line_offset: int = 0,
    header_checked: bool = False,
) -> Iterator[Row | RowId]:
    if not header_checked and not _header_usable(header, cols, find):
        return
    yield from _body(reader, header, cols, parsers, find, progress, stream, line_offset)


def _header_usable(header: list[str], cols: dict[str, Any], find: Callable[..., None]) -> bool:
    usable = True
    seen: set[str] = set()
    for index, name in enumerate(header, 1):
        if name.strip() == "":
            find("blank-header", row=1, column=index, value=f"column {index}")
            usable = False
        elif name in seen:
            find("duplicate-header", row=1, column=index, field=name, value=name)
            usable = False
        elif name not in cols:
            find("extra-header", row=1, column=index, field=name, value=name)
            usable = False
        seen.add(name)
    for name, col in cols.items():
        if name not in seen and col.required:
            find("missing-header", row=1, field=name)
            usable = False
    return usable


def _body(
    reader: Any,
    header: list[str],
    cols: dict[str, Any],
    parsers: dict[str, Callable[[str], Any] | None],
    find: Callable[..., None],
    progress: Callable[[int], None] | None,
    stream: IO[bytes],
    line_offset: int,
) -> Iterator[Row | RowId]:
    width = len(header)
    typed = [(name, parse) for name in header if (parse := parsers[name]) is not None]
    required = [name for name in header if cols[name].required]
    id_index = header.index("id") if "id" in header else None
    positions = {name: i + 1 for i, name in enumerate(header)}
    start = reader.line_num + 1 + line_offset
    tick = 0
    for cells in reader:
        row = start
        start = reader.line_num + 1 + line_offset
        if progress is not None:
            tick += 1
            if tick % 8192 == 0:
                progress(stream.tell() if hasattr(stream, "tell") else 0)
        ok = True
        if len(cells) != width:
            if not cells:
                find("blank-row", row=row)
                continue
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
                    field=header[len(cells)],
                    detail=f"{len(cells)} cells; the header has {width}",
                )
            ok = False
        # empty cells are absent values: leave them out so model defaults apply
        data: dict[str, Any] = {k: v for k, v in zip(header, cells) if v}  # noqa: B905
        if not data:
            if ok:
                find("blank-row", row=row)
            continue
        for name in required:
            if name not in data:
                find("required-error", row=row, column=positions[name], field=name)
                ok = False
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
                    column=positions[name],
                    field=name,
                    value=raw,
                    detail=problem.detail,
                )
                ok = False
        if ok:
            yield Row(row, None, data, positions)
        elif id_index is not None and "id" in data:
            yield RowId(row, data["id"])


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


def check_json(plan: ResourcePlan, emit: Emit, limits: Limits = Limits()) -> Iterator[Row | RowId]:
    """Check a JSON resource; yield its records as rows."""

    def find(code: str, **kw: Any) -> None:
        emit(plan.finding(code, **kw))

    try:
        size = plan.file.stat().st_size
        if size > limits.max_json_bytes:
            find(
                "file-too-large",
                detail=f"{plan.path} has {size} bytes; JSON resources are capped at {limits.max_json_bytes}",
            )
            return
        raw = plan.file.read_bytes()
    except OSError as exc:
        find("not-a-regular-file", value=plan.path, detail=exc.strerror or str(exc))
        return
    if raw.startswith(codecs.BOM_UTF8):
        find("byte-order-mark", row=1)
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        find("encoding-error", detail=f"{exc.reason} at byte {exc.start} (line {line})")
        return
    try:
        data = json.loads(text, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        find("json-invalid", detail=f"{exc.msg} at line {exc.lineno}, column {exc.colno}")
        return
    except RecursionError:
        find("json-too-deep", detail=str(MAX_JSON_DEPTH))
        return
    if not isinstance(data, list):
        find("json-not-array", pointer="")
        return
    for index, item in enumerate(data):
        row, pointer = index + 1, f"/{index}"
        if not isinstance(item, dict):
            find("json-not-object", row=row, pointer=pointer)
            continue
        ok = True
        for key in getattr(item, "duplicates", []):
            find("json-duplicate-key", row=row, pointer=f"{pointer}/{key}", field=key, value=key)
            ok = False
        if _depth(item, MAX_JSON_DEPTH) > MAX_JSON_DEPTH - 1:
            find("json-too-deep", row=row, pointer=pointer, detail=str(MAX_JSON_DEPTH))
            ok = False
            item = {
                k: v
                for k, v in item.items()
                if not isinstance(v, (dict, list)) or _depth(v, 2) <= 1
            }
        for key, value in item.items():
            if _non_finite(value):
                find(
                    "type-error",
                    row=row,
                    pointer=f"{pointer}/{key}",
                    field=key,
                    value=str(value),
                    detail="a finite number (NaN and infinity are not JSON)",
                )
                ok = False
        record = {k: v for k, v in item.items() if v is not None}
        if ok:
            yield Row(row, pointer, dict(record))
        elif isinstance(record.get("id"), str):
            yield RowId(row, record["id"])
