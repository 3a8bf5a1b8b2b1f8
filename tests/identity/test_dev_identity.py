"""`planasmun dev-identity` as the README runs it (issue 12, item 7): the bundled provider
alone on loopback, a hub started without the demo that trusts it from the settings the
command prints, a bearer token for a demo citizen obtained without a browser, and a
request submitted with it; everything over real HTTP, each part in its own process.

The government is a new one, onboarded as an integrator would: one YAML file and its
treasurer's CSV catalogue, no demo system behind it.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest

from demo import identity_provider
from demo.dev_identity import token_curl
from demo.identity_provider import DEV_CLIENT_ID, ISSUER_VARIABLE
from tests.support import PROJECT_ROOT, free_port, running_hub

SOSUA_YAML = """\
id: sosua
one_code: "1807"
short_code: SOS
name: Sosúa
kind: ayuntamiento
province: Puerto Plata
contact: {address: "Calle Pedro Clisante 1, Sosúa", phone: "+1 809-555-0100",
          email: "info@example.do"}
sources:
  catalogo: {connector: spreadsheet, path: "${SOSUA_CATALOGUE}"}
bindings:
  services:
    source: catalogo
    fields:
      id: codigo
      name: servicio
      category: categoria
      channels: {from: canales, separator: ","}
"""
SOSUA_CSV = (
    "codigo,servicio,categoria,canales\n"
    'CER-01,Certificación de residencia,certificaciones,"presencial,en_linea"\n'
)
SUBMIT = """
mutation Submit($input: SubmitServiceRequestInput!) {
  submitServiceRequest(input: $input) {
    created
    request { trackingNumber serviceId status description }
    errors { field code }
  }
}
"""
TRACK = "query Track($n: String!) { serviceRequest(trackingNumber: $n) { status description } }"


def _environment(**settings: str) -> dict[str, str]:
    """This process's environment without its PLANASMUN_* settings, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANASMUN_")}
    return {**env, **settings}


def _cli(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        cwd=PROJECT_ROOT,
        env=dict(env) if env is not None else _environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )


@dataclasses.dataclass(frozen=True)
class DevProvider:
    issuer: str
    banner: str
    #: The `export NAME=value` lines of the banner.
    exports: dict[str, str]


@pytest.fixture(scope="module")
def dev_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevProvider]:
    """`planasmun dev-identity --port P`, in its own process, until its banner is out."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("dev-identity") / "dev-identity.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "dev-identity", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while "Stop with Ctrl-C." not in (banner := log_path.read_text()):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"dev-identity did not start:\n{banner}")
                time.sleep(0.1)
            exports = dict(
                shlex.split(line.strip())[1].split("=", 1)
                for line in banner.splitlines()
                if line.strip().startswith("export ")
            )
            yield DevProvider(f"http://127.0.0.1:{port}", banner, exports)
        finally:
            process.terminate()
            process.wait(10)


@pytest.fixture(scope="module")
def hub(dev_provider: DevProvider, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`planasmun serve` with no demo, one new government, and the printed settings."""
    directory = tmp_path_factory.mktemp("dev-identity-hub")
    municipalities = directory / "municipalities"
    municipalities.mkdir()
    (municipalities / "sosua.yaml").write_text(SOSUA_YAML, encoding="utf-8")
    (directory / "catalogo.csv").write_text(SOSUA_CSV, encoding="utf-8")
    env = {
        **dev_provider.exports,
        "PLANASMUN_MUNICIPALITIES_DIR": str(municipalities),
        "SOSUA_CATALOGUE": str(directory / "catalogo.csv"),
    }
    with running_hub(directory, env, timeout=60) as base_url:
        yield base_url


def _submit(hub: str, token: str, key: str) -> httpx.Response:
    variables = {
        "input": {
            "municipalityId": "sosua",
            "serviceId": "CER-01",
            "description": "Necesito una certificación de residencia para un empleo.",
            "idempotencyKey": key,
            "consent": True,
        }
    }
    return httpx.post(
        f"{hub}/graphql",
        json={"query": SUBMIT, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=20,
    )


def _curl_form(command: str) -> dict[str, str]:
    """The `-d name=value` fields of a `curl` command line."""
    words = shlex.split(command)
    return dict(words[i + 1].split("=", 1) for i, word in enumerate(words) if word == "-d")


def test_the_banner_names_the_settings_for_a_hub_without_the_demo(
    dev_provider: DevProvider,
) -> None:
    exports = dev_provider.exports
    assert exports["PLANASMUN_DEMO"] == "false"
    assert exports[ISSUER_VARIABLE] == dev_provider.issuer
    assert len(exports["PLANASMUN_OIDC_CLIENT_SECRET"]) >= 32
    assert len(exports["PLANASMUN_SESSION_SECRET"]) >= 32
    assert "FOR DEVELOPMENT ONLY" in dev_provider.banner
    assert token_curl(dev_provider.issuer) in dev_provider.banner


def test_a_citizen_token_from_the_cli_submits_a_request(
    hub: str, dev_provider: DevProvider
) -> None:
    done = _cli("dev-identity", "token", "--user", "maria", "--issuer", dev_provider.issuer)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", token), "one JWT alone on stdout"

    answer = _submit(hub, token, "dev-identity-cli-01")
    assert answer.status_code == 200, answer.text
    result = answer.json()["data"]["submitServiceRequest"]
    assert result["errors"] == [] and result["created"] is True
    request = result["request"]
    assert re.fullmatch(r"SOS-\d{4}-\d{6}", request["trackingNumber"])
    assert (request["serviceId"], request["status"]) == ("CER-01", "RECIBIDA")

    # The same citizen reads what they wrote; nobody signed in does not.
    variables = {"n": request["trackingNumber"]}
    mine = httpx.post(
        f"{hub}/graphql",
        json={"query": TRACK, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()["data"]["serviceRequest"]
    assert mine == {"status": "RECIBIDA", "description": request["description"]}
    anonymous = httpx.post(
        f"{hub}/graphql", json={"query": TRACK, "variables": variables}, timeout=10
    ).json()["data"]["serviceRequest"]
    assert anonymous["status"] == "RECIBIDA" and anonymous["description"] is None


def test_the_documented_curl_gets_a_token_the_hub_accepts(
    hub: str, dev_provider: DevProvider
) -> None:
    form = _curl_form(token_curl(dev_provider.issuer, "juan"))
    assert form["grant_type"] == "password" and form["client_id"] == DEV_CLIENT_ID
    issued = httpx.post(f"{dev_provider.issuer}/token", data=form, timeout=10)
    assert issued.status_code == 200, issued.text
    body: dict[str, Any] = issued.json()
    assert body["token_type"] == "Bearer" and "refresh_token" not in body

    answer = _submit(hub, body["access_token"], "dev-identity-curl-01")
    assert answer.json()["data"]["submitServiceRequest"]["errors"] == []


def test_the_readme_shows_the_documented_path() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "planasmun dev-identity" in readme
    assert "planasmun dev-identity token --user maria" in readme
    assert token_curl("http://127.0.0.1:8703") in readme
    assert "Authorization: Bearer" in readme and "submitServiceRequest" in readme


def test_the_hub_refuses_a_token_from_a_provider_it_does_not_trust(
    hub: str, dev_provider: DevProvider
) -> None:
    with identity_provider.running() as other:
        # Its own issuer: not the one the hub was started with.
        foreign = other.issue_access_token("maria")
        # Claiming the trusted issuer, but signed with a key the trusted one never published.
        forged = other.issue_access_token("maria", issuer=dev_provider.issuer)
    for token in (foreign, forged):
        answer = _submit(hub, token, "dev-identity-foreign-01")
        assert answer.status_code == 401, answer.text
        assert 'error="invalid_token"' in answer.headers["www-authenticate"]
        assert "data" not in answer.json()


def test_wrong_password_and_unknown_account_get_no_token(dev_provider: DevProvider) -> None:
    done = _cli("dev-identity", "token", "--user", "nadie", "--issuer", dev_provider.issuer)
    assert done.returncode == 1 and done.stdout == ""
    assert "refused" in done.stderr and "maria" in done.stderr
    form = {**_curl_form(token_curl(dev_provider.issuer)), "password": "otra-clave"}
    refused = httpx.post(f"{dev_provider.issuer}/token", data=form, timeout=10)
    assert refused.status_code == 400 and "access_token" not in refused.json()


def test_the_hubs_own_client_cannot_use_the_password_grant(dev_provider: DevProvider) -> None:
    form = {
        **_curl_form(token_curl(dev_provider.issuer)),
        "client_id": identity_provider.DEFAULT_CLIENT_ID,
        "client_secret": dev_provider.exports["PLANASMUN_OIDC_CLIENT_SECRET"],
    }
    refused = httpx.post(f"{dev_provider.issuer}/token", data=form, timeout=10)
    assert refused.status_code in (400, 401) and "access_token" not in refused.json()


def test_the_demo_hubs_provider_offers_no_password_grant() -> None:
    with identity_provider.running(client_secret="x" * 32) as provider:
        metadata = httpx.get(f"{provider.issuer}/.well-known/openid-configuration").json()
        assert metadata["grant_types_supported"] == ["authorization_code"]
        form = _curl_form(token_curl(provider.issuer))
        refused = httpx.post(f"{provider.issuer}/token", data=form, timeout=10)
    assert refused.status_code == 400
    assert refused.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org"])
def test_the_provider_refuses_any_host_but_loopback(host: str) -> None:
    done = _cli("dev-identity", "--host", host, "--port", str(free_port()))
    assert done.returncode == 2
    assert "for development" in done.stderr and "loopback only" in done.stderr
    with pytest.raises(ValueError, match="loopback only"):
        identity_provider.start(0, host=host)


def test_the_token_command_sends_the_password_to_loopback_only() -> None:
    done = _cli("dev-identity", "token", "--issuer", "https://login.example.gob.do")
    assert done.returncode == 2 and done.stdout == ""
    assert "loopback" in done.stderr


def test_the_token_command_says_when_no_provider_runs() -> None:
    done = _cli("dev-identity", "token", "--issuer", f"http://127.0.0.1:{free_port()}")
    assert done.returncode == 1
    assert "planasmun dev-identity" in done.stderr
