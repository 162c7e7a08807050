"""Tools for readers and curators: search, show, diff, fmt."""

from __future__ import annotations

import json
import shutil
import zipfile

import pytest
from click.testing import CliRunner

from cartel_data.cli import cli
from cartel_data.diff import diff
from cartel_data.fmt import format_package
from cartel_data.search import fold, search
from conftest import ROOT
from cartel_data.show import NotFound, profile


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# -- search -------------------------------------------------------------------
def test_fold():
    assert fold("Félix  Gallardo") == "felix gallardo"
    assert fold("Z-40") == "z 40"


@pytest.mark.parametrize("query,expected", [
    ("felix gallardo", "per-miguel-angel-felix-gallardo"),
    ("FÉLIX GALLARDO", "per-miguel-angel-felix-gallardo"),
    ("z-40", "per-miguel-angel-trevino-morales"),
    ("Z40", "per-miguel-angel-trevino-morales"),
    ("rafael caro quinetro", "per-rafael-caro-quintero"),  # misspelt
    ("El Chapo", "per-joaquin-guzman-loera"), ("El Mayo", "per-ismael-zambada-garcia"),
    ("el raton", "per-ovidio-guzman-lopez"), ("El Mini Lic", "per-damaso-lopez-serrano"),
    ("El Mencho", "per-nemesio-oseguera-cervantes"), ("La Barbie", "per-edgar-valdez-villarreal"),
    ("El Lazca", "per-heriberto-lazcano-lazcano"), ("El Coss", "per-jorge-eduardo-costilla-sanchez"),
    ("El Chayo", "per-nazario-moreno-gonzalez"), ("La Tuta", "per-servando-gomez-martinez"),
    ("El Mochomo", "per-alfredo-beltran-leyva"), ("El Vicentillo", "per-vicente-zambada-niebla"),
    ("Don Neto", "per-ernesto-fonseca-carrillo"),  # alias
    ("el padrino", "per-miguel-angel-felix-gallardo"),
    ("cartel del noreste", "org-cartel-del-noreste"),
])
def test_search_finds(query, expected):
    hits = search(query)
    assert hits and hits[0].id == expected, [(h.id, h.score) for h in hits[:3]]


def test_search_ranks_exact_above_fuzzy():
    hits = search("Omar Treviño Morales")
    assert hits[0].id == "per-omar-trevino-morales"
    assert hits[0].score > hits[1].score


def test_search_cli_json_and_no_match():
    r = run("search", "z-40", "--json")
    assert r.exit_code == 0 and json.loads(r.output)[0]["id"] == "per-miguel-angel-trevino-morales"
    r = run("search", "qqqqqqqq")
    assert r.exit_code == 1 and "no match" in r.output


# -- show ---------------------------------------------------------------------
def test_profile_by_name_and_id_agree():
    assert profile("Félix Gallardo").id == profile("per-miguel-angel-felix-gallardo").id


def test_profile_timeline_is_chronological_and_cited():
    p = profile("per-rafael-caro-quintero")
    kinds = {i["kind"] for i in p.timeline}
    assert {"sentence", "transfer", "capture"} <= kinds
    keys = [i["date"] or "9999" for i in p.timeline]
    assert keys == sorted(keys)
    assert all(i["refs"] for i in p.timeline)
    cited = {n for part in (p.timeline, p.aliases, p.memberships) for i in part for n in i["refs"]} | set(p.refs)
    assert cited == {s["n"] for s in p.sources}
    assert all(s["url"].startswith("https://") for s in p.sources)


def test_profile_keeps_dates_as_recorded():
    p = profile("per-rafael-caro-quintero")
    assert any(len(i["date"] or "") == 4 for i in p.timeline) or any(len(i["date"] or "") == 7 for i in p.timeline)


def test_show_formats():
    md = run("show", "z-40", "--format", "markdown")
    assert md.exit_code == 0 and md.output.startswith("## Miguel Ángel Treviño Morales")
    assert "### Timeline" in md.output and "### Sources" in md.output and "https://" in md.output
    js = json.loads(run("show", "per-omar-trevino-morales", "--format", "json").output)
    assert js["id"] == "per-omar-trevino-morales" and js["timeline"]
    txt = run("show", "org-los-zetas")
    assert txt.exit_code == 0 and "Los Zetas" in txt.output


def test_show_unknown():
    r = run("show", "nobody-at-all-xyz")
    assert r.exit_code == 1
    with pytest.raises(NotFound):
        profile("qqqqqqqqqq")


def test_show_plot(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "t.png"
    r = run("show", "per-rafael-caro-quintero", "--plot", str(out), "--format", "json")
    assert r.exit_code == 0 and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- diff ---------------------------------------------------------------------
def test_diff_identical(pkg):
    d = diff(pkg.root, pkg.root)
    assert all(t.empty for t in d.tables.values()) and not d.breaking


def test_diff_added_changed_removed_rekeyed(pkg, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(pkg.root, old)
    rows = pkg.rows("persons")
    changed_id = rows[0]["person_id"]
    rows[0]["description"] = "A new description."
    removed_id = rows[1]["person_id"]
    rekeyed = dict(rows[2])
    old_key = rekeyed["person_id"]
    rekeyed["person_id"] = old_key + "-new"
    gone = rows.pop(1)
    rows[1] = rekeyed  # index shifted after pop
    pkg.write_rows("persons", rows)
    d = diff(old, pkg.root)
    t = d.tables["persons"]
    assert changed_id in t.changed and t.changed[changed_id]["description"][1] == "A new description."
    assert set(t.removed) == {removed_id, old_key} and t.added == [old_key + "-new"]
    assert t.rekeyed == {old_key: old_key + "-new"}
    assert len(d.breaking) == 2 and gone["person_id"] == removed_id
    r = run("diff", str(old), str(pkg.root), "--format", "markdown")
    assert "### Changed" in r.output and "**Breaking:**" in r.output
    assert run("diff", str(old), str(pkg.root), "--fail-on-breaking").exit_code == 1
    js = json.loads(run("diff", str(old), str(pkg.root), "--format", "json").output)
    assert js["summary"]["persons"] == {"added": 1, "removed": 2, "changed": 1}


def test_diff_reads_release_zip(pkg, tmp_path_factory):
    z = tmp_path_factory.mktemp("zips") / "old.zip"  # outside the package folder being zipped
    files = [f for f in pkg.root.rglob("*") if f.is_file()]
    with zipfile.ZipFile(z, "w") as zf:
        for f in files:
            if f.is_file():
                zf.write(f, f.relative_to(pkg.root).as_posix())
    pkg.set_cell("events", "summary", "Changed summary.", index=0)
    d = diff(z, pkg.root)
    assert len(d.tables["events"].changed) == 1


# -- fmt ----------------------------------------------------------------------
def test_shipped_files_are_canonical():
    r = run("fmt", "--check")
    assert r.exit_code == 0, r.output


def test_fmt_check_then_fix_is_idempotent(pkg):
    rows = pkg.rows("events")
    rows.reverse()
    rows[0]["summary"] = " " + rows[0]["summary"] + " "
    pkg.write_rows("events", rows)
    f = pkg.csv("events")
    f.write_bytes(f.read_bytes().replace(b"\n", b"\r\n"))
    before = f.read_bytes()
    r = run("fmt", "--check", str(pkg.root))
    assert r.exit_code == 1 and "would reformat data/events.csv" in r.output
    assert f.read_bytes() == before  # --check changes nothing
    assert run("fmt", str(pkg.root)).exit_code == 0
    once = f.read_bytes()
    assert b"\r" not in once and once.endswith(b"\n")
    assert format_package(pkg.root).changed == []  # idempotent
    from cartel_data.validation import validate

    assert validate(pkg.root, strict=True).valid


def test_fmt_refuses_ragged_rows(pkg):
    f = pkg.csv("aliases")
    lines = f.read_text(encoding="utf-8").split("\n")
    lines[2] += ",x"
    f.write_text("\n".join(lines), encoding="utf-8")
    r = run("fmt", str(pkg.root))
    assert r.exit_code == 2 and "cannot format" in r.output


def test_two_roles_in_one_event_are_one_timeline_line(tmp_path):
    """A person listed twice in one event (defendant and subject) appears once, with both roles,
    in show, in the SQLite person_timeline view and in the plot's items."""
    import csv
    import sqlite3
    from collections import Counter

    from cartel_data.api import export

    with open(ROOT / "data" / "event_participants.csv", encoding="utf-8", newline="") as fh:
        pairs = Counter((r["event_id"], r["person_id"]) for r in csv.DictReader(fh) if r["person_id"])
    (event_id, person_id), n = pairs.most_common(1)[0]
    assert n > 1, "the shipped data has a person in two roles in one event"
    p = profile(person_id)
    lines = [i for i in p.timeline if i["id"] == event_id]
    assert len(lines) == 1 and ", " in lines[0]["role"]
    con = sqlite3.connect(export("sqlite", tmp_path / "x.sqlite"))
    rows = con.execute("SELECT role FROM person_timeline WHERE person_id = ? AND ref_id = ?", (person_id, event_id)).fetchall()
    assert len(rows) == 1 and "," in rows[0][0]
    dup = con.execute("SELECT count(*) FROM (SELECT person_id, ref_id FROM person_timeline GROUP BY 1, 2 HAVING count(*) > 1)").fetchone()
    assert dup == (0,)
