#!/usr/bin/env python3
"""Set up and run PLANASMUN with nothing but Python 3.11 (and apt for `venv` on Debian).

    python3 dev.py run     create .venv, install, start the demo hub on http://127.0.0.1:8000
    python3 dev.py test    create .venv, install with test extras, run ruff, mypy and pytest

Only the standard library is used here, because it runs before anything is installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"


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


def _install(extras: str) -> None:
    _ensure_venv()
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", f".{extras}")


def run() -> int:
    _install("")
    os.execv(BIN / "planasmun", [str(BIN / "planasmun"), "serve"])  # noqa: S606


def test() -> int:
    _install("[test]")
    _run(BIN / "ruff", "check", ".")
    _run(BIN / "ruff", "format", "--check", ".")
    _run(BIN / "mypy")
    code = _run(BIN / "pytest", *sys.argv[2:], check=False)
    if code == 5:
        print("pytest collected no tests: that is a failure, not a pass.", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    commands = {"run": run, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        sys.exit(commands[sys.argv[1]]())
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode or 1)
