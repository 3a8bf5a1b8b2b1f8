"""The demo stands apart from the product (issue 11): `planasmun serve` outside demo mode
runs with the `demo` package absent, and demo mode registers the demo's own hooks.

The subprocesses run from a temporary directory, so that the project root is not first on
their `sys.path`; a shim directory first on `PYTHONPATH` holds a `demo` package whose import
fails, so any import of `demo` by the product would stop the hub.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest

from connectors.hooks import get_hook, register_hook
from demo import legacy_sql
from demo.launch import HOOKS, register_hooks
from tests.fixtures import DEMO_MUNICIPALITIES_DIR
from tests.support import free_port

SHIM_MESSAGE = "the demo package is absent in this test"


def _environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    """This process's environment without its PLANASMUN_* settings, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANASMUN_")}
    env.update(
        {
            "PLANASMUN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
            "PLANASMUN_DEMO_DATA_DIR": str(tmp_path / "demo-systems"),
            **settings,
        }
    )
    return env


def _without_demo(tmp_path: Path, env: Mapping[str, str]) -> dict[str, str]:
    """`env` with a `demo` package that cannot be imported, ahead of the installed one."""
    shim = tmp_path / "shim"
    (shim / "demo").mkdir(parents=True, exist_ok=True)
    (shim / "demo" / "__init__.py").write_text(f"raise ImportError({SHIM_MESSAGE!r})\n")
    path = os.pathsep.join(p for p in (str(shim), env.get("PYTHONPATH", "")) if p)
    return {**env, "PYTHONPATH": path}


def _run(args: list[str], cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def one_native_municipality(tmp_path: Path) -> Path:
    directory = tmp_path / "municipalities"
    directory.mkdir()
    shutil.copy(DEMO_MUNICIPALITIES_DIR / "jarabacoa.yaml", directory)
    return directory


@contextlib.contextmanager
def _serving(
    tmp_path: Path, env: Mapping[str, str], port: int
) -> Iterator[subprocess.Popen[bytes]]:
    log_path = tmp_path / f"hub-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    pytest.fail(f"hub exited early:\n{log_path.read_text(errors='replace')}")
                if time.monotonic() > deadline:
                    pytest.fail(f"hub did not start:\n{log_path.read_text(errors='replace')}")
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).is_success:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def test_the_shim_makes_the_demo_unimportable(tmp_path: Path) -> None:
    env = _without_demo(tmp_path, _environment(tmp_path))
    done = _run(["-c", "import demo"], tmp_path, env)
    assert done.returncode != 0 and SHIM_MESSAGE in done.stderr


def test_serve_outside_demo_mode_runs_without_the_demo_package(
    tmp_path: Path, one_native_municipality: Path
) -> None:
    port = free_port()
    env = _without_demo(
        tmp_path,
        _environment(
            tmp_path,
            PLANASMUN_DEMO="false",
            PLANASMUN_MUNICIPALITIES_DIR=str(one_native_municipality),
        ),
    )
    with _serving(tmp_path, env, port):
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
        answer = httpx.post(
            f"{base}/graphql", json={"query": "{ municipalities { id name } }"}, timeout=10
        )
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "data": {"municipalities": [{"id": "jarabacoa", "name": "Jarabacoa"}]}
        }


def test_demo_mode_needs_the_demo_package_and_says_so(
    tmp_path: Path, one_native_municipality: Path
) -> None:
    env = _without_demo(
        tmp_path, _environment(tmp_path, PLANASMUN_MUNICIPALITIES_DIR=str(one_native_municipality))
    )
    done = _run(["-m", "gateway.cli", "check-config"], tmp_path, env)
    assert done.returncode != 0
    assert SHIM_MESSAGE in done.stderr


def test_check_config_in_demo_mode_finds_the_demos_hook(tmp_path: Path) -> None:
    """La Vega's file names `simuvega-canales`: the demo registers it, the product does not."""
    directory = str(DEMO_MUNICIPALITIES_DIR)
    in_demo = _run(
        ["-m", "gateway.cli", "check-config", directory], tmp_path, _environment(tmp_path)
    )
    assert in_demo.returncode == 0, in_demo.stderr
    assert "10 municipality file(s) valid" in in_demo.stdout

    outside = _run(
        ["-m", "gateway.cli", "check-config", directory],
        tmp_path,
        _environment(tmp_path, PLANASMUN_DEMO="false"),
    )
    assert outside.returncode == 1
    assert "la-vega.yaml" in outside.stderr and "'simuvega-canales'" in outside.stderr


def test_each_demo_worker_registers_the_demos_hooks(tmp_path: Path) -> None:
    """uvicorn's workers build their app with the demo's factory, in a fresh process."""
    script = (
        "from connectors import hooks\n"
        "from demo import launch\n"
        "assert 'simuvega-canales' not in hooks._HOOKS\n"
        "launch.app_from_environment()\n"
        "print(hooks.get_hook('simuvega-canales').__qualname__)\n"
    )
    done = _run(["-c", script], tmp_path, _environment(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["simuvega_channels"]


def test_the_demos_hook_maps_la_vegas_channels() -> None:
    register_hooks()
    register_hooks()  # again: harmless
    hook = get_hook("simuvega-canales")
    assert hook is HOOKS["simuvega-canales"] is legacy_sql.simuvega_channels
    mapped = hook({"CANAL_WEB": "S", "CANAL_TEL": "N"}, {"municipality_id": "la-vega"})
    assert mapped["channels"] == ["presencial", "en_linea"]


def test_a_hook_name_is_registered_once() -> None:
    def other(raw: Mapping[str, object], record: dict[str, object]) -> dict[str, object]:
        return record

    with pytest.raises(ValueError, match=r"hook 'simuvega-canales'.*legacy_sql\.simuvega_channels"):
        register_hook("simuvega-canales", other)
    assert get_hook("simuvega-canales") is legacy_sql.simuvega_channels
