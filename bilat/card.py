"""What a data card derives from its package: the coverage table.

A package's README.md may hold the table between ``<!-- coverage:start -->`` and
``<!-- coverage:end -->``; ``bilat fmt`` regenerates it from the records and ``bilat
fmt --check`` fails when it is stale, so the table never drifts from the data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bilat.models import RECORD_TYPES, Evidence, Record, Source, SourcedRecord

START = "<!-- coverage:start -->"
END = "<!-- coverage:end -->"
_BLOCK = re.compile(re.escape(START) + r"\n.*?" + re.escape(END), re.S)


def coverage_table(records: Iterable[Record]) -> str:
    """Records per type, sources per record, and how many rest on a seed document (a
    Source shipped with the package, whose quotes are checked verbatim) or on
    external sources, as a Markdown table."""
    records = list(records)
    seeds = {r.id for r in records if isinstance(r, Source) and r.seed is not None}
    evidence = [r for r in records if isinstance(r, Evidence)]
    seed_supported = {s for e in evidence if e.source in seeds for s in e.supports}
    web_supported = {s for e in evidence if e.source not in seeds for s in e.supports}
    lines = [
        "| record type | records | sources per record (mean) | with seed evidence | "
        "with external evidence | resting on seed only | resting on external sources only |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, cls in RECORD_TYPES.items():
        if not issubclass(cls, SourcedRecord):
            continue
        rs = [r for r in records if isinstance(r, SourcedRecord) and r.KIND == kind]
        if not rs:
            continue
        counts = [len(r.sources) for r in rs]
        seed_only = sum(1 for r in rs if set(r.sources) <= seeds)
        ext_only = sum(1 for r in rs if not set(r.sources) & seeds)
        lines.append(
            f"| {kind} | {len(rs)} | {sum(counts) / len(counts):.1f} | "
            f"{sum(1 for r in rs if r.id in seed_supported)} | "
            f"{sum(1 for r in rs if r.id in web_supported)} | {seed_only} | {ext_only} |"
        )
    n_sources = sum(1 for r in records if isinstance(r, Source))
    lines.append(f"| source | {n_sources} | – | – | – | – | – |")
    n_seed = sum(1 for e in evidence if e.source in seeds)
    lines.append(
        f"| evidence | {len(evidence)} ({n_seed} quotes from the seed, verified verbatim; "
        f"{len(evidence) - n_seed} from external sources) | – | – | – | – | – |"
    )
    return "\n".join(lines)


def with_coverage(card: str, records: Iterable[Record]) -> str:
    """*card* with its coverage block regenerated (unchanged when it has no block)."""
    if START not in card or END not in card:
        return card
    block = f"{START}\n{coverage_table(records)}\n{END}"
    return _BLOCK.sub(lambda _m: block, card, count=1)
