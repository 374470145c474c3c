"""One webhook POST to a checked address (``guard.Target``), with urllib3.

The connection goes to ``target.address`` (already checked, never resolved again); the
``Host`` header, TLS SNI and the certificate check use the URL's name. Connect timeout 3 s,
the whole exchange at most 10 s (``AYUDA_WEBHOOK_TIMEOUT_SECONDS``), redirects are not
followed, and at most ``AYUDA_WEBHOOK_RESPONSE_KEEP_BYTES`` of the answer is read.
"""

import ssl
import threading
import time
from dataclasses import dataclass

import urllib3
from django.conf import settings

from .guard import Target

_pools: dict[tuple, urllib3.HTTPConnectionPool] = {}
_lock = threading.Lock()
MAX_POOLS = 256


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    body: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _ssl_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    if settings.AYUDA_WEBHOOK_CA_FILE:
        context.load_verify_locations(cafile=settings.AYUDA_WEBHOOK_CA_FILE)
    return context


def _pool(target: Target) -> urllib3.HTTPConnectionPool:
    key = (target.scheme, target.address, target.port, target.host)
    with _lock:
        pool = _pools.get(key)
        if pool is not None:
            return pool
        if len(_pools) >= MAX_POOLS:
            for old in _pools.values():
                old.close()
            _pools.clear()
        timeout = urllib3.Timeout(
            connect=settings.AYUDA_WEBHOOK_CONNECT_TIMEOUT_SECONDS,
            total=settings.AYUDA_WEBHOOK_TIMEOUT_SECONDS,
        )
        common = {"port": target.port, "timeout": timeout, "retries": False, "maxsize": 32}
        if target.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                target.address,
                server_hostname=target.host,
                assert_hostname=target.host,
                ssl_context=_ssl_context(),
                cert_reqs="CERT_REQUIRED",
                **common,
            )
        else:
            pool = urllib3.HTTPConnectionPool(target.address, **common)
        _pools[key] = pool
        return pool


def pools_clear() -> None:
    with _lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


def post(target: Target, *, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST ``body``; never raises for network trouble (it is the outcome's ``error``)."""
    keep = settings.AYUDA_WEBHOOK_RESPONSE_KEEP_BYTES
    deadline = time.monotonic() + settings.AYUDA_WEBHOOK_TIMEOUT_SECONDS
    started = time.monotonic()
    all_headers = {
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": "Ayuda-Webhooks/1",
        **headers,
    }
    response = None
    try:
        response = _pool(target).urlopen(
            "POST",
            target.path,
            body=body,
            headers=all_headers,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
            release_conn=False,
        )
        chunks, size, complete = [], 0, False
        while size <= keep and time.monotonic() < deadline:
            chunk = response.read(min(4096, keep + 1 - size) or 1)
            if not chunk:
                complete = True
                break
            chunks.append(chunk)
            size += len(chunk)
        text = b"".join(chunks)[:keep].decode("utf-8", "replace")
        status = response.status
        error = ""
    except Exception as exc:  # connection refused, TLS, timeouts: all one failed attempt
        status, text, complete = None, "", False
        error = f"{exc.__class__.__name__}: {exc}"[:500]
    finally:
        if response is not None:
            if not complete:
                response.close()  # an unread rest: this connection is not reused
            response.release_conn()
    return Outcome(status, text, error, int((time.monotonic() - started) * 1000))
