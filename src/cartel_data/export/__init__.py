"""Exports of the package into the formats people already use.

Each format is its own module with a ``write(pkg, tables, output)`` function; layouts are
derived from the Table Schemas. Every write is atomic (a temporary file in the same folder,
then a rename), so a failed or interrupted export leaves an existing file untouched, and
deterministic (rows ordered by primary key, fixed timestamps), so the same data gives
byte-identical files.

>>> from cartel_data import export
>>> sorted(export.FORMATS)
['csv', 'json', 'jsonl', 'parquet', 'sqlite', 'xlsx']
"""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

#: format -> (module, default file name suffix, writes a folder?)
FORMATS = {
    "json": ("json_", ".json", False),
    "jsonl": ("jsonl", ".jsonl", False),
    "sqlite": ("sqlite", ".sqlite", False),
    "xlsx": ("xlsx", ".xlsx", False),
    "parquet": ("parquet", "-parquet", True),
    "csv": ("csv_", "-csv", True),
}


class ExportError(Exception):
    """The data cannot be written in the requested format without losing something."""


@contextmanager
def atomic_output(output: Path, force: bool = False, folder: bool = False):
    """Yield a temporary path beside ``output``; move it into place only on success."""
    output = Path(output)
    if output.exists() and not force:
        raise FileExistsError(f"{output} exists; use force=True (--force) to overwrite it")
    output.parent.mkdir(parents=True, exist_ok=True)
    if folder:
        tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    else:
        fd, name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
        os.close(fd)
        tmp = Path(name)
        tmp.unlink()
    try:
        yield tmp
        if folder and output.exists():
            old = output.with_name(f".{output.name}.old")
            if old.exists():
                shutil.rmtree(old)
            output.rename(old)
            tmp.rename(output)
            shutil.rmtree(old)
        else:
            os.replace(tmp, output)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()


def export(fmt: str, output, tables: list[str] | None = None, path=None, force: bool = False,
           check: bool = True) -> Path:
    """Write the package at ``path`` (default: ``./datapackage.json`` if present, else the
    bundled package) in format ``fmt`` to ``output``; returns the output path.

    ``tables`` limits the export to those tables (default: all). With ``check`` (the
    default) the package is validated first and invalid data is refused.
    """
    from ..records import read_package

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    if check:
        from ..validation import validate

        report = validate(path)
        if report.errors:
            raise ExportError(f"the package is invalid ({len(report.errors)} error(s)); run `cartel-data validate` to see them")
    pkg, data = read_package(path, tables)
    return write(fmt, pkg, data, output, force=force)


def write(fmt: str, pkg, data, output, force: bool = False) -> Path:
    """Write already-read tables (``records.read_package``) in format ``fmt``, atomically."""
    module, _suffix, folder = FORMATS[fmt]
    writer = importlib.import_module(f".{module}", __name__)
    output = Path(output)
    with atomic_output(output, force=force, folder=folder) as tmp:
        writer.write(pkg, data, tmp)
    return output

