"""CSV: a folder with one file per table (rows in primary-key order, columns in schema
order, minimal quoting, LF) and the descriptor and schemas, so the folder is a data package."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from . import Format

FORMAT = Format("csv", "", True, "a folder that is itself a data package: descriptor, schemas and CSVs", in_release=False)


def write(pkg, data, output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    (output / "data").mkdir()
    (output / "schemas").mkdir()
    desc, schemas = pkg.portable([n for n in pkg.resource_names if n in data])
    for rel, text in schemas.items():
        (output / rel).write_bytes(text)
    for r in desc["resources"]:
        t = data[r["name"]]
        with open(output / r["path"], "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(t.columns)
            w.writerows(t.iter_text())  # the cells as written; None is written as an empty cell
    (output / "datapackage.json").write_text(json.dumps(desc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
