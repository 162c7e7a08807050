"""Invariants of the shipped data itself: nothing is silently lost, and the facts hang together."""

from __future__ import annotations

import pytest

import cartel_data

#: Minimum rows per table. Raise these when data is added; a drop means rows were lost.
MIN_ROWS = {
    "sources": 1300,
    "persons": 200,
    "organizations": 95,
    "organization_relations": 60,
    "aliases": 380,
    "memberships": 210,
    "events": 480,
    "event_participants": 1090,
    "sentences": 65,
    "extraditions": 150,
}

#: Transfers of many prisoners at once: the count the sources report, how many of those people
#: no public source we could read names yet, and the legal mechanism the sources give
#: (see CHANGELOG / README).
BATCHES = {
    "evt-2007-01-19-mass-extradition": (15, 10, "extradition_treaty"),
    "evt-2008-12-31-mass-extradition": (10, 0, "extradition_treaty"),
    "evt-2015-09-30-mass-extradition": (13, 3, "extradition_treaty"),
    "evt-2019-12-mass-extradition": (7, 0, "extradition_treaty"),
    "evt-2020-01-fgr-extradition-eight-toluca": (8, 2, "extradition_treaty"),
    "evt-2020-01-fgr-extradition-hidalgo-arguello-group": (6, 1, "extradition_treaty"),
    "evt-2025-02-27-mass-transfer": (29, 5, "expulsion_national_security"),
    "evt-2025-08-12-mass-transfer": (26, 0, "expulsion_national_security"),
    "evt-2026-01-20-mass-transfer": (37, 9, "expulsion_national_security"),
}


@pytest.fixture(scope="module")
def t():
    return cartel_data.load_all()


def test_minimum_row_counts(t):
    for name, n in MIN_ROWS.items():
        assert len(t[name]) >= n, f"{name} has {len(t[name])} rows, expected at least {n}"


@pytest.mark.parametrize("event_id", sorted(BATCHES))
def test_transfer_batches(t, event_id):
    reported, unidentified, mechanism = BATCHES[event_id]
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
    # 2025-2026: the sources report that Mexico used its National Security Law, not the extradition treaty
    assert (rows["mechanism"] == mechanism).all()
    # a transfer row is dated within the batch's date (as precise as its own source, never less)
    assert (rows["date_earliest"] >= ev["date_earliest"]).all() and (rows["date_latest"] <= ev["date_latest"]).all()


def test_every_batch_is_listed_here(t):
    assert set(t["extraditions"]["batch_event_id"].dropna()) == set(BATCHES)


def test_the_rules_these_invariants_rely_on_are_in_the_validator():
    """Lifespans, disputed notes, sentence status and citations are validator rules (so
    `validate --strict` and CI agree); the shipped package passes them."""
    from cartel_data.catalogue import RULES

    assert {"lifespan", "disputed-notes", "sentence-status", "foreign-key"} <= set(RULES)
    report = cartel_data.validate(strict=True)
    assert not [p for p in report.problems if p.rule in ("lifespan", "disputed-notes", "sentence-status", "foreign-key")]


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
