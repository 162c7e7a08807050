"""The command line, through Click's CliRunner."""

from __future__ import annotations

import json
import os

import click
from click.testing import CliRunner

from cartel_data.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_validate_bundled_package_ok():
    r = run("validate", "--strict")
    assert r.exit_code == 0, r.output
    assert r.output.strip().splitlines()[-1].startswith("valid:")


def test_validate_without_path_uses_working_copy(pkg, monkeypatch):
    pkg.set_cell("events", "date", "1985-02-30", index=0)
    monkeypatch.chdir(pkg.root)
    r = run("validate")
    assert r.exit_code == 1
    assert "data/events.csv:2:" in r.output


def test_validate_accepts_descriptor_path(pkg):
    r = run("validate", str(pkg.root / "datapackage.json"))
    assert r.exit_code == 0, r.output


def test_text_output_has_location_rule_and_hint(pkg):
    pkg.set_cell("memberships", "organization_id", "org-guadalajara-cartell", index=0)
    r = run("validate", str(pkg.root))
    assert r.exit_code == 1
    line = next(l for l in r.output.splitlines() if "foreign-key" in l)
    assert line.startswith("data/memberships.csv:2:")
    assert "hint: nearest existing ids" in r.output
    assert "INVALID: 1 error(s)" in r.output


def test_json_output(pkg):
    line = pkg.set_cell("events", "event_type", "massacre", index=0)
    r = run("validate", str(pkg.root), "--format", "json")
    assert r.exit_code == 1
    doc = json.loads(r.output)
    assert doc["valid"] is False and doc["counts"]["errors"] == 1
    (p,) = doc["problems"]
    assert p["file"] == "data/events.csv" and p["line"] == line and p["column"] == "event_type" and p["value"] == "massacre"


def test_github_output(pkg):
    line = pkg.set_cell("events", "country", "XX", index=0)
    r = run("validate", str(pkg.root), "--format", "github")
    assert r.exit_code == 1
    first = r.output.splitlines()[0]
    assert first.startswith(f"::error file=data/events.csv,line={line},col=")
    assert "title=country::" in first


def test_strict_turns_warnings_into_failure(pkg):
    src = dict(pkg.rows("sources")[0], source_id="src-unused")
    pkg.append_row("sources", src)
    assert run("validate", str(pkg.root)).exit_code == 0
    r = run("validate", str(pkg.root), "--strict")
    assert r.exit_code == 1 and "--strict" in r.output


def test_unreadable_path_exits_2(tmp_path):
    r = run("validate", str(tmp_path / "nowhere"))
    assert r.exit_code == 2
    assert "cannot validate" in r.output


def test_bad_descriptor_exits_2_without_traceback(pkg):
    (pkg.root / "datapackage.json").write_text("[1, 2", encoding="utf-8")
    r = run("validate", str(pkg.root))
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_bad_option_exits_2():
    assert run("validate", "--format", "xml").exit_code == 2


def test_tables_command():
    r = run("tables")
    assert r.exit_code == 0
    assert "persons" in r.output and "extraditions" in r.output


def test_version():
    from cartel_data import __version__

    r = run("--version")
    assert __version__ in r.output


def _walk(group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from _walk(cmd, prefix + (name,))


def test_every_command_and_option_is_documented():
    for path, cmd in _walk(cli):
        assert cmd.help and cmd.help.strip(), f"{' '.join(path)} has no help"
        assert "Example" in cmd.help, f"{' '.join(path)} has no example in its help"
        for param in cmd.params:
            if isinstance(param, click.Option):
                assert param.help, f"{' '.join(path)} {param.opts} has no help text"


def test_help_does_not_import_heavy_libraries():
    import subprocess
    import sys

    code = (
        "import sys; from click.testing import CliRunner; from cartel_data.cli import cli; "
        "CliRunner().invoke(cli, ['--help']); "
        "print(','.join(m for m in ('pandas','pandera','frictionless') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ)
    assert out.stdout.strip() == ""
