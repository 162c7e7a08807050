"""Rules a Table Schema cannot express: across fields of a row and across tables.

Each rule is a function ``rule(ctx) -> iterable of Problem`` registered in :data:`RULES`
with its id. Rules read columns by name and skip silently when a table or column is
absent (its absence is reported by the structure checks).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import numpy as np
import pyarrow.compute as pc

from .. import vector
from ..report import ERROR, WARNING, Problem
from ..schema import TableSchema


@dataclass
class Table:
    schema: TableSchema
    raw: object  # RawTable
    df: object  # pandas DataFrame of text, <NA> for missing


class Context:
    """The tables as pyarrow-backed text, missing cells as ``<NA>``."""

    def __init__(self, tables: dict[str, Table], widened=None):
        from ..dates import Widened

        self.tables = tables
        self._widened = widened if widened is not None else Widened()

    def has(self, table: str, *columns: str) -> bool:
        t = self.tables.get(table)
        return t is not None and all(c in t.df.columns for c in columns)

    def df(self, table: str):
        return self.tables[table].df

    def dates(self, table: str, column: str):
        """The column's partial dates widened (shared with the cell checks)."""
        return self._widened(table, column, self.df(table)[column])

    def problem(self, table: str, row, column: str | None, rule: str, message: str, value=None,
                hint: str | None = None, severity: str = ERROR) -> Problem:
        t = self.tables[table]
        return Problem(rule=rule, message=message, file=t.raw.file, severity=severity,
                       line=t.raw.line_of(int(row)) if row is not None else None,
                       column=column, col=t.raw.col_of(column) if column else None,
                       value=None if value is None else str(value), hint=hint)


RULES: dict[str, callable] = {}


def rule(rule_id: str):
    def deco(fn):
        RULES[rule_id] = fn
        fn.rule_id = rule_id
        return fn
    return deco


#: Dangling references get a "nearest existing ids" hint up to this many per column.
MAX_HINTS = 20


def _nearest(value: str, candidates) -> str | None:
    close = difflib.get_close_matches(value, candidates, n=3, cutoff=0.6)
    return ("nearest existing ids: " + ", ".join(close)) if close else None


def _hints(values, candidates):
    """``_nearest`` for the first :data:`MAX_HINTS` values (difflib is slow on long lists)."""
    pool = None
    for k, value in enumerate(values):
        if k >= MAX_HINTS:
            yield None
            continue
        if pool is None:
            pool = list(candidates.dropna())
        yield _nearest(value, pool)


def _true(mask):
    """A boolean Series with missing values as False."""
    return mask.fillna(False).astype(bool)


# -- cross-table: references -------------------------------------------------
@rule("primary-key")
def primary_key(ctx: Context):
    for name, t in ctx.tables.items():
        pk = list(t.schema.primary_key)
        if len(pk) < 2 or not ctx.has(name, *pk):
            continue  # single-column keys are checked as unique fields
        dup = t.df.duplicated(subset=pk, keep="first") & t.df[pk].notna().all(axis=1)
        for i in dup[dup].index:
            yield ctx.problem(name, i, pk[0], "primary-key", "duplicate primary key", "|".join(map(str, t.df.loc[i, pk])))


@rule("foreign-key")
def foreign_keys(ctx: Context):
    for name, t in ctx.tables.items():
        for fk in t.schema.foreign_keys:
            target = fk.resource or name
            if len(fk.fields) != 1 or not ctx.has(name, fk.fields[0]) or not ctx.has(target, fk.reference_fields[0]):
                continue
            col, rcol = fk.fields[0], fk.reference_fields[0]
            existing = ctx.df(target)[rcol]
            s = t.df[col]
            bad = s.notna() & ~vector.isin(s, existing)
            rows = bad[bad].index
            for i, hint in zip(rows, _hints((s[i] for i in rows), existing)):
                yield ctx.problem(name, i, col, "foreign-key", f"no row in {target} has {rcol} = this value", s[i], hint=hint)


@rule("list-reference")
def list_references(ctx: Context):
    for name, t in ctx.tables.items():
        for f in t.schema.fields:
            if not f.references or not ctx.has(name, f.name):
                continue
            target, rcol = f.references
            if not ctx.has(target, rcol):
                continue
            existing = ctx.df(target)[rcol]
            rows, items = vector.explode_list(t.df[f.name], f.delimiter or ";")
            found = pc.is_in(items, value_set=pc.drop_null(vector.arrow(existing)).cast(items.type))
            bad = np.flatnonzero(~found.to_numpy(zero_copy_only=False) & pc.not_equal(items, "").to_numpy(zero_copy_only=False))
            values = [items[k].as_py() for k in bad]
            for k, v, hint in zip(bad, values, _hints(values, existing)):
                yield ctx.problem(name, t.df.index[rows[k]], f.name, "foreign-key", f"no row in {target} has {rcol} = {v!r}", v,
                                  hint=hint)


@rule("uncited-source")
def uncited_sources(ctx: Context):
    if not ctx.has("sources", "source_id"):
        return
    ids = ctx.df("sources")["source_id"]
    cited = np.zeros(len(ids), dtype=bool)
    for name, t in ctx.tables.items():
        for f in t.schema.fields:
            if f.references == ("sources", "source_id") and f.name in t.df.columns:
                cited |= vector.isin(ids, vector.explode_list(t.df[f.name], f.delimiter or ";")[1]).to_numpy()
    uncited = ids.notna().to_numpy() & ~cited
    for i in ids.index[uncited]:
        yield ctx.problem("sources", i, "source_id", "uncited-source", "no row cites this source", ids[i], severity=WARNING,
                          hint="cite it from the rows it supports, or remove it")


# -- cross-field --------------------------------------------------------------
@rule("date-order")
def date_order(ctx: Context):
    """A date field with ``x-notBefore`` is not before the field it names."""
    pairs = [(name, f.not_before, f.name) for name, t in ctx.tables.items() for f in t.schema.fields if f.not_before]
    for table, start, end in pairs:
        if not ctx.has(table, start, end):
            continue
        a, b = ctx.dates(table, start), ctx.dates(table, end)
        bad = _true(b["latest"] < a["earliest"])
        for i in bad[bad].index:
            yield ctx.problem(table, i, end, "date-order", f"{end} is before {start} ({ctx.df(table)[start][i]})",
                              ctx.df(table)[end][i])


@rule("one-of")
def exactly_one_owner(ctx: Context):
    for table in ("aliases", "event_participants"):
        if not ctx.has(table, "person_id", "organization_id"):
            continue
        df = ctx.df(table)
        n = df["person_id"].notna().astype(int) + df["organization_id"].notna().astype(int)
        for i in n[n != 1].index:
            yield ctx.problem(table, i, "person_id", "one-of",
                              "exactly one of person_id and organization_id must be set" + (" (both are)" if n[i] == 2 else " (neither is)"))


@rule("sentence-status")
def sentence_status(ctx: Context):
    if not ctx.has("sentences", "status", "status_date", "life", "term_years", "fine_amount", "fine_currency"):
        return
    df = ctx.df("sentences")
    needs = _true(df["status"].isin(["overturned", "reduced", "commuted", "reinstated"])) & df["status_date"].isna()
    for i in needs[needs].index:
        yield ctx.problem("sentences", i, "status_date", "sentence-status",
                          f"a sentence whose status is {df['status'][i]} needs the date that happened in status_date")
    both = _true(df["life"] == "true") & (df["term_years"].notna() | df["term_months"].notna())
    for i in both[both].index:
        yield ctx.problem("sentences", i, "life", "sentence-term", "a life sentence cannot also have a term in years or months")
    lone = df["fine_amount"].notna() != df["fine_currency"].notna()
    for i in lone[lone].index:
        yield ctx.problem("sentences", i, "fine_currency", "fine-currency", "fine_amount and fine_currency go together")


@rule("transfer-countries")
def transfer_countries(ctx: Context):
    if not ctx.has("extraditions", "from_country", "to_country"):
        return
    df = ctx.df("extraditions")
    same = _true(df["from_country"] == df["to_country"])
    for i in same[same].index:
        yield ctx.problem("extraditions", i, "to_country", "transfer-countries", "from_country and to_country are the same",
                          df["to_country"][i])


@rule("batch-membership")
def batch_membership(ctx: Context):
    """A transfer row that names a batch event must have its person listed as a participant of that event."""
    import pandas as pd

    if not (ctx.has("extraditions", "person_id", "batch_event_id") and ctx.has("event_participants", "event_id", "person_id")
            and ctx.has("events", "event_id", "event_type")):
        return
    ex = ctx.df("extraditions")
    ex = ex[ex["batch_event_id"].notna() & ex["person_id"].notna()]
    types = ctx.df("events").set_index("event_id")["event_type"]
    types = types[~types.index.duplicated()]
    etype = ex["batch_event_id"].map(types)
    pairs = pd.MultiIndex.from_frame(ctx.df("event_participants")[["event_id", "person_id"]].dropna())
    listed = pd.MultiIndex.from_arrays([ex["batch_event_id"], ex["person_id"]]).isin(pairs)
    for i in ex.index[_true(etype.notna() & (etype != "transfer")).to_numpy()]:
        yield ctx.problem("extraditions", i, "batch_event_id", "batch-membership",
                          f"the batch event is of type {etype[i]!r}, not 'transfer'", ex["batch_event_id"][i])
    for i in ex.index[(_true(etype == "transfer").to_numpy() & ~listed)]:
        yield ctx.problem("extraditions", i, "batch_event_id", "batch-membership",
                          f"{ex['person_id'][i]} is not listed in event_participants for {ex['batch_event_id'][i]}",
                          ex["batch_event_id"][i], hint="add an event_participants row with role transferred")


@rule("lifespan")
def lifespan(ctx: Context):
    """Everything dated that involves a person falls between their birth and death.

    A victim may appear in events after their death (trials for their killing)."""
    import pandas as pd

    if not ctx.has("persons", "person_id", "birth_date", "death_date"):
        return
    p = ctx.df("persons")
    bounds = pd.DataFrame({"person_id": p["person_id"], "birth": ctx.dates("persons", "birth_date")["earliest"],
                           "death": ctx.dates("persons", "death_date")["latest"],
                           "btext": p["birth_date"], "dtext": p["death_date"]})
    bounds = bounds[bounds["birth"].notna() | bounds["death"].notna()].drop_duplicates("person_id")
    if bounds.empty:
        return
    frames = []
    if ctx.has("event_participants", "event_id", "person_id", "role") and ctx.has("events", "event_id", "date"):
        ev = ctx.df("events")
        when = pd.DataFrame({"event_id": ev["event_id"], "lo": ctx.dates("events", "date")["earliest"],
                             "hi": ctx.dates("events", "date")["latest"], "text": ev["date"]}).drop_duplicates("event_id")
        par = ctx.df("event_participants")
        f = pd.DataFrame({"row": par.index, "person_id": par["person_id"], "event_id": par["event_id"],
                          "victim": _true(par["role"] == "victim")}).merge(when, on="event_id")
        f["table"], f["col"] = "event_participants", "event_id"
        frames.append(f)
    for table, col in (("sentences", "date"), ("extraditions", "date"), ("memberships", "start_date")):
        if ctx.has(table, "person_id", col):
            df, d = ctx.df(table), ctx.dates(table, col)
            frames.append(pd.DataFrame({"row": df.index, "person_id": df["person_id"], "lo": d["earliest"], "hi": d["latest"],
                                        "text": df[col], "victim": False, "table": table, "col": col}))
    allrows = pd.concat(frames, ignore_index=True).merge(bounds, on="person_id")
    before = allrows["hi"].notna() & allrows["birth"].notna() & (allrows["hi"] < allrows["birth"])
    after = ~allrows["victim"].astype(bool) & allrows["lo"].notna() & allrows["death"].notna() & (allrows["lo"] > allrows["death"])
    for r in allrows[before].itertuples():
        yield ctx.problem(r.table, r.row, r.col, "lifespan", f"dated {r.text}, before {r.person_id} was born ({r.btext})", r.text)
    for r in allrows[after].itertuples():
        yield ctx.problem(r.table, r.row, r.col, "lifespan", f"dated {r.text}, after {r.person_id} died ({r.dtext})", r.text)


CONVICTED = re.compile(r"\b(?:convicted|sentenced|condenado|sentenciado)\b", re.IGNORECASE)


@rule("convicted-has-sentence")
def convicted_has_sentence(ctx: Context):
    """A person described as convicted or sentenced has a row in sentences."""
    if not ctx.has("persons", "person_id", "description") or not ctx.has("sentences", "person_id"):
        return
    sentenced = ctx.df("sentences")["person_id"]
    for table, col, what in (("persons", "description", "description"), ("memberships", "notes", "membership note")):
        if not ctx.has(table, "person_id", col):
            continue
        df = ctx.df(table)
        hit = vector.contains(df[col], CONVICTED.pattern, ignore_case=True) & ~vector.isin(df["person_id"], sentenced)
        for i in df.index[hit.to_numpy()]:
            yield ctx.problem(table, i, col, "convicted-has-sentence",
                              f"the {what} says the person was convicted or sentenced, but sentences has no row for them",
                              df["person_id"][i], hint="add the sentence with its source, or reword the text")


FORMULA_START = "=+-@"


@rule("formula-like")
def formula_like(ctx: Context):
    """Text cells that spreadsheets would run as formulas (exports neutralise them)."""
    for name, t in ctx.tables.items():
        for f in t.schema.fields:
            if f.type != "string" or f.name not in t.df.columns:
                continue
            s = t.df[f.name]
            hit = vector.startswith_any(s, FORMULA_START)
            for i in hit[hit].index:
                yield ctx.problem(name, i, f.name, "formula-like",
                                  "text starts with =, +, - or @, which spreadsheets may run as a formula", s[i], severity=WARNING,
                                  hint="reword so the cell does not start with that character")


def run_all(ctx: Context):
    out = []
    for rule_id, fn in RULES.items():
        try:
            out.extend(fn(ctx))
        except Exception as exc:  # a rule must never turn bad data into a traceback
            out.append(Problem(rule=rule_id, message=f"the {rule_id} check could not finish: {type(exc).__name__}: {exc}",
                               file="datapackage.json"))
    return out
