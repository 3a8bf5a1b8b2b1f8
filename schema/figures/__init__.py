"""Live, public figures of service requests per local government and service."""

from schema.figures.periods import FiguresPeriod
from schema.figures.resolvers import figures_of
from schema.figures.subscriptions import FiguresSubscriptions
from schema.figures.types import TransactionFigures

__all__ = ["FiguresPeriod", "FiguresSubscriptions", "TransactionFigures", "figures_of"]
