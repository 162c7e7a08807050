"""Exports: every format round-trips the tables, is deterministic and writes atomically."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

import cartel_data
from cartel_data.api import export
from cartel_data.errors import ExportError
from cartel_data.export import formats
from conftest import json_records as records

FORMATS = formats()
from cartel_data.records import read_package


@pytest.fixture(scope="module")
def data():
    return read_package(None)[1]


def sha(path):
    if path.is_dir():
        h = hashlib.sha256()
        for f in sorted(path.rglob("*")):
            if f.is_file():
                h.update(f.relative_to(path).as_posix().encode())
                h.update(f.read_bytes())
        return h.hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_deterministic(fmt, tmp_path):
    if fmt == "xlsx":
        pytest.importorskip("xlsxwriter")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = export(fmt, tmp_path / "a" / f"cartel-data.{fmt}")
    b = export(fmt, tmp_path / "b" / f"cartel-data.{fmt}")
    assert sha(a) == sha(b)


def test_json_round_trip(tmp_path, data):
    out = export("json", tmp_path / "x.json")
    text = out.read_text(encoding="utf-8")
    assert "NaN" not in text and "\\u00e1" not in text  # no NaN, no ASCII escaping
    doc = json.loads(text)
    assert doc["version"] == cartel_data.__version__ and doc["licenses"]
    for name, t in data.items():
        assert doc["tables"][name] == [dict(r) for r in t.dicts()]
        assert list(doc["tables"][name][0]) == t.columns  # keys in schema order


def test_jsonl_round_trip(tmp_path, data):
    out = export("jsonl", tmp_path / "x.jsonl")
    lines = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["table"] is None and lines[0]["package"]["name"] == "cartel-data"
    for name, t in data.items():
        assert [l["record"] for l in lines if l["table"] == name] == list(t.dicts())


def test_sqlite(tmp_path, data):
    out = export("sqlite", tmp_path / "x.sqlite")
    con = sqlite3.connect(out)
    con.execute("PRAGMA foreign_keys = ON")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    for name, t in data.items():
        rows = con.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
        assert len(rows) == len(t.rows)
    # declared constraints are enforced
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO events (event_id, event_type, date, summary, disputed, source_ids) "
                    "VALUES ('evt-x', 'massacre', '2000', 's', 0, 'src-x')")
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO memberships (membership_id, person_id, organization_id, role, disputed, source_ids) "
                    "VALUES ('mem-x', 'per-nobody', 'org-nobody', 'member', 0, 'src-x')")
        con.commit()
    con.rollback()
    # every foreign key column is indexed
    for name, t in data.items():
        idx_cols = {r[2] for i in con.execute(f'PRAGMA index_list("{name}")') for r in con.execute(f'PRAGMA index_info("{i[1]}")')}
        for fk in t.schema.foreign_keys:
            assert fk.fields[0] in idx_cols, (name, fk.fields)
    # citations normalise source_ids
    n = sum(len(r[t.columns.index("source_ids")]) for t in data.values() if "source_ids" in t.columns for r in t.rows)
    assert con.execute("SELECT count(*) FROM citations").fetchone()[0] == n
    # full text search folds diacritics
    hits = con.execute("SELECT entity_id FROM names_fts WHERE names_fts MATCH ?", ("felix gallardo",)).fetchall()
    assert ("per-miguel-angel-felix-gallardo",) in hits
    hits = con.execute("SELECT entity_id FROM names_fts WHERE names_fts MATCH ?", ('"Z-40"',)).fetchall()
    assert ("per-miguel-angel-trevino-morales",) in hits
    meta = dict(con.execute("SELECT key, value FROM package_metadata"))
    assert meta["version"] == cartel_data.__version__
    timeline = con.execute("SELECT date, kind FROM person_timeline WHERE person_id = 'per-rafael-caro-quintero'").fetchall()
    assert {k for _, k in timeline} >= {"event", "sentence", "transfer"}


def test_xlsx_round_trip_no_formulas(tmp_path, data):
    openpyxl = pytest.importorskip("openpyxl")
    out = export("xlsx", tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["About", "Dictionary"]
    for name, t in data.items():
        ws = wb[name]
        values = list(ws.iter_rows(values_only=True))
        assert list(values[0]) == t.columns
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref
        for got, row in zip(values[1:], t.rows):
            for f, g, v in zip(t.schema.fields, got, row):
                if v is None:
                    assert g is None
                elif f.type == "date":
                    assert g.strftime("%Y-%m-%d") == v
                elif isinstance(v, list):
                    assert g == ";".join(v)
                elif isinstance(v, bool):
                    assert g == ("true" if v else "false")
                else:
                    assert g == v, (name, f.name)
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_xlsx_keeps_formula_like_text_as_text(pkg, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    pkg.set_cell("events", "summary", '=HYPERLINK("https://example.org","x")', index=0)
    pkg.set_cell("events", "place", "@SUM(A1)", index=1)
    out = export("xlsx", tmp_path / "x.xlsx", path=pkg.root)
    ws = openpyxl.load_workbook(out)["events"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=@"]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)


def test_xlsx_refuses_oversized_cell(pkg, tmp_path):
    pytest.importorskip("xlsxwriter")
    pkg.set_cell("events", "notes", "x" * 40_000, index=0)
    with pytest.raises(ExportError, match="32767"):
        export("xlsx", tmp_path / "x.xlsx", path=pkg.root, check=False)
    assert not (tmp_path / "x.xlsx").exists()


def test_parquet_round_trip(tmp_path, data):
    pq = pytest.importorskip("pyarrow.parquet")
    out = export("parquet", tmp_path / "pq")
    for name, t in data.items():
        table = pq.read_table(out / f"{name}.parquet")
        assert table.column_names == t.columns
        rows = table.to_pylist()
        for got, row in zip(rows, t.rows):
            for f, v in zip(t.schema.fields, row):
                g = got[f.name]
                assert (g.isoformat() if f.type == "date" and g is not None else g) == v


def test_csv_export_is_a_valid_package(tmp_path):
    out = export("csv", tmp_path / "csv")
    assert cartel_data.validate(out, strict=True).valid


def test_atomic_and_force(tmp_path, pkg):
    target = tmp_path / "x.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(FileExistsError):
        export("json", target)
    assert target.read_text(encoding="utf-8") == "old"
    pkg.set_cell("events", "date", "1985-02-30", index=0)
    with pytest.raises(ExportError, match="invalid"):
        export("json", target, path=pkg.root, force=True)
    assert target.read_text(encoding="utf-8") == "old"
    export("json", target, force=True)
    assert json.loads(target.read_text(encoding="utf-8"))["name"] == "cartel-data"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_table_selection(tmp_path):
    out = export("json", tmp_path / "x.json", tables=["persons", "aliases"])
    assert list(json.loads(out.read_text(encoding="utf-8"))["tables"]) == ["persons", "aliases"]
    with pytest.raises(KeyError):
        export("json", tmp_path / "y.json", tables=["people"])


AWKWARD = ["plain", "Félix Gallardo", 'say "hi"', "back\\slash", "two\nlines", "tab\there", "cr\rx", "bell\x07",
           "nul\x00x", "emoji 🙂", "=SUM(A1)", "a/b", "\u2028sep", "comma, here", "\x1f", "ünïcödé ñ"]


def test_json_records_match_json_dumps(data):
    """The column-wise JSON writer gives exactly json.dumps of each record, for every table."""

    for name, t in data.items():
        got = records(t)
        want = [json.dumps(r, ensure_ascii=False) for r in t.dicts()]
        assert got == want, name


def test_json_records_match_json_dumps_on_awkward_text(data):
    import pyarrow as pa

    from cartel_data.records import TableRows

    t = data["persons"]
    text = t.text
    n = text.num_rows
    for col in ("name", "description", "notes"):
        vals = [AWKWARD[i % len(AWKWARD)] for i in range(n)]
        text = text.set_column(text.column_names.index(col), col, pa.array(vals, pa.string()))
    for col in ("source_ids",):  # list items with awkward (but delimiter-free) text
        vals = [f'{AWKWARD[i % len(AWKWARD)].replace(";", "")};x"y' for i in range(n)]
        text = text.set_column(text.column_names.index(col), col, pa.array(vals, pa.string()))
    awkward = TableRows(t.name, t.schema, text)
    assert records(awkward) == [json.dumps(r, ensure_ascii=False) for r in awkward.dicts()]


def test_json_layout_writer_matches_records(data):
    """The buffer-level writer lays out exactly the records, with the separators asked for."""
    import io

    from cartel_data.export.json_ import write_records

    for name, t in data.items():
        buf = io.BytesIO()
        write_records(buf, t, ",\n", "", skip=1)
        assert buf.getvalue().decode("utf-8") == "\n" + ",\n".join(records(t)), name


def test_csv_export_reproduces_the_shipped_files(tmp_path):
    """The shipped CSVs are canonical, so the CSV export gives them back byte for byte."""
    from conftest import ROOT

    out = export("csv", tmp_path / "csv")
    for f in sorted((ROOT / "data").glob("*.csv")):
        assert (out / "data" / f.name).read_bytes() == f.read_bytes(), f.name


@pytest.mark.parametrize("fmt", ["json", "csv", "sqlite"])
def test_row_order_of_the_files_does_not_matter(pkg, tmp_path, fmt):
    """Rows are exported in primary-key order whatever order the CSV holds them in."""
    a = export(fmt, tmp_path / f"a.{fmt}", path=pkg.root)
    for table in ("persons", "event_participants"):  # a single and a composite key
        rows = pkg.rows(table)
        pkg.write_rows(table, rows[::-1])
    b = export(fmt, tmp_path / f"b.{fmt}", path=pkg.root)
    assert sha(a) == sha(b)


def test_sqlite_refuses_a_dangling_reference(pkg, tmp_path):
    """With validation skipped, a dangling foreign key still cannot reach the database."""
    pkg.set_cell("aliases", "person_id", "per-nobody-at-all", index=0)
    with pytest.raises(Exception, match="(?i)foreign key"):
        export("sqlite", tmp_path / "x.sqlite", path=pkg.root, check=False)
    assert not (tmp_path / "x.sqlite").exists()


def test_sqlite_verifies_check_constraints_after_the_bulk_load(pkg, tmp_path):
    """CHECKs are paused while rows load, then every one is verified: a bad enumeration value
    (validation skipped) still cannot reach the database."""
    pkg.set_cell("events", "event_type", "picnic", index=0)
    with pytest.raises(Exception, match="CHECK constraint failed: events.event_type"):
        export("sqlite", tmp_path / "x.sqlite", path=pkg.root, check=False)
    assert not (tmp_path / "x.sqlite").exists()
