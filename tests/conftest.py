"""Shared fixtures: a scratch copy of the real package that a test may break on purpose."""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


class PackageCopy:
    """A copy of the repository's data package in a temporary folder, with helpers to
    break it one cell, line or byte at a time."""

    def __init__(self, root: Path, source: Path = ROOT):
        self.root = root
        shutil.copy(source / "datapackage.json", root / "datapackage.json")
        shutil.copytree(source / "data", root / "data")
        shutil.copytree(source / "schemas", root / "schemas")

    def csv(self, table: str) -> Path:
        return self.root / "data" / f"{table}.csv"

    def rows(self, table: str) -> list[dict]:
        with open(self.csv(table), encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    def line_of(self, table: str, index: int) -> int:
        """Editor line on which data row ``index`` starts (header = line 1)."""
        with open(self.csv(table), encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            prev = 0
            for i, _row in enumerate(reader):
                if i == index + 1:
                    return prev + 1
                prev = reader.line_num
        raise IndexError(index)

    def write_rows(self, table: str, rows: list[dict]) -> None:
        with open(self.csv(table), encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        self.csv(table).write_text(buf.getvalue(), encoding="utf-8", newline="")

    def set_cell(self, table: str, column: str, value: str, index: int = 0) -> int:
        """Set one cell; returns the editor line of the changed row."""
        rows = self.rows(table)
        rows[index][column] = value
        self.write_rows(table, rows)
        return self.line_of(table, index)

    def append_row(self, table: str, row: dict) -> int:
        rows = self.rows(table)
        rows.append(row)
        self.write_rows(table, rows)
        return self.line_of(table, len(rows) - 1)

    def index_where(self, table: str, column: str, value: str) -> int:
        for i, r in enumerate(self.rows(table)):
            if r[column] == value:
                return i
        raise LookupError(f"no row of {table} with {column}={value!r}")


def small_package(dest: Path, persons: int = 30) -> Path:
    """A valid excerpt of the real package at ``dest``: the first ``persons`` people, every
    organization, and exactly the rows and sources their facts need (the schemas' foreign
    keys followed until nothing more is dropped). For tests whose cost grows with the rows."""
    import json

    desc = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    schemas = {r["name"]: json.loads((ROOT / r["schema"]).read_text(encoding="utf-8")) for r in desc["resources"]}
    rows = {}
    for name in schemas:
        with open(ROOT / "data" / f"{name}.csv", encoding="utf-8", newline="") as fh:
            rows[name] = list(csv.DictReader(fh))
    keys = {n: s["primaryKey"] if isinstance(s["primaryKey"], str) else s["primaryKey"][0] for n, s in schemas.items()}
    # the first people, and everyone with a fine or forfeiture (so every column has values)
    monied = {r["person_id"] for r in rows["sentences"] if r["fine_amount"] or r["forfeiture_amount"]}
    rows["persons"] = [r for i, r in enumerate(rows["persons"]) if i < persons or r["person_id"] in monied]
    people = {r["person_id"] for r in rows["persons"]}
    # the events the kept people take part in, or that their sentences and transfers name
    events = {r["event_id"] for r in rows["event_participants"] if r["person_id"] in people}
    events |= {r[c] for t, c in (("sentences", "event_id"), ("extraditions", "batch_event_id"))
               for r in rows[t] if r["person_id"] in people and r[c]}
    rows["events"] = [r for r in rows["events"] if r["event_id"] in events]
    rows["event_participants"] = [r for r in rows["event_participants"] if r["event_id"] in events]
    while True:
        kept = {n: {r[keys[n]] for r in rs} for n, rs in rows.items()}
        before = sum(map(len, rows.values()))
        for name, s in schemas.items():
            for fk in s.get("foreignKeys", []):
                fields = [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]
                target = fk["reference"]["resource"] or name
                rows[name] = [r for r in rows[name] if not r[fields[0]] or r[fields[0]] in kept[target]]
        if sum(map(len, rows.values())) == before:
            break
    cited = {x for n, rs in rows.items() if n != "sources" for r in rs for x in r["source_ids"].split(";")}
    rows["sources"] = [r for r in rows["sources"] if r["source_id"] in cited]
    (dest / "data").mkdir(parents=True)
    shutil.copy(ROOT / "datapackage.json", dest / "datapackage.json")
    shutil.copytree(ROOT / "schemas", dest / "schemas")
    for name, rs in rows.items():
        with open(ROOT / "data" / f"{name}.csv", encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        with open(dest / "data" / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
            w.writeheader()
            w.writerows(rs)
    return dest


_SMALL: list[Path] = []


def small_root() -> Path:
    """:func:`small_package` built once per process (removed at exit)."""
    if not _SMALL:
        import atexit
        import tempfile

        d = Path(tempfile.mkdtemp(prefix="cartel-small-"))
        atexit.register(shutil.rmtree, d, True)
        _SMALL.append(small_package(d / "pkg"))
    return _SMALL[0]


@pytest.fixture
def pkg(tmp_path) -> PackageCopy:
    return PackageCopy(tmp_path)


def json_records(t) -> list[str]:
    """The JSON text of each row of ``t`` (a TableRows), as the JSON writers lay it out."""
    from cartel_data.export.json_ import write_records

    buf = io.BytesIO()
    write_records(buf, t, "", "\n")
    return buf.getvalue().decode("utf-8").split("\n")[:-1]


def problems_for(report, rule: str):
    return [p for p in report.problems if p.rule == rule]


def fuzz(default_examples: int, long_above: int | None = None):
    """Hypothesis settings for the property tests, steered by the environment:

    ``CARTEL_FUZZ_EXAMPLES`` examples per test (default ``default_examples``); above
    ``long_above`` the run is a long one. ``CARTEL_FUZZ_SEED``: an integer seed, or ``random``.
    Without a seed, a default-sized run is derandomised (the same examples every time) and
    does not shrink failures unless ``CARTEL_FUZZ_SHRINK=1``; long or seeded runs are
    random and shrink."""
    from hypothesis import HealthCheck, Phase, seed, settings

    env_n = os.environ.get("CARTEL_FUZZ_EXAMPLES")
    env_seed = os.environ.get("CARTEL_FUZZ_SEED", "").strip()
    n = int(env_n) if env_n else default_examples
    derandomize = not env_seed and n <= (long_above if long_above is not None else default_examples)
    shrink = os.environ.get("CARTEL_FUZZ_SHRINK", "0" if derandomize else "1").strip() not in ("0", "no", "false", "")

    def deco(fn):
        fn = settings(
            max_examples=n,
            deadline=None,
            derandomize=derandomize,
            database=None if derandomize else settings.default.database,
            print_blob=True,
            phases=list(Phase) if shrink else [p for p in Phase if p != Phase.shrink],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                   HealthCheck.data_too_large, HealthCheck.filter_too_much],
        )(fn)
        if env_seed and env_seed != "random":
            fn = seed(int(env_seed))(fn)
        return fn
    return deco


def pytest_collection_modifyitems(config, items):
    """Hand out the long property tests first, so that parallel workers finish together
    instead of one starting a minute-long test when the others are done."""
    items.sort(key=lambda item: item.get_closest_marker("fuzz") is None)
