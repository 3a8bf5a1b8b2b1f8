"""The locks every install comes from (`requirements/run.txt`, `requirements/test.txt`).

A fresh machine installs exactly what they pin, so they must be complete (everything the
product, the demo or the tests import is pinned with hashes), current (every range in
pyproject.toml admits its pin) and apart (the run lock holds no test tool; the tests use
the run lock's versions).
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
#: Installed by the run command: the product and the demo's simulated systems.
RUN_PACKAGES = (
    "words",
    "gateway",
    "store",
    "connectors",
    "schema",
    "accessibility",
    "web",
    "config",
    "demo",
)
TEST_TOOLS = ("pytest", "pytest-asyncio", "ruff", "mypy", "playwright", "axe-playwright-python")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)(\s*;\s*([^\\]+?))?\s*\\?$")


def pins(lock: Path) -> dict[str, str]:
    """name → version for every pin of a lock, checking that each carries a hash."""
    found: dict[str, str] = {}
    lines = lock.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        match = PIN.match(line)
        if match is None:
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        assert following.strip().startswith("--hash=sha256:"), f"{lock.name}: {line} unhashed"
        found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def project() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def requirements(*extras: str) -> list[Requirement]:
    table = project()
    listed = [*table["dependencies"]]  # type: ignore[misc]
    for extra in extras:
        listed += table["optional-dependencies"][extra]  # type: ignore[index]
    environment = {**default_environment(), "extra": ""}
    found = [Requirement(text) for text in listed]
    return [
        r
        for r in found
        if canonicalize_name(r.name) != "planasmun"
        and (r.marker is None or r.marker.evaluate(environment))
    ]


RUN = ROOT / "requirements" / "run.txt"
TEST = ROOT / "requirements" / "test.txt"


@pytest.mark.parametrize(("lock", "extras"), [(RUN, ("demo",)), (TEST, ("demo", "test"))])
def test_every_requirement_is_pinned_with_a_version_its_range_admits(
    lock: Path, extras: tuple[str, ...]
) -> None:
    pinned = pins(lock)
    problems = []
    for requirement in requirements(*extras):
        version = pinned.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement.name}: not in {lock.name}")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement}: {lock.name} pins {version}")
    assert problems == [], "regenerate the locks with `python3 dev.py lock`"


def test_the_run_lock_holds_no_test_tool_and_the_tests_run_its_versions() -> None:
    run, test = pins(RUN), pins(TEST)
    assert [tool for tool in TEST_TOOLS if tool in run] == []
    assert all(tool in test for tool in TEST_TOOLS)
    assert {name: (version, test.get(name)) for name, version in run.items()} == {
        name: (version, version) for name, version in run.items()
    }
    assert "setuptools" in run  # the build backend, installed without build isolation


def third_party_imports(package: str) -> set[str]:
    names: set[str] = set()
    local = {*RUN_PACKAGES, "tests", "benchmarks"}
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in local and n not in sys.stdlib_module_names}


def unprovided(imported: set[str], pinned: dict[str, str]) -> dict[str, list[str]]:
    """Imported top-level modules that no pinned distribution provides."""
    providers = importlib.metadata.packages_distributions()
    return {
        module: providers.get(module, ["(no installed distribution)"])
        for module in sorted(imported)
        if not any(canonicalize_name(d) in pinned for d in providers.get(module, []))
    }


def test_everything_the_run_command_imports_comes_from_the_run_lock() -> None:
    """What made `dev.py run` die with ModuleNotFoundError: a demo import that only the test
    extra installed. The run lock must provide every import of what the run installs."""
    imported = set().union(*(third_party_imports(p) for p in RUN_PACKAGES))
    assert "spyne" in imported and "starlette" in imported
    assert unprovided(imported, pins(RUN)) == {}


def test_the_check_names_an_import_the_run_lock_lacks() -> None:
    assert unprovided({"pytest", "starlette"}, pins(RUN)) == {"pytest": ["pytest"]}
