"""Loading tables into pandas with deliberate dtypes derived from the Table Schemas.

Each field loads as the pandas dtype its type declares (:mod:`cartel_data.types`):

=================  ==========================================================
Table Schema       pandas dtype
=================  ==========================================================
string             ``string``
string + enum      ``category`` (categories in schema order)
integer            ``Int64`` (nullable)
number             ``Float64`` (nullable)
boolean            ``boolean`` (nullable)
date               ``datetime64[s]``
list               ``string``, items separated as written (e.g. ``a;b``)
partial date       ``string`` as written, plus ``<col>_earliest`` and ``<col>_latest``
                   (``datetime64[s]``, the first and last day the value can mean) and
                   ``<col>_precision`` (ordered category: year < month < day)
=================  ==========================================================

No day is ever invented: ``1989`` stays ``1989``, with earliest 1989-01-01 and latest
1989-12-31. Files are read by the one CSV reader (:func:`cartel_data.reading.read_cells`).
"""

from __future__ import annotations

from .package import Package
from .schema import TableSchema
from .types import pandas_dtype, typed_column

__all__ = ["load", "load_all", "typed", "pandas_dtype"]


def _column(f, text):
    """One text column (pyarrow) as a pandas Series of the field's dtype."""
    import pandas as pd
    import pyarrow as pa

    dtype = pandas_dtype(f)
    if f.spec.arrow == "string":  # text as written: strings, lists, partial dates, enumerations
        return pd.Series(pd.array(text, dtype=pd.StringDtype("pyarrow"))).astype(dtype)
    typed = typed_column(f, text)
    if str(dtype).startswith("datetime64"):
        return pd.Series(typed.to_numpy(zero_copy_only=False), dtype=dtype)
    mapper = {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype()}.get
    return typed.to_pandas(types_mapper=mapper)


def typed(table, schema: TableSchema):
    """Convert a pyarrow table of text to a DataFrame of the dtypes of :func:`pandas_dtype`,
    adding the derived columns of partial dates."""
    import pandas as pd

    from . import dates

    out = {}
    for f in schema.fields:
        if f.name not in table.column_names:
            continue
        text = table.column(f.name).combine_chunks()
        out[f.name] = _column(f, text).reset_index(drop=True)
        if f.is_partial_date:
            w = dates.widen(pd.Series(pd.array(text, dtype=pd.StringDtype("pyarrow"))))
            out[f"{f.name}_earliest"] = w["earliest"]
            out[f"{f.name}_latest"] = w["latest"]
            out[f"{f.name}_precision"] = w["precision"]
    return pd.DataFrame(out, index=pd.RangeIndex(table.num_rows))


def _load(res):
    from .reading import read_cells

    return typed(read_cells(res, "load").table, res.schema)


def load(name: str, path=None):
    """Load table ``name`` of the package at ``path`` (default: ``./datapackage.json`` if
    present, else the bundled package).

    >>> events = load("events")
    >>> str(events["event_type"].dtype)
    'category'
    """
    return _load(Package(path).resource(name))


def load_all(path=None) -> dict:
    """Load every table of the package at ``path``: ``{name: DataFrame}`` in descriptor order."""
    return {name: _load(r) for name, r in Package(path).resources.items()}
