"""The ``bilat`` command line: a thin layer that parses arguments and calls the library."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bilat import __version__

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


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bilat {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Typed models and validated data packages for bilateral diplomacy."""


@schema_app.command("export")
def schema_export(directory: SchemaDir = Path("schema")) -> None:
    """Write one JSON Schema per record type, and the bundle, into DIRECTORY."""
    from bilat import schemas

    written = schemas.export(directory)
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
            f"{len(problems)} schema file(s) out of date: run `bilat schema export {directory}`",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"{directory}: schemas are current", err=True)


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())  # pragma: no cover
