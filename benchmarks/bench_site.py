"""Site build time and size: the shipped data and synthetic packages 10x and 100x its size.

    python benchmarks/bench_site.py            # shipped, 10x, 100x
    python benchmarks/bench_site.py 1 10       # only these multiples

Each build runs in a fresh process (imports included) and reports wall time, peak memory,
pages written and the site's size on disk. The cost should grow linearly with the rows.
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
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from synth import generate  # noqa: E402

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from cartel_data.site import build
pkg, out = sys.argv[1:3]
t = time.perf_counter()
build(out, path=pkg)
dt = time.perf_counter() - t
files = [p for p in Path(out).rglob("*") if p.is_file()]
print(json.dumps({"seconds": dt, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "pages": sum(p.suffix == ".html" for p in files), "mb": sum(p.stat().st_size for p in files) / 2**20}))
"""


def _rows(pkg: Path) -> int:
    return sum(max(sum(1 for _ in open(f, encoding="utf-8")) - 1, 0) for f in (pkg / "data").glob("*.csv"))


def measure(pkg: Path, out: Path) -> dict:
    p = subprocess.run([sys.executable, "-c", CHILD, str(pkg), str(out)], capture_output=True, text=True)
    if p.returncode:
        return {"error": p.stderr.strip().splitlines()[-1]}
    return json.loads(p.stdout)


def run(multiples: list[int]) -> str:
    out = [f"Machine: {platform.machine()}, Python {platform.python_version()}, date {time.strftime('%Y-%m-%d')}", "",
           "| package | rows | seconds | peak MB | pages | size MB | µs per row |", "|---|---:|---:|---:|---:|---:|---:|"]
    shipped = _rows(ROOT)
    with tempfile.TemporaryDirectory() as d:
        for m in multiples:
            if m == 1:
                pkg, name = ROOT, "shipped"
            else:
                pkg, name = Path(d) / f"synth-{m}x", f"synthetic {m}x"
                generate(shipped * m, pkg)
            rows = _rows(pkg)
            r = measure(pkg, Path(d) / f"site-{m}")
            if "error" in r:
                out.append(f"| {name} | {rows:,} | error: {r['error']} | | | | |")
                continue
            out.append(f"| {name} | {rows:,} | {r['seconds']:.1f} | {r['peak_mb']:.0f} | {r['pages']:,} | {r['mb']:.0f} | "
                       f"{r['seconds'] / rows * 1e6:.0f} |")
            print(out[-1], file=sys.stderr)
    return "\n".join(out)


if __name__ == "__main__":
    print(run([int(a) for a in sys.argv[1:]] or [1, 10, 100]))
