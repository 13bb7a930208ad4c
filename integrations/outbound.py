"""Outgoing HTTP to addresses our clients give us, guarded against server-side request forgery.

A webhook URL is chosen by an API client, so without a guard Kaoping could be made to POST to its own
database, Redis or a cloud metadata service. Unless KAOPING_WEBHOOK_ALLOW_PRIVATE is on, every address
a host name resolves to must be public. The check runs when a subscription is made and again on each
connection, against the address actually connected to: a name that resolved to a public address at
subscription time may point inward later (DNS rebinding).
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

USER_AGENT = "Kaoping-Webhooks/1.0"
# Enough of a response to tell what went wrong; a receiver may answer with anything.
RESPONSE_READ_LIMIT = 4096


class AddressRefused(Exception):
    """The URL is not one we may send to (scheme, host, or an address inside our network)."""


@dataclass(frozen=True)
class Response:
    status: int
    body: str


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback, whatever Python 3.11 says about it
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[tuple]:
    """getaddrinfo for a TCP connection, refusing the lot if any address is private (unless allowed).
    A name that does not resolve raises socket.gaierror, an OSError like any other network fault."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as error:  # a label IDNA cannot encode
        raise AddressRefused(_("This is not a valid URL.")) from error
    if not settings.KAOPING_WEBHOOK_ALLOW_PRIVATE:
        # All, not any: a name with one public and one private address would let the connection go inward.
        inward = sorted({info[4][0] for info in infos if not _public(info[4][0])})
        if inward:
            raise AddressRefused(
                _("The host %(host)s resolves to an address inside the network (%(addresses)s).")
                % {"host": host, "addresses": ", ".join(inward)}
            )
    return infos


def url_check(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL we may send to, or AddressRefused saying why not."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise AddressRefused(_("This is not a valid URL.")) from error
    if parts.scheme not in ("http", "https"):
        raise AddressRefused(_("Only http and https URLs are accepted."))
    if not parts.hostname:
        raise AddressRefused(_("The URL has no host."))
    if parts.username or parts.password:
        # Credentials in a URL end up in logs and admin pages; receivers verify the signature instead.
        raise AddressRefused(_("The URL must not contain a user name or password."))
    port = port or (443 if parts.scheme == "https" else 80)
    # Not resolvable now (a record not yet published, DNS away): no address to refuse. Every connection
    # checks again, and a send that cannot resolve is retried like any other network fault.
    with contextlib.suppress(OSError):
        resolve(parts.hostname, port)
    return parts.scheme, parts.hostname, port


def _guarded_connect(address: tuple[str, int], timeout: float, source_address=None) -> socket.socket:
    """socket.create_connection to addresses that passed the check, resolved once: the address checked is
    the address connected to."""
    host, port = address
    last_error: OSError | None = None
    for family, kind, proto, _name, sockaddr in resolve(host, port):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as error:
            sock.close()
            last_error = error
    raise last_error or OSError(f"no address for {host}")


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connect


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connect


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Response:
    """POST once; no redirects (a 3xx is an answer, not an invitation to go elsewhere) and no proxy.

    `timeout` bounds the connection and each read. Raises AddressRefused, or OSError /
    http.client.HTTPException when the receiver cannot be reached or speaks no HTTP.
    """
    scheme, host, port = url_check(url)
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    if scheme == "https":
        connection: http.client.HTTPConnection = _HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = _HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("POST", target, body=body, headers={"User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        content = response.read(RESPONSE_READ_LIMIT)
        return Response(status=response.status, body=content.decode("utf-8", errors="replace"))
    finally:
        connection.close()
