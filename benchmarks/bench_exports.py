"""Export throughput and peak memory per format on synthetic packages.

    python benchmarks/bench_exports.py 10000 100000 1000000

Each export runs in its own process (validation skipped, so only the writer is measured);
rows/s counts every row of every table. Results go to stdout as a Markdown table.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from synth import generate  # noqa: E402

FORMATS = ["sqlite", "json", "jsonl", "xlsx", "parquet", "csv"]  # every format of cartel_data.export.formats()
TARGETS = {"sqlite": 500_000, "json": 300_000, "xlsx": 15_000}

CHILD = r"""
import json, resource, sys, time
from cartel_data.api import export
fmt, pkg, out = sys.argv[1:4]
t = time.perf_counter()
export(fmt, out, path=pkg, check=False)
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(sizes: list[int]) -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory() as d:
        for n in sizes:
            pkg = Path(d) / f"synth-{n}"
            counts = generate(n, pkg)
            rows = sum(counts.values())
            for fmt in FORMATS:
                out = Path(d) / f"out-{n}.{fmt}"
                proc = subprocess.run([sys.executable, "-c", CHILD, fmt, str(pkg), str(out)], capture_output=True, text=True)
                if proc.returncode:
                    results.append({"rows": rows, "format": fmt, "error": proc.stderr.strip().splitlines()[-1]})
                    continue
                r = json.loads(proc.stdout)
                r.update(rows=rows, format=fmt, rows_per_s=rows / r["seconds"])
                results.append(r)
                print(f"{rows:>9} {fmt:<8} {r['seconds']:7.2f}s {r['rows_per_s']:>11,.0f} rows/s {r['peak_mb']:7.0f} MB", file=sys.stderr)
    return results


def markdown(results: list[dict]) -> str:
    out = [f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, "
           f"date {time.strftime('%Y-%m-%d')}", "",
           "| rows | format | seconds | rows/s | peak MB | target rows/s |", "|---:|---|---:|---:|---:|---:|"]
    for r in results:
        if "error" in r:
            out.append(f"| {r['rows']:,} | {r['format']} | error: {r['error']} | | | |")
            continue
        tgt = TARGETS.get(r["format"])
        mark = "" if tgt is None else (f"{tgt:,} ✓" if r["rows_per_s"] >= tgt else f"{tgt:,} ✗")
        out.append(f"| {r['rows']:,} | {r['format']} | {r['seconds']:.2f} | {r['rows_per_s']:,.0f} | {r['peak_mb']:.0f} | {mark} |")
    return "\n".join(out)


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    print(markdown(run(sizes)))
