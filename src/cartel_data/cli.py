"""The ``cartel-data`` command: a thin layer over the Python API.

Only click is imported at start-up; each command imports what it needs.
"""

from __future__ import annotations

import sys

import click

from ._version import __version__

FORMATS = ("text", "json", "github")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="cartel-data")
def cli():
    """Sourced open data on the history of Mexican drug cartels.

    \b
    Examples:
      cartel-data validate                 # the working copy, or the bundled data
      cartel-data validate path/to/package --format github --strict
      cartel-data tables
    """


@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=True, file_okay=True))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, json for programs, github for workflow annotations on a pull request.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def validate(path, fmt, strict):
    """Check a data package: descriptor, structure, types, conventions and cross-table rules.

    PATH is a folder holding datapackage.json, or the descriptor itself. Without PATH,
    ./datapackage.json is validated if there is one, else the bundled package.

    Exit status: 0 valid, 1 invalid, 2 cannot run (unreadable path or descriptor).

    \b
    Example:
      cartel-data validate . --format github
    """
    from .package import PackageError
    from .validation import validate as run

    try:
        report = run(path, strict=strict)
    except PackageError as exc:
        click.echo(f"cartel-data: cannot validate: {exc}", err=True)
        sys.exit(2)
    out = {"text": report.to_text, "json": report.to_json, "github": report.to_github}[fmt]()
    click.echo(out)
    sys.exit(report.exit_code)


@cli.command()
@click.argument("path", required=False, type=click.Path())
def tables(path):
    """List the tables of a package with their row counts and descriptions.

    \b
    Example:
      cartel-data tables
    """
    from .loading import load_all
    from .package import Package, PackageError, bundled_root

    try:
        pkg = Package(bundled_root() if path is None else path)
        frames = load_all(pkg.root)
    except PackageError as exc:
        click.echo(f"cartel-data: {exc}", err=True)
        sys.exit(2)
    for name, res in pkg.resources.items():
        click.echo(f"{name:<20} {len(frames[name]):>6} rows  {res.schema.description}")


EXPORT_FORMATS = ("json", "jsonl", "sqlite", "xlsx", "parquet", "csv")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(), required=True,
              help="File to write (a folder for parquet and csv).")
@click.option("--table", "tables", multiple=True, help="Export only this table; repeat for several. Default: all.")
@click.option("--package", "path", type=click.Path(), default=None,
              help="Package folder or descriptor. Default: ./datapackage.json if present, else the bundled data.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def export(fmt, output, tables, path, force):
    """Write the data in another format: JSON, JSON Lines, SQLite, Excel, Parquet or CSV.

    Writes are atomic (an existing file is untouched if anything fails) and
    deterministic (the same data gives the same bytes).

    \b
    Examples:
      cartel-data export --format sqlite --output cartel-data.sqlite
      cartel-data export --format xlsx -o cartel.xlsx --table persons --table events
    """
    from .export import ExportError
    from .export import export as run
    from .package import PackageError

    try:
        out = run(fmt, output, tables=list(tables) or None, path=path, force=force)
    except (FileExistsError, KeyError, ExportError) as exc:
        click.echo(f"cartel-data: {exc.args[0] if exc.args else exc}", err=True)
        sys.exit(1 if isinstance(exc, ExportError) else 2)
    except PackageError as exc:
        click.echo(f"cartel-data: {exc}", err=True)
        sys.exit(2)
    click.echo(f"wrote {out}")


@cli.command()
@click.option("--output", "-o", type=click.Path(), default=None, help="Write to this file instead of standard output.")
@click.option("--package", "path", type=click.Path(), default=None,
              help="Package folder or descriptor. Default: ./datapackage.json if present, else the bundled data.")
def dictionary(output, path):
    """Print the data dictionary (every table and column) generated from the schemas.

    \b
    Example:
      cartel-data dictionary --output docs/data-dictionary.md
    """
    from pathlib import Path

    from .dictionary import markdown

    text = markdown(path) + "\n"
    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)


@cli.command()
@click.option("--output", "-o", type=click.Path(), default="dist", show_default=True, help="Folder for the release files.")
@click.option("--package", "path", type=click.Path(), default=None,
              help="Package folder or descriptor. Default: ./datapackage.json if present, else the bundled data.")
@click.option("--force", is_flag=True, help="Overwrite release files that already exist.")
def release(output, path, force):
    """Build the open-data release: zip data package, SQLite, Excel, JSON, JSON Lines,
    Parquet and SHA256SUMS, after validating; prints the release notes.

    Refuses invalid data and disagreeing versions (package, descriptor, CHANGELOG).

    \b
    Example:
      cartel-data release --output dist/
    """
    from .package import PackageError
    from .release import ReleaseError
    from .release import release as run

    try:
        result = run(output, path=path, force=force, progress=lambda m: click.echo(f"... {m}", err=True))
    except (ReleaseError, PackageError, FileExistsError) as exc:
        click.echo(f"cartel-data: release refused: {exc}", err=True)
        sys.exit(1)
    click.echo(f"cartel-data {result['version']}: {len(result['files'])} files in {output}")
    for f in result["files"]:
        click.echo(f"  {f.name}")
    click.echo(f"\nRelease notes\n\n{result['notes']}")


def main():  # console-script entry point
    cli(prog_name="cartel-data")


if __name__ == "__main__":
    main()
