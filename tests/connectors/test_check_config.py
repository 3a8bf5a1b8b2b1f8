"""`planasmun check-config` as an integrator meets it: every problem of every file in one
run, each as `file: key: expected …, found …` in plain words, never a validator's own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors import Capability, InvalidConfiguration, default_registry, load_directory
from schema.requests.forms import load_request_forms
from tests.fixtures import DEMO_MUNICIPALITIES_DIR
from tests.support import PROJECT_ROOT


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PLANASMUN_DEMO_DATA_DIR", str(tmp_path / "data"))
    target = tmp_path / "municipalities"
    shutil.copytree(DEMO_MUNICIPALITIES_DIR, target)
    return target


def _change(path: Path, edit: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _santiago(data: dict[str, Any]) -> None:
    del data["one_code"]
    data["sources"]["munisoft"]["timeout_seconds"] = "slow"
    services = data["bindings"]["services"]
    del services["fields"]["category"]  # the vendor has no categories, and none is declared
    services["fields"]["requirements"] = {"frm": "documentos.string"}
    data["bindings"]["consultations"] = {"source": "munisoft"}


def _la_vega(data: dict[str, Any]) -> None:
    data["sources"]["simuvega"]["url"] = "sqlite:///simuvega.db"
    fields = data["bindings"]["services"]["fields"]
    fields["fee_amount"] = {"from": "MONTO", "type": "moneyy"}
    fields["name"] = 42


def _problems(directory: Path) -> list[str]:
    with pytest.raises(InvalidConfiguration) as caught:
        load_directory(directory)
    return [str(p) for p in caught.value.problems]


def test_every_mistake_of_two_files_in_one_run_in_plain_words(config_dir: Path) -> None:
    santiago, la_vega = config_dir / "santiago.yaml", config_dir / "la-vega.yaml"
    _change(santiago, _santiago)
    _change(la_vega, _la_vega)
    problems = _problems(config_dir)
    assert sorted(problems) == sorted(
        [
            f"{la_vega}: sources.simuvega.url: expected a URL with an asyncio driver "
            "(sqlite+aiosqlite, postgresql+asyncpg, mysql+aiomysql…), found the driver 'sqlite'",
            f"{la_vega}: bindings.services.fields.name: expected a text or a mapping "
            "(key: value), found 42",
            f"{la_vega}: bindings.services.fields.fee_amount.type: expected one of 'text', "
            "'int', 'decimal', 'money', 'percent', 'fraction', 'date', 'bool' or 'list', "
            "found 'moneyy'",
            f"{santiago}: one_code: expected a value, found nothing (the key is missing)",
            f"{santiago}: bindings.consultations: expected a capability a connector offers "
            "(budget, departments, procurement, requests, services, works), "
            "found 'consultations'",
            f"{santiago}: sources.munisoft.timeout_seconds: expected a number, found 'slow'",
            f"{santiago}: bindings.services.fields.requirements.frm: expected one of the keys "
            "from, value, type, map, separator, day_first, default, found 'frm' (misspelt?)",
            f"{santiago}: bindings.services.fields.category: expected a mapping for the "
            "required field 'category' (a source field, `{from: ...}`, `{value: ...}` or "
            "`{default: ...}`), found none",
        ]
    )


def test_the_command_prints_them_all_and_fails(config_dir: Path, tmp_path: Path) -> None:
    _change(config_dir / "santiago.yaml", _santiago)
    _change(config_dir / "la-vega.yaml", _la_vega)
    result = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "check-config", str(config_dir)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PLANASMUN_DEMO_DATA_DIR": str(tmp_path / "data")},
        check=False,
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(config_dir))]
    assert len(lines) == 8, result.stderr
    assert "8 problem(s) found; nothing was started." in result.stderr
    for internal in ("function-after", "FieldSpec", "Input should", "Value error", ".str:"):
        assert internal not in result.stderr
    assert all(line.count("found") == 1 for line in lines), lines


def test_a_repeated_key_is_refused_with_its_path_and_lines(config_dir: Path) -> None:
    path = config_dir / "la-vega.yaml"
    text = path.read_text(encoding="utf-8")
    assert "      id: COD_TRAMITE\n" in text
    path.write_text(
        text.replace("      id: COD_TRAMITE\n", "      id: COD_TRAMITE\n      name: OTRO\n", 1),
        encoding="utf-8",
    )
    (problem,) = _problems(config_dir)
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines.index("      name: OTRO") + 1
    second = next(i for i, line in enumerate(lines) if line.startswith("      name: DESC")) + 1
    assert problem == (
        f"{path}: bindings.services.fields.name: expected each key once in a mapping, "
        f"found 'name' again on line {second} (first on line {first})"
    )


def test_a_repeated_key_in_the_request_forms_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "request-forms.yaml"
    path.write_text("categories: {}\ncategories: {}\n", encoding="utf-8")
    with pytest.raises(InvalidConfiguration) as caught:
        load_request_forms(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}: categories: expected each key once in a mapping, found 'categories' "
        "again on line 2 (first on line 1)"
    ]


def test_only_capabilities_some_kind_offers_are_listed() -> None:
    offered: set[Capability] = set()
    for kind in default_registry.known_kinds():
        offered |= default_registry.get(kind).capabilities
    assert sorted(c.value for c in offered) == [
        "budget",
        "departments",
        "procurement",
        "requests",
        "services",
        "works",
    ]
    assert not offered & {Capability.CONSULTATIONS, Capability.HELPDESK}
