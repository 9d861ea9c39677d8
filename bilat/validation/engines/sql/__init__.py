"""The sql engine: the column checks and record rules compiled by sqlglot into one
query per block, run on DuckDB in-process; flagged rows go to the row engine
(:mod:`.compile` tells how).

This module is its registry entry's side (:data:`bilat.validation.engines.REGISTRY`):
it imports nothing heavy, so that naming the engine costs nothing until it runs.
"""

from __future__ import annotations

from collections.abc import Callable

from bilat.validation.engines.base import Context
from bilat.validation.references import References
from bilat.validation.structure import FastPath

#: Smallest CSV file ``auto`` gives the sql engine: None, never. Over the sizes and row
#: shapes measured (docs/scale.md) it was not reliably faster than the columnar engine,
#: whose block reader it shares; it is there to be chosen, and for a whole-package
#: engine to grow from.
AUTO_MIN_BYTES: int | None = None


#: Fewest rows (estimated, see :func:`bilat.validation.engines.estimated_rows`) of a
#: package's record tables from which ``auto`` gives it the sql engine. Measured
#: (docs/scale.md): at 5M rows the columnar engine's dict of ids takes less memory than
#: the sql engine's DuckDB (918 against 1,101 MB), at 20M about as much (2.8 against
#: 2.6 GB); past that the dict grows with the rows and DuckDB stays within its limit
#: (3.2 GB at 100M rows), and the columnar engine is faster below it on CSV (on
#: Parquet about as fast at 5M rows).
AUTO_MIN_PACKAGE_ROWS = 20_000_000


def available() -> bool:
    """Whether duckdb, sqlglot and pyarrow import."""
    try:
        import duckdb  # noqa: F401
        import pyarrow.csv  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError:
        return False
    return True


def fast_path(ctx: Context) -> FastPath:
    """Blocks of the resource read as the columnar engine reads them, flagged by
    :class:`~.compile.SqlFast`."""
    from bilat.validation.engines.columnar import block_path
    from bilat.validation.engines.sql.compile import SqlFast

    return block_path(ctx, SqlFast)


def references(emit: Callable[..., None], cap: int | None, omit: Callable[..., None]) -> References:
    """Layer 4 with ids and references in DuckDB (:mod:`.store`)."""
    from bilat.validation.engines.sql.store import DeferredReferences

    return DeferredReferences(emit, cap, omit)
