"""Caps on what validation reads and what the actor graph draws (kept apart, so the CLI
and the package API import them cheaply)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Caps that keep hostile input from exhausting memory, disk or time."""

    #: Largest file read as a resource (compressed size for .gz).
    max_resource_bytes: int = 16 << 30
    #: Largest decompressed size of a compressed resource.
    max_decompressed: int = 512 << 20
    #: Largest JSON resource (it is parsed whole).
    max_json_bytes: int = 512 << 20
    #: Largest CSV cell, in characters (texts are capped at 20,000 by the models).
    max_cell: int = 1 << 20
    #: Largest CSV row (one record, over all its lines), in characters.
    max_row: int = 16 << 20


#: The most distinct participants one engagement may have in the actor graph
#: (:func:`bilat.export.graph`, ``bilat export --to graphml``), which draws an edge
#: between every two of them: n(n-1)/2 edges, at most 19,900 here (a meeting of every
#: UN member state fits), so that the graph and its file grow with the package rather
#: than with the square of one list. Both take another bound (``max_participants``;
#: None: none).
MAX_PARTICIPANTS = 200
