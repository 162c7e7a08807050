"""Hostile packages: a contributor's pull request, a downloaded zip, a stranger's package.

Each case runs the real command line and checks: the exit status, one line on stderr, no
traceback, nothing read or written outside the package and a temporary folder, and that
the run finishes (a FIFO, a huge header, a catastrophic pattern cannot hang it)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import cartel_data
from cartel_data.cli import cli
from conftest import ROOT

ESC = "\x1b]0;owned\x07\x1b[2J\u202etxt.exe"


def invoke(*args):
    r = CliRunner().invoke(cli, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exc_info
    assert "Traceback" not in r.output
    return r


def one_line_error(r, code=2):
    assert r.exit_code == code, (r.exit_code, r.output)
    # progress lines ("... step") may come first; the error itself is one line
    lines = [l for l in r.stderr.strip().split("\n") if not l.startswith("... ")]
    err = "\n".join(lines)
    assert len(lines) == 1 and err.startswith("cartel-data: "), r.stderr
    return err


def descriptor(pkg):
    return json.loads((pkg.root / "datapackage.json").read_text(encoding="utf-8"))


def write_descriptor(pkg, d):
    (pkg.root / "datapackage.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")


def add_release_files(pkg):
    for name in ("CHANGELOG.md", "LICENSE", "LICENSE-DATA", "CITATION.cff", "README.md"):
        (pkg.root / name).write_bytes((ROOT / name).read_bytes())
    (pkg.root / "docs").mkdir(exist_ok=True)
    (pkg.root / "docs" / "release-readme.md").write_bytes((ROOT / "docs" / "release-readme.md").read_bytes())


# -- reading outside the package ------------------------------------------------------------
def test_release_refuses_a_citation_linked_outside(pkg, tmp_path):
    add_release_files(pkg)
    (pkg.root / "CITATION.cff").unlink()
    (pkg.root / "CITATION.cff").symlink_to("/proc/self/environ")
    r = invoke("release", "-o", tmp_path / "dist", "--package", pkg.root)
    err = one_line_error(r)
    assert "outside the package" in err
    assert not (tmp_path / "dist").exists()


def test_resource_linked_outside_is_never_read(pkg, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("source_id\nsrc-secret-token\n", encoding="utf-8")
    (pkg.root / "data" / "sentences.csv").unlink()
    (pkg.root / "data" / "sentences.csv").symlink_to(secret)
    for args in (["validate", pkg.root], ["export", "--format", "json", "-o", tmp_path / "x.json", "--package", pkg.root]):
        r = invoke(*args)
        assert "src-secret-token" not in r.output and r.exit_code in (1, 2)


# -- writing outside the package ------------------------------------------------------------
def test_fmt_cannot_be_redirected_through_a_planted_symlink(pkg, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    for name in ("persons", "events"):
        (pkg.root / "data" / f".{name}.csv.fmt-tmp").symlink_to(victim)
    rows = pkg.rows("persons")
    pkg.write_rows("persons", list(reversed(rows)))  # not canonical: fmt rewrites it
    r = invoke("fmt", pkg.root)
    assert r.exit_code == 0, r.output
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert pkg.rows("persons") == sorted(rows, key=lambda x: x["person_id"])


def test_export_never_replaces_a_symlink_or_a_device(tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("untouched", encoding="utf-8")
    link = tmp_path / "out.json"
    link.symlink_to(target)
    err = one_line_error(invoke("export", "--format", "json", "-o", link, "--force", "--package", ROOT))
    assert "symbolic link" in err and target.read_text(encoding="utf-8") == "untouched"
    err = one_line_error(invoke("export", "--format", "json", "-o", "/dev/null", "--force", "--package", ROOT))
    assert "not a regular file" in err


def test_csv_export_cannot_replace_the_package_it_reads(pkg):
    before = sorted(p.name for p in pkg.root.rglob("*"))
    err = one_line_error(invoke("export", "--format", "csv", "-o", pkg.root, "--package", pkg.root, "--force"))
    assert "package folder" in err
    assert sorted(p.name for p in pkg.root.rglob("*")) == before


def test_folder_export_never_deletes_what_it_did_not_write(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("years of work", encoding="utf-8")
    one_line_error(invoke("export", "--format", "parquet", "-o", out, "--force", "--package", ROOT))
    assert (out / "thesis.docx").read_text(encoding="utf-8") == "years of work"
    fresh = tmp_path / "fresh"
    assert invoke("export", "--format", "parquet", "-o", fresh, "--package", ROOT).exit_code == 0
    assert invoke("export", "--format", "parquet", "-o", fresh, "--force", "--package", ROOT).exit_code == 0


def test_every_command_that_writes_needs_force(tmp_path):
    existing = tmp_path / "existing.md"
    existing.write_text("mine", encoding="utf-8")
    err = one_line_error(invoke("dictionary", "-o", existing))
    assert "--force" in err and existing.read_text(encoding="utf-8") == "mine"
    assert invoke("dictionary", "-o", existing, "--force").exit_code == 0
    one_line_error(invoke("export", "--format", "json", "-o", existing, "--package", ROOT))
    plot = tmp_path / "plot.png"
    plot.write_bytes(b"mine")
    one_line_error(invoke("show", "per-rafael-caro-quintero", "--plot", plot))
    assert plot.read_bytes() == b"mine"


def test_release_notes_file_needs_force(pkg, tmp_path):
    add_release_files(pkg)
    notes = tmp_path / "notes.md"
    notes.write_text("mine", encoding="utf-8")
    r = invoke("release", "-o", tmp_path / "dist", "--package", pkg.root, "--notes-file", notes)
    one_line_error(r)
    assert notes.read_text(encoding="utf-8") == "mine"
    assert not (tmp_path / "dist").exists(), "the notes file is checked before anything is written"


def test_a_killed_export_leaves_no_temporary_files(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import generate

    generate(60_000, tmp_path / "big")
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "cartel_data", "export", "--format", "xlsx", "-o", str(out / "x.xlsx"),
                             "--package", str(tmp_path / "big")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and not any(out.iterdir()):
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert list(out.iterdir()) == [], list(out.iterdir())


# -- no silent rewrite ----------------------------------------------------------------------
def test_fmt_refuses_a_file_the_validator_calls_malformed(pkg):
    path = pkg.csv("events")
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3].replace(",", ',"', 1)  # an unbalanced quote
    path.write_text("\n".join(lines), encoding="utf-8")
    before = path.read_bytes()
    r = invoke("fmt", pkg.root)
    assert r.exit_code == 2 and "data/events.csv:" in r.stderr
    assert path.read_bytes() == before


def _valid_corpus_cases():
    import test_bad_inputs as corpus

    return [c for c in corpus.CASES]


@pytest.mark.parametrize("shard", range(4))  # in four parts, so that parallel runs share the work
def test_fmt_never_changes_what_a_valid_package_says(tmp_path, shard):
    """On every case of the bad-input corpus that validates (warnings at most), fmt leaves
    load_all() identical."""
    import pandas as pd

    from conftest import PackageCopy

    checked = 0
    for c in _valid_corpus_cases()[shard::4]:
        root = tmp_path / c.id.replace("/", "_")
        root.mkdir()
        p = PackageCopy(root)
        try:
            c.mutate(p)
        except Exception:  # noqa: BLE001 - a case that needs files this copy lacks
            continue
        try:
            if not cartel_data.validate(root).valid:
                continue
        except cartel_data.errors.CartelDataError if hasattr(cartel_data, "errors") else Exception:
            continue
        before = cartel_data.load_all(root)
        r = invoke("fmt", root)
        assert r.exit_code == 0, (c.id, r.output)
        after = cartel_data.load_all(root)
        for name in before:
            pd.testing.assert_frame_equal(before[name].sort_values(before[name].columns[0]).reset_index(drop=True),
                                          after[name].sort_values(after[name].columns[0]).reset_index(drop=True))
        checked += 1
    assert checked >= 2


# -- injection ------------------------------------------------------------------------------
def _raw_controls(text: str) -> list[str]:
    return [c for c in ("\x1b", "\x07", "\u202e") if c in text]


def test_terminal_text_is_escaped_everywhere(pkg, tmp_path):
    i = pkg.index_where("persons", "person_id", "per-rafael-caro-quintero")
    pkg.set_cell("persons", "description", "Trafficker " + ESC, index=i)
    r = invoke("validate", pkg.root)
    assert "control-character" in r.stdout and not _raw_controls(r.stdout)
    for args in (["show", "per-rafael-caro-quintero", "--package", pkg.root],
                 ["show", "per-rafael-caro-quintero", "--package", pkg.root, "--format", "markdown"],
                 ["search", "caro", "--package", pkg.root], ["diff", ROOT, pkg.root],
                 ["diff", ROOT, pkg.root, "--format", "markdown"]):
        r = invoke(*args)
        assert not _raw_controls(r.output), (args, r.output[:500])


def test_a_path_with_a_newline_cannot_start_a_workflow_command(pkg):
    d = descriptor(pkg)
    d["resources"][-1]["path"] = "data/x.csv\n::add-mask::oops"
    write_descriptor(pkg, d)
    for fmt in ("text", "github", "json"):
        r = invoke("validate", pkg.root, "--format", fmt)
        assert r.exit_code == 1
        for line in r.stdout.splitlines():
            assert not line.startswith("::add-mask"), line
            if fmt == "github":
                assert line.startswith(("::error ", "::warning ")) or line.startswith(("valid", "INVALID"))


def test_markdown_outputs_escape_html_and_markdown(pkg):
    i = pkg.index_where("persons", "person_id", "per-rafael-caro-quintero")
    pkg.set_cell("persons", "description", "<script>alert(1)</script> [click](javascript:alert(1)) **x**", index=i)
    for args in (["show", "per-rafael-caro-quintero", "--format", "markdown", "--package", pkg.root],
                 ["diff", ROOT, pkg.root, "--format", "markdown"]):
        out = invoke(*args).stdout
        import re

        assert "<script>" not in out and not re.search(r"(?<!\\)\]\(javascript:", out), out[:800]


def test_javascript_licence_url_is_refused(pkg):
    d = descriptor(pkg)
    d["licenses"][0]["path"] = "javascript:alert(document.cookie)"
    write_descriptor(pkg, d)
    r = invoke("validate", pkg.root, "--format", "json")
    assert r.exit_code == 1 and any(p["rule"] == "unsafe-url" for p in json.loads(r.stdout)["problems"])


# -- bounded time and memory ----------------------------------------------------------------
def _cli(args, timeout=120):
    return subprocess.run([sys.executable, "-m", "cartel_data", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def test_a_catastrophic_pattern_is_bounded(pkg):
    s = json.loads((pkg.root / "schemas" / "persons.json").read_text(encoding="utf-8"))
    f = next(f for f in s["fields"] if f["name"] == "birth_place")
    f.setdefault("constraints", {})["pattern"] = r"\b(\w+\s?)+\b$"
    (pkg.root / "schemas" / "persons.json").write_text(json.dumps(s), encoding="utf-8")
    pkg.set_cell("persons", "birth_place", "Culiacán " + "a" * 40 + "!", index=0)
    t = time.time()
    r = _cli(["validate", pkg.root, "--format", "json"])
    assert time.time() - t < 60 and r.returncode == 1 and "Traceback" not in r.stderr
    assert any(p["rule"] == "pattern" and "longer than" in p["message"] for p in json.loads(r.stdout)["problems"])


@pytest.mark.parametrize("what", ["resource", "schema"])
def test_a_fifo_is_refused_not_read(pkg, what):
    target = pkg.csv("sentences") if what == "resource" else pkg.root / "schemas" / "sentences.json"
    target.unlink()
    os.mkfifo(target)
    r = _cli(["validate", pkg.root], timeout=60)
    assert r.returncode in (1, 2) and "not a regular file" in (r.stdout + r.stderr)


def test_a_huge_header_is_reported_fast(pkg):
    path = pkg.csv("sentences")
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[0] = lines[0] + "," + ",".join(f"extra{i}" for i in range(30_000))
    path.write_text("\n".join(lines), encoding="utf-8")
    t = time.time()
    r = _cli(["validate", pkg.root, "--format", "json"])
    assert time.time() - t < 30 and r.returncode == 1
    problems = json.loads(r.stdout)["problems"]
    assert any(p["rule"] == "limit" for p in problems)
    assert all(len(p["value"] or "") <= 1000 for p in problems)


def test_a_line_over_the_limit_is_one_problem(pkg):
    path = pkg.csv("sentences")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("x" * (33 << 20) + "\n")
    r = _cli(["validate", pkg.root, "--format", "json"])
    assert r.returncode == 1 and "Traceback" not in r.stderr and len(r.stdout) < 200_000
    assert any(p["rule"] == "limit" for p in json.loads(r.stdout)["problems"])


def test_a_thousand_resources_are_refused(pkg):
    d = descriptor(pkg)
    d["resources"] = [dict(d["resources"][0], name=f"t{i}") for i in range(1000)]
    write_descriptor(pkg, d)
    r = invoke("validate", pkg.root, "--format", "json")
    assert r.exit_code == 1 and [p["rule"] for p in json.loads(r.stdout)["problems"]] == ["limit"]


def test_zip_limits(tmp_path, monkeypatch):
    from cartel_data import archive

    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("pkg/datapackage.json", "{}")
        z.writestr("pkg/data/huge.csv", b"0" * (3 << 20))
    monkeypatch.setattr(archive, "MAX_ZIP_MEMBER_BYTES", 1 << 20)
    err = one_line_error(invoke("diff", big, ROOT))
    assert "over the limit" in err


def _corrupt(path: Path, how: str) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("p/datapackage.json", (ROOT / "datapackage.json").read_text(encoding="utf-8"))
    data = bytearray(path.read_bytes())
    if how == "crc":
        i = data.index(b'"name"')
        data[i + 1] ^= 0x20
    elif how == "encrypted":
        for sig in (b"PK\x03\x04", b"PK\x01\x02"):
            j = data.index(sig)
            flag = j + (6 if sig == b"PK\x03\x04" else 8)
            data[flag] |= 1
    elif how == "method":
        for sig, off in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
            j = data.index(sig)
            data[j + off] = 99
    elif how == "truncated":
        data = data[: len(data) // 2]
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["crc", "encrypted", "method", "truncated"])
def test_corrupt_zips_are_one_clean_line(tmp_path, how):
    z = tmp_path / "bad.zip"
    _corrupt(z, how)
    for args in (["diff", z, ROOT], ["validate", z]):
        r = invoke(*args)
        assert r.exit_code == 2 and r.stderr.startswith("cartel-data: ") and "\n" not in r.stderr.strip(), (how, r.output)


# -- packages validate accepts never crash another command ---------------------------------------
def test_inline_schemas_and_resources_outside_data(pkg, tmp_path):
    d = descriptor(pkg)
    for r in d["resources"]:
        if r["name"] == "sentences":
            r["schema"] = json.loads((pkg.root / r["schema"]).read_text(encoding="utf-8"))
        if r["name"] == "aliases":
            (pkg.root / "aliases.csv").write_bytes(pkg.csv("aliases").read_bytes())
            r["path"] = "aliases.csv"
    write_descriptor(pkg, d)
    add_release_files(pkg)
    assert cartel_data.validate(pkg.root).valid
    r = invoke("release", "-o", tmp_path / "dist", "--package", pkg.root)
    assert r.exit_code == 0, r.output
    from cartel_data.export import formats

    for fmt in formats():
        assert invoke("export", "--format", fmt, "-o", tmp_path / f"x-{fmt}", "--package", pkg.root).exit_code == 0
    # what is written out is laid out as a package of its own, with the inline schema as a file
    assert cartel_data.validate(tmp_path / "x-csv", strict=True).valid
    site = tmp_path / "site"
    assert invoke("site", "-o", site, "--package", pkg.root).exit_code == 0
    assert json.loads((site / "download" / "datapackage.json").read_text(encoding="utf-8"))["resources"][0]["path"].startswith("data/")
    assert cartel_data.validate(site / "download", strict=True).valid


def test_an_infinite_maximum_is_a_schema_problem(pkg):
    path = pkg.root / "schemas" / "sentences.json"
    text = path.read_text(encoding="utf-8").replace('"minimum": 0,\n        "maximum": 11', '"minimum": 0,\n        "maximum": Infinity')
    assert "Infinity" in text
    path.write_text(text, encoding="utf-8")
    r = invoke("validate", pkg.root, "--format", "json")
    assert r.exit_code == 1 and any("finite" in p["message"] for p in json.loads(r.stdout)["problems"])


def test_a_cell_an_export_cannot_hold_is_reported_by_validate(pkg, tmp_path):
    path = pkg.root / "schemas" / "events.json"
    s = json.loads(path.read_text(encoding="utf-8"))
    f = next(f for f in s["fields"] if f["name"] == "notes")
    f.setdefault("constraints", {})["maxLength"] = 100_000
    path.write_text(json.dumps(s), encoding="utf-8")
    pkg.set_cell("events", "notes", "long " * 8000, index=0)
    r = invoke("validate", pkg.root, "--format", "json")
    assert r.exit_code == 1 and any(p["rule"] == "format-limit" for p in json.loads(r.stdout)["problems"])


def test_a_trailing_slash_path_is_refused(pkg):
    d = descriptor(pkg)
    d["resources"][0]["path"] = "data/sources.csv/"
    write_descriptor(pkg, d)
    r = invoke("validate", pkg.root, "--format", "json")
    assert r.exit_code == 1 and json.loads(r.stdout)["problems"][0]["rule"] == "resource-path"


def test_diff_with_an_empty_id_and_without_a_key(pkg):
    pkg.set_cell("aliases", "alias_id", "", index=0)
    r = invoke("diff", ROOT, pkg.root)
    assert r.exit_code == 0
    s = json.loads((pkg.root / "schemas" / "aliases.json").read_text(encoding="utf-8"))
    s.pop("primaryKey")
    (pkg.root / "schemas" / "aliases.json").write_text(json.dumps(s), encoding="utf-8")
    one_line_error(invoke("diff", ROOT, pkg.root))


def test_plot_draws_dollar_signs_literally(pkg, tmp_path):
    pytest.importorskip("matplotlib")
    i = pkg.index_where("persons", "person_id", "per-rafael-caro-quintero")
    pkg.set_cell("persons", "name", "Rafael $Caro$ Quintero $x^2$", index=i)
    r = invoke("show", "per-rafael-caro-quintero", "--package", pkg.root, "--plot", tmp_path / "p.png")
    assert r.exit_code == 0 and (tmp_path / "p.png").stat().st_size > 1000
