"""Parquet (pyarrow): a folder with one file per table, typed from the Table Schemas,
for DuckDB, Spark and Polars users. Column descriptions travel as field metadata."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path


def arrow_type(f):
    import pyarrow as pa

    return {
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "list": pa.list_(pa.string()),
    }.get(f.type, pa.string())


def arrow_table(t):
    import pyarrow as pa

    fields = [pa.field(f.name, arrow_type(f), nullable=not f.required,
                       metadata={"description": f.description}) for f in t.schema.fields]
    schema = pa.schema(fields, metadata={"table": t.name, "primary_key": ",".join(t.schema.primary_key)})
    cols = []
    for i, f in enumerate(t.schema.fields):
        values = [r[i] for r in t.rows]
        if f.type == "date":
            values = [None if v is None else _dt.date.fromisoformat(v) for v in values]
        cols.append(pa.array(values, type=arrow_type(f)))
    return pa.Table.from_arrays(cols, schema=schema)


def write(pkg, data, output: Path) -> None:
    import pyarrow.parquet as pq

    output.mkdir(parents=True, exist_ok=True)
    for name, t in data.items():
        pq.write_table(arrow_table(t), output / f"{name}.parquet", compression="zstd")
