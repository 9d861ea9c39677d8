"""The sql engine's flagging query, run on Spark.

The query is the one :func:`bilat.validation.engines.sql.compile.compiled` builds with
sqlglot for DuckDB, written in Spark's dialect (``.sql("spark")``), after changes
that keep its rule, *over-flag, never under-flag*, true under Java's regex, and one
for speed:

* ``STRLEN`` (DuckDB's byte length, which sqlglot passes through unchanged) becomes
  Spark's ``OCTET_LENGTH``: ``octet_length(c) = length(c)`` holds for ASCII cells
  only, so every other cell of a patterned column the model reads as text is flagged;
* a pattern's closing ``$`` becomes ``\\z``. In Java, ``$`` also matches before a
  line terminator that ends the text (``\\n``, ``\\r``, ``\\r\\n``, ``\\u0085``,
  ``\\u2028``, ``\\u2029``), so ``'abc\\n' RLIKE '^[a-z]+$'`` is true on Spark and
  false in RE2 and for pydantic: ids ending in a newline would pass unflagged.
  ``\\z`` is the end of the text in Java, as ``$`` is in RE2. A pattern whose
  character classes Java reads otherwise (``&&``, a nested ``[``) is refused;
* ``ARRAY_AGG(DISTINCT c)`` becomes ``COLLECT_SET(c)``: one aggregate, where
  Spark copies each row once per column for several distinct aggregates.

The exact columns are judged as on DuckDB: their distinct values are collected to the
driver, each is judged once by the field's own validator (:class:`ColumnCheck`), and
the refused ones go back to Spark as small DataFrames the query semi-joins; record
rules likewise, a distinct combination of the cells they read at a time. Only the
keys (file, row) of the flagged rows leave Spark.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from sqlglot import exp

from bilat.tables import columns
from bilat.validation.engines.columnar.columns import checks
from bilat.validation.engines.sql.compile import Compiled, compiled, judge, refused_table

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

DIALECT = "spark"


def _class_traps(pattern: str) -> bool:
    """Whether a character class of *pattern* holds ``&&`` or an unescaped ``[``,
    which Java reads as an intersection and a nested class, and RE2 as characters."""
    i, in_class, start = 0, False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            if char == "]" and i > start:  # a "]" first in a class is a character
                in_class = False
            elif char == "[" or pattern.startswith("&&", i):
                return True
        elif char == "[":
            in_class = True
            start = i + 1 + (pattern[i + 1 : i + 2] == "^")
        i += 1
    return False


def java_pattern(pattern: str) -> str:
    """The RE2 pattern *pattern* (anchored or not) as Java reads it with the same
    meaning on ASCII text: a closing ``$`` becomes ``\\z``. A pattern whose classes
    Java reads otherwise is refused (ValueError) rather than run with another meaning."""
    if _class_traps(pattern):
        raise ValueError(f"pattern {pattern!r} means something else to Java's regex")
    if pattern.endswith("$"):
        backslashes = len(pattern[:-1]) - len(pattern[:-1].rstrip("\\"))
        if backslashes % 2 == 0:  # an anchor, not an escaped dollar
            return pattern[:-1] + "\\z"
    return pattern


def _for_spark(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Distinct):
        # COLLECT_SET: one aggregate, where COLLECT_LIST(DISTINCT ...) over several
        # columns makes Spark copy each row once per column (an Expand)
        (only,) = node.this.expressions
        return exp.ArrayUniqueAgg(this=only)
    if isinstance(node, exp.Anonymous) and str(node.this).upper() == "STRLEN":
        return exp.Anonymous(this="OCTET_LENGTH", expressions=list(node.expressions))
    if isinstance(node, exp.RegexpLike) and isinstance(node.expression, exp.Literal):
        return exp.RegexpLike(
            this=node.this, expression=exp.Literal.string(java_pattern(node.expression.this))
        )
    return node


def spark_sql(tree: exp.Expr, tables: dict[str, str] | None = None) -> str:
    """*tree* (a query written for DuckDB) in Spark's dialect, its tables renamed by
    *tables* (each keeping its alias, or else its old name as alias, which its
    columns are qualified by)."""
    tables = tables or {}

    def rename(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Table) and node.name in tables and not node.args.get("db"):
            return exp.Table(
                this=exp.to_identifier(tables[node.name]),
                alias=exp.TableAlias(this=exp.to_identifier(node.alias or node.name)),
            )
        return _for_spark(node)

    return tree.copy().transform(rename).sql(DIALECT)


def _quoted(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql(DIALECT)


def _block(done: Compiled) -> str:
    """The name the compiled queries give the block's table."""
    return next(done.query({}).find_all(exp.Table)).name


def _distinct(
    done: Compiled, run: Callable[[exp.Select], list[Any]]
) -> tuple[Sequence[Iterable[str]], Callable[[tuple[str, ...]], list[Sequence[str]]]]:
    """What the driver judges, from one scan of the block: the distinct values of the
    exact columns (the DuckDB engine's query) and the record rules' distinct
    combinations (a function of the columns a rule reads)."""
    reads = [tuple(rule.reads) for rule in done.rules]
    combos = [
        exp.ArrayAgg(
            this=exp.Distinct(
                expressions=[exp.Struct(expressions=[exp.column(n, quoted=True) for n in r])]
            )
        )
        for r in reads
    ]
    found = run(done.distinct.select(*combos))[0] if done.exact or reads else ()
    of_rule = dict(zip(reads, found[len(done.exact) :], strict=True))

    def combinations(read: tuple[str, ...]) -> list[Sequence[str]]:
        return [tuple(r) for r in of_rule[read]]

    return found[: len(done.exact)], combinations


def _refused_frame(spark: SparkSession, cols: tuple[str, ...], rows: list[tuple[str, ...]]) -> Any:
    """The refused values (or broken combinations) as a small DataFrame, broadcast:
    the driver held them, and a semi-join against a table of unknown size is a
    sort-merge join, a shuffle of the whole block for each exact column."""
    from pyspark.sql import functions as F

    columns_ = zip(cols, zip(*rows, strict=True), strict=True)
    table = pa.table({c: pa.array(list(v), pa.string()) for c, v in columns_})
    return F.broadcast(spark.createDataFrame(table))


@contextmanager
def flagging(
    spark: SparkSession, kind: str, frame: DataFrame, keys: Sequence[str] = ("row",)
) -> Iterator[DataFrame]:
    """The DataFrame of the *keys* of the rows of *frame* that go to the row engine,
    lazily: *frame* holds the raw cells of record type *kind* as strings (a null cell
    is an empty one), one column per field, and the *keys* columns (for example the
    file and the physical row). A row left out is one the model accepts.

    The temporary views the query reads live while the block is open (a Spark
    Connect session re-reads them at each action)."""
    from pyspark.sql import functions as F

    fields = [c.name for c in columns(kind)]
    missing = [n for n in (*fields, *keys) if n not in frame.columns]
    if missing:
        raise ValueError(f"{kind}: the frame has no column {', '.join(missing)}")
    done = compiled(kind)
    block = _block(done)
    tag = uuid.uuid4().hex[:12]
    names = {block: f"bilat_{tag}_{block}"}
    try:
        cells = [F.coalesce(F.col(_quoted(n)), F.lit("")).alias(n) for n in fields]
        block_frame = frame.select(*cells, *(F.col(_quoted(k)) for k in keys))
        block_frame.createOrReplaceTempView(names[block])
        distinct, combinations = _distinct(
            done, lambda tree: spark.sql(spark_sql(tree, names)).collect()
        )
        refused = judge(done, {c.name: c for c in checks(kind)}, distinct, combinations)
        for i, (cols, rows) in refused.items():
            names[refused_table(i)] = f"bilat_{tag}_{refused_table(i)}"
            _refused_frame(spark, cols, rows).createOrReplaceTempView(names[refused_table(i)])
        flag = done.query({i: refused_table(i) for i in refused}).selects[0].unalias()
        query = exp.select(*(exp.column(k, quoted=True) for k in keys)).from_(block)
        yield spark.sql(spark_sql(query.where(flag), names))
    finally:
        for view in names.values():
            spark.catalog.dropTempView(view)


def flagged_rows(
    spark: SparkSession, kind: str, frame: DataFrame, keys: Sequence[str] = ("row",)
) -> list[tuple[Any, ...]]:
    """The keys of the flagged rows of *frame* (see :func:`flagging`), sorted."""
    with flagging(spark, kind, frame, keys) as flagged:
        return sorted(tuple(r) for r in flagged.collect())
