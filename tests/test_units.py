"""Unit tests of the building blocks: the kernels, partial dates, types, the reader, the
rule catalogue and the one-definition guarantees."""

from __future__ import annotations

import ast
import datetime as _dt
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from cartel_data import catalogue, dates, types, vector
from cartel_data.reading import read_raw, split_plain
from cartel_data.schema import Field, read_schema
from conftest import ROOT

SRC = ROOT / "src" / "cartel_data"


# -- vector kernels -------------------------------------------------------------------------
def test_fullmatch_keeps_python_semantics_on_unicode():
    s = pa.array(["https://a b", "https://a\u00a0b", "https://é", None])
    assert vector.fullmatch(s, r"https://[^\s]+").tolist() == [False, False, True, True]
    assert vector.fullmatch(pa.array(["٣", "3", "x"]), r"\d").tolist() == [True, True, False]
    assert vector.fullmatch(pa.array(["ñ_", "-"]), r"\w+").tolist() == [True, False]


def test_patterns_re2_cannot_express_run_in_python_with_a_time_bound(monkeypatch):
    assert vector.re2_pattern(r"\bab\b") is None
    assert vector.fullmatch(pa.array(["ab", "é ab", "éab"]), r"\bab\b|é ab").tolist() == [True, True, False]
    monkeypatch.setattr(vector, "PYTHON_RE_SECONDS", 0.5)
    with pytest.raises(vector.PatternTimeout):
        vector.fullmatch(pa.array(["é" + "a" * 40 + "!"]), r"\b(a+)+\b$|é(a+)+$")


def test_duplicated_and_index_in():
    s = pa.array(["a", "b", "a", None, None, "a"])
    assert vector.duplicated(s).tolist() == [True, False, True, False, False, True]
    assert vector.duplicated(s, keep_first=True).tolist() == [False, False, True, False, False, True]
    assert vector.index_in(pa.array(["b", "z", None]), pa.array(["a", "b"])).tolist() == [1, -1, -1]


def test_text_kernels():
    s = pa.array([" a", "a", "=1", "e\u0301", "\u00e9", "a\u202eb", "tab\tok", None])
    assert vector.trimmed(s).tolist() == [False, True, True, True, True, True, True, True]
    assert vector.nfc(s).tolist()[3:5] == [False, True]
    assert vector.startswith_any(s, "=+-@").tolist() == [False, False, True, False, False, False, False, False]
    assert vector.no_unsafe_chars(s).tolist() == [True, True, True, True, True, False, True, True]
    assert vector.no_unsafe_chars(pa.array(["\x1b[31m"])).tolist() == [False]


def test_numbers():
    s = pa.array(["1", "+2", "9223372036854775808", "-9223372036854775808", "x", None])
    assert vector.fits_int64(s, types.INTEGER).tolist() == [True, True, False, True, True, True]
    n = vector.to_number(pa.array(["1e400", "2.5", "x"]), types.NUMBER)
    assert np.isinf(n[0]) and n[1] == 2.5 and np.isnan(n[2])


# -- partial dates --------------------------------------------------------------------------
@pytest.mark.parametrize("text, lo, hi, code", [
    ("1989", "1989-01-01", "1989-12-31", 0), ("1989-02", "1989-02-01", "1989-02-28", 1),
    ("2024-02", "2024-02-01", "2024-02-29", 1), ("1985-02-07", "1985-02-07", "1985-02-07", 2)])
def test_widen_array(text, lo, hi, code):
    w = dates.widen_array(pa.array([text]))
    assert (str(w.earliest[0]), str(w.latest[0]), int(w.precision[0]), bool(w.valid[0])) == (lo, hi, code, True)
    assert dates.parse(text) == (_dt.date.fromisoformat(lo), _dt.date.fromisoformat(hi), dates.PRECISIONS[code])


@pytest.mark.parametrize("bad", ["1985-02-30", "1985-13", "0000", "85", "1985-2-3", "1985-00-01"])
def test_widen_array_refuses_impossible_dates(bad):
    w = dates.widen_array(pa.array([bad]))
    assert not w.valid[0] and np.isnat(w.earliest[0])
    assert dates.parse(bad) is None


# -- types ----------------------------------------------------------------------------------
def test_typed_column_per_type():
    col = pa.array(["+7", None, "-2"])
    assert types.typed_column(Field("n", "integer"), col).to_pylist() == [7, None, -2]
    assert types.typed_column(Field("b", "boolean"), pa.array(["true", "false", None])).to_pylist() == [True, False, None]
    assert types.typed_column(Field("l", "list", delimiter=";"), pa.array(["a;b", None])).to_pylist() == [["a", "b"], None]
    assert types.typed_column(Field("d", "date"), pa.array(["2026-01-02"])).to_pylist() == [_dt.date(2026, 1, 2)]
    assert types.python_values(Field("x", "number"), pa.array(["1.5"])) == [1.5]
    assert types.as_text(Field("b", "boolean"), True) == "true"


def test_every_type_is_described_for_every_target():
    for t in types.TYPES.values():
        assert t.label and t.arrow and t.pandas and t.sql in ("TEXT", "INTEGER", "REAL") and t.excel
        assert types.arrow_type(Field("x", t.name)) is not None


def test_no_module_branches_on_schema_types_outside_the_types_table():
    """A column type's meaning is defined once: modules ask the field's spec, not f.type ==."""
    allowed = {"types.py", "schema.py", "cells.py"}  # the table itself, its reader, and the type checks
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name in allowed:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\bf\.type\s*(==|in)\s*[\"'(]", line):
                offenders.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert offenders == [], "\n".join(offenders)


# -- schemas are read and checked in one pass -----------------------------------------------
def test_read_schema_reports_and_refuses():
    s, problems = read_schema("t", {"fields": [{"name": "a", "type": "string", "constraints": {"maximum": float("inf")}}],
                                    "primaryKey": "a"}, file="t.json")
    assert s is None and any("finite" in p.message for p in problems)
    s, problems = read_schema("t", {"fields": [{"name": "a", "description": "A.", "x-labels": {"x": "X"}}],
                                    "primaryKey": ["a"]}, file="t.json")
    assert s is not None and s["a"].label_of("x") == "X" and problems == []


# -- the reader -----------------------------------------------------------------------------
def test_split_plain_and_strict_reader_agree(tmp_path):
    text = 'id,note\na,"x, y"\nb,"two\nlines"\nc,\n'
    fast = split_plain(text.encode())
    p = tmp_path / "t.csv"
    p.write_text(text.replace("\n", "\r\n"), encoding="utf-8", newline="")
    slow = read_raw(p, "t.csv")
    assert [x.rule for x in slow.problems] == ["line-ending"]
    assert slow.table.to_pylist() == fast[1].to_pylist()
    assert [slow.line_of(i) for i in range(3)] == [2, 3, 5]


def test_reader_limits(tmp_path, monkeypatch):
    from cartel_data import reading

    p = tmp_path / "wide.csv"
    p.write_text(",".join(f"c{i}" for i in range(2000)) + "\n" + ",".join("x" * 2000) + "\n", encoding="utf-8")
    t = read_raw(p, "wide.csv")
    assert not t.readable and [x.rule for x in t.problems] == ["limit"]
    monkeypatch.setattr(reading, "MAX_LINE_BYTES", 100)
    p.write_text("a\n" + "x" * 500 + "\n", encoding="utf-8")
    t = read_raw(p, "wide.csv")
    assert [x.rule for x in t.problems] == ["limit"] and "line 2" in t.problems[0].message


# -- the rule catalogue ---------------------------------------------------------------------
def _rule_ids_in_source() -> set[str]:
    """Every string literal passed as a rule id to problem(), ctx.problem(), t.add(), CellCheck() or @rule()."""
    found = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "problem" not in text or "catalogue" not in text and path.name != "catalogue.py":
            continue  # only the modules that report problems
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            args = node.args
            pos = {"problem": 0, "add": 0, "CellCheck": 0, "rule": 0, "report": 0}.get(name)
            if name == "problem" and isinstance(node.func, ast.Attribute) and len(args) >= 4:
                pos = 3  # ctx.problem(table, row, column, rule, ...)
            if pos is not None and len(args) > pos and isinstance(args[pos], ast.Constant) and isinstance(args[pos].value, str):
                found.add(args[pos].value)
    return found


def test_every_rule_id_used_is_catalogued_and_every_catalogued_rule_is_used():
    used = _rule_ids_in_source()
    assert used - set(catalogue.RULES) == set()
    unused = set(catalogue.RULES) - used
    assert unused == set(), f"catalogued but never reported: {unused}"


def test_uncatalogued_rule_is_refused():
    with pytest.raises(KeyError):
        catalogue.problem("no-such-rule", file="x")


def test_readme_lists_the_catalogue():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- rules:start -->\n")[1].split("<!-- rules:end -->")[0]
    assert block.strip() == catalogue.markdown().strip(), "regenerate the rules table: python -c 'from cartel_data import catalogue; print(catalogue.markdown())'"


def test_each_registered_rule_reports_only_its_own_id():
    from cartel_data.validation.rules import RULES

    assert set(RULES) == {r.id for r in catalogue.RULES.values() if r.layer == "table"}


def test_validation_and_export_do_not_import_each_other():
    for folder, other in (("validation", "export"), ("export", "validation")):
        for path in (SRC / folder).glob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert f"from ..{other}" not in text and f"cartel_data.{other}" not in text, path


def test_the_validator_never_imports_pandas():
    import subprocess
    import sys

    code = ("import sys; from cartel_data.validation import validate; validate(); "
            "print(','.join(m for m in ('pandas', 'pandera') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "pandas" or out.stdout.strip() == "", out.stdout  # pyarrow may probe pandas
    code = ("import sys; from cartel_data._lean import without_pandas; without_pandas(); "
            "from cartel_data.validation import validate; assert validate().valid; print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"
