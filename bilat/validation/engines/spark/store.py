"""Layer 4 of the spark engine: the sql engine's queries (ids taken twice, broken
references, caps and ``omitted`` counts) run on Spark.

:class:`SparkReferences` is :class:`~bilat.validation.engines.sql.store.
DeferredReferences` with its tables on Spark: the ids and references written while
reading (two Parquet files in the spill folder under the cache dir) are read by
Spark, and each table the queries make is a temporary view of this run's own,
persisted. Each query is the sql engine's, parsed by sqlglot and written in Spark's
dialect. Only the findings within the caps, and the counts of the others, are
collected to the driver.

The spill folder must be one the cluster's executors can read at the same path: on
``local[N]`` it is; on a cluster, point ``$BILAT_CACHE_DIR`` at shared storage.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from bilat.validation.engines.spark.engine import session
from bilat.validation.engines.spark.flags import spark_sql
from bilat.validation.engines.sql.store import TABLES, DeferredReferences, parsed

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


#: the Spark SQL type of each Arrow type the small tables hold
_SPARK_TYPES = {pa.int64(): "bigint", pa.string(): "string"}


class SparkReferences(DeferredReferences):
    """Layer 4 checked on Spark at :meth:`finish` (see the module docstring)."""

    _frames: dict[str, DataFrame]

    def open_tables(self) -> None:
        self._spark = session()
        self._tag = uuid.uuid4().hex[:12]
        self._frames = {}
        for name in ("ids", "refs"):
            self._view(name, self._spark.read.parquet(str(self.folder / f"{name}.parquet")))

    def _name(self, name: str) -> str:
        return f"bilat_layer4_{self._tag}_{name}"

    def _view(self, name: str, frame: DataFrame) -> None:
        old = self._frames.pop(name, None)
        if old is not None:  # before its view goes: Spark Connect analyses its plan again
            old.unpersist()
        frame.createOrReplaceTempView(self._name(name))
        self._frames[name] = frame

    def _spark_sql(self, select: str) -> str:
        """*select* (DuckDB's dialect) in Spark's, its tables this run's views."""
        return spark_sql(parsed(select), {name: self._name(name) for name in TABLES})

    def make_table(self, name: str, select: str) -> None:
        frame = self._spark.sql(self._spark_sql(select)).persist()
        self._view(name, frame)

    def small_table(self, name: str, table: pa.Table) -> None:
        # the schema given: Spark Connect cannot infer one from an empty table
        ddl = ", ".join(f"`{f.name}` {_SPARK_TYPES[f.type]}" for f in table.schema)
        self._view(name, self._spark.createDataFrame(table, schema=ddl))

    def fetch(self, select: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._spark.sql(self._spark_sql(select)).collect()]

    def drop_tables(self) -> None:
        frames = getattr(self, "_frames", {})
        # every frame first, while the views their plans name still exist (Spark
        # Connect analyses a plan again to unpersist it), the newest first
        for frame in reversed(frames.values()):
            frame.unpersist()
        for name in frames:
            self._spark.catalog.dropTempView(self._name(name))
        frames.clear()
