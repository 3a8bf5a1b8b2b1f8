"""The pilot's simulated municipal systems, started on loopback alongside the demo hub.

| municipality                 | system of record                                   |
|------------------------------|----------------------------------------------------|
| Santo Domingo Este, Higüey   | SIGEM, SOAP 1.1 vendor service (tenant by code)    |
| Santiago                     | MuniSoft, SOAP 1.2 vendor service                  |
| La Vega                      | SIMUVEGA SQL database; departments in a workbook   |
| San Francisco de Macorís     | GESMUN SQL database (a view, through a query)      |
| Puerto Plata                 | municipal portal, REST/JSON                        |
| Verón-Punta Cana             | treasurer's .xlsx workbook                         |
| Cabarete                     | treasurer's .csv export                            |
| Jarabacoa, Manabao           | the hub's own store (native)                       |

Citizens' requests are written through to SIGEM (Santo Domingo Este, its own register in
``sigem-solicitudes.db``) and to SIMUVEGA (La Vega, table ``SOLICITUDES``); every other
municipality keeps them in the hub store.

The municipality files name these systems through `${PLANASMUN_DEMO_*}` variables, which
`start_demo_systems` exports, so the same files serve the demo, the tests (on free ports)
and the benchmark (with simulated latency).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from demo import legacy_sql, procurement, rest_service, soap_vendors, workbooks
from demo.sigem_requests import COUNTER_FILINGS, file_at_counter


class _Stoppable(Protocol):
    def stop(self) -> None: ...


DATA_DIR_VARIABLE = "PLANASMUN_DEMO_DATA_DIR"
#: SIGEM's own register of the requests it received, under the data directory.
SIGEM_REQUESTS_FILE = "sigem-solicitudes.db"


@dataclasses.dataclass(frozen=True, slots=True)
class DemoPorts:
    """Fixed in the demo so that URLs are stable; 0 picks free ports (tests)."""

    sigem: int = 8701
    munisoft: int = 8702
    portal: int = 8081

    @classmethod
    def from_environment(cls) -> DemoPorts:
        """The ports named by PLANASMUN_DEMO_*_PORT, else the defaults."""
        defaults = cls()
        return cls(
            **{
                name: int(os.environ.get(f"PLANASMUN_DEMO_{name.upper()}_PORT", default))
                for name, default in dataclasses.asdict(defaults).items()
            }
        )


@dataclasses.dataclass(slots=True)
class DemoSystems:
    sigem: soap_vendors.VendorServer
    munisoft: soap_vendors.VendorServer
    portal: rest_service.RestService
    data_dir: Path

    def environment(self) -> dict[str, str]:
        """What the municipality files need to find these systems."""
        return {
            DATA_DIR_VARIABLE: str(self.data_dir),
            "PLANASMUN_DEMO_SIGEM_PORT": str(self.sigem.port),
            "PLANASMUN_DEMO_MUNISOFT_PORT": str(self.munisoft.port),
            "PLANASMUN_DEMO_PORTAL_PORT": self.portal.url.rsplit(":", 1)[1],
        }

    def export(self) -> None:
        os.environ.update(self.environment())

    def file_counter_requests(self) -> None:
        """Santo Domingo Este's requests filed at the counter, straight into SIGEM (the
        demo shows them tracked through the hub; tests that need an empty register skip it)."""
        file_at_counter(self.data_dir / SIGEM_REQUESTS_FILE, "SDE", COUNTER_FILINGS)

    def servers(self) -> list[_Stoppable]:
        return [self.sigem, self.munisoft, self.portal]

    def stop(self) -> None:
        for server in self.servers():
            with contextlib.suppress(Exception):
                server.stop()


def write_files(data_dir: Path) -> None:
    """The file- and database-based systems: the legacy SQL databases and the workbooks."""
    asyncio.run(legacy_sql.seed_demo(data_dir))
    workbooks.write_demo_workbooks(data_dir / "workbooks")
    procurement.write_dgcp_package(data_dir)


def start_demo_systems(
    data_dir: Path, ports: DemoPorts | None = None, latency_ms: float = 0.0
) -> DemoSystems:
    """Write the files and start the servers; call `.export()` before loading the config."""
    ports = ports or DemoPorts.from_environment()
    data_dir = data_dir.absolute()
    write_files(data_dir)
    started: list[_Stoppable] = []
    try:
        sigem = soap_vendors.start_sigem(
            ports.sigem, latency_ms, requests_db=data_dir / SIGEM_REQUESTS_FILE
        )
        started.append(sigem)
        munisoft = soap_vendors.start_munisoft(ports.munisoft, latency_ms)
        started.append(munisoft)
        portal = rest_service.start(ports.portal, latency_ms)
    except BaseException:
        for server in started:
            server.stop()
        raise
    return DemoSystems(sigem, munisoft, portal, data_dir)


@contextlib.contextmanager
def demo_systems(
    data_dir: Path, ports: DemoPorts | None = None, latency_ms: float = 0.0
) -> Iterator[DemoSystems]:
    systems = start_demo_systems(data_dir, ports, latency_ms)
    try:
        yield systems
    finally:
        systems.stop()
