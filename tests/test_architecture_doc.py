"""ARCHITECTURE.md names only paths that exist, and names every top-level package."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: `a/b.py`, `a/b/`, `a/b.yaml`… in backticks; a path is anything with a slash or a suffix.
PATH = re.compile(r"`([A-Za-z_][\w.-]*(?:/[\w.-]+)*/?)`")
SUFFIXES = (".py", ".md", ".yaml", ".graphql", ".po", ".html", ".toml")


def named_paths(text: str) -> list[str]:
    return sorted(
        {p for p in PATH.findall(text) if "/" in p or p.endswith(SUFFIXES)} - {"POST /requests"}
    )


def test_every_path_the_architecture_page_names_exists() -> None:
    named = named_paths((ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    assert len(named) > 40
    assert [p for p in named if not (ROOT / p).exists()] == []


def test_the_architecture_page_names_every_package() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    packages = sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests")
    assert [p for p in packages if f"{p}/" not in text] == []


def test_the_check_sees_a_path_that_is_gone() -> None:
    assert named_paths("see `connectors/gone.py` and `store/` but not `first`") == [
        "connectors/gone.py",
        "store/",
    ]
