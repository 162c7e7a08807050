"""Byte-, row- and descriptor-level faults: each reported with file and line, never a traceback."""

from __future__ import annotations

import json

import pytest

from cartel_data.package import PackageError
from cartel_data.validation import validate
from conftest import problems_for


def rules_at(report, file):
    return {(p.rule, p.line) for p in report.problems if p.file == file}


def test_bom(pkg):
    f = pkg.csv("events")
    f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    report = validate(pkg.root)
    assert ("bom", 1) in rules_at(report, "data/events.csv") and not report.valid


def test_crlf(pkg):
    f = pkg.csv("events")
    f.write_bytes(f.read_bytes().replace(b"\n", b"\r\n"))
    report = validate(pkg.root)
    assert ("line-ending", 1) in rules_at(report, "data/events.csv")


def test_not_utf8(pkg):
    f = pkg.csv("persons")
    lines = f.read_bytes().split(b"\n")
    lines[2] = lines[2] + b"\xe9"
    f.write_bytes(b"\n".join(lines))
    report = validate(pkg.root)
    assert ("encoding", 3) in rules_at(report, "data/persons.csv")
    assert report.exit_code == 1


def test_nul_byte(pkg):
    f = pkg.csv("persons")
    lines = f.read_bytes().split(b"\n")
    lines[1] = lines[1] + b"\x00"
    f.write_bytes(b"\n".join(lines))
    assert ("nul-byte", 2) in rules_at(validate(pkg.root), "data/persons.csv")


def test_empty_file(pkg):
    pkg.csv("aliases").write_bytes(b"")
    assert ("empty-file", 1) in rules_at(validate(pkg.root), "data/aliases.csv")


def test_blank_line(pkg):
    f = pkg.csv("events")
    lines = f.read_text(encoding="utf-8").split("\n")
    lines.insert(2, "")
    f.write_text("\n".join(lines), encoding="utf-8")
    assert ("blank-line", 3) in rules_at(validate(pkg.root), "data/events.csv")


def test_ragged_row(pkg):
    f = pkg.csv("events")
    lines = f.read_text(encoding="utf-8").split("\n")
    lines[1] += ",extra"
    f.write_text("\n".join(lines), encoding="utf-8")
    report = validate(pkg.root)
    assert ("row-length", 2) in rules_at(report, "data/events.csv") and report.exit_code == 1


def test_unbalanced_quote(pkg):
    f = pkg.csv("aliases")
    lines = f.read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3].replace(",", ',"', 1)
    f.write_text("\n".join(lines), encoding="utf-8")
    report = validate(pkg.root)
    assert ("csv-syntax", 4) in rules_at(report, "data/aliases.csv")


@pytest.mark.parametrize(
    "mutate,expect",
    [
        (lambda h: h[:-1], "is missing"),
        (lambda h: h + ["extra"], "not in the schema"),
        (lambda h: [("summery" if c == "summary" else c) for c in h], "renamed?"),
        (lambda h: [h[1], h[0]] + h[2:], "not in schema order"),
        (lambda h: h[:-1] + [h[0]], "appears twice"),
    ],
)
def test_header_faults(pkg, mutate, expect):
    f = pkg.csv("events")
    lines = f.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    lines[0] = ",".join(mutate(header))
    f.write_text("\n".join(lines), encoding="utf-8")
    report = validate(pkg.root)
    found = [p for p in problems_for(report, "header") if p.file == "data/events.csv"]
    assert found and all(p.line == 1 for p in found)
    assert any(expect in p.message or (p.hint and expect in p.hint) for p in found), report.to_text()
    assert report.exit_code == 1


def test_invalid_descriptor_json_cannot_run(pkg):
    (pkg.root / "datapackage.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(PackageError, match="not valid JSON"):
        validate(pkg.root)


def test_missing_resource_file(pkg):
    pkg.csv("sentences").unlink()
    report = validate(pkg.root)
    assert ("file-missing", None) in rules_at(report, "data/sentences.csv")
    assert report.exit_code == 1


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.csv", "data/../../x.csv", "https://example.org/x.csv", "file:///etc/passwd"])
def test_unsafe_resource_paths_are_refused(pkg, path):
    d = json.loads((pkg.root / "datapackage.json").read_text(encoding="utf-8"))
    d["resources"][0]["path"] = path
    (pkg.root / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    report = validate(pkg.root)
    (p,) = problems_for(report, "resource-path")
    assert p.file == "datapackage.json" and p.value == path and report.exit_code == 1


def test_descriptor_without_version(pkg):
    d = json.loads((pkg.root / "datapackage.json").read_text(encoding="utf-8"))
    del d["version"]
    (pkg.root / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    report = validate(pkg.root)
    assert any("version" in p.message for p in problems_for(report, "descriptor"))


def _both_readers(data: bytes):
    from cartel_data.reading import RawTable, _slow_read, split_plain

    slow = RawTable(file="x.csv")
    _slow_read(data.decode("utf-8"), slow)
    fast = split_plain(data)
    return fast, slow


@pytest.mark.parametrize("table", ["sources", "persons", "organizations", "aliases", "memberships", "events",
                                   "event_participants", "sentences", "extraditions"])
def test_fast_reader_equals_strict_reader_on_shipped_data(table):
    from conftest import ROOT
    from cartel_data.reading import read_raw

    path = ROOT / "data" / f"{table}.csv"
    fast, slow = _both_readers(path.read_bytes())
    assert fast is not None, "the shipped files are plainly well formed"
    header, tbl, _ = fast
    assert header == slow.header and tbl.equals(slow.table)
    raw = read_raw(path, "x.csv")
    assert [raw.line_of(i) for i in range(raw.n_rows)] == slow._lines


@pytest.mark.parametrize("text", [
    'a,b\n1,2\n3,4\n',
    'a,b\n"x\ny",2\n"p ""q"" r",""\n,\n',
    'a,b\n"comma, inside","two\nlines inside"\n3,"4"\n',
])
def test_fast_reader_equals_strict_reader(text):
    from cartel_data.reading import _row_lines

    fast, slow = _both_readers(text.encode())
    assert fast is not None
    assert fast[0] == slow.header and fast[1].equals(slow.table)
    assert _row_lines(text) == slow._lines


@pytest.mark.parametrize("text", [
    'a,b\n"abc"x,2\n',        # text after a closing quote
    'a,b\n""x,2\n',           # an empty quoted cell followed by text
    'a,b\n"abc"""x,2\n',      # odd quote run then text
    'a,b\n"never closed,2\n',
    'a,b\nab"c,2\n',          # a quote inside an unquoted cell
    'a,b\n1,2\n\n3,4\n',      # blank line
    'a,b\n1,2,3\n',           # ragged
    'a,a\n1,2\n',             # duplicate header
    'a,b\n1,2',               # no final newline
    'a,b\n"x\n\ny",2\n',         # valid, but an empty line inside a cell looks like a blank line
])
def test_fast_reader_leaves_doubtful_files_to_the_strict_reader(text):
    from cartel_data.reading import split_plain

    assert split_plain(text.encode()) is None
