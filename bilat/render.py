"""Rendering validation reports: text for people, JSON for programs, GitHub
annotations and SARIF for code review. Reports are data; this module only prints."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from functools import cache
from pathlib import Path, PurePath
from typing import IO, Any

from bilat.findings import CATALOGUE, Finding, Report

#: GitHub workflow command of each severity.
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
#: SARIF result level of each severity.
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def summary(reports: Sequence[Report]) -> dict[str, int]:
    return {
        "errors": sum(len(r.errors) for r in reports),
        "warnings": sum(len(r.warnings) for r in reports),
        "notes": sum(len(r.notes) for r in reports),
        "omitted": sum(sum(r.omitted.values()) for r in reports),
    }


def total(report: Report, severity: str) -> int:
    """Findings of *severity* in *report*, the omitted ones (left out of the list by
    the caps) included."""
    kept = sum(1 for f in report.findings if f.severity == severity)
    return kept + sum(
        n for (_resource, code), n in report.omitted.items() if CATALOGUE[code].severity == severity
    )


def _valid(report: Report, strict: bool) -> bool:
    return report.valid and not (strict and report.warnings)


def write_json(reports: Sequence[Report], out: IO[str], strict: bool = False) -> None:
    """Write the JSON document ``bilat validate --format json`` prints, finding by
    finding, so the text is never held whole in memory (docs/report.schema.json)."""
    out.write('{\n  "valid": ' + json.dumps(all(_valid(r, strict) for r in reports)))
    out.write(',\n  "packages": [')
    for i, r in enumerate(reports):
        out.write(",\n    {" if i else "\n    {")
        out.write(f'"target": {json.dumps(r.target)}, "valid": {json.dumps(_valid(r, strict))}, ')
        out.write(f'"truncated": {json.dumps(r.truncated)},\n      "findings": [')
        for j, f in enumerate(r.findings):
            out.write(",\n        " if j else "\n        ")
            out.write(json.dumps(f.to_dict()))
        out.write("\n      ]," if r.findings else "],")
        out.write(f'\n      "omitted": {json.dumps(r.omitted_list())}\n    }}')
    out.write("\n  ],\n" if reports else "],\n")
    out.write(f'  "summary": {json.dumps(summary(reports))}\n}}\n')


def to_json(reports: Sequence[Report], strict: bool = False) -> str:
    """The JSON document as one string (see :func:`write_json`)."""
    import io

    buffer = io.StringIO()
    write_json(reports, buffer, strict)
    return buffer.getvalue()


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


@cache
def _git_root(folder: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def workspace(start: Path) -> Path | None:
    """The folder annotation paths are relative to: ``GITHUB_WORKSPACE``, else the git
    work tree holding *start*, else None."""
    env = os.environ.get("GITHUB_WORKSPACE")
    if env:
        return Path(env).resolve()
    folder = start if start.is_dir() else start.parent
    root = _git_root(str(folder)) if folder.is_dir() else None
    return Path(root).resolve() if root else None


def finding_file(report: Report, finding: Finding) -> Path | None:
    """The file a finding is in (absolute), when it is one on disk."""
    base = Path(report.target)
    if base.suffix.lower() == ".zip":
        return base.resolve()
    if base.suffix.lower() == ".json" and base.is_file():
        base = base.parent
    if not base.is_dir():
        return None
    return (base / (finding.path or "datapackage.json")).resolve()


def relative_file(report: Report, finding: Finding) -> str | None:
    """The finding's file relative to the workspace (or the current folder outside a
    git work tree); None when it lies outside it."""
    file = finding_file(report, finding)
    if file is None:
        return None
    root = workspace(file) or Path.cwd().resolve()
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return None


def github_lines(report: Report) -> list[str]:
    """One ``::error``, ``::warning`` or ``::notice`` workflow command per finding."""
    lines = []
    for f in report.findings:
        props = []
        file = relative_file(report, f)
        if file:
            props.append(f"file={_escape_property(file)}")
            if f.row is not None and f.pointer is None and not file.endswith(".zip"):
                props.append(f"line={f.row}")
                if f.column is not None:
                    props.append(f"col={f.column}")
        props.append(f"title={_escape_property(f'bilat {f.code}')}")
        where = _where(f)
        message = f"{where}: {f.message}" if where else f.message
        lines.append(f"::{_GITHUB_LEVEL[f.severity]} {','.join(props)}::{_escape_data(message)}")
    for (resource, code), count in sorted(report.omitted.items(), key=str):
        where = f" in {resource}" if resource else ""
        lines.append(
            f"::warning title=bilat omitted::{count} more {code} findings{where} of "
            f"{_escape_data(report.target)} were left out (run with --all-findings to see them)"
        )
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
    """A Markdown summary for ``$GITHUB_STEP_SUMMARY``; each finding names its target."""
    out = ["## bilat validate", "", "| target | errors | warnings | omitted |", "|---|---|---|---|"]
    for r in reports:
        out.append(
            f"| `{r.target}` | {len(r.errors)} | {len(r.warnings)} | {sum(r.omitted.values())} |"
        )
    rows = [(r, f) for r in reports for f in r.findings]
    if rows:
        out += ["", "| target | code | where | message |", "|---|---|---|---|"]
        for r, f in rows[:200]:
            msg = f.message.replace("|", "\\|").replace("\n", " ")
            out.append(f"| `{r.target}` | `{f.code}` | {_where(f) or '—'} | {msg} |")
        if len(rows) > 200:
            out.append(f"| | | | … and {len(rows) - 200} more |")
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
    style_of = {"error": "red", "warning": "yellow", "info": "blue"}
    for r in reports:
        ok = _valid(r, strict)
        status = "[green]valid[/]" if ok else "[red]invalid[/]"
        if strict and r.valid and r.warnings:
            status += " [dim](--strict: warnings fail)[/]"
        console.print(
            f"[bold]{escape(r.target)}[/]: {status} "
            f"({total(r, 'error')} errors, {total(r, 'warning')} warnings)"
        )
        groups: dict[str, list[Finding]] = {}
        for f in r.findings:
            groups.setdefault(f.resource or f.path or "package", []).append(f)
        for group, findings in groups.items():
            console.print(f"  [bold]{escape(group)}[/]")
            for f in findings:
                loc = []
                # rows are numbered in each file of a resource in parts: a file that is
                # not the one of the resource's own name is named with the row
                if f.path and f.resource and PurePath(f.path).stem != f.resource:
                    loc.append(f.path)
                if f.row is not None:
                    loc.append(f"row {f.row}")
                if f.field:
                    loc.append(f.field)
                if f.pointer:
                    loc.append(f.pointer)
                place = f" {escape(', '.join(loc))}:" if loc else ""
                console.print(
                    f"    [{style_of[f.severity]}]{f.severity}[/] [dim]{f.code}[/]{place} "
                    f"{escape(f.message)}"
                )
        for (resource, code), count in sorted(r.omitted.items(), key=str):
            where = f" in {resource}" if resource else ""
            console.print(
                f"  [yellow]… {count} more {code} findings{escape(where)} left out[/] "
                "[dim](--all-findings shows them)[/]"
            )


def _sarif_result(r: Report, f: Finding, codes: Sequence[str]) -> dict[str, Any]:
    """One finding of report *r* as a SARIF result."""
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": codes.index(f.code),
        "level": _SARIF_LEVEL[f.severity],
        "message": {"text": (_where(f) + ": " if _where(f) else "") + f.message},
        "properties": {"target": r.target, **({"rule": f.rule} if f.rule else {})},
    }
    file = relative_file(r, f)
    if file:
        location: dict[str, Any] = {"artifactLocation": {"uri": file}}
        if f.row is not None and f.pointer is None and not file.endswith(".zip"):
            region: dict[str, Any] = {"startLine": f.row}
            if f.column is not None:
                region["startColumn"] = f.column
            location["region"] = region
        result["locations"] = [{"physicalLocation": location}]
    return result


def write_sarif(reports: Sequence[Report], out: IO[str]) -> None:
    """SARIF 2.1.0 for GitHub code scanning: one run, a rule per finding code."""
    from bilat.about import __version__

    codes = list(CATALOGUE)
    rules = [
        {
            "id": c.code,
            "name": "".join(p.capitalize() for p in c.code.split("-")),
            "shortDescription": {"text": c.template.replace("{", "").replace("}", "")},
            "fullDescription": {"text": f"{c.layer} layer: {c.advice}"},
            "help": {"text": c.advice},
            "defaultConfiguration": {"level": _SARIF_LEVEL[c.severity]},
            "properties": {"layer": c.layer, "frictionless": list(c.frictionless)},
        }
        for c in CATALOGUE.values()
    ]
    results = []
    notices = []
    for r in reports:
        results += [_sarif_result(r, f, codes) for f in r.findings]
        for (resource, code), count in sorted(r.omitted.items(), key=str):
            notices.append(
                {
                    "level": "warning",
                    "message": {
                        "text": f"{count} more {code} findings in {resource or 'the package'} "
                        f"of {r.target} were left out"
                    },
                }
            )
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notices:
        invocation["toolExecutionNotifications"] = notices
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "bilat",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "invocations": [invocation],
                "results": results,
            }
        ],
    }
    out.write(json.dumps(doc, indent=2) + "\n")


def codes_table() -> list[dict[str, Any]]:
    """The catalogue as rows: code, layer, severity, message template, advice, and the
    Frictionless error types each code matches."""
    return [
        {
            "code": c.code,
            "layer": c.layer,
            "severity": c.severity,
            "template": c.template,
            "advice": c.advice,
            "frictionless": list(c.frictionless),
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
        "| code | layer | severity | message | what to do | Frictionless types |",
        "|---|---|---|---|---|---|",
    ]
    for c in CATALOGUE.values():
        template = c.template.replace("|", "\\|")
        matched = ", ".join(f"`{t}`" for t in c.frictionless)
        lines.append(
            f"| `{c.code}` | {c.layer} | {c.severity} | {template} | {c.advice} | {matched} |"
        )
    return "\n".join(lines) + "\n"
