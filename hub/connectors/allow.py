"""The outbound allow-list: which hosts the hub may call, checked when the connectors load.

A connector's base URL comes from its file or from ``HUB_URL_<NAME>``; either can be changed
by whoever can change the configuration. So that such a change cannot turn the hub into a
client of an internal address (a cloud metadata service, an admin port, a database), every
connector's base URL must name an allowed host, and every operation and query path must begin
with ``/`` (so no path can carry a host of its own, as ``@other-host/…`` would). The hub
refuses to start otherwise, naming the connector, the URL and the setting.

``HUB_OUTBOUND_ALLOW`` lists what is allowed, separated by commas or spaces:

- a host name, matched exactly (``erp.corp.example``), or a domain with its subdomains
  (``*.corp.example``); names are not resolved, so list every name the connectors use;
- an IP address or a network in CIDR form (``10.20.0.0/16``, ``::1``), matched by IP literals.

Unset, it is :data:`DEVELOPMENT_ALLOW` (this machine only) in development and **nothing** in
production: a production hub calls only what it was told it may.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from hub.errors import ConfigError

if TYPE_CHECKING:
    from hub.connectors.models import Connector
    from hub.settings import Settings

SETTING = "HUB_OUTBOUND_ALLOW"
DEVELOPMENT_ALLOW = "localhost 127.0.0.0/8 ::1"
"""What the embedded default and the reference systems need: this machine."""
SCHEMES = ("http", "https")
_NAME = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class AllowList:
    names: frozenset[str]
    domains: tuple[str, ...]
    networks: tuple[Network, ...]
    source: str

    @classmethod
    def parse(cls, text: str, *, source: str = SETTING) -> AllowList:
        names: set[str] = set()
        domains: list[str] = []
        networks: list[Network] = []
        for entry in text.replace(",", " ").split():
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            name = entry.lower().rstrip(".")
            if not _NAME.match(name):
                raise ConfigError(f"{source}: {entry!r} is neither a host name, a *.domain, an IP address "
                                  "nor a CIDR network")
            if name.startswith("*."):
                domains.append(name[1:])
            else:
                names.add(name)
        return cls(frozenset(names), tuple(domains), tuple(networks), source)

    def allows(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return host in self.names or any(host.endswith(d) for d in self.domains)
        return any(address in n for n in self.networks)


def allow_list(configured: str | None, *, production: bool) -> AllowList:
    """``HUB_OUTBOUND_ALLOW`` if set, else this machine in development and nothing in production."""
    if configured is not None:
        return AllowList.parse(configured)
    return AllowList.parse("" if production else DEVELOPMENT_ALLOW,
                           source=f"{SETTING} (unset: {'nothing' if production else DEVELOPMENT_ALLOW})")


def check_url(connector: str, url: str, allowed: AllowList, *, origin: str) -> None:
    """Raise ConfigError unless ``url`` is an http(s) URL on an allowed host."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ConfigError(f"connector {connector!r}: base URL {url!r} (from {origin}) must be an http:// or "
                          "https:// URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(f"connector {connector!r}: base URL {url!r} (from {origin}) may not carry user "
                          "information; use the connector's headers for credentials")
    if not allowed.allows(parts.hostname):
        raise ConfigError(f"connector {connector!r}: base URL {url!r} (from {origin}) calls "
                          f"{parts.hostname!r}, which {allowed.source} does not allow; add the host or its "
                          f"network to {SETTING} if the hub may call it")


def check_path(connector: str, what: str, path: str) -> None:
    if not path.startswith("/") or path.startswith("//"):
        raise ConfigError(f"connector {connector!r}: {what} path {path!r} must begin with a single '/' "
                          "(a path may not name a host of its own)")


def check_connectors(connectors: Iterable[tuple[str, str, str, list[tuple[str, str]]]],
                     allowed: AllowList) -> None:
    """Each ``(name, url, origin, [(what, path), …])``: refuse the first that is not allowed."""
    for name, url, origin, paths in connectors:
        check_url(name, url, allowed, origin=origin)
        for what, path in paths:
            check_path(name, what, path)


def check_registry(settings: Settings, connectors: Mapping[str, Connector]) -> None:
    """Every connector's effective base URL (``HUB_URL_<NAME>`` or its file's) and paths, at load."""
    allowed = allow_list(settings.outbound_allow, production=settings.production)
    check_connectors(((name, settings.connector_url(name, c.base_url),
                       f"HUB_URL_{name.upper()}" if os.environ.get(f"HUB_URL_{name.upper()}") else "its file",
                       [*((f"operation {op!r}", o.path) for op, o in c.operations.items() if o.write is None),
                        *((f"query {q!r}", qq.path) for q, qq in c.queries.items()),
                        *([("poll", c.poll.path)] if c.poll is not None and c.poll.kind == "http" else [])])
                      for name, c in sorted(connectors.items()) if _called_over_http(c)), allowed)


def _called_over_http(c: Connector) -> bool:
    """A system the hub only reads files or a database of (a bank's statement drop) is never called."""
    return (any(o.write is None for o in c.operations.values()) or bool(c.queries)
            or (c.poll is not None and c.poll.kind == "http"))
