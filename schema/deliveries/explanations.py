"""What a failed delivery's error code means, in plain words for a supervisor.

The codes are those the delivery worker records (`gateway.outbox_delivery.worker`: its own, the
connector error tree's `connectors.errors`, and the mailer's): codes only, never a
message that could quote a citizen's data, so the words are the hub's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from schema.language import Text

_ASK_TECHNICAL_TEAM = Text(
    "Avise al equipo técnico de la plataforma antes de reintentar.",
    "Tell the platform's technical team before retrying.",
)


def _with_advice(es: str, en: str, advice: Text) -> Text:
    return Text(f"{es} {advice.es}", f"{en} {advice.en}")


EXPLANATIONS: Mapping[str, Text] = MappingProxyType(
    {
        "UPSTREAM_MAPPING": Text(
            "El sistema del ayuntamiento no pudo aceptar la solicitud tal como está: uno de "
            "sus datos no encaja con lo que ese sistema espera. Corrija la configuración "
            "del ayuntamiento en la plataforma, o el dato, y luego reintente el envío.",
            "The local government's system could not accept the request as it is: one of "
            "its details does not fit what that system expects. Correct the local "
            "government's configuration on the platform, or the detail, then retry.",
        ),
        "SOURCE_MISCONFIGURED": _with_advice(
            "La conexión de la plataforma con el sistema del ayuntamiento está mal configurada.",
            "The platform's connection to the local government's system is misconfigured.",
            _ASK_TECHNICAL_TEAM,
        ),
        "NO_REQUEST_WRITER": _with_advice(
            "La plataforma no sabe a qué sistema del ayuntamiento enviar las solicitudes.",
            "The platform does not know which of the local government's systems to send "
            "requests to.",
            _ASK_TECHNICAL_TEAM,
        ),
        "REQUEST_NOT_FOUND": Text(
            "La solicitud ya no existe en la plataforma (por ejemplo, se canceló): no hay "
            "nada que enviar.",
            "The request no longer exists on the platform (it was cancelled, for example): "
            "there is nothing to send.",
        ),
        "NO_REQUEST": Text(
            "El envío no corresponde a ninguna solicitud: no hay nada que enviar.",
            "The delivery belongs to no request: there is nothing to send.",
        ),
        "SMTP_RECIPIENT_REFUSED": Text(
            "El servidor de correo rechazó la dirección de la persona: puede que no exista. "
            "Reintente cuando la persona haya corregido su correo.",
            "The mail server refused the person's address: it may not exist. Retry once "
            "the person has corrected their email address.",
        ),
        "EMAIL_TEMPLATE_UNKNOWN": _with_advice(
            "La plataforma no reconoce este tipo de correo.",
            "The platform does not recognise this kind of email.",
            _ASK_TECHNICAL_TEAM,
        ),
        "UNKNOWN_KIND": _with_advice(
            "La plataforma no sabe cómo hacer este tipo de envío.",
            "The platform does not know how to make this kind of delivery.",
            _ASK_TECHNICAL_TEAM,
        ),
        "UPSTREAM_ERROR": Text(
            "El sistema del ayuntamiento respondió con un error.",
            "The local government's system answered with an error.",
        ),
        "UPSTREAM_UNAVAILABLE": Text(
            "El sistema del ayuntamiento no estaba disponible.",
            "The local government's system was not available.",
        ),
        "UPSTREAM_TIMEOUT": Text(
            "El sistema del ayuntamiento tardó demasiado en responder.",
            "The local government's system took too long to answer.",
        ),
    }
)

UNKNOWN = _with_advice(
    "El envío no se pudo completar.",
    "The delivery could not be completed.",
    _ASK_TECHNICAL_TEAM,
)


def explain(code: str | None) -> Text:
    """The words for `code`; an unknown code (or none) gets a general explanation."""
    return EXPLANATIONS.get(code or "", UNKNOWN)
