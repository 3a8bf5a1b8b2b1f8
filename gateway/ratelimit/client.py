"""Who is asking: the connection's peer, or the client a trusted proxy names.

`X-Forwarded-For` is written by whoever sends the request, so it is believed only when
the immediate peer is one of the configured proxies (addresses or networks). The list is
then read from the right, skipping our own proxies: the first address that is not one of
them is the client. Anything unparsable stops the walk at the last address known good.

IPv6 clients are counted per /64: one subscriber line gets a whole /64 and can pick a
new address in it at will, so counting single IPv6 addresses would count nothing.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from starlette.types import Scope

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The counter of requests whose address cannot be known (a Unix socket, a test client).
UNKNOWN = "unknown"


def parse_address(text: str) -> IPAddress | None:
    """An address from a header hop or a peer: brackets and ports stripped; else None."""
    text = text.strip()
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # 203.0.113.7:51234
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


#: Peers repeat (keep-alive connections, the same proxies): parsed once each.
_parse_peer = functools.lru_cache(maxsize=4096)(parse_address)


def counted_as(address: IPAddress | None) -> str:
    """The identity a client is counted under: its IPv4 address, or its IPv6 /64."""
    if address is None:
        return UNKNOWN
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class ClientAddress:
    def __init__(self, trusted_proxies: Iterable[str] = ()) -> None:
        self.trusted: tuple[IPNetwork, ...] = tuple(
            ipaddress.ip_network(p.strip(), strict=False) for p in trusted_proxies if p.strip()
        )

    def is_trusted(self, address: IPAddress) -> bool:
        return any(address in network for network in self.trusted)

    def __call__(self, scope: Scope) -> IPAddress | None:
        client = scope.get("client")
        peer = _parse_peer(str(client[0])) if client else None
        if peer is None or not self.trusted or not self.is_trusted(peer):
            return peer
        hops = [
            hop
            for name, value in scope.get("headers", ())
            if name == b"x-forwarded-for"
            for hop in value.decode("latin-1").split(",")
        ]
        found = peer
        for hop in reversed(hops):
            address = parse_address(hop)
            if address is None:
                break
            found = address
            if not self.is_trusted(address):
                break
        return found
