"""The spark engine's session and its block reader (see the package docstring)."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import stat
import threading
import weakref
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pyarrow as pa

from bilat.files import FileProblem, open_parquet
from bilat.validation.engines.spark.flags import flagging
from bilat.validation.engines.spark.masters import (
    DEFAULT_MASTER,
    chosen,
    connect,
    shown,
    submitted,
    without_pandas_warning,
)
from bilat.validation.engines.spark.rows import ROW, parquet_cells
from bilat.validation.engines.sql.compile import SqlFast
from bilat.validation.structure import not_strings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_LOCK = threading.Lock()


def session(name: str | None = None) -> SparkSession:
    """The Spark session on the master *name* (default: the one chosen, see
    :mod:`.masters`): for a Spark Connect URL, a session of this process's own on that
    server; else the running session when nothing names a master, when it runs on
    the master named, or under ``spark-submit``; else one made here."""
    without_pandas_warning()
    from pyspark.sql import SparkSession

    explicit = name or chosen()
    name = explicit or DEFAULT_MASTER
    with _LOCK:
        if connect(name):
            if name not in _CONNECTED:  # no call to the server yet (see refused)
                _CONNECTED[name] = SparkSession.builder.remote(name).create()
            return _CONNECTED[name]
        active = SparkSession.getActiveSession()
        if active is not None:
            running = active.conf.get("spark.master", None)
            if explicit is None or running == name or submitted():
                return active
            raise RuntimeError(f"this process already runs Spark on {running}, not {name}")
        builder = SparkSession.builder.appName("bilat")
        if not submitted():  # under spark-submit: its --master
            builder = builder.master(name)
        made = (
            builder.config("spark.ui.showConsoleProgress", "false")
            .config("spark.log.level", "ERROR")
            .getOrCreate()
        )
        local = (made.conf.get("spark.master", "") or "").startswith("local")
        if local and made.conf.get(_SHUFFLE) == _SHUFFLE_DEFAULT:
            # one machine: 200 shuffle tasks cost more than they spread (layer 4's joins
            # took 57 s at 1M rows with them, 34 s with 4); a value set by the user stays
            made.conf.set(_SHUFFLE, str(4 * (os.cpu_count() or 1)))
        _MADE.append(made)
        return made


def refused(name: str) -> str | None:
    """Why the Spark Connect server *name* (which answers TCP) refuses this process a
    session, or None. One call is made to it, tried five times only: the
    client's own policy retries an unusable channel for ten minutes. Most often the
    server wants a token (``$SPARK_CONNECT_AUTHENTICATE_TOKEN`` or the URL's
    ``;token=``), or, with a token, the client speaks TLS to a host not named
    ``localhost`` and the server does not."""
    with _TRYING:  # one thread at a time changes the client's policy and puts it back
        client = None
        try:
            remote: Any = session(name)  # a Connect session (pyspark types it as classic)
            client = remote.client
            policies = client.get_retry_policies()
            _briefly(client)
            client.get_configs("spark.master")
        except Exception as exc:  # whatever the client raised: the reason, in one line
            with _LOCK:
                _CONNECTED.pop(name, None)
            if client is not None:  # else its exit hook calls the server again, for minutes
                with contextlib.suppress(Exception):
                    client.close()
            return f"cannot open a session on the Spark Connect server ({_why(exc)})"
        client.set_retry_policies(policies)
        return None


_TRYING = threading.Lock()


def _briefly(client: Any) -> None:
    """Have the Spark Connect *client* try a failing call five times (seconds, or
    about 26 s against a listener that never speaks gRPC), not for ten minutes."""
    from pyspark.sql.connect.client.retries import DefaultPolicy

    client.set_retry_policies([DefaultPolicy(max_retries=4)])


def _why(exc: BaseException) -> str:
    """What the Spark Connect client's error *exc* says (or the gRPC error under
    it: some releases raise only "retries exceeded"), in one bounded line, with
    what to do."""
    chain: list[BaseException] = [exc]
    while len(chain) < 5 and (chain[-1].__cause__ or chain[-1].__context__) is not None:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)  # type: ignore[arg-type]
    text = shown("\n".join(map(str, chain)))  # the client quotes a token it cannot parse
    said = re.search(r'details = "([^"]*)"', text)
    reason = " ".join((said.group(1) if said else text).split())[:300]
    lower = text.lower()
    if "key-value pair" in lower:
        return (
            f"{reason}; a token holding '=' cannot go in the URL:"
            " give it in $SPARK_CONNECT_AUTHENTICATE_TOKEN"
        )
    if "handshake" in lower and "tls" in lower:
        return (
            f"{reason}; with a token the client speaks TLS to any host but localhost:"
            " name the server sc://localhost:PORT, or give it TLS"
        )
    if "authenticat" in lower or "token" in lower:
        return (
            f"{reason}; give the server's token in $SPARK_CONNECT_AUTHENTICATE_TOKEN"
            " or as sc://HOST:PORT/;token=TOKEN"
        )
    return reason


def release() -> None:
    """Stop the sessions made here (a Connect session, or a Spark this process
    started); one it was handed (a test's, ``spark-submit``'s) runs on. The command
    line calls this before it exits, so no JVM or channel outlives it."""
    with _LOCK:
        connected = list(_CONNECTED.values())
        made = [*connected, *_MADE]
        _CONNECTED.clear()
        _MADE.clear()
    for one in made:
        try:
            if one in connected:  # a server gone by now: seconds, not minutes
                _briefly(cast(Any, one).client)
            one.stop()
        except Exception:  # a server already gone: nothing is left to stop
            continue


#: this process's sessions on Spark Connect servers, by URL
_CONNECTED: dict[str, SparkSession] = {}
#: the sessions this module started itself (not a running one it was handed)
_MADE: list[SparkSession] = []
_SHUFFLE, _SHUFFLE_DEFAULT = "spark.sql.shuffle.partitions", "200"


#: characters Hadoop reads as a pattern in a path (and ``:`` as a scheme)
_GLOB = frozenset("?*[]{}\\^:,")


def _readable(path: Path, header: list[str]) -> bool:
    """Whether Spark reads *path* as it is named, and it is a regular file (not a
    link) and a Parquet file of the columns *header*, each of strings: what the
    structure layer accepts of a part. Spark skips a file whose name starts with
    ``_`` or ``.`` even when named, and reads ``?*[]{}`` in a path as a pattern:
    such parts are flagged on DuckDB."""

    if path.name[:1] in ("_", ".") or _GLOB.intersection(str(path)):
        return False
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return False
        schema = open_parquet(path).schema_arrow
    except (OSError, pa.ArrowException, ValueError, FileProblem):
        return False
    return not not_strings(schema) and list(schema.names) == header


class Flagged:
    """The rows Spark flags in the Parquet parts *files* of one resource, read by one
    job and streamed to the driver in order of part and row, a partition at a time:
    only their numbers leave Spark, and the driver holds one partition of them, not
    all. :meth:`take` hands them out as the driver's batches pass. If Spark fails
    (on opening the job or midway), :attr:`failed` is set and the caller flags the
    batches left on DuckDB."""

    def __init__(self, kind: str, files: list[Path], fields: list[str]) -> None:
        self.files = files
        #: no file to read (none Spark reads as named), or Spark failed
        self.failed = not files
        self._stream = self._rows(kind, files, fields)
        self._next: tuple[int, int] | None = None
        self._started = False

    @staticmethod
    def _rows(kind: str, files: list[Path], fields: list[str]) -> Generator[tuple[int, int]]:
        """Nothing runs until the first row is asked for."""
        from pyspark.sql import functions as F

        spark = session()
        frames = [
            parquet_cells(spark, [str(f)], fields).withColumn(_PART, F.lit(i))
            for i, f in enumerate(files)
        ]
        frame = functools.reduce(lambda a, b: a.unionByName(b), frames)
        with flagging(spark, kind, frame, (_PART, ROW)) as flagged:
            for row in flagged.orderBy(_PART, ROW).toLocalIterator():
                yield int(row[0]), int(row[1])

    def _advance(self) -> None:
        try:
            self._next = next(self._stream, None)
        except Exception:  # whatever Spark failed on, DuckDB flags the same rows
            self.failed, self._next = True, None
            self._stream.close()

    def take(self, part: int, start: int, stop: int) -> list[int]:
        """The flagged rows (indexes from 0) in [*start*, *stop*) of part number
        *part*; those of earlier parts, or earlier in this one, were read by the row
        engine whole and are passed over."""
        if self.failed:
            return []
        if not self._started:
            self._started = True
            self._advance()
        out = []
        while not self.failed and self._next is not None and self._next < (part, stop):
            if self._next >= (part, start):
                out.append(self._next[1])
            self._advance()
        return out


#: the stream of flags of each part of a resource whose first part reached Spark, by
#: run (its layer 4), with the part's number in it
_STREAMS: weakref.WeakKeyDictionary[Any, dict[Path, tuple[Flagged, int]]] = (
    weakref.WeakKeyDictionary()
)
_PART = "part"


class SparkFast(SqlFast):
    """The sql engine's block reader, whose flags for the batches of a Parquet part
    come from one Spark job over the resource's parts; CSV blocks are flagged on
    DuckDB, and so are the batches of a part Spark does not read as named, or after
    Spark failed."""

    #: a part's flags come from Spark's stream in order, batch by batch (see columns)
    ahead = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: the batch being checked: the index of its first row in the file, its rows
        self._batch: tuple[int, int] | None = None
        self._flagged: tuple[Flagged, int] | None = None

    def columns(self, cols: dict[str, pa.Array], first: int) -> list[int] | None:
        count = len(cols[self.header[0]]) if self.header else 0
        self._batch = (first - 1, count)
        try:
            return super().columns(cols, first)
        finally:
            self._batch = None

    def flags(self, cols: dict[str, pa.Array], longest: dict[str, int]) -> pa.Array | None:
        if self._batch is None or self.plan.fmt != "parquet":
            return super().flags(cols, longest)
        if self._flagged is None:
            self._flagged = self._stream()
        stream, part = self._flagged
        start, count = self._batch
        hits = stream.take(part, start, start + count)
        if stream.failed:  # now or before: DuckDB flags this batch
            return super().flags(cols, longest)
        if not hits:
            return None
        mask = np.zeros(count, dtype=bool)
        mask[np.asarray(hits, dtype=np.int64) - start] = True
        return pa.array(mask)

    def _stream(self) -> tuple[Flagged, int]:
        """The stream this part's flags come in, and its number in it: opened at the
        resource's first part that reaches Spark, for it and the later parts Spark
        reads as named (a part it would not is on DuckDB: a failed stream of its own)."""
        streams = _STREAMS.setdefault(self.refs, {})
        mine = self.plan.file
        if mine not in streams:
            later = self.plan.parts[self.plan.parts.index(mine) + 1 :] if self.plan.parts else ()
            files = [p for p in (mine, *later) if p not in streams and _readable(p, self.header)]
            if mine not in files:
                return Flagged(self.kind, [], self.header), 0
            opened = Flagged(self.kind, files, self.header)
            streams.update((f, (opened, i)) for i, f in enumerate(files))
        return streams.pop(mine)
