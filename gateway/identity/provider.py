"""The OpenID provider as the hub sees it: discovery document and signing keys, cached.

Both are fetched on first use and kept for `jwks_cache_seconds`. A token signed with a
key id the cached set lacks makes one refetch (the provider may have rotated its keys),
at most every `jwks_min_refresh_seconds`, so that tokens with made-up key ids cannot
turn the hub into a client hammering the provider.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from gateway.identity.errors import IdentityNotConfigured, ProviderUnavailable
from gateway.identity.settings import IdentitySettings

#: Endpoints the hub needs from the discovery document.
REQUIRED_METADATA = ("authorization_endpoint", "token_endpoint", "jwks_uri")


@contextlib.contextmanager
def _provider_errors(what: str) -> Iterator[None]:
    """Any failure to read `what` becomes `ProviderUnavailable`, without its details."""
    try:
        yield
    except ProviderUnavailable:
        raise
    except (httpx.HTTPError, ValueError, KeyError, TypeError, JoseError) as exc:
        raise ProviderUnavailable(f"the identity provider's {what} could not be read") from exc


class OpenIDProvider:
    def __init__(
        self,
        settings: IdentitySettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._transport = transport
        self._clock = clock
        self._client: httpx.AsyncClient | None = None
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None
        self._keys_at = 0.0
        # Two locks: fetching the keys may need the discovery document first.
        self._metadata_lock = asyncio.Lock()
        self._keys_lock = asyncio.Lock()
        #: How many times each document was fetched (tests read these).
        self.fetches: dict[str, int] = {"metadata": 0, "jwks": 0}

    @property
    def issuer(self) -> str:
        if self.settings.issuer is None:
            raise IdentityNotConfigured("no identity provider is configured")
        return self.settings.issuer

    def http_client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                transport=self._transport,
                timeout=self.settings.http_timeout_seconds,
                follow_redirects=False,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    def _fresh(self, fetched_at: float) -> bool:
        return self._clock() - fetched_at < self.settings.jwks_cache_seconds

    async def _get_json(self, url: str) -> Any:
        response = await self.http_client().get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        return response.json()

    async def metadata(self) -> Mapping[str, Any]:
        """The discovery document, checked: same issuer, the endpoints the hub uses."""
        if self._metadata is not None and self._fresh(self._metadata_at):
            return self._metadata
        async with self._metadata_lock:
            if self._metadata is not None and self._fresh(self._metadata_at):
                return self._metadata
            issuer = self.issuer
            url = self.settings.discovery_url
            assert url is not None
            with _provider_errors("discovery document"):
                self.fetches["metadata"] += 1
                document = await self._get_json(url)
                if not isinstance(document, dict):
                    raise ValueError("the discovery document is not a JSON object")
                # OpenID Connect Discovery 1.0 §4.3: the issuer must be the one asked for.
                if str(document.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
                    raise ProviderUnavailable(
                        "the identity provider's discovery document names another issuer"
                    )
                for name in REQUIRED_METADATA:
                    if not isinstance(document.get(name), str):
                        raise ProviderUnavailable(
                            f"the identity provider's discovery document lacks {name}"
                        )
            self._metadata, self._metadata_at = document, self._clock()
            return document

    async def _fetch_keys(self) -> KeySet:
        metadata = await self.metadata()
        with _provider_errors("signing keys"):
            self.fetches["jwks"] += 1
            document = await self._get_json(metadata["jwks_uri"])
            keys = [
                key
                for key in document["keys"]
                if isinstance(key, dict)
                and key.get("kty") == "RSA"
                and key.get("use", "sig") == "sig"
                and key.get("alg", "RS256") == "RS256"
            ]
            key_set = KeySet.import_key_set({"keys": keys})
        self._keys, self._keys_at = key_set, self._clock()
        return key_set

    async def key_set(self) -> KeySet:
        if self._keys is not None and self._fresh(self._keys_at):
            return self._keys
        async with self._keys_lock:
            if self._keys is not None and self._fresh(self._keys_at):
                return self._keys
            return await self._fetch_keys()

    async def signing_key(self, kid: str | None) -> RSAKey | None:
        """The provider's RSA key for `kid` (the only key, when `kid` is None), or None."""
        found = _pick(await self.key_set(), kid)
        if found is not None or kid is None:
            return found
        async with self._keys_lock:
            found = _pick(self._keys, kid)
            if found is None and (
                self._clock() - self._keys_at >= self.settings.jwks_min_refresh_seconds
            ):
                found = _pick(await self._fetch_keys(), kid)
        return found


def _pick(key_set: KeySet | None, kid: str | None) -> RSAKey | None:
    if key_set is None:
        return None
    candidates = [key for key in key_set.keys if isinstance(key, RSAKey)]
    if kid is None:
        return candidates[0] if len(candidates) == 1 else None
    for key in candidates:
        if key.kid == kid:
            return key
    return None
