"""Parquet (pyarrow): a folder with one file per table, typed from the Table Schemas,
for DuckDB, Spark and Polars users. Column descriptions travel as field metadata."""

from __future__ import annotations

from pathlib import Path

from . import Format

FORMAT = Format("parquet", "-parquet.zip", True, "a folder of typed Parquet files, one per table")


def arrow_table(t):
    import pyarrow as pa

    from ..types import arrow_type, typed_column

    fields = [pa.field(f.name, arrow_type(f), nullable=not f.required,
                       metadata={"description": f.description}) for f in t.schema.fields]
    schema = pa.schema(fields, metadata={"table": t.name, "primary_key": ",".join(t.schema.primary_key)})
    text = t.text
    return pa.Table.from_arrays([typed_column(f, text.column(f.name)) for f in t.schema.fields], schema=schema)


def write(pkg, data, output: Path) -> None:
    import pyarrow.parquet as pq

    output.mkdir(parents=True, exist_ok=True)
    for name, t in data.items():
        pq.write_table(arrow_table(t), output / f"{name}.parquet", compression="zstd")
