"""The ``bilat`` command line: a thin layer that parses arguments and calls the library."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from bilat.about import __version__
from bilat.limits import Limits

app = typer.Typer(
    name="bilat",
    help="Typed models and validated data packages for bilateral diplomacy.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
schema_app = typer.Typer(
    help="Export the JSON Schemas generated from the models, or check they are current.",
    no_args_is_help=True,
)
app.add_typer(schema_app, name="schema")

SchemaDir = Annotated[
    Path,
    typer.Argument(help="Folder of schema files.", file_okay=False),
]


ForceOption = Annotated[
    bool,
    typer.Option("--force", help="Replace files that exist (never a link, device or FIFO)."),
]


def _version(value: bool) -> None:
    if value:
        from bilat.versions import CURRENT, VERSIONS

        typer.echo(
            f"bilat {__version__} (schema version {CURRENT}; validates {', '.join(VERSIONS)})"
        )
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Typed models and validated data packages for bilateral diplomacy."""
    if os.environ.get("BILAT_ENGINE"):  # every command that reads a package uses it
        from bilat.validation import engines

        try:
            engines.get(engines.from_environment())
        except (ValueError, engines.EngineUnavailable) as exc:
            typer.echo(f"bilat: {exc}", err=True)
            raise typer.Exit(2) from None


@schema_app.command("export")
def schema_export(
    directory: Annotated[Path, typer.Argument(help="Folder of schema files.")] = Path("schema"),
    force: ForceOption = False,
) -> None:
    """Write one JSON Schema per record type, and the bundle, into DIRECTORY
    (--force to replace the files there).

    Exit 0: written. 1: DIRECTORY or a file in it cannot be written (nothing is
    replaced without --force). 2: usage error.
    """
    from bilat import schemas
    from bilat.files import WriteRefused

    try:
        written = schemas.export(directory, force=force)
    except WriteRefused as exc:
        raise _fail("schema export", str(exc), 1) from None
    except OSError as exc:
        raise _fail("schema export", _cannot_write(exc, directory), 1) from None
    typer.echo(f"wrote {len(written)} schema files to {directory}", err=True)


@schema_app.command("check")
def schema_check(directory: SchemaDir = Path("schema")) -> None:
    """Exit 1 and name every stale or missing schema file in DIRECTORY; 0 when current."""
    from bilat import schemas

    problems = schemas.check(directory)
    for problem in problems:
        typer.echo(problem)
    if problems:
        typer.echo(
            f"{len(problems)} schema file(s) out of date: "
            f"run `bilat schema export --force {directory}`",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"{directory}: schemas are current", err=True)


#: Options shared by the commands that find packages when given no target.
ExcludeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        help="With no TARGET: skip paths matching this glob (repeatable).",
        show_default=False,
    ),
]
AllowEmptyOption = Annotated[
    bool,
    typer.Option(
        "--allow-empty",
        help="With no TARGET: exit 0 when no package is found (for pre-commit hooks).",
    ),
]


class Format(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


class CodesFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _fail(command: str, message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"bilat {command}: {message}", err=True)
    return typer.Exit(code)


def _cannot_write(exc: OSError, fallback: object) -> str:
    """'cannot write FILE: reason', naming the file that failed."""
    return f"cannot write {exc.filename or fallback}: {exc.strerror or exc}"


class Engine(str, Enum):
    auto = "auto"
    columnar = "columnar"
    rows = "rows"
    sql = "sql"


def _on_spark(chosen: str, master: str, named: bool) -> str:
    """The engine that runs the sql engine's checks on the Spark *master*; a usage
    error when another engine was named, or when Spark cannot run here."""
    from bilat.validation.engines import spark as on_spark

    if not master.strip():
        raise _fail("validate", "--spark needs a master: local[*], a master URL or sc://host:port")
    if chosen not in ("sql", "auto") and named:
        raise _fail("validate", f"--spark runs the sql engine, not --engine {chosen}")
    problem = on_spark.problem(master)
    if problem is not None:
        raise _fail("validate", f"--spark {on_spark.shown(master)}: {problem}")
    on_spark.use(master, checked=True)  # the engine does not ask again for each target
    return "spark"


@app.command("validate")
def validate_cmd(
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="Package folders, datapackage.json files, .zip files or bundled dataset "
            "names. Default: every datapackage.json under the current folder.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        Format,
        typer.Option("--format", "-f", help="Output: text, json, github annotations or sarif."),
    ] = Format.text,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    max_findings: Annotated[
        int | None,
        typer.Option("--max-findings", min=1, help="Keep at most N findings per package."),
    ] = None,
    all_findings: Annotated[
        bool,
        typer.Option(
            "--all-findings",
            help="Keep every finding (by default at most 1,000 per resource and code).",
        ),
    ] = False,
    bundled_too: Annotated[
        bool, typer.Option("--bundled", help="Also validate the datasets bundled with bilat.")
    ] = False,
    exclude: ExcludeOption = None,
    allow_empty: AllowEmptyOption = False,
    max_resource_bytes: Annotated[
        int, typer.Option("--max-resource-bytes", min=1, help="Largest resource file read.")
    ] = Limits.max_resource_bytes,
    max_decompressed_bytes: Annotated[
        int,
        typer.Option("--max-decompressed-bytes", min=1, help="Largest .gz resource once expanded."),
    ] = Limits.max_decompressed,
    max_json_bytes: Annotated[
        int, typer.Option("--max-json-bytes", min=1, help="Largest JSON resource (parsed whole).")
    ] = Limits.max_json_bytes,
    max_cell_chars: Annotated[
        int, typer.Option("--max-cell-chars", min=1, help="Longest CSV cell.")
    ] = Limits.max_cell,
    max_row_chars: Annotated[
        int, typer.Option("--max-row-chars", min=1, help="Longest CSV row (all its lines).")
    ] = Limits.max_row,
    engine: Annotated[
        Engine | None,
        typer.Option(
            "--engine",
            help="How CSV tables are read: columnar (whole blocks, with pyarrow), sql "
            "(whole blocks, checked in DuckDB; needs bilat\\[duckdb]), rows (one row at a "
            "time, the reference) or auto (columnar for large files; docs/scale.md). "
            "Every engine gives the same report. Default: $BILAT_ENGINE, else auto.",
            show_default=False,
        ),
    ] = None,
    spark: Annotated[
        str | None,
        typer.Option(
            "--spark",
            metavar="MASTER",
            help="Run the sql engine's checks on Spark: local[*], a cluster's master URL, "
            "or a Spark Connect sc:// URL (needs bilat\\[spark]; docs/scale.md). "
            "Default: $BILAT_SPARK_MASTER unless --engine names another engine than sql, "
            "else not on Spark.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Validate data packages through five layers.

    Exit 0: no errors. 1: errors (or warnings with --strict). 2: usage error, or a
    target that cannot be opened.
    """
    # long: most lines are the options, declared in the signature as typer wants
    from bilat import render
    from bilat.datasets import bundled
    from bilat.lookup import validate
    from bilat.validation import EngineUnavailable

    names = _targets(
        "validate", targets, exclude, allow_empty, list(bundled()) if bundled_too else []
    )
    per_code = None if all_findings else 1000
    limits = Limits(
        max_resource_bytes=max_resource_bytes,
        max_decompressed=max_decompressed_bytes,
        max_json_bytes=max_json_bytes,
        max_cell=max_cell_chars,
        max_row=max_row_chars,
    )
    progress = _progress_bar() if sys.stderr.isatty() and fmt is Format.text else None
    chosen = engine.value if engine is not None else os.environ.get("BILAT_ENGINE") or "auto"
    if chosen not in {e.value for e in Engine}:
        choices = ", ".join(e.value for e in Engine)
        raise _fail(
            "validate", f"BILAT_ENGINE must be one of {choices} (Spark: --spark), not {chosen!r}"
        )
    if spark is None and (engine is None or engine is Engine.sql):
        spark = os.environ.get("BILAT_SPARK_MASTER") or None
    before = None
    if spark is not None:
        from bilat.validation.engines.spark import chosen as spark_before

        before = spark_before()
        chosen = _on_spark(chosen, spark, engine is not None)
    reports = []
    try:
        for name in names:
            if progress is not None:
                with progress as bar:
                    reports.append(
                        validate(
                            name,
                            max_findings=max_findings,
                            max_per_code=per_code,
                            progress=bar,
                            limits=limits,
                            engine=chosen,
                        )
                    )
            else:
                reports.append(
                    validate(
                        name,
                        max_findings=max_findings,
                        max_per_code=per_code,
                        limits=limits,
                        engine=chosen,
                    )
                )
    except EngineUnavailable as exc:
        raise _fail("validate", f"{exc}; install it, or use --engine rows") from None
    finally:
        if spark is not None:
            from bilat.validation.engines import spark as on_spark

            on_spark.use(before)  # what a caller in this process had chosen
            if chosen == "spark":
                from bilat.validation.engines.spark.engine import release

                release()
    out = _stdout()
    if fmt is Format.json:
        render.write_json(reports, out, strict=strict)
    elif fmt is Format.sarif:
        render.write_sarif(reports, out)
    elif fmt is Format.github:
        for report in reports:
            for line in render.github_lines(report):
                out.write(line + "\n")
        summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_path:
            with open(summary_path, "a", encoding="utf-8") as f:
                f.write(render.step_summary(reports))
    else:
        render.text(reports, out, color=_color(), strict=strict)
    out.flush()
    if any(f.code == "target-unreadable" for r in reports for f in r.findings):
        raise typer.Exit(2)
    failed = any(not r.valid or (strict and r.warnings) for r in reports)
    raise typer.Exit(1 if failed else 0)


def _targets(
    command: str,
    targets: list[str] | None,
    exclude: list[str] | None,
    allow_empty: bool,
    also: list[str] | None = None,
) -> list[str]:
    """The targets named (then *also*), else the packages found under the current
    folder; with none, exit 0 (*allow_empty*) or 2, saying where bilat looked."""
    from bilat.datasets import bundled
    from bilat.discover import DiscoveryError, discover

    names = list(targets or [])
    if not names:
        try:
            names = [os.path.relpath(p) for p in discover(Path.cwd(), exclude)]
        except DiscoveryError as exc:
            raise _fail(command, str(exc)) from None
    names += [n for n in also or [] if n not in names]
    if names:
        return names
    if allow_empty:
        typer.echo(f"bilat {command}: no data package found; nothing to do", err=True)
        raise typer.Exit(0)
    raise _fail(
        command,
        f"no datapackage.json found under {Path.cwd()} (hidden folders, virtual "
        "environments, git-ignored paths and excludes are skipped). Name a target: "
        "a package folder, a datapackage.json, a .zip, or a bundled dataset "
        f"({', '.join(bundled()) or 'none'}), or use --bundled.",
    )


def _color() -> bool:
    """Colour on a terminal, unless ``NO_COLOR`` is set (to anything but empty)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _stdout() -> Any:
    """Standard output that can carry any text (undecodable bytes come out escaped)."""
    stream = sys.stdout
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(ValueError, OSError):
            reconfigure(errors="backslashreplace")
    return stream


class _Bar:
    """A rich progress bar on stderr, started only for resources over a few megabytes."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import Progress

        self._progress = Progress(console=Console(stderr=True), transient=True)
        self._tasks: dict[str, Any] = {}
        self._started = False

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._started:
            self._progress.stop()

    def __call__(self, name: str, done: int, total: int) -> None:
        if total < 4 << 20:
            return
        if not self._started:
            self._progress.start()
            self._started = True
        if name not in self._tasks:
            self._tasks[name] = self._progress.add_task(f"validating {name}", total=total)
        self._progress.update(self._tasks[name], completed=done)


def _progress_bar() -> _Bar:
    return _Bar()


@app.command("codes")
def codes_cmd(
    code: Annotated[
        str | None, typer.Argument(help="One code to explain.", show_default=False)
    ] = None,
    fmt: Annotated[
        CodesFormat, typer.Option("--format", "-f", help="Output: text, json or markdown.")
    ] = CodesFormat.text,
) -> None:
    """List every finding code with its layer, severity and advice, or explain one."""
    from bilat.findings import CATALOGUE
    from bilat.render import codes_markdown, codes_table

    rows = codes_table()
    if code is not None:
        if code not in CATALOGUE:
            raise _fail("codes", f"no finding code {code!r}; `bilat codes` lists them")
        rows = [r for r in rows if r["code"] == code]
        if fmt is CodesFormat.text:
            (row,) = rows
            matched = ", ".join(row["frictionless"]) or "none"
            sys.stdout.write(
                f"{row['code']} ({row['layer']} layer, {row['severity']})\n"
                f"  message:      {row['template']}\n"
                f"  what to do:   {row['advice']}\n"
                f"  Frictionless: {matched}\n"
            )
            return
    if fmt is CodesFormat.markdown:
        sys.stdout.write(codes_markdown())
        return
    if fmt is CodesFormat.json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    for row in rows:
        sys.stdout.write(
            f"{row['code']:<30} {row['layer']:<11} {row['severity']:<8} {row['advice']}\n"
        )


@app.command("init")
def init_cmd(
    directory: Annotated[str, typer.Argument(help="Folder for the new package.")],
    name: Annotated[
        str, typer.Option("--name", help="Package name: lowercase letters, digits, . _ -")
    ],
    title: Annotated[str | None, typer.Option("--title", help="Human title.")] = None,
    kinds: Annotated[
        str | None,
        typer.Option(
            "--kinds",
            help="Comma-separated record kinds (engagement,state,...). Default: all.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or json resources.")] = "csv",
) -> None:
    """Start a package that bilat and Frictionless both pass at once: datapackage.json
    with the generated Table Schemas, header-only CSV files, a README stub."""
    import re

    from bilat.package import PackageExists, init_package

    if not directory.strip():  # Path("") is the current folder: say "." for that
        raise _fail("init", "DIRECTORY is empty: name a folder (. for the current one)")
    if not re.match(r"^[a-z0-9._-]+$", name):
        raise _fail("init", f"--name {name!r}: use lowercase letters, digits, '.', '_' or '-'")
    chosen = [k.strip() for k in kinds.split(",") if k.strip()] if kinds else None
    try:
        path = init_package(Path(directory), name=name, title=title, kinds=chosen, fmt=fmt)
    except PackageExists as exc:
        raise _fail("init", str(exc), 1) from None
    except (KeyError, ValueError) as exc:
        raise _fail("init", str(exc)) from None
    except OSError as exc:
        raise _fail("init", f"cannot write {directory}: {exc.strerror or exc}", 1) from None
    typer.echo(f"wrote {path}", err=True)


@app.command("fmt")
def fmt_cmd(
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="Package folders or datapackage.json files. Default: every "
            "datapackage.json under the current folder, found as validate finds them.",
            show_default=False,
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Change nothing; list what would change; exit 1 if any."),
    ] = False,
    upgrade: Annotated[
        bool,
        typer.Option(
            "--upgrade",
            help="Move each package to the newest bilat schema version (new columns "
            "are added empty).",
        ),
    ] = False,
    adopt: Annotated[
        bool,
        typer.Option(
            "--adopt",
            help="Format a package that is not a bilat package as one, of the current "
            "schema version when it declares none (by default it is left as it is, with "
            "a one-line note).",
        ),
    ] = False,
    exclude: ExcludeOption = None,
    allow_empty: AllowEmptyOption = False,
) -> None:
    """Rewrite packages in canonical form: rows sorted by id, one way of writing each
    cell, datapackage.json with the generated Table Schemas of the package's declared
    bilat schema version (unknown resources and extra fields kept). A resource that
    cannot be read is left untouched and reported. A package that is not a bilat
    package is left untouched (one line says so) unless --adopt is given.

    Exit 0: nothing to change (or all written). 1: --check found something to change,
    or a file could not be formatted (each package is reported, and the next one
    formatted). 2: usage error, or a target that is not a package folder or a
    datapackage.json.
    """
    # long: most lines are the options, declared in the signature as typer wants
    from bilat.fmt import not_a_target, plan

    names = _targets("fmt", targets, exclude, allow_empty)
    for name in names:
        why = not_a_target(name)
        if why is not None:
            raise _fail("fmt", why)
    failed = False
    changed = 0
    for name in names:
        result = plan(name, upgrade=upgrade, adopt=adopt)
        if result.skipped:
            typer.echo(f"bilat fmt: {result.skipped}", err=True)
        for problem in result.problems:
            typer.echo(f"bilat fmt: {problem}", err=True)
            failed = True
        refused = result.refused()
        for why in refused.values():
            typer.echo(f"bilat fmt: {why}", err=True)
            failed = True
        if check:
            for path in sorted(set(result.changes) - set(refused)):
                typer.echo(f"would reformat {os.path.relpath(path)}")
                changed += 1
        elif refused:
            typer.echo(f"bilat fmt: {name}: nothing was written", err=True)
        else:
            failed = _fmt_write(result, name) or failed
    if check and changed:
        typer.echo(f"{changed} file(s) would be reformatted", err=True)
    raise typer.Exit(1 if failed or (check and changed) else 0)


def _fmt_write(result: Any, name: str) -> bool:
    """Write the package that *result* (a :class:`bilat.fmt.Formatted`) formats, saying
    each file written; True when it could not be written (said in one line; the caller
    goes on to the next package)."""
    from bilat.files import WriteRefused

    written: list[Path] = []

    def say(path: Path) -> None:
        written.append(path)
        typer.echo(f"reformatted {os.path.relpath(path)}")

    try:
        result.write(say)
    except WriteRefused as exc:
        typer.echo(f"bilat fmt: {exc}", err=True)
        return True
    except OSError as exc:
        none = "" if written else f"; nothing in {name} was written"
        typer.echo(f"bilat fmt: {_cannot_write(exc, name)}{none}", err=True)
        return True
    return False


@app.command("vocab")
def vocab_cmd(
    name: Annotated[
        str | None,
        typer.Argument(help="One vocabulary (default: list them all).", show_default=False),
    ] = None,
    fmt: Annotated[
        CodesFormat, typer.Option("--format", "-f", help="Output: text, json or markdown.")
    ] = CodesFormat.text,
) -> None:
    """List the vocabularies, or one vocabulary's terms (code, label, definition, CAMEO,
    PLOVER)."""
    from bilat.vocab import VOCABULARIES, vocabulary, vocabulary_markdown

    if name is not None and name not in VOCABULARIES:
        raise _fail("vocab", f"no vocabulary {name!r}; known: {', '.join(VOCABULARIES)}")
    names = VOCABULARIES if name is None else (name,)
    if fmt is CodesFormat.markdown:
        sys.stdout.write(vocabulary_markdown(names))
        return
    if fmt is CodesFormat.json:
        docs = [vocabulary(n).model_dump(mode="json") for n in names]
        sys.stdout.write(json.dumps(docs if name is None else docs[0], indent=2) + "\n")
        return
    if name is None:
        for n in names:
            v = vocabulary(n)
            sys.stdout.write(f"{n:<22} {len(v.terms):>3} terms  {v.title}\n")
        return
    for t in vocabulary(name).terms:
        codes = ", ".join(
            f"{k} {v}"
            for k, v in (
                ("CAMEO", t.cameo),
                ("PLOVER", t.plover_event),
                ("mode", t.plover_mode),
                ("context", t.plover_context),
                ("votes", "/".join(t.vote_options) if t.vote_options else None),
            )
            if v
        )
        sys.stdout.write(f"{t.code:<28} {t.label}: {' '.join(t.definition.split())}")
        sys.stdout.write(f" [{codes}]\n" if codes else "\n")


CatalogOption = Annotated[
    str | None,
    typer.Option(
        "--catalog",
        help="Catalog URL or path. Default: each catalog listed in $BILAT_CATALOG "
        "(separated by spaces), then the catalog bundled with bilat.",
        show_default=False,
    ),
]


def _load_for(command: str, target: str) -> Any:
    """The package *target* names, loaded; exit 1 with the first errors if invalid."""
    import bilat
    from bilat.catalog import CatalogError, UnknownDataset
    from bilat.catalog.download import SpecError
    from bilat.package import PackageError

    try:  # BILAT_ENGINE was checked by the root callback
        return bilat.load(target, max_bytes=None)  # export reads any size
    except PackageError as exc:
        unreadable = [f for f in exc.report.errors if f.code == "target-unreadable"]
        if unreadable:  # it does not exist, or cannot be opened: a usage error
            raise _fail(command, unreadable[0].message) from None
        for f in exc.report.errors[:5]:
            where = ", ".join(str(x) for x in (f.resource, f.row, f.field) if x is not None)
            typer.echo(f"bilat {command}: {where + ': ' if where else ''}{f.message}", err=True)
        raise _fail(command, f"{target} is invalid; run bilat validate {target}", 1) from None
    except (SpecError, UnknownDataset) as exc:  # a malformed name, or one nowhere: exit 2
        raise _fail(command, str(exc)) from None
    except CatalogError as exc:
        raise _fail(command, str(exc), 1) from None


class ExportFormat(str, Enum):
    sqlite = "sqlite"
    duckdb = "duckdb"
    parquet = "parquet"
    graphml = "graphml"


def _export_inputs(target: str, pkg: Any) -> list[Path]:
    """The files of the package *target* names that its export must not replace: a
    .zip itself, or a folder's descriptor and what a release of it holds
    (:func:`bilat.release.package_members`; a release in the cache: none)."""
    from bilat.datasets import bundled
    from bilat.release import package_members

    path = Path(target)
    if os.path.lexists(path):
        if path.is_file() and path.suffix.lower() == ".zip":
            return [path]
        root = path if path.is_dir() else path.parent
    else:
        folder = bundled().get(target)
        if folder is None:
            return []
        root = path = Path(folder)
    own = [root / "datapackage.json", *(root / name for name in package_members(root, pkg))]
    return [path, *own]


@app.command("export")
def export_cmd(
    target: Annotated[
        str, typer.Argument(help="Package folder, datapackage.json, .zip, or dataset name.")
    ],
    to: Annotated[ExportFormat, typer.Option("--to", help="The format to write.")],
    out: Annotated[Path, typer.Argument(help="The file to write (a folder for --to parquet).")],
    force: ForceOption = False,
) -> None:
    """Write a validated package as SQLite (with datasette metadata), DuckDB, Parquet
    (one file per table) or GraphML (who met whom).

    Tables: one per record type with typed columns and NULL for absent values, a link
    table per list field, actors and records tables, foreign keys, views resolving
    actors to states; each partial date f as text plus f_earliest and f_latest.

    Every file the export writes is checked before any is written: one that exists is
    replaced only with --force, and never when it is a link, a device, a FIFO or a
    socket, or one of the package's own files (its descriptor, README, CHANGELOG,
    data files, or the .zip).

    Exit 0: written. 1: the package is invalid, or the export cannot be written
    (OUT exists, is not a regular file, or a missing optional dependency). 2: usage
    error, or TARGET does not exist. 130: interrupted (Ctrl-C); nothing is left.
    """
    from bilat.export import ExportError, check_out, export, metadata_path, name_clash, other_names
    from bilat.files import WriteRefused

    try:
        check_out(to.value, out, force=force)  # before the package is read
    except ExportError as exc:
        raise _fail("export", str(exc), 1) from None
    pkg = _load_for("export", target)
    try:
        inputs = _export_inputs(target, pkg)
        path = export(pkg, to.value, out, force=force, inputs=inputs)  # checks every file
    except (ExportError, WriteRefused) as exc:
        raise _fail("export", str(exc), 1) from None
    except OSError as exc:
        raise _fail("export", _cannot_write(exc, out), 1) from None
    typer.echo(f"wrote {path}")
    if to.value == "sqlite":
        typer.echo(f"wrote {metadata_path(path)} (datasette metadata)")
    if to.value != "graphml":
        for resource, table in other_names(pkg).items():
            if table != resource:
                typer.echo(
                    f"the resource {resource!r} is the table {table}: {name_clash(resource)}"
                )


@app.command("card")
def card_cmd(
    target: Annotated[
        str, typer.Argument(help="Package folder, datapackage.json, .zip, or dataset name.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for index.html.")],
    force: ForceOption = False,
) -> None:
    """Write a static HTML data card (OUT/index.html) that works offline and from
    file://: holdings, a timeline of engagements, incidents and their casualties,
    positions with their evidence, votes, coverage, sources, licence and citation.

    An OUT/index.html that exists is replaced only with --force.

    Exit 0: written. 1: the package is invalid, or OUT cannot be written. 2: usage
    error, or TARGET does not exist.
    """
    from bilat.cardhtml import write_card
    from bilat.files import WriteRefused, guard_out, make_folder

    try:
        if os.path.lexists(out):
            guard_out(out, folder=True)
            guard_out(out / "index.html", force=force)
    except WriteRefused as exc:
        raise _fail("card", str(exc), 1) from None
    pkg = _load_for("card", target)
    try:
        make_folder(out)
        guard_out(out / "index.html", force=force)
        path = write_card(pkg, out)
    except WriteRefused as exc:
        raise _fail("card", str(exc), 1) from None
    except OSError as exc:
        raise _fail("card", _cannot_write(exc, out), 1) from None
    typer.echo(f"wrote {path}")


@app.command("build")
def build_cmd(
    target: Annotated[str, typer.Argument(help="Package folder (or its datapackage.json).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the zip and catalog.json.")],
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace a release of the same version that has other bytes "
            "(for a private catalog; published releases are immutable).",
        ),
    ] = False,
) -> None:
    """Validate a package, write NAME-VERSION.zip and list it in OUT/catalog.json."""
    from bilat.catalog import CatalogError
    from bilat.release import build

    if not os.path.lexists(target):
        raise _fail(
            "build", f"{target}: does not exist (give a package folder or its datapackage.json)"
        )
    try:
        entry = build(target, out, force=force)
    except CatalogError as exc:
        typer.echo(f"bilat build: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{out / entry.url}  sha256 {entry.sha256}  {entry.bytes} bytes")


@app.command("download")
def download_cmd(
    spec: Annotated[str, typer.Argument(help="NAME or NAME@VERSION.")],
    catalog: CatalogOption = None,
    dest: Annotated[
        Path | None,
        typer.Option(
            "--dest",
            help="Install under this folder instead of the user cache.",
            show_default=False,
        ),
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Download again even if the release is cached.")
    ] = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="Use the cache only; never the network.")
    ] = False,
) -> None:
    """Download a released package, verify its sha256, validate it and install it.

    Prints the installed folder. A release already installed (and intact) is not
    downloaded again; when no catalog can be read, the highest cached version is used.
    """
    from bilat.catalog import CatalogError
    from bilat.catalog.download import SpecError, download, parse_spec

    try:
        parse_spec(spec)
    except SpecError as exc:
        raise _fail("download", str(exc)) from None
    if refresh and offline:
        raise _fail("download", "--refresh and --offline contradict each other")

    def warn(message: str) -> None:
        typer.echo(f"bilat download: warning: {message}", err=True)

    bar = _download_bar() if sys.stderr.isatty() else None
    try:
        if bar is not None:
            with bar:
                folder = download(
                    spec, catalog, dest, bar, refresh=refresh, offline=offline, warn=warn
                )
        else:
            folder = download(spec, catalog, dest, refresh=refresh, offline=offline, warn=warn)
    except CatalogError as exc:
        raise _fail("download", str(exc), 1) from None
    typer.echo(str(folder))


@app.command("list")
def list_cmd(
    catalog: CatalogOption = None,
    dest: Annotated[
        Path | None, typer.Option("--dest", help="Cache folder to look in.", show_default=False)
    ] = None,
) -> None:
    """List the catalogs' releases and which of them are in the cache."""
    from bilat.catalog import CatalogError
    from bilat.catalog.catalog import load_catalog, locations
    from bilat.catalog.download import cached

    root = _cache_root("list", dest)
    rows = []
    for where in locations(catalog):
        try:
            cat = load_catalog(where)
        except CatalogError as exc:
            raise _fail("list", str(exc), 1) from None
        rows += [(e, cat) for e in cat.entries]
    typer.echo(f"{'name':<24} {'version':<10} {'bytes':>10}  cached  title")
    seen = set()
    for e, _cat in sorted(rows, key=lambda ec: (ec[0].name, ec[0].key)):
        if (e.name, e.version) in seen:
            continue
        seen.add((e.name, e.version))
        mark = "yes" if cached(e, root) else "no"
        typer.echo(f"{e.name:<24} {e.version:<10} {e.bytes:>10}  {mark:<6}  {e.title}")


cache_app = typer.Typer(
    help="Look after the cache of downloaded releases: list, verify, clear.",
    no_args_is_help=True,
)
app.add_typer(cache_app, name="cache")
CacheDest = Annotated[
    Path | None,
    typer.Option(
        "--dest",
        help="Cache folder (default: $BILAT_CACHE_DIR or the user cache).",
        show_default=False,
    ),
]


def _cache_root(command: str, dest: Path | None) -> Path:
    """*dest*, else the cache folder; exit 2 when ``BILAT_CACHE_DIR`` is set but empty."""
    from bilat.cachedir import CacheDirError, cache_root

    try:
        return dest or cache_root()
    except CacheDirError as exc:
        raise _fail(command, str(exc)) from None


@cache_app.command("list")
def cache_list(dest: CacheDest = None) -> None:
    """List the cached releases and whether each is intact (sizes and times)."""
    from bilat.catalog.download import check, releases

    root = _cache_root("cache list", dest)
    typer.echo(f"{root}")
    for name, version, folder in releases(root):
        problem = check(folder)
        typer.echo(
            f"{name:<24} {version:<10} {'intact' if problem is None else 'DAMAGED: ' + problem}"
        )


@cache_app.command("verify")
def cache_verify(dest: CacheDest = None) -> None:
    """Hash every file of every cached release; exit 1 if any is damaged (it is then
    no longer served: download it again)."""
    from bilat.catalog.download import check, releases

    damaged = 0
    for name, version, folder in releases(_cache_root("cache verify", dest)):
        problem = check(folder, full=True)
        if problem is not None:
            damaged += 1
        typer.echo(f"{name}@{version}: {'ok' if problem is None else 'damaged: ' + problem}")
    raise typer.Exit(1 if damaged else 0)


@cache_app.command("clear")
def cache_clear(
    spec: Annotated[
        str | None,
        typer.Argument(
            help="NAME or NAME@VERSION to remove (default: everything).", show_default=False
        ),
    ] = None,
    dest: CacheDest = None,
) -> None:
    """Remove cached releases (all of them, or those of NAME[@VERSION])."""
    import shutil

    from bilat.catalog import CatalogError
    from bilat.catalog.download import parse_spec, releases, sweep

    root = _cache_root("cache clear", dest)
    name = version = None
    if spec is not None:
        try:
            name, version = parse_spec(spec)
        except CatalogError as exc:
            raise _fail("cache clear", str(exc)) from None
    removed = 0
    for n, v, folder in releases(root):
        if (name is None or n == name) and (version is None or v == version):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    tmp = root / ".tmp"
    if spec is None and tmp.is_dir() and not tmp.is_symlink():
        sweep(tmp)  # the work folders of downloads that were killed, never a live one's
    typer.echo(f"removed {removed} release(s) from {root}", err=True)


class _DownloadBar:
    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

        self._progress = Progress(
            *Progress.get_default_columns(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: Any = None

    def __enter__(self) -> _DownloadBar:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)

    def __call__(self, done: int, total: int) -> None:
        if self._task is None:
            self._task = self._progress.add_task("downloading", total=total)
        self._progress.update(self._task, completed=done)


def _download_bar() -> _DownloadBar:
    return _DownloadBar()


@schema_app.command("docs")
def schema_docs(
    output: Annotated[
        Path | None,
        typer.Argument(help="File to write (default: print to stdout).", show_default=False),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Write the Markdown tables of every record type's fields, generated from the models
    (an OUTPUT that exists is replaced only with --force).

    Exit 0: written. 1: OUTPUT cannot be written. 2: usage error.
    """
    from bilat import schemas
    from bilat.files import WriteRefused, atomic_write, guard_out

    text = schemas.fields_markdown()
    if output is None:
        _stdout().write(text)
        return
    try:
        guard_out(output, force=force)
        atomic_write(output, text.encode("utf-8"))
    except WriteRefused as exc:
        raise _fail("schema docs", str(exc), 1) from None
    except OSError as exc:
        raise _fail("schema docs", _cannot_write(exc, output), 1) from None


class _PipeClosed(SystemExit):
    """Standard output's reader has gone (``bilat ... | head -1``): stop, exit 0."""


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that nothing (not even the flush at
    exit) writes to the closed pipe again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
        os.close(devnull)


class _PipeSafe:
    """Standard output that ends the run quietly, exit 0, when its reader closes the
    pipe, instead of a BrokenPipeError (click would exit 1)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except BrokenPipeError:
            _silence_stdout()
            raise _PipeClosed(0) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            _silence_stdout()
            raise _PipeClosed(0) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


# -- bilat import ----------------------------------------------------------------------


@app.command("import")
def import_cmd(
    fmt: Annotated[
        str,
        typer.Argument(metavar="FORMAT", help="icews, gdelt1, gdelt2, polecat, plover or unvotes."),
    ],
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Files to import.")],
    out: Annotated[Path, typer.Option("--out", help="Folder of the package to write.")],
    append: Annotated[
        bool, typer.Option("--append", help="Add to a package an earlier import wrote.")
    ] = False,
    dedupe: Annotated[
        str | None,
        typer.Option(
            "--dedupe",
            help="daily: keep one event per day, actor, recipient and event code.",
            show_default=False,
        ),
    ] = None,
    actors: Annotated[
        Path | None,
        typer.Option(
            "--actors",
            help="A curated package whose actors are matched exactly (ISO3, Wikidata, name).",
            show_default=False,
        ),
    ] = None,
    parquet: Annotated[
        bool | None,
        typer.Option(
            "--parquet/--csv",
            help="Write the coded events as Parquet parts, or as one CSV file "
            "(default: Parquet above 1,000,000 rows, or when appending to Parquet).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Import coded event data (ICEWS, GDELT, POLECAT, PLOVER) or UN General Assembly
    roll calls into a bilat package, streaming; print what became of every row.
    Exit 0: written, nothing rejected; 1: written, some rows rejected; 2: nothing
    written."""
    from bilat.importers import ImportProblem, run_import

    try:
        result = run_import(
            fmt, list(files), out, append=append, dedupe=dedupe, actors=actors, parquet=parquet
        )
    except ImportProblem as exc:
        raise _fail("import", str(exc)) from None
    except OSError as exc:
        raise _fail("import", f"cannot write {out}: {exc.strerror or exc}") from None
    for line in result.summary_lines():
        typer.echo(line)
    for r in result.rejections_shown[:20]:
        typer.echo(f"rejected {r}", err=True)
    if result.rejected_file is not None:
        typer.echo(f"every rejected row: {result.rejected_file}", err=True)
    typer.echo(f"wrote {out / 'datapackage.json'}", err=True)
    if result.total.rejected:
        raise typer.Exit(1)


@app.command("link")
def link_cmd(
    events: Annotated[Path, typer.Argument(metavar="EVENTS", help="Folder of an events package.")],
    curated: Annotated[
        str, typer.Argument(metavar="CURATED", help="A curated package: a path or NAME@VERSION.")
    ],
    accept: Annotated[
        list[str] | None,
        typer.Option("--accept", help="Accept a link (its id).", show_default=False),
    ] = None,
    reject: Annotated[
        list[str] | None,
        typer.Option("--reject", help="Reject a link (its id).", show_default=False),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Who decides (default: the user).", show_default=False),
    ] = None,
    min_score: Annotated[
        float,
        typer.Option("--min-score", min=0.0, max=1.0, help="Propose pairs scoring this or more."),
    ] = 0.3,
) -> None:
    """Propose links from coded events to the curated engagements, statements and votes
    they may report, each with a score and reasons, into the events package's links
    resource; --accept and --reject record a curator's decision. Decisions are kept."""
    from bilat.link import LinkError, run

    try:
        lines = run(
            events, curated, accept=accept or (), reject=reject or (), by=by, min_score=min_score
        )
    except LinkError as exc:
        raise _fail("link", str(exc)) from None
    except OSError as exc:
        raise _fail("link", f"cannot write {events}: {exc.strerror or exc}") from None
    for line in lines:
        typer.echo(line)


def main() -> None:
    """Console-script entry point: a closed standard output (``| head -1``) ends the
    run quietly with exit 0."""
    sys.stdout = _PipeSafe(sys.stdout)
    try:
        code = app()
    except SystemExit as exc:
        code = exc.code
    except MemoryError:  # under a memory limit (ulimit -v, a container's cap)
        sys.stderr.write("bilat: out of memory; nothing was written\n")
        code = 1
    try:
        sys.stdout.flush()
    except SystemExit:  # the pipe closed
        code = 0
    sys.exit(code)  # pragma: no cover
