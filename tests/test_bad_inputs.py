"""A named corpus of broken packages, checked end to end through the real command line.

Each case copies the real package and breaks it by ONE mutation (a byte, a line, a
cell, a header, a schema or the descriptor), then runs ``cartel-data validate`` twice,
with ``--format json`` and with the default text format (and, for warnings, once more
with ``--strict``), and checks:

* the exit status: 1 for an invalid package, 2 when nothing could be read, and for
  warnings 0 (1 with ``--strict``);
* that the expected rule is reported with the expected file, line and, where it
  applies, 1-based column position ``col`` (and the cell's column name and value);
* that the text report has exactly one line per problem, starting with
  ``file:line[:col]: severity:`` and ending with ``(rule)``, in the same order as the
  JSON report;
* that no ``Traceback`` reaches stdout or stderr.

Most cases run in-process through Click's CliRunner (fast); a handful run the installed
``cartel-data`` script in a subprocess, to prove nothing is printed to stderr but the
documented one-line message.

Every validation of the full package costs about half a second, so the default run holds
the core corpus (63 cases, under a minute on two cores); the cases marked
``extended=True`` (57 more) run too with ``CARTEL_BAD_INPUTS=all``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from cartel_data.cli import cli
from conftest import ROOT, PackageCopy


class _Any:
    def __repr__(self):
        return "ANY"


ANY = _Any()  # an expectation that is not checked


@dataclass(frozen=True)
class Expect:
    """What validating a broken package must report."""

    rule: str | tuple[str, ...] | None  # one rule, or any of several
    file: str = "datapackage.json"
    line: int | None | _Any = ANY
    col: int | None | _Any = ANY
    column: str | None | _Any = ANY
    value: str | None | _Any = ANY
    exit: int = 1  # 1 invalid, 2 cannot run; 0 for a warning (then 1 with --strict)
    warning: bool = False
    stderr: str | None = None  # for exit 2: text the one-line message must contain
    unread: str | None = None  # a resource that must be refused, never read


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Callable[["PackageCopy"], Expect]
    via: str = "runner"  # or "subprocess"
    extended: bool = False  # run only with CARTEL_BAD_INPUTS=all (keeps the default run under a minute)


CASES: list[Case] = []


def case(case_id: str, via: str = "runner", extended: bool = False):
    def deco(fn):
        assert case_id not in {c.id for c in CASES}, case_id
        CASES.append(Case(case_id, fn, via, extended))
        return fn
    return deco


# -- helpers to break a package ------------------------------------------------------------
def header(table: str) -> list[str]:
    with open(ROOT / "data" / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


def col(table: str, column: str) -> int:
    """1-based position of ``column`` in the real file's header."""
    return header(table).index(column) + 1


def lines(pkg: PackageCopy, table: str) -> list[str]:
    """The file's physical lines; the last element is the empty string after the final
    newline. Line-level mutations assume one row per line."""
    ls = pkg.csv(table).read_text(encoding="utf-8").split("\n")
    assert len(ls) - 1 == len(pkg.rows(table)) + 1, f"{table}.csv has a cell spanning lines: update this test"
    return ls


def write_lines(pkg: PackageCopy, table: str, ls: list[str]) -> None:
    pkg.csv(table).write_bytes("\n".join(ls).encode("utf-8"))


def grid(pkg: PackageCopy, table: str) -> list[list[str]]:
    with open(pkg.csv(table), encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_grid(pkg: PackageCopy, table: str, g: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(g)
    pkg.csv(table).write_bytes(buf.getvalue().encode("utf-8"))


def descriptor(pkg: PackageCopy) -> dict:
    return json.loads((pkg.root / "datapackage.json").read_text(encoding="utf-8"))


def write_descriptor(pkg: PackageCopy, d) -> None:
    (pkg.root / "datapackage.json").write_text(json.dumps(d, indent=2), encoding="utf-8")


def resource(d: dict, name: str) -> dict:
    return next(r for r in d["resources"] if r["name"] == name)


def schema(pkg: PackageCopy, table: str) -> dict:
    return json.loads((pkg.root / "schemas" / f"{table}.json").read_text(encoding="utf-8"))


def write_schema(pkg: PackageCopy, table: str, s: dict) -> None:
    (pkg.root / "schemas" / f"{table}.json").write_text(json.dumps(s, indent=2), encoding="utf-8")


def cell(pkg: PackageCopy, table: str, column: str, value: str, index: int = 0, rule=None) -> Expect:
    """Set one cell and expect ``rule`` there: right line, col, column name and value."""
    line = pkg.set_cell(table, column, value, index=index)
    return Expect(rule, f"data/{table}.csv", line=line, col=col(table, column), column=column, value=value)


def index_with(pkg: PackageCopy, table: str, pred) -> int:
    return next(i for i, r in enumerate(pkg.rows(table)) if pred(r))


#: A malformed partial date may be reported by its pattern or by the partial-date check.
DATE_SHAPE = ("partial-date", "pattern")

#: Cases that set one cell to a bad value:
#: (case id, table, column, value, row index, expected rule, extended corpus only)
CELL_CASES = [
    ("date-future-day", "events", "date", "2999-01-01", 0, "future-date", False),
    ("date-future-year", "extraditions", "date", "2999", 2, "future-date", True),
    ("date-field-impossible-day", "sources", "accessed", "2023-02-29", 3, "date", True),
    ("date-field-partial", "sources", "accessed", "2024-05", 3, "type", True),
    ("dangling-event-id", "event_participants", "event_id", "evt-1985-02-07-camarena-kidnaping", 1, "foreign-key", True),
    ("empty-source-ids", "events", "source_ids", "", 0, "required", False),
    ("unknown-enum-value", "events", "event_type", "massacre", 0, "enum", False),
    ("enum-wrong-case", "event_participants", "role", "Victim", 0, "enum", True),
    ("bad-country-code", "events", "country", "XX", 0, "country", False),
    ("url-http", "sources", "url", "http://example.org/a", 0, "pattern", False),
    ("url-javascript", "sources", "url", "javascript:alert(1)", 0, "pattern", False),
    ("archived-url-http", "sources", "archived_url", "http://web.archive.org/web/2020/x", 1, "pattern", True),
    ("not-nfc", "persons", "name", "Fe\u0301lix Gallardo", 1, "nfc", False),
    ("bad-integer", "sentences", "term_years", "forty", 1, "type", False),
    ("decimal-in-integer", "sentences", "term_years", "40.5", 1, "type", True),
    ("integer-above-maximum", "sentences", "term_months", "14", 1, "maximum", True),
    ("bad-boolean-persons", "persons", "disputed", "yes", 0, "type", False),
    ("bad-boolean-events", "events", "disputed", "True", 3, "type", True),
    ("bad-boolean-extraditions", "extraditions", "disputed", "no", 4, "type", False),
    ("bad-boolean-organizations", "organizations", "disputed", "0", 1, "type", True),
    ("bad-boolean-memberships", "memberships", "disputed", "1", 2, "type", True),
    ("bad-enum-aliases", "aliases", "alias_type", "nick", 1, "enum", True),
    ("bad-enum-sources", "sources", "source_type", "newspaper", 5, "enum", True),
    ("bad-id-pattern", "memberships", "membership_id", "Mem Abdul Karim", 0, "pattern", False),
    ("id-wrong-prefix", "extraditions", "extradition_id", "extr-abdul-karim-conteh-2025-08-12", 0, "pattern", True),
    ("bad-wikidata-id", "persons", "wikidata_id", "Q0123", 3, "pattern", True),
    ("bad-language-code", "sources", "language", "Spanish", 2, "pattern", True),
    ("missing-required-value", "persons", "description", "", 2, "required", False),
    ("missing-required-in-sources", "sources", "publisher", "", 4, "required", True),
    ("date-1985-02-30", "events", "date", "1985-02-30", 1, DATE_SHAPE, False),
    ("date-1985-13", "events", "date", "1985-13", 1, DATE_SHAPE, False),
    ("date-85", "events", "date", "85", 1, DATE_SHAPE, False),
    ("date-1985/02/03", "events", "date", "1985/02/03", 1, DATE_SHAPE, False),
]
for _id, _table, _column, _value, _index, _rule, _extended in CELL_CASES:
    case(_id, extended=_extended)(
        lambda pkg, t=_table, c=_column, v=_value, i=_index, r=_rule: cell(pkg, t, c, v, index=i, rule=r))


# ======================================================================================
# Bytes and lines
# ======================================================================================
@case("not-utf8-cp1252", via="subprocess")
def _(pkg):
    text = pkg.csv("persons").read_text(encoding="utf-8")
    data = text.encode("cp1252", errors="replace")  # saved by a Windows spreadsheet
    pkg.csv("persons").write_bytes(data)
    first = next(i for i, l in enumerate(data.split(b"\n")) if not l.isascii()) + 1
    return Expect("encoding", "data/persons.csv", line=first)


@case("not-utf8-stray-byte", extended=True)
def _(pkg):
    bs = pkg.csv("events").read_bytes().split(b"\n")
    bs[9] = bs[9].replace(b",", b",\xff", 1)  # a lone 0xff byte at the start of line 10's 2nd cell
    pkg.csv("events").write_bytes(b"\n".join(bs))
    return Expect("encoding", "data/events.csv", line=10)


@case("bom")
def _(pkg):
    f = pkg.csv("events")
    f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    return Expect("bom", "data/events.csv", line=1, col=1)


@case("crlf")
def _(pkg):
    f = pkg.csv("events")
    f.write_bytes(f.read_bytes().replace(b"\n", b"\r\n"))
    return Expect("line-ending", "data/events.csv", line=1)


@case("crlf-on-one-line")
def _(pkg):
    ls = lines(pkg, "persons")
    ls[39] += "\r"  # line 40 ends with CRLF
    write_lines(pkg, "persons", ls)
    return Expect("line-ending", "data/persons.csv", line=40)


@case("cr-only")
def _(pkg):
    f = pkg.csv("memberships")
    f.write_bytes(f.read_bytes().replace(b"\n", b"\r"))
    return Expect("line-ending", "data/memberships.csv", line=1)


@case("nul-byte")
def _(pkg):
    i = 4
    name = pkg.rows("persons")[i]["name"]
    line = pkg.set_cell("persons", "name", name[:3] + "\x00" + name[3:], index=i)
    return Expect("nul-byte", "data/persons.csv", line=line)


@case("empty-file")
def _(pkg):
    pkg.csv("aliases").write_bytes(b"")
    return Expect("empty-file", "data/aliases.csv", line=1)


@case("only-a-newline", extended=True)
def _(pkg):
    pkg.csv("aliases").write_bytes(b"\n")
    return Expect("empty-file", "data/aliases.csv", line=1)


@case("header-only")
def _(pkg):
    ls = lines(pkg, "aliases")
    write_lines(pkg, "aliases", [ls[0], ""])
    return Expect("no-rows", "data/aliases.csv", line=1)


@case("missing-final-newline")
def _(pkg):
    f = pkg.csv("events")
    data = f.read_bytes()
    f.write_bytes(data.rstrip(b"\n"))
    return Expect("final-newline", "data/events.csv", line=data.count(b"\n"), exit=0, warning=True)


@case("blank-line")
def _(pkg):
    ls = lines(pkg, "events")
    ls.insert(2, "")
    write_lines(pkg, "events", ls)
    return Expect("blank-line", "data/events.csv", line=3)


@case("blank-line-at-end", extended=True)
def _(pkg):
    f = pkg.csv("events")
    n = f.read_bytes().count(b"\n")
    f.write_bytes(f.read_bytes() + b"\n")
    return Expect("blank-line", "data/events.csv", line=n + 1)


@case("unbalanced-quote", via="subprocess")
def _(pkg):
    ls = lines(pkg, "aliases")
    ls[3] = ls[3].replace(",", ',"', 1)
    write_lines(pkg, "aliases", ls)
    return Expect("csv-syntax", "data/aliases.csv", line=4)


@case("ragged-row-long")
def _(pkg):
    ls = lines(pkg, "events")
    ls[1] += ",extra"
    write_lines(pkg, "events", ls)
    return Expect("row-length", "data/events.csv", line=2)


@case("ragged-row-short", extended=True)
def _(pkg):
    ls = lines(pkg, "event_participants")
    ls[5] = ls[5].rsplit(",", 1)[0]
    write_lines(pkg, "event_participants", ls)
    return Expect("row-length", "data/event_participants.csv", line=6)


@case("unquoted-comma-in-cell", extended=True)
def _(pkg):
    ls = lines(pkg, "aliases")
    i = 7
    row = next(csv.reader([ls[i]]))
    row[3] = "El, " + row[3]
    ls[i] = ",".join(row)  # written without quoting: one cell becomes two
    write_lines(pkg, "aliases", ls)
    return Expect("row-length", "data/aliases.csv", line=i + 1)


@case("not-utf8-utf16", extended=True)
def _(pkg):
    f = pkg.csv("aliases")
    f.write_bytes(f.read_text(encoding="utf-8").encode("utf-16"))
    return Expect("encoding", "data/aliases.csv", line=1, col=1)


@case("unbalanced-quote-on-last-line", extended=True)
def _(pkg):
    ls = lines(pkg, "aliases")
    ls[-2] = ls[-2].replace(",", ',"', 1)
    write_lines(pkg, "aliases", ls)
    return Expect("csv-syntax", "data/aliases.csv", line=len(ls) - 1)


@case("trailing-comma-on-every-line", extended=True)
def _(pkg):
    write_lines(pkg, "aliases", [l + "," if l else l for l in lines(pkg, "aliases")])
    return Expect("header", "data/aliases.csv", line=1, col=len(header("aliases")) + 1, value="")


# ======================================================================================
# Header
# ======================================================================================
def _edit_header(pkg, table, fn):
    ls = lines(pkg, table)
    ls[0] = ",".join(fn(ls[0].split(",")))
    write_lines(pkg, table, ls)


@case("duplicate-header")
def _(pkg):
    _edit_header(pkg, "events", lambda h: ["summary" if c == "notes" else c for c in h])
    return Expect("header", "data/events.csv", line=1, col=col("events", "notes"), value="summary")


@case("missing-column")
def _(pkg):
    j = col("events", "place") - 1
    write_grid(pkg, "events", [r[:j] + r[j + 1:] for r in grid(pkg, "events")])
    return Expect("header", "data/events.csv", line=1, value="place")


@case("extra-column")
def _(pkg):
    g = grid(pkg, "events")
    write_grid(pkg, "events", [g[0] + ["extra"]] + [r + ["x"] for r in g[1:]])
    return Expect("header", "data/events.csv", line=1, col=len(g[0]) + 1, value="extra")


@case("renamed-column")
def _(pkg):
    _edit_header(pkg, "events", lambda h: ["summery" if c == "summary" else c for c in h])
    return Expect("header", "data/events.csv", line=1, col=col("events", "summary"), value="summery")


@case("space-in-header", extended=True)
def _(pkg):
    _edit_header(pkg, "persons", lambda h: [" name" if c == "name" else c for c in h])
    return Expect("header", "data/persons.csv", line=1, col=col("persons", "name"), value=" name")


@case("columns-out-of-order")
def _(pkg):
    g = grid(pkg, "events")  # swap event_type and date, in the header and in every row
    write_grid(pkg, "events", [[r[0], r[2], r[1]] + r[3:] for r in g])
    return Expect("header", "data/events.csv", line=1)


# ======================================================================================
# Descriptor and schemas
# ======================================================================================
@case("descriptor-invalid-json", via="subprocess")
def _(pkg):
    (pkg.root / "datapackage.json").write_text('{"name": "cartel-data", "resources": [', encoding="utf-8")
    return Expect(None, exit=2, stderr="not valid JSON")


@case("descriptor-not-an-object")
def _(pkg):
    (pkg.root / "datapackage.json").write_text("[]", encoding="utf-8")
    return Expect(None, exit=2, stderr="JSON object")


@case("descriptor-missing")
def _(pkg):
    (pkg.root / "datapackage.json").unlink()
    return Expect(None, exit=2, stderr="no data package descriptor")


@case("descriptor-without-version", extended=True)
def _(pkg):
    d = descriptor(pkg)
    del d["version"]
    write_descriptor(pkg, d)
    return Expect("descriptor", "datapackage.json")


@case("descriptor-bad-version", extended=True)
def _(pkg):
    d = descriptor(pkg)
    d["version"] = "v1"
    write_descriptor(pkg, d)
    return Expect("descriptor", "datapackage.json", value="v1")


@case("descriptor-duplicate-resource", extended=True)
def _(pkg):
    d = descriptor(pkg)
    d["resources"].append(dict(resource(d, "persons")))
    write_descriptor(pkg, d)
    return Expect("descriptor", "datapackage.json")


@case("missing-resource-file")
def _(pkg):
    pkg.csv("sentences").unlink()
    return Expect("file-missing", "data/sentences.csv")


def _refuse(pkg, path, key="path", name="sentences"):
    d = descriptor(pkg)
    resource(d, name)[key] = path
    write_descriptor(pkg, d)
    return Expect("resource-path", "datapackage.json", value=path, unread=name)


def _bait(pkg) -> Path:
    """A file outside the package folder which, if it were ever read, would be reported."""
    bait = pkg.root.parent / "outside.csv"
    bait.write_bytes(b"\x00\xff not a csv\n")
    return bait


@case("resource-path-absolute")
def _(pkg):
    return _refuse(pkg, str(_bait(pkg)))


@case("resource-path-dotdot")
def _(pkg):
    _bait(pkg)
    return _refuse(pkg, "../outside.csv")


@case("resource-path-dotdot-inside", extended=True)
def _(pkg):
    _bait(pkg)
    return _refuse(pkg, "data/../../outside.csv")


@case("resource-path-https-url", via="subprocess")
def _(pkg):
    return _refuse(pkg, "https://example.org/sentences.csv")


@case("resource-path-file-url", extended=True)
def _(pkg):
    return _refuse(pkg, "file:///etc/passwd")


@case("schema-path-dotdot")
def _(pkg):
    (pkg.root.parent / "sentences.json").write_text("{}", encoding="utf-8")
    return _refuse(pkg, "../sentences.json", key="schema")


@case("schema-field-removed")
def _(pkg):
    s = schema(pkg, "events")
    s["fields"] = [f for f in s["fields"] if f["name"] != "notes"]
    write_schema(pkg, "events", s)
    return Expect("header", "data/events.csv", line=1, col=col("events", "notes"), value="notes")


@case("schema-field-added", extended=True)
def _(pkg):
    s = schema(pkg, "events")
    s["fields"].append({"name": "casualties", "type": "integer", "description": "Number of dead."})
    write_schema(pkg, "events", s)
    return Expect("header", "data/events.csv", line=1, value="casualties")


@case("schema-file-missing", extended=True)
def _(pkg):
    (pkg.root / "schemas" / "sentences.json").unlink()
    return Expect("schema", "datapackage.json")


@case("schema-invalid-json", extended=True)
def _(pkg):
    (pkg.root / "schemas" / "sentences.json").write_text('{"fields": [', encoding="utf-8")
    return Expect("schema", "datapackage.json")


@case("schema-unknown-type", extended=True)
def _(pkg):
    s = schema(pkg, "events")
    next(f for f in s["fields"] if f["name"] == "summary")["type"] = "text"
    write_schema(pkg, "events", s)
    return Expect("schema", "schemas/events.json", value="text")


def _field(s: dict, name: str) -> dict:
    return next(f for f in s["fields"] if f["name"] == name)


@case("schema-constraints-not-an-object")
def _(pkg):
    s = schema(pkg, "events")
    _field(s, "summary")["constraints"] = "required"
    write_schema(pkg, "events", s)
    return Expect("schema", "schemas/events.json")


@case("schema-field-not-an-object")
def _(pkg):
    s = schema(pkg, "events")
    s["fields"].append("casualties")
    write_schema(pkg, "events", s)
    return Expect("schema", "schemas/events.json")


@case("schema-foreign-key-not-an-object")
def _(pkg):
    s = schema(pkg, "memberships")
    s["foreignKeys"][0] = "person_id"
    write_schema(pkg, "memberships", s)
    return Expect("schema", "schemas/memberships.json")


@case("schema-invalid-pattern")
def _(pkg):
    s = schema(pkg, "events")
    _field(s, "country")["constraints"]["pattern"] = "[A-Z"
    write_schema(pkg, "events", s)
    return Expect("schema", "schemas/events.json", value="[A-Z")


@case("schema-minimum-not-a-number", extended=True)
def _(pkg):
    s = schema(pkg, "events")
    _field(s, "reported_count")["constraints"]["minimum"] = "1"
    write_schema(pkg, "events", s)
    return Expect("schema", "schemas/events.json")


@case("schema-enum-not-a-list", extended=True)
def _(pkg):
    s = schema(pkg, "events")
    _field(s, "event_type")["constraints"]["enum"] = "kidnapping"
    write_schema(pkg, "events", s)
    return Expect("schema", "schemas/events.json")


@case("inline-schema-malformed")
def _(pkg):
    d = descriptor(pkg)
    resource(d, "sentences")["schema"] = {"fields": "sentence_id"}
    write_descriptor(pkg, d)
    return Expect("schema", "datapackage.json")


@case("descriptor-bom")
def _(pkg):
    f = pkg.root / "datapackage.json"
    f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    return Expect(None, exit=2, stderr="not valid JSON")


@case("descriptor-resources-not-a-list", extended=True)
def _(pkg):
    d = descriptor(pkg)
    d["resources"] = {r["name"]: r for r in d["resources"]}
    write_descriptor(pkg, d)
    return Expect("descriptor", "datapackage.json")


@case("resource-path-symlink-outside")
def _(pkg):
    """A symlink inside the package pointing outside it is read as if it were package
    data (and its first line echoed in header problems): it must be refused too."""
    bait = _bait(pkg)
    bait.write_text("secret,password\nroot,hunter2\n", encoding="utf-8")
    pkg.csv("sentences").unlink()
    try:
        pkg.csv("sentences").symlink_to(bait)
    except OSError:  # pragma: no cover - platforms without symlinks
        pytest.skip("symlinks not supported")
    return Expect("resource-path", "datapackage.json", value="data/sentences.csv", unread="sentences")


@case("resource-path-directory", extended=True)
def _(pkg):
    d = descriptor(pkg)
    resource(d, "sentences")["path"] = "data"
    write_descriptor(pkg, d)
    return Expect("resource-path", "datapackage.json", value="data")


# ======================================================================================
# Dates
# ======================================================================================
@case("end-before-start-membership")
def _(pkg):
    rows = pkg.rows("memberships")
    rows[0]["start_date"], rows[0]["end_date"] = "1990", "1985-03"
    pkg.write_rows("memberships", rows)
    return Expect("date-order", "data/memberships.csv", line=pkg.line_of("memberships", 0),
                  col=col("memberships", "end_date"), column="end_date", value="1985-03")


@case("end-before-start-organization", extended=True)
def _(pkg):
    i = index_with(pkg, "organizations", lambda r: r["founded"] == "2008")
    return cell(pkg, "organizations", "dissolved", "2001", index=i, rule="date-order")


@case("death-before-birth", extended=True)
def _(pkg):
    i = index_with(pkg, "persons", lambda r: r["birth_date"] == "1947-07-26")
    return cell(pkg, "persons", "death_date", "1940", index=i, rule="date-order")


@case("status-date-before-sentence-date", extended=True)
def _(pkg):
    i = index_with(pkg, "sentences", lambda r: r["date"] == "2025-09-16")
    return cell(pkg, "sentences", "status_date", "2025-09-15", index=i, rule="date-order")


# ======================================================================================
# Keys and references
# ======================================================================================
@case("duplicate-primary-key")
def _(pkg):
    dup = dict(pkg.rows("persons")[3])
    line = pkg.append_row("persons", dup)
    return Expect("unique", "data/persons.csv", line=line, col=1, column="person_id", value=dup["person_id"])


@case("duplicate-alias-id")
def _(pkg):
    first = pkg.rows("aliases")[4]["alias_id"]
    return cell(pkg, "aliases", "alias_id", first, index=5, rule="unique")


@case("dangling-foreign-key")
def _(pkg):
    pid = pkg.rows("memberships")[0]["person_id"]
    return cell(pkg, "memberships", "person_id", pid + "x", index=0, rule="foreign-key")


@case("dangling-self-reference", extended=True)
def _(pkg):
    i = index_with(pkg, "organizations", lambda r: r["parent_id"] == "org-sinaloa-cartel")
    return cell(pkg, "organizations", "parent_id", "org-sinaloa-cartell", index=i, rule="foreign-key")


@case("dangling-id-in-source-ids")
def _(pkg):
    first = pkg.rows("events")[0]["source_ids"].split(";")[0]
    e = cell(pkg, "events", "source_ids", f"{first};{first}-typo", index=0, rule="foreign-key")
    return replace(e, value=f"{first}-typo")


@case("source-ids-space-after-delimiter")
def _(pkg):
    a, b = pkg.rows("events")[0]["source_ids"].split(";")[:2]
    return cell(pkg, "events", "source_ids", f"{a}; {b}", index=0, rule="list")


@case("source-ids-empty-item", extended=True)
def _(pkg):
    a, b = pkg.rows("memberships")[0]["source_ids"].split(";")[:2]
    return cell(pkg, "memberships", "source_ids", f"{a};;{b}", index=0, rule="list")


@case("source-ids-trailing-delimiter", extended=True)
def _(pkg):
    v = pkg.rows("aliases")[0]["source_ids"]
    return cell(pkg, "aliases", "source_ids", v + ";", index=0, rule="list")


# ======================================================================================
# Cell values
# ======================================================================================
@case("lowercase-country-code", extended=True)
def _(pkg):
    return cell(pkg, "extraditions", "to_country", "us", index=0, rule=("pattern", "country"))


@case("leading-space")
def _(pkg):
    name = pkg.rows("persons")[0]["name"]
    return cell(pkg, "persons", "name", " " + name, index=0, rule="whitespace")


@case("trailing-space")
def _(pkg):
    alias = pkg.rows("aliases")[2]["alias"]
    return cell(pkg, "aliases", "alias", alias + " ", index=2, rule="whitespace")


for _char, _text in (("=", '=HYPERLINK("https://example.org")'), ("+", "+52 55 1234 5678"),
                     ("-", "-5 dead according to local press"), ("@", "@someone on social media")):
    def _formula(pkg, text=_text):
        e = cell(pkg, "events", "summary", text, index=2, rule="formula-like")
        return replace(e, exit=0, warning=True)

    case(f"formula-{_char}")(_formula)


@case("cell-100kb")
def _(pkg):
    e = cell(pkg, "events", "summary", "x" * 100_000, index=0, rule="max-length")
    return replace(e, value=ANY)


@case("integer-below-minimum", extended=True)
def _(pkg):
    i = index_with(pkg, "events", lambda r: r["reported_count"])
    return cell(pkg, "events", "reported_count", "0", index=i, rule="minimum")


@case("bad-number", extended=True)
def _(pkg):
    i = index_with(pkg, "sentences", lambda r: r["fine_amount"])
    return cell(pkg, "sentences", "fine_amount", "20,810,000", index=i, rule="type")


# ======================================================================================
# Rules across fields and tables
# ======================================================================================
@case("alias-with-two-owners", extended=True)
def _(pkg):
    org = pkg.rows("organizations")[0]["organization_id"]
    i = index_with(pkg, "aliases", lambda r: r["person_id"] and not r["organization_id"])
    e = cell(pkg, "aliases", "organization_id", org, index=i, rule="one-of")
    return replace(e, col=col("aliases", "person_id"), column="person_id", value=ANY)


@case("alias-without-owner", extended=True)
def _(pkg):
    i = index_with(pkg, "aliases", lambda r: r["person_id"] and not r["organization_id"])
    e = cell(pkg, "aliases", "person_id", "", index=i, rule="one-of")
    return replace(e, value=ANY)


@case("overturned-sentence-without-date", extended=True)
def _(pkg):
    i = index_with(pkg, "sentences", lambda r: r["status"] == "overturned")
    e = cell(pkg, "sentences", "status_date", "", index=i, rule="sentence-status")
    return replace(e, value=ANY)


@case("life-sentence-with-term", extended=True)
def _(pkg):
    i = index_with(pkg, "sentences", lambda r: r["life"] == "true" and not r["term_years"] and r["status"] == "imposed")
    pkg.set_cell("sentences", "notes", "", index=i)
    e = cell(pkg, "sentences", "term_years", "30", index=i, rule="sentence-term")
    return replace(e, col=col("sentences", "life"), column="life", value=ANY)


@case("fine-without-currency", extended=True)
def _(pkg):
    i = index_with(pkg, "sentences", lambda r: r["fine_amount"])
    e = cell(pkg, "sentences", "fine_currency", "", index=i, rule="fine-currency")
    return replace(e, value=ANY)


@case("transfer-to-same-country", extended=True)
def _(pkg):
    i = index_with(pkg, "extraditions", lambda r: r["from_country"] == "MX" and r["to_country"] == "US")
    return cell(pkg, "extraditions", "to_country", "MX", index=i, rule="transfer-countries")


@case("batch-event-of-wrong-type", extended=True)
def _(pkg):
    i = index_with(pkg, "extraditions", lambda r: r["batch_event_id"])
    return cell(pkg, "extraditions", "batch_event_id", "evt-1985-02-07-camarena-kidnapping", index=i,
                rule="batch-membership")


@case("uncited-source")
def _(pkg):
    src = dict(pkg.rows("sources")[0])
    src["source_id"] = "src-never-cited"
    line = pkg.append_row("sources", src)
    return Expect("uncited-source", "data/sources.csv", line=line, col=1, column="source_id",
                  value="src-never-cited", exit=0, warning=True)


@case("url-staging-host")
def _(pkg):
    return cell(pkg, "sources", "url", "https://example-example-staging.web.arc-cdn.net/a", index=0, rule="staging-url")


@case("url-amp-variant")
def _(pkg):
    e = cell(pkg, "sources", "url", "https://amp.example.com/story", index=0, rule="canonical-url")
    return replace(e, exit=0, warning=True)


@case("url-tracking-parameters", extended=True)
def _(pkg):
    e = cell(pkg, "sources", "url", "https://www.example.com/story?utm_source=feed", index=1, rule="canonical-url")
    return replace(e, exit=0, warning=True)


@case("republication-without-original")
def _(pkg):
    i = index_with(pkg, "sources", lambda r: r["tier"] == "republication")
    return replace(cell(pkg, "sources", "original_publisher", "", index=i, rule="republication-original"), value=ANY)


@case("fact-resting-only-on-a-republication")
def _(pkg):
    src = dict(pkg.rows("sources")[0], source_id="src-planted-reprint", tier="republication",
               original_publisher="Example Wire", original_url="")
    pkg.append_row("sources", src)
    i = index_with(pkg, "memberships", lambda r: True)
    pkg.set_cell("memberships", "notes", "", index=i)
    e = cell(pkg, "memberships", "source_ids", "src-planted-reprint", index=i, rule="secondary-only")
    return replace(e, exit=0, warning=True)


@case("disputed-without-notes")
def _(pkg):
    i = index_with(pkg, "persons", lambda r: r["disputed"] == "false")
    pkg.set_cell("persons", "disputed", "true", index=i)
    e = cell(pkg, "persons", "notes", "", index=i, rule="disputed-notes")
    return replace(e, value=ANY)


@case("organization-related-to-itself")
def _(pkg):
    org = pkg.rows("organization_relations")[0]["organization_id"]
    return cell(pkg, "organization_relations", "related_organization_id", org, index=0, rule="self-relation")


@case("convicted-without-sentence", extended=True)
def _(pkg):
    verdicts = {e["event_id"] for e in pkg.rows("events") if e["event_type"] == "verdict"}
    sentenced = {s["person_id"] for s in pkg.rows("sentences")} | {
        p["person_id"] for p in pkg.rows("event_participants") if p["event_id"] in verdicts}
    i = index_with(pkg, "persons", lambda r: r["person_id"] not in sentenced)
    e = cell(pkg, "persons", "description", "A man convicted of smuggling.", index=i, rule="convicted-has-sentence")
    return replace(e, value=ANY)


@case("extradited-after-death", extended=True)
def _(pkg):
    extradited = {r["person_id"] for r in pkg.rows("extraditions")}
    i = index_with(pkg, "persons", lambda r: r["person_id"] in extradited and not r["birth_date"])
    pid = pkg.rows("persons")[i]["person_id"]
    pkg.set_cell("persons", "death_date", "1950", index=i)
    j = index_with(pkg, "extraditions", lambda r: r["person_id"] == pid)
    return Expect("lifespan", "data/extraditions.csv", line=pkg.line_of("extraditions", j),
                  col=col("extraditions", "date"), column="date")


# ======================================================================================
# Running the command line
# ======================================================================================
@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    crash: str = ""  # a formatted exception that escaped the command, if any


def script() -> list[str]:
    exe = Path(sys.executable).with_name("cartel-data")
    if exe.is_file():
        return [str(exe)]
    return [sys.executable, "-c", "from cartel_data.cli import main; main()"]


def run_cli(runs: list[list[str]], via: str) -> list[Run]:
    """Run ``cartel-data validate ...`` once per argument list."""
    if via == "subprocess":
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        procs = [subprocess.Popen(script() + ["validate", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=env) for args in runs]  # run concurrently
        out = []
        for p in procs:
            o, e = p.communicate(timeout=120)
            out.append(Run(p.returncode, o.decode("utf-8"), e.decode("utf-8")))
        return out
    out = []
    for args in runs:
        r = CliRunner().invoke(cli, ["validate", *args])
        crash = ""
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            crash = "".join(traceback.format_exception(*r.exc_info))
        out.append(Run(r.exit_code, r.stdout, r.stderr, crash))
    return out


def location(p: dict) -> str:
    loc = p["file"]
    if p["line"] is not None:
        loc += f":{p['line']}"
        if p["col"] is not None:
            loc += f":{p['col']}"
    return loc


def matches(p: dict, e: Expect) -> bool:
    rules = e.rule if isinstance(e.rule, tuple) else (e.rule,)
    want = {"file": e.file, "line": e.line, "col": e.col, "column": e.column, "value": e.value}
    return p["rule"] in rules and all(v is ANY or p[k] == v for k, v in want.items())


def check_text(run: Run, problems: list[dict], e: Expect) -> None:
    out = run.stdout.rstrip("\n").split("\n")
    summary, body = out[-1], out[:-1]
    assert summary.startswith(("valid:", "INVALID:")), run.stdout[-2000:]
    # every problem is one line (a hint may follow on its own indented line)
    plines = [l for l in body if not l.startswith("    hint: ")]
    assert len(plines) == len(problems), (
        f"{len(problems)} problem(s) in JSON but {len(plines)} problem line(s) in text:\n{run.stdout[:3000]}")
    for line, p in zip(plines, problems):
        assert line.startswith(f"{location(p)}: {p['severity']}: "), line[:300]
        assert line.endswith(f"({p['rule']})"), line[-300:]
    # the expected problem, in its location
    expected = [location(p) for p in problems if matches(p, e)]
    assert any(l.startswith(loc + ": ") for loc in expected for l in plines)


def describe(problems: list[dict], limit: int = 40) -> str:
    return "\n".join(f"  {location(p)} {p['severity']} {p['rule']} column={p['column']} value={(p['value'] or '')[:60]!r}"
                     f": {p['message'][:120]}" for p in problems[:limit])


@pytest.fixture
def broken(tmp_path) -> PackageCopy:
    """A copy of the real package one folder down, so that files can be planted outside it."""
    root = tmp_path / "pkg"
    root.mkdir()
    return PackageCopy(root)


ALL = os.environ.get("CARTEL_BAD_INPUTS") == "all"


def test_corpus_is_large_enough():
    assert len([c for c in CASES if not c.extended]) >= 55
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("c", [
    pytest.param(c, id=c.id, marks=[pytest.mark.skipif(c.extended and not ALL, reason="extended corpus: set CARTEL_BAD_INPUTS=all")])
    for c in CASES
])
def test_bad_input(broken, c: Case):
    e = c.mutate(broken)
    root = str(broken.root)
    json_run, text_run = run_cli([[root, "--format", "json"], [root]], c.via)

    for r in (json_run, text_run):
        if r.crash:
            pytest.fail(f"the command raised instead of reporting:\n{r.crash}", pytrace=False)
        assert "Traceback" not in r.stdout and "Traceback" not in r.stderr, r.stdout[-3000:] + r.stderr[-3000:]

    if e.exit == 2:
        for r in (json_run, text_run):
            assert r.code == 2, f"exit {r.code}, expected 2\n{r.stdout[:2000]}{r.stderr[:2000]}"
            assert r.stdout == ""
            err = r.stderr.strip()
            assert err.startswith("cartel-data: cannot validate:") and "\n" not in err, err
            assert e.stderr in err, err
        return

    assert json_run.stderr == "" and text_run.stderr == "", json_run.stderr + text_run.stderr
    doc = json.loads(json_run.stdout)
    problems = doc["problems"]
    hits = [p for p in problems if matches(p, e)]
    assert hits, f"expected {e}\ngot (exit {json_run.code}):\n{describe(problems)}"
    assert all(p["severity"] == ("warning" if e.warning else "error") for p in hits), describe(hits)
    assert json_run.code == e.exit, f"exit {json_run.code}, expected {e.exit}:\n{describe(problems)}"
    assert doc["valid"] is (e.exit == 0)
    if e.unread:
        assert e.unread not in doc["counts"]["rows"], doc["counts"]["rows"]
        assert all(p["file"] in ("datapackage.json",) or p["file"].startswith(("data/", "schemas/")) for p in problems), \
            describe(problems)

    # a problem that names a column of a data file says on which line
    lineless = [p for p in problems if p["column"] is not None and p["line"] is None]
    assert not lineless, "problems naming a column but no line:\n" + describe(lineless)

    assert text_run.code == e.exit, f"text: exit {text_run.code}, expected {e.exit}"
    check_text(text_run, problems, e)

    if e.warning:
        assert doc["counts"]["errors"] == 0, describe(problems)
        (strict,) = run_cli([[root, "--strict"]], c.via)
        if strict.crash:
            pytest.fail(f"the command raised instead of reporting:\n{strict.crash}", pytrace=False)
        assert strict.code == 1, strict.stdout[-2000:]
        assert strict.stdout.rstrip("\n").split("\n")[-1].startswith("INVALID:")
        assert "Traceback" not in strict.stdout + strict.stderr
