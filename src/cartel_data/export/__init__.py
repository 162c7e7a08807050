"""Exports of the package into the formats people already use.

Each format is its own module, which declares itself with a module-level ``FORMAT``
(:class:`Format`) and a ``write(pkg, tables, output)`` function; :data:`MODULES` lists the
modules once, and the command line and the release read the formats from there. Layouts
are derived from the Table Schemas. Every write is atomic and safe (:mod:`cartel_data.files`)
and deterministic (rows ordered by primary key, fixed timestamps), so the same data gives
byte-identical files.

This package only writes; :func:`cartel_data.api.export` validates first.

>>> sorted(formats())
['citations', 'csv', 'datasette', 'ftm', 'gexf', 'json', 'jsonl', 'parquet', 'sqlite', 'xlsx']
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ExportError  # noqa: F401  (re-exported: the writers raise it)

#: The export modules, each declaring its ``FORMAT``; listed here once.
MODULES = ("json_", "jsonl", "sqlite", "datasette", "xlsx", "parquet", "csv_", "ftm", "gexf", "citations")


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str  # of the release file: base name + suffix
    folder: bool  # writes a folder rather than a file
    title: str  # one line for --help
    in_release: bool = True


def formats() -> dict[str, Format]:
    """Every export format by name, in :data:`MODULES` order."""
    out = {}
    for m in MODULES:
        fmt = importlib.import_module(f".{m}", __name__).FORMAT
        out[fmt.name] = fmt
    return out


def _module(name: str):
    for m in MODULES:
        mod = importlib.import_module(f".{m}", __name__)
        if mod.FORMAT.name == name:
            return mod
    raise ValueError(f"unknown format {name!r}; formats: {', '.join(formats())}")


def write(fmt: str, pkg, data, output, force: bool = False) -> Path:
    """Write already-read tables (``records.read_package``) in format ``fmt``, atomically,
    never into the package folder itself."""
    from ..files import atomic_output

    mod = _module(fmt)
    output = Path(output)
    with atomic_output(output, force=force, folder=mod.FORMAT.folder, protected=pkg.root) as tmp:
        mod.write(pkg, data, tmp)
    return output
