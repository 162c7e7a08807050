"""Fuzzing the validator: no mutation of the package's files may turn into a traceback.

Hypothesis property tests. Each example copies the real package into a fresh temporary
folder, breaks it with a small random *plan* (a plain tuple of operations, printed in full
when a test fails, so a failure can be pasted back as ``@example(plan)`` or into
``KNOWN_CRASHES``), then checks that

- ``cartel_data.validate(path)`` returns a report or raises ``PackageError`` (the
  documented "cannot read the package at all" case) and nothing else;
- every problem has a rule, a message and a severity, and every rendering of the report
  (text, JSON, GitHub) works;
- ``cartel-data validate --format json`` exits with 0, 1 or 2, never with a traceback,
  and prints a JSON report agreeing with its exit status;
- when the report says *valid*, ``load_all`` and an export in every format succeed and
  agree with the report's row counts.

Plans:

- CSV plans (``test_csv_mutations``) change one table's file: bytes replaced, inserted or
  deleted (including NUL, BOM, CR, invalid UTF-8), lines swapped, duplicated, deleted or
  inserted, cells set to awkward text or to edge values of the column's type, columns
  dropped or swapped, the file emptied, deleted or replaced by a folder.
- Descriptor plans (``test_descriptor_mutations``) change ``datapackage.json`` or one
  ``schemas/*.json``: keys dropped, values of any JSON type put anywhere, resource paths
  set to ``../x``, ``/etc/passwd``, ``https://...`` and friends, schema fields and
  constraints changed, the text truncated, emptied or made invalid UTF-8.
- Edge-value plans (``test_typed_edge_values``) set typed cells (ids, integers, numbers,
  booleans, dates, partial dates, countries, enums, lists) to edge values of their type:
  huge integers, ``1e309``, ``0001``, duplicated or foreign ids. These packages often stay
  valid, so loading and exporting are exercised with awkward but legal values.
- ``test_cli_validate_json`` runs CSV or descriptor plans through the command line.
- ``test_known_crashes`` / ``test_known_cli_crashes`` replay, quickly and always, the
  minimal plans of the crashes found so far (``KNOWN_CRASHES``, ``KNOWN_CLI_CRASHES``).

Running
-------
CI (the default, 60 to 90 seconds on two cores): a fixed, derandomised set of examples::

    python -m pytest -m fuzz tests/test_fuzz.py

Long mode, 10,000 examples per test (hours; random seed, so every run explores new
ground; failures are saved in ``.hypothesis/`` and replayed on the next run)::

    CARTEL_FUZZ_EXAMPLES=10000 python -m pytest -m fuzz tests/test_fuzz.py

Environment:

``CARTEL_FUZZ_EXAMPLES``
    examples per property test (defaults below, tuned to the CI budget).
``CARTEL_FUZZ_SEED``
    an integer seed to reproduce a random run, or ``random`` for a random run at the
    default size. Without it the default size is derandomised (the same examples on every
    run) and a larger size is random.
``CARTEL_FUZZ_SHRINK``
    ``1`` to shrink a failing plan to a minimal one, ``0`` to report it as found. Each
    shrinking step re-validates a package, so shrinking takes up to five minutes per bug:
    off by default in the derandomised CI mode (a failure stops the test at once, and the
    plan is at most three operations anyway), on in the random modes.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import cartel_data
from cartel_data.cli import cli
from cartel_data.api import export
from cartel_data.export import formats

FORMATS = formats()
from cartel_data.package import Package, PackageError
from cartel_data.report import ERROR, WARNING
from conftest import PackageCopy, fuzz, small_root

pytestmark = pytest.mark.fuzz

# -- settings -------------------------------------------------------------------------------

DEFAULTS = {"csv": 65, "edges": 45, "descriptor": 75, "cli": 25}
LONG_ABOVE = max(DEFAULTS.values())


# -- what the real package looks like (read once) ---------------------------------------------

#: the mutations start from an excerpt of the real package (every table and column, about a third
#: of the rows, valid): each example validates it, and loads and exports it when it stays valid
ROOT = small_root()
PKG = Package(ROOT)
TABLES = PKG.resource_names
SCHEMAS = {n: PKG.resource(n).schema for n in TABLES}
SCHEMA_FILES = sorted(p.name for p in (ROOT / "schemas").glob("*.json"))
FILE_BYTES = {n: PKG.resource(n).path.read_bytes() for n in TABLES}


def _rows(name):
    return list(csv.reader(io.StringIO(FILE_BYTES[name].decode("utf-8"), newline="")))


ROWS = {n: _rows(n) for n in TABLES}
#: a few existing values of each column, so a cell can get a value that exists elsewhere
#: (duplicate ids, ids of the wrong table, dates of another row...)
COLUMN_VALUES = {
    n: {h: sorted({r[j] for r in ROWS[n][1:] if j < len(r)})[:25] for j, h in enumerate(ROWS[n][0])}
    for n in TABLES
}
ALL_IDS = sorted({v for n in TABLES for v in COLUMN_VALUES[n][SCHEMAS[n].primary_key[0]][:5]})

# -- awkward values ---------------------------------------------------------------------------

#: Lone surrogates \udc80-\udcff stand for single invalid bytes: cell text is written with
#: errors="surrogateescape", so "\udcff" becomes the byte 0xff in the file.
AWKWARD = [
    "", " ", "\t", '"', '""', '"quoted"', 'a "b" c', "'", "`", ",", "a,b", ";", "a;;b", "\n", "a\nb", "\r", "\r\n",
    "\x00", "\ufeff", "\x0b", "\x0c", "\x1f", "\x7f", "\x85", "\u2028", "\u202e", "\u00a0", "é", "e\u0301", "Ω",
    "😀", "👩\u200d👩\u200d👧", "🇲🇽", "\U0010ffff", "\ufffe", "\uffff", "\udcff", "\udcc3", "\udcc3\udca9",
    "=1+1", "+1", "-1", "@SUM(A1)", '=HYPERLINK("https://example.org","x")', "NA", "N/A", "null", "None", "NaN",
    "nan", "inf", "-inf", "true", "false", "TRUE", "0", "-0", "+3", "1.5", ".5", "5.", "1e309", "0x10", "1_000",
    "١٢", "１２", "99999999999999999999", "1985-02-30", "1985-13", "0000", "0000-01-01", "2999", "9999-12-31",
    "1989-04-08T00:00", "MX", "XX", "mx", "src-", "per-", "https://", "https://example.com/a b", "http://example.com",
    "_x0041_", "_x000D_", "<b>&amp;</b>", "\\", "%s", "{}", "[]", " leading", "trailing ", "x" * 10_001,
]
AWKWARD_SHORT = [a for a in AWKWARD if len(a) < 50]

#: Edge values by column type.
TYPE_EDGES = {
    "integer": ["0", "-1", "+1", "1.0", " 1", "0012", "1e3", "9223372036854775807", "9223372036854775808",
                "-9223372036854775809", "99999999999999999999999999"],
    "number": ["0", "-0", "0.1", "1.", ".5", "1E5", "1e309", "-1e309", "1e-400", "nan", "NaN", "inf", "Infinity",
               "99999999999999999999999999", "1e308", "0x1p3", "1_0"],
    "boolean": ["true", "false", "True", "FALSE", "1", "0", "yes"],
    "date": ["2000-02-29", "1900-02-29", "0001-01-01", "0000-01-01", "9999-12-31", "2000-1-1", "20000101",
             "1985-02-30", "2999-01-01", "1989-04-08 ", "1989-04"],
    "partial_date": ["1989", "1989-04", "1989-04-08", "0000", "0001", "0001-01-01", "1989-00", "1989-4", "1989-02-29",
                     "2000-02-29", "2999", "9999", "9999-12-31", "1989-04-31", "19890", "+1989"],
    "list": ["a", "a;a", "a;;b", ";a", "a;", "a; b", " a", "src-x;src-x"],
    "country": ["MX", "US", "XK", "ZZ", "mx", "MEX", "EU", "UK"],
}


def edge_values(table: str, column: str | None) -> list[str]:
    f = SCHEMAS[table].by_name.get(column) if column else None
    if f is None:
        return list(COLUMN_VALUES[table].get(column, []))[:10] or ["x"]
    # existing values matter for ids (duplicates, references); for other kinds the edges do
    out = list(COLUMN_VALUES[table].get(column, []))[:10] if (f.pattern or f.references) else []
    out += TYPE_EDGES.get(f.type, [])
    if f.kind in TYPE_EDGES:
        out += TYPE_EDGES[f.kind]
    if f.enum:
        out += list(f.enum) + [f.enum[0].upper(), f.enum[0] + " ", "Other"]
    if f.pattern or f.references:
        out += ALL_IDS + ["per-X", "per--x", "per-x-", "per-ñ", "per-x;per-y"]
    if f.references:
        out += [";".join(ALL_IDS[:3]), ALL_IDS[0] + ";" + ALL_IDS[0]]
    return out or list(COLUMN_VALUES[table].get(column, []))[:10] or ["x"]


text_piece = st.one_of(st.sampled_from(AWKWARD_SHORT), st.text(max_size=6))
awkward_text = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(max_size=12),
    st.lists(text_piece, min_size=2, max_size=4).map("".join),
)
raw_bytes = st.one_of(
    st.sampled_from([b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\r", b"\r\n", b"\n", b"\n\n", b'"', b'""', b",",
                     b",,", b";", b"\xe2\x80\xa8", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf"]),
    st.binary(min_size=1, max_size=8),
)


def cell_value(table: str, column: str | None):
    return st.one_of(awkward_text, st.sampled_from(edge_values(table, column)))


# -- CSV plans -------------------------------------------------------------------------------

WHOLE_FILE = ["empty", "header_only", "delete", "make_dir", "bom", "crlf", "cr", "no_final_newline",
              "blank_line_at_end", "only_newline", "no_header"]


def csv_ops(table: str):
    size = len(FILE_BYTES[table])
    nlines = FILE_BYTES[table].count(b"\n") + 1
    header = ROWS[table][0]
    nrows = len(ROWS[table])
    pos = st.integers(0, size)
    line = st.integers(0, nlines - 1)
    col = st.integers(0, len(header) - 1)

    def set_cell(c):
        # row 0 is the header, so a header cell can be renamed too
        return st.tuples(st.just("set_cell"), st.integers(0, nrows - 1), st.just(c), cell_value(table, header[c]))

    set_cell_op = col.flatmap(set_cell)
    return st.one_of(
        set_cell_op,
        set_cell_op,
        set_cell_op,
        st.tuples(st.just("replace_bytes"), pos, raw_bytes),
        st.tuples(st.just("insert_bytes"), pos, raw_bytes),
        st.tuples(st.just("delete_bytes"), pos, st.integers(1, 80)),
        st.tuples(st.just("truncate"), pos),
        st.tuples(st.just("swap_lines"), line, line),
        st.tuples(st.just("dup_line"), line),
        st.tuples(st.just("delete_line"), line),
        st.tuples(st.just("insert_line"), line, awkward_text),
        st.tuples(st.just("drop_column"), col),
        st.tuples(st.just("swap_columns"), col, col),
        st.tuples(st.just("whole"), st.sampled_from(WHOLE_FILE)),
    )


csv_plans = st.sampled_from(TABLES).flatmap(
    lambda t: st.tuples(st.just("csv"), st.just(t), st.lists(csv_ops(t), min_size=1, max_size=3).map(tuple))
)


def _typed_columns(table: str) -> list[int]:
    """Positions of the columns that are not free text (ids, numbers, dates, enums, lists...)."""
    out = []
    for j, h in enumerate(ROWS[table][0]):
        f = SCHEMAS[table].by_name.get(h)
        if f is not None and (f.type != "string" or f.pattern or f.enum or f.kind):
            out.append(j)
    return out


def _kind(f) -> str:
    if f.enum:
        return "enum"
    if f.kind:
        return f.kind
    if f.type == "string":
        return "id" if f.pattern and f.pattern.endswith("*") else "pattern"
    return f.type


#: typed columns grouped by kind, so that rare kinds (number, date) are drawn as often as ids
COLUMNS_BY_KIND: dict[str, list[tuple[str, int]]] = {}
for _t in TABLES:
    for _j in _typed_columns(_t):
        COLUMNS_BY_KIND.setdefault(_kind(SCHEMAS[_t].by_name[ROWS[_t][0][_j]]), []).append((_t, _j))


def typed_set(table: str, c: int):
    return st.tuples(st.just("set_cell"), st.integers(1, len(ROWS[table]) - 1), st.just(c),
                     st.sampled_from(edge_values(table, ROWS[table][0][c])))


def _typed_plan(table: str, c: int):
    more = st.sampled_from(_typed_columns(table)).flatmap(lambda j: typed_set(table, j))
    return st.tuples(st.just("csv"), st.just(table),
                     st.tuples(typed_set(table, c), st.lists(more, max_size=2)).map(lambda x: (x[0], *x[1])))


#: set typed cells of data rows to edge values of their type: packages that often stay
#: valid, so loading and exporting get exercised with awkward but legal values
typed_plans = st.sampled_from(sorted(COLUMNS_BY_KIND)).flatmap(
    lambda k: st.sampled_from(COLUMNS_BY_KIND[k])).flatmap(lambda tc: _typed_plan(*tc))


def _encode(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogateescape")


def _apply_csv_op(data: bytes | None, op) -> bytes | None | str:
    """One CSV operation on the file's bytes (None: the file is absent; "dir": a folder)."""
    kind = op[0]
    if kind == "whole":
        w = op[1]
        if w == "delete":
            return None
        if w == "make_dir":
            return "dir"
        data = data if isinstance(data, bytes) else b""
        return {
            "empty": lambda: b"",
            "header_only": lambda: data.split(b"\n", 1)[0] + b"\n",
            "bom": lambda: b"\xef\xbb\xbf" + data,
            "crlf": lambda: data.replace(b"\n", b"\r\n"),
            "cr": lambda: data.replace(b"\n", b"\r"),
            "no_final_newline": lambda: data.rstrip(b"\n"),
            "blank_line_at_end": lambda: data + b"\n",
            "only_newline": lambda: b"\n",
            "no_header": lambda: data.split(b"\n", 1)[1] if b"\n" in data else b"",
        }[w]()
    if not isinstance(data, bytes):
        return data
    n = len(data)
    if kind == "replace_bytes":
        p = op[1] % (n + 1)
        return data[:p] + op[2] + data[p + len(op[2]):]
    if kind == "insert_bytes":
        p = op[1] % (n + 1)
        return data[:p] + op[2] + data[p:]
    if kind == "delete_bytes":
        p = op[1] % (n + 1)
        return data[:p] + data[p + op[2]:]
    if kind == "truncate":
        return data[: op[1] % (n + 1)]
    if kind in ("swap_lines", "dup_line", "delete_line", "insert_line"):
        lines = data.split(b"\n")
        i = op[1] % len(lines)
        if kind == "swap_lines":
            j = op[2] % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "dup_line":
            lines.insert(i, lines[i])
        elif kind == "delete_line":
            del lines[i]
        else:
            lines.insert(i, _encode(op[2]))
        return b"\n".join(lines)
    # cell and column operations work on parsed rows; skipped when the file no longer parses
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8", errors="surrogateescape"), newline=""), strict=True))
    except csv.Error:
        return data
    if not rows or not rows[0]:
        return data
    if kind == "set_cell":
        row = rows[op[1] % len(rows)]
        if not row:
            return data
        row[op[2] % len(row)] = op[3]
    elif kind == "drop_column":
        c = op[1] % len(rows[0])
        rows = [r[:c] + r[c + 1:] for r in rows]
    elif kind == "swap_columns":
        a, b = op[1] % len(rows[0]), op[2] % len(rows[0])
        for r in rows:
            if a < len(r) and b < len(r):
                r[a], r[b] = r[b], r[a]
    else:  # pragma: no cover - a plan names an unknown operation
        raise AssertionError(op)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return _encode(buf.getvalue())


def _write_state(path: Path, state) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    if state == "dir":
        path.mkdir()
    elif isinstance(state, bytes):
        path.write_bytes(state)


def apply_csv_plan(root: Path, plan) -> None:
    _, table, ops = plan
    path = root / "data" / f"{table}.csv"
    state = path.read_bytes()
    for op in ops:
        state = _apply_csv_op(state, op)
    _write_state(path, state)


# -- descriptor and schema plans -----------------------------------------------------------------

REAL_PATHS = [f"data/{t}.csv" for t in TABLES] + [f"schemas/{s}" for s in SCHEMA_FILES]
WEIRD_PATHS = [
    "../x", "../data/persons.csv", "../../../../../../etc/passwd", "/etc/passwd", "/", "https://example.com/x.csv",
    "http://localhost:1/x.csv", "file:///etc/passwd", "data:text/csv,a", "//host/share/x.csv", "C:\\x.csv", "c:/x.csv",
    "\\\\server\\share\\x.csv", "\\x.csv", "data", "data/", "schemas", ".", "..", "data/..", "", " ", "\x00",
    "data/persons.csv\x00", "data/nope.csv", "data/./persons.csv", "data//persons.csv", "data\\persons.csv",
    "data/persons.CSV", "~/x.csv", "data/persons.csv/", "data/persons.csv?x=1", "data/persons.csv#x",
    "%2e%2e/x.csv", "datapackage.json", "x" * 300, "data/" + "x" * 255 + ".csv", "é/ü.csv", "\ud800", "\udcff",
    "data/\n.csv", "data/ persons.csv",
]
WEIRD_STRINGS = WEIRD_PATHS + REAL_PATHS + TABLES + [
    "string", "integer", "number", "boolean", "date", "list", "datetime", "any", "object", "geopoint",
    "partial_date", "country", "(", "[a-z", ".*", "\\", "a{99999999999}", "(?P<x>)(?P<x>)", "0.1.0", "1.0",
    "utf-8", "latin-1", "utf-16", "csv", "xlsx", "NA", "true", "false", ";", ",", "\t", "😀",
]
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2 ** 70), 2 ** 70), st.sampled_from([0, 1, -1, 10 ** 400]),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(WEIRD_STRINGS), st.text(max_size=8),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6,
)
RESOURCE_KEYS = ["name", "path", "schema", "encoding", "format", "mediatype", "profile", "dialect", "title",
                 "description"]
TOP_KEYS = ["name", "title", "version", "licenses", "resources", "description", "profile", "keywords"]
FIELD_KEYS = ["name", "type", "format", "constraints", "trueValues", "falseValues", "delimiter", "itemType",
              "x-kind", "x-references", "x-notBefore", "description"]
CONSTRAINT_KEYS = ["required", "unique", "pattern", "enum", "minLength", "maxLength", "minimum", "maximum"]
SCHEMA_KEYS = ["fields", "primaryKey", "foreignKeys", "missingValues", "title", "description"]
TEXT_WHOLE = ["empty", "null", "array", "string", "delete", "make_dir", "not_utf8", "bom", "utf16", "deep"]
JSON_TARGETS = ["datapackage.json"] + [f"schemas/{s}" for s in SCHEMA_FILES]
JSON_DOCS = {t: json.loads((ROOT / t).read_text(encoding="utf-8")) for t in JSON_TARGETS}


def _tree_paths(node, prefix=()):
    """Every location (tuple of keys and indices) in a JSON tree, depth first."""
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in items:
        out.append(prefix + (k,))
        out += _tree_paths(v, prefix + (k,))
    return out


def json_locations(target: str) -> list[tuple]:
    """The locations a plan may delete or set in ``target``: every existing one plus the
    usual keys that are absent (a resource's dialect, a field's constraints...)."""
    doc = JSON_DOCS[target]
    locs = [()] + _tree_paths(doc)
    if target == "datapackage.json":
        locs += [(k,) for k in TOP_KEYS]
        for i, _ in enumerate(doc["resources"]):
            locs += [("resources", i, k) for k in RESOURCE_KEYS]
    else:
        locs += [(k,) for k in SCHEMA_KEYS]
        for i, _ in enumerate(doc["fields"]):
            locs += [("fields", i, k) for k in FIELD_KEYS]
            locs += [("fields", i, "constraints", k) for k in CONSTRAINT_KEYS]
    return list(dict.fromkeys(locs))


def json_value(target: str):
    """Anything, a weird string, or a value that exists elsewhere in the same file (so a
    resource can point at another table's CSV, a field take another field's name...)."""
    existing = sorted({json.dumps(v, sort_keys=True) for v in _leaves(JSON_DOCS[target])})
    return st.one_of(json_values, st.sampled_from(WEIRD_STRINGS), st.sampled_from(existing).map(json.loads))


def _leaves(node):
    if isinstance(node, dict):
        for v in node.values():
            yield from _leaves(v)
    elif isinstance(node, list):
        yield node
        for v in node:
            yield from _leaves(v)
    else:
        yield node


def json_ops(target: str):
    locs = json_locations(target)
    loc = st.sampled_from(locs)
    item_locs = [l for l in locs if len(l) >= 2 and isinstance(l[-1], int)]
    text_size = len((ROOT / target).read_bytes())
    pos = st.integers(0, text_size)
    return st.one_of(
        st.tuples(st.just("set"), loc, json_value(target)),
        st.tuples(st.just("set"), loc, json_value(target)),
        st.tuples(st.just("delete"), loc),
        st.tuples(st.just("swap"), loc, loc),
        st.tuples(st.just("dup_item"), st.sampled_from(item_locs)),
        st.tuples(st.just("truncate"), pos),
        st.tuples(st.just("insert_text"), pos, st.sampled_from(
            ["{", "}", "[", "]", ",", '"', ":", "\\", "\x00", "\ufeff", "// x", "NaN", "1e999", "\udcff", "\n"])),
        st.tuples(st.just("whole"), st.sampled_from(TEXT_WHOLE)),
    )


descriptor_plans = st.sampled_from(["datapackage.json"] * (len(JSON_TARGETS) - 1) + JSON_TARGETS).flatmap(
    lambda t: st.tuples(st.just("json"), st.just(t), st.lists(json_ops(t), min_size=1, max_size=3).map(tuple))
)


def _dumps(doc) -> bytes:
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: escaped, so json.loads gives them back
        return (json.dumps(doc, ensure_ascii=True, indent=2) + "\n").encode("ascii")


_MISSING = object()


def _get(doc, loc):
    node = doc
    for k in loc:
        if isinstance(node, dict) and isinstance(k, str) and k in node:
            node = node[k]
        elif isinstance(node, list) and isinstance(k, int) and 0 <= k < len(node):
            node = node[k]
        else:
            return _MISSING
    return node


def _set(doc, loc, value):
    """``doc`` with ``value`` at ``loc``; missing dicts on the way are created, a location
    that no longer fits the tree (an earlier operation changed it) is left alone."""
    if not loc:
        return value
    node = doc
    for k in loc[:-1]:
        nxt = _get(node, (k,))
        if nxt is _MISSING:
            if not (isinstance(node, dict) and isinstance(k, str)):
                return doc
            node[k] = nxt = {}
        node = nxt
    k = loc[-1]
    if isinstance(node, dict) and isinstance(k, str):
        node[k] = value
    elif isinstance(node, list) and isinstance(k, int) and 0 <= k < len(node):
        node[k] = value
    return doc


def _delete(doc, loc):
    if not loc:
        return {}
    parent = _get(doc, loc[:-1])
    k = loc[-1]
    if isinstance(parent, dict) and k in parent:
        del parent[k]
    elif isinstance(parent, list) and isinstance(k, int) and 0 <= k < len(parent):
        del parent[k]
    return doc


def _apply_json_op(state, op):
    """state: ("tree", obj) or ("bytes", b) or ("absent",) or ("dir",)."""
    kind = op[0]
    if kind == "whole":
        w = op[1]
        if w == "delete":
            return ("absent",)
        if w == "make_dir":
            return ("dir",)
        b = state[1] if state[0] == "bytes" else _dumps(state[1]) if state[0] == "tree" else b""
        return ("bytes", {
            "empty": lambda: b"",
            "null": lambda: b"null\n",
            "array": lambda: b"[]\n",
            "string": lambda: b'"datapackage"\n',
            "not_utf8": lambda: b.replace(b"e", b"\xe9", 3),
            "bom": lambda: b"\xef\xbb\xbf" + b,
            "utf16": lambda: b.decode("utf-8", errors="replace").encode("utf-16"),
            "deep": lambda: b"[" * 5_000 + b"]" * 5_000,
        }[w]())
    if kind in ("truncate", "insert_text"):
        if state[0] == "tree":
            state = ("bytes", _dumps(state[1]))
        if state[0] != "bytes":
            return state
        b = state[1]
        p = op[1] % (len(b) + 1)
        if kind == "truncate":
            return ("bytes", b[:p])
        return ("bytes", b[:p] + op[2].encode("utf-8", errors="surrogateescape") + b[p:])
    # tree operations
    if state[0] == "bytes":
        try:
            state = ("tree", json.loads(state[1].decode("utf-8")))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return state
    if state[0] != "tree":
        return state
    doc = state[1]
    if kind == "set":
        doc = _set(doc, op[1], op[2])
    elif kind == "delete":
        doc = _delete(doc, op[1])
    elif kind == "swap":
        a, b = _get(doc, op[1]), _get(doc, op[2])
        if a is not _MISSING and b is not _MISSING and op[1] and op[2]:
            a, b = json.loads(json.dumps(a)), json.loads(json.dumps(b))
            doc = _set(_set(doc, op[1], b), op[2], a)
    elif kind == "dup_item":
        parent = _get(doc, op[1][:-1])
        item = _get(doc, op[1])
        if isinstance(parent, list) and item is not _MISSING:
            parent.append(json.loads(json.dumps(item)))
    else:  # pragma: no cover
        raise AssertionError(op)
    return ("tree", doc)


def apply_json_plan(root: Path, plan) -> None:
    _, target, ops = plan
    path = root / target
    state = ("tree", json.loads(path.read_text(encoding="utf-8")))
    for op in ops:
        state = _apply_json_op(state, op)
    if state[0] == "tree":
        state = ("bytes", _dumps(state[1]))
    _write_state(path, {"bytes": lambda: state[1], "dir": lambda: "dir", "absent": lambda: None}[state[0]]())


def apply_plan(root: Path, plan) -> None:
    (apply_csv_plan if plan[0] == "csv" else apply_json_plan)(root, plan)


any_plan = st.one_of(csv_plans, descriptor_plans)

# -- the properties ------------------------------------------------------------------------------


def check_problems(problems) -> None:
    for p in problems:
        assert isinstance(p.rule, str) and p.rule.strip(), p
        assert isinstance(p.message, str) and p.message.strip(), p
        assert p.severity in (ERROR, WARNING), p
        assert isinstance(p.file, str) and p.file, p
        assert p.line is None or (isinstance(p.line, int) and p.line >= 1), p
        assert p.col is None or (isinstance(p.col, int) and p.col >= 1), p


def check_package(root: Path, out: Path) -> None:
    """The whole property for one (possibly broken) package folder."""
    try:
        report = cartel_data.validate(root)
    except PackageError as exc:
        assert str(exc).strip()
        return
    check_problems(report.problems)
    assert report.exit_code == (0 if report.valid else 1)
    doc = json.loads(report.to_json())
    assert doc["valid"] == report.valid and len(doc["problems"]) == len(report.problems)
    assert report.summary() in report.to_text() and report.summary() in report.to_github()
    if not report.valid:
        return
    # valid: loading and every export must work
    frames = cartel_data.load_all(root)
    assert list(frames) == list(report.tables), (list(frames), list(report.tables))
    for name, n in report.tables.items():
        assert len(frames[name]) == n, (name, len(frames[name]), n)
    for fmt in sorted(FORMATS):
        target = out / f"export-{fmt}"
        export(fmt, target, path=root, check=False)
        assert target.exists()


def run_plan(plan) -> None:
    with tempfile.TemporaryDirectory(prefix="cartel-fuzz-") as td:
        td = Path(td)
        (td / "pkg").mkdir()
        (td / "out").mkdir()
        PackageCopy(td / "pkg", source=ROOT)
        apply_plan(td / "pkg", plan)
        check_package(td / "pkg", td / "out")


def cell_plan(table: str, column: str, value: str, where=lambda row: True):
    """A CSV plan setting ``column`` of the first data row matching ``where`` (a dict)."""
    header = ROWS[table][0]
    i = next(i for i, r in enumerate(ROWS[table][1:], start=1) if where(dict(zip(header, r))))
    return ("csv", table, (("set_cell", i, header.index(column), value),))


def json_plan(target: str, *ops):
    return ("json", target, tuple(ops))


#: Minimal plans that made the package crash when these tests were written (found by the
#: properties below or while writing them); each one is a quick regression test.
KNOWN_CRASHES = {
    # -- validate() raises instead of reporting a problem --
    "descriptor-nested-too-deep": json_plan("datapackage.json", ("whole", "deep")),
    "schema-nested-too-deep": json_plan("schemas/events.json", ("whole", "deep")),
    "schema-pattern-repeat-overflow": json_plan(
        "schemas/events.json", ("set", ("fields", 0, "constraints", "pattern"), "a{99999999999}")),
    "schema-field-type-is-a-list": json_plan("schemas/organizations.json", ("set", ("fields", 2, "type"), [])),
    "schema-x-kind-is-a-list": json_plan("schemas/sentences.json", ("set", ("fields", 4, "x-kind"), [])),
    # -- the report says valid, but load_all fails --
    "integer-beyond-int64": cell_plan("events", "reported_count", "9223372036854775808"),
    "integer-beyond-uint64": cell_plan("sentences", "term_years", "99999999999999999999",
                                       where=lambda r: r["life"] == "false" and not r["term_months"]),
    # the fast CSV reader (pyarrow) reads "NA", "NaN", "null", "#N/A"... as missing cells, the
    # loader (pandas, keep_default_na=False) as text
    "integer-written-NA": cell_plan("events", "reported_count", "NA"),
    "number-written-NaN": cell_plan("sentences", "fine_amount", "NaN",
                                    where=lambda r: not r["fine_amount"] and not r["fine_currency"]),
    # found by the long run (seed 20261121): a 26-digit number broke pandas.to_numeric, and
    # Arrow refused the integer "+1"
    "number-with-26-digits": ("csv", "sentences", (("set_cell", 4, 10, "99999999999999999999999999"),
                                                   ("set_cell", 8, 7, "+1"), ("set_cell", 8, 7, "+1"))),
    "integer-with-plus-sign": cell_plan("events", "reported_count", "+1"),
    "missing-values-not-text": json_plan("schemas/event_participants.json",
                                         ("set", ("missingValues", 0), ["event_id"])),
    "enum-value-listed-twice": json_plan("schemas/events.json", ("dup_item", ("fields", 1, "constraints", "enum", 0))),
    # -- the report says valid, but an export fails --
    "number-overflows-to-infinity": cell_plan("sentences", "fine_amount", "1e309", where=lambda r: r["fine_amount"]),
    "field-description-not-text": json_plan("schemas/persons.json", ("set", ("fields", 0, "description"), [])),
    "package-title-not-text": json_plan("datapackage.json", ("set", ("title",), [])),
    "package-description-not-text": json_plan("datapackage.json", ("set", ("description",), {})),
    "licenses-not-a-list": json_plan("datapackage.json", ("set", ("licenses",), 5)),
    "lone-surrogate-in-descriptor": json_plan("datapackage.json", ("set", ("keywords", 0), "\ud800")),
    "primary-key-not-unique": json_plan("schemas/sources.json", ("set", ("primaryKey",), ["publisher"])),
    "primary-key-field-twice": json_plan("schemas/persons.json", ("dup_item", ("primaryKey", 0))),
    "foreign-key-declared-twice": json_plan("schemas/sentences.json", ("dup_item", ("foreignKeys", 0))),
    "foreign-key-field-count-mismatch": json_plan("schemas/sentences.json",
                                                  ("dup_item", ("foreignKeys", 0, "fields", 0))),
    "foreign-key-to-non-unique-field": json_plan("schemas/event_participants.json",
                                                 ("delete", ("foreignKeys", 0, "reference", "resource"))),
    "resource-name-with-slash": json_plan("datapackage.json", ("set", ("resources", 0, "name"), "a/b")),
    "resource-name-clashes-with-xlsx-sheet": json_plan("datapackage.json", ("set", ("resources", 0, "name"), "About")),
    "resource-name-reserved-by-sqlite": json_plan("datapackage.json",
                                                  ("set", ("resources", 0, "name"), "sqlite_master")),
}


@pytest.mark.parametrize("plan", KNOWN_CRASHES.values(), ids=KNOWN_CRASHES.keys())
def test_known_crashes(plan):
    run_plan(plan)


@fuzz(DEFAULTS["csv"], LONG_ABOVE)
@given(plan=csv_plans)
def test_csv_mutations(plan):
    run_plan(plan)


@fuzz(DEFAULTS["edges"], LONG_ABOVE)
@given(plan=typed_plans)
def test_typed_edge_values(plan):
    run_plan(plan)


@fuzz(DEFAULTS["descriptor"], LONG_ABOVE)
@given(plan=descriptor_plans)
def test_descriptor_mutations(plan):
    run_plan(plan)


def run_cli_plan(plan) -> None:
    with tempfile.TemporaryDirectory(prefix="cartel-fuzz-") as td:
        root = Path(td) / "pkg"
        root.mkdir()
        PackageCopy(root, source=ROOT)
        apply_plan(root, plan)
        result = CliRunner().invoke(cli, ["validate", str(root), "--format", "json"], catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            tb = "".join(traceback.format_exception(*result.exc_info))
            pytest.fail(f"cartel-data validate raised instead of reporting:\n{tb}")
        assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
        assert "Traceback" not in result.output
        if result.exit_code == 2:
            assert result.stdout == "", result.stdout
            assert result.stderr.startswith("cartel-data: cannot validate:"), result.stderr
            return
        doc = json.loads(result.stdout)
        assert doc["valid"] is (result.exit_code == 0)
        assert doc["counts"]["errors"] == sum(p["severity"] == ERROR for p in doc["problems"])
        for p in doc["problems"]:
            assert isinstance(p["rule"], str) and p["rule"].strip(), p
            assert isinstance(p["message"], str) and p["message"].strip(), p
            assert p["severity"] in (ERROR, WARNING), p


#: Minimal plans that made the command line print a traceback.
KNOWN_CLI_CRASHES = {
    # a problem's value holds a lone surrogate (valid JSON escape "\ud800" in the descriptor):
    # printing the report raises UnicodeEncodeError
    "lone-surrogate-in-problem-value": json_plan("datapackage.json", ("set", ("version",), "\ud800")),
}


@pytest.mark.parametrize("plan", KNOWN_CLI_CRASHES.values(), ids=KNOWN_CLI_CRASHES.keys())
def test_known_cli_crashes(plan):
    run_cli_plan(plan)


@fuzz(DEFAULTS["cli"], LONG_ABOVE)
@given(plan=any_plan)
def test_cli_validate_json(plan):
    run_cli_plan(plan)
