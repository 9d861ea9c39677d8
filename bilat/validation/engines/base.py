"""What an engine is (:class:`Engine`) and what it gets (:class:`Context`); the
registry is :mod:`bilat.validation.engines`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bilat.limits import Limits
from bilat.validation.bulk import Collected
from bilat.validation.descriptor import ResourcePlan
from bilat.validation.references import References
from bilat.validation.rules import Rules
from bilat.validation.structure import FastPath


class EngineUnavailable(RuntimeError):
    """The engine asked for cannot run here (its dependencies do not import)."""


@dataclass(frozen=True)
class Context:
    """What an engine gets for one CSV resource: its plan, the reference and rule
    layers it feeds, the resource's number in the reference layer, the caps, and
    when loading where to keep what it validated."""

    plan: ResourcePlan
    refs: References
    rules: Rules
    index: int
    limits: Limits
    #: when loading (``bilat.load``): where the engine keeps the cells of the rows it
    #: validates itself, which the row engine then never sees (see bilat.validation.bulk)
    keep: Collected | None = None


@dataclass(frozen=True)
class Engine:
    """One way to validate CSV resources."""

    name: str
    #: whether its dependencies import here
    available: Callable[[], bool]
    #: the smallest CSV file ``auto`` gives it, in bytes (None: never)
    auto_min_bytes: int | None = None
    #: its way through one resource (None: the row engine reads every row)
    fast_path: Callable[[Context], FastPath] | None = None
    #: what it needs, named when it is unavailable
    needs: str = ""
    #: the fewest rows (estimated) of a package's record tables from which ``auto``
    #: gives it the whole package (None: never)
    auto_min_package_rows: int | None = None
    #: its own layer 4, when asked for by name (None: the References dict):
    #: called with the report's add, its cap per (resource, code) and a way to count
    #: findings the engine leaves out as omitted
    references: Callable[..., References] | None = None
    #: why it cannot run here, or None (None in place of the function: it runs when
    #: :attr:`available` says so, and :attr:`needs` says what it lacks)
    problem: Callable[[], str | None] | None = None
