"""Helpers for the request tests: the schema in-process with real stores (SQLite), the
demo people as principals, and the inputs they send."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import strawberry

from connectors import Federation
from gateway.events import LocalEvents
from gateway.settings import CONFIG_DIR
from schema import HubContext
from schema.principal import Principal, PrincipalKind, StaffRole
from schema.requests.forms import load_request_forms
from store.audit import AuditLog, AuditRecord
from store.citizens import CitizenStore
from store.requests import RequestStore

MARIA = Principal("demo-ciudadana-0001", "María Altagracia Pérez", PrincipalKind.CITIZEN)
JUAN = Principal("demo-ciudadano-0002", "Juan Bautista Rosario", PrincipalKind.CITIZEN)
ANA = Principal(
    "demo-personal-0003",
    "Ana",
    PrincipalKind.STAFF,
    {"santo-domingo-este": frozenset({StaffRole.AGENT})},
)
PEDRO = Principal(
    "demo-personal-0004",
    "Pedro",
    PrincipalKind.STAFF,
    {"santo-domingo-este": frozenset({StaffRole.SUPERVISOR, StaffRole.AGENT})},
)
CARMEN = Principal(
    "demo-personal-0005", "Carmen", PrincipalKind.STAFF, {"santiago": frozenset({StaffRole.AGENT})}
)
OPEN311_APP = Principal(
    "api-key:0123456789ab", "", PrincipalKind.DEVELOPER, scopes=frozenset({"submit_open311"})
)
READ_ONLY_APP = Principal(
    "api-key:ba9876543210", "", PrincipalKind.DEVELOPER, scopes=frozenset({"read_public"})
)

#: A service of Santo Domingo Este taken online, with a required list question.
SERVICE = "recogida-desechos-comercial"
MUNICIPALITY = "santo-domingo-este"
#: Words nobody else writes, to look for in answers that must not hold them.
SECRET_WORDS = "Frente al colmado de doña Quisqueya Tavárez"
SECRET_ADDRESS = "Calle Respaldo Los Mina 17, apto. 3B"

SUBMIT = """
mutation Submit($input: SubmitServiceRequestInput!) {
  submitServiceRequest(input: $input) {
    created
    request {
      trackingNumber status statusLabel expectedBy serviceName serviceId
      deliveredToMunicipality municipality { id }
      description address latitude longitude answers { code value }
    }
    errors { field code message en: message(language: EN) }
  }
}
"""

TRACK = """
query Track($number: String!) {
  serviceRequest(trackingNumber: $number) {
    trackingNumber serviceName status statusLabel submittedAt expectedBy overdue
    history { status note }
    description address latitude longitude answers { code value }
  }
}
"""

PUBLIC_TRACK = """
query Track($number: String!) {
  serviceRequest(trackingNumber: $number) {
    trackingNumber serviceName status history { status note } deliveredToMunicipality
  }
}
"""

CHANGE = """
mutation Change($number: String!, $status: RequestStatus!, $note: String) {
  changeServiceRequestStatus(trackingNumber: $number, status: $status, note: $note) {
    status history { status note }
  }
}
"""

ASSIGN = """
mutation Assign($number: String!, $agent: String) {
  assignServiceRequest(trackingNumber: $number, agent: $agent) { trackingNumber assignedTo }
}
"""


def request_input(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "municipalityId": MUNICIPALITY,
        "serviceId": SERVICE,
        "description": f"{SECRET_WORDS}: la basura lleva una semana sin recogerse.",
        "address": SECRET_ADDRESS,
        "latitude": 18.4895,
        "longitude": -69.8571,
        "answers": [
            {"code": "tipo_establecimiento", "value": "restaurante"},
            {"code": "volumen_semanal", "value": "12"},
        ],
        "idempotencyKey": uuid.uuid4().hex,
        "consent": True,
    }
    values.update(changes)
    return values


def codes(result: Any) -> list[str]:
    return [str((e.extensions or {}).get("code")) for e in result.errors or []]


@dataclasses.dataclass
class Env:
    """The schema over real stores; `run` executes as a principal."""

    schema: strawberry.Schema
    federation: Federation
    audit_log: AuditLog
    citizens: CitizenStore
    requests: RequestStore
    events: LocalEvents

    def context(self, principal: Principal) -> HubContext:
        return HubContext.create(
            self.federation,
            principal=principal,
            audit_log=self.audit_log,
            citizens=self.citizens,
            requests=self.requests,
            events=self.events,
            request_forms=load_request_forms(CONFIG_DIR / "request-forms.yaml"),
        )

    async def run(self, query: str, principal: Principal, **variables: Any) -> Any:
        return await self.schema.execute(
            query, variable_values=variables or None, context_value=self.context(principal)
        )

    async def submit(self, principal: Principal = MARIA, **changes: Any) -> dict[str, Any]:
        result = await self.run(SUBMIT, principal, input=request_input(**changes))
        assert result.errors is None, result.errors
        payload: dict[str, Any] = result.data["submitServiceRequest"]
        assert payload["errors"] == [], payload
        return payload

    async def audit(self) -> list[AuditRecord]:
        return await self.audit_log.entries(limit=1000)
