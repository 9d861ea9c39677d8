"""The spark engine: the sql engine's checks run on Spark (``bilat validate --spark
MASTER``), for packages larger than one machine checks in good time.

* Parquet resources: Spark reads each part and runs the flagging query the sql
  engine compiles with sqlglot (:mod:`.flags`, in Spark's dialect); only the numbers
  of the flagged rows come back to the driver, which hands those rows to the row
  engine. CSV resources are flagged on the driver by DuckDB, as the sql engine flags
  them: a CSV record may span lines, and only a reader that sees the file in order
  numbers its rows by physical line.
* Layer 4 (ids taken twice, broken references) runs on Spark: the sql engine's
  queries, with its caps and ``omitted`` counts, in Spark's dialect (:mod:`.store`).
  Only the findings within the caps, and the counts, come back.
* The driver still reads each file once, as every engine does: layer 2 (structure,
  size, hash), the ids and the cells the cross-record rules read.

The master is ``--spark MASTER``, else ``$BILAT_SPARK_MASTER``, else ``local[*]``:
``local[N]``, a cluster's master URL, or a Spark Connect ``sc://`` URL. pyspark is
the optional extra ``spark``; nothing here imports it until the engine runs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

from bilat.validation.engines.base import Context
from bilat.validation.engines.spark.masters import INSTALL, MASTER_ENV, connect, master, use
from bilat.validation.references import References
from bilat.validation.structure import FastPath


def available() -> bool:
    """Whether pyspark, duckdb and sqlglot import, and, unless the master is a Spark
    Connect URL, a Java runtime is on the PATH or under ``$JAVA_HOME``."""
    from bilat.validation.engines import sql

    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    if not sql.available():
        return False
    if connect(master()):
        return True
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is not None or bool(home and os.path.exists(home))


def fast_path(ctx: Context) -> FastPath:
    """Blocks read as the sql engine reads them; a Parquet part's rows flagged by
    Spark (:class:`~.engine.SparkFast`)."""
    from bilat.validation.engines.columnar import block_path
    from bilat.validation.engines.spark.engine import SparkFast

    return block_path(ctx, SparkFast)


def references(emit: Callable[..., None], cap: int | None, omit: Callable[..., None]) -> References:
    """Layer 4 with ids and references joined on Spark (:mod:`.store`)."""
    from bilat.validation.engines.spark.store import SparkReferences

    return SparkReferences(emit, cap, omit)


__all__ = [
    "INSTALL",
    "MASTER_ENV",
    "available",
    "connect",
    "fast_path",
    "master",
    "references",
    "use",
]
