"""SIGEM's own register of citizens' requests (solicitudes): its state, in its own SQLite file.

The simulated SIGEM vendor (`demo.soap_vendors`) keeps the requests the hub
delivers here, separate from the hub's store, as the municipality's real system would:
`RegistrarSolicitud` writes, `ConsultarSolicitud`, `ConsultarEstadoSolicitudes` and
`ListarSolicitudes` read. The tracking number (``NUMERO_SEGUIMIENTO``) is UNIQUE: a second
registration with the same number returns the record already held, never a duplicate.

Tests read this state directly (`read_solicitudes`) to assert that a request really
arrived upstream, and change a status the way a clerk of the municipality would
(`set_status`) to test that the hub reads it back.

SIGEM's status codes: ``RG`` registrada, ``EV`` en evaluación, ``ET`` en trámite,
``CO`` concluida, ``RZ`` rechazada.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "COUNTER_FILINGS",
    "SIGEM_STATUS_CODES",
    "CounterFiling",
    "SigemRequests",
    "Solicitud",
    "file_at_counter",
    "read_solicitudes",
    "set_status",
]

#: SIGEM's status codes and what its clerks call them.
SIGEM_STATUS_CODES = {
    "RG": "Registrada",
    "EV": "En evaluación",
    "ET": "En trámite",
    "CO": "Concluida",
    "RZ": "Rechazada",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS SOLICITUDES (
    ID_SOLICITUD INTEGER PRIMARY KEY AUTOINCREMENT,
    MUNICIPIO TEXT NOT NULL,
    NUMERO_SEGUIMIENTO TEXT NOT NULL UNIQUE,
    CODIGO_SERVICIO TEXT NOT NULL,
    DESCRIPCION TEXT NOT NULL,
    DIRECCION TEXT,
    LATITUD REAL,
    LONGITUD REAL,
    SOLICITANTE TEXT,
    CEDULA TEXT,
    TELEFONO TEXT,
    CORREO TEXT,
    DATOS_ADICIONALES TEXT,
    FECHA_SOLICITUD TEXT,
    FECHA_REGISTRO TEXT NOT NULL,
    ESTADO TEXT NOT NULL DEFAULT 'RG',
    OBSERVACION TEXT,
    FECHA_ESTADO TEXT NOT NULL
)
"""

_COLUMNS = (
    "ID_SOLICITUD",
    "MUNICIPIO",
    "NUMERO_SEGUIMIENTO",
    "CODIGO_SERVICIO",
    "DESCRIPCION",
    "DIRECCION",
    "LATITUD",
    "LONGITUD",
    "SOLICITANTE",
    "CEDULA",
    "TELEFONO",
    "CORREO",
    "DATOS_ADICIONALES",
    "FECHA_SOLICITUD",
    "FECHA_REGISTRO",
    "ESTADO",
    "OBSERVACION",
    "FECHA_ESTADO",
)

#: What a registration gives (every column a caller sets).
_INPUT_COLUMNS = (
    "NUMERO_SEGUIMIENTO",
    "CODIGO_SERVICIO",
    "DESCRIPCION",
    "DIRECCION",
    "LATITUD",
    "LONGITUD",
    "SOLICITANTE",
    "CEDULA",
    "TELEFONO",
    "CORREO",
    "DATOS_ADICIONALES",
    "FECHA_SOLICITUD",
)


@dataclasses.dataclass(frozen=True, slots=True)
class Solicitud:
    """One row of SIGEM's register, as its own columns name it."""

    ID_SOLICITUD: int
    MUNICIPIO: str
    NUMERO_SEGUIMIENTO: str
    CODIGO_SERVICIO: str
    DESCRIPCION: str
    DIRECCION: str | None
    LATITUD: float | None
    LONGITUD: float | None
    SOLICITANTE: str | None
    CEDULA: str | None
    TELEFONO: str | None
    CORREO: str | None
    DATOS_ADICIONALES: str | None
    FECHA_SOLICITUD: str | None
    FECHA_REGISTRO: str
    ESTADO: str
    OBSERVACION: str | None
    FECHA_ESTADO: str

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def _row(values: tuple[Any, ...]) -> Solicitud:
    return Solicitud(*values)


_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM SOLICITUDES"  # noqa: S608 - constant column names


class SigemRequests:
    """SIGEM's register in one SQLite file, safe to use from the server's threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with _connect(path) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(_SCHEMA)

    def register(self, municipio: str, values: dict[str, Any]) -> tuple[Solicitud, bool]:
        """Store a request, or find the one already held under its tracking number.

        Returns the record and whether it was created now.
        """
        unknown = set(values) - set(_INPUT_COLUMNS)
        if unknown:
            raise ValueError(f"unknown columns: {sorted(unknown)}")
        now = _now()
        row = {column: values.get(column) for column in _INPUT_COLUMNS}
        columns = [*_INPUT_COLUMNS, "MUNICIPIO", "FECHA_REGISTRO", "FECHA_ESTADO"]
        parameters = [*row.values(), municipio, now, now]
        placeholders = ", ".join("?" for _ in columns)
        with self._lock, _connect(self.path) as connection:
            cursor = connection.execute(
                f"INSERT INTO SOLICITUDES ({', '.join(columns)}) VALUES ({placeholders}) "  # noqa: S608 - constant column names
                "ON CONFLICT (NUMERO_SEGUIMIENTO) DO NOTHING",
                parameters,
            )
            created = cursor.rowcount == 1
            found = connection.execute(
                f"{_SELECT} WHERE NUMERO_SEGUIMIENTO = ?", (row["NUMERO_SEGUIMIENTO"],)
            ).fetchone()
        return _row(found), created

    def find(self, municipio: str, numero: str) -> Solicitud | None:
        with _connect(self.path) as connection:
            found = connection.execute(
                f"{_SELECT} WHERE MUNICIPIO = ? AND NUMERO_SEGUIMIENTO = ?", (municipio, numero)
            ).fetchone()
        return None if found is None else _row(found)

    def find_many(self, municipio: str, numeros: list[str]) -> list[Solicitud]:
        if not numeros:
            return []
        marks = ", ".join("?" for _ in numeros)
        with _connect(self.path) as connection:
            rows = connection.execute(
                f"{_SELECT} WHERE MUNICIPIO = ? AND NUMERO_SEGUIMIENTO IN ({marks}) "
                "ORDER BY ID_SOLICITUD",
                (municipio, *numeros),
            ).fetchall()
        return [_row(r) for r in rows]

    def find_by_ids(self, municipio: str, ids: list[str]) -> list[Solicitud]:
        """By SIGEM's own numbers (`ID_SOLICITUD`); ones it does not hold are left out."""
        numbers = [int(i) for i in ids if i.isdigit()]
        if not numbers:
            return []
        marks = ", ".join("?" for _ in numbers)
        with _connect(self.path) as connection:
            rows = connection.execute(
                f"{_SELECT} WHERE MUNICIPIO = ? AND ID_SOLICITUD IN ({marks})",
                (municipio, *numbers),
            ).fetchall()
        return [_row(r) for r in rows]

    def all(self, municipio: str | None = None) -> list[Solicitud]:
        return read_solicitudes(self.path, municipio)

    def set_status(self, numero: str, estado: str, observacion: str | None = None) -> None:
        set_status(self.path, numero, estado, observacion)


def read_solicitudes(path: Path, municipio: str | None = None) -> list[Solicitud]:
    """Every request in SIGEM's register file (of one tenant code, if given), oldest first."""
    with _connect(path) as connection:
        if municipio is None:
            rows = connection.execute(f"{_SELECT} ORDER BY ID_SOLICITUD").fetchall()
        else:
            rows = connection.execute(
                f"{_SELECT} WHERE MUNICIPIO = ? ORDER BY ID_SOLICITUD", (municipio,)
            ).fetchall()
    return [_row(r) for r in rows]


@dataclasses.dataclass(frozen=True, slots=True)
class CounterFiling:
    """A request a citizen filed in person at the municipality's counter, straight into
    SIGEM: the hub never saw it, and SIGEM numbers it itself (``SGM-<year>-<n>``)."""

    numero: str
    servicio: str
    estado: str
    fecha_solicitud: dt.datetime
    fecha_estado: dt.datetime
    observacion: str | None = None
    descripcion: str = dataclasses.field(default="Solicitud presentada en ventanilla", repr=False)
    solicitante: str | None = dataclasses.field(default=None, repr=False)


_AST = dt.timezone(dt.timedelta(hours=-4))

#: Santo Domingo Este's counter-filed requests in the demo (fictitious applicants).
COUNTER_FILINGS = (
    CounterFiling(
        "SGM-2026-00041",
        "licencia-construccion",
        "ET",
        dt.datetime(2026, 1, 12, 9, 30, tzinfo=_AST),
        dt.datetime(2026, 2, 3, 14, 5, tzinfo=_AST),
        "Planos revisados; pendiente de inspección en el terreno.",
        solicitante="Rosa Almonte (ficticia)",
    ),
    CounterFiling(
        "SGM-2026-00057",
        "certificado-uso-suelo",
        "CO",
        dt.datetime(2026, 1, 20, 10, 0, tzinfo=_AST),
        dt.datetime(2026, 1, 29, 11, 45, tzinfo=_AST),
        "Certificado listo para retirar en la ventanilla única.",
        solicitante="Julio Peña (ficticio)",
    ),
    CounterFiling(
        "SGM-2026-00063",
        "recogida-escombros",
        "RG",
        dt.datetime(2026, 2, 2, 8, 15, tzinfo=_AST),
        dt.datetime(2026, 2, 2, 8, 15, tzinfo=_AST),
        solicitante="Carmen Tavárez (ficticia)",
    ),
)


def file_at_counter(path: Path, municipio: str, filings: tuple[CounterFiling, ...]) -> None:
    """Put requests filed at the counter into SIGEM's register (kept if already there)."""
    if not filings:
        return
    columns = (
        "MUNICIPIO, NUMERO_SEGUIMIENTO, CODIGO_SERVICIO, DESCRIPCION, SOLICITANTE, "
        "FECHA_SOLICITUD, FECHA_REGISTRO, ESTADO, OBSERVACION, FECHA_ESTADO"
    )
    rows = [
        (
            municipio,
            f.numero,
            f.servicio,
            f.descripcion,
            f.solicitante,
            f.fecha_solicitud.isoformat(),
            f.fecha_solicitud.isoformat(),
            f.estado,
            f.observacion,
            f.fecha_estado.isoformat(),
        )
        for f in filings
    ]
    with _connect(path) as connection:
        connection.executemany(
            f"INSERT INTO SOLICITUDES ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "  # noqa: S608 - constant column names
            "ON CONFLICT (NUMERO_SEGUIMIENTO) DO NOTHING",
            rows,
        )


def set_status(path: Path, numero: str, estado: str, observacion: str | None = None) -> None:
    """Change a request's status in SIGEM, as a clerk of the municipality would."""
    if estado not in SIGEM_STATUS_CODES:
        raise ValueError(
            f"SIGEM has no status code {estado!r}; it knows {list(SIGEM_STATUS_CODES)}"
        )
    with _connect(path) as connection:
        cursor = connection.execute(
            "UPDATE SOLICITUDES SET ESTADO = ?, OBSERVACION = ?, FECHA_ESTADO = ? "
            "WHERE NUMERO_SEGUIMIENTO = ?",
            (estado, observacion, _now(), numero),
        )
        if cursor.rowcount != 1:
            raise LookupError(f"SIGEM holds no request {numero}")
