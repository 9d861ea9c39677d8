"""HTTP with an overall deadline and a byte cap: a server that drips, never stops or
redirects forever cannot hold bilat or fill its memory.

The deadline (``BILAT_HTTP_TIMEOUT`` seconds, default :data:`DEFAULT_TIMEOUT`) covers
the whole transfer, not one read: a server sending one byte every few seconds is cut
off when the deadline passes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from bilat.catalog import CatalogError

ENV_TIMEOUT = "BILAT_HTTP_TIMEOUT"
#: Seconds a catalog fetch or a download may take in all.
DEFAULT_TIMEOUT = 300.0
#: Seconds one read may wait for data.
READ_TIMEOUT = 30.0


def deadline_seconds() -> float:
    """``BILAT_HTTP_TIMEOUT`` as seconds, else the default."""
    raw = os.environ.get(ENV_TIMEOUT)
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise CatalogError(f"{ENV_TIMEOUT}={raw!r} is not a number of seconds") from None
    if not value > 0:
        raise CatalogError(f"{ENV_TIMEOUT}={raw!r} must be a positive number of seconds")
    return value


def stream(
    url: str,
    take: Callable[[bytes], None],
    *,
    max_bytes: int,
    what: str,
) -> int:
    """GET *url*, handing each chunk to *take*; return the bytes received.

    Fails with :class:`CatalogError` on an HTTP error status, past *max_bytes*, or when
    the overall deadline passes.
    """
    import httpx

    budget = deadline_seconds()
    start = time.monotonic()
    timeout = httpx.Timeout(min(READ_TIMEOUT, budget))
    received = 0
    try:
        with httpx.stream(
            "GET",
            url,
            timeout=timeout,
            follow_redirects=True,
            headers={"Accept-Encoding": "identity"},
        ) as response:
            if response.status_code != 200:
                raise CatalogError(f"cannot fetch {what} {url}: HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > max_bytes:
                raise CatalogError(
                    f"{what} {url} is {declared} bytes, more than the {max_bytes} allowed"
                )
            for chunk in response.iter_raw():  # as received: a drip still meets the deadline
                received += len(chunk)
                if received > max_bytes:
                    raise CatalogError(
                        f"{what} {url} sent more than the {max_bytes} bytes allowed; stopped"
                    )
                take(chunk)
                if time.monotonic() - start > budget:
                    raise CatalogError(
                        f"{what} {url} took longer than {budget:g} s "
                        f"(set {ENV_TIMEOUT} to allow more); stopped"
                    )
    except httpx.HTTPError as exc:
        raise CatalogError(f"cannot fetch {what} {url}: {exc}") from None
    return received
