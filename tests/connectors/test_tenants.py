"""Municipality files: every problem reported as `file: key: expected, found`, all or nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from connectors import InvalidConfiguration, load_directory
from tests.fixtures import DEMO_MUNICIPALITIES_DIR, MUNICIPALITIES_DIR
from tests.support import PROJECT_ROOT


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "municipalities"
    shutil.copytree(MUNICIPALITIES_DIR, target)
    return target


def _edit(directory: Path, municipality_id: str, change: dict[str, object]) -> Path:
    path = directory / f"{municipality_id}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for dotted, value in change.items():
        *parents, last = dotted.split(".")
        node = data
        for key in parents:
            node = node[key]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


_DELETE = object()


def _problems(directory: Path) -> list[str]:
    with pytest.raises(InvalidConfiguration) as caught:
        load_directory(directory)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("directory", [DEMO_MUNICIPALITIES_DIR, MUNICIPALITIES_DIR])
def test_demo_set_is_the_ten_pilot_governments(
    directory: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PLANASMUN_DEMO_DATA_DIR", str(tmp_path))
    loaded = load_directory(directory)
    kinds = sorted(m.file.kind.value for m in loaded.values())
    assert len(loaded) == 10
    assert kinds.count("ayuntamiento") == 7 and kinds.count("junta_distrito") == 3
    assert all(m.file.demo for m in loaded.values())


@pytest.mark.parametrize(
    ("change", "key", "expected"),
    [
        ({"sources.hub.connector": "sooap"}, "sources.hub.connector", "expected one of: native"),
        ({"one_code": _DELETE}, "one_code", "expected a value, found nothing"),
        ({"sources.hub.timeout_seconds": "slow"}, "sources.hub.timeout_seconds", "found 'slow'"),
        (
            {"provinse": "Santiago"},
            "provinse",
            "expected one of the keys id, one_code, short_code, name, kind, province, parent, "
            "contact, demo, procurement_unit, sources, bindings, found 'provinse' (misspelt?)",
        ),
        (
            {"contact.emial": "x@y.do"},
            "contact.emial",
            "expected one of the keys address, phone, email, website, hours, found 'emial'",
        ),
        ({"kind": "distrito"}, "kind", "'ayuntamiento' or 'junta_distrito', found 'distrito'"),
        ({"province": "Santiago de Cuba"}, "province", "found 'Santiago de Cuba'"),
        ({"bindings.services.source": "erp"}, "bindings.services.source", "found 'erp'"),
        (
            {"bindings.consultations": {"source": "hub"}},
            "bindings.consultations",
            "expected a capability a connector offers (budget, departments, procurement, "
            "requests, services, works), found 'consultations'",
        ),
        ({"one_code": "25"}, "one_code", "ONE territorial code of 4 or 6 digits, found '25'"),
        ({"id": "santiago-2"}, "id", "expected the file's name ('santiago')"),
    ],
)
def test_each_problem_names_file_key_expected_and_found(
    config_dir: Path, change: dict[str, object], key: str, expected: str
) -> None:
    path = _edit(config_dir, "santiago", change)
    problems = _problems(config_dir)
    assert any(p.startswith(f"{path}: {key}: ") and expected in p for p in problems), "\n".join(
        problems
    )


def test_junta_needs_a_parent_and_a_code_under_it(config_dir: Path) -> None:
    path = _edit(config_dir, "manabao", {"one_code": "250101"})
    expected = "expected 6 digits starting with the parent's code '1303', found '250101'"
    assert f"{path}: one_code: {expected}" in _problems(config_dir)
    _edit(config_dir, "manabao", {"one_code": "130303", "parent": _DELETE})
    assert any(p.startswith(f"{path}: parent: expected the parent") for p in _problems(config_dir))


def test_codes_are_unique_across_files(config_dir: Path) -> None:
    _edit(config_dir, "la-vega", {"short_code": "STI"})
    assert any(
        "short_code: expected a unique value, found 'STI'" in p for p in _problems(config_dir)
    )


def test_all_problems_of_all_files_are_reported_together(config_dir: Path) -> None:
    _edit(config_dir, "santiago", {"kind": "x"})
    _edit(config_dir, "cabarete", {"one_code": _DELETE})
    problems = _problems(config_dir)
    assert any("santiago.yaml: kind" in p for p in problems)
    assert any("cabarete.yaml: one_code" in p for p in problems)


def test_literal_secrets_are_never_echoed(config_dir: Path) -> None:
    _edit(config_dir, "santiago", {"sources.hub.password": "hunter2-very-secret"})
    problems = _problems(config_dir)
    assert any("sources.hub.password" in p for p in problems)
    assert all("hunter2" not in p for p in problems)


def test_broken_yaml_names_the_line(config_dir: Path) -> None:
    (config_dir / "santiago.yaml").write_text("id: santiago\nname: [unclosed\n", encoding="utf-8")
    problems = _problems(config_dir)
    assert any(p.startswith(f"{config_dir / 'santiago.yaml'}: line ") for p in problems)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_check_config_cli_exits_non_zero_with_the_messages(config_dir: Path) -> None:
    path = _edit(config_dir, "higuey", {"sources.hub.connector": "sooap"})
    result = _cli("check-config", str(config_dir))
    assert result.returncode != 0
    kinds = "native, ocds, rest, soap, spreadsheet, sql"
    expected = f"{path}: sources.hub.connector: expected one of: {kinds}, found 'sooap'"
    assert expected in result.stderr
    ok = _cli("check-config", str(MUNICIPALITIES_DIR))
    assert ok.returncode == 0, ok.stderr
    assert "10 municipality file(s) valid" in ok.stdout


def test_server_refuses_to_start_on_an_invalid_file(config_dir: Path, tmp_path: Path) -> None:
    import os

    path = _edit(config_dir, "higuey", {"one_code": _DELETE})
    env = {
        **os.environ,
        "PLANASMUN_MUNICIPALITIES_DIR": str(config_dir),
        "PLANASMUN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
    }
    result = _cli("serve", "--port", "1", env=env)
    assert result.returncode != 0
    assert f"{path}: one_code: expected a value" in result.stderr
    assert "did not start" in result.stderr
    assert not (tmp_path / "hub.db").exists(), "nothing may be written when a file is invalid"


def test_environment_values_fill_deployment_specific_strings(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _edit(config_dir, "santiago", {"contact.website": "https://${SANTIAGO_HOST:-santiago.gob.do}/"})
    _edit(config_dir, "la-vega", {"contact.website": "https://${LA_VEGA_HOST}/"})
    monkeypatch.setenv("LA_VEGA_HOST", "lavega.example.do")
    loaded = load_directory(config_dir)
    assert loaded["santiago"].file.contact.website == "https://santiago.gob.do/"
    assert loaded["la-vega"].file.contact.website == "https://lavega.example.do/"
    monkeypatch.delenv("LA_VEGA_HOST")
    (problem,) = _problems(config_dir)
    assert problem.endswith(
        "contact.website: expected environment variable LA_VEGA_HOST to be "
        "set (or a default: ${LA_VEGA_HOST:-value}), found it unset"
    )
