"""Large benchmark packages, generated once by DuckDB into a cache folder.

    python bench/scale_data.py --rows 1000000 --shape short --format parquet

A package holds 5,000 actors (200 states, 4,800 persons), one source and N
engagements, as one CSV file or as 20 Parquet parts (every column a string, null for
an empty cell). One engagement in a thousand carries each planted defect kind of
:data:`DEFECTS`, one kind per row, so every kind of check is exercised: partial
dates (a day past the month's end, and 29 February of a common year), a vocabulary
term, an id pattern, a list cell, a record rule, a missing id, an id of the wrong
kind, an id taken twice, and a rule across records (a sub-engagement outside its
parent). :func:`expected` gives the findings each kind must give.

Generating 100M rows takes a few minutes; the folder is kept under
``~/.cache/bilat-bench`` (``BILAT_BENCH_CACHE``), keyed by the size, the shape, the
format and :data:`VERSION`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

from validate_scale import write_actors

from bilat import versions
from bilat.tables import RESOURCE_NAMES, resource_descriptor

#: Bump when the generated data changes, so cached packages are made again.
VERSION = "1"
PARTS = 20
N_STATES = 200
N_ACTORS = 5_000
#: planted defect kind -> (i % 1000 of the rows that carry it, code, field)
DEFECTS: dict[str, tuple[int, str, str]] = {
    "bad-date": (1, "constraint-error", "start"),
    "leap-day": (2, "constraint-error", "start"),
    "unknown-term": (3, "constraint-error", "type"),
    "bad-id-pattern": (4, "constraint-error", "host"),
    "bad-list": (5, "type-error", "topics"),
    "record-rule": (6, "end-before-start", "end"),
    "dangling-reference": (7, "dangling-reference", "participants"),
    "wrong-kind": (8, "wrong-reference-kind", "participants"),
    "duplicate-id": (9, "duplicate-id", "id"),
    "sub-outside-parent": (10, "sub-engagement-outside-parent", "part_of"),
}
COLUMNS = [
    "id",
    "notes",
    "sources",
    "type",
    "status",
    "title",
    "start",
    "end",
    "participants",
    "host",
    "location",
    "country",
    "part_of",
    "series",
    "series_number",
    "capacities",
    "topics",
]


def cache_root() -> Path:
    return Path(os.environ.get("BILAT_BENCH_CACHE") or Path.home() / ".cache" / "bilat-bench")


def _k(name: str) -> int:
    return DEFECTS[name][0]


def engagement_select(rows: int, shape: str, first: int = 0) -> str:
    """The query of engagements *first* to *rows* - 1 (a benchmark's generator, in
    DuckDB's SQL; bilat itself builds no SQL text)."""
    n_persons = N_ACTORS - N_STATES
    long = shape == "long"
    d = "i % 1000"
    date = "printf('%04d-%02d-%02d', 2000 + i % 24, 1 + (i // 28) % 12, 1 + i % 28)"
    person = f"'person-' || ((i * 7919) % {n_persons})"
    state = f"'state-' || ((i * 104729) % {N_STATES})"
    start = (
        f"CASE WHEN {d} = {_k('bad-date')} THEN printf('%04d-02-30', 2000 + i % 24)"
        f" WHEN {d} = {_k('leap-day')} THEN '2023-02-29'"
        f" WHEN {d} = {_k('sub-outside-parent')} THEN '2023-06-01' ELSE {date} END"
    )
    participants = (
        f"CASE WHEN {d} = {_k('dangling-reference')} THEN '[\"nobody-' || i || '\",\"' || {state} || '\"]'"
        f" WHEN {d} = {_k('wrong-kind')} THEN '[\"src\",\"' || {state} || '\"]'"
        f" ELSE '[\"' || {person} || '\",\"' || {state} || '\"]' END"
    )
    end = f"CASE WHEN {d} = {_k('record-rule')} THEN '1999-01-01'" + (
        f" WHEN {d} IN ({_k('bad-date')}, {_k('leap-day')}, {_k('sub-outside-parent')}) THEN NULL ELSE {date} END"
        if long
        else " ELSE NULL END"
    )
    topics = '\'["defence","energy","trade"]\'' if long else "'[\"trade\"]'"
    cells = {
        "id": f"CASE WHEN {d} = {_k('duplicate-id')} THEN 'e-0' ELSE 'e-' || i END",
        "notes": f"'Engagement number ' || i || ' between ' || {person} || ' and ' || {state} || ', noted for the benchmark'"
        if long
        else "NULL",
        "sources": "'[\"src\"]'",
        "type": f"CASE WHEN {d} = {_k('unknown-term')} THEN 'tea_party' ELSE "
        "list_extract(['meeting','official_visit','phone_call','summit','ministerial_talks'], 1 + i % 5) END",
        "status": "'held'",
        "title": "'Engagement ' || i || ' of the synthetic series, a longer title'"
        if long
        else "'Engagement ' || i",
        "start": start,
        "end": end,
        "participants": participants,
        "host": f"CASE WHEN {d} = {_k('bad-id-pattern')} THEN 'Not An Id!' ELSE {state} END",
        "location": f"'Capital city of ' || {state}" if long else "NULL",
        "country": state,
        "part_of": f"CASE WHEN {d} = {_k('sub-outside-parent')} THEN 'e-0' ELSE NULL END",
        "series": "'Series ' || (i % 97)" if long else "NULL",
        "series_number": "CAST(1 + i % 50 AS VARCHAR)" if long else "NULL",
        "capacities": "NULL",
        "topics": f"CASE WHEN {d} = {_k('bad-list')} THEN 'trade' ELSE {topics} END",
    }
    select = ", ".join(f'CAST({cells[c]} AS VARCHAR) AS "{c}"' for c in COLUMNS)
    return f"SELECT {select} FROM range({first}, {rows}) AS r(i) ORDER BY i"


def package(rows: int, shape: str = "short", fmt: str = "parquet") -> Path:
    """The folder of the package (made on first use); its datapackage.json is inside."""
    folder = cache_root() / f"v{VERSION}-{rows}-{shape}-{fmt}"
    if (folder / "datapackage.json").exists():
        return folder
    import duckdb

    work = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    write_actors(work, N_STATES, N_ACTORS - N_STATES)
    con = duckdb.connect(config={"preserve_insertion_order": True})
    present = frozenset(RESOURCE_NAMES[k] for k in ("source", "state", "person", "engagement"))
    resources = [
        resource_descriptor(k, "csv", present) for k in ("source", "state", "person", "engagement")
    ]
    engagements = resources[-1]
    if fmt == "csv":
        con.execute(
            f"COPY ({engagement_select(rows, shape)}) TO '{work / 'engagements.csv'}'"
            " (HEADER, DELIMITER ',', QUOTE '\"', ESCAPE '\"')"
        )
    else:
        step = -(-rows // PARTS)
        paths = []
        for p in range(PARTS):
            name = f"engagements-{p + 1:02d}.parquet"
            paths.append(name)
            query = engagement_select(min(rows, (p + 1) * step), shape, min(rows, p * step))
            con.execute(f"COPY ({query}) TO '{work / name}' (FORMAT parquet)")
        engagements.update(path=paths, format="parquet")
        for key in ("bytes", "hash", "dialect", "encoding", "mediatype"):
            engagements.pop(key, None)
    descriptor = {
        "name": "bench",
        versions.KEY: versions.declaration(versions.CURRENT),
        "resources": resources,
    }
    (work / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    shutil.rmtree(folder, ignore_errors=True)
    work.rename(folder)
    return folder


def expected(rows: int, fmt: str = "parquet") -> dict[tuple[str, str], int]:
    """(code, field) -> the findings the planted defects must give. An id taken again
    in the file (the Parquet part) of its first holder is a unique-error there."""
    first_part = rows if fmt == "csv" else -(-rows // PARTS)
    out: dict[tuple[str, str], int] = {}
    for name, (k, code, field) in DEFECTS.items():
        planted = range(k, rows, 1000)  # the rows i with i % 1000 == k
        if name == "duplicate-id":
            same = sum(1 for i in planted if i < first_part)
            out[("unique-error", field)] = same
            out[(code, field)] = len(planted) - same
        else:
            out[(code, field)] = out.get((code, field), 0) + len(planted)
    return {key: n for key, n in out.items() if n}


def data_files(folder: Path) -> list[Path]:
    csv_file = folder / "engagements.csv"
    return [csv_file] if csv_file.exists() else sorted(folder.glob("engagements-*.parquet"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--shape", choices=("short", "long"), default="short")
    parser.add_argument("--format", choices=("csv", "parquet"), default="parquet")
    args = parser.parse_args()
    t = time.perf_counter()
    folder = package(args.rows, args.shape, args.format)
    size = sum(p.stat().st_size for p in data_files(folder))
    print(f"{folder} ({size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f}s")


if __name__ == "__main__":
    main()
