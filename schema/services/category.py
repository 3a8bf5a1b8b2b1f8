"""The areas services belong to: a vocabulary of its own, so that request forms and
configuration can name an area without the service type."""

from __future__ import annotations

import enum

import strawberry

__all__ = ["ServiceCategory"]


@strawberry.enum(description="Area a service belongs to.")
class ServiceCategory(enum.Enum):
    URBANISMO = "urbanismo"
    SANEAMIENTO = "saneamiento"
    TRIBUTOS = "tributos"
    ESPACIO_PUBLICO = "espacio_publico"
    CEMENTERIOS = "cementerios"
    CERTIFICACIONES = "certificaciones"
    MERCADOS = "mercados"
    SOCIAL = "social"
