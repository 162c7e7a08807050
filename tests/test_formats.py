"""The formats investigators and catalogues read: FollowTheMoney, GEXF, the citations table,
Croissant and Zenodo metadata, each checked with the library made for it."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest

import cartel_data
from cartel_data.api import export
from cartel_data.package import Package
from cartel_data.records import read_package
from conftest import ROOT


@pytest.fixture(scope="module")
def tables():
    return cartel_data.load_all()


@pytest.fixture(scope="module")
def ftm_file(tmp_path_factory):
    pytest.importorskip("followthemoney")
    return export("ftm", tmp_path_factory.mktemp("ftm") / "cartel-data.ftm.jsonl")


# -- FollowTheMoney -------------------------------------------------------------------------
def test_every_entity_validates_against_the_model(ftm_file):
    from followthemoney import model

    for line in ftm_file.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        schema = model.get(data["schema"])
        assert schema is not None, data["schema"]
        unknown = set(data["properties"]) - set(schema.properties)
        assert not unknown, (data["id"], unknown)
        proxy = model.get_proxy(data, cleaned=False)
        for prop, values in data["properties"].items():
            p = schema.get(prop)
            for v in values:
                assert p.type.clean(v) is not None, (data["id"], prop, v)  # accepted by its property type
            assert sorted(proxy.get(prop)) == sorted(values)


def test_counts_per_schema_match_the_tables(ftm_file, tables):
    counts = Counter(json.loads(line)["schema"] for line in ftm_file.read_text(encoding="utf-8").splitlines())
    assert counts["Person"] == len(tables["persons"])
    assert counts["Organization"] == len(tables["organizations"])
    assert counts["Membership"] == len(tables["memberships"])
    assert counts["UnknownLink"] == len(tables["organization_relations"])
    assert counts["CourtCase"] == counts["CourtCaseParty"] == len(tables["sentences"])
    assert counts["Event"] == len(tables["events"]) + len(tables["extraditions"])
    assert counts["Article"] == len(tables["sources"])


def test_reads_back_with_the_librarys_reader(ftm_file):
    from followthemoney.cli.util import path_entities
    from followthemoney.proxy import EntityProxy

    entities = {e.id: e for e in path_entities(str(ftm_file), EntityProxy)}
    chapo = entities["cartel-data-per-joaquin-guzman-loera"]
    assert "El Chapo" in chapo.get("alias")
    assert "1957-04-04" in chapo.get("birthDate")
    assert chapo.get("proof") and all(p in entities for p in chapo.get("proof"))
    members = [e for e in entities.values() if e.schema.name == "Membership"
               and "cartel-data-per-joaquin-guzman-loera" in e.get("member")]
    assert {m.first("organization") for m in members} >= {"cartel-data-org-sinaloa-cartel"}
    assert entities["cartel-data-per-rafael-caro-quintero"].get("sourceUrl")


def test_ids_are_stable(ftm_file, tmp_path):
    again = export("ftm", tmp_path / "again.ftm.jsonl")
    assert again.read_bytes() == ftm_file.read_bytes()


# -- the network ----------------------------------------------------------------------------
def test_gexf_opens_in_networkx_with_its_nodes_and_edges(tmp_path, tables):
    nx = pytest.importorskip("networkx")
    out = export("gexf", tmp_path / "cartel-data.gexf")
    g = nx.read_gexf(out)
    assert g.number_of_nodes() == len(tables["persons"]) + len(tables["organizations"])
    kinds = Counter(d["kind"] for _, _, d in g.edges(data=True))
    assert kinds["membership"] == len(tables["memberships"])
    assert kinds["relation"] == len(tables["organization_relations"])
    assert kinds["co-participation"] > 0
    assert g.nodes["per-joaquin-guzman-loera"]["label"] == "Joaquín Archivaldo Guzmán Loera"
    co = [d for _, _, d in g.edges(data=True) if d["kind"] == "co-participation"]
    assert all(d["weight"] == len(d["ref"].split(";")) for d in co)
    assert export("gexf", tmp_path / "again.gexf").read_bytes() == out.read_bytes()


# -- citations ------------------------------------------------------------------------------
def test_citations_match_source_ids_in_every_table(tmp_path, tables):
    out = export("citations", tmp_path / "cartel-data.citations.csv")
    with open(out, encoding="utf-8", newline="") as fh:
        got = {(r["table_name"], r["row_id"], r["source_id"]) for r in csv.DictReader(fh)}
    pkg = Package(ROOT)
    want = set()
    for name, df in tables.items():
        if "source_ids" not in df.columns:
            continue
        key = pkg.resource(name).schema.primary_key[0]
        for rid, ids in zip(df[key], df["source_ids"]):
            want |= {(name, rid, s) for s in ids.split(";")}
    assert got == want
    with open(out, encoding="utf-8", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["url"].startswith("https://") and row["tier"]


def test_sqlite_citation_sources_view(tmp_path):
    import sqlite3

    db = export("sqlite", tmp_path / "x.sqlite")
    con = sqlite3.connect(db)
    n = con.execute("select count(*) from citations").fetchone()[0]
    assert con.execute("select count(*) from citation_sources where url like 'https://%'").fetchone()[0] == n
    con.close()


# -- catalogue metadata ---------------------------------------------------------------------
def test_zenodo_metadata_is_current_and_agrees_with_the_descriptor():
    from cartel_data.catalog import zenodo

    pkg = Package(ROOT)
    z = zenodo(pkg)
    assert json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8")) == z, "run: cartel-data zenodo -o .zenodo.json --force"
    assert z["version"] == pkg.version == cartel_data.__version__
    assert z["license"] == "cc-by-4.0" and z["upload_type"] == "dataset"
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert f"version: {z['version']}" in text


def test_croissant_validates_with_mlcroissant(tmp_path):
    mlc = pytest.importorskip("mlcroissant")
    from cartel_data.catalog import croissant
    from cartel_data.release import package_zip

    pkg = Package(ROOT)
    base = f"cartel-data-{pkg.version}"
    z = tmp_path / f"{base}.zip"
    package_zip(pkg, z, base)
    meta = croissant(pkg, z, base)
    path = tmp_path / "croissant.json"
    path.write_text(json.dumps(meta), encoding="utf-8")
    ds = mlc.Dataset(jsonld=str(path))
    assert not ds.metadata.ctx.issues.errors, ds.metadata.ctx.issues.report()
    names = {rs.name for rs in ds.metadata.record_sets}
    assert names == set(pkg.resource_names)
    persons = next(rs for rs in ds.metadata.record_sets if rs.name == "persons")
    assert {f.name for f in persons.fields} == set(pkg.resource("persons").schema.field_names)
    assert "allegations" in json.dumps(meta)
