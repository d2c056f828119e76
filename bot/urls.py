"""Whether a URL may be handed to Late: public https only.

Late fetches media from the URL it is given and its validator refuses private and localhost
addresses (a request to them from Late's servers would be a server-side request forgery), so
latebot refuses them first, with the reason: plain http, loopback, link-local, private and other
non-public addresses, whether written as a name or as an IP literal (in any of the forms an IPv4
address can be written: `127.1`, `0x7f.0.0.1`, `2130706433`).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".intranet", ".corp")
_IPV4_LIKE = re.compile(r"[0-9a-fx.]+", re.IGNORECASE)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(host: str) -> Address | None:
    """The IP address `host` is a literal of, in any form a resolver would accept, else None."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            return address.ipv4_mapped
        return address
    if _IPV4_LIKE.fullmatch(host) and any(ch.isdigit() for ch in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _why_not_public(address: Address) -> str | None:
    if address.is_unspecified or address.is_multicast:
        return "not a public address"
    if address.is_loopback:
        return "a loopback address (this machine)"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private network address"
    if address.is_reserved or not address.is_global:
        return "not a public address"
    return None


def problem(url: str, what: str = "A media URL") -> str | None:
    """Why Late can't be given `url`, in words for the user; None when it is a public https URL."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return f"{what} “{url[:80]}” is not a valid URL."
    if parts.scheme.lower() != "https":
        return f"{what} must start with https://, and “{url[:80]}” does not (Late takes only https)."
    if not host:
        return f"{what} “{url[:80]}” has no host name."
    address = _address(host.strip("[]"))
    if address is not None:
        why = _why_not_public(address)
        if why:
            return f"{what} “{url[:80]}” points to {why}; Late can only fetch from a public address."
        return None
    if host in _LOCAL_NAMES or host.endswith(_LOCAL_SUFFIXES) or "." not in host:
        return (f"{what} “{url[:80]}” names a host on a local network ({host}); Late can only fetch "
                "from a public address.")
    return None
