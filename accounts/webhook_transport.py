"""Webhooks' transport: signing, the bytes sent, backoff, URL checks and one HTTP attempt.

Pure logic and the network, no ORM. How events become deliveries and how they are sent
and retried is explained in accounts/webhook_services.py; the reads are in
accounts/webhook_selectors.py.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import random
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.adapters
import urllib3.exceptions

log = logging.getLogger(__name__)

USER_AGENT = "mockloop-webhooks/1"
RETRY_BASE_SECONDS = 30
RETRY_FACTOR = 4
RETRY_CAP_SECONDS = 4 * 3600


# -- signing, body, backoff --------------------------------------------------------------


def signature_header(*, secret: str, body: bytes, timestamp: int, extra_secrets: Sequence[str] = ()) -> str:
    """``t=<unix ts>,v1=<hex HMAC-SHA256 of "<ts>.<raw body>">``, as receivers verify it.

    With ``extra_secrets`` (the replaced secret during a rotation's grace period) the
    header carries one more ``v1=`` per secret, the current secret's first: a receiver
    accepts the request if any of them matches the secret it holds (docs/api.md)."""
    signed = f"{timestamp}.".encode() + body
    digests = [hmac.new(key.encode(), signed, hashlib.sha256).hexdigest() for key in (secret, *extra_secrets)]
    return ",".join([f"t={timestamp}", *(f"v1={digest}" for digest in digests)])


def payload_body(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): the same for every attempt of a delivery."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def retry_delay(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: 30 s, 2 min, 8 min, 32 min,
    2 h 8 min, then every 4 h, each within +-20 % so that many deliveries failing
    together (a receiver's outage) do not all come back at the same second."""
    base = min(RETRY_BASE_SECONDS * RETRY_FACTOR ** max(attempts - 1, 0), RETRY_CAP_SECONDS)
    return base * (rng or random).uniform(0.8, 1.2)


# -- URL checks ----------------------------------------------------------------------------


class WebhookUrlRejected(Exception):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def _address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def url_addresses_check(url: str, *, allow_private: bool) -> list[str]:
    """The addresses this URL's host resolves to, refusing anything but http(s) and,
    unless ``allow_private``, any host with a private, loopback, link-local or otherwise
    non-public address (the instance metadata service, the database, Redis...).

    Every address must be public: a name with one public and one private record is refused.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise WebhookUrlRejected("the URL is not valid", code="webhook_url_invalid") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookUrlRejected("the URL must start with http:// or https:// and name a host", code="webhook_url_invalid")
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookUrlRejected(f"the host {parts.hostname} does not resolve ({exc})", code="webhook_url_unresolvable") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        private = [a for a in addresses if not _address_is_public(a)]
        if private:
            # The answer never names the address: it would map our internal network for
            # whoever tries names like "redis" or "db". Operators find it in the log.
            log.warning("webhook URL refused: %s resolves to non-public %s", parts.hostname, ", ".join(private))
            raise WebhookUrlRejected("this URL points to a private or reserved address", code="webhook_url_not_allowed")
    # IPv4 first: it is what most receivers listen on.
    return sorted(addresses, key=lambda a: ":" in a)


# -- one HTTP attempt ----------------------------------------------------------------------


class _PinnedAdapter(requests.adapters.HTTPAdapter):
    """Connects to the address that was checked rather than resolving the name again,
    so a DNS answer that changes between the check and the connection (DNS rebinding)
    cannot point the request at a private host. TLS still verifies the URL's host name."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request: Any, verify: Any, cert: Any = None) -> Any:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        hostname = host_params["host"]
        host_params = {**host_params, "host": self.address}
        if host_params["scheme"] == "https":
            pool_kwargs = {**pool_kwargs, "server_hostname": hostname, "assert_hostname": hostname}
        return host_params, pool_kwargs


@dataclass(frozen=True)
class AttemptOutcome:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _connection_refused(exc: requests.exceptions.ConnectionError) -> bool:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError) and not isinstance(exc, requests.exceptions.Timeout)


def webhook_post(*, url: str, body: bytes, headers: dict[str, str], timeout: float, allow_private: bool) -> AttemptOutcome:
    """One POST of a webhook. Never raises: the outcome says what happened.

    ``timeout`` bounds connecting and each wait for the receiver; redirects are not
    followed (a redirect could lead to a private host) and count as a failure.
    """
    started = time.monotonic()

    def outcome(status_code: int | None, error: str) -> AttemptOutcome:
        return AttemptOutcome(status_code, error[:300], round((time.monotonic() - started) * 1000))

    try:
        addresses = url_addresses_check(url, allow_private=allow_private)
    except WebhookUrlRejected as exc:
        return outcome(None, str(exc))
    parts = urlsplit(url)
    host_header = parts.netloc.rsplit("@", 1)[-1]
    error = ""
    for address in addresses[:3]:
        with requests.Session() as session:
            session.trust_env = False  # no proxy from the environment: the address checked is the one used
            session.mount(f"{parts.scheme}://", _PinnedAdapter(address))
            try:
                response = session.post(
                    url,
                    data=body,
                    headers={**headers, "Host": host_header},
                    timeout=timeout,
                    allow_redirects=False,
                    stream=True,  # the body is never read: only the status matters
                )
            except requests.exceptions.Timeout:
                return outcome(None, f"timeout: no answer within {timeout:g} s")
            except requests.exceptions.ConnectionError as exc:
                error = f"connection error: {_short(exc)}"
                if _connection_refused(exc):
                    continue  # nothing was sent: the next address may answer
                return outcome(None, error)
            except requests.exceptions.RequestException as exc:
                return outcome(None, f"request error: {_short(exc)}")
            response.close()
            if 200 <= response.status_code < 300:
                return outcome(response.status_code, "")
            return outcome(response.status_code, f"HTTP {response.status_code}")
    return outcome(None, error or "no address to connect to")


def _short(exc: BaseException) -> str:
    # requests wraps urllib3's error, whose reason says what happened (refused, TLS...).
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return str(reason or exc)
