"""The spark engine: the sql engine's checks run on Spark (``bilat validate --spark
MASTER``), for packages larger than one machine checks in good time.

* Parquet resources: Spark reads the parts of each and runs the flagging query the
  sql engine compiles with sqlglot (:mod:`.flags`, in Spark's dialect); only the
  numbers of the flagged rows come back to the driver, streamed in order, and it
  hands those rows to the row engine (:mod:`.engine`). CSV resources are flagged on the driver by DuckDB, as the sql engine flags
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
from bilat.validation.engines.spark.masters import (
    INSTALL,
    MASTER_ENV,
    checked,
    chosen,
    connect,
    master,
    shown,
    submitted,
    unreachable,
    use,
    without_pandas_warning,
)
from bilat.validation.references import References
from bilat.validation.structure import FastPath


def problem(name: str | None = None) -> str | None:
    """Why the spark engine cannot run on the master *name* (default: :func:`master`),
    or None: pyspark, duckdb or sqlglot missing; no Java for a master other than a
    Spark Connect URL; a Connect server that does not answer, or on which no session
    opens (a token missing or wrong, TLS on one side); or this process already
    running Spark on another master (one SparkContext a process). None at once for
    the master :func:`use` was told had been checked (``bilat validate`` checks it
    once, before its first target)."""
    from bilat.validation.engines import sql

    explicit = name or chosen()
    name = explicit or master()
    if checked(name):
        return None
    without_pandas_warning()
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return f"pyspark does not import ({INSTALL})"
    if not sql.available():
        return f"duckdb and sqlglot do not import ({INSTALL})"
    if connect(name):
        from bilat.validation.engines.spark.engine import refused

        return unreachable(name) or refused(name)
    home = os.environ.get("JAVA_HOME")
    java = home and os.path.isfile(os.path.join(home, "bin", "java"))
    if not java and shutil.which("java") is None:
        return f"no Java runtime: neither $JAVA_HOME/bin/java nor java on the PATH ({INSTALL})"
    active = SparkSession.getActiveSession()
    running = None if active is None else active.conf.get("spark.master", None)
    if running and explicit and running != name and not submitted():
        return f"this process already runs Spark on {running}, and cannot start {name}"
    return None


def available() -> bool:
    """Whether the spark engine runs here, on :func:`master` (see :func:`problem`)."""
    return problem() is None


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
    "chosen",
    "connect",
    "fast_path",
    "master",
    "problem",
    "references",
    "shown",
    "use",
]
