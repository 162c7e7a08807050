"""Table names and sizes: which names a table may have, which the exports keep for
themselves, and the largest cell and table every export format can hold.

Table names become SQLite tables, Parquet and CSV file names and Excel sheets, so they must
be plain identifiers of at most 31 characters (Excel's sheet limit), and may not be a name
an export uses for a table, view or sheet of its own. The validator and the exporters
both read these definitions from here.

>>> bool(TABLE_NAME.fullmatch("persons")), bool(TABLE_NAME.fullmatch("a/b"))
(True, False)
>>> "citations" in reserved_tables()
True
"""

from __future__ import annotations

import re

TABLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,30}")

#: Tables and views the SQLite export adds beside the package's own tables.
SQLITE_TABLES = ("package_metadata", "citations", "names_fts", "person_timeline", "transfers", "citation_sources",
                 "persons_fts", "organizations_fts")
#: Sheets the Excel workbook adds beside one sheet per table.
EXCEL_SHEETS = ("About", "Dictionary")


def reserved_tables() -> set[str]:
    """Names no table may take (lowercase; Excel sheet names ignore case). Names containing
    ``_fts`` are refused too: SQLite's full-text indexes make tables of such names."""
    return {n.lower() for n in SQLITE_TABLES + EXCEL_SHEETS}


def table_name_reason(name: str) -> str | None:
    """Why ``name`` cannot be a table name, or None."""
    if not TABLE_NAME.fullmatch(name):
        return "lowercase letters, digits and _, starting with a letter, at most 31 characters"
    if name.lower() in reserved_tables() or name.startswith("sqlite_") or "_fts" in name:
        return "the name is used by an export (" + ", ".join(sorted(reserved_tables())) + ", sqlite_..., *_fts*)"
    return None


#: The most text one Excel cell holds, and the most rows one sheet holds besides its header:
#: a package the validator calls valid stays within them, so every export can write it.
EXCEL_MAX_CELL = 32_767
EXCEL_MAX_ROWS = 1_048_575
