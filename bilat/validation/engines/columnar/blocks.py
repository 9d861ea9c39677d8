"""The columnar engine: layers 2 to 5 over whole blocks of a CSV resource at once.

The row engine (``structure.check_csv`` and the loop in ``bilat.validation``) stays
the reference and the driver. It reads its lines from a :class:`BlockText`, which
reads the file in blocks of bytes. Once the header is known to be the Table Schema's,
each block that starts on a record boundary is offered to :class:`Fast`:

1. pyarrow parses it, every column as a string. The block is refused (and its lines
   go to the row engine, as they are) unless every physical line is exactly one row:
   no quoted line break, no blank line, no lone carriage return, no bad UTF-8, no
   cell or line past the caps, no parse error.
2. The column checks (:mod:`bilat.validation.engines.columnar.columns`) flag each row a cell of which
   the model might refuse; so do record rules on the distinct combinations of the
   values they read, and ids seen twice (in the block or before it).
3. The rows nobody flagged are valid records: their ids are registered, their
   references checked and their dates noted for layer 5, a column at a time.
4. The flagged rows' lines go to the row engine, which reports exactly what is wrong.

So the findings, rows, fields and values are the row engine's by construction; the
differential tests in ``tests/test_columnar.py`` hold the two engines equal.
"""

from __future__ import annotations

import bisect
import contextlib
import queue
import re
import threading
from array import array
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from bilat.models import RECORD_TYPES, reference_fields
from bilat.validation.bulk import Collected
from bilat.validation.descriptor import ResourcePlan
from bilat.validation.dialect import Dialect
from bilat.validation.engines.columnar.columns import ColumnCheck, checks, rule_holds
from bilat.validation.records import INVALID
from bilat.validation.references import References
from bilat.validation.rules import RULE_FIELDS, SPAN_BITS, Rules
from bilat.validation.structure import unterminated

#: Bytes read per block (the first block, which holds the header, is smaller).
BLOCK_BYTES = 4 << 20
FIRST_BLOCK_BYTES = 64 << 10
#: Read, parse and check the next block on a second thread (the tests run both ways).
THREADED = True
#: Blocks parsed and checked at once (each is BLOCK_BYTES and its columns in memory).
WORKERS = 2

_PIECE = 1 << 16  # the raw reads of the row engine's buffered stream
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_PLAIN = Dialect()
_PARSE = pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=True)


class BlockText:
    """The lines of a CSV byte stream, numbered, for the row engine's line reader.

    Lines of blocks :class:`Fast` took are skipped, except those of flagged rows.
    Once the fast path is on and a table has more than one block, a thread reads,
    parses and checks the next block while this one is finished (pyarrow works outside
    the GIL); layers 4 and 5 and the row engine stay on the caller's thread, in order.
    """

    def __init__(
        self, stream: IO[bytes], max_row: int, progress: Callable[[], None] | None = None
    ) -> None:
        self._stream = stream
        self._max_row = max_row
        self._progress = progress
        self._buffer = b""
        self._eof = False
        self._error: BaseException | None = None
        self._first = True
        self._pending: deque[tuple[int, str]] = deque()
        self._next_line = 1  # number of the first line of the next block
        #: the blocks read ahead, each with its checks (once the thread has started)
        self._ahead: ReadAhead | None = None
        self._blocks: Iterator[tuple[bytes, Any]] | None = None
        self.lineno = 0  # number of the last line handed out
        self.fast: Fast | None = None
        #: rows the fast path validated (and so the row engine never saw)
        self.fast_rows = 0

    def readline(self, limit: int, mid_record: bool = False) -> str:
        while not self._pending:
            if not self._load(mid_record):
                if self._error is not None:
                    raise self._error
                return ""
        self.lineno, line = self._pending.popleft()
        if len(line) > limit:
            # as io.TextIOWrapper.readline: the rest comes next, and the row engine
            # counts it as a line (reading stops there: the row is too large)
            self._pending.appendleft((self.lineno + 1, line[limit:]))
            line = line[:limit]
        return line

    def enable(self, fast: Fast, next_line: int, unread: list[str]) -> None:
        """Offer the blocks from here on to *fast*, once the header has been read.

        Lines already read but not handed out (*unread*, then this reader's own) go
        back to bytes, so that they too are read in blocks; the first is *next_line*.
        """
        self.fast = fast
        rest = "".join(unread) + "".join(line for _n, line in self._pending)
        self._pending.clear()
        self._next_line = next_line
        self._buffer = rest.encode("utf-8", "surrogateescape") + self._buffer
        # the first block is read on this thread, and the reading thread starts only if
        # more follows (see _load): a small table would spend longer starting it and its
        # pool than reading here

    def _start(self) -> None:
        """Read, parse and check the blocks after this one on a thread of their own."""
        assert self.fast is not None
        self._ahead = ReadAhead(iter(self._raw_block, None), self.fast.prepare, "bilat-blocks")
        self._blocks = iter(self._ahead)

    def close(self) -> None:
        """Stop the reading thread (before the stream is closed)."""
        if self._ahead is not None:
            self._ahead.close()
            self._ahead = self._blocks = None

    def _read(self, size: int) -> bool:
        """Read about *size* more bytes, in the pieces the row engine reads too.

        A failure (a cap passed, a corrupt gzip stream) is kept until the lines read
        before it have been handed out, as the row engine would.
        """
        if self._error is not None:
            return False
        pieces = []
        got = 0
        try:
            while got < size:
                piece = self._stream.read1(_PIECE)  # type: ignore[attr-defined]
                if not piece:
                    self._eof = True
                    break
                pieces.append(piece)
                got += len(piece)
        except Exception as exc:  # raised again, in order, by readline
            self._error = exc
        self._buffer += b"".join(pieces)
        return got > 0

    def _raw_block(self) -> bytes | None:
        """The next block of whole lines (None at the end, or at a read failure)."""
        size = FIRST_BLOCK_BYTES if self._first else BLOCK_BYTES
        self._first = False
        if len(self._buffer) < size and not self._eof:
            self._read(size - len(self._buffer))
        cut = self._buffer.rfind(b"\n")
        # a line longer than a block: read on until it ends or passes the row cap
        while (
            cut < 0
            and not self._eof
            and self._error is None
            and len(self._buffer) <= self._max_row * 4
        ):
            seen = len(self._buffer)
            self._read(BLOCK_BYTES)
            cut = self._buffer.find(b"\n", seen)
        if not self._buffer:
            return None
        if self._error is not None:  # only whole lines were read before the failure
            if cut < 0:
                return None
            block, self._buffer = self._buffer[: cut + 1], b""
        elif self._eof or cut < 0:
            block, self._buffer = self._buffer, b""
        else:
            block, self._buffer = self._buffer[: cut + 1], self._buffer[cut + 1 :]
        return block

    def _load(self, mid_record: bool) -> bool:
        prepared: Any = _NOT_YET
        if self._blocks is not None:
            item = next(self._blocks, None)  # a failure of the thread is raised here
            if item is None:
                return False
            block, prepared = item
        else:
            found = self._raw_block()
            if found is None:
                return False
            block = found
            if THREADED and self.fast is not None and not self._eof and self._error is None:
                self._start()  # more follows the fast path's first block
        first = self._next_line
        flagged = None
        if self.fast is not None and not mid_record:
            flagged = self.fast.block(block, first, prepared)
        if flagged is None:
            text = block.decode("utf-8", "bilat.mark")
            lines = _LINE.findall(text)
            self._pending.extend(zip(range(first, first + len(lines)), lines, strict=True))
            self._next_line = first + len(lines)
        else:
            rows, count = flagged
            self.fast_rows += count - len(rows)
            self._next_line = first + count
            if rows:
                for i, raw in zip(rows, _lines_at(block, rows), strict=True):
                    self._pending.append((first + i, raw.decode("utf-8", "bilat.mark")))
        if self._progress is not None:
            self._progress()
        return True


class ReadAhead:
    """The items of an iterator, each with what *prepare* makes of it, read on a
    thread of their own (named *name*) and prepared on a small pool, a few ahead of
    the caller: a CSV file's blocks (:class:`BlockText`), a Parquet part's batches
    (:meth:`Fast.batches`). An exception raised by the iterator comes out where its
    item would have; :meth:`close` stops the thread."""

    def __init__(
        self, items: Iterator[Any], prepare: Callable[[Any], Any], name: str = "bilat-batches"
    ) -> None:
        self._items = items
        self._prepare = prepare
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=WORKERS)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name=name, daemon=True)
        self._thread.start()

    def _produce(self) -> None:
        pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="bilat-check")
        try:
            while not self._stop.is_set():
                try:
                    value = next(self._items)
                except StopIteration:
                    self._put(_END)
                    return
                if not self._put((value, pool.submit(self._prepare, value))):
                    return
        except BaseException as exc:  # raised on the caller's thread, in order
            self._put(_Failed(exc))
        finally:  # what was submitted and not yet started is not wanted any more
            pool.shutdown(wait=True, cancel_futures=self._stop.is_set())

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        while True:
            try:
                item = self._queue.get(timeout=0.1)
            except queue.Empty:
                if self._thread.is_alive():
                    continue
                item = self._queue.get_nowait() if not self._queue.empty() else None
                if item is None:  # pragma: no cover - the thread died without a word
                    raise RuntimeError("the thread reading ahead stopped") from None
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            value, future = item
            yield value, future.result()

    def close(self) -> None:
        self._stop.set()
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):  # make room for a put in progress
                while True:
                    self._queue.get_nowait()
            self._thread.join(0.01)


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()
_NOT_YET = object()


@dataclass
class Prepared:
    """A block parsed and checked: its columns and the rows the checks flagged."""

    cols: dict[str, pa.Array]
    count: int
    flags: pa.Array | None
    ids: list[str]
    #: per reference field, over unflagged rows: (ids named, the cell of each, the
    #: distinct ids), or None when no cell names any
    named: dict[str, tuple[pa.Array, pa.Array, list[str]] | None]
    #: packed span of each row (engagements; -1: none, or flagged)
    spans: pa.Array | None


def flag_rows(
    kind: str,
    cols: dict[str, pa.Array],
    longest: dict[str, int] | None = None,
    few: dict[str, bool] | None = None,
) -> pa.Array | None:
    """True for each row a column check or a record rule flags (None: no row).

    A row left unflagged is one the model accepts (the law the tests hold). *few*
    says which columns have few distinct values (see ColumnCheck.flag).
    """
    by_name = {c.name: c for c in checks(kind)}
    flags: pa.Array | None = None
    for check in by_name.values():
        flag = check.flag(
            cols[check.name],
            None if longest is None else longest[check.name],
            None if few is None else few.get(check.name),
        )
        if flag is not None:
            flags = flag if flags is None else pc.or_(flags, flag)
    for rule in RECORD_TYPES[kind].RULES:
        flag = _rule_flags(rule, cols, by_name)
        if flag is not None:
            flags = flag if flags is None else pc.or_(flags, flag)
    return flags


def _rule_flags(
    rule: Any, cols: dict[str, pa.Array], by_name: dict[str, ColumnCheck]
) -> pa.Array | None:
    """Rows whose values break *rule*, found on the distinct combinations."""
    encoded = [pc.dictionary_encode(cols[name]) for name in rule.reads]
    words = [enc.dictionary.to_pylist() for enc in encoded]
    key = None
    size = 1
    for enc, word in zip(encoded, words, strict=True):
        idx = pc.cast(enc.indices, pa.int64())
        key = idx if key is None else pc.add(pc.multiply(key, len(word)), idx)
        size *= len(word)
        if size > 1 << 62:  # pragma: no cover - too many combinations to encode
            return pa.array([True] * len(idx), pa.bool_())
    assert key is not None
    bad = []
    for combined in pc.unique(key).to_pylist():
        raws: list[str] = []
        rest = combined
        for word in reversed(words):
            raws.append(word[rest % len(word)])
            rest //= len(word)
        raws.reverse()
        if not rule_holds(rule, tuple(raws), by_name):
            bad.append(combined)
    if not bad:
        return None
    return pc.is_in(key, value_set=pa.array(bad, pa.int64()))


def _split(cells: pa.Array) -> pa.Array:
    """The ids of canonical list cells ``["a","b"]``, as a list array."""
    return pc.split_pattern(pc.utf8_slice_codeunits(cells, 2, -2), '","')


#: Bytes per stride of :func:`_lines_at`: a few dozen lines of 50 to 300 bytes. Measured
#: on 4 MB blocks of the benchmark's engagements: with 176 lines wanted a block (the
#: planted 6,000 in 1M rows), 2.1 ms against 3.0 ms at 16384 (short rows); with 2,000
#: wanted, 4.7 ms against 17.6 ms. (It is called only for a block with flagged rows.)
_STRIDE = 2048


def _lines_at(block: bytes, wanted: list[int]) -> list[bytes]:
    """Lines number *wanted* (0-based, ascending) of *block*, with their line breaks.

    Line breaks are counted per stride of bytes (in C) to find the stride a line
    starts in, then walked one by one from there.
    """
    starts = [0]  # lines before each stride
    for at in range(0, len(block), _STRIDE):
        starts.append(starts[-1] + block.count(b"\n", at, at + _STRIDE))
    out = []
    for i in wanted:
        # the last stride before which fewer than i line breaks come: line i's
        # start (just after the i-th line break) lies at or after it
        stride = bisect.bisect_left(starts, i) - 1
        if stride < 0:
            pos = 0
        else:
            line, pos = starts[stride], stride * _STRIDE
            while line < i:
                pos = block.index(b"\n", pos) + 1
                line += 1
        end = block.find(b"\n", pos)
        out.append(block[pos:] if end < 0 else block[pos : end + 1])
    return out


class Fast:
    """Validates whole blocks of one resource (see the module docstring)."""

    def __init__(
        self,
        plan: ResourcePlan,
        header: list[str],
        refs: References,
        rules: Rules,
        index: int,
        max_cell: int,
        max_row: int,
        keep: Collected | None = None,
    ) -> None:
        self.plan = plan
        #: when loading: the valid rows' cells and line numbers (see bilat.validation.bulk)
        self.keep = keep
        self.kind = plan.kind
        self.header = header
        self.refs = refs
        self.rules = rules
        self.index = index
        self.max_cell = max_cell
        self.max_row = max_row
        self.checks = checks(self.kind)
        self.by_name: dict[str, ColumnCheck] = {c.name: c for c in self.checks}
        self.model = RECORD_TYPES[self.kind]
        self.specs = [
            (f.name, f.kinds, frozenset(f.kinds), f.many) for f in reference_fields(self.model)
        ]
        self._read = pacsv.ReadOptions(column_names=header, block_size=1 << 22)
        self._convert = pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=True,
        )
        self._dates: dict[str, tuple[int, int] | None] = {}
        self.base = refs.key(index, 0)
        self._blocks = 0
        self._few: dict[str, bool] = {}
        #: the columns layers 4 and 5 read
        self.needed = {name for name, *_ in self.specs} | set(RULE_FIELDS.get(self.kind, ()))

    # -- one block ------------------------------------------------------------------

    def prepare(self, data: bytes) -> Prepared | None:
        """Parse and check the block of lines *data*, or None when the fast path
        cannot map its rows to its lines (it then goes to the row engine as it is).

        Reads nothing but the block: it may run on another thread.
        """
        if len(data) > self.max_row:
            return None
        if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
            return None  # a lone carriage return ends a line for the row engine
        count = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        try:
            table = pacsv.read_csv(
                pa.py_buffer(data),
                read_options=self._read,
                parse_options=_PARSE,
                convert_options=self._convert,
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowException):
            return None
        if table.num_rows != count or table.num_columns != len(self.header):
            return None
        # Each row took one line, so only the last can hold a line break: a quote it
        # left open at the end of the block (a record the block's end cuts in two)
        last = table.slice(count - 1).to_pylist()[0].values()
        if any("\n" in v or "\r" in v for v in last):
            return None
        tail = data[data.rfind(b"\n", 0, len(data) - 1) + 1 :]
        if b'"' in tail and unterminated([tail.decode("utf-8", "bilat.mark")], _PLAIN):
            return None  # the file ends inside a quoted cell
        cols = {name: table.column(name).combine_chunks() for name in self.header}
        del table
        return self.prepare_columns(cols, count)

    def prepare_columns(self, cols: dict[str, pa.Array], count: int) -> Prepared | None:
        """Check the block of *count* rows given as columns of raw cells (a CSV
        block parsed, or a batch of a Parquet file), or None when it must go to the
        row engine as it is (a cell past the cap)."""
        longest = {}
        for name, col in cols.items():
            longest[name] = size = pc.max(pc.binary_length(col)).as_py() or 0
            if size > self.max_cell and pc.max(pc.utf8_length(col)).as_py() > self.max_cell:
                return None  # the row engine stops there, as it must
        flags = self.flags(cols, longest)
        if flags is not None and not pc.any(flags).as_py():
            flags = None
        ids = cols["id"]
        keep = None if flags is None else pc.invert(flags)
        named = {name: self._named(cols[name], many, keep) for name, _k, _a, many in self.specs}
        spans = self._spans(cols, flags) if self.kind == "engagement" else None
        # a layer 4 that keeps its ids outside Python takes them as a column
        listed = [] if self.refs.deferred else ids.to_pylist()
        return Prepared(cols, count, flags, listed, named, spans)

    def flags(self, cols: dict[str, pa.Array], longest: dict[str, int]) -> pa.Array | None:
        """True for each row of the block that goes to the row engine (None: no row);
        *longest* is each column's longest cell in bytes. Another engine that reads
        blocks as this one does overrides this alone (see bilat.validation.engines.sql)."""
        self._blocks += 1
        if self._blocks % 16 == 1:  # which columns have few distinct values, again
            self._few = {
                c.name: c.few_values(cols[c.name]) for c in self.checks if c.mode != "exact"
            }
        return flag_rows(self.kind, cols, longest, self._few)

    @staticmethod
    def _named(
        col: pa.Array, many: bool, keep: pa.Array | None
    ) -> tuple[pa.Array, pa.Array, list[str]] | None:
        """The cells of a reference column that name ids in unflagged rows: (the
        cells, each one's row as its index in the block, the distinct ids named).

        Lists are split only as distinct cells here; which cell names an id is
        worked out later, and only for ids that are missing."""
        present = pc.not_equal(col, "")
        if keep is not None:
            present = pc.and_(present, keep)
        cells = pc.indices_nonzero(present)
        if len(cells) == 0:
            return None
        values = col.filter(present)
        distinct = pc.unique(values)
        if many:  # the canonical form of each cell was checked: split it
            distinct = pc.unique(pc.list_flatten(_split(distinct)))
        return values, cells, distinct.to_pylist()

    def columns(self, cols: dict[str, pa.Array], first: int) -> list[int] | None:
        """Validate the rows *cols* (columns of raw cells, "" for an empty cell)
        numbered from *first*: the indexes of the rows the row engine must read, or
        None for all of them (see :meth:`block`)."""
        count = len(cols[self.header[0]]) if self.header else 0
        done = self.block(b"", first, self.prepare_columns(cols, count))
        return None if done is None else done[0]

    #: Whether :meth:`batches` may check the batches after this one on other threads
    #: (an engine whose flags come in order from elsewhere says no).
    ahead = True

    def batches(
        self, batches: Iterator[list[pa.Array]], many: bool
    ) -> Iterator[tuple[list[pa.Array], list[int] | None]]:
        """Each batch of *batches* (a Parquet file's, as columns of raw cells in the
        header's order), in order, with what :meth:`columns` gives for it, the first
        row numbered 1. When there are *many* (more than one), a thread reads them and
        a small pool checks them (:meth:`prepare_columns`) ahead of the one being
        finished; layers 4 and 5 stay on the caller's thread, in order, as for the
        blocks of a CSV file. A batch with cells that are not UTF-8 (see
        bilat.validation.structure.MarkedBatch) goes whole to the row engine."""
        first = 1
        if not (many and THREADED and self.ahead):
            for batch in batches:
                if getattr(batch, "bad_cells", None):  # cells not UTF-8: every row to it
                    yield batch, None
                else:
                    yield batch, self.columns(dict(zip(self.header, batch, strict=True)), first)
                first += len(batch[0]) if batch else 0
            return
        ahead = ReadAhead(iter(batches), self._prepare_batch)
        try:
            for batch, prepared in ahead:
                done = self.block(b"", first, prepared)
                yield batch, None if done is None else done[0]
                first += len(batch[0]) if batch else 0
        finally:
            ahead.close()

    def _prepare_batch(self, batch: list[pa.Array]) -> Prepared | None:
        if getattr(batch, "bad_cells", None):  # cells not UTF-8: the row engine's
            return None
        return self.prepare_columns(
            dict(zip(self.header, batch, strict=True)), len(batch[0]) if batch else 0
        )

    def block(
        self, data: bytes, first: int, prepared: Any = _NOT_YET
    ) -> tuple[list[int], int] | None:
        """Validate the block of lines *data* whose first line is number *first*
        (*prepared* by :meth:`prepare`, if it was already).

        Returns the indexes of the flagged rows (for the row engine) and the number
        of rows; or None when the block must go to the row engine as it is.
        """
        if prepared is _NOT_YET:
            prepared = self.prepare(data)
        if prepared is None:
            return None
        cols, count, ids = prepared.cols, prepared.count, prepared.ids
        keyed, twice = self._ids(cols["id"], ids, first, count)
        flags = prepared.flags
        flagged: list[int] = [] if flags is None else pc.indices_nonzero(flags).to_pylist()
        if twice:
            again = pc.is_in(cols["id"], value_set=pa.array(sorted(twice), pa.string()))
            flags = again if flags is None else pc.or_(flags, again)
            flagged = pc.indices_nonzero(flags).to_pylist()
        if self.kind == "engagement":
            self._store_spans(prepared.spans, first, None if not twice else flags)
        if len(flagged) == count:
            return flagged, count
        if self.keep is not None:
            if flagged:
                picked = pc.indices_nonzero(pc.invert(flags))
                kept = {name: col.take(picked) for name, col in cols.items()}
                rows = pc.add(picked, first)
            else:
                # first, first + 1, ...: summed in Arrow (a Python range is slower)
                ones = pa.repeat(pa.scalar(1, pa.int64()), count)
                kept, rows = cols, pc.cumulative_sum(ones, start=first - 1)
            self.keep.blocks.append((pc.cast(rows, pa.int64()), kept))
        self._register(cols["id"], ids, keyed, first, flagged, flags)
        skip = set(flagged) if twice else None  # rows the checks did not flag, but layer 4
        self._references(prepared.named, first, skip)
        if self.kind in RULE_FIELDS:
            keep = None if flags is None else pc.invert(flags)
            rows = (
                pc.add(pa.array(range(count), pa.int64()), first)
                if keep is None
                else pc.add(pc.indices_nonzero(keep), first)
            )
            good = (
                cols
                if keep is None
                else {n: c.filter(keep) for n, c in cols.items() if n in self.needed}
            )
            self._rules(good, rows)
        return flagged, count

    def _ids(
        self, col: pa.Array, ids: list[str], first: int, count: int
    ) -> tuple[dict[str, int], set[str]]:
        """Each id of the block with its record's key (none for a layer 4 that finds
        ids taken twice at the end, from the column), and the ids the row engine must
        register: taken twice, or the subject of a claim."""
        if self.refs.deferred:
            return {}, self._claimed(col)
        base = self.base | first
        keyed = dict(zip(ids, range(base, base + count), strict=True))
        return keyed, self._duplicates(col, ids, keyed)

    def _register(
        self,
        col: pa.Array,
        ids: list[str],
        keyed: dict[str, int],
        first: int,
        flagged: list[int],
        flags: pa.Array | None,
    ) -> None:
        """Layer 4 takes the ids of the rows the row engine does not read."""
        if self.refs.deferred:
            valid = (
                pc.indices_nonzero(pc.invert(flags))
                if flagged and flags is not None
                else pa.array(range(len(col)), pa.int64())
            )
            rows = pc.add(pc.cast(valid, pa.int64()), first)
            self.refs.add_column(self.index, col.take(valid), rows)
            return
        for i in flagged:  # ids are unique to their rows (see _duplicates)
            keyed.pop(ids[i], None)
        self.refs.add(self.index, keyed)

    def _claimed(self, col: pa.Array) -> set[str]:
        """The ids of the block that claims are about: the row engine hands layer 5
        their values."""
        if not self.rules.claimed:
            return set()
        claimed = pa.array(sorted(self.rules.claimed), pa.string())
        return set(col.filter(pc.is_in(col, value_set=claimed)).to_pylist())

    def _duplicates(self, col: pa.Array, ids: list[str], keyed: dict[str, int]) -> set[str]:
        """Ids taken twice in the block or seen before: the row engine registers
        their rows, in order. (An empty id is flagged by its check.)"""
        twice = self.refs.taken(keyed)
        if len(keyed) != len(ids):  # some id is on more than one row of the block
            counts = pc.value_counts(col)
            more = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
            twice.update(more.to_pylist())
        if self.rules.claimed:  # claimed records: the row engine hands layer 5 their values
            twice.update(self.rules.claimed.keys() & keyed.keys())
        twice.discard("")
        return twice

    # -- layers 4 and 5 on valid rows -------------------------------------------------

    def _references(
        self,
        named: dict[str, tuple[pa.Array, pa.Array, list[str]] | None],
        first: int,
        skip: set[int] | None,
    ) -> None:
        """Check the ids the block's valid rows name (rows in *skip* aside)."""
        refs = self.refs
        for name, kinds, allowed, many in self.specs:
            found = named[name]
            if found is None:
                continue
            values, cells, distinct = found
            missing = distinct if refs.deferred else refs.unresolved(allowed, distinct)
            if not missing:
                continue
            if many:  # one value per id named, with its cell
                lists = _split(values)
                cells = pc.take(cells, pc.list_parent_indices(lists))
                values = pc.list_flatten(lists)
            if not refs.deferred:
                hits = pc.indices_nonzero(
                    pc.is_in(values, value_set=pa.array(missing, pa.string()))
                )
                values, cells = pc.take(values, hits), pc.take(cells, hits)
            if skip is not None:
                keep = pc.invert(pc.is_in(cells, value_set=pa.array(sorted(skip), pa.int64())))
                values, cells = values.filter(keep), cells.filter(keep)
            rows = pc.add(pc.cast(cells, pa.int64()), first)
            refs.check_targets(values, rows, kinds, self.index, name)

    def _rules(self, cols: dict[str, pa.Array], rows: pa.Array) -> None:
        kind = self.kind
        if kind == "engagement":
            self._engagements(cols, rows)
            return
        reads = RULE_FIELDS.get(kind)
        if reads is None:
            return
        observe, plan, base = self.rules.observe, self.plan, self.refs.key(self.index, 0)
        names = [n for n in reads if n in cols]
        lists = [cols[n].to_pylist() for n in names]
        typed = [self.by_name[n].typed for n in names]
        for row, *raws in zip(rows.to_pylist(), *lists, strict=True):
            values = {n: t(r) for n, t, r in zip(names, typed, raws, strict=True)}
            observe(plan, row, kind, values, True, base | row)

    def _spans(self, cols: dict[str, pa.Array], flags: pa.Array | None) -> pa.Array:
        """The span of each dated engagement of the block, by row (-1: none).

        Flagged rows get theirs, if any, from the row engine.
        """
        start, end = cols["start"], cols["end"]
        lo = self._ordinals(start, 0)
        hi = self._ordinals(pc.if_else(pc.equal(end, ""), start, end), 1)
        spans = pc.add(pc.shift_left(lo, SPAN_BITS), hi)
        if flags is not None:
            spans = pc.if_else(flags, None, spans)
        return pc.fill_null(spans, -1)

    def _store_spans(self, spans: pa.Array, first: int, flags: pa.Array | None) -> None:
        if flags is not None:  # rows flagged for their id: the row engine has them
            spans = pc.if_else(flags, -1, spans)
        packed = array("q")
        packed.frombytes(
            spans.buffers()[1].to_pybytes()[spans.offset * 8 : (spans.offset + len(spans)) * 8]
        )
        self.rules.span_blocks.append(self.refs.key(self.index, first), packed)

    def _engagements(self, cols: dict[str, pa.Array], rows: pa.Array) -> None:
        """Engagements in columns: spans are done (see _spans); a parent or
        capacities are checked row by row."""
        base = self.refs.key(self.index, 0)
        needs = pc.or_(pc.not_equal(cols["part_of"], ""), pc.not_equal(cols["capacities"], ""))
        if not pc.any(needs).as_py():
            return
        names = RULE_FIELDS["engagement"]
        picked = {n: cols[n].filter(needs).to_pylist() for n in names}
        observe, plan = self.rules.observe, self.plan
        for i, row in enumerate(rows.filter(needs).to_pylist()):
            values = {n: self.by_name[n].typed(picked[n][i]) for n in names}
            observe(plan, row, "engagement", values, True, base | row)

    def _ordinals(self, col: pa.Array, which: int) -> pa.Array:
        """The first (*which* 0) or last (1) day of each partial date, as an ordinal."""
        distinct = pc.unique(col)
        out = []
        check = self.by_name["start"]
        for raw in distinct.to_pylist():
            found = self._dates.get(raw, ())
            if found == ():
                value = check.typed(raw)
                found = (
                    None
                    if value is None or value is INVALID
                    else (value.earliest.toordinal(), value.latest.toordinal())
                )
                if len(self._dates) > 100_000:
                    self._dates.clear()
                self._dates[raw] = found
            out.append(None if found is None else found[which])
        return pc.take(pa.array(out, pa.int64()), pc.index_in(col, value_set=distinct))
