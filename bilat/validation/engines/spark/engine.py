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
from bilat.validation.engines.spark.masters import DEFAULT_MASTER, connect, master
from bilat.validation.engines.spark.rows import ROW, parquet_cells
from bilat.validation.engines.sql.compile import SqlFast

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_LOCK = threading.Lock()


def session(name: str | None = None) -> SparkSession:
    """The Spark session on the master *name* (default: :func:`master`): the active
    one when there is one (a test's, or ``spark-submit``'s), else one made here."""
    from pyspark.sql import SparkSession

    name = name or master()
    with _LOCK:
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
        if connect(name):
            return SparkSession.builder.remote(name).appName("bilat").getOrCreate()
        builder = SparkSession.builder.appName("bilat")
        if not os.environ.get("PYSPARK_GATEWAY_PORT"):  # under spark-submit: its --master
            builder = builder.master(name or DEFAULT_MASTER)
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


_SHUFFLE, _SHUFFLE_DEFAULT = "spark.sql.shuffle.partitions", "200"


def _readable(path: Path, header: list[str]) -> bool:
    """Whether *path* is a regular file (not a link) and a Parquet file of the columns
    *header*, each of strings: what the structure layer will accept of a part."""
    import pyarrow.parquet as pq

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
        start, count = self._batch
        if self._flagged is None:
            self._flagged = self._part_flags()
        low, high = np.searchsorted(self._flagged, (start, start + count))
        if low == high:
            return None
        mask = np.zeros(count, dtype=bool)
        mask[self._flagged[low:high] - start] = True
        return pa.array(mask)

    def _part_flags(self) -> np.ndarray:
        """This part's flags: computed with those of the resource's later parts in one
        job, at its first part that reaches Spark, and kept for them by run."""
        early = _EARLY.setdefault(self.refs, {})
        mine = self.plan.file
        if mine not in early:
            later = self.plan.parts[self.plan.parts.index(mine) + 1 :] if self.plan.parts else ()
            files = [mine, *(p for p in later if p not in early and _readable(p, self.header))]
            early.update(
                zip(files, flagged_indexes(session(), self.kind, files, self.header), strict=True)
            )
        return early.pop(mine)
