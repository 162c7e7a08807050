"""Every command fails in one clean line: a missing path, an unreadable file, a folder that is
not a package, an unknown table or name; never a traceback. And the README's examples run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cartel_data.cli import cli
from conftest import ROOT


def invoke(*args):
    r = CliRunner().invoke(cli, list(args))
    crash = r.exception is not None and not isinstance(r.exception, SystemExit)
    return r, crash


def _commands(target: str, out: Path):
    return {
        "validate": ["validate", target],
        "tables": ["tables", target],
        "export": ["export", "--format", "json", "-o", str(out / "x.json"), "--package", target],
        "dictionary": ["dictionary", "--package", target],
        "release": ["release", "-o", str(out / "dist"), "--package", target],
        "fmt": ["fmt", target],
        "search": ["search", "chapo", "--package", target],
        "show": ["show", "chapo", "--package", target],
        "diff": ["diff", target, str(ROOT)],
    }


def _targets(tmp_path: Path) -> dict[str, str]:
    missing = tmp_path / "nowhere"
    unreadable = tmp_path / "unreadable" / "datapackage.json"
    unreadable.parent.mkdir()
    unreadable.write_bytes(b"\xff\xfe not json")
    empty = tmp_path / "empty"
    empty.mkdir()
    return {"missing": str(missing), "unreadable": str(unreadable), "not-a-package": str(empty)}


@pytest.mark.parametrize("kind", ["missing", "unreadable", "not-a-package"])
@pytest.mark.parametrize("command", ["validate", "tables", "export", "dictionary", "release", "fmt", "search", "show", "diff"])
def test_every_command_fails_in_one_line(tmp_path, kind, command):
    target = _targets(tmp_path)[kind]
    r, crash = invoke(*_commands(target, tmp_path)[command])
    assert not crash, r.exc_info
    assert r.exit_code == 2, (r.exit_code, r.output)
    err = r.stderr.strip()
    assert err.startswith("cartel-data: ") and "\n" not in err and "Traceback" not in r.output, err
    assert r.stdout == ""


def test_unknown_table_and_unknown_name(tmp_path):
    r, crash = invoke("export", "--format", "json", "-o", str(tmp_path / "x.json"), "--table", "people")
    assert not crash and r.exit_code == 2 and "unknown table" in r.stderr and "\n" not in r.stderr.strip()
    r, crash = invoke("show", "zzzz-nobody-qqqq")
    assert not crash and r.exit_code == 1 and r.stderr.startswith("cartel-data: nothing matches")


def test_a_closed_pipe_ends_quietly():
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    script = [sys.executable, "-m", "cartel_data"]
    for args in (["dictionary"], ["show", "per-rafael-caro-quintero", "--format", "markdown"], ["search", "a", "--limit", "500"]):
        p = subprocess.Popen(script + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        p.stdout.read(10)
        p.stdout.close()
        err = p.stderr.read().decode()
        p.wait(timeout=60)
        assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_package_option_means_the_same_everywhere(pkg, monkeypatch):
    """PATH/--package, else ./datapackage.json, else the bundled data: for every command."""
    pkg.set_cell("persons", "name", "Nombre De Prueba Único", index=0)
    monkeypatch.chdir(pkg.root)
    r, _ = invoke("search", "Nombre De Prueba Unico", "--json")
    assert "Nombre De Prueba" in r.stdout
    r, _ = invoke("tables")
    assert r.exit_code == 0
    monkeypatch.chdir(pkg.root.parent)
    r, _ = invoke("search", "Nombre De Prueba Unico", "--json", "--package", str(pkg.root))
    assert "Nombre De Prueba" in r.stdout
    r, _ = invoke("search", "Nombre De Prueba Unico", "--json")
    assert "Nombre De Prueba" not in r.stdout  # the bundled data


def _readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            m = re.match(r"\$ cartel-data (.+?)(?:\s+#.*)?$", line.strip())
            if m:
                out.append(m.group(1))
    return out


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """The release the README's examples refer to (dist/ and the downloaded zip), built once."""
    import cartel_data

    d = tmp_path_factory.mktemp("readme")
    r, crash = invoke("release", "--output", str(d / "dist"), "--package", str(ROOT))
    assert not crash and r.exit_code == 0, r.output[-2000:]
    return d, f"cartel-data-{cartel_data.__version__}.zip"


@pytest.mark.parametrize("line", _readme_commands())
def test_readme_examples_run(line, tmp_path, monkeypatch, released):
    import shlex

    args = shlex.split(line.split(" > ")[0])
    if args[0] in ("fmt",) or "path/to/package" in line:
        pytest.skip("rewrites or needs a package of one's own")
    built, zip_name = released
    if args[0] != "release":  # the release example builds its own dist/
        (tmp_path / "dist").symlink_to(built / "dist")
    (tmp_path / zip_name).symlink_to(built / "dist" / zip_name)
    monkeypatch.chdir(tmp_path)
    if args[0] == "diff":
        args = ["diff", str(ROOT), str(ROOT)] + [a for a in args[3:]]
    r, crash = invoke(*args, *(["--package", str(ROOT)] if args[0] in ("export", "release") else []))
    assert not crash, r.exc_info
    assert r.exit_code in (0,) or (args[0] == "validate" and r.exit_code == 0), (line, r.exit_code, r.output[-2000:])
