"""Layered validation of bilat data packages: ``validate(target) -> Report``.

The five layers (descriptor, structure, records, references, rules) each report
findings; none stops at the first problem and none raises on bad input. Resources
are streamed one row at a time, so memory grows with the number of ids, not with
the size of the rows.
"""

from __future__ import annotations

import csv
import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bilat.findings import FindingLimit, Report, make
from bilat.models import Record
from bilat.validation import descriptor, parallel, records, structure
from bilat.validation.references import References
from bilat.validation.rules import Rules
from bilat.validation.structure import Limits
from bilat.validation.target import Target, TargetError, resolve

__all__ = ["Limits", "Report", "TargetError", "validate"]

#: Called as progress(resource_name, bytes_read, bytes_total).
Progress = Callable[[str, int, int], None]


@dataclass
class _Run:
    report: Report
    collect: bool
    limits: Limits = field(default_factory=Limits)
    descriptor: dict[str, Any] | None = None
    records: dict[str, list[Record]] = field(default_factory=dict)


def validate(
    target: str | Path,
    *,
    max_findings: int | None = None,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> Report:
    """Validate the package *target* names and return every finding.

    *target* is a package folder, a datapackage.json, a .zip of a package, or the
    name of a bundled dataset. A target that cannot be opened at all gives a report
    with one ``target-unreadable`` finding.

    >>> validate("no/such/folder").counts()
    Counter({'target-unreadable': 1})
    """
    report = Report(str(target), max_findings=max_findings)
    try:
        with resolve(target) as tgt:
            _run(tgt, _Run(report, collect=False, limits=limits or Limits()), progress)
    except TargetError as exc:
        report.findings.append(make("target-unreadable", detail=str(exc)))
    return report


def _run(tgt: Target, run: _Run, progress: Progress | None) -> None:
    report = run.report
    old_limit = csv.field_size_limit()
    # Validation allocates millions of short-lived objects and creates no cycles
    # worth collecting mid-run; the collector runs again once it is re-enabled.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        _layers(tgt, run, progress)
    except FindingLimit:
        report.findings.append(make("too-many-findings", detail=str(report.max_findings)))
    finally:
        csv.field_size_limit(old_limit)
        if gc_was_enabled:
            gc.enable()


def _layers(tgt: Target, run: _Run, progress: Progress | None) -> None:
    report = run.report
    result = descriptor.check(tgt.root, tgt.descriptor)
    run.descriptor = result.descriptor
    report.extend(result.findings)
    # set after layer 1, which imports frictionless (it raises the limit process-wide)
    csv.field_size_limit(structure.MAX_CELL)
    refs = References(report.add)
    rules = Rules(report.add, tgt.root)
    refs.incomplete.update(result.unread)
    for plan in result.plans:
        _resource(plan, run, refs, rules, progress)
    refs.finish()
    rules.finish()


def _resource(
    plan: descriptor.ResourcePlan,
    run: _Run,
    refs: References,
    rules: Rules,
    progress: Progress | None,
) -> None:
    """Layers 2 to 5 over one resource (layers 4 and 5 finish after the last one)."""
    report = run.report
    emit = report.add
    index = refs.start(plan)
    before = len(report.findings)
    check_record = records.checker(plan, emit)
    total = plan.file.stat().st_size
    tick = None
    if progress is not None:
        progress(plan.name, 0, total)
        tick = lambda done, name=plan.name, total=total: progress(name, done, total)  # noqa: E731
    parts = None
    if plan.fmt == "csv" and not run.collect and parallel.eligible(plan, run.limits):
        parts = parallel.split(plan)
    tail = parallel.Tail(plan, parts[1], run.limits) if parts else None
    try:
        rows = (
            structure.check_json(plan, emit, run.limits)
            if plan.fmt == "json"
            else structure.check_csv(plan, emit, tick, run.limits, parts[0] if parts else None)
        )
        kept = run.records.setdefault(plan.kind, []) if run.collect else None
        # the hot loop: one iteration per row, so methods are bound once
        register, check_refs, observe, kind = (
            refs.register,
            refs.check,
            rules.observe,
            plan.kind,
        )
        row_id_type = structure.RowId
        for row in rows:
            number = row.row
            if isinstance(row, row_id_type):
                register(index, number, row.id)
                continue
            record = check_record(row)
            if record is None:
                bad_id = row.data.get("id")
                if isinstance(bad_id, str):
                    register(index, number, bad_id)
                continue
            register(index, number, record.id)
            values = record.__dict__
            check_refs(index, number, kind, values)
            observe(plan, number, kind, values)
            if kept is not None:
                kept.append(record)
        if tail is not None:
            for findings, tail_rows in tail.results():
                report.extend(findings)
                for number, record_id, tail_values in tail_rows:
                    if record_id is not None:
                        register(index, number, record_id)
                    if tail_values is not None:
                        check_refs(index, number, kind, tail_values)
                        observe(plan, number, kind, tail_values)
    finally:
        if tail is not None:
            tail.close()
    if any(f.code in structure.INCOMPLETE for f in report.findings[before:]):
        refs.incomplete.add(plan.kind)
    if progress is not None:
        progress(plan.name, total, total)
