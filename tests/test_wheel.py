"""A plain (non-editable) install from a wheel carries the data and works anywhere."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_and_loads_every_table(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = dist.glob("cartel_data-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    # The new environment sees the test environment's dependencies (pandas, ...) through a
    # .pth file, but not its editable cartel_data: only the wheel provides that.
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "test-deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", "--force-reinstall", str(wheel)],
                   check=True, capture_output=True)
    code = (
        "import cartel_data, sys; "
        "assert 'site-packages' in cartel_data.__file__, cartel_data.__file__; "
        "frames = cartel_data.load_all(); "
        "assert all(len(df) for df in frames.values()); "
        "r = cartel_data.validate(None); assert r.valid, r.to_text(); "
        "print(cartel_data.__version__, sorted(frames))"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = subprocess.run([str(py), "-c", code], cwd=elsewhere, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "persons" in out.stdout
    cli = subprocess.run([str(env_dir / "bin" / "cartel-data"), "validate", "--strict"], cwd=elsewhere,
                         capture_output=True, text=True)
    assert cli.returncode == 0, cli.stdout + cli.stderr
