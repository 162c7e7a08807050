"""The Python API: load, load_all, validate, version."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import cartel_data
from cartel_data.package import Package

ROOT = Path(__file__).resolve().parent.parent


def test_version_is_defined_once_and_agrees():
    from importlib.metadata import version

    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"]
    assert cartel_data.__version__ == descriptor
    assert version("cartel-data") == descriptor


def test_load_dtypes_follow_schema():
    events = cartel_data.load("events")
    assert events["event_id"].dtype == "string"
    assert isinstance(events["event_type"].dtype, pd.CategoricalDtype)
    assert list(events["event_type"].cat.categories)[:3] == ["kidnapping", "killing", "arrest"]
    assert events["disputed"].dtype == "boolean"
    sentences = cartel_data.load("sentences")
    assert str(sentences["term_years"].dtype) == "Int64"
    sources = cartel_data.load("sources")
    assert str(sources["accessed"].dtype).startswith("datetime64")


def test_partial_dates_are_never_made_more_precise():
    events = cartel_data.load("events")
    for col in ("date", "date_earliest", "date_latest", "date_precision"):
        assert col in events.columns
    assert events["date"].dtype == "string"
    for _, r in events.iterrows():
        text = r["date"]
        assert r["date_precision"] == {4: "year", 7: "month", 10: "day"}[len(text)]
        assert r["date_earliest"].strftime("%Y-%m-%d").startswith(text)
        assert r["date_latest"].strftime("%Y-%m-%d").startswith(text)
        assert r["date_earliest"] <= r["date_latest"]


def test_ids_are_read_as_text_not_numbers(tmp_path):
    # a column of digit-only values must stay text
    persons = cartel_data.load("persons")
    assert persons["person_id"].dtype == "string"
    assert persons["birth_date"].dtype == "string"


def test_load_all_has_every_table():
    frames = cartel_data.load_all()
    assert list(frames) == cartel_data.tables()
    assert all(len(df) > 0 for df in frames.values())


def test_load_from_another_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert len(cartel_data.load("persons")) > 0


def test_load_unknown_table():
    with pytest.raises(KeyError, match="no table named"):
        cartel_data.load("people")


def test_validate_returns_report():
    report = cartel_data.validate(ROOT)
    assert report.valid and report.exit_code == 0
    assert set(report.tables) == set(Package(ROOT).resource_names)


def test_frictionless_agrees_the_package_is_valid():
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(ROOT / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]


def test_every_field_is_described_and_every_table_keyed():
    pkg = Package(ROOT)
    for name, res in pkg.resources.items():
        assert res.schema.primary_key, name
        for f in res.schema.fields:
            assert f.description, f"{name}.{f.name}"
            assert f.type in {"string", "integer", "number", "boolean", "date", "list"}
