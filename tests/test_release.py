"""Release files, data dictionary and citation metadata."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import cartel_data
from cartel_data.cli import cli
from cartel_data.dictionary import markdown
from cartel_data.release import ReleaseError, changelog_section, release

ROOT = Path(__file__).resolve().parent.parent


def test_data_dictionary_is_current():
    committed = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == markdown(ROOT) + "\n", "docs/data-dictionary.md is stale: run `cartel-data dictionary -o docs/data-dictionary.md`"


def test_citation_cff_matches_version():
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert "cff-version: 1.2.0" in text
    assert f"version: {cartel_data.__version__}\n" in text


def test_changelog_top_section_is_this_version():
    version, notes = changelog_section((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert version == cartel_data.__version__ and notes


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    src = tmp_path_factory.mktemp("pkg")
    for name in ("datapackage.json", "README.md", "LICENSE", "LICENSE-DATA", "CHANGELOG.md", "CITATION.cff"):
        (src / name).write_bytes((ROOT / name).read_bytes())
    for folder in ("data", "schemas"):
        (src / folder).mkdir()
        for f in (ROOT / folder).iterdir():
            (src / folder / f.name).write_bytes(f.read_bytes())
    out = tmp_path_factory.mktemp("dist")
    return src, out, release(out, path=src)


def test_release_files_and_checksums(built):
    _, out, result = built
    v = cartel_data.__version__
    names = {f.name for f in result["files"]}
    assert {f"cartel-data-{v}.zip", "cartel-data.sqlite", f"cartel-data-{v}.xlsx", f"cartel-data-{v}.json",
            f"cartel-data-{v}.jsonl", f"cartel-data-{v}-parquet.zip", "cartel-data.datasette.json", f"cartel-data-{v}.ftm.jsonl",
            f"cartel-data-{v}.gexf", f"cartel-data-{v}.citations.csv", f"cartel-data-{v}-site.zip", "croissant.json",
            "zenodo.json", "SHA256SUMS"} == names
    for line in (out / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert result["notes"].startswith("### ")


def test_release_zip_is_a_valid_package(built, tmp_path):
    _, out, _ = built
    base = f"cartel-data-{cartel_data.__version__}"
    z = out / f"{base}.zip"
    with zipfile.ZipFile(z) as zf:
        assert all(n.startswith(base + "/") for n in zf.namelist()), "the zip unpacks into one folder"
        zf.extractall(tmp_path)
        desc = json.loads(zf.read(f"{base}/datapackage.json"))
    tmp_path = tmp_path / base
    for r in desc["resources"]:
        data = (tmp_path / r["path"]).read_bytes()
        assert r["bytes"] == len(data) and r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    assert (tmp_path / "CITATION.cff").is_file() and (tmp_path / "LICENSE-DATA").is_file()
    assert cartel_data.validate(tmp_path, strict=True).valid
    frictionless = pytest.importorskip("frictionless")
    assert frictionless.validate(str(tmp_path / "datapackage.json")).valid


def test_release_is_reproducible(built, tmp_path):
    src, out, _ = built
    again = release(tmp_path / "again", path=src)
    first = (out / "SHA256SUMS").read_text(encoding="utf-8")
    assert (tmp_path / "again" / "SHA256SUMS").read_text(encoding="utf-8") == first
    assert again["version"] == cartel_data.__version__


def test_release_refuses_disagreeing_versions(built, tmp_path):
    src, _, _ = built
    d = json.loads((src / "datapackage.json").read_text(encoding="utf-8"))
    d["version"] = "9.9.9"
    (src / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    try:
        with pytest.raises(ReleaseError, match="versions disagree"):
            release(tmp_path / "x", path=src)
    finally:
        (src / "datapackage.json").write_bytes((ROOT / "datapackage.json").read_bytes())


def test_release_refuses_invalid_data(pkg, tmp_path):
    for name in ("CHANGELOG.md",):
        (pkg.root / name).write_bytes((ROOT / name).read_bytes())
    pkg.set_cell("events", "date", "1985-02-30", index=0)
    r = CliRunner().invoke(cli, ["release", "--package", str(pkg.root), "-o", str(tmp_path / "dist")])
    assert r.exit_code == 1 and "not valid" in r.output
    assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").iterdir())
