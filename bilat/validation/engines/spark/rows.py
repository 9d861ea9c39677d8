"""Physical row numbers for the rows Spark reads, meaning what they mean in the
DuckDB engine's findings.

* Parquet: the row is the index of the row in its file, from 0; Spark gives it as
  ``_metadata.row_index`` (and the file as ``_metadata.file_path``, a ``file:`` URI).
* CSV: the row is the physical line, from 1, the header being line 1. Spark's text
  reader gives each line with the split of the file it was read in
  (``_metadata.file_block_start``); ``monotonically_increasing_id`` numbers the lines
  of a task in order, so a line's place in its split is its id less the split's
  smallest, and the split's first line is the count of lines in the splits before it.
  No RDD is used (``zipWithIndex`` is not there in Spark Connect). The line is then
  parsed with ``from_csv``: a record that spans lines (a quoted line break) is not
  read right, so this reader is for files whose records are one line each, as the
  structure layer can tell.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: The key columns of the frames made here: the file (a URI) and its physical row.
FILE, ROW = "file", "row"


def _schema(fields: Sequence[str]) -> str:
    return ", ".join(f"`{f}` string" for f in fields)


def parquet_cells(spark: SparkSession, paths: Sequence[str], fields: Sequence[str]) -> DataFrame:
    """The cells *fields* of the Parquet files *paths*, as strings, with each row's
    file and its index in the file."""
    from pyspark.sql import functions as F

    # the schema given, Spark reads no footer to infer it (a job of its own per read);
    # the structure layer checked that every column holds strings
    frame = spark.read.schema(_schema(fields)).parquet(*paths)
    return frame.select(
        *(F.col(f"`{f}`").cast("string").alias(f) for f in fields),
        F.col("_metadata.file_path").alias(FILE),
        F.col("_metadata.row_index").alias(ROW),
    )


def numbered_lines(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    """Each line of the text files *paths* (``value``), with its file and its line
    number from 1. Lines end at ``\\n``, ``\\r\\n`` or ``\\r``, as the CSV dialect's."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    lines = spark.read.text(list(paths)).select(
        "value",
        F.col("_metadata.file_path").alias(FILE),
        F.col("_metadata.file_block_start").alias("_start"),
        F.monotonically_increasing_id().alias("_id"),
    )
    splits = lines.groupBy(FILE, "_start").agg(
        F.min("_id").alias("_first"), F.count(F.lit(1)).alias("_lines")
    )
    before = Window.partitionBy(FILE).orderBy("_start")
    splits = splits.select(
        FILE,
        "_start",
        "_first",
        (F.sum("_lines").over(before) - F.col("_lines")).alias("_offset"),
    )
    joined = lines.join(F.broadcast(splits), [FILE, "_start"])
    row = F.col("_offset") + (F.col("_id") - F.col("_first")) + F.lit(1)
    return joined.select("value", FILE, row.alias(ROW))


def csv_cells(
    spark: SparkSession,
    paths: Sequence[str],
    fields: Sequence[str],
    delimiter: str = ",",
    quote: str = '"',
) -> DataFrame:
    """The cells *fields* of the CSV files *paths* (a header line, then one record a
    line), as strings, with each row's file and physical line; an empty cell is
    ``""``. The header is not read: the structure layer checks it."""
    from pyspark.sql import functions as F

    options = {"sep": delimiter, "quote": quote, "escape": quote, "mode": "PERMISSIVE"}
    lines = numbered_lines(spark, paths).where(F.col(ROW) > 1)
    record = F.from_csv(F.col("value"), _schema(fields), options).alias("_record")
    parsed = lines.select(record, FILE, ROW)
    return parsed.select(
        *(F.coalesce(F.col(f"_record.`{f}`"), F.lit("")).alias(f) for f in fields), FILE, ROW
    )
