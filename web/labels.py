"""The names people read for the schema's enum values and codes, as catalogue message ids.

The schema sends `URBANISMO`, `EN_LINEA`, `EN_REVISION`…; a citizen or a staff member
reads "Urbanismo", "En línea", "En revisión" or their English translation. `N_` only
marks a string for extraction; the page translates it when it renders. Every label table
of the web pages is here; the pages import them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


def N_(message: str) -> str:
    return message


KIND: Mapping[str, str] = MappingProxyType(
    {
        "AYUNTAMIENTO": N_("Municipal council"),
        "JUNTA_DISTRITO": N_("Municipal district board"),
    }
)

CATEGORY: Mapping[str, str] = MappingProxyType(
    {
        "URBANISMO": N_("Urban planning and building"),
        "SANEAMIENTO": N_("Waste and sanitation"),
        "TRIBUTOS": N_("Local taxes and fees"),
        "ESPACIO_PUBLICO": N_("Use of public space"),
        "CEMENTERIOS": N_("Cemeteries"),
        "CERTIFICACIONES": N_("Certificates"),
        "MERCADOS": N_("Markets"),
        "SOCIAL": N_("Social assistance"),
    }
)

CHANNEL: Mapping[str, str] = MappingProxyType(
    {
        "PRESENCIAL": N_("In person at the municipal offices"),
        "EN_LINEA": N_("Online"),
        "TELEFONO": N_("By phone"),
    }
)

LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"kind": KIND, "category": CATEGORY, "channel": CHANNEL}
)

# -- Requests --------------------------------------------------------------------------

#: A request's status (`RequestStatus`), for citizens and staff alike.
STATUS: Mapping[str, str] = MappingProxyType(
    {
        "RECIBIDA": N_("Received"),
        "EN_REVISION": N_("Under review"),
        "EN_PROCESO": N_("In progress"),
        "RESUELTA": N_("Resolved"),
        "RECHAZADA": N_("Rejected"),
    }
)

#: What a status means for the citizen who sent the request.
STATUS_EXPLANATION: Mapping[str, str] = MappingProxyType(
    {
        "RECIBIDA": N_("The local government has your request and will look at it soon."),
        "EN_REVISION": N_("Staff are checking your request and what you sent."),
        "EN_PROCESO": N_("The local government is working on your request."),
        "RESUELTA": N_("Your request has been dealt with."),
        "RECHAZADA": N_(
            "The local government could not accept your request. See the reason below."
        ),
    }
)

#: What an attachment is, by the type the hub found in its content.
ATTACHMENT_KIND: Mapping[str, str] = MappingProxyType(
    {
        "image/jpeg": N_("JPEG photo"),
        "image/png": N_("PNG photo"),
        "application/pdf": N_("PDF document"),
    }
)

#: What a failed delivery carried, and to whom (`DeliveryKind`).
DELIVERY_KIND: Mapping[str, str] = MappingProxyType(
    {
        "REQUEST_TO_SYSTEM": N_("Request to the local government's system"),
        "EMAIL_TO_CITIZEN": N_("Email to the citizen"),
    }
)

# -- Personal data and its audit log ---------------------------------------------------

#: A staff member's role in a local government (`StaffRole`).
ROLE: Mapping[str, str] = MappingProxyType(
    {
        "agent": N_("agent"),
        "supervisor": N_("supervisor"),
        "admin": N_("administrator"),
    }
)

#: Who read or changed a citizen's data, as the citizen reads it (an audit actor role).
ACTOR: Mapping[str, str] = MappingProxyType(
    {
        "data_subject": N_("You"),
        "citizen": N_("Another citizen"),
        "national_admin": N_("A national administrator"),
        "staff": N_("Staff of a local government"),
        "anonymous": N_("Someone who was not signed in"),
    }
)

#: An audit log action, as the citizen whose data it was reads it.
ACTION_ON_YOUR_DATA: Mapping[str, str] = MappingProxyType(
    {
        "read_personal_data": N_("Viewed your data"),
        "update_personal_data": N_("Changed your data"),
        "erase_personal_data": N_("Deleted your data"),
        "export_personal_data": N_("Downloaded your data"),
        "consent_recorded": N_("Recorded your consent"),
        "access_denied": N_("Tried to see your data and was refused"),
    }
)

#: An audit log action, as a supervisor reads it.
AUDIT_ACTION: Mapping[str, str] = MappingProxyType(
    {
        "read_personal_data": N_("Viewed personal data"),
        "update_personal_data": N_("Changed personal data"),
        "erase_personal_data": N_("Deleted personal data"),
        "export_personal_data": N_("Downloaded personal data"),
        "consent_recorded": N_("Recorded a consent"),
        "access_denied": N_("Was refused access"),
        "request_status_changed": N_("Changed a request's status"),
        "request_assigned": N_("Assigned a request"),
        "delivery_retried": N_("Retried a failed delivery"),
        "login": N_("Signed in"),
        "logout": N_("Signed out"),
    }
)

#: The kind of record an audit log entry is about.
RECORD_TYPE: Mapping[str, str] = MappingProxyType(
    {
        "service_request": N_("Service request"),
        "ServiceRequest": N_("Service request"),
        "citizen_profile": N_("Citizen's profile"),
        "CitizenProfile": N_("Citizen's profile"),
        "citizen": N_("Citizen"),
        "citizen_consent": N_("Citizen's consent"),
        "audit_log": N_("Audit log"),
        "outbox_item": N_("Delivery"),
    }
)

#: The citizen's own data, field by field (`/mis-datos`: its forms and its access log).
YOUR_DATA_FIELD: Mapping[str, str] = MappingProxyType(
    {
        "name": N_("Full name"),
        "cedula": N_("Cédula"),
        "phone": N_("Phone number"),
        "email": N_("Email address"),
        "address": N_("Address"),
        "municipality": N_("Your local government"),
        "consent": N_("Consent"),
        "confirm": N_("Confirmation"),
        "purpose": N_("Purpose of the consent"),
        "textVersion": N_("Version of the terms"),
        "consents": N_("Your consents"),
        "accessLog": N_("Who has seen your data"),
        "profile.name": N_("Full name"),
        "profile.cedula": N_("Cédula"),
        "profile.phone": N_("Phone number"),
        "profile.email": N_("Email address"),
        "profile.address": N_("Address"),
    }
)

#: A field of a request or of a citizen's data, as staff read it (the audit log).
RECORD_FIELD: Mapping[str, str] = MappingProxyType(
    {
        "description": N_("Description"),
        "address": N_("Address"),
        "latitude": N_("Latitude"),
        "longitude": N_("Longitude"),
        "answers": N_("Answers to the service's questions"),
        "attachments": N_("Attachments"),
        "name": N_("Full name"),
        "cedula": N_("Cédula"),
        "phone": N_("Phone number"),
        "email": N_("Email address"),
        "displayName": N_("Full name"),
        "municipality": N_("Local government"),
        "purpose": N_("Purpose"),
        "textVersion": N_("Version of the terms"),
    }
)
