"""Validation engines: the ways to read the rows of a CSV resource, plugged in by name.

The row engine (``rows``) is the reference: layer 2 reads every row with the csv
module and hands it to layers 3 to 5 (:mod:`bilat.validation`). Any other engine
takes whole blocks of rows, validates them its own way, and hands the row engine
only the rows it flags, so that the findings are the row engine's by construction;
``tests/test_columnar.py`` and ``tests/test_engines.py`` hold every engine to that.

An engine is a folder under this package that uses only the layers' public
functions (reference resolution in :mod:`~bilat.validation.references`, spans and
rule verdicts in :mod:`~bilat.validation.rules`, the line reader's protocol in
:mod:`~bilat.validation.structure`), and one entry in :data:`REGISTRY`
(docs/architecture.md has the recipe).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bilat.files import FileProblem, open_parquet
from bilat.validation.engines import columnar, spark, sql
from bilat.validation.engines.base import Context, Engine, EngineUnavailable

#: The name that picks an engine by file size (see :attr:`Engine.auto_min_bytes`).
AUTO = "auto"


def _always() -> bool:
    return True


#: Every engine, by name; ``auto`` tries them in this order.
REGISTRY: dict[str, Engine] = {
    "rows": Engine("rows", _always),
    "columnar": Engine(
        "columnar",
        columnar.available,
        auto_min_bytes=columnar.AUTO_MIN_BYTES,
        fast_path=columnar.fast_path,
        needs="pyarrow",
    ),
    "sql": Engine(
        "sql",
        sql.available,
        auto_min_bytes=sql.AUTO_MIN_BYTES,
        fast_path=sql.fast_path,
        references=sql.references,
        auto_min_package_rows=sql.AUTO_MIN_PACKAGE_ROWS,
        needs="duckdb and sqlglot (pip install 'bilat[duckdb]')",
    ),
    # the sql engine's checks on Spark: chosen by name (``--spark MASTER``), never by auto
    "spark": Engine(
        "spark",
        spark.available,
        fast_path=spark.fast_path,
        references=spark.references,
        needs=f"pyspark and a Java runtime ({spark.INSTALL})",
        problem=spark.problem,
    ),
}


def register(engine: Engine) -> Engine:
    """Add *engine* to :data:`REGISTRY` (replacing one of the same name)."""
    if engine.name == AUTO:
        raise ValueError(f"{AUTO!r} is not an engine name: it picks one")
    REGISTRY[engine.name] = engine
    return engine


def unregister(name: str) -> None:
    """Remove the engine *name* (tests that registered one clean up with this)."""
    REGISTRY.pop(name, None)


def names() -> tuple[str, ...]:
    """The names ``engine=`` takes: ``auto`` and every registered engine, sorted."""
    return (AUTO, *sorted(REGISTRY))


def get(name: str) -> Engine | None:
    """The engine *name* asks for (None for ``auto``), checked to run here.

    Raises ValueError for an unknown name and :class:`EngineUnavailable` for an
    engine whose dependencies do not import.
    """
    if name == AUTO:
        return None
    engine = REGISTRY.get(name)
    if engine is None:
        raise ValueError(f"engine must be one of {', '.join(names())}, not {name!r}")
    if engine.problem is not None:
        problem = engine.problem()
        if problem is not None:
            raise EngineUnavailable(f"the {name} engine cannot run here: {problem}")
    elif not engine.available():
        raise EngineUnavailable(f"the {name} engine needs {engine.needs}, which does not import")
    return engine


#: Bytes of a CSV row, to estimate a package's rows from its size: about the shortest
#: engagement row of the benchmark (bench/scale_data.py), so rows are over-counted.
CSV_ROW_BYTES = 140


def estimated_rows(files: list[tuple[str, Path]]) -> int:
    """The rows of the record tables *files* (format, path): a Parquet file's from
    its footer, a CSV file's from its size; a file that cannot be read counts none."""
    total = 0
    for fmt, path in files:
        try:
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):  # layer 2 says what it is; never read it here
                continue
            if fmt == "parquet":
                total += open_parquet(path).metadata.num_rows
            elif fmt == "csv":
                total += info.st_size // CSV_ROW_BYTES
        except (OSError, ValueError, ImportError, FileProblem):  # layer 2 says what is wrong
            continue
    return total


def for_package(files: list[tuple[str, Path]]) -> Engine | None:
    """The engine ``auto`` gives a whole package whose record tables are *files*
    (format, path): the first registered engine whose ``auto_min_package_rows`` the
    package reaches and which runs here; None leaves the choice to each file."""
    rows: int | None = None
    for engine in REGISTRY.values():
        if engine.auto_min_package_rows is None:
            continue
        if rows is None:
            rows = estimated_rows(files)
        if rows >= engine.auto_min_package_rows and engine.available():
            return engine
    return None


def rows_with_layer4_of(engine: Engine | None) -> Engine:
    """The row engine (every row read one at a time), keeping layer 4 as *engine*
    keeps it (None, or an engine with no layer 4 of its own: the row engine's)."""
    from dataclasses import replace

    rows = REGISTRY["rows"]
    if engine is None or engine.references is None:
        return rows
    return replace(rows, references=engine.references)


def from_environment() -> str:
    """The engine name ``BILAT_ENGINE`` gives (``auto`` when it is unset or empty), for
    every caller alike (``bilat.validate``, ``bilat.load``, the command line).

    Raises ValueError naming the variable for a name no engine has."""
    name = os.environ.get("BILAT_ENGINE") or AUTO
    if name not in names():
        raise ValueError(f"BILAT_ENGINE must be one of {', '.join(names())}, not {name!r}")
    return name


def for_file(chosen: Engine | None, size: int) -> Engine:
    """The engine that reads a CSV file of *size* bytes: *chosen*, or for ``auto``
    (None) the first registered engine whose ``auto_min_bytes`` the size reaches and
    which runs here, else the row engine."""
    if chosen is not None:
        return chosen
    for engine in REGISTRY.values():
        reaches = engine.auto_min_bytes is not None and size >= engine.auto_min_bytes
        if reaches and engine.available():
            return engine
    return REGISTRY["rows"]


__all__ = [
    "AUTO",
    "REGISTRY",
    "Context",
    "Engine",
    "EngineUnavailable",
    "estimated_rows",
    "for_file",
    "for_package",
    "from_environment",
    "get",
    "names",
    "register",
    "rows_with_layer4_of",
    "unregister",
]
