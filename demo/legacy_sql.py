"""Two simulated legacy municipal databases, for the `sql` connector's demo and tests.

Built from `demo.catalogue` on SQLite (a file) or PostgreSQL. This module plays the
vendor's system, so it creates tables and views; the hub itself never does.

- **SIMUVEGA** (La Vega): tables ``TRAMITES`` and ``DEPARTAMENTOS`` with Spanish capitals,
  two-letter area codes (``COD_AREA``: UR, SA, TR, EP, CE, CT, ME, SO), requirements in one
  text split by ``;``, the fee as a NUMERIC (``MONTO``), one ``S``/``N`` flag per remote
  channel (``CANAL_WEB``, ``CANAL_TEL``) and a status (``ESTATUS``: ``A`` active, ``I``
  inactive; two inactive rows that the binding's ``where`` must keep out). Citizens'
  requests go into ``SOLICITUDES`` (``NUM_SEGUIMIENTO`` UNIQUE, status codes ``COD_ESTADO``:
  PE pendiente, AN en análisis, TR en trámite, FI finalizada, DE denegada); the hub INSERTs
  through La Vega's `requests` binding, and `read_solicitudes` / `set_solicitud_estado`
  let tests read that state and change a status as a clerk would. Public works are in
  ``OBRAS`` (`demo.works`: progress ``AVANCE`` a fraction of one, DATE columns, ``ESTATUS``
  codes L, E, P, T, C).
  Contracting processes are in ``PROCESOS_COMPRA`` (`demo.procurement`).
- **GESMUN** (San Francisco de Macorís): tables ``servicio`` and ``tarifa`` behind the view
  ``v_servicios_web``; full Spanish category words, requirements split by ``|``, channels
  as "Presencial, Teléfono", the fee as text in the Dominican style ("1.500,00"). One
  GESMUN database serves several municipalities (``cod_municipio``, the ONE code); the view
  hides unpublished services. Its budget execution per fiscal year is in
  ``v_ejecucion_presupuestaria`` (`demo.budgets`).

Seed both as SQLite files with ``python -m demo.legacy_sql DIRECTORY``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import sys
import zoneinfo
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from connectors.convert import to_bool
from connectors.errors import MappingError
from connectors.mapping import invalid_value
from demo import budgets, catalogue, procurement, works

LegacySystem = Literal["simuvega", "gesmun"]

#: The municipality each simulated system belongs to (GESMUN also holds a neighbour's rows).
MUNICIPALITY_OF: dict[LegacySystem, str] = {
    "simuvega": "la-vega",
    "gesmun": "san-francisco-de-macoris",
}
#: The ONE code GESMUN files San Francisco de Macorís under.
GESMUN_MUNICIPIO = "0601"

AREA_CODES = {
    "urbanismo": "UR",
    "saneamiento": "SA",
    "tributos": "TR",
    "espacio_publico": "EP",
    "cementerios": "CE",
    "certificaciones": "CT",
    "mercados": "ME",
    "social": "SO",
}
GESMUN_CATEGORIES = {
    "urbanismo": "Urbanismo",
    "saneamiento": "Saneamiento",
    "tributos": "Tributos",
    "espacio_publico": "Espacio público",
    "cementerios": "Cementerios",
    "certificaciones": "Certificaciones",
    "mercados": "Mercados",
    "social": "Desarrollo social",
}
GESMUN_CHANNELS = {"presencial": "Presencial", "en_linea": "En línea", "telefono": "Teléfono"}

# ----------------------------------------------------------------------------- SIMUVEGA

simuvega = sa.MetaData()

TRAMITES = sa.Table(
    "TRAMITES",
    simuvega,
    sa.Column("COD_TRAMITE", sa.String(80), primary_key=True),
    sa.Column("DESC_TRAMITE", sa.String(200), nullable=False),
    sa.Column("DETALLE", sa.Text),
    sa.Column("COD_AREA", sa.String(2), nullable=False),
    sa.Column("REQUISITOS", sa.Text),
    sa.Column("MONTO", sa.Numeric(12, 2, asdecimal=False)),
    sa.Column("MONEDA", sa.String(3)),
    sa.Column("DIAS", sa.Integer),
    sa.Column("CANAL_WEB", sa.String(1), nullable=False),
    sa.Column("CANAL_TEL", sa.String(1), nullable=False),
    sa.Column("BASE_LEGAL", sa.Text),
    sa.Column("COD_DEPTO", sa.String(40)),
    sa.Column("ESTATUS", sa.String(1), nullable=False),
)

DEPARTAMENTOS = sa.Table(
    "DEPARTAMENTOS",
    simuvega,
    sa.Column("COD_DEPTO", sa.String(40), primary_key=True),
    sa.Column("NOMBRE_DEPTO", sa.String(200), nullable=False),
    sa.Column("TEL", sa.String(30)),
    sa.Column("EMAIL", sa.String(120)),
    sa.Column("UBICACION", sa.String(200)),
    sa.Column("HORARIO", sa.String(120)),
)

SOLICITUDES = sa.Table(
    "SOLICITUDES",
    simuvega,
    sa.Column("ID_SOLICITUD", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("NUM_SEGUIMIENTO", sa.String(30), nullable=False, unique=True),
    sa.Column("COD_TRAMITE", sa.String(80), sa.ForeignKey("TRAMITES.COD_TRAMITE"), nullable=False),
    sa.Column("DESCRIPCION", sa.Text, nullable=False),
    sa.Column("DIRECCION", sa.String(300)),
    sa.Column("LATITUD", sa.Float),
    sa.Column("LONGITUD", sa.Float),
    sa.Column("NOMBRE_SOLICITANTE", sa.String(200)),
    sa.Column("CEDULA", sa.String(13)),
    sa.Column("TELEFONO", sa.String(30)),
    sa.Column("CORREO", sa.String(120)),
    sa.Column("DATOS_ADIC", sa.Text),
    sa.Column("CANAL", sa.String(3), nullable=False),
    sa.Column("FECHA_SOLICITUD", sa.DateTime, nullable=False),
    sa.Column("COD_ESTADO", sa.String(2), nullable=False),
    sa.Column("OBSERVACION", sa.Text),
    sa.Column("FECHA_ESTADO", sa.DateTime, nullable=False),
)

#: La Vega's public works (`demo.works`): progress a fraction of one, real dates.
OBRAS = sa.Table(
    "OBRAS",
    simuvega,
    sa.Column("COD_OBRA", sa.String(20), primary_key=True),
    sa.Column("NOMBRE_OBRA", sa.String(200), nullable=False),
    sa.Column("SECTOR", sa.String(200)),
    sa.Column("LATITUD", sa.Float),
    sa.Column("LONGITUD", sa.Float),
    sa.Column("CONTRATISTA", sa.String(200)),
    sa.Column("MONTO_CONTRATO", sa.Numeric(14, 2)),
    sa.Column("AVANCE", sa.Float, nullable=False),
    sa.Column("FECHA_INICIO", sa.Date),
    sa.Column("FECHA_FIN_PREV", sa.Date),
    sa.Column("FECHA_FIN_REAL", sa.Date),
    sa.Column("ESTATUS", sa.String(1), nullable=False),
    sa.Column("COD_PROCESO", sa.String(40)),
)

#: SIMUVEGA's request status codes and what its clerks call them.
SIMUVEGA_STATUS_CODES = {
    "PE": "Pendiente",
    "AN": "En análisis",
    "TR": "En trámite",
    "FI": "Finalizada",
    "DE": "Denegada",
}

#: Retired procedures SIMUVEGA still keeps; a binding must filter them out (`ESTATUS: A`).
SIMUVEGA_INACTIVE = ("licencia-construccion-1998", "certificado-residencia-papel")


def _flag(value: bool) -> str:
    return "S" if value else "N"


def _simuvega_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    municipality = MUNICIPALITY_OF["simuvega"]
    tramites = [
        {
            "COD_TRAMITE": s["id"],
            "DESC_TRAMITE": s["name"],
            "DETALLE": s["description"],
            "COD_AREA": AREA_CODES[s["category"]],
            "REQUISITOS": "; ".join(s["requirements"]),
            "MONTO": s["fee_amount"],
            "MONEDA": None if s["fee_amount"] is None else s["fee_currency"],
            "DIAS": s["duration_days"],
            "CANAL_WEB": _flag("en_linea" in s["channels"]),
            "CANAL_TEL": _flag("telefono" in s["channels"]),
            "BASE_LEGAL": s["legal_basis"],
            "COD_DEPTO": s["department_id"],
            "ESTATUS": "A",
        }
        for s in catalogue.services(municipality)
    ]
    retired = [
        ("Licencia de construcción (formulario de 1998)", "UR", "planeamiento-urbano"),
        ("Certificado de residencia en papel", "CT", "secretaria-general"),
    ]
    for code, (name, area, department) in zip(SIMUVEGA_INACTIVE, retired, strict=True):
        tramites.append(
            {
                "COD_TRAMITE": code,
                "DESC_TRAMITE": name,
                "DETALLE": "Trámite sustituido; no se ofrece.",
                "COD_AREA": area,
                "REQUISITOS": "",
                "MONTO": Decimal("100.00"),
                "MONEDA": "DOP",
                "DIAS": 60,
                "CANAL_WEB": "N",
                "CANAL_TEL": "N",
                "BASE_LEGAL": None,
                "COD_DEPTO": department,
                "ESTATUS": "I",
            }
        )
    departamentos = [
        {
            "COD_DEPTO": d["id"],
            "NOMBRE_DEPTO": d["name"],
            "TEL": d["phone"],
            "EMAIL": d["email"],
            "UBICACION": d["location"],
            "HORARIO": d["hours"],
        }
        for d in catalogue.departments(municipality)
    ]
    return tramites, departamentos


def simuvega_channels(raw: Mapping[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """SIMUVEGA keeps one S/N flag per remote channel; every procedure is also presencial.

    The binding reads the flags with `columns: [CANAL_WEB, CANAL_TEL]`; the demo registers
    this as the hook ``simuvega-canales`` (`demo.launch.register_hooks`).
    """
    channels = ["presencial"]
    for column, channel in (("CANAL_WEB", "en_linea"), ("CANAL_TEL", "telefono")):
        value = raw.get(column)
        try:
            wanted = value is not None and to_bool(value)
        except ValueError:
            shown = repr(value)[:60]
            municipality = record.get("municipality_id", "?")
            raise MappingError(
                f"{municipality}/SIMUVEGA: field 'channels' from '{column}': expected S/N, "
                f"found {shown}",
                message=invalid_value("SIMUVEGA", municipality, column, "channels", shown),
                field="channels",
                source_field=column,
                value=shown,
            ) from None
        if wanted:
            channels.append(channel)
    return {**record, "channels": channels}


async def read_solicitudes(url: str) -> list[dict[str, Any]]:
    """Every row of SIMUVEGA's ``SOLICITUDES`` at `url`, oldest first (the upstream's state)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                sa.select(SOLICITUDES).order_by(SOLICITUDES.c.ID_SOLICITUD)
            )
            return [dict(row) for row in result.mappings()]
    finally:
        await engine.dispose()


async def set_solicitud_estado(
    url: str, numero: str, codigo: str, observacion: str | None = None
) -> None:
    """Change a request's status in SIMUVEGA, as a clerk of La Vega would (local time)."""
    if codigo not in SIMUVEGA_STATUS_CODES:
        raise ValueError(f"SIMUVEGA has no status code {codigo!r}")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            number_column = SOLICITUDES.c.NUM_SEGUIMIENTO
            result = await connection.execute(
                sa.update(SOLICITUDES)
                .where(number_column == numero)
                .values(
                    COD_ESTADO=codigo,
                    OBSERVACION=observacion,
                    FECHA_ESTADO=_local_now(),
                )
            )
            if result.rowcount != 1:
                raise LookupError(f"SIMUVEGA holds no request {numero}")
    finally:
        await engine.dispose()


def _local_now() -> datetime.datetime:
    """Now in La Vega, without an offset, as SIMUVEGA stores times."""
    zone = zoneinfo.ZoneInfo("America/Santo_Domingo")
    return datetime.datetime.now(zone).replace(tzinfo=None, microsecond=0)


# ------------------------------------------------------------------------------- GESMUN

gesmun = sa.MetaData()

SERVICIO = sa.Table(
    "servicio",
    gesmun,
    sa.Column("servicio_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("clave", sa.String(80), nullable=False),
    sa.Column("cod_municipio", sa.String(4), nullable=False),
    sa.Column("nombre_servicio", sa.String(200), nullable=False),
    sa.Column("descripcion", sa.Text),
    sa.Column("categoria", sa.String(60), nullable=False),
    sa.Column("requisitos", sa.Text),
    sa.Column("plazo", sa.Integer),
    sa.Column("canales", sa.String(120)),
    sa.Column("fundamento", sa.Text),
    sa.Column("dependencia", sa.String(60)),
    sa.Column("publicado", sa.SmallInteger, nullable=False),
    sa.UniqueConstraint("cod_municipio", "clave"),
)

TARIFA = sa.Table(
    "tarifa",
    gesmun,
    sa.Column("tarifa_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("servicio_id", sa.Integer, sa.ForeignKey("servicio.servicio_id"), nullable=False),
    sa.Column("valor_texto", sa.String(30), nullable=False),
    sa.Column("moneda", sa.String(5), nullable=False),
)

GESMUN_VIEW = "v_servicios_web"
_CREATE_VIEW = """
CREATE VIEW v_servicios_web AS
SELECT s.servicio_id, s.clave, s.cod_municipio, s.nombre_servicio, s.descripcion,
       s.categoria, s.requisitos, t.valor_texto, t.moneda, s.plazo, s.canales,
       s.fundamento, s.dependencia
FROM servicio s
LEFT JOIN tarifa t ON t.servicio_id = s.servicio_id
WHERE s.publicado = 1
"""

#: GESMUN's archive of older requests, filed before the hub (numbers ``SOL-<year>-<n>``),
#: read through the view ``v_solicitudes_historicas``: one-letter states (R recibida,
#: A en análisis, P en proceso, T terminada, X rechazada), dates as YYYYMMDD text.
SOLICITUD_HISTORICA = sa.Table(
    "solicitud_historica",
    gesmun,
    sa.Column("numero", sa.String(20), primary_key=True),
    sa.Column("cod_municipio", sa.String(4), nullable=False),
    sa.Column("tramite", sa.String(80), nullable=False),
    sa.Column("solicitante", sa.String(200)),
    sa.Column("estado", sa.String(1), nullable=False),
    sa.Column("obs", sa.String(500)),
    sa.Column("fecha", sa.String(8), nullable=False),
    sa.Column("fecha_estado", sa.String(8), nullable=False),
)
GESMUN_REQUESTS_VIEW = "v_solicitudes_historicas"
_CREATE_REQUESTS_VIEW = """
CREATE VIEW v_solicitudes_historicas AS
SELECT numero, cod_municipio, tramite, estado, obs, fecha, fecha_estado
FROM solicitud_historica
"""
#: The older requests in the demo (applicants fictitious; the view does not show them).
GESMUN_OLDER_REQUESTS = (
    (
        "SOL-2023-0097",
        GESMUN_MUNICIPIO,
        "licencia-construccion",
        "Ana Díaz (ficticia)",
        "T",
        "Licencia entregada.",
        "20230314",
        "20230502",
    ),
    (
        "SOL-2023-0112",
        GESMUN_MUNICIPIO,
        "puesto-mercado",
        "Luis Reyes (ficticio)",
        "X",
        "No hay puestos disponibles en el mercado.",
        "20230607",
        "20230620",
    ),
    (
        "SOL-2024-0015",
        GESMUN_MUNICIPIO,
        "terreno-cementerio",
        "Marta Gil (ficticia)",
        "P",
        None,
        "20240122",
        "20240209",
    ),
    (
        "SOL-2024-0031",
        "0603",
        "castillo-licencia",
        "Pedro Ortiz (ficticio)",
        "R",
        None,
        "20240301",
        "20240301",
    ),
)

#: Rows GESMUN holds that San Francisco de Macorís must never show: an unpublished service,
#: and two of a neighbouring municipality (Castillo, ONE code 0603) on the same database.
GESMUN_HIDDEN = ("constancia-no-delincuencia", "castillo-licencia", "castillo-mercado")


def dominican_money(amount: Decimal) -> str:
    """1500 → "1.500,00": the thousands dot and decimal comma GESMUN stores."""
    return f"{amount:,.2f}".translate(str.maketrans(",.", ".,"))


def _gesmun_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    servicios: list[dict[str, Any]] = []
    tarifas: list[dict[str, Any]] = []
    records = [(GESMUN_MUNICIPIO, True, s) for s in catalogue.services(MUNICIPALITY_OF["gesmun"])]
    model = records[0][2]
    hidden = [
        (GESMUN_MUNICIPIO, False, {**model, "id": GESMUN_HIDDEN[0], "name": "Constancia vieja"}),
        ("0603", True, {**model, "id": GESMUN_HIDDEN[1], "name": "Licencia (Castillo)"}),
        ("0603", True, {**model, "id": GESMUN_HIDDEN[2], "name": "Mercado (Castillo)"}),
    ]
    for number, (municipio, published, s) in enumerate([*records, *hidden], start=101):
        servicios.append(
            {
                "servicio_id": number,
                "clave": s["id"],
                "cod_municipio": municipio,
                "nombre_servicio": s["name"],
                "descripcion": s["description"],
                "categoria": GESMUN_CATEGORIES[s["category"]],
                "requisitos": " | ".join(s["requirements"]),
                "plazo": s["duration_days"],
                "canales": ", ".join(GESMUN_CHANNELS[c] for c in s["channels"]),
                "fundamento": s["legal_basis"],
                "dependencia": s["department_id"],
                "publicado": 1 if published else 0,
            }
        )
        if s["fee_amount"] is not None:
            tarifas.append(
                {
                    "tarifa_id": number,
                    "servicio_id": number,
                    "valor_texto": dominican_money(s["fee_amount"]),
                    "moneda": "RD$",
                }
            )
    return servicios, tarifas


# ----------------------------------------------------------------------------- building


def _system(kind: str) -> LegacySystem:
    """Accepts the system's name or its municipality's id."""
    for system, municipality in MUNICIPALITY_OF.items():
        if kind in (system, municipality):
            return system
    known = ", ".join(f"{s} ({m})" for s, m in MUNICIPALITY_OF.items())
    raise ValueError(f"unknown legacy system {kind!r}; known: {known}")


async def _build_simuvega(connection: AsyncConnection) -> None:
    await connection.run_sync(simuvega.drop_all)
    await connection.run_sync(simuvega.create_all)
    tramites, departamentos = _simuvega_rows()
    await connection.execute(sa.insert(DEPARTAMENTOS), departamentos)
    await connection.execute(sa.insert(TRAMITES), tramites)
    await connection.execute(sa.insert(OBRAS), works.simuvega_obras())
    await connection.run_sync(procurement.procesos.drop_all)
    await connection.run_sync(procurement.procesos.create_all)
    await connection.execute(
        sa.insert(procurement.PROCESOS_COMPRA), procurement.simuvega_processes()
    )


async def _build_gesmun(connection: AsyncConnection) -> None:
    await connection.execute(sa.text("DROP VIEW IF EXISTS v_servicios_web"))
    await connection.execute(sa.text(f"DROP VIEW IF EXISTS {GESMUN_REQUESTS_VIEW}"))
    await connection.run_sync(gesmun.drop_all)
    await connection.run_sync(gesmun.create_all)
    await connection.execute(sa.text(_CREATE_VIEW))
    await connection.execute(sa.text(_CREATE_REQUESTS_VIEW))
    columns = [c.name for c in SOLICITUD_HISTORICA.columns]
    await connection.execute(
        sa.insert(SOLICITUD_HISTORICA),
        [dict(zip(columns, row, strict=True)) for row in GESMUN_OLDER_REQUESTS],
    )
    servicios, tarifas = _gesmun_rows()
    await connection.execute(sa.insert(SERVICIO), servicios)
    await connection.execute(sa.insert(TARIFA), tarifas)
    await budgets.build_gesmun_budget(connection, GESMUN_MUNICIPIO)


async def create_database(kind: str, url: str) -> None:
    """(Re)create the legacy system `kind` ("simuvega"/"la-vega" or
    "gesmun"/"san-francisco-de-macoris") with its demo data at the async `url`
    (sqlite+aiosqlite or postgresql+asyncpg). Existing tables of that system are replaced.
    """
    system = _system(kind)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            if system == "simuvega":
                await _build_simuvega(connection)
            else:
                await _build_gesmun(connection)
    finally:
        await engine.dispose()


#: The SQLite file of each system under `seed_demo`'s directory.
DEMO_FILES: dict[LegacySystem, str] = {"simuvega": "simuvega.db", "gesmun": "gesmun.db"}


async def seed_demo(directory: Path) -> dict[str, str]:
    """Create both systems as SQLite files in `directory`; returns each municipality's URL.

    {"la-vega": "sqlite+aiosqlite:///…/simuvega.db", "san-francisco-de-macoris": "…/gesmun.db"}
    """
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    urls: dict[str, str] = {}
    for system, name in DEMO_FILES.items():
        url = f"sqlite+aiosqlite:///{(directory / name).absolute()}"
        await create_database(system, url)
        urls[MUNICIPALITY_OF[system]] = url
    return urls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create the demo legacy SQL databases.")
    parser.add_argument("directory", type=Path, help="where to write simuvega.db and gesmun.db")
    args = parser.parse_args(argv)
    for municipality, url in asyncio.run(seed_demo(args.directory)).items():
        print(f"{municipality}: {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
