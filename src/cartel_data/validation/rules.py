"""Rules across fields, rows and tables.

Each rule is a function ``rule(ctx) -> iterable of Problem`` registered in :data:`RULES`
under its catalogued id, and reports problems of that id only. Rules read columns by name
and skip silently when a table or column is absent (its absence is reported by the
structure checks). Columns are pyarrow string arrays; masks are numpy.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np

from .. import vector as v
from ..catalogue import RULES as CATALOGUE
from ..catalogue import SECONDARY_TIERS
from ..catalogue import problem
from ..schema import TableSchema


@dataclass
class Table:
    schema: TableSchema
    raw: object  # RawTable


class Context:
    """The tables being validated, their text columns and their widened dates."""

    def __init__(self, tables: dict[str, Table], widened=None):
        from ..dates import Widened

        self.tables = tables
        self._widened = widened if widened is not None else Widened()

    def has(self, table: str, *columns: str) -> bool:
        t = self.tables.get(table)
        return t is not None and t.raw.table is not None and all(c in t.raw.table.column_names for c in columns)

    def col(self, table: str, column: str):
        return self.tables[table].raw.column(column)

    def n(self, table: str) -> int:
        return self.tables[table].raw.n_rows

    def dates(self, table: str, column: str):
        """The column's partial dates widened (shared with the cell checks)."""
        return self._widened(table, column, self.col(table, column))

    def text(self, table: str, column: str, row) -> str | None:
        return self.col(table, column)[int(row)].as_py()

    def problem(self, table: str, row, column: str | None, rule: str, message: str | None = None, value=None,
                hint: str | None = None, severity: str | None = None):
        raw = self.tables[table].raw
        return problem(rule, message, file=raw.file, severity=severity, hint=hint,
                       line=raw.line_of(int(row)) if row is not None else None,
                       column=column, col=raw.col_of(column) if column else None,
                       value=None if value is None else str(value))


RULES: dict[str, callable] = {}


def rule(rule_id: str):
    assert rule_id in CATALOGUE and CATALOGUE[rule_id].layer == "table", rule_id

    def deco(fn):
        RULES[rule_id] = fn
        fn.rule_id = rule_id
        return fn
    return deco


#: Dangling references get a "nearest existing ids" hint up to this many per column.
MAX_HINTS = 20


def _hints(values, candidates):
    """A "nearest existing ids" hint for the first :data:`MAX_HINTS` values (difflib is slow)."""
    pool = None
    for k, value in enumerate(values):
        if k >= MAX_HINTS:
            yield None
            continue
        if pool is None:
            pool = [c for c in v.arrow(candidates).to_pylist() if c is not None]
        close = difflib.get_close_matches(value, pool, n=3, cutoff=0.6)
        yield ("nearest existing ids: " + ", ".join(close)) if close else None


def _rows(m) -> np.ndarray:
    return np.flatnonzero(m)


def _is_true(ctx: Context, table: str, column: str) -> np.ndarray:
    f = ctx.tables[table].schema.by_name.get(column)
    values = list(f.true_values) if f is not None else ["true"]
    return v.isin(ctx.col(table, column), values) & v.arrow(ctx.col(table, column)).is_valid().to_numpy(zero_copy_only=False)


def _present(ctx: Context, table: str, column: str) -> np.ndarray:
    return ctx.col(table, column).is_valid().to_numpy(zero_copy_only=False)


# -- references -----------------------------------------------------------------------------
@rule("primary-key")
def primary_key(ctx: Context):
    for name, t in ctx.tables.items():
        pk = list(t.schema.primary_key)
        if len(pk) < 2 or not ctx.has(name, *pk):
            continue  # single-column keys are checked as unique fields
        key = v.joined([ctx.col(name, k) for k in pk], "|")
        for i in _rows(v.duplicated(key, keep_first=True)):
            yield ctx.problem(name, i, pk[0], "primary-key", "duplicate primary key", key[int(i)].as_py())


@rule("foreign-key")
def foreign_keys(ctx: Context):
    """Every single-field foreign key and every item of a list field with ``x-references``
    names an existing row."""
    yield from _single_references(ctx)
    yield from _list_references(ctx)


def _single_references(ctx: Context):
    for name, t in ctx.tables.items():
        for fk in t.schema.foreign_keys:
            target = fk.resource or name
            if len(fk.fields) != 1 or not ctx.has(name, fk.fields[0]) or not ctx.has(target, fk.reference_fields[0]):
                continue
            c, rc = fk.fields[0], fk.reference_fields[0]
            s, existing = ctx.col(name, c), ctx.col(target, rc)
            rows = _rows(_present(ctx, name, c) & ~v.isin(s, existing))
            values = [s[int(i)].as_py() for i in rows]
            for i, value, hint in zip(rows, values, _hints(values, existing)):
                yield ctx.problem(name, i, c, "foreign-key", f"no row in {target} has {rc} = this value", value, hint=hint)


def _list_references(ctx: Context):
    import pyarrow.compute as pc

    for name, t in ctx.tables.items():
        for f in t.schema.fields:
            if not f.references or not ctx.has(name, f.name) or not ctx.has(*f.references):
                continue
            target, rcol = f.references
            existing = ctx.col(target, rcol)
            rows, items = v.explode_list(ctx.col(name, f.name), f.delimiter)
            bad = _rows(~v.isin(items, existing) & v.mask(pc.not_equal(items, ""), False))
            values = [items[int(k)].as_py() for k in bad]
            for k, value, hint in zip(bad, values, _hints(values, existing)):
                yield ctx.problem(name, rows[k], f.name, "foreign-key", f"no row in {target} has {rcol} = {value!r}", value,
                                  hint=hint)


@rule("uncited-source")
def uncited_sources(ctx: Context):
    if not ctx.has("sources", "source_id"):
        return
    ids = ctx.col("sources", "source_id")
    cited = np.zeros(len(ids), dtype=bool)
    for name, t in ctx.tables.items():
        for f in t.schema.fields:
            if f.references == ("sources", "source_id"):
                if not ctx.has(name, f.name):
                    return  # a citing table could not be read: which sources it cites is unknown
                cited |= v.isin(ids, v.explode_list(ctx.col(name, f.name), f.delimiter)[1])
    for i in _rows(_present(ctx, "sources", "source_id") & ~cited):
        yield ctx.problem("sources", i, "source_id", "uncited-source", "no row cites this source", ids[int(i)].as_py())


# -- within a row ---------------------------------------------------------------------------
@rule("date-order")
def date_order(ctx: Context):
    """A date field with ``x-notBefore`` is not before the field it names."""
    for table, t in ctx.tables.items():
        for f in t.schema.fields:
            if not f.not_before or not ctx.has(table, f.not_before, f.name):
                continue
            a, b = ctx.dates(table, f.not_before), ctx.dates(table, f.name)
            for i in _rows(b.latest < a.earliest):
                yield ctx.problem(table, i, f.name, "date-order",
                                  f"{f.name} is before {f.not_before} ({ctx.text(table, f.not_before, i)})",
                                  ctx.text(table, f.name, i))


@rule("one-of")
def exactly_one_owner(ctx: Context):
    for table in ("aliases", "event_participants"):
        if not ctx.has(table, "person_id", "organization_id"):
            continue
        n = _present(ctx, table, "person_id").astype(int) + _present(ctx, table, "organization_id").astype(int)
        for i in _rows(n != 1):
            yield ctx.problem(table, i, "person_id", "one-of",
                              "exactly one of person_id and organization_id must be set" + (" (both are)" if n[i] == 2 else " (neither is)"))


@rule("disputed-notes")
def disputed_notes(ctx: Context):
    for table in ctx.tables:
        if ctx.has(table, "disputed", "notes"):
            for i in _rows(_is_true(ctx, table, "disputed") & ~_present(ctx, table, "notes")):
                yield ctx.problem(table, i, "notes", "disputed-notes", "the row is marked disputed but its notes are empty")


@rule("self-relation")
def self_relation(ctx: Context):
    if ctx.has("organization_relations", "organization_id", "related_organization_id"):
        a, b = ctx.col("organization_relations", "organization_id"), ctx.col("organization_relations", "related_organization_id")
        import pyarrow.compute as pc

        for i in _rows(v.mask(pc.equal(a, b), False)):
            yield ctx.problem("organization_relations", i, "related_organization_id", "self-relation",
                              "an organization cannot be related to itself", b[int(i)].as_py())


# -- sentences and transfers ----------------------------------------------------------------
@rule("sentence-status")
def sentence_status(ctx: Context):
    if ctx.has("sentences", "status", "status_date"):
        changed = v.isin(ctx.col("sentences", "status"), ["overturned", "reduced", "commuted", "reinstated"])
        for i in _rows(changed & ~_present(ctx, "sentences", "status_date")):
            yield ctx.problem("sentences", i, "status_date", "sentence-status",
                              f"a sentence whose status is {ctx.text('sentences', 'status', i)} needs the date that happened in status_date")


@rule("sentence-term")
def sentence_term(ctx: Context):
    """A term beside a life sentence is a term added to it (life plus 30 years), which notes must say."""
    if ctx.has("sentences", "life", "term_years", "term_months", "notes"):
        term = _present(ctx, "sentences", "term_years") | _present(ctx, "sentences", "term_months")
        for i in _rows(_is_true(ctx, "sentences", "life") & term & ~_present(ctx, "sentences", "notes")):
            yield ctx.problem("sentences", i, "life", "sentence-term",
                              "a life sentence with a term in years or months needs notes saying how they combine")


@rule("fine-currency")
def fine_currency(ctx: Context):
    """An amount of money (a fine, a forfeiture) always has its currency, and a currency its amount."""
    for what in ("fine", "forfeiture"):
        amount, currency = f"{what}_amount", f"{what}_currency"
        if ctx.has("sentences", amount, currency):
            for i in _rows(_present(ctx, "sentences", amount) != _present(ctx, "sentences", currency)):
                yield ctx.problem("sentences", i, currency, "fine-currency", f"{amount} and {currency} go together")


@rule("transfer-countries")
def transfer_countries(ctx: Context):
    import pyarrow.compute as pc

    if ctx.has("extraditions", "from_country", "to_country"):
        a, b = ctx.col("extraditions", "from_country"), ctx.col("extraditions", "to_country")
        for i in _rows(v.mask(pc.equal(a, b), False)):
            yield ctx.problem("extraditions", i, "to_country", "transfer-countries", "from_country and to_country are the same",
                              b[int(i)].as_py())


@rule("batch-membership")
def batch_membership(ctx: Context):
    """A transfer row that names a batch event must have its person listed as a participant of that event."""
    if not (ctx.has("extraditions", "person_id", "batch_event_id") and ctx.has("event_participants", "event_id", "person_id")
            and ctx.has("events", "event_id", "event_type")):
        return
    batch, person = ctx.col("extraditions", "batch_event_id"), ctx.col("extraditions", "person_id")
    at = v.index_in(batch, ctx.col("events", "event_id"))
    types = np.array(ctx.col("events", "event_type").to_pylist() + [None], dtype=object)[at]
    pairs = v.joined([ctx.col("event_participants", "event_id"), ctx.col("event_participants", "person_id")])
    listed = v.isin(v.joined([batch, person]), pairs)
    for i in _rows((at >= 0) & (types != "transfer")):
        yield ctx.problem("extraditions", i, "batch_event_id", "batch-membership",
                          f"the batch event is of type {types[i]!r}, not 'transfer'", batch[int(i)].as_py())
    for i in _rows((at >= 0) & (types == "transfer") & _present(ctx, "extraditions", "person_id") & ~listed):
        yield ctx.problem("extraditions", i, "batch_event_id", "batch-membership",
                          f"{person[int(i)].as_py()} is not listed in event_participants for {batch[int(i)].as_py()}",
                          batch[int(i)].as_py())


# -- people ---------------------------------------------------------------------------------
def _dated_rows(ctx: Context):
    """``(table, column, rows, person positions, earliest, latest, texts, victim)`` for every
    dated row that involves a person."""
    persons = ctx.col("persons", "person_id")
    if ctx.has("event_participants", "event_id", "person_id", "role") and ctx.has("events", "event_id", "date"):
        at = v.index_in(ctx.col("event_participants", "event_id"), ctx.col("events", "event_id"))
        d = ctx.dates("events", "date")
        found = at >= 0
        nat = np.datetime64("NaT", "D")
        lo, hi = np.where(found, d.earliest[at], nat), np.where(found, d.latest[at], nat)
        texts = np.array(ctx.col("events", "date").to_pylist() + [None], dtype=object)[at]
        passive = v.isin(ctx.col("event_participants", "role"), list(PASSIVE_ROLES))
        yield ("event_participants", "event_id", v.index_in(ctx.col("event_participants", "person_id"), persons),
               lo, hi, texts, passive)
    for table, col in (("sentences", "date"), ("extraditions", "date"), ("memberships", "start_date")):
        if ctx.has(table, "person_id", col):
            d = ctx.dates(table, col)
            texts = np.array(ctx.col(table, col).to_pylist(), dtype=object)
            yield (table, col, v.index_in(ctx.col(table, "person_id"), persons), d.earliest, d.latest, texts,
                   np.zeros(ctx.n(table), dtype=bool))


#: Roles in which a person may appear in an event after their death (a trial for their
#: killing, the identification of their body).
PASSIVE_ROLES = ("victim", "subject")


@rule("lifespan")
def lifespan(ctx: Context):
    """Everything dated that involves a person falls between their birth and death.

    A victim or subject may appear in events after their death (:data:`PASSIVE_ROLES`)."""
    if not ctx.has("persons", "person_id", "birth_date", "death_date"):
        return
    nat = np.datetime64("NaT", "D")
    birth = np.append(ctx.dates("persons", "birth_date").earliest, nat)
    death = np.append(ctx.dates("persons", "death_date").latest, nat)
    pids = ctx.col("persons", "person_id").to_pylist() + [None]
    btext = ctx.col("persons", "birth_date").to_pylist() + [None]
    dtext = ctx.col("persons", "death_date").to_pylist() + [None]
    for table, col, who, lo, hi, texts, victim in _dated_rows(ctx):
        for i in _rows(hi < birth[who]):
            yield ctx.problem(table, i, col, "lifespan", f"dated {texts[i]}, before {pids[who[i]]} was born ({btext[who[i]]})",
                              texts[i])
        for i in _rows(~victim & (lo > death[who])):
            yield ctx.problem(table, i, col, "lifespan", f"dated {texts[i]}, after {pids[who[i]]} died ({dtext[who[i]]})",
                              texts[i])


SENTENCED = r"\b(?:sentenced|sentenciad[oa]|condenad[oa])\b"
CONVICTED = r"\b(?:convicted|found guilty|declarad[oa] culpable)\b"


def _convicted_people(ctx: Context):
    """People with a sentence, and people who are defendants in a verdict event."""
    sentenced = set(ctx.col("sentences", "person_id").to_pylist()) if ctx.has("sentences", "person_id") else set()
    verdicts = set()
    if ctx.has("event_participants", "event_id", "person_id") and ctx.has("events", "event_id", "event_type"):
        ev = ctx.col("events", "event_id").to_pylist()
        kinds = dict(zip(ev, ctx.col("events", "event_type").to_pylist()))
        for e, p in zip(ctx.col("event_participants", "event_id").to_pylist(), ctx.col("event_participants", "person_id").to_pylist()):
            if p and kinds.get(e) == "verdict":
                verdicts.add(p)
    return sentenced, verdicts


@rule("convicted-has-sentence")
def convicted_has_sentence(ctx: Context):
    """A person described as sentenced has a row in sentences; one described as convicted has
    a sentence or takes part in a verdict event."""
    if not ctx.has("persons", "person_id", "description"):
        return
    sentenced, verdicts = _convicted_people(ctx)
    for table, col, what in (("persons", "description", "description"), ("memberships", "notes", "membership note")):
        if not ctx.has(table, "person_id", col):
            continue
        pid = ctx.col(table, "person_id").to_pylist()
        said_sentenced = v.contains(ctx.col(table, col), SENTENCED, ignore_case=True)
        said_convicted = v.contains(ctx.col(table, col), CONVICTED, ignore_case=True)
        for i, p in enumerate(pid):
            if said_sentenced[i] and p not in sentenced:
                yield ctx.problem(table, i, col, "convicted-has-sentence",
                                  f"the {what} says the person was sentenced, but sentences has no row for them", p,
                                  hint="add the sentence with its source, or reword the text")
            elif said_convicted[i] and p not in sentenced and p not in verdicts:
                yield ctx.problem(table, i, col, "convicted-has-sentence",
                                  f"the {what} says the person was convicted, but there is no sentence or verdict for them", p,
                                  hint="add the verdict event or the sentence with its source, or reword the text")


# -- provenance -----------------------------------------------------------------------------
#: Staging, test and CDN hosts of publishers (never the address to cite).
STAGING_HOST = r"(?:^|[.-])(?:staging|testslot|test|dev|preprod)[.-]|\.arc-cdn\.net$|\.cdn\.arcpublishing\.com$|\.azureedge\.net$|\.azurewebsites\.net$|^admin\.|\.editor[0-9]*\.com$|^estatico\."
#: Tracking parameters and AMP variants of an article address.
TRACKING = r"[?&](?:utm_[a-z]+|fbclid|gclid|ocid|cmpid|mc_cid|mc_eid|_ga|icid|smid|ref_src)="
AMP = r"^https://amp\.|[/.]amp(?:/|\.html?)?$|/amp/|[?&](?:amp|outputType=amp)(?:[=&]|$)"


#: The host part of an absolute URL (after any user information).
HOST = r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?(?P<host>\[[^\]]*\]|[^:/?#]*)"


@rule("staging-url")
def staging_urls(ctx: Context):
    if ctx.has("sources", "url"):
        import pyarrow.compute as pc

        col = ctx.col("sources", "url")
        hosts = pc.utf8_lower(pc.struct_field(pc.extract_regex(col, HOST), [0]))
        for i in _rows(v.contains(hosts, STAGING_HOST)):
            yield ctx.problem("sources", i, "url", "staging-url",
                              f"the host {hosts[int(i)].as_py()} is a staging, test or CDN host", col[int(i)].as_py())


@rule("canonical-url")
def canonical_urls(ctx: Context):
    if ctx.has("sources", "url"):
        col = ctx.col("sources", "url")
        hit = v.contains(col, TRACKING, ignore_case=True) | v.contains(col, AMP, ignore_case=True)
        for i in _rows(hit):
            yield ctx.problem("sources", i, "url", "canonical-url", "the address carries tracking parameters or is an AMP variant",
                              col[int(i)].as_py())


@rule("republication-original")
def republication_original(ctx: Context):
    if ctx.has("sources", "tier", "original_publisher"):
        rep = v.isin(ctx.col("sources", "tier"), ["republication"])
        for i in _rows(rep & ~_present(ctx, "sources", "original_publisher")):
            yield ctx.problem("sources", i, "original_publisher", "republication-original",
                              "a republication must name the publisher of the original")


#: A row resting only on secondary sources passes when its notes say so in these words.
EXPLAINED = r"(?i)republication|republished|reprint|unknown provenance"


@rule("secondary-only")
def secondary_only(ctx: Context):
    """A fact whose every source is a republication or of unknown provenance, unless its
    notes explain that nothing better could be found (they name the republication or the
    source's unknown provenance)."""
    if not ctx.has("sources", "source_id", "tier"):
        return
    secondary = set(np.array(ctx.col("sources", "source_id").to_pylist(), dtype=object)[
        v.isin(ctx.col("sources", "tier"), list(SECONDARY_TIERS))].tolist())
    if not secondary:
        return
    for table, t in ctx.tables.items():
        f = next((f for f in t.schema.fields if f.references == ("sources", "source_id")), None)
        if table == "sources" or f is None or not ctx.has(table, f.name):
            continue
        cells = ctx.col(table, f.name).to_pylist()
        explained = v.contains(ctx.col(table, "notes"), EXPLAINED) if ctx.has(table, "notes") else np.zeros(len(cells), bool)
        for i, cell in enumerate(cells):
            if cell and not explained[i] and all(x in secondary for x in cell.split(f.delimiter)):
                yield ctx.problem(table, i, f.name, "secondary-only",
                                  "every source of this row is a republication or of unknown provenance", cell)


def run_all(ctx: Context) -> list:
    out = []
    for rule_id, fn in RULES.items():
        try:
            found = list(fn(ctx))
        except Exception as exc:  # noqa: BLE001 - a rule must never turn bad data into a traceback
            found = [problem("descriptor", f"the {rule_id} check could not finish: {type(exc).__name__}: {exc}",
                             file="datapackage.json")]
        assert all(p.rule in (rule_id, "descriptor") for p in found), f"rule {rule_id} reported another rule's id"
        out += found
    return out
