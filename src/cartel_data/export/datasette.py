"""Datasette metadata for the SQLite export: table and column descriptions, label columns,
facets and table search, keyed on the database name Datasette will use.

Datasette names a database after its file, without the suffix; this writer takes that name
from its own output name: ``cartel-data.datasette.json`` describes ``cartel-data.sqlite``.
Serve them with ``datasette cartel-data.sqlite -m cartel-data.datasette.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import Format
from .sqlite import datasette_metadata

FORMAT = Format("datasette", ".datasette.json", False, "Datasette metadata for the SQLite export of the same name")


def database_name(output: Path) -> str:
    """``cartel-data.datasette.json`` -> ``cartel-data``."""
    name = Path(output).name
    for suffix in (".datasette.json", ".json"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return Path(name).stem


def write(pkg, data, output, name: str | None = None) -> None:
    meta = datasette_metadata(pkg, data, database=name or database_name(output))
    Path(output).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
