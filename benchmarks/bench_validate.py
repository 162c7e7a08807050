"""cartel-data validate vs frictionless validate vs a bare pandas read, side by side.

    python benchmarks/bench_validate.py 10000 100000 1000000
    python benchmarks/bench_validate.py --shipped [VENV_BIN ...]

Each measurement runs in a fresh process and reports wall time and peak memory; also
measured: `cartel-data --help` cold start and `load_all()` of the shipped data in a warm process.

``--shipped`` times the commands users run on the shipped package, as whole programs
(start-up and imports included), best of 7 each, interleaved so that both tools see the same
machine load: `cartel-data validate --strict` against `frictionless validate datapackage.json`,
`cartel-data search` and `show` of a person, and `--help`; once per virtual environment given
(its bin folder; default: this interpreter's).
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

PROBE = r"""
import json, resource, sys, time, subprocess
kind, pkg = sys.argv[1:3]
t = time.perf_counter()
if kind == "cartel-data":
    from cartel_data.validation import validate
    r = validate(pkg)
    ok = r.valid
elif kind == "frictionless":
    import frictionless
    r = frictionless.validate(pkg + "/datapackage.json")
    ok = r.valid
elif kind == "pandas-read":
    import glob, pandas as pd
    for f in sorted(glob.glob(pkg + "/data/*.csv")):
        pd.read_csv(f, dtype=str, keep_default_na=False)
    ok = True
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "valid": ok}))
"""


def measure(kind: str, pkg: Path, timeout: int = 3600) -> dict:
    p = subprocess.run([sys.executable, "-c", PROBE, kind, str(pkg)], capture_output=True, text=True, timeout=timeout)
    if p.returncode:
        return {"error": p.stderr.strip().splitlines()[-1]}
    return json.loads(p.stdout)


def cold_help(repeat: int = 10) -> float:
    exe = str(Path(sys.executable).with_name("cartel-data"))
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([exe, "--help"], capture_output=True, check=True)
        best = min(best, time.perf_counter() - t)
    return best


def warm_load_all(repeat: int = 5) -> float:
    import cartel_data

    cartel_data.load_all()
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        cartel_data.load_all()
        best = min(best, time.perf_counter() - t)
    return best


def run(sizes: list[int], skip_frictionless_above: int = 10**9) -> str:
    out = [f"Machine: {platform.machine()}, Python {platform.python_version()}, date {time.strftime('%Y-%m-%d')}", "",
           "| rows | tool | seconds | peak MB | valid | vs frictionless | vs pandas read |",
           "|---:|---|---:|---:|---|---:|---:|"]
    with tempfile.TemporaryDirectory() as d:
        for n in sizes:
            pkg = Path(d) / f"synth-{n}"
            rows = sum(generate(n, pkg).values())
            res = {k: measure(k, pkg) for k in ("pandas-read", "cartel-data")}
            if n <= skip_frictionless_above:
                res["frictionless"] = measure("frictionless", pkg)
            base_f = res.get("frictionless", {}).get("seconds")
            base_p = res["pandas-read"].get("seconds")
            for k, r in res.items():
                if "error" in r:
                    out.append(f"| {rows:,} | {k} | error: {r['error']} | | | | |")
                    continue
                vf = f"{base_f / r['seconds']:.1f}x faster" if base_f and k == "cartel-data" else ""
                vp = f"{r['seconds'] / base_p:.1f}x" if base_p and k == "cartel-data" else ""
                out.append(f"| {rows:,} | {k} | {r['seconds']:.2f} | {r['peak_mb']:.0f} | {r['valid']} | {vf} | {vp} |")
                print(out[-1], file=sys.stderr)
    out += ["", f"`cartel-data --help` cold start (best of 10): {cold_help() * 1000:.0f} ms",
            f"`load_all()` of the shipped data, warm process (best of 5): {warm_load_all() * 1000:.0f} ms"]
    return "\n".join(out)


ROOT = HERE.parent


def _best(cmds: dict[str, list[str]], repeat: int = 7) -> dict[str, float]:
    best = {k: float("inf") for k in cmds}
    for _ in range(repeat):
        for k, cmd in cmds.items():
            t = time.perf_counter()
            subprocess.run(cmd, capture_output=True, cwd=ROOT)
            best[k] = min(best[k], time.perf_counter() - t)
    return best


def shipped(bins: list[Path]) -> str:
    out = ["| environment | validate --strict (s) | frictionless validate (s) | ratio | search (s) | show (s) | --help (ms) |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for b in bins:
        cd, fl = str(b / "cartel-data"), str(b / "frictionless")
        t = _best({"validate": [cd, "validate", "--strict"], "frictionless": [fl, "validate", "datapackage.json"],
                   "search": [cd, "search", "el chapo"], "show": [cd, "show", "per-rafael-caro-quintero"],
                   "help": [cd, "--help"]})
        env = subprocess.run([str(b / "python"), "-c", "import importlib.util as u; print('test extras' if "
                              "u.find_spec('hypothesis') else 'runtime only')"], capture_output=True, text=True).stdout.strip()
        out.append(f"| {env} ({b.parent.name}) | {t['validate']:.2f} | {t['frictionless']:.2f} | "
                   f"{t['validate'] / t['frictionless']:.2f}x | {t['search']:.2f} | {t['show']:.2f} | {t['help'] * 1000:.0f} |")
        print(out[-1], file=sys.stderr)
    return "\n".join(out)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--shipped"]:
        print(shipped([Path(a) for a in sys.argv[2:]] or [Path(sys.executable).parent]))
    else:
        sizes = [int(a) for a in sys.argv[1:]] or [10_000]
        print(run(sizes))
