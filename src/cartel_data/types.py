"""What each Table Schema type means for every target, in one table.

=========  =================  ============  =========  ==============  ===============
type       cells look like    Arrow         pandas     SQLite          Excel cell
=========  =================  ============  =========  ==============  ===============
string     any text           string        string     TEXT            text
integer    ``[+-]?[0-9]+``    int64         Int64      INTEGER         number
number     decimal / exp.     float64       Float64    REAL            number
boolean    trueValues/false…  bool          boolean    INTEGER (0/1)   text true/false
date       ``YYYY-MM-DD``     date32        datetime   TEXT            date
list       items + delimiter  list<string>  string     TEXT (``;``)    text as written
=========  =================  ============  =========  ==============  ===============

A string field with an ``enum`` loads as a pandas ``category`` (categories in schema order).
Two ``x-kind`` values refine a string field: ``partial_date`` (a reduced ISO 8601 date,
kept as text everywhere) and ``country`` (an ISO 3166-1 alpha-2 code).

Cells are read as text; :func:`typed_column` turns one column of text into Arrow values of
its type, and every writer and loader goes through it.

>>> import pyarrow as pa
>>> from cartel_data.schema import Field
>>> typed_column(Field("n", "integer"), pa.array(["+7", None, "-2"])).to_pylist()
[7, None, -2]
>>> Field("d", "string", kind="partial_date").label
'partial date'
"""

from __future__ import annotations

from dataclasses import dataclass

INTEGER = r"[+-]?[0-9]+"
NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


@dataclass(frozen=True)
class TypeSpec:
    name: str
    label: str  # in the data dictionary
    arrow: str  # pyarrow type factory name
    pandas: str  # pandas dtype
    sql: str  # SQLite column type
    excel: str  # how a cell is written: text, number, date, or boolean (text true/false)
    json: str = "string"  # how a value is written in JSON: string, integer, number, boolean, array
    croissant: str = "TEXT"  # the Croissant data type (an mlcroissant.DataType name)
    numeric: bool = False  # ordered numbers: minimum and maximum apply, parsed by Arrow
    pattern: str | None = None  # what a cell must look like (None: any text)
    message: str | None = None  # the type check's message


TYPES: dict[str, TypeSpec] = {t.name: t for t in (
    TypeSpec("string", "string", "string", "string", "TEXT", "text"),
    TypeSpec("integer", "integer", "int64", "Int64", "INTEGER", "number", "integer", "INTEGER", True, INTEGER,
             "not an integer"),
    TypeSpec("number", "number", "float64", "Float64", "REAL", "number", "number", "FLOAT", True, NUMBER, "not a number"),
    TypeSpec("boolean", "boolean", "bool_", "boolean", "INTEGER", "boolean", "boolean", "BOOL"),
    TypeSpec("date", "date (YYYY-MM-DD)", "date32", "datetime64[s]", "TEXT", "date", "string", "DATE", False, ISO_DATE,
             "not a date (YYYY-MM-DD)"),
    TypeSpec("list", "list", "string", "string", "TEXT", "text", "array"),
)}

#: x-kind -> its label in the data dictionary
KINDS = {"partial_date": "partial date", "country": "country code"}


def arrow_type(f):
    """The Arrow type of a field's typed values."""
    import pyarrow as pa

    if f.is_list:
        return pa.list_(pa.string())
    return getattr(pa, TYPES[f.type].arrow)()


def pandas_dtype(f):
    """The pandas dtype a field is loaded as."""
    if f.enum is not None:
        import pandas as pd

        return pd.CategoricalDtype(categories=list(f.enum))
    return TYPES[f.type].pandas


def typed_column(f, col):
    """One column of cells as written (text, nulls for empty) as Arrow values of the field's
    type: booleans from the field's true/false values, lists split on its delimiter, numbers
    parsed by Arrow (a leading ``+``, which Table Schema allows, is dropped first)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    col = col.cast(pa.string())
    spec = TYPES[f.type]
    if spec.json == "boolean":
        true = pc.is_in(col, value_set=pa.array(list(f.true_values), pa.string()))
        false = pc.is_in(col, value_set=pa.array(list(f.false_values), pa.string()))
        return pc.if_else(true, True, pc.if_else(false, False, pa.scalar(None, pa.bool_())))
    if f.is_list:
        return pc.split_pattern(col, f.delimiter)
    if spec.arrow == "string":
        return col
    if spec.numeric:
        col = pc.replace_substring_regex(col, r"^\+", "")
    return pc.cast(col, arrow_type(f))


def python_values(f, col) -> list:
    """One column of text as Python values of the field's type: int, float, bool, list of
    str; text (dates and partial dates included) as written; None for missing."""
    if TYPES[f.type].json in ("integer", "number", "boolean"):
        return typed_column(f, col).to_pylist()
    text = col.to_numpy(zero_copy_only=False).tolist()
    if f.is_list:
        return [None if v is None else v.split(f.delimiter) for v in text]
    return text


def as_text(f, v) -> str:
    """A typed value written back as the CSV text (the inverse of :func:`python_values`).

    >>> from cartel_data.schema import Field
    >>> as_text(Field("ids", "list", delimiter=";"), ["a", "b"])
    'a;b'
    """
    if v is None:
        return ""
    if isinstance(v, bool):
        return f.true_values[0] if v else f.false_values[0]
    if isinstance(v, list):
        return f.delimiter.join(v)
    if isinstance(v, float):
        return repr(v)
    return str(v)
