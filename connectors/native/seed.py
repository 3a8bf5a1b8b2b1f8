"""Load the demo catalogue (`config/demo/catalogue/*.yaml`) into the hub store.

Each file replaces its municipality's catalogue in one transaction, so a re-run is
harmless and a bad file changes nothing.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import sqlalchemy as sa
import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from connectors.capabilities import CHANNELS, SERVICE_CATEGORIES
from connectors.config_yaml import DuplicateKeyError, load_unique
from connectors.tenants import ConfigProblem, InvalidConfiguration, problems_from_validation
from store import store


def _one_of(allowed: frozenset[str]) -> AfterValidator:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"one of {', '.join(sorted(allowed))}")
        return value

    return AfterValidator(check)


Category = Annotated[str, _one_of(SERVICE_CATEGORIES)]
Channel = Annotated[str, _one_of(CHANNELS)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fee(_Strict):
    amount: Decimal = Field(ge=0, decimal_places=2)
    currency: Literal["DOP"] = "DOP"


class CatalogueService(_Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)
    name: str = Field(min_length=3, max_length=200)
    description: str = Field(min_length=10)
    category: Category
    requirements: list[str]
    fee: Fee | None
    duration_days: int | None = Field(ge=0)
    channels: list[Channel] = Field(min_length=1)
    legal_basis: str | None


class CatalogueFile(_Strict):
    municipality: str
    services: list[CatalogueService] = Field(min_length=1)


def read_catalogue(path: Path) -> CatalogueFile:
    try:
        raw = load_unique(path.read_text(encoding="utf-8"))
        catalogue = CatalogueFile.model_validate(raw)
    except ValidationError as exc:
        raise InvalidConfiguration(
            problems_from_validation(exc, str(path), (), CatalogueFile)
        ) from exc
    except DuplicateKeyError as exc:
        raise InvalidConfiguration(
            [ConfigProblem(str(path), key, message) for key, message in exc.duplicates]
        ) from exc
    except yaml.YAMLError as exc:
        raise InvalidConfiguration(
            [ConfigProblem(str(path), "(file)", f"expected YAML: {exc}")]
        ) from exc
    ids = [s.id for s in catalogue.services]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise InvalidConfiguration(
            [ConfigProblem(str(path), "services", f"expected unique ids, found {duplicated} twice")]
        )
    return catalogue


def _rows(catalogue: CatalogueFile) -> list[dict[str, object]]:
    return [
        {
            "municipality_id": catalogue.municipality,
            "id": service.id,
            "name": service.name,
            "description": service.description,
            "category": service.category,
            "requirements": list(service.requirements),
            "fee_cents": None if service.fee is None else int(service.fee.amount * 100),
            "fee_currency": "DOP" if service.fee is None else service.fee.currency,
            "duration_days": service.duration_days,
            "channels": list(service.channels),
            "legal_basis": service.legal_basis,
            "demo": True,
        }
        for service in catalogue.services
    ]


def _read_all(directory: Path) -> list[CatalogueFile]:
    return [read_catalogue(p) for p in sorted(directory.glob("*.yaml"))]


async def seed_catalogues(database_url: str, directory: Path, only: set[str] | None = None) -> int:
    """Replace the catalogue of each municipality that has a file; returns services written."""
    catalogues = await asyncio.to_thread(_read_all, directory)
    if only is not None:
        catalogues = [c for c in catalogues if c.municipality in only]
    engine = store.create_engine(database_url)
    written = 0
    try:
        async with engine.begin() as connection:
            for catalogue in catalogues:
                await connection.execute(
                    sa.delete(store.services).where(
                        store.services.c.municipality_id == catalogue.municipality
                    )
                )
                rows = _rows(catalogue)
                await connection.execute(sa.insert(store.services), rows)
                written += len(rows)
    finally:
        await engine.dispose()
    return written
