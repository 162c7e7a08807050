"""Invariants of the shipped data itself: nothing is silently lost, and the facts hang together."""

from __future__ import annotations

import pytest

import cartel_data

#: Minimum rows per table. Raise these when data is added; a drop means rows were lost.
MIN_ROWS = {
    "sources": 420,
    "persons": 85,
    "organizations": 60,
    "aliases": 175,
    "memberships": 90,
    "events": 100,
    "event_participants": 320,
    "sentences": 11,
    "extraditions": 77,
}

#: The mass transfers from Mexico to the United States, with the count the sources report and
#: how many of those people no public source we could read names yet (see CHANGELOG / README).
BATCHES = {
    "evt-2025-02-27-mass-transfer": (29, 5),
    "evt-2025-08-12-mass-transfer": (26, 0),
    "evt-2026-01-20-mass-transfer": (37, 11),
}


@pytest.fixture(scope="module")
def t():
    return cartel_data.load_all()


def test_minimum_row_counts(t):
    for name, n in MIN_ROWS.items():
        assert len(t[name]) >= n, f"{name} has {len(t[name])} rows, expected at least {n}"


@pytest.mark.parametrize("event_id", sorted(BATCHES))
def test_transfer_batches(t, event_id):
    reported, unidentified = BATCHES[event_id]
    ev = t["events"].set_index("event_id").loc[event_id]
    assert ev["event_type"] == "transfer" and ev["reported_count"] == reported
    par = t["event_participants"]
    people = set(par[(par["event_id"] == event_id) & (par["role"] == "transferred")]["person_id"])
    assert len(people) == reported - unidentified
    ex = t["extraditions"]
    rows = ex[ex["batch_event_id"] == event_id]
    assert set(rows["person_id"]) == people, "everyone in a batch has exactly one extraditions row"
    assert not rows["person_id"].duplicated().any()
    assert (rows["from_country"] == "MX").all() and (rows["to_country"] == "US").all()
    # the sources report that Mexico used its National Security Law, not the extradition treaty
    assert (rows["mechanism"] == "expulsion_national_security").all()
    assert (rows["date"] == ev["date"]).all()


def test_no_activity_after_death(t):
    p = t["persons"].set_index("person_id")
    dead = p[p["death_date"].notna()]
    par = t["event_participants"].merge(t["events"][["event_id", "date_earliest"]], on="event_id")
    acting = par[par["person_id"].isin(dead.index) & (par["role"] != "victim")]
    late = acting[acting["date_earliest"] > acting["person_id"].map(dead["death_date_latest"])]
    assert late.empty, late[["event_id", "person_id"]]
    for table in ("sentences", "extraditions"):
        df = t[table]
        df = df[df["person_id"].isin(dead.index) & df["date_earliest"].notna()]
        assert (df["date_earliest"] <= df["person_id"].map(dead["death_date_latest"])).all(), table


def test_every_row_cites_an_existing_source(t):
    known = set(t["sources"]["source_id"])
    for name, df in t.items():
        if "source_ids" in df.columns:
            cited = df["source_ids"].str.split(";").explode()
            assert cited.notna().all() and cited.isin(known).all(), name


def test_disputed_rows_explain_themselves(t):
    for name, df in t.items():
        if "disputed" in df.columns and "notes" in df.columns:
            bad = df[df["disputed"].fillna(False) & df["notes"].isna()]
            assert bad.empty, f"{name}: disputed rows without notes: {list(bad.iloc[:, 0])}"


def test_sentences_that_changed_say_when(t):
    s = t["sentences"]
    changed = s[s["status"].isin(["overturned", "reduced", "commuted", "reinstated"])]
    assert changed["status_date"].notna().all()


def test_seed_people_are_present(t):
    ids = set(t["persons"]["person_id"])
    for pid in ("per-rafael-caro-quintero", "per-miguel-angel-felix-gallardo", "per-ernesto-fonseca-carrillo",
                "per-enrique-camarena-salazar", "per-alfredo-zavala-avelar", "per-miguel-angel-trevino-morales",
                "per-omar-trevino-morales", "per-amado-carrillo-fuentes", "per-guillermo-gonzalez-calderoni",
                "per-vicente-carrillo-fuentes"):
        assert pid in ids, pid


def test_readme_coverage_counts_are_current(t):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- coverage:start -->")[1].split("<!-- coverage:end -->")[0]
    counts = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\| (\w+) \| (\d+) \|$", block, flags=re.M)}
    assert counts == {name: len(df) for name, df in t.items()}, "update the coverage table in README.md"
