"""``bilat import``: the field's coded event data and UN roll calls as bilat packages.

>>> sorted(FORMATS)
['gdelt1', 'gdelt2', 'icews', 'plover', 'polecat', 'unvotes']

``run_import`` reads files of one format, streaming, and writes a bilat package:
coded events (or motions and votes), one Source per file with its SHA-256, the States
the actors resolved to, and a README with the counts. See docs/import.md for what each
format's fields become.
"""

from __future__ import annotations

from pathlib import Path

from bilat.importers.pipeline import Counts, ImportProblem, ImportResult, Rejection

#: Every format ``bilat import`` reads, with a line on each.
FORMATS: dict[str, str] = {
    "icews": "ICEWS events (.tab, 20 tab-separated columns with a header)",
    "gdelt1": "GDELT 1.0 events (57 or 58 tab-separated columns, no header)",
    "gdelt2": "GDELT 2.0 events (61 tab-separated columns, no header)",
    "polecat": "POLECAT events (tab-separated with a header)",
    "plover": "PLOVER event records (JSON objects)",
    "unvotes": "UN General Assembly roll calls (roll_calls.csv and unvotes.csv)",
}


def run_import(
    fmt: str,
    files: list[Path],
    out: Path,
    *,
    append: bool = False,
    dedupe: str | None = None,
    actors: Path | None = None,
    parquet: bool | None = None,
) -> ImportResult:
    """Import *files* of format *fmt* into the package folder *out*. Coded events are
    written as one CSV file up to a million rows and as Parquet parts above (*parquet*
    True or False forces either; see docs/import.md)."""
    if fmt not in FORMATS:
        raise ImportProblem(f"no format {fmt!r}; known: {', '.join(FORMATS)}")
    if dedupe not in (None, "daily"):
        raise ImportProblem(f"--dedupe {dedupe!r}: the one mode is 'daily'")
    if not files:
        raise ImportProblem("no file to import")
    if fmt == "unvotes":
        if dedupe:
            raise ImportProblem("--dedupe applies to coded events, not to roll calls")
        if parquet:
            raise ImportProblem("--parquet applies to coded events; roll calls are CSV")
        from bilat.importers.unvotes import import_unvotes

        return import_unvotes(files, out, append=append, actors=actors)
    from bilat.importers.pipeline import import_events

    return import_events(
        fmt, files, out, append=append, dedupe=dedupe, actors=actors, parquet=parquet
    )


__all__ = ["FORMATS", "Counts", "ImportProblem", "ImportResult", "Rejection", "run_import"]
