"""Parquet (pyarrow): a folder with one file per table, typed from the Table Schemas,
for DuckDB, Spark and Polars users. Column descriptions travel as field metadata."""

from __future__ import annotations

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


def arrow_column(f, col):
    """One column of cells as written (text, nulls for empty) as Arrow values of the field's type."""
    import pyarrow as pa
    import pyarrow.compute as pc

    col = col.cast(pa.string())
    if f.type == "boolean":
        true = pc.is_in(col, value_set=pa.array(list(f.true_values), pa.string()))
        false = pc.is_in(col, value_set=pa.array(list(f.false_values), pa.string()))
        return pc.if_else(true, True, pc.if_else(false, False, pa.scalar(None, pa.bool_())))
    if f.type == "list":
        return pc.split_pattern(col, f.delimiter or ",")
    return pc.cast(col, arrow_type(f))


def arrow_table(t):
    import pyarrow as pa

    fields = [pa.field(f.name, arrow_type(f), nullable=not f.required,
                       metadata={"description": f.description}) for f in t.schema.fields]
    schema = pa.schema(fields, metadata={"table": t.name, "primary_key": ",".join(t.schema.primary_key)})
    text = t.text
    return pa.Table.from_arrays([arrow_column(f, text.column(f.name)) for f in t.schema.fields], schema=schema)


def write(pkg, data, output: Path) -> None:
    import pyarrow.parquet as pq

    output.mkdir(parents=True, exist_ok=True)
    for name, t in data.items():
        pq.write_table(arrow_table(t), output / f"{name}.parquet", compression="zstd")
