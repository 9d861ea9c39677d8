"""Layer 4: every id a record names exists, ids are unique, and kinds are allowed.

One generic check reads each model's reference declarations (:class:`RefTo`), so
list fields and single fields, of every record type, are checked the same way.
Ids are packed into one integer per record (kind, resource, row) to keep memory
small on large packages; references to records not yet seen wait until the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bilat.findings import Finding
from bilat.models import RECORD_TYPES, reference_fields
from bilat.tables import foreign_key_fields
from bilat.validation.descriptor import ResourcePlan
from bilat.validation.records import INVALID

if TYPE_CHECKING:
    from bilat.validation.rules import SpanBlocks

_KINDS = list(RECORD_TYPES)
_KIND_INDEX = {k: i for i, k in enumerate(_KINDS)}
#: a record's key: its kind (7 bits), resource (16 bits: the parts of a multi-file
#: resource count one each) and row (40 bits), 63 bits in all so that it fits a signed
#: 64-bit integer (the sql engine keeps keys in DuckDB's BIGINT)
ROW_BITS = 40
RESOURCE_BITS = 16
MAX_RESOURCES = 1 << RESOURCE_BITS
_ROW_BITS = ROW_BITS
_KIND_SHIFT = _ROW_BITS + RESOURCE_BITS


#: The bits of a record's key below its kind: resource number and row, which order
#: records as they were read (resources in reading order, rows ascending).
ORDER_BITS = _KIND_SHIFT


def kind_index(kind: str) -> int:
    """The number of record type *kind* in keys (see :meth:`References.kind_of`)."""
    return _kind_index(kind)


def _kind_index(kind: str) -> int:
    index = _KIND_INDEX.get(kind)
    if index is None:  # a record type registered after this module was imported
        if len(_KINDS) >= 1 << (63 - _KIND_SHIFT):
            raise ValueError(f"too many record types to key records by ({len(_KINDS)})")
        _KINDS.append(kind)
        index = _KIND_INDEX[kind] = len(_KINDS) - 1
    return index


@cache
def _ref_specs(kind: str) -> tuple[tuple[str, tuple[str, ...], frozenset[str], bool], ...]:
    """Each reference field of *kind*: name, kinds in order, kinds as a set, is-a-list."""
    fields = reference_fields(RECORD_TYPES[kind])
    return tuple((f.name, f.kinds, frozenset(f.kinds), f.many) for f in fields)


class References:
    """Collects ids and references across a package and reports problems."""

    def __init__(self, emit: Callable[[Finding | None], None]) -> None:
        self.emit = emit
        self.ids: dict[str, int] = {}
        self.resources: list[ResourcePlan] = []
        self._bases: list[int] = []
        self._verified: dict[frozenset[str], set[str]] = {}
        self._deferred: list[tuple[str, tuple[str, ...], int, int, str]] = []
        #: The resources (by number) that are a later part of a multi-file Parquet
        #: resource: Frictionless reads only a Parquet resource's first part, so a
        #: reference resolved only there fails in Frictionless.
        self.past_first: set[int] = set()
        #: Kinds whose resource could not be read in full: a reference that might
        #: point into one is not reported as dangling, since the id may be there.
        self.incomplete: set[str] = set()

    #: Whether ids and references are checked only at :meth:`finish` (a store that
    #: keeps them outside Python, such as the sql engine's): :meth:`taken` then finds
    #: nothing and :meth:`unresolved` resolves nothing until the end.
    deferred = False

    def _pack(self, kind: str, resource: int, row: int) -> int:
        return ((_kind_index(kind) << RESOURCE_BITS | resource) << _ROW_BITS) | row

    def _unpack(self, packed: int) -> tuple[str, ResourcePlan, int]:
        row = packed & ((1 << _ROW_BITS) - 1)
        rest = packed >> _ROW_BITS
        return _KINDS[rest >> RESOURCE_BITS], self.resources[rest & (MAX_RESOURCES - 1)], row

    def where(self, plan: ResourcePlan, row: int) -> str:
        """Row *row* of the resource *plan*, naming its file when it is not the one of
        the resource's own name (a part of a multi-file resource, for one)."""
        if Path(plan.path).stem == plan.name:
            return f"row {row} of {plan.name}"
        return f"row {row} of {plan.name} ({plan.path})"

    def start(self, plan: ResourcePlan) -> int:
        """Begin a resource; returns its index for :meth:`register`."""
        index = len(self.resources)
        if index >= MAX_RESOURCES:
            raise ValueError(f"more than {MAX_RESOURCES} record files in one package")
        self.resources.append(plan)
        self._bases.append(self._pack(plan.kind, index, 0))
        if plan.fmt == "parquet" and plan.parts and plan.file != plan.parts[0]:
            self.past_first.add(index)
        return index

    def past_first_part(self, key: int) -> bool:
        """Whether the record with *key* is in a later part of a multi-file Parquet
        resource (see :attr:`past_first`)."""
        return bool(self.past_first) and (key >> _ROW_BITS) & (MAX_RESOURCES - 1) in self.past_first

    def locate(self, key: int) -> tuple[str, ResourcePlan, int]:
        """The kind, resource and row of the record with *key*."""
        return self._unpack(key)

    def key(self, resource: int, row: int) -> int:
        """The key of the record at *row* of resource number *resource*."""
        return self._bases[resource] | row

    def kind_of(self, key: int) -> str:
        """The kind of the record with *key*."""
        return _KINDS[key >> _KIND_SHIFT]

    def holder(self, record_id: str) -> int | None:
        """The key of the record that holds *record_id* (the first one with it)."""
        return self.ids.get(record_id)

    def taken(self, keyed: dict[str, int]) -> set[str]:
        """The ids of *keyed* (id -> key, a block's rows) already registered."""
        return self.ids.keys() & keyed.keys()  # one probe per id, over the smaller

    def add(self, resource: int, keyed: dict[str, int]) -> None:
        """Register a block's ids of resource number *resource* (id -> key), known
        to be new and each on one row (see :meth:`taken`)."""
        self.ids.update(keyed)

    def add_column(self, resource: int, ids: Any, rows: Any) -> None:
        """Register the ids of a block's valid rows, given as two pyarrow arrays (ids,
        and the row of each) — for a :attr:`deferred` layer, which finds ids taken twice
        at the end; this one registers them one by one."""
        for record_id, row in zip(ids.to_pylist(), rows.to_pylist(), strict=True):
            self.register(resource, row, record_id)

    def register(self, resource: int, row: int, record_id: str) -> None:
        """Record that *record_id* is the id at *row*; report it if already taken."""
        packed = self._bases[resource] | row
        previous = self.ids.setdefault(record_id, packed)
        if previous == packed:
            return
        self.emit(self.taken_twice(packed, previous, record_id))

    def taken_twice(self, key: int, other: int, record_id: str) -> Finding | None:
        """The finding for the record *key* whose id *record_id* the record *other*
        holds already: within one table (a part, for a multi-file one) Frictionless's
        primary-key error, ``unique-error``; across tables, ``duplicate-id``."""
        _kind, plan, row = self._unpack(key)
        _other_kind, other_plan, other_row = self._unpack(other)
        same = other_plan is plan
        return plan.finding(
            "unique-error" if same else "duplicate-id",
            row=row,
            field="id",
            value=record_id,
            detail=str(other_row) if same else self.where(other_plan, other_row),
        )

    def broken(
        self,
        plan: ResourcePlan,
        row: int,
        field: str,
        target: str,
        held: str | None,
        kinds: tuple[str, ...],
        other: int | None = None,
    ) -> Finding | None:
        """The finding for *target*, named at *row* of *plan* in *field*, which no
        record holds (*held* None: ``dangling-reference``), a record of kind *held*
        not among *kinds* holds (``wrong-reference-kind``), or a record in a later part
        of a multi-file Parquet resource holds (*other*, its key:
        ``reference-past-first-part``)."""
        if held is None:
            return plan.finding("dangling-reference", row=row, field=field, value=target)
        if held in kinds and other is not None:
            _kind, holder, holder_row = self._unpack(other)
            return plan.finding(
                "reference-past-first-part",
                row=row,
                field=field,
                value=target,
                detail=self.where(holder, holder_row),
            )
        return plan.finding(
            "wrong-reference-kind",
            row=row,
            field=field,
            value=target,
            detail=f"a {held}; it must name a {' or '.join(kinds)}",
        )

    def check(
        self,
        resource: int,
        row: int,
        kind: str,
        values: dict[str, Any],
        salvage: dict[str, list[str]] | None = None,
    ) -> None:
        """Check the references of one record, given as its field values.

        A field that failed validation is skipped, except the well-formed ids of a
        list field (*salvage*). Targets already found with an allowed kind are
        remembered per set of allowed kinds, so the common case is one set lookup per id.
        """
        verified = self._verified
        for name, kinds, allowed, many in _ref_specs(kind):
            value = values[name]
            if value is None:
                continue
            if value is INVALID:
                if not salvage or name not in salvage:
                    continue
                value = salvage[name]
            ok = verified.get(allowed)
            if ok is None:
                ok = verified[allowed] = set()
            if many:
                for target in value:
                    if target not in ok:
                        self._resolve(target, kinds, allowed, ok, resource, row, name)
            elif value not in ok:
                self._resolve(value, kinds, allowed, ok, resource, row, name)

    def _resolve(
        self,
        target: str,
        kinds: tuple[str, ...],
        allowed: frozenset[str],
        ok: set[str],
        resource: int,
        row: int,
        field: str,
    ) -> None:
        if not self._found(target, allowed, ok):
            self.check_target(target, kinds, resource, row, field)

    def _found(self, target: str, allowed: frozenset[str], ok: set[str]) -> bool:
        """Whether *target* is known with a kind in *allowed* (remembered in *ok*)."""
        if self.deferred:
            return False
        packed = self.ids.get(target)
        if packed is not None and _KINDS[packed >> _KIND_SHIFT] in allowed:
            if self.past_first and self.past_first_part(packed):
                return False  # check_target reports it
            ok.add(target)
            return True
        return False

    def unresolved(self, allowed: frozenset[str], targets: Iterable[str]) -> list[str]:
        """The *targets* not (yet) known with a kind in *allowed*, in order; the others
        are remembered as verified, as :meth:`check` does (engines that check the ids
        of a whole block at once call this, then :meth:`check_target` for each miss)."""
        ok = self._verified.setdefault(allowed, set())
        return [t for t in targets if t not in ok and not self._found(t, allowed, ok)]

    def check_targets(
        self, targets: Any, rows: Any, kinds: tuple[str, ...], resource: int, field: str
    ) -> None:
        """:meth:`check_target` for each of *targets*, named at the row of the same
        position in *rows* (two pyarrow arrays, of strings and of integers: engines
        that read blocks call this for a field's misses)."""
        for target, row in zip(targets.to_pylist(), rows.to_pylist(), strict=True):
            self.check_target(target, kinds, resource, row, field)

    def check_target(
        self, target: str, kinds: tuple[str, ...], resource: int, row: int, field: str
    ) -> None:
        """Check that *target*, named at *row* in *field*, is a record of one of *kinds*;
        an id not seen yet is checked again by :meth:`finish`."""
        packed = self.ids.get(target)
        if packed is None:
            self._deferred.append((target, kinds, resource, row, field))
            return
        kind = _KINDS[packed >> _KIND_SHIFT]
        plan = self.resources[resource]
        # Frictionless never reads a later Parquet part's rows, so checks none of theirs,
        # and checks only the fields its Table Schema declares as foreign keys
        past = (
            self.past_first_part(packed)
            and resource not in self.past_first
            and (plan.kind, field) in foreign_key_fields()
        )
        if kind not in kinds or past:
            self.emit(self.broken(plan, row, field, target, kind, kinds, packed))

    def prefetch(self, ids: Iterable[str]) -> None:
        """Get ready to answer :meth:`holder` for *ids* (here, a dict already can)."""

    def span_store(self) -> SpanBlocks | None:
        """Where layer 5 keeps the spans of the rows the block engines validate, for a
        store that keeps them outside Python too (here, None: in memory)."""
        return None

    def close(self) -> None:
        """Give back what the layer holds outside Python (here, nothing)."""

    def finish(self) -> None:
        """Check the references that named ids not seen at the time."""
        deferred, self._deferred = self._deferred, []
        for target, kinds, resource, row, field in deferred:
            if target in self.ids:
                self.check_target(target, kinds, resource, row, field)
            elif not self.incomplete.intersection(kinds):
                self.emit(self.broken(self.resources[resource], row, field, target, None, kinds))
