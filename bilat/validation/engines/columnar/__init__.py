"""The columnar engine: whole blocks of a CSV resource validated in columns with
pyarrow, flagged rows handed to the row engine (:mod:`.blocks` tells how).

This module is its registry entry's side (:data:`bilat.validation.engines.REGISTRY`):
it imports nothing heavy, so that naming the engine costs nothing until it runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bilat.validation.engines.base import Context
from bilat.validation.structure import FastPath

if TYPE_CHECKING:
    from bilat.validation.engines.columnar.blocks import Fast

#: Smallest CSV file ``auto`` validates in columns (below, importing pyarrow costs
#: more than it saves).
AUTO_MIN_BYTES = 4 << 20


def available() -> bool:
    """Whether pyarrow imports."""
    try:
        import pyarrow.compute
        import pyarrow.csv  # noqa: F401
    except ImportError:
        return False
    return True


def fast_path(ctx: Context) -> FastPath:
    """Blocks of the resource read by :class:`~.blocks.BlockText` and validated by
    :class:`~.blocks.Fast`."""
    from bilat.validation.engines.columnar.blocks import Fast

    return block_path(ctx, Fast)


def block_path(ctx: Context, fast: type[Fast]) -> FastPath:
    """Blocks of the resource read by :class:`~.blocks.BlockText`, each validated by
    an instance of *fast* (:class:`~.blocks.Fast` or an engine's subclass of it)."""
    from bilat.validation.engines.columnar.blocks import BlockText

    limits = ctx.limits

    def start(header: list[str]) -> Fast:
        return fast(
            ctx.plan,
            header,
            ctx.refs,
            ctx.rules,
            ctx.index,
            limits.max_cell,
            limits.max_row,
            ctx.keep,
        )

    return FastPath(BlockText, start)
