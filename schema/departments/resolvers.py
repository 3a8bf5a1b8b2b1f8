"""Reading departments through the per-request loaders."""

from __future__ import annotations

from schema.context import Info
from schema.departments.types import Department
from schema.partial import note_if_stale


async def departments_of(info: Info, municipality_id: str) -> list[Department]:
    loader = info.context.loaders.departments_by_municipality
    records = await loader.load(municipality_id)
    note_if_stale(info, loader, municipality_id)
    return [Department(record=r) for r in records]


async def department(info: Info, municipality_id: str, department_id: str) -> Department | None:
    loader = info.context.loaders.department_by_key
    key = (municipality_id, department_id)
    record = await loader.load(key)
    note_if_stale(info, loader, key)
    return None if record is None else Department(record=record)
