"""Optional profiles of the hub's workers while a scenario runs (`--profile DIR`).

py-spy is a benchmark tool, not a dependency of the product or of the tests: it is
installed from the registry (the hashed lock `benchmarks/profiling.txt`) the first time a
benchmark is asked to profile, into the interpreter running the benchmark.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

LOCK = Path(__file__).with_name("profiling.txt")


def py_spy() -> str:
    """The py-spy executable, installed from the lock when it is missing."""
    installed = Path(sys.executable).with_name("py-spy")
    if not installed.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--require-hashes", "-r", LOCK],
            check=True,
        )
    return str(installed) if installed.exists() else shutil.which("py-spy") or "py-spy"


def worker_pids(supervisor: int) -> list[int]:
    """The uvicorn workers of a supervisor (or the supervisor itself when it serves)."""
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children")
    found = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    return found or [supervisor]


@contextlib.contextmanager
def recording(directory: Path | None, name: str, supervisor: int, seconds: int) -> Iterator[None]:
    """Record one worker's flame graph (`<directory>/<name>.svg`) while the block runs."""
    if directory is None:
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{name.replace(' ', '-').replace(',', '')}.svg"
    command = [py_spy(), "record", "--nonblocking", "-d", str(seconds), "-o", str(target)]
    process = subprocess.Popen(
        [*command, "-p", str(worker_pids(supervisor)[0])],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        try:
            process.wait(seconds + 30)
        except subprocess.TimeoutExpired:
            process.kill()
        print(f"  profile: {target}", flush=True)
