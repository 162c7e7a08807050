"""Hypothesis plans for hostile input: odd paths, symbolic links, corrupt zips and
control characters, run through every command that reads a package.

Properties: every command exits 0, 1 or 2; nothing but a one-line message reaches stderr
on exit 2; no traceback; no raw control, bidirectional or escape character from the data
reaches the output; and nothing is written outside the temporary output folder.
Sizes follow ``CARTEL_FUZZ_EXAMPLES`` and ``CARTEL_FUZZ_SEED`` like ``test_fuzz.py``."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from cartel_data.cli import cli
from conftest import ROOT, PackageCopy, fuzz, small_root

pytestmark = pytest.mark.fuzz

RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\x00")

PATH_PARTS = ["data", "..", ".", "", "/", "\\", "\n::error::x", "\x1b[2J", "\u202e", "data/persons.csv", "x.csv/",
              "https://example.org/x.csv", "C:\\x.csv", "~", "persons.csv", "data//persons.csv", "\x7f", "a b"]
CONTROL = ["\x1b[31m", "\x1b]0;t\x07", "\x07", "\u202e", "\u2066", "\u200b", "\x1b[2J", "\r", "\x9b1m", "\ufeff"]

path_strings = st.lists(st.sampled_from(PATH_PARTS), min_size=1, max_size=4).map(lambda xs: "".join(xs))


def _commands(root: Path, out: Path, zip_path: Path | None = None):
    target = str(zip_path or root)
    return [["validate", target], ["validate", target, "--format", "github"], ["tables", str(root)],
            ["search", "caro", "--package", str(root)], ["show", "per-rafael-caro-quintero", "--package", str(root)],
            ["show", "per-rafael-caro-quintero", "--package", str(root), "--format", "markdown"],
            ["diff", str(ROOT), target], ["dictionary", "--package", str(root)],
            ["export", "--format", "json", "-o", str(out / "x.json"), "--package", str(root)],
            ["fmt", str(root), "--check"]]


def _snapshot(folder: Path) -> dict:
    return {str(p): p.lstat().st_mtime_ns for p in folder.rglob("*")}


def _check(root: Path, out: Path, zip_path: Path | None = None, outside: Path | None = None) -> None:
    before = _snapshot(outside) if outside else None
    for args in _commands(root, out, zip_path):
        r = CliRunner().invoke(cli, args)
        assert r.exception is None or isinstance(r.exception, SystemExit), (args, r.exc_info)
        assert r.exit_code in (0, 1, 2), (args, r.exit_code)
        assert "Traceback" not in r.output, (args, r.output[-2000:])
        if r.exit_code == 2:
            lines = r.stderr.splitlines()
            assert lines and all(x.startswith("cartel-data: ") for x in lines), (args, r.stderr)
            assert len(lines) == 1 or args[0] == "fmt", (args, r.stderr)  # fmt: one line per file it cannot format
        for c in RAW:
            assert c not in r.output, (args, repr(c), r.output[:500])
    if outside is not None:
        assert _snapshot(outside) == before, "a command wrote outside its output folder"


def _with_package(fn):
    with tempfile.TemporaryDirectory(prefix="cartel-hostile-") as td:
        td = Path(td)
        root, out, outside = td / "pkg", td / "out", td / "outside"
        for p in (root, out, outside):
            p.mkdir()
        (outside / "secret.txt").write_text("secret", encoding="utf-8")
        PackageCopy(root, source=small_root())  # an excerpt: every table and column, about a third of the rows
        fn(root, outside)
        _check(root, out, outside=outside)


@fuzz(20, 20)
@given(table=st.integers(0, 9), path=path_strings, schema=st.booleans())
def test_odd_resource_and_schema_paths(table, path, schema):
    def mutate(root, outside):
        d = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
        d["resources"][table % len(d["resources"])]["schema" if schema else "path"] = path
        (root / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    _with_package(mutate)


LINK_TARGETS = ["outside/secret.txt", "/proc/self/environ", "/dev/zero", "/dev/null", "fifo", "dir", "loop", "missing"]
LINKED = ["data/persons.csv", "schemas/events.json", "datapackage.json", "data/.persons.csv.fmt-tmp", "CITATION.cff"]


@fuzz(20, 20)
@given(which=st.sampled_from(LINKED), target=st.sampled_from(LINK_TARGETS))
def test_symbolic_links_and_special_files(which, target):
    def mutate(root, outside):
        p = root / which
        if p.exists() or p.is_symlink():
            p.unlink()
        if target == "fifo":
            os.mkfifo(p)
            return
        if target == "dir":
            p.mkdir()
            return
        dest = {"outside/secret.txt": outside / "secret.txt", "loop": p, "missing": root / "nope"}.get(target, Path(target))
        p.symlink_to(dest)
    _with_package(mutate)


@fuzz(20, 20)
@given(cells=st.lists(st.tuples(st.sampled_from(["persons", "events", "aliases", "sources"]),
                                st.sampled_from(CONTROL), st.integers(0, 20)), min_size=1, max_size=4))
def test_control_characters_in_cells(cells):
    def mutate(root, outside):
        import csv
        import io

        for table, ctl, row in cells:
            path = root / "data" / f"{table}.csv"
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
            r = rows[1 + row % (len(rows) - 1)]
            j = next(j for j, h in enumerate(rows[0]) if h in ("name", "summary", "alias", "title", "publisher"))
            r[j] = r[j] + ctl + "x"
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerows(rows)
            path.write_text(buf.getvalue(), encoding="utf-8")
    _with_package(mutate)


@fuzz(20, 20)
@given(flips=st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)), min_size=1, max_size=6),
       truncate=st.one_of(st.none(), st.floats(0.1, 0.99)))
def test_corrupt_release_zips(flips, truncate):
    with tempfile.TemporaryDirectory(prefix="cartel-hostile-") as td:
        td = Path(td)
        z = td / "cartel-data.zip"
        with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for p in [ROOT / "datapackage.json", *sorted((ROOT / "schemas").glob("*.json")), *sorted((ROOT / "data").glob("*.csv"))]:
                zf.write(p, "pkg/" + str(p.relative_to(ROOT)))
        data = bytearray(z.read_bytes())
        for where, xor in flips:
            i = min(int(where * len(data)), len(data) - 1)
            data[i] ^= xor
        if truncate is not None:
            data = data[: int(len(data) * truncate)]
        z.write_bytes(bytes(data))
        (td / "out").mkdir()
        _check(ROOT, td / "out", zip_path=z)
