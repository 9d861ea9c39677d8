"""Validating the second half of a large CSV resource in a second process.

Layers 2 and 3 (structure and records) look at one row at a time, so the rows of
a large CSV file can be split between two processes; layers 4 and 5 need every id
and stay in the main process. The split falls on a record boundary: a newline
preceded by an even number of quote characters (RFC 4180 quoting), so a quoted
cell spanning lines is never cut. The worker writes its findings and, for each
valid row, only the fields the reference and rule checks read, to a temporary file
that the main process replays once it has finished the first half. If the worker
fails, the main process validates the second half itself.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bilat.findings import Finding
from bilat.models import RECORD_TYPES, reference_fields
from bilat.validation import records, structure
from bilat.validation.descriptor import ResourcePlan
from bilat.validation.rules import RULE_FIELDS

_BATCH = 20_000
#: Share of the file the main process validates itself (measured best at one half:
#: it also replays the worker's rows through layers 4 and 5, which costs less than
#: waiting for a worker given the larger share).
_HEAD_SHARE = 0.5
_DONE = "done"

#: One replayed row: its line, its id (None when unreadable) and, when the row is a
#: valid record, the field values the reference and rule checks read.
TailRow = tuple[int, str | None, dict[str, Any] | None]


def needed_fields(kind: str) -> tuple[str, ...]:
    """Fields of *kind* that layers 4 and 5 read."""
    refs = [f.name for f in reference_fields(RECORD_TYPES[kind])]
    return tuple(dict.fromkeys(["id", *refs, *RULE_FIELDS.get(kind, ())]))


def eligible(plan: ResourcePlan, limits: structure.Limits) -> bool:
    """Whether *plan* is worth splitting here: a large uncompressed CSV, two cores, fork."""
    if plan.fmt != "csv" or plan.compression or not sys.platform.startswith("linux"):
        return False
    if limits.parallel_min_bytes <= 0 or (os.cpu_count() or 1) < 2:
        return False
    try:
        return plan.file.stat().st_size >= limits.parallel_min_bytes
    except OSError:
        return False


def split(plan: ResourcePlan) -> tuple[structure.Part, structure.Part] | None:
    """Two parts of the file meeting at a record boundary near its middle, or None."""
    size = plan.file.stat().st_size
    with open(plan.file, "rb") as f:
        header_line = f.readline()
        if header_line.count(b'"') % 2:
            return None  # a header spanning lines: not worth the trouble
        text = header_line.decode("utf-8", errors="strict").lstrip("\ufeff")
        header = next(csv.reader(io.StringIO(text)), None)
        if not header or len(set(header)) != len(header):
            return None
        f.seek(0)
        quotes = newlines = 0
        left = max(len(header_line), int(size * _HEAD_SHARE))
        while left > 0:
            chunk = f.read(min(1 << 22, left))
            if not chunk:
                return None
            left -= len(chunk)
            quotes += chunk.count(b'"')
            newlines += chunk.count(b"\n")
        while True:
            line = f.readline()
            if not line:
                return None
            quotes += line.count(b'"')
            newlines += line.count(b"\n")
            if quotes % 2 == 0 and line.endswith(b"\n"):
                offset = f.tell()
                break
    if offset >= size:
        return None
    head = structure.Part(0, offset)
    tail = structure.Part(offset, None, first_line=newlines + 1, header=tuple(header))
    return head, tail


def _batches(
    plan: ResourcePlan, part: structure.Part, limits: structure.Limits
) -> Iterator[tuple[list[Finding], list[TailRow]]]:
    """Layers 2 and 3 over *part*, in batches of findings and compact rows."""
    findings: list[Finding] = []
    rows: list[TailRow] = []
    fields = needed_fields(plan.kind)
    check = records.checker(plan, findings.append)
    for row in structure.check_csv(plan, findings.append, None, limits, part):
        if isinstance(row, structure.RowId):
            rows.append((row.row, row.id, None))
        else:
            record = check(row)
            if record is None:
                bad = row.data.get("id")
                rows.append((row.row, bad if isinstance(bad, str) else None, None))
            else:
                values = record.__dict__
                rows.append((row.row, record.id, {k: values[k] for k in fields}))
        if len(rows) >= _BATCH:
            yield findings, rows
            findings, rows = [], []
            check = records.checker(plan, findings.append)
    yield findings, rows


def _worker(plan: ResourcePlan, part: structure.Part, limits: structure.Limits, out: str) -> None:
    import gc

    gc.disable()
    with open(out, "wb") as sink:
        for batch in _batches(plan, part, limits):
            pickle.dump(batch, sink, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(_DONE, sink, protocol=pickle.HIGHEST_PROTOCOL)


class Tail:
    """The second half of a resource, validated in a child process."""

    def __init__(self, plan: ResourcePlan, part: structure.Part, limits: structure.Limits) -> None:
        self.plan, self.part, self.limits = plan, part, limits
        fd, self.path = tempfile.mkstemp(prefix="bilat-tail-", suffix=".pickle")
        os.close(fd)
        context = multiprocessing.get_context("fork")
        self.process = context.Process(
            target=_worker, args=(plan, part, limits, self.path), daemon=True
        )
        self.process.start()
        #: True once the worker's results were used (False: the main process redid its work)
        self.used_worker = False

    def results(self) -> Iterator[tuple[list[Finding], list[TailRow]]]:
        """The worker's batches, in order; its work is redone here if it failed."""
        self.process.join()
        if self.process.exitcode == 0 and self._complete():
            self.used_worker = True
            with open(self.path, "rb") as f:
                while (batch := pickle.load(f)) != _DONE:
                    yield batch
            return
        yield from _batches(self.plan, self.part, self.limits)

    def _complete(self) -> bool:
        """Whether the worker's file ends with the done marker."""
        marker = pickle.dumps(_DONE, protocol=pickle.HIGHEST_PROTOCOL)
        with open(self.path, "rb") as f:
            f.seek(0, os.SEEK_END)
            if f.tell() < len(marker):
                return False
            f.seek(-len(marker), os.SEEK_END)
            return f.read() == marker

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        Path(self.path).unlink(missing_ok=True)
