"""Two simulated municipal SOAP vendors, real spyne servers on 127.0.0.1 (demo and tests).

- **SIGEM** (SOAP 1.1, ``urn:sigem:municipal:v2``): one server for many municipalities,
  told apart by a ``municipio`` argument (``SDE`` Santo Domingo Este, ``HIG`` Higüey).
  Records in Spanish capitals, category codes (``TIPO``), requirements in one text split by
  ``|``, fees as text ("RD$ 15.000,00"), channel codes (``P,L,T``); batch operations take an
  array of codes. ``ExportarCatalogo`` returns the catalogue inside an envelope (for
  bindings with a ``result_path``: ``servicios.Servicio``). ``ListarObras`` returns a
  municipality's public works as text (`demo.works`: "62,5 %", dd/mm/yyyy, status codes).
- **MuniSoft** (SOAP 1.2, ``http://munisoft.com.do/ws/tramites``): one server per
  municipality (Santiago in the demo), camelCase records, fees as floats, arrays of
  strings, and lookups by one id only (no batch operation).

Both serve the records of `demo.catalogue` in their own shape; the hub's bindings
map them back. SIGEM also takes citizens' requests (``RegistrarSolicitud``,
``ConsultarSolicitud``, ``ConsultarEstadoSolicitudes``, ``ListarSolicitudes``) into its own
SQLite register (`demo.sigem_requests`; `VendorServer.requests` reads it);
``ConsultarEstadoPorId`` reads states by SIGEM's own number for a request (at most 50 a
call). A procedure SIGEM holds inactive (`VendorServer.state.inactive_services`) is
refused with the fault ``Client.TramiteInactivo``.
Either can require a WS-Security UsernameToken (`credentials`) and/or HTTP basic
authentication (`http_basic`), add latency per request (`latency_ms`, for the benchmarks),
and simulate an outage (`pause()` refuses connections until `resume()`).

Run both by hand with ``python -m demo.soap_vendors --sigem-port 8701
--munisoft-port 8702``.
"""

from __future__ import annotations

import argparse
import base64
import collections
import datetime
import hashlib
import hmac
import importlib.util
import logging
import shutil
import signal
import socket
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from demo import budgets, catalogue, works
from demo.sigem_requests import SIGEM_STATUS_CODES, SigemRequests, Solicitud
from demo.stoppable import Stoppable

with warnings.catch_warnings():
    # spyne 2.14 still imports modules Python deprecates; the warnings are not ours to fix.
    warnings.simplefilter("ignore")
    from spyne import (
        Application,
        Array,
        ComplexModel,
        DateTime,
        Double,
        Fault,
        Integer,
        ServiceBase,
        Unicode,
        rpc,
    )
    from spyne.protocol.soap import Soap11, Soap12
    from spyne.server.wsgi import WsgiApplication
    from spyne.util import six as _spyne_six


def _modernise_spyne_six_importer() -> None:
    """Give spyne's bundled copy of `six` the importer protocol of six 1.16.

    spyne 2.14 puts an old `six` importer on `sys.meta_path` that lacks `find_spec`, so every
    later import in the process (even a failed `import sniffio` inside httpcore, on every
    request) falls back to `find_module` and emits an ImportWarning. six 1.16 added these
    three methods with exactly this behaviour.
    """
    importer = _spyne_six._SixMetaPathImporter
    if hasattr(importer, "find_spec"):
        return

    def find_spec(self: Any, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname in self.known_modules:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self: Any, spec: Any) -> Any:
        return self.load_module(spec.name)

    def exec_module(self: Any, module: Any) -> None:
        return None

    importer.find_spec = find_spec
    importer.create_module = create_module
    importer.exec_module = exec_module


_modernise_spyne_six_importer()

__all__ = [
    "MUNISOFT_NAMESPACE",
    "SIGEM_LOOKUP_LIMIT",
    "SIGEM_MUNICIPIOS",
    "SIGEM_NAMESPACE",
    "SIGEM_STATUS_LIMIT",
    "VendorServer",
    "main",
    "start_munisoft",
    "start_sigem",
]

SIGEM_NAMESPACE = "urn:sigem:municipal:v2"
MUNISOFT_NAMESPACE = "http://munisoft.com.do/ws/tramites"

#: SIGEM's tenant codes and the municipalities they stand for.
SIGEM_MUNICIPIOS = {"SDE": "santo-domingo-este", "HIG": "higuey"}

_SIGEM_TIPO = {
    "urbanismo": "URB",
    "saneamiento": "SAN",
    "tributos": "TRI",
    "espacio_publico": "ESP",
    "cementerios": "CEM",
    "certificaciones": "CER",
    "mercados": "MER",
    "social": "SOC",
}
_SIGEM_CANAL = {"presencial": "P", "en_linea": "L", "telefono": "T"}

_MUNISOFT_AREA = {
    "urbanismo": "Urbanismo",
    "saneamiento": "Medio Ambiente",
    "tributos": "Rentas Municipales",
    "espacio_publico": "Espacio Público",
    "cementerios": "Cementerios",
    "certificaciones": "Certificaciones",
    "mercados": "Mercados",
    "social": "Desarrollo Social",
}
_MUNISOFT_MODALIDAD = {"presencial": "Presencial", "en_linea": "En línea", "telefono": "Telefónica"}

_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
_WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"

_log = logging.getLogger(__name__)
# spyne logs every fault it sends; a library leaves the choice of handlers to its user.
logging.getLogger("spyne").addHandler(logging.NullHandler())


# --------------------------------------------------------------------------- state


class _VendorState:
    """What one running server knows: its tenants, call counts, credentials."""

    def __init__(
        self,
        tenants: dict[str, str],
        credentials: tuple[str, str] | None,
        requests: SigemRequests | None = None,
    ) -> None:
        self.tenants = tenants
        self.credentials = credentials
        #: SIGEM's register of citizens' requests (None for a vendor that takes none).
        self.requests = requests
        #: Procedures SIGEM holds as inactive: a registration for one is refused
        #: (`Client.TramiteInactivo`). Tests add codes to simulate a clerk's change.
        self.inactive_services: set[str] = set()
        #: (code, text) of a fault every registration gets while set (tests simulate a
        #: failing back end with `Server.*`).
        self.registration_fault: tuple[str, str] | None = None
        self.calls: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()

    def count(self, name: str) -> None:
        with self._lock:
            self.calls[name] += 1


def _state(ctx: Any) -> _VendorState:
    state: _VendorState = ctx.udc
    return state


def _on_method_call(state: _VendorState) -> Callable[[Any], None]:
    """Spyne event listener: counts the call and checks the WS-Security token, if required."""

    def listener(ctx: Any) -> None:
        ctx.udc = state
        state.count(ctx.descriptor.name)
        if state.credentials is not None:
            _require_username_token(ctx.in_document, state.credentials)

    return listener


def _require_username_token(envelope: Any, credentials: tuple[str, str]) -> None:
    """Accepts a UsernameToken with PasswordText or PasswordDigest; anything else faults."""
    namespaces = {"wsse": _WSSE, "wsu": _WSU}
    tokens = (
        [] if envelope is None else envelope.xpath("//wsse:UsernameToken", namespaces=namespaces)
    )
    if not tokens:
        raise Fault("Client.Autenticacion", "Se requiere WS-Security UsernameToken.")
    token = tokens[0]
    username = token.findtext(f"{{{_WSSE}}}Username") or ""
    password_node = token.find(f"{{{_WSSE}}}Password")
    given = "" if password_node is None else (password_node.text or "")
    expected_user, expected_password = credentials
    if password_node is not None and password_node.get("Type", "").endswith("#PasswordDigest"):
        nonce = base64.b64decode(token.findtext(f"{{{_WSSE}}}Nonce") or "")
        created = (token.findtext(f"{{{_WSU}}}Created") or "").encode()
        digest = hashlib.sha1(nonce + created + expected_password.encode()).digest()  # noqa: S324 - the WS-Security profile's algorithm
        expected = base64.b64encode(digest).decode()
    else:
        expected = expected_password
    if not (
        hmac.compare_digest(username.encode(), expected_user.encode())
        and hmac.compare_digest(given.encode(), expected.encode())
    ):
        raise Fault("Client.Autenticacion", "Usuario o contraseña no válidos.")


# --------------------------------------------------------------------------- SIGEM


class Servicio(ComplexModel):  # type: ignore[misc]
    __namespace__ = SIGEM_NAMESPACE
    _type_info = [  # noqa: RUF012 - spyne reads the field order from this list
        ("CODIGO", Unicode),
        ("NOMBRE", Unicode),
        ("DESCRIPCION", Unicode),
        ("TIPO", Unicode),
        ("REQUISITOS", Unicode),
        ("TARIFA", Unicode),
        ("DIAS_HABILES", Integer),
        ("CANALES", Unicode),
        ("BASE_LEGAL", Unicode),
        ("COD_DEPENDENCIA", Unicode),
    ]


class Dependencia(ComplexModel):  # type: ignore[misc]
    __namespace__ = SIGEM_NAMESPACE
    _type_info = [  # noqa: RUF012 - spyne reads the field order from this list
        ("CODIGO", Unicode),
        ("NOMBRE", Unicode),
        ("TELEFONO", Unicode),
        ("CORREO", Unicode),
        ("UBICACION", Unicode),
        ("HORARIO", Unicode),
    ]


class Obra(ComplexModel):  # type: ignore[misc]
    """A public work as SIGEM keeps it: every field a text (`demo.works.sigem_obras`)."""

    __namespace__ = SIGEM_NAMESPACE
    _type_info = [  # noqa: RUF012 - spyne reads the field order from this list
        (name, Unicode)
        for name in (
            "CODIGO_OBRA",
            "DESCRIPCION",
            "UBICACION",
            "LATITUD",
            "LONGITUD",
            "CONTRATISTA",
            "MONTO_CONTRATADO",
            "AVANCE_FISICO",
            "FECHA_INICIO",
            "FECHA_FIN_PREVISTA",
            "FECHA_FIN_REAL",
            "ESTADO",
            "PROCESO_COMPRA",
        )
    ]


class PartidaPresupuestaria(ComplexModel):  # type: ignore[misc]
    """A budget line as SIGEM keeps it: every field a text (`demo.budgets.sigem_partidas`)."""

    __namespace__ = SIGEM_NAMESPACE
    _type_info = [  # noqa: RUF012 - spyne reads the field order from this list
        (name, Unicode)
        for name in (
            "ANIO",
            "CUENTA",
            "DESCRIPCION",
            "OBJETO_GASTO",
            "APROBADO",
            "MODIFICADO",
            "EJECUTADO",
            "PORC_EJECUCION",
            "FECHA_CORTE",
        )
    ]


class Catalogo(ComplexModel):  # type: ignore[misc]
    """SIGEM's export envelope: the catalogue with when and for whom it was produced."""

    __namespace__ = SIGEM_NAMESPACE
    _type_info = [  # noqa: RUF012 - spyne reads the field order from this list
        ("municipio", Unicode),
        ("generado", DateTime),
        ("total", Integer),
        ("servicios", Array(Servicio)),
    ]


class SolicitudRegistrada(ComplexModel):  # type: ignore[misc]
    """What SIGEM answers about a request it holds (its own id, the number, the state)."""

    __namespace__ = SIGEM_NAMESPACE
    _type_info = [  # noqa: RUF012 - spyne reads the field order from this list
        ("ID_SOLICITUD", Integer),
        ("NUMERO_SEGUIMIENTO", Unicode),
        ("CODIGO_SERVICIO", Unicode),
        ("ESTADO", Unicode),
        ("FECHA_REGISTRO", DateTime),
    ]


class EstadoExpediente(ComplexModel):  # type: ignore[misc]
    """A request's state by SIGEM's own number for it (`ID_SOLICITUD`, what
    `RegistrarSolicitud` returned), without the hub's tracking number."""

    __namespace__ = SIGEM_NAMESPACE
    _type_info = [  # noqa: RUF012 - spyne reads the field order from this list
        ("ID_SOLICITUD", Unicode),
        ("ESTADO", Unicode),
        ("DESC_ESTADO", Unicode),
        ("OBSERVACION", Unicode),
        ("FECHA_ESTADO", DateTime),
    ]


#: `ConsultarEstadoPorId` takes at most this many ids per call.
SIGEM_STATUS_LIMIT = 50


class EstadoSolicitud(ComplexModel):  # type: ignore[misc]
    """A request's current state in SIGEM, with the clerk's public note."""

    __namespace__ = SIGEM_NAMESPACE
    _type_info = [  # noqa: RUF012 - spyne reads the field order from this list
        ("NUMERO_SEGUIMIENTO", Unicode),
        ("ESTADO", Unicode),
        ("DESC_ESTADO", Unicode),
        ("OBSERVACION", Unicode),
        ("FECHA_ESTADO", DateTime),
    ]


class SolicitudConsulta(ComplexModel):  # type: ignore[misc]
    """What SIGEM's batched lookup answers about a request, whoever filed it: the request
    date as dd/mm/yyyy text, the state's date as an xsd:dateTime in local time (-04:00)."""

    __namespace__ = SIGEM_NAMESPACE
    _type_info = [  # noqa: RUF012 - spyne reads the field order from this list
        ("NUMERO_SEGUIMIENTO", Unicode),
        ("CODIGO_SERVICIO", Unicode),
        ("ESTADO", Unicode),
        ("OBSERVACION", Unicode),
        ("FECHA_SOLICITUD", Unicode),
        ("FECHA_ESTADO", DateTime),
    ]


#: `ConsultarSolicitudes` takes at most this many numbers per call.
SIGEM_LOOKUP_LIMIT = 50
_SIGEM_ZONE = datetime.timezone(datetime.timedelta(hours=-4))


def _sigem_consulta(row: Solicitud) -> SolicitudConsulta:
    submitted = _sigem_time(row.FECHA_SOLICITUD or row.FECHA_REGISTRO)
    changed = _sigem_time(row.FECHA_ESTADO)
    return SolicitudConsulta(
        NUMERO_SEGUIMIENTO=row.NUMERO_SEGUIMIENTO,
        CODIGO_SERVICIO=row.CODIGO_SERVICIO,
        ESTADO=row.ESTADO,
        OBSERVACION=row.OBSERVACION,
        FECHA_SOLICITUD=None if submitted is None else _sigem_local(submitted).strftime("%d/%m/%Y"),
        FECHA_ESTADO=None if changed is None else _sigem_local(changed),
    )


def _sigem_local(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value.astimezone(_SIGEM_ZONE)


def _sigem_time(text: str | None) -> datetime.datetime | None:
    return None if text is None else datetime.datetime.fromisoformat(text)


def _sigem_registrada(row: Solicitud) -> SolicitudRegistrada:
    return SolicitudRegistrada(
        ID_SOLICITUD=row.ID_SOLICITUD,
        NUMERO_SEGUIMIENTO=row.NUMERO_SEGUIMIENTO,
        CODIGO_SERVICIO=row.CODIGO_SERVICIO,
        ESTADO=row.ESTADO,
        FECHA_REGISTRO=_sigem_time(row.FECHA_REGISTRO),
    )


def _sigem_estado(row: Solicitud) -> EstadoSolicitud:
    return EstadoSolicitud(
        NUMERO_SEGUIMIENTO=row.NUMERO_SEGUIMIENTO,
        ESTADO=row.ESTADO,
        DESC_ESTADO=SIGEM_STATUS_CODES.get(row.ESTADO, row.ESTADO),
        OBSERVACION=row.OBSERVACION,
        FECHA_ESTADO=_sigem_time(row.FECHA_ESTADO),
    )


def _sigem_register(ctx: Any) -> SigemRequests:
    register = _state(ctx).requests
    if register is None:
        raise Fault("Server.NoDisponible", "El registro de solicitudes no está disponible.")
    return register


def _sigem_money(amount: Decimal | None) -> str:
    """15000 → "RD$ 15.000,00" (the way SIGEM prints fees); no fee → an empty text."""
    if amount is None:
        return ""
    grouped = f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"RD$ {grouped}"


def _sigem_servicio(record: dict[str, Any]) -> Servicio:
    return Servicio(
        CODIGO=record["id"],
        NOMBRE=record["name"],
        DESCRIPCION=record["description"],
        TIPO=_SIGEM_TIPO[record["category"]],
        REQUISITOS="|".join(record["requirements"]),
        TARIFA=_sigem_money(record["fee_amount"]),
        DIAS_HABILES=record["duration_days"],
        CANALES=",".join(_SIGEM_CANAL[c] for c in record["channels"]),
        BASE_LEGAL=record["legal_basis"],
        COD_DEPENDENCIA=record["department_id"],
    )


def _sigem_dependencia(record: dict[str, Any]) -> Dependencia:
    return Dependencia(
        CODIGO=record["id"],
        NOMBRE=record["name"],
        TELEFONO=record["phone"],
        CORREO=record["email"],
        UBICACION=record["location"],
        HORARIO=record["hours"],
    )


def _sigem_tenant(ctx: Any, municipio: str | None) -> str:
    municipality_id = _state(ctx).tenants.get((municipio or "").strip().upper())
    if municipality_id is None:
        raise Fault("Client.MunicipioDesconocido", f"Municipio '{municipio}' no registrado.")
    return municipality_id


def _pick(records: Iterable[Servicio | Dependencia], codes: Iterable[str] | None) -> list[Any]:
    wanted = set(codes or [])
    return [r for r in records if r.CODIGO in wanted]


class SigemService(ServiceBase):  # type: ignore[misc]
    """SIGEM's catalogue service (operation names as the vendor spells them)."""

    @rpc(Unicode(min_occurs=1), _returns=Array(Servicio))  # type: ignore[untyped-decorator]
    def ListarServicios(ctx: Any, municipio: str) -> list[Servicio]:
        return [_sigem_servicio(r) for r in catalogue.services(_sigem_tenant(ctx, municipio))]

    @rpc(Unicode(min_occurs=1), Array(Unicode), _returns=Array(Servicio))  # type: ignore[untyped-decorator]
    def ObtenerServicios(ctx: Any, municipio: str, codigos: list[str]) -> list[Servicio]:
        municipality_id = _sigem_tenant(ctx, municipio)
        return _pick((_sigem_servicio(r) for r in catalogue.services(municipality_id)), codigos)

    @rpc(Unicode(min_occurs=1), _returns=Catalogo)  # type: ignore[untyped-decorator]
    def ExportarCatalogo(ctx: Any, municipio: str) -> Catalogo:
        """The catalogue inside an envelope (bindings reach it with `result_path`)."""
        records = catalogue.services(_sigem_tenant(ctx, municipio))
        return Catalogo(
            municipio=municipio.strip().upper(),
            generado=datetime.datetime.now(datetime.UTC).replace(microsecond=0),
            total=len(records),
            servicios=[_sigem_servicio(r) for r in records],
        )

    @rpc(Unicode(min_occurs=1), _returns=Array(Dependencia))  # type: ignore[untyped-decorator]
    def ListarDependencias(ctx: Any, municipio: str) -> list[Dependencia]:
        municipality_id = _sigem_tenant(ctx, municipio)
        return [_sigem_dependencia(r) for r in catalogue.departments(municipality_id)]

    @rpc(Unicode(min_occurs=1), Array(Unicode), _returns=Array(Dependencia))  # type: ignore[untyped-decorator]
    def ObtenerDependencias(ctx: Any, municipio: str, codigos: list[str]) -> list[Dependencia]:
        municipality_id = _sigem_tenant(ctx, municipio)
        return _pick(
            (_sigem_dependencia(r) for r in catalogue.departments(municipality_id)), codigos
        )

    @rpc(Unicode(min_occurs=1), _returns=Array(Obra))  # type: ignore[untyped-decorator]
    def ListarObras(ctx: Any, municipio: str) -> list[Obra]:
        """The municipality's public works, progress as "62,5 %", dates as dd/mm/yyyy."""
        return [Obra(**row) for row in works.sigem_obras(_sigem_tenant(ctx, municipio))]

    @rpc(Unicode(min_occurs=1), _returns=Array(PartidaPresupuestaria))  # type: ignore[untyped-decorator]
    def ListarEjecucionPresupuestaria(ctx: Any, municipio: str) -> list[PartidaPresupuestaria]:
        """The budget lines and their execution, amounts as "RD$ 1.234.567,50"."""
        rows = budgets.sigem_partidas(_sigem_tenant(ctx, municipio))
        return [PartidaPresupuestaria(**row) for row in rows]

    # -- requests (solicitudes), kept in SIGEM's own register

    @rpc(  # type: ignore[untyped-decorator]
        Unicode(min_occurs=1),
        Unicode(min_occurs=1),
        Unicode(min_occurs=1),
        Unicode(min_occurs=1),
        Unicode,
        Double,
        Double,
        Unicode,
        Unicode,
        Unicode,
        Unicode,
        Unicode,
        DateTime,
        _returns=SolicitudRegistrada,
    )
    def RegistrarSolicitud(
        ctx: Any,
        municipio: str,
        NUMERO_SEGUIMIENTO: str,
        CODIGO_SERVICIO: str,
        DESCRIPCION: str,
        DIRECCION: str | None,
        LATITUD: float | None,
        LONGITUD: float | None,
        SOLICITANTE: str | None,
        CEDULA: str | None,
        TELEFONO: str | None,
        CORREO: str | None,
        DATOS_ADICIONALES: str | None,
        FECHA_SOLICITUD: datetime.datetime | None,
    ) -> SolicitudRegistrada:
        """Registers a request; the same tracking number again returns the record held."""
        municipality_id = _sigem_tenant(ctx, municipio)
        register = _sigem_register(ctx)
        state = _state(ctx)
        if state.registration_fault is not None:
            raise Fault(*state.registration_fault)
        if CODIGO_SERVICIO in state.inactive_services:
            raise Fault(
                "Client.TramiteInactivo",
                f"Trámite inactivo: '{CODIGO_SERVICIO}' no admite solicitudes nuevas.",
            )
        if not (NUMERO_SEGUIMIENTO or "").strip() or not (DESCRIPCION or "").strip():
            raise Fault(
                "Client.DatosIncompletos", "NUMERO_SEGUIMIENTO y DESCRIPCION son obligatorios."
            )
        if CODIGO_SERVICIO not in {s["id"] for s in catalogue.services(municipality_id)}:
            raise Fault(
                "Client.ServicioDesconocido", f"Servicio '{CODIGO_SERVICIO}' no registrado."
            )
        row, _created = register.register(
            municipio.strip().upper(),
            {
                "NUMERO_SEGUIMIENTO": NUMERO_SEGUIMIENTO.strip(),
                "CODIGO_SERVICIO": CODIGO_SERVICIO,
                "DESCRIPCION": DESCRIPCION,
                "DIRECCION": DIRECCION,
                "LATITUD": LATITUD,
                "LONGITUD": LONGITUD,
                "SOLICITANTE": SOLICITANTE,
                "CEDULA": CEDULA,
                "TELEFONO": TELEFONO,
                "CORREO": CORREO,
                "DATOS_ADICIONALES": DATOS_ADICIONALES,
                "FECHA_SOLICITUD": None if FECHA_SOLICITUD is None else FECHA_SOLICITUD.isoformat(),
            },
        )
        return _sigem_registrada(row)

    @rpc(Unicode(min_occurs=1), Unicode(min_occurs=1), _returns=SolicitudRegistrada)  # type: ignore[untyped-decorator]
    def ConsultarSolicitud(
        ctx: Any, municipio: str, numeroSeguimiento: str
    ) -> SolicitudRegistrada | None:
        _sigem_tenant(ctx, municipio)
        row = _sigem_register(ctx).find(municipio.strip().upper(), numeroSeguimiento.strip())
        return None if row is None else _sigem_registrada(row)

    @rpc(Unicode(min_occurs=1), Array(Unicode), _returns=Array(EstadoSolicitud))  # type: ignore[untyped-decorator]
    def ConsultarEstadoSolicitudes(
        ctx: Any, municipio: str, numeros: list[str] | None
    ) -> list[EstadoSolicitud]:
        _sigem_tenant(ctx, municipio)
        rows = _sigem_register(ctx).find_many(municipio.strip().upper(), list(numeros or []))
        return [_sigem_estado(row) for row in rows]

    @rpc(Unicode(min_occurs=1), Array(Unicode), _returns=Array(SolicitudConsulta))  # type: ignore[untyped-decorator]
    def ConsultarSolicitudes(
        ctx: Any, municipio: str, numeros: list[str] | None
    ) -> list[SolicitudConsulta]:
        """Any requests by number (filed at the counter or through the hub), at most 50
        per call; unknown numbers are left out; sorted by number, not in the asked order."""
        _sigem_tenant(ctx, municipio)
        wanted = [n.strip() for n in numeros or [] if n and n.strip()]
        if len(wanted) > SIGEM_LOOKUP_LIMIT:
            raise Fault(
                "Client.DemasiadosNumeros",
                f"Máximo {SIGEM_LOOKUP_LIMIT} números por consulta; se recibieron {len(wanted)}.",
            )
        rows = _sigem_register(ctx).find_many(municipio.strip().upper(), wanted)
        return [_sigem_consulta(r) for r in sorted(rows, key=lambda r: r.NUMERO_SEGUIMIENTO)]

    @rpc(Unicode(min_occurs=1), Array(Unicode), _returns=Array(EstadoExpediente))  # type: ignore[untyped-decorator]
    def ConsultarEstadoPorId(
        ctx: Any, municipio: str, ids: list[str] | None
    ) -> list[EstadoExpediente]:
        """States by SIGEM's own numbers, at most 50 per call; unknown ones are left out;
        newest first, not in the asked order."""
        _sigem_tenant(ctx, municipio)
        wanted = [i.strip() for i in ids or [] if i and i.strip()]
        if len(wanted) > SIGEM_STATUS_LIMIT:
            raise Fault(
                "Client.LimiteExcedido",
                f"Máximo {SIGEM_STATUS_LIMIT} identificadores por consulta; se recibieron "
                f"{len(wanted)}.",
            )
        rows = _sigem_register(ctx).find_by_ids(municipio.strip().upper(), wanted)
        return [
            EstadoExpediente(
                ID_SOLICITUD=str(row.ID_SOLICITUD),
                ESTADO=row.ESTADO,
                DESC_ESTADO=SIGEM_STATUS_CODES.get(row.ESTADO, row.ESTADO),
                OBSERVACION=row.OBSERVACION,
                FECHA_ESTADO=_sigem_time(row.FECHA_ESTADO),
            )
            for row in sorted(rows, key=lambda r: r.ID_SOLICITUD, reverse=True)
        ]

    @rpc(Unicode(min_occurs=1), _returns=Array(SolicitudRegistrada))  # type: ignore[untyped-decorator]
    def ListarSolicitudes(ctx: Any, municipio: str) -> list[SolicitudRegistrada]:
        _sigem_tenant(ctx, municipio)
        rows = _sigem_register(ctx).all(municipio.strip().upper())
        return [_sigem_registrada(row) for row in rows]


# --------------------------------------------------------------------------- MuniSoft


class Tramite(ComplexModel):  # type: ignore[misc]
    __namespace__ = MUNISOFT_NAMESPACE
    _type_info = [  # noqa: RUF012 - spyne reads the field order from this list
        ("idTramite", Unicode),
        ("titulo", Unicode),
        ("detalle", Unicode),
        ("area", Unicode),
        ("documentos", Array(Unicode)),
        ("costo", Double),
        ("plazoDias", Integer),
        ("modalidades", Array(Unicode)),
        ("fundamentoLegal", Unicode),
        ("idOficina", Unicode),
    ]


class Oficina(ComplexModel):  # type: ignore[misc]
    __namespace__ = MUNISOFT_NAMESPACE
    _type_info = [  # noqa: RUF012 - spyne reads the field order from this list
        ("idOficina", Unicode),
        ("nombre", Unicode),
        ("encargado", Unicode),
        ("telefono", Unicode),
        ("correo", Unicode),
        ("direccion", Unicode),
        ("horario", Unicode),
    ]


def _munisoft_tramite(record: dict[str, Any]) -> Tramite:
    fee = record["fee_amount"]
    return Tramite(
        idTramite=record["id"],
        titulo=record["name"],
        detalle=record["description"],
        area=_MUNISOFT_AREA[record["category"]],
        documentos=list(record["requirements"]),
        costo=None if fee is None else float(fee),
        plazoDias=record["duration_days"],
        modalidades=[_MUNISOFT_MODALIDAD[c] for c in record["channels"]],
        fundamentoLegal=record["legal_basis"],
        idOficina=record["department_id"],
    )


def _munisoft_oficina(record: dict[str, Any]) -> Oficina:
    return Oficina(
        idOficina=record["id"],
        nombre=record["name"],
        encargado=record["head"],
        telefono=record["phone"],
        correo=record["email"],
        direccion=record["location"],
        horario=record["hours"],
    )


def _munisoft_municipality(ctx: Any) -> str:
    """MuniSoft is installed once per municipality: its one tenant."""
    (municipality_id,) = _state(ctx).tenants.values()
    return municipality_id


class MuniSoftService(ServiceBase):  # type: ignore[misc]
    """MuniSoft's procedures service: a catalogue and lookups by one id."""

    @rpc(_returns=Array(Tramite))  # type: ignore[untyped-decorator]
    def ConsultarCatalogo(ctx: Any) -> list[Tramite]:
        return [_munisoft_tramite(r) for r in catalogue.services(_munisoft_municipality(ctx))]

    @rpc(Unicode(min_occurs=1), _returns=Tramite)  # type: ignore[untyped-decorator]
    def ConsultarTramite(ctx: Any, idTramite: str) -> Tramite | None:
        for record in catalogue.services(_munisoft_municipality(ctx)):
            if record["id"] == idTramite:
                return _munisoft_tramite(record)
        return None

    @rpc(_returns=Array(Oficina))  # type: ignore[untyped-decorator]
    def ConsultarOficinas(ctx: Any) -> list[Oficina]:
        return [_munisoft_oficina(r) for r in catalogue.departments(_munisoft_municipality(ctx))]

    @rpc(Unicode(min_occurs=1), _returns=Oficina)  # type: ignore[untyped-decorator]
    def ConsultarOficina(ctx: Any, idOficina: str) -> Oficina | None:
        for record in catalogue.departments(_munisoft_municipality(ctx)):
            if record["id"] == idOficina:
                return _munisoft_oficina(record)
        return None


# --------------------------------------------------------------------------- HTTP


class _Handler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("%s " + format, self.address_string(), *args)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    """One thread per request; a deep backlog for concurrent clients; no Nagle delay."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, address


_WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _wrap(
    soap_app: _WsgiApp,
    state: _VendorState,
    latency_ms: float,
    http_basic: tuple[str, str] | None,
) -> _WsgiApp:
    """Counts WSDL downloads, checks HTTP basic auth and adds the configured latency."""
    expected = None
    if http_basic is not None:
        expected = "Basic " + base64.b64encode(":".join(http_basic).encode()).decode()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if expected is not None and not hmac.compare_digest(
            environ.get("HTTP_AUTHORIZATION", "").encode(), expected.encode()
        ):
            start_response(
                "401 Unauthorized",
                [("Content-Type", "text/plain"), ("WWW-Authenticate", 'Basic realm="vendor"')],
            )
            return [b"401 Unauthorized"]
        if environ.get("REQUEST_METHOD") == "GET" and "wsdl" in environ.get("QUERY_STRING", ""):
            state.count("wsdl")
        elif latency_ms > 0:
            time.sleep(latency_ms / 1000)
        return soap_app(environ, start_response)

    return app


class VendorServer(Stoppable):
    """A running simulated vendor. `calls` counts operations by name (and `wsdl` downloads)."""

    def __init__(
        self,
        name: str,
        app: _WsgiApp,
        state: _VendorState,
        port: int,
        scratch_dir: Path | None = None,
    ) -> None:
        self.name = name
        self.calls = state.calls
        #: The vendor's register of requests (SIGEM); tests read and change it directly.
        self.requests = state.requests
        #: The vendor's own state (inactive procedures, a simulated registration fault).
        self.state = state
        self._scratch_dir = scratch_dir
        self._app = app
        self._lock = threading.Lock()
        self._server: _ThreadingServer | None = None
        self._thread: threading.Thread | None = None
        self.port = self._listen(port)

    @property
    def url(self) -> str:
        """The service address (what a WSDL's soap:address names)."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def wsdl_url(self) -> str:
        return f"{self.url}?wsdl"

    @property
    def running(self) -> bool:
        return self._server is not None

    def _listen(self, port: int) -> int:
        server = make_server(
            "127.0.0.1", port, self._app, server_class=_ThreadingServer, handler_class=_Handler
        )
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{self.name}-{server.server_port}",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        port_in_use: int = server.server_port
        return port_in_use

    def pause(self) -> None:
        """Simulate an outage: stop listening, so that connections are refused."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def resume(self) -> None:
        """End a simulated outage: listen again on the same port."""
        with self._lock:
            if self._server is None:
                self._listen(self.port)

    def stop(self) -> None:
        self.pause()
        if self._scratch_dir is not None:
            shutil.rmtree(self._scratch_dir, ignore_errors=True)
            self._scratch_dir = None

    def __repr__(self) -> str:
        state = "running" if self.running else "paused"
        return f"<VendorServer {self.name} {self.url} {state}>"


def _start(
    name: str,
    service: type[Any],
    namespace: str,
    protocol: type[Any],
    tenants: dict[str, str],
    port: int,
    latency_ms: float,
    credentials: tuple[str, str] | None,
    http_basic: tuple[str, str] | None,
    requests_db: Path | None = None,
    takes_requests: bool = False,
) -> VendorServer:
    scratch_dir = None
    if takes_requests and requests_db is None:
        scratch_dir = Path(tempfile.mkdtemp(prefix=f"{name.lower()}-"))
        requests_db = scratch_dir / "solicitudes.db"
    register = SigemRequests(requests_db) if requests_db is not None else None
    state = _VendorState(tenants, credentials, register)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        application = Application(
            [service],
            tns=namespace,
            name=name,
            in_protocol=protocol(validator="lxml"),
            out_protocol=protocol(),
        )
    application.event_manager.add_listener("method_call", _on_method_call(state))
    app = _wrap(WsgiApplication(application), state, latency_ms, http_basic)
    try:
        return VendorServer(name, app, state, port, scratch_dir)
    except BaseException:
        if scratch_dir is not None:
            shutil.rmtree(scratch_dir, ignore_errors=True)
        raise


def start_sigem(
    port: int = 0,
    latency_ms: float = 0.0,
    credentials: tuple[str, str] | None = None,
    *,
    http_basic: tuple[str, str] | None = None,
    requests_db: Path | None = None,
) -> VendorServer:
    """SIGEM (SOAP 1.1) for Santo Domingo Este (`SDE`) and Higüey (`HIG`), on 127.0.0.1.

    `credentials` = (username, password) makes a WS-Security UsernameToken mandatory;
    `http_basic` = (username, password) makes HTTP basic authentication mandatory.
    `requests_db` is the SQLite file of SIGEM's register of requests (kept across
    restarts); by default a temporary one, removed by `stop()`.
    """
    return _start(
        "SIGEM",
        SigemService,
        SIGEM_NAMESPACE,
        Soap11,
        dict(SIGEM_MUNICIPIOS),
        port,
        latency_ms,
        credentials,
        http_basic,
        requests_db,
        takes_requests=True,
    )


def start_munisoft(
    port: int = 0,
    latency_ms: float = 0.0,
    credentials: tuple[str, str] | None = None,
    *,
    http_basic: tuple[str, str] | None = None,
    municipality_id: str = "santiago",
) -> VendorServer:
    """MuniSoft (SOAP 1.2) for one municipality (Santiago by default), on 127.0.0.1."""
    return _start(
        "MuniSoft",
        MuniSoftService,
        MUNISOFT_NAMESPACE,
        Soap12,
        {municipality_id: municipality_id},
        port,
        latency_ms,
        credentials,
        http_basic,
    )


def _credentials(text: str | None) -> tuple[str, str] | None:
    if not text:
        return None
    username, separator, password = text.partition(":")
    if not separator:
        raise SystemExit("credentials must be USER:PASSWORD")
    return username, password


def main(argv: list[str] | None = None) -> int:
    """Start both vendors and serve until interrupted."""
    parser = argparse.ArgumentParser(description="Simulated municipal SOAP vendors.")
    parser.add_argument("--sigem-port", type=int, default=8701)
    parser.add_argument("--munisoft-port", type=int, default=8702)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--wsse", metavar="USER:PASSWORD", help="require a UsernameToken")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("spyne.application.client").setLevel(logging.CRITICAL)  # callers' faults
    signal.signal(signal.SIGTERM, _interrupt)
    credentials = _credentials(args.wsse)
    servers = [
        start_sigem(args.sigem_port, args.latency_ms, credentials),
        start_munisoft(args.munisoft_port, args.latency_ms, credentials),
    ]
    for server in servers:
        print(f"{server.name}: {server.wsdl_url}", flush=True)
    try:
        _wait_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            server.stop()
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _wait_forever() -> None:
    threading.Event().wait()


if __name__ == "__main__":
    raise SystemExit(main())
