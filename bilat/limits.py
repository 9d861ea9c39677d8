"""Caps on what validation reads (kept apart, so the CLI imports it cheaply)."""

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
