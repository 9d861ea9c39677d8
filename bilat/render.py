"""Rendering validation reports: text for people, JSON for programs, GitHub annotations."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from bilat.findings import CATALOGUE, Finding, Report


def summary(reports: Sequence[Report]) -> dict[str, int]:
    return {
        "errors": sum(len(r.errors) for r in reports),
        "warnings": sum(len(r.warnings) for r in reports),
    }


def to_json(reports: Sequence[Report], strict: bool = False) -> str:
    """The JSON document ``bilat validate --format json`` prints."""
    packages = []
    for r in reports:
        packages.append(
            {
                "target": r.target,
                "valid": r.valid and not (strict and r.warnings),
                "truncated": r.truncated,
                "findings": [f.to_dict() for f in r.findings],
            }
        )
    doc = {
        "valid": all(p["valid"] for p in packages),
        "packages": packages,
        "summary": summary(reports),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def finding_file(report: Report, finding: Finding) -> str | None:
    """The file a finding is in, relative to the working directory where possible."""
    base = Path(report.target)
    if base.suffix.lower() == ".zip":
        return str(base)
    if base.suffix.lower() == ".json" and base.is_file():
        base = base.parent
    if not base.is_dir():
        return None
    name = finding.path or "datapackage.json"
    try:
        return os.path.relpath(base / name)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(base / name)


def github_lines(report: Report) -> list[str]:
    """One ``::error`` or ``::warning`` workflow command per finding."""
    lines = []
    for f in report.findings:
        props = []
        file = finding_file(report, f)
        if file:
            props.append(f"file={_escape_property(file)}")
            csv_row = f.row is not None and f.pointer is None and not file.endswith(".zip")
            if csv_row:
                props.append(f"line={f.row}")
                if f.column is not None:
                    props.append(f"col={f.column}")
        props.append(f"title={_escape_property(f'bilat {f.code}')}")
        where = _where(f)
        message = f"{where}: {f.message}" if where else f.message
        lines.append(f"::{f.severity} {','.join(props)}::{_escape_data(message)}")
    return lines


def _where(f: Finding) -> str:
    parts = []
    if f.resource:
        parts.append(f.resource)
    if f.row is not None:
        parts.append(f"row {f.row}")
    if f.field:
        parts.append(f.field)
    if f.pointer and f.pointer != "":
        parts.append(f"at {f.pointer}")
    return ", ".join(parts)


def step_summary(reports: Sequence[Report]) -> str:
    """A Markdown summary for ``$GITHUB_STEP_SUMMARY``."""
    out = ["## bilat validate", "", "| target | errors | warnings |", "|---|---|---|"]
    for r in reports:
        out.append(f"| `{r.target}` | {len(r.errors)} | {len(r.warnings)} |")
    rows = [(r, f) for r in reports for f in r.findings]
    if rows:
        out += ["", "| code | where | message |", "|---|---|---|"]
        for r, f in rows[:200]:
            msg = f.message.replace("|", "\\|").replace("\n", " ")
            out.append(f"| `{f.code}` | {_where(f) or r.target} | {msg} |")
        if len(rows) > 200:
            out.append(f"| | | … and {len(rows) - 200} more |")
    return "\n".join(out) + "\n"


def text(reports: Sequence[Report], out: IO[str], color: bool, strict: bool = False) -> None:
    """Findings grouped by package and resource, coloured on a terminal.

    With *strict*, a package with warnings is shown as invalid, as the exit code says.
    """
    from rich.console import Console
    from rich.markup import escape

    console = Console(
        file=out, force_terminal=color, no_color=not color, highlight=False, soft_wrap=True
    )
    for r in reports:
        ok = r.valid and not (strict and r.warnings)
        status = "[green]valid[/]" if ok else "[red]invalid[/]"
        if strict and r.valid and r.warnings:
            status += " [dim](--strict: warnings fail)[/]"
        console.print(
            f"[bold]{escape(r.target)}[/]: {status} ({len(r.errors)} errors, {len(r.warnings)} warnings)"
        )
        groups: dict[str, list[Finding]] = {}
        for f in r.findings:
            groups.setdefault(f.resource or f.path or "package", []).append(f)
        for group, findings in groups.items():
            console.print(f"  [bold]{escape(group)}[/]")
            for f in findings:
                style = "red" if f.severity == "error" else "yellow"
                loc = []
                if f.row is not None:
                    loc.append(f"row {f.row}")
                if f.field:
                    loc.append(f.field)
                if f.pointer:
                    loc.append(f.pointer)
                place = f" {escape(', '.join(loc))}:" if loc else ""
                console.print(
                    f"    [{style}]{f.severity}[/] [dim]{f.code}[/]{place} {escape(f.message)}"
                )
        if r.truncated:
            console.print(f"  [yellow]report capped at {r.max_findings} findings[/]")


def codes_table() -> list[dict[str, Any]]:
    """The catalogue as rows: code, layer, severity, message template, advice."""
    return [
        {
            "code": c.code,
            "layer": c.layer,
            "severity": c.severity,
            "template": c.template,
            "advice": c.advice,
        }
        for c in CATALOGUE.values()
    ]


def codes_markdown() -> str:
    """The catalogue as the Markdown page ``docs/findings.md`` (checked fresh in tests)."""
    lines = [
        "# Finding codes",
        "",
        "Generated by `bilat codes --format markdown`; do not edit by hand.",
        "",
        "| code | layer | severity | message | what to do |",
        "|---|---|---|---|---|",
    ]
    for c in CATALOGUE.values():
        template = c.template.replace("|", "\\|")
        lines.append(f"| `{c.code}` | {c.layer} | {c.severity} | {template} | {c.advice} |")
    return "\n".join(lines) + "\n"
