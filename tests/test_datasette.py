"""The SQLite export served by a real Datasette on 127.0.0.1, the way the README says:
``datasette cartel-data.sqlite -m cartel-data.datasette.json``."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from cartel_data.cli import cli


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=15) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, ""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    pytest.importorskip("datasette")
    d = tmp_path_factory.mktemp("ds")
    for fmt, name in (("sqlite", "cartel-data.sqlite"), ("datasette", "cartel-data.datasette.json")):
        r = CliRunner().invoke(cli, ["export", "--format", fmt, "-o", str(d / name)])
        assert r.exit_code == 0, r.output
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "datasette", "serve", "cartel-data.sqlite", "-m", "cartel-data.datasette.json",
                             "--host", "127.0.0.1", "--port", str(port)], cwd=d, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                out = proc.stdout.read().decode() if proc.poll() is not None else "timeout"
                proc.kill()
                pytest.fail("datasette did not start: " + out)
            time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def test_rows_and_the_name_index(served):
    rows = json.loads(_get(served + "/cartel-data/persons.json?_shape=array&person_id=per-rafael-caro-quintero")[1])
    assert rows and rows[0]["name"] == "Rafael Caro Quintero"
    sql = "select entity_id from names_fts where names_fts match 'felix gallardo'"
    hits = json.loads(_get(served + "/cartel-data.json?_shape=array&sql=" + urllib.parse.quote(sql))[1])
    assert {"entity_id": "per-miguel-angel-felix-gallardo"} in hits


def test_table_and_column_descriptions_are_shown(served):
    status, html = _get(served + "/cartel-data/persons")
    assert status == 200
    assert "Every person" in html or "person" in html.lower()
    from cartel_data.package import Package

    desc = Package().resource("persons").schema.description
    assert desc.split(".")[0] in html, "the table description is on the page"
    md = json.loads(_get(served + "/-/metadata.json")[1])
    assert md["databases"]["cartel-data"]["tables"]["persons"]["columns"]["person_id"]


def test_foreign_key_links_lead_to_real_pages(served):
    status, html = _get(served + "/cartel-data/memberships?_size=5")
    assert status == 200
    links = re.findall(r'href="(/cartel-data/(?:persons|organizations)/[^"]+)"', html)
    assert links, "the foreign-key columns are links"
    for link in links[:4]:
        assert _get(served + link)[0] == 200, link


def test_table_search_finds_a_person_by_alias(served):
    rows = json.loads(_get(served + "/cartel-data/persons.json?_shape=array&_search=chapo")[1])
    assert "per-joaquin-guzman-loera" in {r["person_id"] for r in rows}
    status, html = _get(served + "/cartel-data/organizations?_search=zetas")
    assert status == 200 and "org-los-zetas" in html


def test_a_rows_citations_link_to_its_sources(served):
    status, html = _get(served + "/cartel-data/persons/per-rafael-caro-quintero")
    assert status == 200
    assert "citations" in html and "person_id" in html, "the row page links to its citations"
    rows = json.loads(_get(served + "/cartel-data/citations.json?_shape=array&person_id=per-rafael-caro-quintero")[1])
    assert rows
    sid = rows[0]["source_id"]
    assert _get(served + "/cartel-data/sources/" + urllib.parse.quote(sid))[0] == 200


def test_labels_and_facets(served):
    status, html = _get(served + "/cartel-data/events")
    assert status == 200 and "event_type" in html and "facet" in html.lower()
