"""Files attached to a request, over real HTTP (GraphQL multipart requests, bearer tokens
of the bundled OpenID provider): a JPEG and a PDF are stored (read back from the hub
store); a file too large, a program named `.jpg`, and a fourth file are each refused with
a message naming the file and what is wrong, and nothing is stored; the download serves
the bytes to the submitter and to staff of the owning local government with a purpose
(audited), and the same 404 to anyone else; erasure removes the content; a cross-site
multipart POST to /graphql is refused by the CSRF check."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from demo import identity_provider
from demo.identity_provider import ProviderHandle
from schema.requests.attachments import MAX_FILE_BYTES
from store.requests import RequestStore, request_attachments, service_requests
from store.requests import ServiceRequest as StoredRequest
from store.store import create_engine
from tests.identity.support import CLIENT_SECRET, hub_app, identity_settings, serve
from tests.privacy.support import codes, graphql, read_audit, sign_in
from tests.requests.support import request_input

MARIA_SUBJECT = "demo-ciudadana-0001"

#: Small but real enough: each starts with its type's signature.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
#: A Windows program, named and declared as a photo.
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200

SUBMIT = """
mutation Submit($input: SubmitServiceRequestInput!) {
  submitServiceRequest(input: $input) {
    created
    request {
      trackingNumber
      attachments { id contentType size filename downloadUrl }
    }
    errors { field code message en: message(language: EN) }
  }
}
"""

READ = """
query Read($number: String!, $purpose: String) {
  serviceRequest(trackingNumber: $number, purpose: $purpose) {
    trackingNumber
    attachments { id contentType size filename downloadUrl }
  }
}
"""

DELETE = "mutation { deleteMyData(confirm: true) { erased } }"

PURPOSE = "Revisar las fotos adjuntas a la solicitud del vertedero"


@pytest.fixture(scope="module")
def provider() -> Iterator[ProviderHandle]:
    with identity_provider.running(client_secret=CLIENT_SECRET) as handle:
        yield handle


@pytest.fixture(scope="module")
def hub_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("attachments-hub")


@pytest.fixture(scope="module")
def hub(provider: ProviderHandle, hub_dir: Path) -> Iterator[str]:
    app, _ = hub_app(hub_dir, identity_settings(provider.issuer, jwks_min_refresh_seconds=0))
    with serve(app) as url:
        yield url


@pytest.fixture
def client(hub: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hub, timeout=30) as http:
        yield http


def _database(hub_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{hub_dir / 'hub.db'}"


def stored(hub_dir: Path) -> tuple[list[StoredRequest], int]:
    """María's requests as the hub store holds them, and how many attachment rows exist."""

    async def read() -> tuple[list[StoredRequest], int]:
        engine = create_engine(_database(hub_dir))
        try:
            requests = await RequestStore(engine).for_citizen(MARIA_SUBJECT)
            async with engine.connect() as connection:
                count = (
                    await connection.execute(
                        sa.select(sa.func.count()).select_from(request_attachments)
                    )
                ).scalar_one()
            return requests, int(count)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def stored_content(hub_dir: Path, request_id: str) -> list[tuple[str | None, bytes | None]]:
    async def read() -> list[tuple[str | None, bytes | None]]:
        engine = create_engine(_database(hub_dir))
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(
                    sa.select(request_attachments.c.filename, request_attachments.c.content)
                    .join(
                        service_requests, service_requests.c.id == request_attachments.c.request_id
                    )
                    .where(service_requests.c.id == request_id)
                )
                return [(r.filename, None if r.content is None else bytes(r.content)) for r in rows]
        finally:
            await engine.dispose()

    return asyncio.run(read())


def multipart(
    client: httpx.Client,
    files: Sequence[tuple[str, bytes, str]],
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    data: dict[str, Any] | None = None,
) -> httpx.Response:
    """A GraphQL multipart request (jaydenseric's spec) submitting a request with `files`."""
    variables = {"input": {**(data or request_input()), "attachments": [None] * len(files)}}
    operations = {"query": SUBMIT, "variables": variables}
    mapping = {str(i): [f"variables.input.attachments.{i}"] for i in range(len(files))}
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = f"Bearer {token}"
    return client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
        files=[(str(i), file) for i, file in enumerate(files)],
        headers=sent,
    )


def submitted(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["submitServiceRequest"]
    return payload


@pytest.fixture(scope="module")
def marias_files(hub: str, provider: ProviderHandle, hub_dir: Path) -> dict[str, Any]:
    """A request of María's with a JPEG and a PDF: the answer and the store's record."""
    with httpx.Client(base_url=hub, timeout=30) as client:
        payload = submitted(
            multipart(
                client,
                [
                    ("Cédula 001-1234567-8 de María.jpg", JPEG, "image/jpeg"),
                    ("acta-de-vertedero.pdf", PDF, "application/pdf"),
                ],
                token=provider.issue_access_token("maria"),
            )
        )
    assert payload["errors"] == [] and payload["created"] is True
    number = payload["request"]["trackingNumber"]
    requests, _ = stored(hub_dir)
    record = next(r for r in requests if r.tracking_number == number)
    return {"payload": payload, "record": record}


# -- Accepted and stored -------------------------------------------------------------


def test_a_jpeg_and_a_pdf_are_stored(marias_files: dict[str, Any], hub_dir: Path) -> None:
    shown = marias_files["payload"]["request"]["attachments"]
    assert [(a["contentType"], a["size"], a["filename"]) for a in shown] == [
        ("image/jpeg", len(JPEG), "Cédula 001-1234567-8 de María.jpg"),
        ("application/pdf", len(PDF), "acta-de-vertedero.pdf"),
    ]
    assert all(a["downloadUrl"] == f"/solicitudes/adjuntos/{a['id']}" for a in shown)
    record: StoredRequest = marias_files["record"]
    assert sorted(a.content_type for a in record.attachments) == [
        "application/pdf",
        "image/jpeg",
    ]
    contents = stored_content(hub_dir, record.id)
    assert sorted(c for _, c in contents if c is not None) == sorted([JPEG, PDF])


EXPORT = "mutation { exportMyData { zipBase64 errors { code } } }"


def test_the_citizens_export_holds_the_files_themselves(
    client: httpx.Client, provider: ProviderHandle, marias_files: dict[str, Any]
) -> None:
    answer = graphql(client, EXPORT, token=provider.issue_access_token("maria"))
    encoded = answer["data"]["exportMyData"]["zipBase64"]
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(encoded)))
    number = marias_files["payload"]["request"]["trackingNumber"]
    folder = f"adjuntos/{number}/"
    assert archive.read(f"{folder}1-Cédula_001-1234567-8_de_María.jpg") == JPEG
    assert archive.read(f"{folder}2-acta-de-vertedero.pdf") == PDF
    document = json.loads(archive.read("mis-datos.json"))
    [exported] = [r for r in document["serviceRequests"] if r["trackingNumber"] == number]
    assert exported["attachmentsInExport"] == [
        f"{folder}1-Cédula_001-1234567-8_de_María.jpg",
        f"{folder}2-acta-de-vertedero.pdf",
    ]
    # Nobody else's files: only María's requests have folders.
    numbers = {r["trackingNumber"] for r in document["serviceRequests"]}
    folders = {name.split("/")[1] for name in archive.namelist() if name.startswith("adjuntos/")}
    assert folders <= numbers


def test_the_type_is_the_contents_not_the_name(
    client: httpx.Client, provider: ProviderHandle
) -> None:
    payload = submitted(
        multipart(
            client,
            [("C:\\Users\\maria\\plano.pdf", JPEG, "application/pdf")],
            token=provider.issue_access_token("maria"),
        )
    )
    assert payload["errors"] == []
    [attachment] = payload["request"]["attachments"]
    # A photo named .pdf is a photo; the folders of the device are not kept.
    assert (attachment["contentType"], attachment["filename"]) == ("image/jpeg", "plano.pdf")


# -- Refused: each with its message, nothing stored -----------------------------------

REFUSALS = [
    pytest.param(
        [
            ("foto.jpg", JPEG, "image/jpeg"),
            ("grande.jpg", JPEG + b"\x00" * MAX_FILE_BYTES, "image/jpeg"),
        ],
        [("attachments.1", "FILE_TOO_LARGE")],
        "El segundo archivo pesa más de 5 MB",
        "The second file is larger than 5 MB",
        id="too-large",
    ),
    pytest.param(
        [("foto.jpg", PROGRAM, "image/jpeg")],
        [("attachments.0", "FILE_TYPE_NOT_ALLOWED")],
        "El primer archivo no es una foto JPEG o PNG ni un documento PDF",
        "The first file is not a JPEG or PNG photo or a PDF document",
        id="disguised-as-jpeg",
    ),
    pytest.param(
        [(f"foto-{i}.jpg", JPEG, "image/jpeg") for i in range(4)],
        [("attachments", "TOO_MANY_FILES")],
        "Puede adjuntar como máximo 3 archivos y ha elegido 4",
        "You can attach at most 3 files and you chose 4",
        id="four-files",
    ),
]


@pytest.mark.parametrize(("files", "expected", "spanish", "english"), REFUSALS)
def test_a_bad_file_is_refused_and_nothing_is_stored(
    client: httpx.Client,
    provider: ProviderHandle,
    hub_dir: Path,
    marias_files: dict[str, Any],
    files: list[tuple[str, bytes, str]],
    expected: list[tuple[str, str]],
    spanish: str,
    english: str,
) -> None:
    before, attachments_before = stored(hub_dir)
    response = multipart(client, files, token=provider.issue_access_token("maria"))
    payload = submitted(response)
    assert payload["request"] is None and payload["created"] is False
    assert [(e["field"], e["code"]) for e in payload["errors"]] == expected
    [error] = payload["errors"]
    assert error["message"].startswith(spanish), error
    assert error["en"].startswith(english), error
    # Neither the file's name nor its content comes back.
    for name, content, _ in files:
        assert name not in response.text
        assert content[:16].decode("latin-1") not in response.text
    after, attachments_after = stored(hub_dir)
    assert len(after) == len(before) and attachments_after == attachments_before


# -- Who sees them --------------------------------------------------------------------


def test_only_the_submitter_and_the_owners_staff_see_the_names(
    client: httpx.Client, provider: ProviderHandle, marias_files: dict[str, Any]
) -> None:
    number = marias_files["payload"]["request"]["trackingNumber"]
    mine = graphql(client, READ, token=provider.issue_access_token("maria"), number=number)
    assert len(mine["data"]["serviceRequest"]["attachments"]) == 2
    for token in (None, provider.issue_access_token("juan"), provider.issue_access_token("carmen")):
        body = graphql(client, READ, token=token, number=number, purpose=PURPOSE)
        assert body["data"]["serviceRequest"]["attachments"] is None
        assert "FORBIDDEN" in codes(body)
        assert "Cédula" not in json.dumps(body, ensure_ascii=False)
    ana = graphql(
        client, READ, token=provider.issue_access_token("ana"), number=number, purpose=PURPOSE
    )
    assert "errors" not in ana, ana
    names = [a["filename"] for a in ana["data"]["serviceRequest"]["attachments"]]
    assert names == ["Cédula 001-1234567-8 de María.jpg", "acta-de-vertedero.pdf"]


def _without_nonces(text: str) -> str:
    return re.sub(r'nonce="[^"]*"', "", text)


def test_the_download_is_for_the_submitter_and_the_owners_staff_only(
    client: httpx.Client,
    provider: ProviderHandle,
    marias_files: dict[str, Any],
    hub_dir: Path,
) -> None:
    jpeg = marias_files["payload"]["request"]["attachments"][0]
    url = jpeg["downloadUrl"]

    def get(token: str | None, path: str = url, **params: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get(path, params=params, headers=headers)

    own = get(provider.issue_access_token("maria"))
    assert own.status_code == 200
    assert own.content == JPEG
    assert own.headers["content-type"] == "image/jpeg"
    assert own.headers["x-content-type-options"] == "nosniff"
    assert own.headers["cache-control"] == "private, no-store"
    disposition = own.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''C%C3%A9dula" in disposition

    unknown = get(None, "/solicitudes/adjuntos/" + "0" * 32)
    assert unknown.status_code == 404
    for who in (None, "juan", "carmen"):
        token = None if who is None else provider.issue_access_token(who)
        for params in ({}, {"finalidad": PURPOSE}):
            refused = get(token, **params)
            assert refused.status_code == 404, (who, params)
            assert JPEG[:4].decode("latin-1") not in refused.text
            assert "Cédula" not in refused.text and "content-disposition" not in refused.headers
            assert refused.headers["cache-control"] == "private, no-store"
    # The same answer whether the file exists or not (the page links to its own address).
    anonymous = get(None).text.replace(jpeg["id"], "0" * 32)
    assert _without_nonces(anonymous) == _without_nonces(unknown.text)

    record: StoredRequest = marias_files["record"]

    def entries() -> list[Any]:
        return [e for e in read_audit(_database(hub_dir)) if e.record_id == record.id]

    ana = provider.issue_access_token("ana")
    assert get(ana).status_code == 400  # no purpose: say why first
    before = len(entries())
    staff = get(ana, finalidad=PURPOSE)
    assert staff.status_code == 200 and staff.content == JPEG
    [read] = entries()[before:]
    assert (read.action, read.actor, read.fields, read.purpose) == (
        "read_personal_data",
        "demo-personal-0003",
        ("attachments",),
        PURPOSE,
    )
    assert read.data_subject == MARIA_SUBJECT
    denied = {e.actor for e in entries() if e.action == "access_denied"}
    assert {"demo-ciudadano-0002", "demo-personal-0005"} <= denied


def test_erasure_removes_the_files(
    client: httpx.Client, provider: ProviderHandle, hub_dir: Path
) -> None:
    # Juan's own request, so that the other tests keep María's.
    token = provider.issue_access_token("juan")
    payload = submitted(multipart(client, [("foto.jpg", JPEG, "image/jpeg")], token=token))
    [attachment] = payload["request"]["attachments"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(attachment["downloadUrl"], headers=headers).status_code == 200
    with_id = _request_id_of(hub_dir, payload["request"]["trackingNumber"])
    assert graphql(client, DELETE, token=token)["data"]["deleteMyData"]["erased"] is True
    assert stored_content(hub_dir, with_id) == [(None, None)]
    assert client.get(attachment["downloadUrl"], headers=headers).status_code == 404
    ana = {"Authorization": f"Bearer {provider.issue_access_token('ana')}"}
    assert (
        client.get(
            attachment["downloadUrl"], params={"finalidad": PURPOSE}, headers=ana
        ).status_code
        == 404
    )


def _request_id_of(hub_dir: Path, number: str) -> str:
    async def read() -> str:
        engine = create_engine(_database(hub_dir))
        try:
            found = await RequestStore(engine).by_tracking_number(number)
            assert found is not None
            return found.id
        finally:
            await engine.dispose()

    return asyncio.run(read())


# -- CSRF -----------------------------------------------------------------------------


def test_a_cross_site_multipart_post_is_refused(hub: str, hub_dir: Path) -> None:
    with httpx.Client(base_url=hub, timeout=30) as browser:
        sign_in(browser, "maria")
        before, attachments_before = stored(hub_dir)
        key = uuid.uuid4().hex
        # What a page on another site could make María's browser send: her cookie goes
        # with it, but no X-CSRF-Token header and no token field.
        forged = multipart(
            browser,
            [("foto.jpg", JPEG, "image/jpeg")],
            headers={"Origin": "https://otro-sitio.example", "Accept": "application/json"},
            data=request_input(idempotencyKey=key),
        )
        assert forged.status_code == 403
        assert forged.json()["errors"][0]["extensions"]["code"] == "CSRF_TOKEN_INVALID"
        after, attachments_after = stored(hub_dir)
        assert len(after) == len(before) and attachments_after == attachments_before
        # The hub's own pages carry the session's token; a script sends it as a header.
        page = browser.get(
            "/municipios/santo-domingo-este/servicios/recogida-desechos-comercial/solicitar/formulario"
        )
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None, page.text[:500]
        allowed = multipart(
            browser,
            [("foto.jpg", JPEG, "image/jpeg")],
            headers={"X-CSRF-Token": token.group(1)},
            data=request_input(idempotencyKey=key),
        )
        payload = submitted(allowed)
        assert payload["errors"] == [] and len(payload["request"]["attachments"]) == 1
