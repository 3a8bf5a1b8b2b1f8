#!/usr/bin/env python3
"""Set up and run PLANASMUN with nothing but Python 3.11 (and apt for `venv` on Debian).

    python3 dev.py run     create .venv, install the run lock, start the demo hub on :8000
    python3 dev.py test    create .venv, install the test lock, run ruff, mypy and pytest
    python3 dev.py lock    regenerate both locks from pyproject.toml (needs the registry)

Every install comes from a lock with hashes (`requirements/run.txt`: the product and the
demo's simulated systems; `requirements/test.txt`: that plus the test tools), so a release
upstream changes nothing until the locks are regenerated on purpose. The project itself is
installed without build isolation, with the build backend the lock pins.

Only the standard library is used here, because it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
LOCKS = ROOT / "requirements"
#: The locking tool, itself pinned; `dev.py lock` installs it into a venv of its own.
UV = "uv==0.13.10"
TOOLS = ROOT / ".tools"


def _run(*argv: str | Path, check: bool = True) -> int:
    print("+", " ".join(str(a) for a in argv), flush=True)
    return subprocess.run([str(a) for a in argv], cwd=ROOT, check=check).returncode  # noqa: S603


def _ensure_venv() -> None:
    if (BIN / "python").exists():
        return
    try:
        _run(sys.executable, "-m", "venv", VENV)
    except subprocess.CalledProcessError:
        # Debian's python3 ships venv without ensurepip until python3-venv is installed.
        shutil.rmtree(VENV, ignore_errors=True)
        apt = ["apt-get", "install", "-y", f"python3.{sys.version_info.minor}-venv"]
        if os.geteuid() != 0:
            apt.insert(0, "sudo")
        _run(*apt)
        _run(sys.executable, "-m", "venv", VENV)


def _install(lock_name: str) -> None:
    """Install `requirements/<lock_name>` and the project; nothing when both are as before."""
    _ensure_venv()
    lock = LOCKS / lock_name
    digest = hashlib.sha256(lock.read_bytes() + (ROOT / "pyproject.toml").read_bytes())
    stamp = VENV / f".installed-{lock.stem}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    pip = (BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check")
    _run(*pip, "--require-hashes", "-r", lock)
    _run(*pip, "--no-deps", "--no-build-isolation", "-e", ".")
    stamp.write_text(digest.hexdigest())


def run() -> int:
    _install("run.txt")
    os.execv(BIN / "planasmun", [str(BIN / "planasmun"), "serve"])  # noqa: S606


def test() -> int:
    _install("test.txt")
    _run(BIN / "ruff", "check", ".")
    _run(BIN / "ruff", "format", "--check", ".")
    _run(BIN / "mypy")
    code = _run(BIN / "pytest", *sys.argv[2:], check=False)
    if code == 5:
        print("pytest collected no tests: that is a failure, not a pass.", file=sys.stderr)
        return 1
    return code


def lock() -> int:
    """Resolve pyproject.toml again (the newest releases its ranges allow) into both locks."""
    if not (TOOLS / "bin" / "uv").exists():
        _run(sys.executable, "-m", "venv", TOOLS)
        _run(TOOLS / "bin" / "python", "-m", "pip", "install", "--quiet", UV)
    uv_compile = (TOOLS / "bin" / "uv", "pip", "compile", "--quiet", "--generate-hashes")
    common = ("--universal", "--python-version", "3.11", "--index-url", "https://pypi.org/simple")
    project = (*uv_compile, "pyproject.toml", "requirements/build.in", *common, "--extra", "demo")
    _run(*project, "-o", "requirements/run.txt")
    # The tests run exactly the versions the product runs with.
    test_lock = ("-c", "requirements/run.txt", "-o", "requirements/test.txt")
    _run(*project, "--extra", "test", *test_lock)
    profiling = ("benchmarks/profiling.in", "-o", "benchmarks/profiling.txt")
    _run(*uv_compile, *common, *profiling)
    return 0


if __name__ == "__main__":
    commands = {"run": run, "test": test, "lock": lock}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        sys.exit(commands[sys.argv[1]]())
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode or 1)
