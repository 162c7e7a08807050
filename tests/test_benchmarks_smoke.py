"""A 10k-row smoke run of the benchmark tooling (not a timing test)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))


def test_synthetic_package_is_valid(tmp_path):
    from synth import generate

    from cartel_data.validation import validate

    counts = generate(10_000, tmp_path / "p")
    assert sum(counts.values()) >= 9_000
    report = validate(tmp_path / "p", strict=True)
    assert report.valid, report.to_text()[:2000]


def test_validate_benchmark_runner_smoke(tmp_path):
    import bench_validate
    from synth import generate

    generate(10_000, tmp_path / "p")
    r = bench_validate.measure("cartel-data", tmp_path / "p")
    assert r["valid"] is True and r["seconds"] > 0 and r["peak_mb"] > 0
    assert bench_validate.measure("pandas-read", tmp_path / "p")["valid"] is True


def test_export_benchmark_runner_smoke():
    import bench_exports

    results = bench_exports.run([2_000])
    assert {r["format"] for r in results} == set(bench_exports.FORMATS)
    assert all("error" not in r and r["rows_per_s"] > 0 for r in results)
    assert "| rows | format |" in bench_exports.markdown(results)
