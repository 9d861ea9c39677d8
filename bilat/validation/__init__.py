"""Layered validation of bilat data packages: ``validate(target) -> Report``.

The five layers (descriptor, structure, records, references, rules) each report
findings; none stops at the first problem and none raises on bad input. Resources
are streamed one row at a time, so memory grows with the number of ids, not with
the size of the rows. Findings come out in one canonical order (see
:class:`bilat.findings.Report`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from bilat import versions
from bilat.findings import DEFAULT_MAX_PER_CODE, Report, make
from bilat.limits import Limits
from bilat.models import Record
from bilat.validation import descriptor, engines, foreign, linked, records, structure
from bilat.validation.bulk import Collected
from bilat.validation.descriptor import ForeignPlan
from bilat.validation.engines import Context, Engine, EngineUnavailable
from bilat.validation.references import References
from bilat.validation.rules import Rules
from bilat.validation.target import Target, TargetError, open_path

__all__ = [
    "ENGINES",
    "EngineUnavailable",
    "Limits",
    "Report",
    "Run",
    "TargetError",
    "execute",
    "validate",
]

#: Ways to validate a CSV resource, by name (the registry is
#: :mod:`bilat.validation.engines`): ``rows`` (the reference), ``columnar`` (whole
#: blocks in columns, with pyarrow; flagged rows still go row by row) and ``auto``
#: (columnar for CSV files of at least 4 MiB when pyarrow imports).
ENGINES = engines.names()


#: Called as progress(resource_name, bytes_read, bytes_total).
Progress = Callable[[str, int, int], None]


@dataclass
class Run:
    """One validation run: its report, its options, and what it read (with *collect*,
    the records, for :func:`bilat.package.read_package` and ``bilat fmt``)."""

    report: Report
    collect: bool
    limits: Limits = field(default_factory=Limits)
    #: the engine asked for (None: ``auto``, by file size)
    engine: Engine | None = engines.REGISTRY["rows"]
    descriptor: dict[str, Any] | None = None
    records: dict[str, list[Record]] = field(default_factory=dict)
    #: read a package that is not a bilat package as one (bilat fmt --adopt)
    adopt: bool = False
    #: whether the package is a bilat package (set by layer 1)
    bilat: bool = True

    #: when collecting: what was kept of each kind (its records are in ``records``
    #: unless the columnar engine kept blocks of it)
    collected: dict[str, Collected] = field(default_factory=dict)
    #: the resources that are not bilat record tables
    foreign: list[ForeignPlan] = field(default_factory=list)
    #: opens the curated package a ``links`` table names (:mod:`bilat.lookup` hands
    #: down the lookup order); None: links are not checked against it (the curated
    #: package's own links, when it is read for another package's)
    linked: Callable[[str | Path], Target] | None = open_path
    #: the kind of the record holding an id, once layer 4 has read every resource
    kind_of: Callable[[str], str | None] | None = None
    #: whether the engine may keep layer 4 its own way (False when ``kind_of`` must
    #: answer after the run: the curated package a links table names)
    own_layer4: bool = True
    #: called with each valid record (its kind, its row number, the record) as it is
    #: read, when not collecting (``bilat fmt`` writes it out rather than keep it); a
    #: kind read this way has an empty list in ``records``
    sink: Callable[[str, int, Record], None] | None = None
    #: read every row with the row engine, so that each valid record reaches *sink*,
    #: with layer 4 kept where the engine asked for (or ``auto``'s for the package)
    #: keeps it: in DuckDB for the sql engine (``bilat link``)
    rows_only: bool = False


def validate(
    target: str | Path,
    *,
    max_findings: int | None = None,
    max_per_code: int | None = DEFAULT_MAX_PER_CODE,
    progress: Progress | None = None,
    limits: Limits | None = None,
    engine: str | None = None,
    opener: Callable[[str | Path], Target] = open_path,
    linked: Callable[[str | Path], Target] | None = None,
) -> Report:
    """Validate the package *target* names and return every finding.

    *target* is a package folder, a datapackage.json or a .zip of a package, opened by
    *opener* (:func:`bilat.lookup.validate` passes the one lookup order, which also
    takes the names of datasets and releases); the curated package a ``links`` table
    names is opened by *linked* (by default *opener*). A target that cannot be opened at all gives a report
    with one ``target-unreadable`` finding. At most *max_per_code* findings are kept
    for each resource and code (None: all), and at most *max_findings* in all; the
    report's ``omitted`` counts the rest. *engine* is one of :data:`ENGINES` (by
    default the ``BILAT_ENGINE`` environment variable, else ``auto``); every engine
    gives the same report. This function does not raise on bad input; it raises
    ValueError for an unknown engine and :class:`EngineUnavailable` for
    ``engine="columnar"`` without pyarrow.

    >>> validate("no/such/folder").counts()
    Counter({'target-unreadable': 1})
    """
    if engine is None:
        engine = engines.from_environment()
    chosen = engines.get(engine)
    report = Report(str(target), max_findings=max_findings, max_per_code=max_per_code)
    try:
        with opener(target) as tgt:
            run = Run(
                report,
                collect=False,
                limits=limits or Limits(),
                engine=chosen,
                linked=linked or opener,
            )
            execute(tgt, run, progress)
    except TargetError as exc:
        report.findings.append(make("target-unreadable", detail=str(exc)))
    return report.finish()


def execute(tgt: Target, run: Run, progress: Progress | None) -> None:
    """Run the layers over the opened package *tgt*; a bug becomes an ``internal-error``
    finding, never a traceback."""
    # Validation allocates millions of short-lived objects and creates no cycles
    # worth collecting mid-run; the collector runs again once it is re-enabled.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        _layers(tgt, run, progress)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a bug must not become a traceback: report it
        detail = f"{type(exc).__name__}: {exc}"[:500]
        run.report.findings.append(make("internal-error", detail=detail))
    finally:
        if gc_was_enabled:
            gc.enable()


def _layers(tgt: Target, run: Run, progress: Progress | None) -> None:
    report = run.report
    result = descriptor.check(tgt.root, tgt.descriptor, adopt=run.adopt)
    run.descriptor = result.descriptor
    run.bilat = result.bilat

    run.foreign = result.foreign
    if run.engine is None:  # auto: a large package goes whole to the engine for its size
        run.engine = engines.for_package([(p.fmt, p.file) for p in result.plans])
    if run.rows_only:
        run.engine = engines.rows_with_layer4_of(run.engine)
    report.set_resource_order(result.order)
    report.extend(result.findings)
    refs = _references(run)
    try:
        rules = Rules(
            report.add,
            tgt.root,
            refs.holder,
            votes_known="vote" in versions.kinds(result.version),
            span_blocks=refs.span_store(),
            unread=refs.incomplete,
        )
        refs.incomplete.update(result.unread)
        # claims are read first: the records they are about are then recognised as they pass
        plans = sorted(result.plans, key=lambda p: p.kind != "claim")
        for plan in plans:
            _resource(plan, run, refs, rules, progress)
        refs.finish()
        if refs.deferred:
            refs.prefetch(rules.wanted())
        _finish(tgt, run, result, plans, refs, rules)
    finally:
        refs.close()


def _references(run: Run) -> References:
    """Layer 4: the engine's own, when one was asked for by name and has one."""
    report = run.report
    engine = run.engine
    if engine is None or engine.references is None or not run.own_layer4:
        return References(report.add)
    return engine.references(report.add, report.max_per_code, report.omit)


def _finish(
    tgt: Target,
    run: Run,
    result: descriptor.DescriptorResult,
    plans: list[descriptor.ResourcePlan],
    refs: References,
    rules: Rules,
) -> None:
    """Layer 5's finish steps, then the resources that are not record tables and the
    links table, once every record resource has been read."""
    report = run.report

    def kind_of(record_id: str) -> str | None:
        key = refs.holder(record_id)
        return None if key is None else refs.kind_of(key)

    run.kind_of = kind_of
    rules.finish(kind_of)
    if result.descriptor is not None and result.foreign:
        gate = report.wants if report.max_per_code is not None else None
        foreign.check(tgt.root, result.descriptor, result.foreign, run.limits, report.add, gate)
    links = [p for p in plans if p.kind == "link"]
    if result.descriptor is not None and links and run.linked is not None:
        open_curated = partial(_curated, run)
        report.extend(
            linked.check_plan(
                tgt.root, result.descriptor, links[0], open_curated, run.limits.max_json_bytes
            )
        )


def _curated(run: Run, spec: str, root: Path) -> linked.Curated:
    """The curated package *spec* names (relative to the events package at *root*),
    opened by ``run.linked`` and validated with default limits, its own links unchecked;
    raises :class:`bilat.validation.linked.CuratedInvalid` when it has errors."""
    assert run.linked is not None
    target = linked.near(spec, root)
    report = Report(target)
    inner = Run(report, collect=False, engine=run.engine, linked=None, own_layer4=False)
    try:
        with run.linked(target) as tgt:
            report.target = tgt.label
            execute(tgt, inner, None)
    except TargetError as exc:
        report.findings.append(make("target-unreadable", detail=str(exc)))
    report.finish()
    if not report.valid:
        errors = report.errors
        first = errors[0].message if errors else "invalid package"
        raise linked.CuratedInvalid(f"{report.target}: {len(errors)} error(s); first: {first}")
    found = inner.descriptor or {}
    version = found.get("version")
    assert inner.kind_of is not None
    return linked.Curated(
        str(found.get("name", "")), None if version is None else str(version), inner.kind_of
    )


def _rows(
    plan: descriptor.ResourcePlan,
    run: Run,
    ctx: Context,
    total: int,
    progress: Progress | None,
) -> Iterator[structure.Row]:
    """Layer 2 over one resource of *total* bytes: its rows, read by the engine
    :func:`bilat.validation.engines.for_file` picks (JSON resources by the row engine)."""
    emit = run.report.add
    tick = None
    if progress is not None:
        progress(plan.name, 0, total)
        tick = lambda done, name=plan.name, total=total: progress(name, done, total)  # noqa: E731
    if plan.fmt == "json":
        return structure.check_json(plan, emit, run.limits)
    fast = None
    fast_path = engines.for_file(run.engine, total).fast_path
    if fast_path is not None:
        fast = fast_path(ctx)
    if plan.fmt == "parquet":  # a batch of rows at a time
        return structure.check_parquet(plan, emit, run.limits, fast)
    return structure.check_csv(plan, emit, tick, run.limits, fast)


def _resource(
    plan: descriptor.ResourcePlan,
    run: Run,
    refs: References,
    rules: Rules,
    progress: Progress | None,
) -> None:
    """Layers 2 to 5 over one resource (layers 4 and 5 finish after the last one)."""
    # long: the per-row hot loop of layers 3 to 5, its names bound once in locals, and the rows closed however it ends
    report = run.report
    emit = report.add

    if report.max_per_code is not None:
        plan.gate = report.wants
    index = refs.start(plan)
    check_record = records.checker(plan, emit)
    try:
        total = plan.file.stat().st_size
    except OSError:
        total = 0
    # what loading keeps: the row engine's records with their lines; the columnar
    # engine keeps the cells of its valid rows (see bilat.validation.bulk)
    kept = run.collected.setdefault(plan.kind, Collected()) if run.collect else None
    numbered = None if kept is None else kept.numbered
    sink = run.sink
    if sink is not None and kept is None:
        run.records.setdefault(plan.kind, [])
    else:
        sink = None
    already = 0 if numbered is None else len(numbered)
    rows = _rows(plan, run, Context(plan, refs, rules, index, run.limits, kept), total, progress)
    # the hot loop: one iteration per row, so methods are bound once
    register, check_refs, observe, kind = refs.register, refs.check, rules.observe, plan.kind
    base = refs.key(index, 0)
    invalid = records.INVALID
    try:
        for row in rows:
            number = row.row
            checked = check_record(row)
            record = checked.record
            if record is not None:
                register(index, number, record.id)
                values = checked.values
                check_refs(index, number, kind, values)
                observe(plan, number, kind, values, True, base | number)
                if numbered is not None:
                    numbered.append((number, record))
                elif sink is not None:
                    sink(kind, number, record)
                continue
            values = checked.values
            record_id = values["id"]
            if record_id is invalid:
                record_id = row.data.get("id")
            if isinstance(record_id, str):
                register(index, number, record_id)
            check_refs(index, number, kind, values, checked.salvage)
            observe(plan, number, kind, values, False, base | number)
    finally:  # the engine's reading threads end with the rows, however the loop ends
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    if kept is not None and not kept.blocks:  # this file's records (a part: after others')
        run.records.setdefault(plan.kind, []).extend(
            record for _row, record in kept.numbered[already:]
        )
    if plan.incomplete:  # set by layer 2 when it stopped reading early
        refs.incomplete.add(plan.kind)
    if progress is not None:
        progress(plan.name, total, total)
