"""The spark engine's session and its block reader (see the package docstring)."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from bilat.validation.engines.spark.flags import flagging
from bilat.validation.engines.spark.master import DEFAULT_MASTER, connect, master
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
        return (
            builder.config("spark.ui.showConsoleProgress", "false")
            .config("spark.log.level", "ERROR")
            .getOrCreate()
        )


def flagged_indexes(spark: SparkSession, kind: str, file: str, fields: list[str]) -> np.ndarray:
    """The indexes (from 0) of the rows of the Parquet file *file* that Spark flags for
    the row engine, sorted: only these numbers leave Spark (8 bytes a flagged row)."""
    frame = parquet_cells(spark, [file], fields)
    with flagging(spark, kind, frame, (ROW,)) as flagged:
        found = flagged.toArrow().column(0).to_numpy(zero_copy_only=False)
    return np.sort(found.astype(np.int64, copy=False))


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
            self._flagged = flagged_indexes(session(), self.kind, str(self.plan.file), self.header)
        low, high = np.searchsorted(self._flagged, (start, start + count))
        if low == high:
            return None
        mask = np.zeros(count, dtype=bool)
        mask[self._flagged[low:high] - start] = True
        return pa.array(mask)
