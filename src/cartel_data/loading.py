"""Loading tables into pandas with deliberate dtypes derived from the Table Schemas.

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
1989-12-31.
"""

from __future__ import annotations

from .package import Package, bundled_root
from .schema import Field, TableSchema


def pandas_dtype(f: Field):
    """The pandas dtype a field is loaded as."""
    import pandas as pd

    if f.enum is not None:
        return pd.CategoricalDtype(categories=list(f.enum))
    return {
        "integer": "Int64",
        "number": "Float64",
        "boolean": "boolean",
        "date": "datetime64[s]",
    }.get(f.type, "string")


def read_csv(path, schema: TableSchema):
    """Read a CSV with every cell as text (no type guessing); missing cells are ``<NA>``."""
    import pandas as pd

    return pd.read_csv(
        path,
        dtype="string",
        keep_default_na=False,
        na_values=list(schema.missing_values),
        encoding="utf-8",
    )


def _numbers(f, s):
    """An integer or number column parsed by Arrow (as the exports do) into Int64 or Float64."""
    import pandas as pd
    import pyarrow as pa

    from .records import typed_column
    from .vector import arrow

    mapper = {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype()}.get
    out = typed_column(f, arrow(s)).to_pandas(types_mapper=mapper)
    out.index = s.index
    return out


def typed(df, schema: TableSchema):
    """Convert a text DataFrame to the dtypes of :func:`pandas_dtype`, adding the
    derived columns of partial dates."""
    import pandas as pd

    from . import dates

    out = {}
    for f in schema.fields:
        if f.name not in df.columns:
            continue
        s = df[f.name]
        dtype = pandas_dtype(f)
        if f.type in ("integer", "number"):
            out[f.name] = _numbers(f, s)
        elif f.type == "boolean":
            mapping = {**{v: True for v in f.true_values}, **{v: False for v in f.false_values}}
            out[f.name] = s.map(mapping).astype("boolean")
        elif f.type == "date":
            out[f.name] = pd.to_datetime(s, format="%Y-%m-%d").astype("datetime64[s]")
        else:
            out[f.name] = s.astype(dtype)
        if f.is_partial_date:
            w = dates.widen(s)
            out[f"{f.name}_earliest"] = w["earliest"]
            out[f"{f.name}_latest"] = w["latest"]
            out[f"{f.name}_precision"] = w["precision"]
    return pd.DataFrame(out, index=df.index)


def load(name: str, path=None):
    """Load table ``name`` of the package at ``path`` (default: bundled package).

    >>> events = load("events")
    >>> str(events["event_type"].dtype)
    'category'
    """
    pkg = Package(bundled_root() if path is None else path)
    res = pkg.resource(name)
    return typed(read_csv(res.path, res.schema), res.schema)


def load_all(path=None) -> dict:
    """Load every table of the package at ``path`` (default: bundled): ``{name: DataFrame}``."""
    pkg = Package(bundled_root() if path is None else path)
    return {name: typed(read_csv(r.path, r.schema), r.schema) for name, r in pkg.resources.items()}
