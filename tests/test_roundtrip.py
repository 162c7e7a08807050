"""Round trips: every export format, read back, holds exactly what ``load_all`` loads.

For each format (sqlite, xlsx, json, jsonl, parquet, csv) the output is read back with the
tool a user would use (sqlite3, openpyxl, json, pyarrow, cartel_data itself) and compared
with ``cartel_data.load_all()`` of the same package: every table, every column in schema
order, every row (matched by primary key), every value. Values are compared in one
canonical form per Table Schema type: text as ``str``, integers as ``int``, numbers as
``float``, booleans as ``bool``, ``date`` fields as ISO text, lists as the delimited text,
missing values as ``None``; each reader also checks that the format uses the type it
documents (an integer column of a JSON export holds JSON integers, not text...).

1. ``test_shipped_package_round_trips``: the shipped package, one test per format.
   (``test_export.py`` compares exports with ``records.read_package``, the exporters' own
   reader; this compares them with the pandas loader, an independent path.)
2. ``test_awkward_text_round_trips`` (Hypothesis, marked ``fuzz``): free-text cells of a
   copy of the package (names, descriptions, notes, titles, places, charges, aliases,
   authors) replaced by valid but awkward text: accents, both quote kinds, commas, line
   breaks, tabs, emoji, right-to-left text, control characters, Excel's ``_x0041_``
   escapes, and a leading ``=``, ``+``, ``-`` or ``@``. Ids keep their slug pattern. The
   copy must validate (warnings allowed), load with the text unchanged, and come back
   unchanged from every format; in xlsx, formula-like text must stay text.

``CARTEL_FUZZ_EXAMPLES`` sets the number of Hypothesis examples (default 35, about a
minute); ``CARTEL_FUZZ_SEED`` and ``CARTEL_FUZZ_SHRINK`` as in ``test_fuzz.py``::

    CARTEL_FUZZ_EXAMPLES=1000 python -m pytest -m fuzz tests/test_roundtrip.py
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import sqlite3
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import cartel_data
from cartel_data.api import export
from cartel_data.export import formats

FORMATS = formats()
from cartel_data.package import Package
from conftest import ROOT, PackageCopy, fuzz, small_root

# -- canonical values ----------------------------------------------------------------------------


def canon(f, v, fmt: str):
    """The canonical form of value ``v`` of field ``f`` as read back from format ``fmt``,
    checking that the format stores the type it documents."""
    if v is None:
        return None
    where = f"{fmt}: {f.name} = {v!r}"
    t = f.type
    if t == "boolean":
        if fmt == "xlsx":
            assert v in (f.true_values[0], f.false_values[0]), where
            return v == f.true_values[0]
        if fmt == "sqlite":
            assert type(v) is int and v in (0, 1), where
            return bool(v)
        assert isinstance(v, bool), where
        return v
    if t == "integer":
        if fmt == "xlsx":  # Excel has only one number type
            assert isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer(), where
            return int(v)
        assert type(v) is int, where
        return v
    if t == "number":
        assert isinstance(v, (int, float)) and not isinstance(v, bool), where
        if fmt not in ("xlsx", "json", "jsonl"):
            assert isinstance(v, float), where
        return float(v)
    if t == "date":
        if fmt == "xlsx":
            assert isinstance(v, _dt.datetime) and v.time() == _dt.time(), where
            return v.date().isoformat()
        if fmt == "parquet":
            assert type(v) is _dt.date, where
            return v.isoformat()
        assert isinstance(v, str), where
        return v
    if t == "list":
        if fmt in ("json", "jsonl", "parquet"):
            assert isinstance(v, list) and all(isinstance(x, str) for x in v), where
            return (f.delimiter or ",").join(v)
        assert isinstance(v, str), where
        return v
    assert isinstance(v, str), where
    return v


def canon_frame(df: pd.DataFrame, schema) -> list[tuple]:
    """The rows of a DataFrame from ``load``/``load_all`` in canonical form."""
    names = [f.name for f in schema.fields]
    missing = [n for n in names if n not in df.columns]
    assert not missing, f"{schema.name}: load_all has no column(s) {missing}"
    cols = []
    for f in schema.fields:
        values = []
        for v in df[f.name].astype(object):
            if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
                values.append(None)
            elif f.type == "date":
                assert isinstance(v, pd.Timestamp), (f.name, v)
                values.append(v.date().isoformat())
            elif f.type == "boolean":
                values.append(bool(v))
            elif f.type == "integer":
                values.append(int(v))
            elif f.type == "number":
                values.append(float(v))
            else:
                assert isinstance(v, str), (f.name, v)
                values.append(v)
        cols.append(values)
    return list(zip(*cols)) if cols else []


def by_key(rows: list[tuple], schema) -> dict:
    pk = [schema.field_names.index(k) for k in schema.primary_key]
    out = {}
    for r in rows:
        key = tuple(r[i] for i in pk)
        assert key not in out, f"{schema.name}: primary key {key} twice"
        out[key] = r
    return out


def assert_same(expected: dict[str, list[tuple]], got: dict[str, list[tuple]], schemas, fmt: str) -> None:
    assert list(got) == list(expected), f"{fmt}: tables {list(got)} != {list(expected)}"
    diffs = []
    for name, rows in expected.items():
        schema = schemas[name]
        e, g = by_key(rows, schema), by_key(got[name], schema)
        assert len(g) == len(e) and set(g) == set(e), (
            f"{fmt}: {name}: {len(g)} rows, expected {len(e)}; missing {sorted(set(e) - set(g))[:3]}, "
            f"extra {sorted(set(g) - set(e))[:3]}")
        for key, row in e.items():
            for f, a, b in zip(schema.fields, row, g[key]):
                if a != b or type(a) is not type(b):
                    diffs.append(f"{name} {key[0]!r} {f.name}: expected {a!r}, got {b!r}")
    assert not diffs, f"{fmt}: {len(diffs)} value(s) differ:\n  " + "\n  ".join(diffs[:10])


# -- readers: one per format ------------------------------------------------------------------


def _records(name, schema, records, fmt):
    out = []
    for rec in records:
        assert list(rec) == schema.field_names, f"{fmt}: {name}: keys {list(rec)}"
        out.append(tuple(canon(f, rec[f.name], fmt) for f in schema.fields))
    return out


def read_json(out: Path, schemas) -> dict:
    doc = json.loads(out.read_text(encoding="utf-8"))
    return {name: _records(name, schemas[name], recs, "json") for name, recs in doc["tables"].items()}


def read_jsonl(out: Path, schemas) -> dict:
    # JSON Lines separates records with "\n" only: not str.splitlines(), which also breaks
    # at U+0085, U+2028... that may stand unescaped inside a record's text
    text = out.read_text(encoding="utf-8")
    assert text.endswith("\n")
    lines = [json.loads(line) for line in text[:-1].split("\n")]
    assert lines[0]["table"] is None and "package" in lines[0]
    tables: dict[str, list] = {}
    for line in lines[1:]:
        tables.setdefault(line["table"], []).append(line["record"])
    return {name: _records(name, schemas[name], recs, "jsonl") for name, recs in tables.items()}


def read_sqlite(out: Path, schemas) -> dict:
    con = sqlite3.connect(out)
    try:
        result = {}
        for name, schema in schemas.items():
            cur = con.execute(f'SELECT * FROM "{name}" ORDER BY rowid')
            cols = [d[0] for d in cur.description]
            assert cols == schema.field_names, f"sqlite: {name}: columns {cols}"
            result[name] = [tuple(canon(f, v, "sqlite") for f, v in zip(schema.fields, row)) for row in cur]
        return result
    finally:
        con.close()


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def ooxml_unescape(s: str) -> str:
    """Decode OOXML's ``_xHHHH_`` escapes as Excel does (ECMA-376, ST_Xstring): control
    characters and U+FFFE/U+FFFF are stored as ``_x001F_``..., and a literal ``_x0041_`` as
    ``_x005F_x0041_``. openpyxl returns cell text undecoded, so decode it here."""
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), s)


def read_xlsx(out: Path, schemas) -> dict:
    import openpyxl

    wb = openpyxl.load_workbook(out)
    try:
        assert wb.sheetnames[:2] == ["About", "Dictionary"]
        assert wb.sheetnames[2:] == [n[:31] for n in schemas], wb.sheetnames
        result = {}
        for name, schema in schemas.items():
            ws = wb[name[:31]]
            rows = list(ws.iter_rows())
            assert [c.value for c in rows[0]] == schema.field_names, f"xlsx: {name}: header"
            got = []
            for row in rows[1:]:
                cells = list(row) + [None] * (len(schema.fields) - len(row))
                for c in cells:
                    # text that looks like a formula must stay text: never a formula cell
                    assert c is None or c.data_type != "f", f"xlsx: {name} {c.coordinate} is a formula: {c.value!r}"
                    if c is not None and isinstance(c.value, str):
                        assert c.data_type in ("s", "inlineStr"), (name, c.coordinate, c.data_type)
                values = [None if c is None else ooxml_unescape(c.value) if isinstance(c.value, str) else c.value
                          for c in cells]
                got.append(tuple(canon(f, v, "xlsx") for f, v in zip(schema.fields, values)))
            result[name] = got
        return result
    finally:
        wb.close()


def read_parquet(out: Path, schemas) -> dict:
    import pyarrow.parquet as pq

    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(f"{n}.parquet" for n in schemas)
    result = {}
    for name, schema in schemas.items():
        table = pq.read_table(out / f"{name}.parquet")
        assert table.column_names == schema.field_names, f"parquet: {name}: columns {table.column_names}"
        result[name] = _records(name, schema, table.to_pylist(), "parquet")
    return result


def read_csv_folder(out: Path, schemas) -> dict:
    assert cartel_data.validate(out).valid
    frames = cartel_data.load_all(out)
    return {name: canon_frame(df, schemas[name]) for name, df in frames.items()}


READERS = {"json": read_json, "jsonl": read_jsonl, "sqlite": read_sqlite, "xlsx": read_xlsx,
           "parquet": read_parquet, "csv": read_csv_folder}
#: Formats that are not a copy of the tables (metadata, entities, a network, citations) are
#: checked against the library made for them in test_formats.py.
DERIVED = {"datasette", "ftm", "gexf", "citations"}
assert set(READERS) == set(FORMATS) - DERIVED, "a new export format needs a reader here (or a place in DERIVED)"


def expected_of(root) -> tuple[dict, dict, dict]:
    """(canonical rows, schemas, frames) of ``load_all`` for the package at ``root``."""
    pkg = Package(root)
    schemas = {n: pkg.resource(n).schema for n in pkg.resource_names}
    frames = cartel_data.load_all(root)
    assert list(frames) == list(schemas)
    return {n: canon_frame(df, schemas[n]) for n, df in frames.items()}, schemas, frames


def sorted_frame(df: pd.DataFrame, schema) -> pd.DataFrame:
    return df.sort_values(list(schema.primary_key), kind="stable").reset_index(drop=True)


def round_trip(fmt: str, root: Path, out_dir: Path, expected: dict, schemas: dict, frames: dict) -> Path:
    out = export(fmt, out_dir / ("x" + (FORMATS[fmt].suffix or "-csv")), path=root, check=False)
    got = READERS[fmt](out, schemas)
    assert_same(expected, got, schemas, fmt)
    if fmt == "csv":
        # the CSV export is a package: loading it gives the same frames, dtypes and
        # derived date columns included
        again = cartel_data.load_all(out)
        for name, df in frames.items():
            pd.testing.assert_frame_equal(sorted_frame(again[name], schemas[name]), sorted_frame(df, schemas[name]))
    return out


# -- 1. the shipped package ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return expected_of(ROOT)


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_shipped_package_round_trips(fmt, tmp_path, shipped):
    expected, schemas, frames = shipped
    assert all(expected.values()), "every shipped table has rows"
    round_trip(fmt, ROOT, tmp_path, expected, schemas, frames)


def test_load_matches_load_all():
    frames = cartel_data.load_all(ROOT)
    for name, df in frames.items():
        pd.testing.assert_frame_equal(cartel_data.load(name, ROOT), df)


# -- 2. awkward but valid text ---------------------------------------------------------------------

DEFAULT_EXAMPLES = 35

#: the edits go into an excerpt of the real package (every table, every column, about a third of
#: the rows): each example validates, loads and round-trips it through every format
SMALL = small_root()
PKG = Package(SMALL)
SCHEMAS = {n: PKG.resource(n).schema for n in PKG.resource_names}
NROWS = {n: len(cartel_data.load(n, SMALL)) for n in SCHEMAS}
#: (table, column) of every free-text field: text with no pattern, enumeration or kind;
#: ids, dates, codes and URLs keep their real values
FREE_TEXT = [(n, f.name) for n, s in SCHEMAS.items() for f in s.fields
             if f.type == "string" and not f.pattern and not f.enum and not f.kind]
#: list fields that are not references: their items are free text
FREE_LISTS = [(n, f.name) for n, s in SCHEMAS.items() for f in s.fields if f.type == "list" and not f.references]

CONVICTED = re.compile(r"\b(?:convicted|sentenced|condenado|sentenciado)\b", re.IGNORECASE)

PIECES = [
    "é", "ñ", "Ñ", "ü", "ç", "ø", "ß", "Ω", "Ł", "ő", "中文", "日本語", "עברית", "العربية", "ภาษาไทย", "'", '"', '""',
    "«", "»", "“", "”", "‘", "’", ",", ", ", ";", "\n", "\n\n", "\t", "😀", "👨\u200d👩\u200d👧", "🇲🇽", "\U0001d11e",
    "\u00a0", "\u2028", "\u2029", "\x85", "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "=", "+", "-", "@",
    "=SUM(A1)", '=HYPERLINK("https://example.org","x")', "+52 55 1234", "-1", "@x", "=1+1", "_x0041_", "_x000D_",
    "_x005F_", "_xFFFF_", "<b>", "&amp;", "&", "<", ">", "]]>", "<![CDATA[", "\\", "\\n", "0", "007", "1e5", "1,5",
    "0.1", "NULL", "NA", "N/A", "nan", "NaN", "true", "None", "2024-01-01", "1989", "$", "%", "%s", "{0}", "#",
    "#N/A", "'quoted'", '"quoted"', "\x01", "\x08", "\x1b", "\x1f", "\x7f", "\x0b", "\x0c", "\ufffd", "\ufffe",
    "\uffff", "\U0010ffff", "a", "Z", " ", "  ",
]
PREFIXES = ["", "", "=", "+", "-", "@", "'", '"', "\t", "\n", " "]


def _normalise(s: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", s).strip())


def _ok(s: str) -> bool:
    return (bool(s) and s == s.strip() and unicodedata.normalize("NFC", s) == s and "\r" not in s
            and "\x00" not in s and not CONVICTED.search(s))


#: whole cells that readers or spreadsheets like to reinterpret: missing-value markers of
#: pandas, pyarrow and R, booleans, numbers, lone formula characters
WHOLE_CELLS = [
    "NA", "N/A", "n/a", "NULL", "null", "nan", "NaN", "-NaN", "-nan", "#N/A", "#N/A N/A", "#NA", "1.#IND", "-1.#IND",
    "1.#QNAN", "-1.#QNAN", "<NA>", "None", "none", "NaT", "nil", "TRUE", "false", "0", "-0", "1e309", "0x10", "=",
    "+", "-", "@", "'", '"', '""', ",", ";", "-1", "+1", "@x", "=A1", "=1+1", "\\", "_x0000_",
]

characters = st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00")
awkward_text = st.one_of(
    st.sampled_from(WHOLE_CELLS),
    st.tuples(
        st.sampled_from(PREFIXES),
        st.lists(st.one_of(st.sampled_from(PIECES), st.text(characters, max_size=5)), min_size=1, max_size=6),
    ).map(lambda t: _normalise(t[0] + "".join(t[1]))),
    st.tuples(
        st.sampled_from(PREFIXES),
        st.lists(st.one_of(st.sampled_from(PIECES), st.text(characters, max_size=5)), min_size=1, max_size=6),
    ).map(lambda t: _normalise(t[0] + "".join(t[1]))),
).filter(_ok)


def _item(s: str) -> str:
    return _normalise(s.replace(";", ","))


awkward_list = st.lists(awkward_text.map(_item).filter(_ok), min_size=1, max_size=3).map(";".join)


def _edit(table: str, values):
    return st.one_of(st.none(), st.tuples(st.integers(0, NROWS[table] - 1), values))


edits_strategy = st.fixed_dictionaries(
    {**{tc: _edit(tc[0], awkward_text) for tc in FREE_TEXT},
     **{tc: _edit(tc[0], awkward_list) for tc in FREE_LISTS}}
).map(lambda d: {k: v for k, v in d.items() if v is not None}).filter(bool)


def write_edits(pkg: PackageCopy, edits: dict) -> None:
    by_table: dict[str, list] = {}
    for (table, column), (row, text) in edits.items():
        by_table.setdefault(table, []).append((row, column, text))
    for table, cells in by_table.items():
        rows = pkg.rows(table)
        for row, column, text in cells:
            rows[row][column] = text
        pkg.write_rows(table, rows)


#: text that CSV readers like to turn into missing values (pandas and pyarrow defaults)
NA_LIKE = {
    ("persons", "name"): (0, "NA"), ("persons", "notes"): (1, "null"), ("events", "summary"): (0, "#N/A"),
    ("events", "notes"): (1, "nan"), ("organizations", "description"): (0, "N/A"), ("sources", "title"): (0, "NULL"),
    ("aliases", "alias"): (0, "None"), ("sentences", "charges"): (0, "NaN"), ("extraditions", "notes"): (0, "n/a"),
    ("memberships", "notes"): (0, "-nan"), ("sources", "authors"): (1, "NA;null;#N/A N/A"),
    ("events", "place"): (2, "1.#QNAN"), ("persons", "birth_place"): (2, "<NA>"),
}
#: text that spreadsheets run or escape: formulas, control characters, OOXML escapes
SPREADSHEET_LIKE = {
    ("events", "summary"): (0, '=HYPERLINK("https://example.org","x")'), ("persons", "name"): (0, "@Z-40"),
    ("organizations", "name"): (0, "+52 55 1234"), ("aliases", "alias"): (0, "-1"), ("events", "notes"): (0, "=1+1"),
    ("persons", "notes"): (0, "a\x1fb_x0041_\tc\u2028d\x85e"), ("sources", "notes"): (0, '"quoted", \'and\'\n"more"'),
    ("sentences", "notes"): (0, "_x005F_ _x0041_ \uffff 👨\u200d👩\u200d👧 🇲🇽"),
}


@pytest.mark.fuzz
@fuzz(DEFAULT_EXAMPLES)
@example(edits=NA_LIKE)
@example(edits=SPREADSHEET_LIKE)
@given(edits=edits_strategy)
def test_awkward_text_round_trips(edits):
    with tempfile.TemporaryDirectory(prefix="cartel-roundtrip-") as td:
        root, out_dir = Path(td) / "pkg", Path(td) / "out"
        root.mkdir()
        out_dir.mkdir()
        pkg = PackageCopy(root, source=SMALL)
        write_edits(pkg, edits)

        report = cartel_data.validate(root)
        errors = [f"{p.location()} {p.rule}: {p.message} [{p.column}] {p.value!r}" for p in report.errors]
        assert report.valid, "awkward but valid text was refused:\n  " + "\n  ".join(errors[:10])

        expected, schemas, frames = expected_of(root)
        for (table, column), (row, text) in edits.items():
            assert frames[table][column][row] == text, (table, column, row, frames[table][column][row], text)

        for fmt in sorted(READERS):
            round_trip(fmt, root, out_dir, expected, schemas, frames)
