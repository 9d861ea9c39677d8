"""Where an import's rows go: sorted by id, as one CSV file or as Parquet parts.

``bilat fmt`` wants a record table's rows sorted by id (:func:`bilat.package.csv_bytes`);
an import writes them in that order without holding them: :class:`SortedRows` keeps
rows up to :data:`SORT_BUDGET` characters, sorts them and writes them to a run file
on disk, and merges the runs at the end (an external merge sort; 20 million
ICEWS-shaped rows make about 120 runs, read back together, 64 KiB of buffer each).

Up to :data:`PARQUET_ABOVE_ROWS` rows the table is one CSV file; above, Parquet parts
of :data:`PART_ROWS` rows, written :data:`ROW_GROUP_ROWS` at a time with
``pyarrow.parquet.ParquetWriter``: every column a string, null for an empty cell (the
CSV cell's text otherwise), as ``bilat validate`` reads Parquet
(docs/frictionless.md). ``--parquet`` and ``--csv`` choose either whatever the size.
"""

from __future__ import annotations

import csv
import heapq
import io
import re
import struct
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bilat.files import FileProblem, open_parquet, open_regular, parquet_batches

#: Above this many rows, a coded-event table is written as Parquet parts.
PARQUET_ABOVE_ROWS = 1_000_000
#: Rows in one Parquet part (the last part holds the rest).
PART_ROWS = 1_000_000
#: Rows in one Parquet row group: what the writer holds at once.
ROW_GROUP_ROWS = 50_000
#: Characters of rows (plus 120 a row for Python's bookkeeping) the sorter holds before
#: it writes them, sorted, to a run file.
SORT_BUDGET = 64 << 20

#: A run file's record: the row's index, then the lengths of its key and its line.
_HEAD = struct.Struct("<QII")

Entry = tuple[str, int, str]  # (id, row index, the row as a CSV line)


class SortedRows:
    """Rows given in any order, given back sorted by (id, index), in bounded memory."""

    def __init__(self, folder: Path, budget: int | None = None) -> None:
        self.folder = folder
        self.budget = SORT_BUDGET if budget is None else budget
        self.held: list[Entry] = []
        self.size = 0
        self.runs: list[Path] = []
        self.count = 0

    def add(self, key: str, index: int, line: str) -> None:
        self.held.append((key, index, line))
        self.size += len(key) + len(line) + 120
        self.count += 1
        if self.size >= self.budget:
            self._spill()

    def _spill(self) -> None:
        if not self.held:
            return
        self.held.sort()
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"run-{len(self.runs):05d}.bin"
        pack = _HEAD.pack
        with path.open("wb") as f:
            write = f.write
            for key, index, line in self.held:
                k = key.encode("utf-8", "surrogatepass")
                v = line.encode("utf-8", "surrogatepass")
                write(pack(index, len(k), len(v)))
                write(k)
                write(v)
        self.runs.append(path)
        self.held = []
        self.size = 0

    def seal(self) -> None:
        """Write the rows held to disk when earlier ones went there, so that their
        memory is free for what comes before the merge."""
        if self.runs:
            self._spill()

    def unordered(self) -> Iterator[Entry]:
        """Every row, in no particular order (a cheaper read than :meth:`ordered`)."""
        for run in self.runs:
            yield from _read_run(run)
        yield from self.held

    def ordered(self) -> Iterator[Entry]:
        """Every row, sorted by id (then by index)."""
        if not self.runs:
            self.held.sort()
            return iter(self.held)
        self._spill()
        return heapq.merge(*(_read_run(run) for run in self.runs))


def _read_run(path: Path) -> Iterator[Entry]:
    unpack, size = _HEAD.unpack, _HEAD.size
    with path.open("rb", buffering=1 << 16) as f:
        read = f.read
        while head := read(size):
            index, k, v = unpack(head)
            yield (
                read(k).decode("utf-8", "surrogatepass"),
                index,
                read(v).decode("utf-8", "surrogatepass"),
            )


_NEEDS_QUOTES = re.compile('[,"\r\n]')


def csv_line(cells: list[str]) -> str:
    """One CSV line as bilat writes it: a cell is quoted when it holds a comma, a quote
    or a line break (a lone carriage return included), LF ends the line."""
    search = _NEEDS_QUOTES.search
    return (
        ",".join(c if search(c) is None else '"' + c.replace('"', '""') + '"' for c in cells) + "\n"
    )


class _Last:
    """A file for ``csv.writer`` that keeps the last line written (one per row)."""

    __slots__ = ("text",)

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text = text
        return len(text)


class LineMaker:
    """Cells to a CSV line as bilat writes it (:func:`csv_line`), by the csv
    module (faster) unless a cell holds a lone carriage return, which it leaves
    unquoted."""

    def __init__(self) -> None:
        self._last = _Last()
        self._writer = csv.writer(self._last, lineterminator="\n")

    def __call__(self, cells: list[str]) -> str:
        if "\r" in "".join(cells):
            return csv_line(cells)
        self._writer.writerow(cells)
        return self._last.text


# -- writing the sorted rows -----------------------------------------------------------


def write_csv(path: Path, header: str, lines: Iterable[str]) -> int:
    """*header* and *lines* as the CSV file *path* (UTF-8, LF); how many lines."""
    written = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(header)
        write = f.write
        for line in lines:
            write(line)
            written += 1
    return written


def part_name(resource: str, number: int) -> str:
    return f"{resource}-{number:04d}.parquet"


def write_parquet(
    folder: Path,
    resource: str,
    columns: list[str],
    lines: Iterable[str],
    first: int = 1,
    *,
    empty: bool = True,
) -> list[str]:
    """*lines* (CSV lines of *columns*) as Parquet parts in *folder*, numbered from
    *first*; return their names. Each part holds :data:`PART_ROWS` rows (the last the
    rest), written a row group at a time; no lines make one empty part (no part
    unless *empty*)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, pa.string()) for c in columns])
    names: list[str] = []
    writer: Any = None
    in_part = 0
    batch: list[str] = []

    def flush() -> None:
        nonlocal writer, in_part
        if writer is None:
            names.append(part_name(resource, first + len(names)))
            writer = pq.ParquetWriter(folder / names[-1], schema)
        writer.write_table(_table(batch, columns, schema), row_group_size=ROW_GROUP_ROWS)
        in_part += len(batch)
        batch.clear()
        if in_part >= PART_ROWS:
            writer.close()
            writer, in_part = None, 0

    try:
        for line in lines:
            batch.append(line)
            if len(batch) >= min(ROW_GROUP_ROWS, PART_ROWS - in_part):
                flush()
        if batch or (empty and not names):
            flush()
    finally:
        if writer is not None:
            writer.close()
    return names


def _table(lines: list[str], columns: list[str], schema: Any) -> Any:
    """CSV *lines* as a pyarrow table of strings, an empty cell null (pyarrow's CSV
    reader, in C: the lines are bilat's own, quoted where a cell needs it)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if not lines:
        return schema.empty_table()
    data = "".join(lines).encode("utf-8")
    table = pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(
            column_names=columns, use_threads=False, block_size=max(1 << 20, len(data) + 1)
        ),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in columns},
            strings_can_be_null=True,
            null_values=[""],
        ),
    )
    if table.num_rows != len(lines):  # pragma: no cover - the lines are bilat's own
        raise ValueError(f"{len(lines)} lines became {table.num_rows} Parquet rows")
    return table


# -- reading a package's table back ----------------------------------------------------


def resource_layout(descriptor: dict[str, Any], name: str) -> tuple[str, list[str]] | None:
    """The format ("csv" or "parquet") and the file(s) of resource *name*, or None."""
    for res in descriptor.get("resources", []):
        if isinstance(res, dict) and res.get("name") == name:
            path = res.get("path")
            paths = (
                [path] if isinstance(path, str) else [p for p in path or [] if isinstance(p, str)]
            )
            fmt = str(res.get("format") or "csv").lower()
            return ("parquet" if fmt == "parquet" else "csv"), paths
    return None


def table_rows(folder: Path, fmt: str, paths: list[str], columns: list[str]) -> Iterator[list[str]]:
    """The rows of a table an import wrote, as cells of *columns* ("" for empty; a
    column the file lacks is empty). Of Parquet parts, only *columns* are read. A file
    that cannot be read as such a table (cut short, not UTF-8, a Parquet footer past
    the cap or a column that does not hold strings) is a :class:`FileProblem` that
    names it."""
    for rel in paths:
        file = folder.joinpath(*rel.split("/"))
        try:
            yield from (
                _parquet_rows(file, columns) if fmt == "parquet" else _csv_rows(file, columns)
            )
        except (FileProblem, OSError, ValueError, csv.Error) as exc:
            raise FileProblem(f"{file}: cannot read it ({exc})") from None


def _parquet_rows(file: Path, columns: list[str]) -> Iterator[list[str]]:
    import pyarrow as pa

    from bilat.validation.structure import not_strings

    try:
        parquet = open_parquet(file)
        wrong = not_strings(parquet.schema_arrow)
        if wrong:
            raise FileProblem(f"its columns {wrong} do not hold strings")
        names = [c for c in columns if c in parquet.schema_arrow.names]
        for batch in parquet_batches(parquet, ROW_GROUP_ROWS, columns=names):
            got = dict(zip(names, (c.to_pylist() for c in batch.columns), strict=True))
            empty = [None] * batch.num_rows
            for values in zip(*(got.get(c, empty) for c in columns), strict=True):
                yield ["" if v is None else v for v in values]
    except pa.ArrowException as exc:  # some are neither OSError nor ValueError
        raise FileProblem(str(exc)) from None


def _csv_rows(file: Path, columns: list[str]) -> Iterator[list[str]]:
    """Opened only if a regular file (a FIFO would block the read for ever), each cell
    capped as ``bilat validate`` caps it (:attr:`Limits.max_cell`)."""
    from bilat.limits import Limits

    old_limit = csv.field_size_limit(Limits().max_cell)
    try:
        with io.TextIOWrapper(open_regular(file), encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)  # a BOM, which validate allows (with a warning), skipped
            head = next(reader, [])
            where = [head.index(c) if c in head else None for c in columns]
            for cells in reader:
                yield ["" if i is None or i >= len(cells) else cells[i] for i in where]
    finally:
        csv.field_size_limit(old_limit)


__all__ = [
    "PARQUET_ABOVE_ROWS",
    "PART_ROWS",
    "ROW_GROUP_ROWS",
    "SORT_BUDGET",
    "LineMaker",
    "SortedRows",
    "csv_line",
    "resource_layout",
    "table_rows",
    "write_csv",
    "write_parquet",
]
