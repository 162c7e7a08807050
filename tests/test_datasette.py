"""The SQLite export served by a real Datasette on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from cartel_data.api import export
from cartel_data.export.sqlite import datasette_metadata
from cartel_data.records import read_package


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_datasette_serves_the_export(tmp_path):
    pytest.importorskip("datasette")
    db = export("sqlite", tmp_path / "cartel-data.sqlite")
    pkg, data = read_package(None)
    meta = tmp_path / "metadata.json"
    meta.write_text(json.dumps(datasette_metadata(pkg, data, database="cartel-data")), encoding="utf-8")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(db), "--host", "127.0.0.1",
                             "--port", str(port), "--metadata", str(meta)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("datasette did not start: " + (proc.stdout.read().decode() if proc.poll() is not None else "timeout"))
                time.sleep(0.3)
        url = base + "/cartel-data/persons.json?_shape=array&person_id=per-rafael-caro-quintero"
        rows = json.loads(urllib.request.urlopen(url, timeout=10).read())
        assert rows and rows[0]["name"] == "Rafael Caro Quintero"
        sql = "select entity_id from names_fts where names_fts match 'felix gallardo'"
        q = base + "/cartel-data.json?_shape=array&sql=" + urllib.parse.quote(sql)
        hits = json.loads(urllib.request.urlopen(q, timeout=10).read())
        assert {"entity_id": "per-miguel-angel-felix-gallardo"} in hits
        md = json.loads(urllib.request.urlopen(base + "/-/metadata.json", timeout=10).read())
        assert md["databases"]["cartel-data"]["tables"]["persons"]["columns"]["person_id"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
