"""What every simulated system shares: `stop()`, and `with` to stop it on the way out."""

from __future__ import annotations

import abc
from types import TracebackType
from typing import Self


class Stoppable(abc.ABC):
    @abc.abstractmethod
    def stop(self) -> None:
        """Stop serving and release the port; calling it twice is harmless."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
