"""SQLite: a database whose DDL is generated from the Table Schemas.

- one table per resource, declared types, PRIMARY KEY, NOT NULL for required fields,
  CHECK constraints for enumerations and booleans, FOREIGN KEYs (deferred, so rows load
  in any order) and an index on every foreign-key column;
- ``citations(table_name, row_id, source_id)``: ``source_ids`` normalised into a link table;
- ``names_fts``: an FTS5 index over person and organization names and aliases with
  diacritics folded (``unicode61 remove_diacritics 2``), so ``Felix Gallardo`` finds
  ``Félix Gallardo``;
- ``package_metadata(key, value)``: name, version, licence;
- views: ``person_timeline`` (every dated event, sentence and transfer of a person) and
  ``transfers`` (each transfer with the person's name and the batch event).

A Datasette metadata file (table and column descriptions) can be written beside it with
:func:`datasette_metadata`.
"""

from __future__ import annotations

import json
import sqlite3

from ..names import SQLITE_TABLES as DERIVED_TABLES  # noqa: F401  (the names the export adds)
from . import Format

FORMAT = Format("sqlite", ".sqlite", False, "a SQLite database with keys, checks, citations and a name index")


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def column_checks(f) -> list[str]:
    """The CHECK constraints of one column: enumerations, booleans, minimum and maximum."""
    out = []
    if f.enum is not None:
        out.append(f"{q(f.name)} IN ({', '.join(lit(v) for v in f.enum)})")
    if f.spec.json == "boolean":
        out.append(f"{q(f.name)} IN (0, 1)")
    if f.minimum is not None and f.spec.numeric:
        out.append(f"{q(f.name)} >= {f.minimum}")
    if f.maximum is not None and f.spec.numeric:
        out.append(f"{q(f.name)} <= {f.maximum}")
    return out


def table_ddl(schema) -> list[str]:
    """CREATE TABLE then CREATE INDEX statements for one Table Schema (run the indexes
    after loading the rows: building them once is faster than maintaining them)."""
    cols = []
    for f in schema.fields:
        c = f"{q(f.name)} {f.spec.sql}"
        if f.required:
            c += " NOT NULL"
        c += "".join(f" CHECK ({expr})" for expr in column_checks(f))
        cols.append(c)
    cons = [f"PRIMARY KEY ({', '.join(q(k) for k in schema.primary_key)})"]
    for fk in schema.foreign_keys:
        target = fk.resource or schema.name
        cons.append(
            f"FOREIGN KEY ({', '.join(q(k) for k in fk.fields)}) REFERENCES {q(target)} "
            f"({', '.join(q(k) for k in fk.reference_fields)}) DEFERRABLE INITIALLY DEFERRED"
        )
    stmts = [f"CREATE TABLE {q(schema.name)} (\n  " + ",\n  ".join(cols + cons) + "\n) STRICT"]
    for fk in schema.foreign_keys:
        idx = f"idx_{schema.name}_{'_'.join(fk.fields)}"
        stmts.append(f"CREATE INDEX {q(idx)} ON {q(schema.name)} ({', '.join(q(k) for k in fk.fields)})")
    return stmts


#: Most parameters one statement may bind on any SQLite build (SQLITE_MAX_VARIABLE_NUMBER).
MAX_PARAMS = 999


def insert_rows(con, head: str, columns: list[list], row: str | None = None) -> None:
    """``head VALUES row, row, ...``: many rows per statement, which spends less time per row
    in the sqlite3 module than one statement per row. ``columns`` are equal-length lists;
    ``row`` is the placeholder tuple of one row (default: one ``?`` per column)."""
    from itertools import chain

    if not columns or not columns[0]:
        return
    k, n = len(columns), len(columns[0])
    row = row or "(" + ", ".join("?" * k) + ")"
    per = max(1, MAX_PARAMS // k)
    full = n - n % per
    if full:
        stmt = f"{head} VALUES " + ", ".join([row] * per)
        con.executemany(stmt, (tuple(chain.from_iterable(zip(*(c[i: i + per] for c in columns)))) for i in range(0, full, per)))
    if n > full:
        con.executemany(f"{head} VALUES {row}", zip(*(c[full:] for c in columns)))


def verify_checks(con, data) -> None:
    """Rows were loaded with CHECK constraints paused; check them all now, one scan per constraint."""
    for name, t in data.items():
        for f in t.schema.fields:
            for expr in column_checks(f):
                n = con.execute(f"SELECT count(*) FROM {q(name)} WHERE NOT ({expr})").fetchone()[0]
                if n:
                    raise sqlite3.IntegrityError(f"CHECK constraint failed: {name}.{f.name}: {expr} ({n} row(s))")


def sql_columns(t) -> list[list]:
    """The columns of ``t`` as Python values ready for sqlite3, by each type's SQLite type
    (:mod:`cartel_data.types`): TEXT columns as written (list items joined by ';'), INTEGER
    and REAL columns typed (booleans as 0/1), None for missing."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..types import typed_column

    out = []
    for f in t.schema.fields:
        col = t.text.column(f.name).cast(pa.string())
        if f.spec.sql == "TEXT":
            if f.is_list and f.delimiter != ";":
                col = pc.replace_substring(col, f.delimiter, ";")
            out.append(col.to_numpy(zero_copy_only=False).tolist())
        else:
            typed = typed_column(f, col)
            out.append((pc.cast(typed, pa.int64()) if pa.types.is_boolean(typed.type) else typed).to_pylist())
    return out


VIEWS = {
    "person_timeline": """
CREATE VIEW person_timeline AS
SELECT ep.person_id, e.date, 'event' AS kind, e.event_type AS type, e.event_id AS ref_id,
       group_concat(ep.role, ', ') AS role, e.summary AS description
  FROM event_participants ep JOIN events e ON e.event_id = ep.event_id WHERE ep.person_id IS NOT NULL
 GROUP BY ep.person_id, e.event_id
UNION ALL
SELECT s.person_id, s.date, 'sentence', s.status, s.sentence_id, NULL, s.court || ': ' || s.charges
  FROM sentences s
UNION ALL
SELECT x.person_id, x.date, 'transfer', x.mechanism, x.extradition_id, NULL,
       x.from_country || ' -> ' || x.to_country || COALESCE(' (' || x.destination || ')', '')
  FROM extraditions x
ORDER BY 1, 2, 3, 5""",
    "transfers": """
CREATE VIEW transfers AS
SELECT x.extradition_id, x.date, p.person_id, p.name, x.from_country, x.to_country, x.mechanism,
       x.destination, x.charges, x.batch_event_id, e.summary AS batch_summary
  FROM extraditions x JOIN persons p ON p.person_id = x.person_id
  LEFT JOIN events e ON e.event_id = x.batch_event_id
ORDER BY x.date, p.name""",
}


def write(pkg, data, output) -> None:
    con = sqlite3.connect(output)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute("PRAGMA cache_size = -262144")  # 256 MB, for building the indexes
        # The rows were validated; per-row CHECKs cost about half the load time, so they are
        # paused for the bulk load and verified afterwards (verify_checks), one scan each.
        con.execute("PRAGMA ignore_check_constraints = ON")
        con.execute("BEGIN")
        indexes = []
        for name, t in data.items():
            create, *idx = table_ddl(t.schema)
            con.execute(create)
            indexes += idx
        con.execute(
            "CREATE TABLE package_metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT"
        )
        d = pkg.descriptor
        meta = {
            "name": d.get("name"), "title": d.get("title"), "version": d.get("version"),
            "licenses": json.dumps(d.get("licenses", []), ensure_ascii=False),
        }
        con.executemany("INSERT INTO package_metadata VALUES (?, ?)", [(k, v) for k, v in meta.items() if v is not None])
        for name, t in data.items():
            insert_rows(con, f"INSERT INTO {q(name)}", sql_columns(t))
        for stmt in indexes:
            con.execute(stmt)
        _citations(con, data)
        _fts(con, data)
        if {"event_participants", "events", "sentences", "extraditions"} <= set(data):
            con.execute(VIEWS["person_timeline"])
        if {"extraditions", "persons", "events"} <= set(data):
            con.execute(VIEWS["transfers"])
        con.execute("COMMIT")
        con.execute("PRAGMA ignore_check_constraints = OFF")
        verify_checks(con, data)
        # Foreign keys need no separate check: they are enforced (deferred) with
        # foreign_keys=ON, so the COMMIT above fails if any reference is dangling.
    finally:
        con.close()


def _citations(con, data) -> None:
    """``citations``: one row per (table, row, source), with the citing row's key also in a
    column named after that key (``person_id``, ``event_id``...) that is a foreign key to its
    table, so that a row's citations are one link away in Datasette; and the view
    ``citation_sources`` adding each source's address, publisher, date and tier."""
    from .citations import SOURCE_COLUMNS, cited

    if "sources" not in data:
        return
    keys = {name: t.schema.primary_key[0] for name, t in data.items() if name != "sources" and len(t.schema.primary_key) == 1}
    keys = {n: k for n, k in keys.items() if list(keys.values()).count(k) == 1}
    cols = "".join(f", {q(k)} TEXT" for k in keys.values())
    fks = "".join(f", FOREIGN KEY ({q(k)}) REFERENCES {q(n)} ({q(k)}) DEFERRABLE INITIALLY DEFERRED" for n, k in keys.items())
    con.execute(
        f"CREATE TABLE citations (table_name TEXT NOT NULL, row_id TEXT NOT NULL, source_id TEXT NOT NULL{cols}, "
        "PRIMARY KEY (table_name, row_id, source_id), "
        f"FOREIGN KEY (source_id) REFERENCES sources (source_id) DEFERRABLE INITIALLY DEFERRED{fks}) STRICT, WITHOUT ROWID"
    )
    for name, row_ids, source_ids in cited(data):
        if name in keys:
            insert_rows(con, f"INSERT INTO citations (table_name, row_id, source_id, {q(keys[name])})",
                        [row_ids, source_ids, row_ids], row=f"({lit(name)}, ?, ?, ?)")
        else:
            insert_rows(con, "INSERT INTO citations (table_name, row_id, source_id)",
                        [row_ids, source_ids], row=f"({lit(name)}, ?, ?)")
    con.execute("CREATE INDEX idx_citations_source_id ON citations (source_id)")
    for k in keys.values():
        con.execute(f"CREATE INDEX {q('idx_citations_' + k)} ON citations ({q(k)})")
    src = data["sources"].schema.field_names
    extra = ", ".join(f"s.{q(c)}" for c in SOURCE_COLUMNS if c in src)
    con.execute(f"CREATE VIEW citation_sources AS SELECT c.table_name, c.row_id, c.source_id, {extra} "
                "FROM citations c JOIN sources s ON s.source_id = c.source_id ORDER BY 1, 2, 3")


#: Tables that get a full-text index of their own (``<table>_fts``, for Datasette's table search).
SEARCHABLE = {"persons": ("name", "description"), "organizations": ("name", "description")}


def _fts(con, data) -> None:
    con.execute(
        "CREATE VIRTUAL TABLE names_fts USING fts5(entity_type UNINDEXED, entity_id UNINDEXED, name, kind UNINDEXED, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )

    def column(t, name):
        return t.text.column(name).to_numpy(zero_copy_only=False).tolist()

    for table, kind, id_col in (("persons", "person", "person_id"), ("organizations", "organization", "organization_id")):
        if table in data:
            t = data[table]
            insert_rows(con, "INSERT INTO names_fts", [column(t, id_col), column(t, "name")], row=f"('{kind}', ?, ?, 'name')")
    if "aliases" in data:
        t = data["aliases"]
        p, o = column(t, "person_id"), column(t, "organization_id")
        insert_rows(con, "INSERT INTO names_fts", [["person" if x else "organization" for x in p],
                                                   [x or y for x, y in zip(p, o)], column(t, "alias")],
                    row="(?, ?, ?, 'alias')")
    for table, cols in SEARCHABLE.items():
        if table not in data or not all(c in data[table].schema.field_names for c in cols):
            continue
        key = data[table].schema.primary_key[0]
        names = ", ".join(q(c) for c in cols)
        # the table's rows with their aliases, keyed by the table's rowid (Datasette's fts_pk)
        con.execute(f"CREATE VIRTUAL TABLE {q(table + '_fts')} USING fts5({names}, aliases, "
                    "tokenize='unicode61 remove_diacritics 2')")
        alias = ("(SELECT group_concat(a.alias, '; ') FROM aliases a WHERE a." + q(key) + " = t." + q(key) + ")"
                 if "aliases" in data and key in data["aliases"].schema.field_names else "NULL")
        con.execute(f"INSERT INTO {q(table + '_fts')} (rowid, {names}, aliases) "
                    f"SELECT t.rowid, {', '.join('t.' + q(c) for c in cols)}, {alias} FROM {q(table)} t")


#: Datasette: the column that names a row, and the facets shown by default.
LABELS = {"persons": "name", "organizations": "name", "sources": "title", "events": "summary"}
FACETS = {"events": ["event_type", "country"], "extraditions": ["mechanism", "to_country", "batch_event_id"],
          "persons": ["nationality"], "sentences": ["country", "status"], "memberships": ["role"],
          "organizations": ["organization_type"], "sources": ["tier", "source_type"], "event_participants": ["role"],
          "organization_relations": ["relation_type"]}


def datasette_metadata(pkg, data, database: str = "cartel-data") -> dict:
    """Datasette metadata: title, licence, a description of every table and column, label
    columns, default facets and table search over the ``<table>_fts`` indexes.

    ``database`` is the database name Datasette uses: the SQLite file name without suffix."""
    d = pkg.descriptor
    lic = (d.get("licenses") or [{}])[0]
    tables = {}
    for name, t in data.items():
        cfg = {"description": t.schema.description, "columns": {f.name: f.description for f in t.schema.fields}}
        if name in LABELS and LABELS[name] in t.schema.field_names:
            cfg["label_column"] = LABELS[name]
        facets = [c for c in FACETS.get(name, []) if c in t.schema.field_names]
        if facets:
            cfg["facets"] = facets
        if name in SEARCHABLE:
            cfg["fts_table"], cfg["fts_pk"] = f"{name}_fts", "rowid"
        tables[name] = cfg
    keys = {t.schema.primary_key[0]: f"The citing row when it is in {n} ({n}.{t.schema.primary_key[0]})."
            for n, t in data.items() if n != "sources"}
    tables["citations"] = {"description": "One row per (table, row, source): source_ids normalised; follow source_id to the source.",
                           "columns": {"table_name": "Table of the citing row.", "row_id": "Primary key of the citing row.",
                                       "source_id": "The cited source (sources.source_id).", **keys},
                           "facets": ["table_name"]}
    tables["citation_sources"] = {"description": "Each citation with its source's address, publisher, date and tier."}
    license_url = lic.get("path") if isinstance(lic.get("path"), str) and lic["path"].startswith("https://") else None
    return {
        "title": d.get("title"),
        "description": d.get("description"),
        "license": lic.get("name"),
        "license_url": license_url,
        "databases": {database: {"tables": tables}},
    }
