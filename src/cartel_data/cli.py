"""The ``cartel-data`` command: a thin layer over the Python API.

Only click is imported at start-up; each command imports what it needs.
"""

from __future__ import annotations

import sys

import click


FORMATS = ("text", "json", "github")


def _print_version(ctx, _param, value):
    if not value or ctx.resilient_parsing:
        return
    from ._version import __version__

    click.echo(f"cartel-data, version {__version__}")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and exit.")
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
@click.option("--notes-file", type=click.Path(), default=None, help="Also write the release notes to this file.")
def release(output, path, force, notes_file):
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
    if notes_file:
        from pathlib import Path

        Path(notes_file).write_text(result["notes"] + "\n", encoding="utf-8")


@cli.command()
@click.argument("path", required=False, type=click.Path())
@click.option("--check", is_flag=True, help="Change nothing; list the files that are not canonical and exit 1 if any.")
def fmt(path, check):
    """Rewrite every CSV in canonical form: schema column order, rows sorted by primary key,
    NFC, trimmed cells, minimal quoting, LF and a final newline.

    PATH is a package folder or descriptor (default: ./datapackage.json, else the bundled data).

    \b
    Examples:
      cartel-data fmt
      cartel-data fmt --check      # in CI
    """
    from .fmt import format_package
    from .package import PackageError

    try:
        result = format_package(path, check=check)
    except PackageError as exc:
        click.echo(f"cartel-data: {exc}", err=True)
        sys.exit(2)
    for e in result.errors:
        click.echo(f"cannot format: {e}", err=True)
    verb = "would reformat" if check else "reformatted"
    for f in result.changed:
        click.echo(f"{verb} {f}")
    if not result.changed:
        click.echo("all files canonical")
    if result.errors:
        sys.exit(2)
    sys.exit(1 if check and result.changed else 0)


@cli.command()
@click.argument("text")
@click.option("--limit", default=10, show_default=True, help="Show at most this many results.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--package", "path", type=click.Path(), default=None, help="Package folder or descriptor (default: bundled data).")
def search(text, limit, as_json, path):
    """Find people and organizations by name or alias, ignoring accents and case and
    tolerating small misspellings; best matches first, with their ids.

    \b
    Examples:
      cartel-data search "felix gallardo"
      cartel-data search z-40 --json
    """
    import json

    from .search import search as run

    hits = run(text, path=path, limit=limit)
    if as_json:
        click.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo(f"no match for {text!r}")
        sys.exit(1)
    for h in hits:
        via = "" if h.matched == h.name else f"  (matched {h.matched!r})"
        click.echo(f"{h.score:5.2f}  {h.id:<45} {h.name}{via}")


@cli.command()
@click.argument("id_or_name")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="text for the terminal, json for programs, markdown to paste into an article.")
@click.option("--plot", type=click.Path(), default=None, help="Also draw the timeline to this PNG file (needs matplotlib).")
@click.option("--package", "path", type=click.Path(), default=None, help="Package folder or descriptor (default: bundled data).")
def show(id_or_name, fmt, plot, path):
    """Profile of a person or organization: names, aliases, organizations and a dated
    timeline of events, sentences and transfers, with numbered sources.

    \b
    Examples:
      cartel-data show per-rafael-caro-quintero
      cartel-data show "Félix Gallardo" --format markdown
      cartel-data show z-40 --plot z40.png
    """
    from . import show as sh

    try:
        p = sh.profile(id_or_name, path=path)
    except sh.NotFound as exc:
        click.echo(f"cartel-data: {exc}", err=True)
        for h in exc.candidates:
            click.echo(f"  {h.id}  {h.name}", err=True)
        sys.exit(1)
    if fmt == "json":
        click.echo(sh.to_json(p))
    elif fmt == "markdown":
        click.echo(sh.to_markdown(p), nl=False)
    else:
        from rich.console import Console

        sh.render_terminal(p, Console(highlight=False))
    if plot:
        try:
            sh.plot(p, plot)
        except ImportError:
            click.echo("cartel-data: --plot needs matplotlib: pip install 'cartel-data[plot]'", err=True)
            sys.exit(2)
        click.echo(f"wrote {plot}", err=True)


@cli.command()
@click.argument("old", type=click.Path(exists=True))
@click.argument("new", type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="text for people, json for programs, markdown for a CHANGELOG section.")
@click.option("--fail-on-breaking", is_flag=True, help="Exit 1 when an id was removed or re-keyed.")
def diff(old, new, fmt, fail_on_breaking):
    """Compare two versions of the package (folders, descriptors or release zips), table by
    table: rows added, removed and changed, field by field. Removed or re-keyed ids are
    flagged as breaking.

    \b
    Examples:
      cartel-data diff dist/cartel-data-0.1.0.zip .
      cartel-data diff old/ new/ --format markdown
    """
    from . import diff as df
    from .package import PackageError

    try:
        d = df.diff(old, new)
    except (PackageError, ValueError) as exc:
        click.echo(f"cartel-data: {exc}", err=True)
        sys.exit(2)
    click.echo({"text": df.to_text, "json": df.to_json, "markdown": df.to_markdown}[fmt](d))
    if fail_on_breaking and d.breaking:
        sys.exit(1)


def main():  # console-script entry point
    cli(prog_name="cartel-data")


if __name__ == "__main__":
    main()
