"""The spark engine's session and its block reader (see the package docstring)."""

from __future__ import annotations

import functools
import os
import stat
import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from bilat.validation.engines.spark.flags import flagging
from bilat.validation.engines.spark.masters import DEFAULT_MASTER, chosen, connect, submitted
from bilat.validation.engines.spark.rows import ROW, parquet_cells
from bilat.validation.engines.sql.compile import SqlFast

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_LOCK = threading.Lock()


def session(name: str | None = None) -> SparkSession:
    """The Spark session on the master *name* (default: the one chosen, see
    :mod:`.masters`): for a Spark Connect URL, a session of this process's own on that
    server; else the running session when nothing names a master, when it runs on
    the master named, or under ``spark-submit``; else one made here."""
    from pyspark.sql import SparkSession

    explicit = name or chosen()
    name = explicit or DEFAULT_MASTER
    with _LOCK:
        if connect(name):
            if name not in _CONNECTED:
                _CONNECTED[name] = SparkSession.builder.remote(name).appName("bilat").create()
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
        return made


#: this process's sessions on Spark Connect servers, by URL
_CONNECTED: dict[str, SparkSession] = {}
_SHUFFLE, _SHUFFLE_DEFAULT = "spark.sql.shuffle.partitions", "200"


#: characters Hadoop reads as a pattern in a path (and ``:`` as a scheme)
_GLOB = frozenset("?*[]{}\\^:,")


def _readable(path: Path, header: list[str]) -> bool:
    """Whether Spark reads *path* as it is named, and it is a regular file (not a
    link) and a Parquet file of the columns *header*, each of strings: what the
    structure layer accepts of a part. Spark skips a file whose name starts with
    ``_`` or ``.`` even when named, and reads ``?*[]{}`` in a path as a pattern:
    such parts are flagged on DuckDB."""
    import pyarrow.parquet as pq

    if path.name[:1] in ("_", ".") or _GLOB.intersection(str(path)):
        return False
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return False
        schema = pq.ParquetFile(path).schema_arrow
    except (OSError, pa.ArrowException, ValueError):
        return False
    strings = all(f.type in (pa.string(), pa.large_string()) for f in schema)
    return strings and list(schema.names) == header


def flagged_indexes(
    spark: SparkSession, kind: str, files: list[Path], fields: list[str]
) -> list[np.ndarray]:
    """For each Parquet file of *files* (parts of one resource), the indexes (from 0)
    of its rows that Spark flags for the row engine, sorted. One job reads them all;
    only these numbers leave Spark (8 bytes a flagged row)."""
    from pyspark.sql import functions as F

    frames = [
        parquet_cells(spark, [str(f)], fields).withColumn(_PART, F.lit(i))
        for i, f in enumerate(files)
    ]
    frame = functools.reduce(lambda a, b: a.unionByName(b), frames)
    with flagging(spark, kind, frame, (_PART, ROW)) as flagged:
        found = flagged.toArrow()
    parts = found.column(0).to_numpy(zero_copy_only=False)
    rows = found.column(1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    return [np.sort(rows[parts == i]) for i in range(len(files))]


#: the flags of parts read with an earlier part of their resource, by run (its layer 4)
_EARLY: weakref.WeakKeyDictionary[Any, dict[Path, np.ndarray]] = weakref.WeakKeyDictionary()
_PART = "part"


class SparkFast(SqlFast):
    """The sql engine's block reader, whose flags for the batches of a Parquet part
    come from one Spark job over the whole part; CSV blocks are flagged on DuckDB."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: the batch being checked: the index of its first row in the file, its rows
        self._batch: tuple[int, int] | None = None
        self._flagged: np.ndarray | None = None

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
            self._flagged = self._part_flags()
        if self._flagged is _ON_DUCKDB:
            return super().flags(cols, longest)
        start, count = self._batch
        low, high = np.searchsorted(self._flagged, (start, start + count))
        if low == high:
            return None
        mask = np.zeros(count, dtype=bool)
        mask[self._flagged[low:high] - start] = True
        return pa.array(mask)

    def _part_flags(self) -> np.ndarray:
        """This part's flags: computed with those of the resource's later parts in one
        job, at its first part that reaches Spark, and kept for them by run. A part
        Spark would not read as named, or a resource whose job fails (a compression
        Spark lacks), is flagged on DuckDB, batch by batch (:data:`_ON_DUCKDB`)."""
        early = _EARLY.setdefault(self.refs, {})
        mine = self.plan.file
        if mine not in early:
            if not _readable(mine, self.header):
                return _ON_DUCKDB
            later = self.plan.parts[self.plan.parts.index(mine) + 1 :] if self.plan.parts else ()
            files = [mine, *(p for p in later if p not in early and _readable(p, self.header))]
            try:
                found = flagged_indexes(session(), self.kind, files, self.header)
            except Exception:  # whatever Spark failed on, DuckDB flags the same rows
                found = [_ON_DUCKDB] * len(files)
            early.update(zip(files, found, strict=True))
        return early.pop(mine)


#: the flags of a part Spark does not read: DuckDB flags its batches
_ON_DUCKDB = np.empty(0, dtype=np.int64)
