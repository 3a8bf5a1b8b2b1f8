"""What an `ocds` source and its binding are configured with (the kind's documented spec)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from connectors.base import BindingConfig, SourceConfig

__all__ = ["OcdsBindingConfig", "OcdsSourceConfig"]


class OcdsSourceConfig(SourceConfig):
    """Release packages as the DGCP publishes them: a JSON file, or a JSON API whose pages
    are release packages linked by `links.next`."""

    connector: Literal["ocds"] = "ocds"
    path: str | None = Field(
        default=None,
        min_length=1,
        description="A release package file (JSON); a relative path starts at the "
        "configuration directory.",
    )
    url: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="The first page of a paginated API of release packages; each page's "
        "`links.next` is followed.",
    )
    max_pages: int = Field(default=200, ge=1, le=10_000, description="Most pages read in one pass.")

    @model_validator(mode="after")
    def _one_place(self) -> OcdsSourceConfig:
        if (self.path is None) == (self.url is None):
            raise ValueError("`path` (a release package file) or `url` (an API), one of them")
        return self


class OcdsBindingConfig(BindingConfig):
    """Which releases of the packages are this municipality's."""

    buyer: str = Field(
        pattern=r"^DO-UC-[0-9]{1,10}$",
        description="The buyer id of its releases, DO-UC-<its procurement_unit>; "
        "releases of other buyers are left out.",
    )
