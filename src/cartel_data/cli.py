"""The ``cartel-data`` command: a thin layer over the Python API.

Only click is imported at start-up; each command imports what it needs. Errors a user can
cause (:class:`~cartel_data.errors.CartelDataError`) are handled once, by
:class:`CartelGroup`: one line on standard error and the error's exit status, never a
traceback; a closed output pipe (``| head``) ends the command quietly.
"""

from __future__ import annotations

import os
import sys

import click

FORMATS = ("text", "json", "github")


class CartelGroup(click.Group):
    """The command group: turns user errors, a broken pipe and Ctrl-C into clean exits."""

    def invoke(self, ctx):
        from .errors import CartelDataError

        try:
            return super().invoke(ctx)
        except CartelDataError as exc:
            _fail(str(exc), exc.exit_code, getattr(exc, "candidates", ()))
        except BrokenPipeError:
            _broken_pipe()
        except KeyboardInterrupt:
            click.echo("cartel-data: interrupted", err=True)
            sys.exit(130)
        except OSError as exc:  # a file the user named cannot be read or written
            _fail(f"{exc.filename + ': ' if getattr(exc, 'filename', None) else ''}{exc.strerror or exc}", 2)


def _fail(message: str, code: int, candidates=()) -> None:
    from .escape import terminal

    click.echo(f"cartel-data: {terminal(message)}", err=True)
    for h in candidates:
        click.echo(f"  {terminal(h.id)}  {terminal(h.name)}", err=True)
    sys.exit(code)


def _broken_pipe() -> None:
    """The reader of our output went away: exit without a traceback or a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(1)


def echo(text: str, **kw) -> None:
    click.echo(text, **kw)


def _emit(text: str, output, force: bool) -> None:
    """Write generated text to ``output`` under the write policy, or to standard output."""
    if output:
        from .files import write_text

        write_text(output, text, force=force)
        echo(f"wrote {output}")
    else:
        echo(text, nl=False)


def _print_version(ctx, _param, value):
    if not value or ctx.resilient_parsing:
        return
    from ._version import __version__

    click.echo(f"cartel-data, version {__version__}")
    ctx.exit()


PACKAGE_HELP = ("Package folder or descriptor (a release zip for validate and diff). "
                "Default: ./datapackage.json if present, else the bundled data.")


def package_option(fn):
    """The one ``--package`` option every command shares."""
    return click.option("--package", "-p", "package", type=click.Path(), default=None, help=PACKAGE_HELP)(fn)


def package_argument(fn):
    """An optional positional PATH, the same as ``--package`` (for validate, fmt and tables)."""
    return click.argument("path", required=False, type=click.Path())(fn)


def _which(path, package):
    if path is not None and package is not None and path != package:
        raise click.UsageError("give the package either as PATH or with --package, not both")
    return path if path is not None else package


def force_option(fn):
    return click.option("--force", is_flag=True, help="Overwrite the output if it exists.")(fn)


@click.group(cls=CartelGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and exit.")
def cli():
    """Sourced open data on the history of Mexican drug cartels.

    Every command finds its package the same way: PATH or --package if given, else
    ./datapackage.json if the working directory has one, else the bundled data.
    Exit status: 0 success, 1 the data or request is wanting, 2 the command could not run.

    \b
    Examples:
      cartel-data validate                 # the working copy, or the bundled data
      cartel-data validate path/to/package --format github --strict
      cartel-data show "El Chapo"
    """


@cli.command()
@package_argument
@package_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, json for programs, github for workflow annotations on a pull request.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def validate(path, package, fmt, strict):
    """Check a data package: descriptor, structure, types, conventions and cross-table rules.

    PATH is a folder holding datapackage.json, the descriptor itself, or a release zip.

    Exit status: 0 valid, 1 invalid, 2 cannot run (unreadable path or descriptor).

    \b
    Example:
      cartel-data validate . --format github
    """
    from .api import validate as run
    from .errors import PackageError

    try:
        report = run(_which(path, package), strict=strict)
    except PackageError as exc:
        raise PackageError(f"cannot validate: {exc}") from exc
    echo({"text": report.to_text, "json": report.to_json, "github": report.to_github}[fmt]())
    sys.exit(report.exit_code)


@cli.command()
@package_argument
@package_option
def tables(path, package):
    """List the tables of a package with their row counts and descriptions.

    \b
    Example:
      cartel-data tables
    """
    from .escape import terminal
    from .records import read_package

    pkg, data = read_package(_which(path, package))
    for name, t in data.items():
        echo(f"{terminal(name):<20} {len(t):>6} rows  {terminal(t.schema.description)}")


class ExportFormat(click.Choice):
    """The export formats, read from :mod:`cartel_data.export` only when ``export`` needs them
    (so that ``--help`` and every other command start without importing the writers)."""

    def __init__(self):
        super().__init__([])

    @property
    def choices(self):
        from .export import formats

        return list(formats())

    @choices.setter
    def choices(self, _value):
        pass


@cli.command()
@click.option("--format", "fmt", type=ExportFormat(), required=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(), required=True, help="File to write (a folder for parquet and csv).")
@click.option("--table", "tables", multiple=True, help="Export only this table; repeat for several. Default: all.")
@package_option
@force_option
def export(fmt, output, tables, package, force):
    """Write the data in another format: JSON, JSON Lines, SQLite, Excel, Parquet or CSV.

    Writes are atomic (an existing file is untouched if anything fails) and
    deterministic (the same data gives the same bytes).

    \b
    Examples:
      cartel-data export --format sqlite --output cartel-data.sqlite
      cartel-data export --format xlsx -o cartel.xlsx --table persons --table events
    """
    from .api import export as run

    out = run(fmt, output, tables=list(tables) or None, path=package, force=force)
    echo(f"wrote {out}")


@cli.command()
@click.option("--output", "-o", type=click.Path(), default=None, help="Write to this file instead of standard output.")
@package_option
@force_option
def dictionary(output, package, force):
    """Print the data dictionary (every table and column) generated from the schemas.

    \b
    Example:
      cartel-data dictionary --output docs/data-dictionary.md --force
    """
    from .dictionary import markdown

    _emit(markdown(package) + "\n", output, force)


@cli.command()
@click.option("--output", "-o", type=click.Path(), default="dist", show_default=True, help="Folder for the release files.")
@package_option
@force_option
@click.option("--notes-file", type=click.Path(), default=None, help="Also write the release notes to this file.")
def release(output, package, force, notes_file):
    """Build the open-data release: zip data package, SQLite, Excel, JSON, JSON Lines,
    Parquet and SHA256SUMS, after validating; prints the release notes.

    Refuses invalid data and disagreeing versions (package, descriptor, CHANGELOG).

    \b
    Example:
      cartel-data release --output dist/
    """
    from .errors import OutputExists
    from .files import write_text
    from .release import release as run

    if notes_file and os.path.lexists(notes_file) and not force:
        raise OutputExists(f"{notes_file} exists; use --force to overwrite it")
    result = run(output, path=package, force=force, progress=lambda m: echo(f"... {m}", err=True))
    echo(f"cartel-data {result['version']}: {len(result['files'])} files in {output}")
    for f in result["files"]:
        echo(f"  {f.name}")
    echo(f"\nRelease notes\n\n{result['notes']}")
    if notes_file:
        write_text(notes_file, result["notes"] + "\n", force=force)


@cli.command()
@package_argument
@package_option
@click.option("--check", is_flag=True, help="Change nothing; list the files that are not canonical and exit 1 if any.")
def fmt(path, package, check):
    """Rewrite every CSV in canonical form: schema column order, rows sorted by primary key,
    NFC, trimmed cells, minimal quoting, LF and a final newline.

    Refuses (exit 2) a file whose rows cannot be read unambiguously, naming its file and line.

    \b
    Examples:
      cartel-data fmt
      cartel-data fmt --check      # in CI
    """
    from .escape import terminal
    from .fmt import format_package

    result = format_package(_which(path, package), check=check)
    for e in result.errors:
        echo(f"cartel-data: cannot format: {terminal(e)}", err=True)
    verb = "would reformat" if check else "reformatted"
    for f in result.changed:
        echo(f"{verb} {terminal(f)}")
    if not result.changed:
        echo("all files canonical")
    if result.errors:
        sys.exit(2)
    sys.exit(1 if check and result.changed else 0)


@cli.command()
@click.option("--output", "-o", type=click.Path(), default=None, help="Write to this file instead of standard output.")
@package_option
@force_option
def zenodo(output, package, force):
    """Print the Zenodo deposit metadata (.zenodo.json) generated from the descriptor and
    CITATION.cff, so that a GitHub release is archived with a DOI.

    \b
    Example:
      cartel-data zenodo -o .zenodo.json --force
    """
    import json

    from .catalog import zenodo as make
    from .package import Package

    _emit(json.dumps(make(Package(package)), ensure_ascii=False, indent=2) + "\n", output, force)


@cli.command()
@click.option("--output", "-o", type=click.Path(), default="site", show_default=True, help="Folder to write the site into.")
@package_option
@force_option
@click.option("--release", "release_dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="A folder of release files (from `cartel-data release`) to offer for download on the site.")
def site(output, package, force, release_dir):
    """Build the static website: a page per person, organization, event and source, index
    pages, transfers, search and SVG figures. Opens from disk or any file server.

    \b
    Example:
      cartel-data site --output site/
    """
    from .site import build

    out = build(output, path=package, force=force, release=release_dir)
    echo(f"wrote {out}")


@cli.command()
@click.argument("text")
@click.option("--limit", default=10, show_default=True, help="Show at most this many results.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@package_option
def search(text, limit, as_json, package):
    """Find people and organizations by name or alias, ignoring accents and case and
    tolerating small misspellings; best matches first, with their ids.

    \b
    Examples:
      cartel-data search "felix gallardo"
      cartel-data search z-40 --json
    """
    import json

    from .escape import terminal
    from .search import search as run

    hits = run(text, path=package, limit=limit)
    if as_json:
        echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        echo(f"no match for {terminal(repr(text))}")
        sys.exit(1)
    for h in hits:
        via = "" if h.matched == h.name else f"  (matched {terminal(repr(h.matched))})"
        echo(f"{h.score:5.2f}  {terminal(h.id):<45} {terminal(h.name)}{via}")


@cli.command()
@click.argument("id_or_name")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="text for the terminal, json for programs, markdown to paste into an article.")
@click.option("--plot", type=click.Path(), default=None, help="Also draw the timeline to this PNG file (needs matplotlib).")
@package_option
@force_option
def show(id_or_name, fmt, plot, package, force):
    """Profile of a person or organization: names, aliases, organizations and a dated
    timeline of events, sentences and transfers, with numbered sources.

    \b
    Examples:
      cartel-data show per-rafael-caro-quintero
      cartel-data show "Félix Gallardo" --format markdown
      cartel-data show z-40 --plot z40.png
    """
    from . import show as sh
    from .files import atomic_output

    if plot:
        import importlib.util

        from .errors import MissingDependency

        if importlib.util.find_spec("matplotlib") is None:
            raise MissingDependency("--plot needs matplotlib: pip install 'cartel-data[plot]'")
    p = sh.profile(id_or_name, path=package)
    if fmt == "json":
        echo(sh.to_json(p))
    elif fmt == "markdown":
        echo(sh.to_markdown(p), nl=False)
    else:
        from rich.console import Console

        sh.render_terminal(p, Console(highlight=False))
    if plot:
        with atomic_output(plot, force=force) as tmp:
            sh.plot(p, tmp)
        echo(f"wrote {plot}", err=True)


@cli.command()
@click.argument("old", type=click.Path())
@click.argument("new", type=click.Path())
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

    d = df.diff(old, new)
    echo({"text": df.to_text, "json": df.to_json, "markdown": df.to_markdown}[fmt](d))
    if fail_on_breaking and d.breaking:
        sys.exit(1)


#: Commands that build no DataFrame: run as a program, they keep pandas out of the process
#: (see :mod:`cartel_data._lean`).
LEAN_COMMANDS = {"validate", "tables", "fmt", "search", "show", "diff", "dictionary", "site"}


def main():  # console-script entry point
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    if args and args[0] in LEAN_COMMANDS:
        from ._lean import without_pandas

        without_pandas()
    try:
        cli(prog_name="cartel-data")
    except BrokenPipeError:
        _broken_pipe()


if __name__ == "__main__":
    main()
